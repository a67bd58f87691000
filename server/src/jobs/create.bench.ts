/**
 * Benchmark: latency of POST /api/v1/simulations with 10 users submitting at once, and that every run
 * completes correctly. Embedded PostgreSQL; BullMQ with two worker processes' worth of in-process
 * workers when BENCH_REDIS_URL is set, the local thread pool otherwise.
 *
 *   node --require tsx/cjs server/src/jobs/create.bench.ts            # local pool
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379 node --require tsx/cjs server/src/jobs/create.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Queue } from 'bullmq';
import pino from 'pino';
import { simulateNetlist } from '@spicesim/solver';
import { databaseTargets } from '../test-support/databases';
import { startTestApp, testConfig } from '../test-support/app';
import { startSimulationWorker } from './bull-worker';
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
    ? [1, 2].map(() =>
        startSimulationWorker({
          redisUrl,
          jobs: { ...t.config.jobs, queueName },
          db: t.app.db,
          storage: t.app.storage,
          logger: pino({ level: 'silent' }),
        }),
      )
    : [];
  try {
    const users = await Promise.all(Array.from({ length: USERS }, (_, i) => t.signUp(`Bench ${i}`)));
    const netlistOf = (u: number, k: number) =>
      RC_NETLIST.replace('.param rval=1k', `.param rval=${100 + u * 37 + k}`).replace(
        '.tran 10u 2m',
        '.tran 10u 2m\n.meas tran vend FIND v(out) AT=1.5m',
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
          backend: redisUrl ? 'bullmq (2 in-process workers)' : 'local thread pool',
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
    await Promise.all(workers.map((w) => w.close()));
    if (redisUrl) {
      const queue = new Queue(queueName, { connection: { url: redisUrl } });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await t.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
