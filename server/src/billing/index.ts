/** Billing: on only when Stripe keys are configured (a self-hosted install runs without plans or limits). */
import Stripe from 'stripe';
import type { Config } from '../config';
import type { Db } from '../db';
import type { OrgService } from '../orgs/service';
import { BillingService } from './service';

export { BillingService } from './service';
export { registerBillingRoutes } from './routes';

export function createBilling(config: Config, db: Db, orgs: OrgService): BillingService | undefined {
  if (!config.stripe) return undefined;
  const stripe = new Stripe(config.stripe.secretKey, {
    maxNetworkRetries: 2,
    ...(config.stripe.api
      ? { host: config.stripe.api.host, port: config.stripe.api.port, protocol: config.stripe.api.protocol }
      : {}),
  });
  return new BillingService(db, stripe, config.stripe, config.publicUrl, orgs);
}
