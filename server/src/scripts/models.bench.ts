/**
 * Benchmark: import a whole vendor tree into a fresh database, then measure model search latency through
 * the HTTP API (p50/p95/p99) with concurrent clients.
 *
 *   npm run build -w server && node server/dist/scripts/models.bench.js ../shared/vendor-models [requests] [concurrency]
 *
 * Uses a throw-away embedded PostgreSQL (or a fresh database on DATABASE_URL's server), so it never
 * touches development data.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { createDatabase, createDb, dropDatabase, migrateToLatest, withDatabase } from '../db';
import { startEmbeddedPostgres } from '../db/embedded';
import { ModelLibrary } from '../models/library';
import { LocalDiskStore } from '../storage';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const [dir, requestsArg, concurrencyArg] = process.argv.slice(2);
  if (!dir) throw new Error('usage: models.bench.js DIR [requests=2000] [concurrency levels=1,10]');
  const requests = Number(requestsArg ?? 2000);
  const concurrencyLevels = (concurrencyArg ?? '1,10').split(',').map(Number);
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'spicesim-bench-'));
  chmodSync(scratch, 0o755);
  const name = `spicesim_bench_${Date.now()}`;
  let adminUrl: string;
  let stopCluster = async (): Promise<void> => undefined;
  if (config.databaseUrl) {
    adminUrl = config.databaseUrl;
  } else {
    const cluster = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'pg'), port: 0 });
    adminUrl = cluster.url;
    stopCluster = cluster.stop;
  }
  await createDatabase(adminUrl, name);
  const url = withDatabase(adminUrl, name);
  try {
    const db = createDb(url);
    await migrateToLatest(db);
    const library = new ModelLibrary(db, new LocalDiskStore(path.join(scratch, 'objects')));
    const report = await library.importDirectory(path.resolve(dir));
    const again = await library.importDirectory(path.resolve(dir));
    const total = Number((await db('device_models').count('* as n'))[0].n);
    // Queries: real names (exact), their prefixes, and one-character typos, sampled across the table.
    const names: string[] = (
      await db('device_models').select('name').orderByRaw('md5(id::text)').limit(400)
    ).map((r) => r.name);
    await db.destroy();
    const queries: string[] = [];
    names.forEach((n, i) => {
      if (i % 3 === 0) queries.push(n);
      else if (i % 3 === 1) queries.push(n.slice(0, Math.max(3, Math.ceil(n.length / 2))));
      else queries.push(n.length > 3 ? n.slice(0, 2) + 'x' + n.slice(3) : n);
    });

    const app = await createApp(
      {
        ...config,
        databaseUrl: url,
        rateLimits: { auth: config.rateLimits.auth, search: { windowMs: 60_000, max: 1_000_000 } },
      },
      { migrate: false },
    );
    const port = await app.listen(0, '127.0.0.1');
    const runs = [];
    for (const concurrency of concurrencyLevels) {
      const latencies: number[] = [];
      let next = 0;
      let hits = 0;
      const worker = async (): Promise<void> => {
        while (next < requests) {
          const i = next++;
          const q = queries[i % queries.length];
          const filter = i % 5 === 0 ? '&kind=diode' : '';
          const started = performance.now();
          const res = await fetch(
            `http://127.0.0.1:${port}/api/v1/models?q=${encodeURIComponent(q)}${filter}`,
          );
          const body = (await res.json()) as { items: unknown[] };
          latencies.push(performance.now() - started);
          if (res.status !== 200) throw new Error(`search answered ${res.status}`);
          if (body.items.length > 0) hits++;
        }
      };
      const wall = performance.now();
      await Promise.all(Array.from({ length: concurrency }, worker));
      const seconds = (performance.now() - wall) / 1000;
      latencies.sort((a, b) => a - b);
      runs.push({
        requests,
        concurrency,
        requestsPerSecond: Math.round(requests / seconds),
        nonEmpty: hits,
        p50ms: +percentile(latencies, 50).toFixed(1),
        p95ms: +percentile(latencies, 95).toFixed(1),
        p99ms: +percentile(latencies, 99).toFixed(1),
        maxMs: +latencies[latencies.length - 1].toFixed(1),
      });
    }
    await app.close();
    const loadAverage = os.loadavg().map((l) => +l.toFixed(2));
    console.log(
      JSON.stringify(
        {
          import: {
            ...report,
            skippedByReason: Object.fromEntries(
              Object.entries(report.skippedByReason).map(([k, v]) => [k, v.count]),
            ),
            filesSkipped: Object.fromEntries(
              Object.entries(report.filesSkipped).map(([k, v]) => [k, v.count]),
            ),
          },
          reimport: {
            inserted: again.inserted,
            alreadyPresent: again.alreadyPresent,
            seconds: again.seconds,
          },
          modelsInDatabase: total,
          search: runs,
          machine: { cpus: os.cpus().length, loadAverage },
        },
        null,
        2,
      ),
    );
  } finally {
    await dropDatabase(adminUrl, name).catch(() => undefined);
    await stopCluster();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
