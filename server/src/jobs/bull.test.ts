/**
 * BullMQ with real Redis and real worker processes (`src/worker.ts` through tsx), including the kill -9
 * test. Runs when SPICESIM_TEST_REDIS_URL is set (CI starts Debian's redis-server).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { parseRawfile, simulateNetlist } from '@spicesim/solver';
import { databaseTargets } from '../test-support/databases';
import { startTestApp, type TestApp } from '../test-support/app';
import { ladderNetlist, MC_NETLIST, RC_NETLIST, readEvents, waitFor, waitForStatus } from './test-helpers';
import { expectMonteCarloRuns } from '../test-support/montecarlo';

const redisUrl = process.env.SPICESIM_TEST_REDIS_URL;
const describeWithRedis = redisUrl ? describe.each(databaseTargets()) : describe.skip.each(databaseTargets());

describeWithRedis('simulation jobs on BullMQ with worker processes ($name PostgreSQL)', (target) => {
  let t: TestApp;
  const queueName = `spicesim-test-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const workers: ChildProcess[] = [];

  /** Starts `npm run worker`'s entry from the sources and resolves once it is connected to the queue. */
  function startWorker(): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      ['--require', require.resolve('tsx/cjs'), path.join(__dirname, '..', 'worker.ts')],
      {
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          LOG_LEVEL: 'info',
          REDIS_URL: redisUrl,
          DATABASE_URL: t.config.databaseUrl,
          STORAGE_DIR: t.config.storage.dir,
          QUEUE_NAME: queueName,
          // Short locks so a killed worker's job is reclaimed in seconds (defaults: 30 s each).
          JOB_LOCK_DURATION_MS: '2000',
          JOB_STALLED_INTERVAL_MS: '1000',
          JOB_BACKOFF_MS: '100',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    workers.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    return new Promise((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => reject(new Error(`worker did not start: ${stderr}`)), 30_000);
      child.stdout!.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('simulation worker ready')) {
          clearTimeout(timer);
          resolve(child);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`worker exited with ${code}: ${stderr}`));
      });
    });
  }

  beforeAll(async () => {
    t = await startTestApp(target, {
      redisUrl,
      jobs: { ...(await import('../test-support/app')).testConfig().jobs, queueName, backoffMs: 100 },
    });
    await Promise.all([startWorker(), startWorker()]);
  }, 90_000);

  afterAll(async () => {
    for (const child of workers)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all(
      workers.map((child) =>
        child.exitCode === null && child.signalCode === null
          ? new Promise((resolve) => child.once('exit', resolve))
          : undefined,
      ),
    );
    await t?.close();
    // Leave nothing behind in the shared Redis.
    const queue = new Queue(queueName, { connection: { url: redisUrl } });
    await queue.obliterate({ force: true });
    await queue.close();
  }, 60_000);

  test('workers run jobs and sweeps; progress reaches the API over QueueEvents', async () => {
    const user = await t.signUp();
    const created = await t.call('POST', '/api/v1/simulations', {
      token: user.token,
      body: { netlist: RC_NETLIST },
    });
    expect(created.status).toBe(202);
    const events = await readEvents(`${t.url}/api/v1/simulations/${created.body.id}/events`, user.token);
    expect(events[events.length - 1]).toMatchObject({ event: 'status', data: { status: 'completed' } });
    const row = await t.app.db('simulations').where({ id: created.body.id }).first();
    // Ran in a worker process, not in the API.
    expect(row.worker_id).toMatch(new RegExp(`^${hostname()}:\\d+$`));
    expect(workers.map((w) => `${hostname()}:${w.pid}`)).toContain(row.worker_id);

    const sweep = await t.call('POST', '/api/v1/simulations', {
      token: user.token,
      body: { netlist: RC_NETLIST, sweep: { parameter: 'rval', values: [500, 1000, 2000, 4000] } },
    });
    const parent = await waitForStatus(t, user.token, sweep.body.id, ['completed', 'failed']);
    expect(parent.status).toBe('completed');
    expect(parent.children.every((c: { status: string }) => c.status === 'completed')).toBe(true);
  }, 60_000);

  test('a 600-node circuit goes through submit, queue, worker, progress, storage and download', async () => {
    const user = await t.signUp();
    const netlist = ladderNetlist(599, '5u', '10n');
    const created = await t.call('POST', '/api/v1/simulations', { token: user.token, body: { netlist } });
    expect(created.body.nodeCount).toBe(600);
    const events = await readEvents(`${t.url}/api/v1/simulations/${created.body.id}/events`, user.token);
    expect(events[events.length - 1].data.status).toBe('completed');
    const signed = await t.call('GET', `/api/v1/simulations/${created.body.id}/result/url?format=raw`, {
      token: user.token,
    });
    const download = await fetch(signed.body.url.replace('http://127.0.0.1:1', t.url));
    const plots = parseRawfile(new Uint8Array(await download.arrayBuffer()));
    const direct = simulateNetlist(netlist).plots[0];
    expect(plots[0].vectors).toHaveLength(direct.vectors.length);
    expect(Array.from(plots[0].vectors[600].real)).toEqual(Array.from(direct.vectors[600].real));
  }, 60_000);

  test('10 users submitting at once all get their own, correct results', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, (_, i) => t.signUp(`User ${i}`)));
    const netlistOf = (i: number) =>
      RC_NETLIST.replace('.param rval=1k', `.param rval=${(i + 1) * 300}`).replace(
        '.tran 10u 2m',
        '.tran 10u 2m\n.meas tran vend FIND v(out) AT=1.5m',
      );
    const created = await Promise.all(
      users.map((u, i) =>
        t.call('POST', '/api/v1/simulations', { token: u.token, body: { netlist: netlistOf(i) } }),
      ),
    );
    expect(created.map((c) => c.status)).toEqual(Array(10).fill(202));
    const done = await Promise.all(
      created.map((c, i) => waitForStatus(t, users[i].token, c.body.id, ['completed', 'failed'], 60_000)),
    );
    for (const [i, view] of done.entries()) {
      expect(view.status).toBe('completed');
      expect(view.summary.measurements[0].value).toBeCloseTo(
        simulateNetlist(netlistOf(i)).measurements[0].value,
        12,
      );
      // Nobody sees anyone else's simulation.
      expect(
        (await t.call('GET', `/api/v1/simulations/${view.id}`, { token: users[(i + 1) % 10].token })).status,
      ).toBe(404);
    }
  }, 90_000);

  test('Monte Carlo fans out over both workers and gathers: the same runs as one job, by seed', async () => {
    const user = await t.signUp();
    const submit = (runsPerJob: number) =>
      t.call('POST', '/api/v1/simulations', {
        token: user.token,
        body: { netlist: MC_NETLIST, monteCarlo: { runs: 8, seed: 42, runsPerJob } },
      });
    const [fanned, single] = await Promise.all([submit(1), submit(8)]);
    expect([fanned.body.children.length, single.body.children.length]).toEqual([8, 1]);
    const stream = readEvents(`${t.url}/api/v1/simulations/${fanned.body.id}/events`, user.token);
    const done = await Promise.all(
      [fanned, single].map((c) => waitForStatus(t, user.token, c.body.id, ['completed', 'failed'], 90_000)),
    );
    for (const view of done) {
      expect(view).toMatchObject({ status: 'completed', progress: 1 });
      expectMonteCarloRuns(view.summary, MC_NETLIST, 42, 8);
    }
    // The eight jobs ran in the worker processes, and both of them took some.
    const ran = await t.app.db('simulations').where({ parent_id: fanned.body.id }).pluck('worker_id');
    const workerIds = workers.map((w) => `${hostname()}:${w.pid}`);
    expect(ran.every((w: string) => workerIds.includes(w))).toBe(true);
    expect(new Set(ran).size).toBe(2);
    const events = await stream;
    expect(events[events.length - 1]).toMatchObject({ event: 'status', data: { status: 'completed' } });
  }, 120_000);

  test('kill -9 of the worker running a job: another worker completes it, exactly once', async () => {
    const user = await t.signUp();
    // About a second of work: an RC-only ladder finished in ~0.3 s, sometimes before the poll below saw it
    // running (progress reaches the database at most every 200 ms).
    const netlist = ladderNetlist(100, '200u', '10n', { diodes: true });
    const created = await t.call('POST', '/api/v1/simulations', { token: user.token, body: { netlist } });
    const id = created.body.id;
    const stream = readEvents(`${t.url}/api/v1/simulations/${id}/events`, user.token);
    const running = await waitFor(
      'the job to be well under way',
      async () => {
        const row = await t.app.db('simulations').where({ id }).first();
        return row.status === 'running' && row.progress > 0.05 ? row : undefined;
      },
      30_000,
      50,
    );
    const victim = workers.find((w) => `${hostname()}:${w.pid}` === running.worker_id)!;
    expect(victim).toBeDefined();
    victim.kill('SIGKILL');
    const survivor = workers.find((w) => w !== victim && w.exitCode === null)!;

    const done = await waitForStatus(t, user.token, id, ['completed', 'failed'], 45_000);
    expect(done.status).toBe('completed');
    expect(done.attempts).toBe(2);
    const row = await t.app.db('simulations').where({ id }).first();
    expect(row.worker_id).toBe(`${hostname()}:${survivor.pid}`);
    // Two attempts recorded: the lost one (never finished) and the one that completed.
    const attempts = await t.app
      .db('simulation_jobs')
      .where({ simulation_id: id })
      .orderBy('started_at')
      .select('worker_id', 'outcome');
    expect(attempts).toEqual([
      { worker_id: running.worker_id, outcome: null },
      { worker_id: `${hostname()}:${survivor.pid}`, outcome: 'completed' },
    ]);
    // Live progress reached the browser's stream across both attempts, which ended with 'completed'.
    const events = await stream;
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data.progress as number);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.every((p) => p > 0 && p <= 1)).toBe(true);
    expect(events[events.length - 1]).toMatchObject({
      event: 'status',
      data: { status: 'completed', attempts: 2 },
    });
    // Metered once, and the result is whole.
    expect(await t.app.db('usage_records').where({ simulation_id: id }).count({ n: '*' }).first()).toEqual({
      n: '1',
    });
    const raw = await fetch(`${t.url}/api/v1/simulations/${id}/result?format=raw`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    const plots = parseRawfile(new Uint8Array(await raw.arrayBuffer()));
    expect(plots[0].vectors).toHaveLength(1 + 101 + 1); // time, v(n0..n100), i(v1)
    expect(plots[0].vectors[0].real.length).toBe(done.summary.plots[0].points);
    // Give BullMQ a moment: the job must not be picked up again after completing.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await t.app.db('simulation_jobs').where({ simulation_id: id }).count({ n: '*' }).first()).toEqual({
      n: '2',
    });
  }, 90_000);
});
