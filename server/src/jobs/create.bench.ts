/**
 * Benchmark: latency of POST /api/v1/simulations with 10 users submitting at once, and that every run
 * completes correctly. Embedded PostgreSQL; BullMQ with two `src/worker.ts` processes (as deployed: the
 * API only queues) when BENCH_REDIS_URL is set, the local thread pool otherwise. One untimed warm-up
 * simulation per user first.
 *
 *   node --require tsx/cjs server/src/jobs/create.bench.ts            # local pool
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379 node --require tsx/cjs server/src/jobs/create.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { loadavg, setPriority } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { simulateNetlist } from '@spicesim/solver';
import { databaseTargets } from '../test-support/databases';
import { startTestApp, testConfig } from '../test-support/app';
import { RC_NETLIST, waitForStatus } from './test-helpers';

const USERS = 10;
const PER_USER = 20;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const redisUrl = process.env.BENCH_REDIS_URL;
  const queueName = `spicesim-bench-${randomBytes(4).toString('hex')}`;
  const t = await startTestApp(
    databaseTargets()[0],
    redisUrl ? { redisUrl, jobs: { ...testConfig().jobs, queueName } } : {},
  );
  const workers = redisUrl
    ? await Promise.all([1, 2].map(() => startWorker(redisUrl, queueName, t.config)))
    : [];
  try {
    const users = await Promise.all(Array.from({ length: USERS }, (_, i) => t.signUp(`Bench ${i}`)));
    const netlistOf = (u: number, k: number) =>
      RC_NETLIST.replace('.param rval=1k', `.param rval=${100 + u * 37 + k}`).replace(
        '.tran 10u 2m',
        '.tran 10u 2m\n.meas tran vend FIND v(out) AT=1.5m',
      );
    // Warm-up, not timed: one simulation per user, so lazy module loading, the first worker thread's start
    // and the connection pool filling up are not counted as create latency.
    const warmUp = await Promise.all(
      users.map((user) =>
        t.call('POST', '/api/v1/simulations', { token: user.token, body: { netlist: RC_NETLIST } }),
      ),
    );
    await Promise.all(
      warmUp.map((res, u) => waitForStatus(t, users[u].token, res.body.id, ['completed', 'failed'], 120_000)),
    );
    const latencies: number[] = [];
    const submitted: { user: number; k: number; id: string }[] = [];
    const started = Date.now();
    await Promise.all(
      users.map(async (user, u) => {
        for (let k = 0; k < PER_USER; k++) {
          const t0 = performance.now();
          const res = await t.call('POST', '/api/v1/simulations', {
            token: user.token,
            body: { netlist: netlistOf(u, k) },
          });
          latencies.push(performance.now() - t0);
          if (res.status !== 202) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
          submitted.push({ user: u, k, id: res.body.id });
        }
      }),
    );
    const submitMs = Date.now() - started;
    let wrong = 0;
    for (const s of submitted) {
      const view = await waitForStatus(t, users[s.user].token, s.id, ['completed', 'failed'], 300_000);
      const expected = simulateNetlist(netlistOf(s.user, s.k)).measurements[0].value;
      if (
        view.status !== 'completed' ||
        Math.abs(view.summary.measurements[0].value - expected) > 1e-12 * Math.abs(expected)
      )
        wrong++;
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      JSON.stringify(
        {
          backend: redisUrl ? 'bullmq (2 worker processes)' : 'local thread pool',
          users: USERS,
          simulations: submitted.length,
          createLatencyMs: {
            p50: +percentile(sorted, 50).toFixed(1),
            p95: +percentile(sorted, 95).toFixed(1),
            max: +sorted[sorted.length - 1].toFixed(1),
          },
          submitWallMs: submitMs,
          allCompletedMs: Date.now() - started,
          wrongOrFailed: wrong,
          loadAverage: loadavg().map((l) => +l.toFixed(2)),
        },
        null,
        2,
      ),
    );
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    if (redisUrl) {
      const queue = new Queue(queueName, { connection: { url: redisUrl } });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await t.close();
  }
}

/** `npm run worker`'s entry from the sources, resolved once it is connected to the queue. */
function startWorker(
  redisUrl: string,
  queueName: string,
  config: { databaseUrl?: string; storage: { dir: string } },
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), path.join(__dirname, '..', 'worker.ts')],
    {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        REDIS_URL: redisUrl,
        DATABASE_URL: config.databaseUrl,
        STORAGE_DIR: config.storage.dir,
        QUEUE_NAME: queueName,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  // BENCH_WORKER_NICE (e.g. 10) lowers the workers' CPU priority: on one small machine that stands in for
  // workers on machines of their own, which is how the queue is meant to be deployed.
  if (process.env.BENCH_WORKER_NICE && child.pid)
    setPriority(child.pid, Number(process.env.BENCH_WORKER_NICE));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('simulation worker ready')) {
        stdout = '';
        child.stdout!.removeAllListeners('data').resume();
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
