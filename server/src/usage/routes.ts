/** GET /api/v1/usage. */
import { z } from 'zod';
import type { Api } from '../http/api';
import type { OrgService } from '../orgs/service';
import type { UsageService } from './service';

export function registerUsageRoutes(
  api: Api,
  { usage, orgs }: { usage: UsageService; orgs: OrgService },
): void {
  api.route({
    method: 'get',
    path: '/usage',
    tag: 'billing',
    auth: 'required',
    summary:
      "Your plan, this month's cloud simulation minutes and the limits (an organisation's with ?orgId=)",
    query: z.object({ orgId: z.uuid().optional() }),
    response: z.object({
      account: z.object({ kind: z.enum(['user', 'org']), id: z.uuid() }),
      plan: z.enum(['free', 'pro', 'team']),
      limitsEnforced: z.boolean(),
      period: z.object({ start: z.string(), end: z.string() }),
      cloudMinutes: z.object({ used: z.number(), limit: z.number() }),
      maxNodes: z.number().nullable(),
      simulations: z.number().int(),
    }),
    handler: async (_ctx, { user, query }) => {
      if (query.orgId) await orgs.requireRole(user!.id, query.orgId, 'viewer');
      return usage.summary(user!.id, query.orgId);
    },
  });
}
