/**
 * Billing with signed fixture events (stripe.webhooks.generateTestHeaderString) and a local fake of the
 * Stripe API for outbound calls (customers, Checkout and Portal sessions). Plan limits with billing on.
 */
import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { databaseTargets } from '../test-support/databases';
import { startTestApp, type TestApp } from '../test-support/app';
import { ladderNetlist, RC_NETLIST } from '../jobs/test-helpers';
import { monthOf } from '../usage/plans';

const WEBHOOK_SECRET = 'whsec_test_secret_for_fixtures';
const PRICE_PRO = 'price_pro_test';
const PRICE_TEAM = 'price_team_test';

/** The part of the Stripe API the service calls, recording each request's form fields. */
function startFakeStripe(): Promise<{
  port: number;
  requests: { path: string; form: URLSearchParams; auth: string }[];
  close(): Promise<void>;
}> {
  const requests: { path: string; form: URLSearchParams; auth: string }[] = [];
  let counter = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      requests.push({ path: req.url ?? '', form, auth: req.headers.authorization ?? '' });
      const id = `${++counter}${randomBytes(4).toString('hex')}`;
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${id}` });
        res.end(JSON.stringify(json));
      };
      if (req.method === 'POST' && req.url === '/v1/customers')
        return reply(200, { id: `cus_${id}`, object: 'customer', email: form.get('email') });
      if (req.method === 'POST' && req.url === '/v1/checkout/sessions')
        return reply(200, {
          id: `cs_test_${id}`,
          object: 'checkout.session',
          url: `https://checkout.stripe.test/c/pay/cs_test_${id}`,
        });
      if (req.method === 'POST' && req.url === '/v1/billing_portal/sessions')
        return reply(200, {
          id: `bps_${id}`,
          object: 'billing_portal.session',
          url: `https://billing.stripe.test/p/session/${id}`,
        });
      reply(404, {
        error: { type: 'invalid_request_error', message: `fake Stripe has no ${req.method} ${req.url}` },
      });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve({
        port: address.port,
        requests,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    }),
  );
}

const stripe = new Stripe('sk_test_fixture');
let eventCounter = 0;
const now = Math.floor(Date.now() / 1000);

function event(type: string, object: Record<string, unknown>, created = now): Record<string, unknown> {
  return {
    id: `evt_${++eventCounter}_${randomBytes(4).toString('hex')}`,
    object: 'event',
    type,
    created,
    api_version: '2025-01-01',
    livemode: false,
    data: { object },
  };
}

function subscription(
  id: string,
  customer: string,
  status: string,
  price: string,
  quantity = 1,
  metadata: Record<string, string> = {},
) {
  return {
    id,
    object: 'subscription',
    customer,
    status,
    metadata,
    items: {
      object: 'list',
      data: [
        { id: `si_${id}`, object: 'subscription_item', quantity, price: { id: price, object: 'price' } },
      ],
    },
  };
}

