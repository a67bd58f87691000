/**
 * Stripe subscriptions: Checkout for Pro ($39/month, a user) and Team ($79/user/month, an organisation,
 * quantity = seats), the Customer Portal, and the webhook that keeps plans in step.
 *
 * Webhook processing is idempotent and order-independent:
 * - each event id is inserted into stripe_events in the transaction that applies it, so a redelivery is a
 *   no-op (and a failed application rolls back, so Stripe's retry applies it later);
 * - the state of each subscription remembers the `created` time of the newest event applied; an older
 *   event arriving late changes nothing, and `canceled` is final (Stripe never revives a subscription);
 * - the account's plan is recomputed from the subscription row every time, never toggled incrementally.
 */
import type { Knex } from 'knex';
import type Stripe from 'stripe';
import type { StripeConfig } from '../config';
import type { Db } from '../db';
import { AppError, ConflictError } from '../errors';
import type { OrgService } from '../orgs/service';
import type { Plan } from '../usage/plans';

type PaidPlan = Exclude<Plan, 'free'>;
interface Owner {
  userId: string | null;
  orgId: string | null;
}

/** Statuses in which the customer keeps the paid plan (past_due: Stripe is still retrying the payment). */
const PAID_STATUSES = ['active', 'trialing', 'past_due'];

export class BillingService {
  constructor(
    private readonly db: Db,
    private readonly stripe: Stripe,
    private readonly config: StripeConfig,
    private readonly publicUrl: string,
    private readonly orgs: OrgService,
  ) {}

