import { parseRawfile, simulateNetlist } from '@spicesim/solver';
import { createApp } from '../app';
import { databaseTargets } from '../test-support/databases';
import { startTestApp, testConfig, type TestApp } from '../test-support/app';
import { LocalDiskStore } from '../storage';
import { ladderNetlist, RC_NETLIST, readEvents, waitFor, waitForStatus } from './test-helpers';

describe.each(databaseTargets())('simulation jobs, local thread pool ($name PostgreSQL)', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  }, 60_000);
  afterAll(() => t?.close());

  test('submit, live progress over SSE, results (rawfile, CSV, preview) and signed downloads', async () => {
    const alice = await t.signUp('Alice');
    const created = await t.call('POST', '/api/v1/simulations', {
      token: alice.token,
      body: { netlist: RC_NETLIST },
    });
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe(`/api/v1/simulations/${created.body.id}`);
    expect(created.body).toMatchObject({ nodeCount: 2, analyses: 'tran' });
    expect(['pending', 'running']).toContain(created.body.status);
    const id = created.body.id;

    const events = await readEvents(`${t.url}/api/v1/simulations/${id}/events`, alice.token);
    const statuses = events.filter((e) => e.event === 'status').map((e) => e.data.status);
    expect(statuses[statuses.length - 1]).toBe('completed');
    const done = await waitForStatus(t, alice.token, id, ['completed']);
    expect(done).toMatchObject({ progress: 1, attempts: 1, error: null });
    expect(done.summary.plots[0]).toMatchObject({
      name: 'Transient Analysis',
      vectors: ['time', 'v(in)', 'v(out)', 'i(v1)'],
    });

    // The stored rawfile holds exactly what the solver computes for the same netlist.
    const raw = await fetch(`${t.url}/api/v1/simulations/${id}/result?format=raw`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(raw.headers.get('content-type')).toBe('application/octet-stream');
    const plots = parseRawfile(new Uint8Array(await raw.arrayBuffer()));
    const direct = simulateNetlist(RC_NETLIST).plots[0];
    expect(plots[0].vectors.map((v) => v.name)).toEqual(direct.vectors.map((v) => v.name));
    expect(Array.from(plots[0].vectors[2].real)).toEqual(Array.from(direct.vectors[2].real));

    const csv = await t.call('GET', `/api/v1/simulations/${id}/result?format=csv&plot=0`, {
      token: alice.token,
    });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((csv.body as string).split('\n')[0]).toMatch(/^time,v\(in\),v\(out\),i\(v1\)/);
    expect(
      (await t.call('GET', `/api/v1/simulations/${id}/result?format=csv&plot=3`, { token: alice.token }))
        .status,
    ).toBe(422);
    const preview = await t.call('GET', `/api/v1/simulations/${id}/result?format=preview`, {
      token: alice.token,
    });
    expect(preview.body.plots[0].scale).toBe('time');
    expect(preview.body.plots[0].vectors.map((v: { name: string }) => v.name)).toEqual([
      'v(in)',
      'v(out)',
      'i(v1)',
    ]);

    // Signed URL: works without a session, not after tampering.
    const signed = await t.call('GET', `/api/v1/simulations/${id}/result/url?format=raw`, {
      token: alice.token,
    });
    expect(signed.status).toBe(200);
    const download = await fetch(signed.body.url.replace('http://127.0.0.1:1', t.url));
    expect(download.status).toBe(200);
    expect(
      Buffer.from(await download.arrayBuffer()).equals(
        Buffer.from(
          await (
            await fetch(`${t.url}/api/v1/simulations/${id}/result?format=raw`, {
              headers: { authorization: `Bearer ${alice.token}` },
            })
          ).arrayBuffer(),
        ),
      ),
    ).toBe(true);
    const token = signed.body.url.split('/').pop() as string;
    const tampered = await t.call('GET', `/api/v1/downloads/${token.slice(0, -2)}xx`);
    expect(tampered.status).toBe(403);

    // EventSource cannot send headers: a ticket URL opens the stream instead (and only for this simulation).
    const ticketUrl = await t.call('GET', `/api/v1/simulations/${id}/events/url`, { token: alice.token });
    const viaTicket = await fetch(ticketUrl.body.url.replace('http://127.0.0.1:1', t.url));
    expect(viaTicket.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await viaTicket.text()).toMatch(/event: status\ndata: \{"id":"[^"]+","status":"completed"/);
    expect((await t.call('GET', `/api/v1/simulations/${id}/events`)).status).toBe(401);
    expect((await t.call('GET', `/api/v1/simulations/${id}/events?ticket=${token}`)).status).toBe(403); // a download token is no ticket
    const ticket = new URL(ticketUrl.body.url).searchParams.get('ticket');
    const otherSimulation = await t.call('POST', '/api/v1/simulations', {
      token: alice.token,
      body: { netlist: RC_NETLIST },
    });
    expect(
      (await t.call('GET', `/api/v1/simulations/${otherSimulation.body.id}/events?ticket=${ticket}`)).status,
    ).toBe(403);
    await waitForStatus(t, alice.token, otherSimulation.body.id, ['completed']);

    // Other users see nothing.
    const bob = await t.signUp('Bob');
    expect((await t.call('GET', `/api/v1/simulations/${id}`, { token: bob.token })).status).toBe(404);
    expect(
      (await t.call('GET', `/api/v1/simulations/${id}/result?format=raw`, { token: bob.token })).status,
    ).toBe(404);

    // Metered once; limits are off without Stripe.
    const usage = await t.call('GET', '/api/v1/usage', { token: alice.token });
    expect(usage.body).toMatchObject({ plan: 'free', limitsEnforced: false, simulations: 2 });
    // Billing is off without Stripe keys.
    const checkout = await t.call('POST', '/api/v1/billing/checkout', {
      token: alice.token,
      body: { plan: 'pro' },
    });
    expect([checkout.status, checkout.body.error.code]).toEqual([404, 'billing_disabled']);
    expect(usage.body.cloudMinutes.used).toBeGreaterThan(0);
  }, 60_000);

  test('bad netlists are refused at submission with the reason', async () => {
    const user = await t.signUp();
    const noAnalysis = await t.call('POST', '/api/v1/simulations', {
      token: user.token,
      body: { netlist: 'title\nr1 a 0 1k\n.end\n' },
    });
    expect(noAnalysis.status).toBe(422);
    expect(noAnalysis.body.error.message).toMatch(/no analysis/);
    const broken = await t.call('POST', '/api/v1/simulations', {
      token: user.token,
      body: { netlist: 'title\nq1 a b\n.op\n.end\n' },
    });
    expect(broken.status).toBe(422);
    expect(broken.body.error.code).toBe('invalid_netlist');
    expect((await t.call('POST', '/api/v1/simulations', { token: user.token, body: {} })).status).toBe(422);
    expect((await t.call('POST', '/api/v1/simulations', { body: { netlist: RC_NETLIST } })).status).toBe(401);
  });

  test('cancel stops a running simulation', async () => {
    const user = await t.signUp();
    const created = await t.call('POST', '/api/v1/simulations', {
      token: user.token,
      body: { netlist: ladderNetlist(200, '2m', '1n') },
    });
    const id = created.body.id;
    await waitForStatus(t, user.token, id, ['running']);
    const cancelled = await t.call('POST', `/api/v1/simulations/${id}/cancel`, { token: user.token });
    expect(cancelled.body.status).toBe('cancelled');
    // The pool is free again: a new job runs to completion.
    const next = await t.call('POST', '/api/v1/simulations', {
      token: user.token,
      body: { netlist: RC_NETLIST },
    });
    expect((await waitForStatus(t, user.token, next.body.id, ['completed', 'failed'])).status).toBe(
      'completed',
    );
    expect((await t.call('GET', `/api/v1/simulations/${id}`, { token: user.token })).body.status).toBe(
      'cancelled',
    );
    expect((await t.call('GET', `/api/v1/simulations/${id}/result`, { token: user.token })).status).toBe(409);
  }, 60_000);

  test('a sweep fans out into child simulations and gathers', async () => {
    const user = await t.signUp();
    const netlist = RC_NETLIST.replace('.tran 10u 2m', '.tran 10u 2m\n.meas tran vend FIND v(out) AT=1.5m');
    const created = await t.call('POST', '/api/v1/simulations', {
      token: user.token,
      body: { netlist, sweep: { parameter: 'rval', values: [1000, 2000, 4000] } },
    });
    expect(created.status).toBe(202);
    const parent = await waitForStatus(t, user.token, created.body.id, ['completed', 'failed']);
    expect(parent.status).toBe('completed');
    expect(parent.children.map((c: { value: number }) => c.value)).toEqual([1000, 2000, 4000]);
    const points = parent.summary.points as {
      value: number;
      measurements: { name: string; value: number }[];
    }[];
    // Larger R, slower charge: v(out) at 1.5 ms (0.5 ms after the falling edge) is larger.
    const vend = points.map((p) => p.measurements[0].value);
    expect(vend[0]).toBeLessThan(vend[1]);
    expect(vend[1]).toBeLessThan(vend[2]);
    for (const [index, rval] of [1000, 2000, 4000].entries()) {
      const expected = simulateNetlist(`${netlist.replace('.end', `.param rval=${rval}\n.end`)}`)
        .measurements[0].value;
      expect(vend[index]).toBeCloseTo(expected, 12);
    }
  }, 60_000);

  test('a restart re-queues simulations left running by a dead process', async () => {
    const user = await t.signUp();
    const created = await t.call('POST', '/api/v1/simulations', {
      token: user.token,
      body: { netlist: RC_NETLIST },
    });
    await waitForStatus(t, user.token, created.body.id, ['completed']);
    // What a process killed mid-run leaves behind: a row claimed as running, nobody working on it.
    await t.app
      .db('simulations')
      .where({ id: created.body.id })
      .update({ status: 'running', progress: 0.4, results_key: null, completed_at: null });
    await t.app.db('usage_records').where({ simulation_id: created.body.id }).delete();
    const second = await createApp(t.config);
    try {
      const row = await waitFor('recovered run', async () => {
        const r = await second.db('simulations').where({ id: created.body.id }).first();
        return r.status === 'completed' ? r : undefined;
      });
      expect(row.attempts).toBe(2);
      expect(
        await second.db('usage_records').where({ simulation_id: created.body.id }).count({ n: '*' }).first(),
      ).toEqual({ n: '1' });
    } finally {
      await second.close();
    }
  }, 60_000);
  test('a failed attempt (storage down) is retried with backoff and completes once', async () => {
    const user = await t.signUp();
    // A store whose first write fails, as a network store does during an outage.
    const disk = new LocalDiskStore(t.config.storage.dir);
    let failures = 1;
    const flaky = Object.assign(Object.create(disk) as LocalDiskStore, {
      put: async (key: string, data: Buffer | string) => {
        if (failures-- > 0) throw new Error('storage unavailable (injected)');
        return disk.put(key, data);
      },
    });
    const second = await createApp(
      { ...t.config, jobs: { ...t.config.jobs, backoffMs: 50 } },
      { storage: flaky },
    );
    try {
      const id = (await second.services.simulations.create(user.userId, { netlist: RC_NETLIST })).id;
      const row = await waitFor('the retried run', async () => {
        const r = await second.db('simulations').where({ id }).first();
        return r.status === 'completed' || r.status === 'failed' ? r : undefined;
      });
      expect([row.status, row.attempts]).toEqual(['completed', 2]);
      const attempts = await second
        .db('simulation_jobs')
        .where({ simulation_id: id })
        .orderBy('attempts')
        .select('outcome', 'error_message');
      expect(attempts).toEqual([
        { outcome: 'retry', error_message: 'storage unavailable (injected)' },
        { outcome: 'completed', error_message: null },
      ]);
    } finally {
      await second.close();
    }
  }, 60_000);
});

describe.each(databaseTargets())('simulation time limit ($name PostgreSQL)', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target, { jobs: { ...testConfig().jobs, timeoutMs: 400 } });
  }, 60_000);
  afterAll(() => t?.close());

  test('a job over its time limit fails with a clear error and is not retried', async () => {
    const user = await t.signUp();
    const created = await t.call('POST', '/api/v1/simulations', {
      token: user.token,
      body: { netlist: ladderNetlist(200, '2m', '1n') },
    });
    const failed = await waitForStatus(t, user.token, created.body.id, ['failed', 'completed']);
    expect(failed.status).toBe('failed');
    expect(failed.attempts).toBe(1);
    expect(failed.error.code).toBe('timeout');
    expect(failed.error.message).toMatch(/longer than the 0.4 s limit per job; shorten the analysis/);
  }, 60_000);
});
