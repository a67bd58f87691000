/**
 * Usage metering and plan limits. Server simulations are metered from worker run time into usage_records,
 * once per simulation (unique simulation_id). Limits apply only when billing is enabled (Stripe configured).
 * The account billed is the organisation when the simulation's project belongs to a Team-plan organisation,
 * the user otherwise.
 */
import type { Knex } from 'knex';
import type { Db } from '../db';
import { AppError } from '../errors';
import { monthOf, PLAN_LIMITS, type Plan } from './plans';

export interface BillingAccount {
  kind: 'user' | 'org';
  id: string;
  plan: Plan;
}

export class PlanLimitError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super(402, 'plan_limit_exceeded', message, details);
  }
}

const UPGRADE_HINT =
  'Upgrade with POST /api/v1/billing/checkout {"plan": "pro"} (or "team" for an organisation), or run the simulation in the browser or notebook kernel, which is never metered.';

export class UsageService {
  constructor(
    private readonly db: Db,
    readonly limitsEnabled: boolean,
  ) {}

  async accountFor(userId: string, orgId: string | null | undefined): Promise<BillingAccount> {
    if (orgId) {
      const org = await this.db('organizations').where({ id: orgId }).first('id', 'plan');
      if (org && org.plan === 'team') return { kind: 'org', id: org.id, plan: 'team' };
    }
    const user = await this.db('users').where({ id: userId }).first('plan');
    return { kind: 'user', id: userId, plan: (user?.plan ?? 'free') as Plan };
  }

  /** Cloud minutes used by an account in the month containing `at`. */
  async minutesUsed(account: BillingAccount, at = new Date()): Promise<number> {
    const { start } = monthOf(at);
    const query = this.db('usage_records').where({ record_type: 'simulation_minutes', period_start: start });
    if (account.kind === 'org') query.where({ org_id: account.id });
    else query.where({ user_id: account.id }).whereNull('org_id');
    const row = await query.sum({ total: 'quantity' }).first();
    return Number(row?.total ?? 0);
  }

  /** Throws a 402 naming the limit and how to upgrade. */
  async assertCanRun(account: BillingAccount, nodeCount: number): Promise<void> {
    if (!this.limitsEnabled) return;
    const limits = PLAN_LIMITS[account.plan];
    const planName = account.plan[0].toUpperCase() + account.plan.slice(1);
    if (limits.maxNodes !== null && nodeCount > limits.maxNodes) {
      throw new PlanLimitError(
        `This circuit has ${nodeCount} nodes; the ${planName} plan runs circuits of up to ${limits.maxNodes} nodes on the server. ${UPGRADE_HINT}`,
        {
          limit: 'circuit_nodes',
          plan: account.plan,
          allowed: limits.maxNodes,
          requested: nodeCount,
          upgrade: '/api/v1/billing/checkout',
        },
      );
    }
    const used = await this.minutesUsed(account);
    if (used >= limits.cloudMinutesPerMonth) {
      throw new PlanLimitError(
        `You have used ${used.toFixed(1)} of the ${limits.cloudMinutesPerMonth} cloud simulation minutes the ${planName} plan includes this month. ${UPGRADE_HINT}`,
        {
          limit: 'cloud_minutes',
          plan: account.plan,
          allowed: limits.cloudMinutesPerMonth,
          used,
          upgrade: '/api/v1/billing/checkout',
        },
      );
    }
  }

  /** Meters one finished simulation, inside the transaction that marks it completed; a repeat is a no-op. */
  async recordRun(
    trx: Knex.Transaction,
    run: { simulationId: string; userId: string; orgId: string | null; runMs: number; at: Date },
  ): Promise<void> {
    const { start, end } = monthOf(run.at);
    await trx('usage_records')
      .insert({
        user_id: run.userId,
        org_id: run.orgId,
        simulation_id: run.simulationId,
        record_type: 'simulation_minutes',
        quantity: run.runMs / 60_000,
        period_start: start,
        period_end: end,
      })
      .onConflict('simulation_id')
      .ignore();
  }

  async summary(userId: string, orgId?: string): Promise<Record<string, unknown>> {
    const account = await this.accountFor(userId, orgId);
    const limits = PLAN_LIMITS[account.plan];
    const period = monthOf(new Date());
    const used = await this.minutesUsed(account);
    const simulations = await this.db('usage_records')
      .where({ record_type: 'simulation_minutes', period_start: period.start })
      .modify((q) =>
        account.kind === 'org'
          ? q.where({ org_id: account.id })
          : q.where({ user_id: account.id }).whereNull('org_id'),
      )
      .count({ n: '*' })
      .first();
    return {
      account: { kind: account.kind, id: account.id },
      plan: account.plan,
      limitsEnforced: this.limitsEnabled,
      period: { start: period.start, end: period.end },
      cloudMinutes: { used: Math.round(used * 1000) / 1000, limit: limits.cloudMinutesPerMonth },
      maxNodes: limits.maxNodes,
      simulations: Number(simulations?.n ?? 0),
    };
  }
}