  async checkout(
    userId: string,
    input: { plan: PaidPlan; orgId?: string; seats?: number },
  ): Promise<{ url: string; sessionId: string }> {
    let customer: string;
    let quantity = 1;
    if (input.plan === 'team') {
      if (!input.orgId)
        throw new AppError(
          422,
          'validation_failed',
          'The Team plan belongs to an organisation: send "orgId".',
          [{ field: 'body.orgId', message: 'required for the team plan' }],
        );
      await this.orgs.requireRole(userId, input.orgId, 'admin');
      const members = await this.db('org_members').where({ org_id: input.orgId }).count({ n: '*' }).first();
      quantity = input.seats ?? Math.max(1, Number(members?.n ?? 1));
      customer = await this.customerFor({ userId: null, orgId: input.orgId }, userId);
    } else {
      if (input.orgId)
        throw new AppError(
          422,
          'validation_failed',
          'The Pro plan is personal: leave out "orgId" (use "team" for an organisation).',
          [{ field: 'body.orgId', message: 'not allowed for the pro plan' }],
        );
      const user = await this.db('users').where({ id: userId }).first('plan');
      if (user?.plan === 'pro')
        throw new ConflictError(
          'You are already on the Pro plan: manage it in the Customer Portal (POST /api/v1/billing/portal).',
        );
      customer = await this.customerFor({ userId, orgId: null }, userId);
    }
    const metadata: Record<string, string> = {
      plan: input.plan,
      userId,
      seats: String(quantity),
      ...(input.orgId ? { orgId: input.orgId } : {}),
    };
    const base = this.publicUrl.replace(/\/$/, '');
    const session = await this.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      line_items: [{ price: input.plan === 'pro' ? this.config.pricePro : this.config.priceTeam, quantity }],
      client_reference_id: input.orgId ?? userId,
      metadata,
      // Subscription events then identify their account without a lookup (and before checkout completes).
      subscription_data: { metadata },
      success_url: `${base}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${base}/billing/cancelled`,
    });
    if (!session.url)
      throw new AppError(502, 'stripe_error', 'Stripe created a Checkout session without a URL; try again.');
    return { url: session.url, sessionId: session.id };
  }

  async portal(userId: string, input: { orgId?: string }): Promise<{ url: string }> {
    let customer: string | null;
    if (input.orgId) {
      await this.orgs.requireRole(userId, input.orgId, 'admin');
      customer =
        (await this.db('organizations').where({ id: input.orgId }).first('stripe_customer_id'))
          ?.stripe_customer_id ?? null;
    } else {
      customer =
        (await this.db('users').where({ id: userId }).first('stripe_customer_id'))?.stripe_customer_id ??
        null;
    }
    if (!customer)
      throw new ConflictError(
        'There is no subscription to manage yet: subscribe first with POST /api/v1/billing/checkout.',
      );
    const session = await this.stripe.billingPortal.sessions.create({
      customer,
      return_url: `${this.publicUrl.replace(/\/$/, '')}/billing`,
    });
    return { url: session.url };
  }

  /** Verifies the signature on the exact bytes Stripe sent, then applies the event once. */
  async handleWebhook(
    rawBody: string | Buffer | undefined,
    signature: string | undefined,
  ): Promise<{ received: true; duplicate: boolean; type: string }> {
    if (rawBody === undefined || !signature) {
      throw new AppError(
        400,
        'invalid_signature',
        'A Stripe webhook needs the raw JSON body and the Stripe-Signature header.',
      );
    }
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature, this.config.webhookSecret);
    } catch (error) {
      throw new AppError(
        400,
        'invalid_signature',
        `The Stripe signature does not verify: ${(error as Error).message}`,
      );
    }
    const applied = await this.db.transaction(async (trx) => {
      const fresh = await trx('stripe_events')
        .insert({ id: event.id, type: event.type, stripe_created_at: new Date(event.created * 1000) })
        .onConflict('id')
        .ignore()
        .returning('id');
      if (fresh.length === 0) return false;
      await this.apply(trx, event);
      return true;
    });
    return { received: true, duplicate: !applied, type: event.type };
  }

  private async apply(trx: Knex.Transaction, event: Stripe.Event): Promise<void> {
    switch (event.type) {
      case 'checkout.session.completed': {
        const session = event.data.object;
        if (session.mode !== 'subscription' || !session.subscription) return;
        const subscriptionId =
          typeof session.subscription === 'string' ? session.subscription : session.subscription.id;
        const customerId = typeof session.customer === 'string' ? session.customer : session.customer?.id;
        const owner =
          ownerFrom(session.metadata) ?? (customerId ? await this.ownerByCustomer(trx, customerId) : null);
        const plan = planFrom(session.metadata?.plan);
        if (!owner || !plan || !customerId) return;
        await this.linkCustomer(trx, owner, customerId, subscriptionId);
        const existing = await trx('billing_subscriptions').where({ id: subscriptionId }).forUpdate().first();
        if (existing) {
          // Subscription events got here first: they carry the newer status; only fill in the account.
          await trx('billing_subscriptions')
            .where({ id: subscriptionId })
            .update({ user_id: existing.user_id ?? owner.userId, org_id: existing.org_id ?? owner.orgId });
        } else {
          const seats = session.metadata?.seats ? Number(session.metadata.seats) : 1;
          await trx('billing_subscriptions').insert({
            id: subscriptionId,
            customer_id: customerId,
            user_id: owner.userId,
            org_id: owner.orgId,
            plan,
            status: 'active',
            seats,
            last_event_created: event.created,
          });
        }
        await this.recomputePlan(trx, subscriptionId);
        return;
      }
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted': {
        const subscription = event.data.object;
        const item = subscription.items?.data?.[0];
        const plan = this.planOfPrice(item?.price?.id) ?? planFrom(subscription.metadata?.plan);
        const customerId =
          typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id;
        const status = event.type === 'customer.subscription.deleted' ? 'canceled' : subscription.status;
        await this.upsertState(trx, event, {
          id: subscription.id,
          customerId,
          owner: ownerFrom(subscription.metadata) ?? (await this.ownerByCustomer(trx, customerId)),
          plan,
          status,
          seats: item?.quantity ?? 1,
        });
        return;
      }
      case 'invoice.payment_failed': {
        const invoice = event.data.object as Stripe.Invoice & {
          subscription?: string | { id: string } | null;
        };
        const ref = invoice.subscription ?? invoice.parent?.subscription_details?.subscription ?? null;
        const subscriptionId = typeof ref === 'string' ? ref : ref?.id;
        if (!subscriptionId) return;
        const existing = await trx('billing_subscriptions').where({ id: subscriptionId }).first();
        // Unknown subscription: Stripe also sends customer.subscription.updated (status past_due) for it.
        if (!existing) return;
        await this.upsertState(trx, event, {
          id: subscriptionId,
          customerId: existing.customer_id,
          owner: null,
          plan: null,
          status: 'past_due',
          seats: existing.seats,
        });
        return;
      }
      default:
        return; // recorded in stripe_events, nothing to do
    }
  }

  private async upsertState(
    trx: Knex.Transaction,
    event: Stripe.Event,
    state: {
      id: string;
      customerId: string;
      owner: Owner | null;
      plan: PaidPlan | null;
      status: string;
      seats: number;
    },
  ): Promise<void> {
    const existing = await trx('billing_subscriptions').where({ id: state.id }).forUpdate().first();
    const terminal = state.status === 'canceled';
    if (existing) {
      if (existing.status === 'canceled') return; // final
      if (!terminal && event.created < Number(existing.last_event_created)) return; // stale, arrived late
      await trx('billing_subscriptions')
        .where({ id: state.id })
        .update({
          status: state.status,
          plan: state.plan ?? existing.plan,
          seats: state.seats,
          user_id: existing.user_id ?? state.owner?.userId ?? null,
          org_id: existing.org_id ?? state.owner?.orgId ?? null,
          last_event_created: Math.max(event.created, Number(existing.last_event_created)),
          updated_at: trx.fn.now(),
        });
    } else {
      if (!state.plan) return; // a price we do not sell: nothing to grant
      await trx('billing_subscriptions').insert({
        id: state.id,
        customer_id: state.customerId,
        user_id: state.owner?.userId ?? null,
        org_id: state.owner?.orgId ?? null,
        plan: state.plan,
        status: state.status,
        seats: state.seats,
        last_event_created: event.created,
      });
    }
    if (state.owner) await this.linkCustomer(trx, state.owner, state.customerId, state.id);
    await this.recomputePlan(trx, state.id);
  }

  /** The account's plan follows its subscription: paid while active/trialing/past_due, free otherwise. */
  private async recomputePlan(trx: Knex.Transaction, subscriptionId: string): Promise<void> {
    const row = await trx('billing_subscriptions').where({ id: subscriptionId }).first();
    if (!row || (!row.user_id && !row.org_id)) return;
    const paid = PAID_STATUSES.includes(row.status);
    const billingStatus = row.status === 'past_due' ? 'past_due' : paid ? 'active' : 'canceled';
    if (row.org_id) {
      await trx('organizations')
        .where({ id: row.org_id })
        .update({
          plan: paid ? row.plan : 'free',
          seats: paid ? row.seats : 1,
          billing_status: billingStatus,
          updated_at: trx.fn.now(),
        });
    } else {
      await trx('users')
        .where({ id: row.user_id })
        .update({ plan: paid ? row.plan : 'free', billing_status: billingStatus, updated_at: trx.fn.now() });
    }
  }

  private async linkCustomer(
    trx: Knex.Transaction,
    owner: Owner,
    customerId: string,
    subscriptionId: string,
  ): Promise<void> {
    const table = owner.orgId ? 'organizations' : 'users';
    await trx(table)
      .where({ id: owner.orgId ?? owner.userId })
      .update({ stripe_customer_id: customerId, stripe_subscription_id: subscriptionId });
  }

  private async ownerByCustomer(trx: Knex.Transaction, customerId: string): Promise<Owner | null> {
    const org = await trx('organizations').where({ stripe_customer_id: customerId }).first('id');
    if (org) return { userId: null, orgId: org.id };
    const user = await trx('users').where({ stripe_customer_id: customerId }).first('id');
    return user ? { userId: user.id, orgId: null } : null;
  }

  private async customerFor(owner: Owner, actingUserId: string): Promise<string> {
    const table = owner.orgId ? 'organizations' : 'users';
    const id = owner.orgId ?? owner.userId!;
    const row = await this.db(table).where({ id }).first('stripe_customer_id');
    if (row?.stripe_customer_id) return row.stripe_customer_id;
    const user = await this.db('users').where({ id: actingUserId }).first('email', 'name');
    const org = owner.orgId
      ? await this.db('organizations').where({ id: owner.orgId }).first('name')
      : undefined;
    const customer = await this.stripe.customers.create({
      email: user.email,
      name: org?.name ?? user.name,
      metadata: owner.orgId ? { orgId: owner.orgId } : { userId: owner.userId! },
    });
    // Two concurrent checkouts: keep the first customer stored.
    await this.db(table)
      .where({ id })
      .whereNull('stripe_customer_id')
      .update({ stripe_customer_id: customer.id });
    return (await this.db(table).where({ id }).first('stripe_customer_id')).stripe_customer_id;
  }

  private planOfPrice(priceId: string | undefined): PaidPlan | null {
    if (priceId === this.config.pricePro) return 'pro';
    if (priceId === this.config.priceTeam) return 'team';
    return null;
  }
}

function planFrom(value: string | undefined | null): PaidPlan | null {
  return value === 'pro' || value === 'team' ? value : null;
}

function ownerFrom(metadata: Record<string, string> | null | undefined): Owner | null {
  if (metadata?.orgId) return { userId: null, orgId: metadata.orgId };
  if (metadata?.userId) return { userId: metadata.userId, orgId: null };
  return null;
}
