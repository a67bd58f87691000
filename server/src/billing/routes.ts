/** /api/v1/billing/*: Checkout, Customer Portal and the Stripe webhook. */
import { z } from 'zod';
import { AppError } from '../errors';
import type { Api } from '../http/api';
import type { BillingService } from './service';

const disabled = () =>
  new AppError(
    404,
    'billing_disabled',
    'Billing is not enabled on this server (no Stripe keys configured), so there are no plans or limits to manage.',
  );

export function registerBillingRoutes(api: Api, { billing }: { billing: BillingService | undefined }): void {
  api.route({
    method: 'post',
    path: '/billing/checkout',
    tag: 'billing',
    auth: 'required',
    summary:
      'Start Stripe Checkout: Pro ($39/month, you) or Team ($79/user/month, an organisation you administer)',
    body: z.object({
      plan: z.enum(['pro', 'team']),
      orgId: z.uuid().optional(),
      seats: z.number().int().min(1).max(1000).optional(),
    }),
    response: z.object({ url: z.string(), sessionId: z.string() }),
    handler: (_ctx, { user, body }) => {
      if (!billing) throw disabled();
      return billing.checkout(user!.id, body);
    },
  });
  api.route({
    method: 'post',
    path: '/billing/portal',
    tag: 'billing',
    auth: 'required',
    summary: 'Open the Stripe Customer Portal (change plan or seats, payment methods, invoices, cancel)',
    body: z.object({ orgId: z.uuid().optional() }).default({}),
    response: z.object({ url: z.string() }),
    handler: (_ctx, { user, body }) => {
      if (!billing) throw disabled();
      return billing.portal(user!.id, body);
    },
  });
  api.route({
    method: 'post',
    path: '/billing/webhook',
    tag: 'billing',
    auth: 'none',
    summary: 'Stripe webhook (signature checked on the raw body; each event id is applied once)',
    response: z.object({ received: z.literal(true), duplicate: z.boolean(), type: z.string() }),
    handler: (ctx) => {
      if (!billing) throw disabled();
      return billing.handleWebhook(
        (ctx.request as { rawBody?: string }).rawBody,
        ctx.get('stripe-signature') || undefined,
      );
    },
  });
}