describe.each(databaseTargets())('billing and plan limits ($name PostgreSQL)', (target) => {
  let t: TestApp;
  let fake: Awaited<ReturnType<typeof startFakeStripe>>;

  beforeAll(async () => {
    fake = await startFakeStripe();
    t = await startTestApp(target, {
      stripe: {
        secretKey: 'sk_test_fixture',
        webhookSecret: WEBHOOK_SECRET,
        pricePro: PRICE_PRO,
        priceTeam: PRICE_TEAM,
        api: { host: '127.0.0.1', port: fake.port, protocol: 'http' },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  /** Delivers an event the way Stripe does: exact bytes, signed header. */
  async function deliver(
    payload: Record<string, unknown>,
    options: { secret?: string; timestamp?: number; body?: string } = {},
  ) {
    const body = JSON.stringify(payload, null, 2);
    const header = stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: options.secret ?? WEBHOOK_SECRET,
      timestamp: options.timestamp,
    });
    return t.call('POST', '/api/v1/billing/webhook', {
      body: options.body ?? body,
      headers: { 'stripe-signature': header },
    });
  }

  async function plan(userId: string) {
    return await t.app
      .db('users')
      .where({ id: userId })
      .first('plan', 'billing_status', 'stripe_customer_id');
  }

  test('Checkout for Pro creates one customer and a subscription session', async () => {
    const user = await t.signUp('Payer');
    const first = await t.call('POST', '/api/v1/billing/checkout', {
      token: user.token,
      body: { plan: 'pro' },
    });
    expect(first.status).toBe(200);
    expect(first.body.url).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/);
    const second = await t.call('POST', '/api/v1/billing/checkout', {
      token: user.token,
      body: { plan: 'pro' },
    });
    expect(second.status).toBe(200);
    const customers = fake.requests.filter(
      (r) => r.path === '/v1/customers' && r.form.get('metadata[userId]') === user.userId,
    );
    expect(customers).toHaveLength(1);
    expect(customers[0].form.get('email')).toBe(user.email);
    expect(customers[0].auth).toBe('Bearer sk_test_fixture');
    const session = fake.requests.filter((r) => r.path === '/v1/checkout/sessions').pop()!.form;
    expect(session.get('mode')).toBe('subscription');
    expect(session.get('line_items[0][price]')).toBe(PRICE_PRO);
    expect(session.get('line_items[0][quantity]')).toBe('1');
    expect(session.get('subscription_data[metadata][userId]')).toBe(user.userId);
    expect(session.get('customer')).toBe((await plan(user.userId)).stripe_customer_id);

    // Team needs an organisation the caller administers.
    expect(
      (await t.call('POST', '/api/v1/billing/checkout', { token: user.token, body: { plan: 'team' } }))
        .status,
    ).toBe(422);
    // No customer yet for the portal of a user who never subscribed.
    const other = await t.signUp();
    expect((await t.call('POST', '/api/v1/billing/portal', { token: other.token, body: {} })).status).toBe(
      409,
    );
    const portal = await t.call('POST', '/api/v1/billing/portal', { token: user.token, body: {} });
    expect(portal.body.url).toMatch(/^https:\/\/billing\.stripe\.test\//);
  });

  test('webhooks: bad signatures are refused, each event applies once, plan follows the subscription', async () => {
    const user = await t.signUp();
    await t.call('POST', '/api/v1/billing/checkout', { token: user.token, body: { plan: 'pro' } });
    const customer = (await plan(user.userId)).stripe_customer_id as string;
    const completed = event('checkout.session.completed', {
      id: 'cs_test_x',
      object: 'checkout.session',
      mode: 'subscription',
      customer,
      subscription: `sub_${user.userId}`,
      metadata: { plan: 'pro', userId: user.userId, seats: '1' },
    });

    const body = JSON.stringify(completed, null, 2);
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret: WEBHOOK_SECRET });
    // Same JSON, re-serialised: the signature covers the exact bytes.
    const reserialised = await t.call('POST', '/api/v1/billing/webhook', {
      body: JSON.stringify(completed),
      headers: { 'stripe-signature': header },
    });
    expect(reserialised.status).toBe(400);
    expect(reserialised.body.error.code).toBe('invalid_signature');
    expect((await deliver(completed, { secret: 'whsec_wrong' })).status).toBe(400);
    expect((await deliver(completed, { timestamp: now - 3600 })).status).toBe(400); // outside the 5 min tolerance
    expect((await t.call('POST', '/api/v1/billing/webhook', { body })).status).toBe(400); // no header
    expect((await plan(user.userId)).plan).toBe('free');

    const applied = await deliver(completed);
    expect(applied.status).toBe(200);
    expect(applied.body).toEqual({ received: true, duplicate: false, type: 'checkout.session.completed' });
    expect(await plan(user.userId)).toMatchObject({ plan: 'pro', billing_status: 'active' });
    const usage = await t.call('GET', '/api/v1/usage', { token: user.token });
    expect(usage.body).toMatchObject({
      plan: 'pro',
      limitsEnforced: true,
      cloudMinutes: { limit: 500 },
      maxNodes: null,
    });

    // A retry of the same event changes nothing.
    const again = await deliver(completed);
    expect(again.body.duplicate).toBe(true);
    expect(await t.app.db('stripe_events').where({ id: completed.id }).count({ n: '*' }).first()).toEqual({
      n: '1',
    });

    // Payment fails: still Pro while Stripe retries, marked past due.
    const subId = `sub_${user.userId}`;
    await deliver(
      event(
        'invoice.payment_failed',
        { id: 'in_1', object: 'invoice', customer, subscription: subId },
        now + 10,
      ),
    );
    expect(await plan(user.userId)).toMatchObject({ plan: 'pro', billing_status: 'past_due' });
    // Deleted: back to Free.
    await deliver(
      event('customer.subscription.deleted', subscription(subId, customer, 'canceled', PRICE_PRO), now + 20),
    );
    expect(await plan(user.userId)).toMatchObject({ plan: 'free', billing_status: 'canceled' });
  });

  test('webhooks arriving out of order: stale updates and revivals of a canceled subscription are ignored', async () => {
    const user = await t.signUp();
    await t.call('POST', '/api/v1/billing/checkout', { token: user.token, body: { plan: 'pro' } });
    const customer = (await plan(user.userId)).stripe_customer_id as string;
    const subId = `sub_reorder_${user.userId}`;
    const meta = { plan: 'pro', userId: user.userId };
    const created = event(
      'customer.subscription.created',
      subscription(subId, customer, 'active', PRICE_PRO, 1, meta),
      now,
    );
    const pastDue = event(
      'customer.subscription.updated',
      subscription(subId, customer, 'past_due', PRICE_PRO, 1, meta),
      now + 5,
    );
    const deleted = event(
      'customer.subscription.deleted',
      subscription(subId, customer, 'canceled', PRICE_PRO, 1, meta),
      now + 10,
    );
    const checkout = event(
      'checkout.session.completed',
      {
        id: 'cs_r',
        object: 'checkout.session',
        mode: 'subscription',
        customer,
        subscription: subId,
        metadata: meta,
      },
      now,
    );

    // Delivered newest first, then the older ones (and the checkout last of all).
    await deliver(pastDue);
    expect((await plan(user.userId)).plan).toBe('pro');
    await deliver(deleted);
    expect((await plan(user.userId)).plan).toBe('free');
    await deliver(created);
    await deliver(checkout);
    expect(await plan(user.userId)).toMatchObject({ plan: 'free', billing_status: 'canceled' });
    expect(await t.app.db('billing_subscriptions').where({ id: subId }).first()).toMatchObject({
      status: 'canceled',
      user_id: user.userId,
    });

    // An older 'active' after a newer 'past_due' is ignored too.
    const sub2 = `sub_stale_${user.userId}`;
    await deliver(
      event(
        'customer.subscription.updated',
        subscription(sub2, customer, 'past_due', PRICE_PRO, 1, meta),
        now + 50,
      ),
    );
    await deliver(
      event(
        'customer.subscription.updated',
        subscription(sub2, customer, 'active', PRICE_PRO, 1, meta),
        now + 40,
      ),
    );
    expect(await plan(user.userId)).toMatchObject({ plan: 'pro', billing_status: 'past_due' });
  });

  test("Team: checkout by an org admin with seats; the organisation's plan and seats follow the subscription", async () => {
    const owner = await t.signUp('Owner');
    const org = await t.call('POST', '/api/v1/orgs', {
      token: owner.token,
      body: { name: 'Lab', slug: `lab-${randomBytes(3).toString('hex')}` },
    });
    const orgId = org.body.id;
    const stranger = await t.signUp();
    expect(
      (
        await t.call('POST', '/api/v1/billing/checkout', {
          token: stranger.token,
          body: { plan: 'team', orgId },
        })
      ).status,
    ).toBe(404);
    const checkout = await t.call('POST', '/api/v1/billing/checkout', {
      token: owner.token,
      body: { plan: 'team', orgId, seats: 3 },
    });
    expect(checkout.status).toBe(200);
    const session = fake.requests.filter((r) => r.path === '/v1/checkout/sessions').pop()!.form;
    expect([
      session.get('line_items[0][price]'),
      session.get('line_items[0][quantity]'),
      session.get('metadata[orgId]'),
    ]).toEqual([PRICE_TEAM, '3', orgId]);
    const customer = (await t.app.db('organizations').where({ id: orgId }).first()).stripe_customer_id;
    await deliver(
      event(
        'customer.subscription.updated',
        subscription(`sub_team_${orgId}`, customer, 'active', PRICE_TEAM, 5),
        now + 5,
      ),
    );
    expect(await t.app.db('organizations').where({ id: orgId }).first('plan', 'seats')).toEqual({
      plan: 'team',
      seats: 5,
    });

    // A simulation of a project in the Team organisation is metered on the organisation.
    const project = await t.call('POST', '/api/v1/projects', {
      token: owner.token,
      body: { name: 'amp', orgId },
    });
    const file = await t.call('POST', `/api/v1/projects/${project.body.id}/files`, {
      token: owner.token,
      body: { path: 'rc.cir', kind: 'netlist', content: RC_NETLIST },
    });
    expect(file.status).toBe(201);
    const sim = await t.call('POST', '/api/v1/simulations', {
      token: owner.token,
      body: { projectId: project.body.id, fileId: file.body.id },
    });
    expect(sim.status).toBe(202);
    const usage = await t.call('GET', `/api/v1/usage?orgId=${orgId}`, { token: owner.token });
    expect(usage.body).toMatchObject({
      account: { kind: 'org', id: orgId },
      plan: 'team',
      cloudMinutes: { limit: 2000 },
    });
  });

  test('plan limits: circuit size and monthly minutes on Free, a clear 402 naming the limit and the upgrade', async () => {
    const user = await t.signUp();
    const big = ladderNetlist(250, '1u', '100n');
    const tooBig = await t.call('POST', '/api/v1/simulations', { token: user.token, body: { netlist: big } });
    expect(tooBig.status).toBe(402);
    expect(tooBig.body.error.code).toBe('plan_limit_exceeded');
    expect(tooBig.body.error.details).toMatchObject({
      limit: 'circuit_nodes',
      plan: 'free',
      allowed: 200,
      requested: 251,
    });
    expect(tooBig.body.error.message).toMatch(
      /251 nodes.*Free plan.*200 nodes.*\/api\/v1\/billing\/checkout/,
    );

    // 10 cloud minutes already used this month.
    const period = monthOf(new Date());
    await t.app.db('usage_records').insert({
      user_id: user.userId,
      record_type: 'simulation_minutes',
      quantity: 10,
      period_start: period.start,
      period_end: period.end,
    });
    const outOfMinutes = await t.call('POST', '/api/v1/simulations', {
      token: user.token,
      body: { netlist: RC_NETLIST },
    });
    expect(outOfMinutes.status).toBe(402);
    expect(outOfMinutes.body.error.details).toMatchObject({
      limit: 'cloud_minutes',
      plan: 'free',
      allowed: 10,
      used: 10,
    });
    expect(outOfMinutes.body.error.message).toMatch(/10\.0 of the 10 cloud simulation minutes/);

    // On Pro the same requests run.
    await t.app.db('users').where({ id: user.userId }).update({ plan: 'pro' });
    expect(
      (await t.call('POST', '/api/v1/simulations', { token: user.token, body: { netlist: big } })).status,
    ).toBe(202);
  });
});
