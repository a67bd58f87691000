/**
 * Load test: N concurrent virtual users each register, create a project with a notebook, auto-save it
 * several times (If-Match), list projects and search models. Reports p50/p95 per operation.
 *
 *   npm run build -w server && node server/dist/scripts/load.bench.js [users=10] [saves=20] [searches=20] [modelsDir]
 *
 * Runs against a throw-away embedded PostgreSQL (or a fresh database on DATABASE_URL's server). With
 * modelsDir the model library is imported first so searches hit a realistic table.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { createDatabase, dropDatabase, withDatabase } from '../db';
import { startEmbeddedPostgres } from '../db/embedded';

const SEARCHES = ['LM358', 'lm35', '1N4148', '2N3904', 'irf5', 'BC547', 'TL07', 'opa2', 'bzx84', 'AD8'];

async function main(): Promise<void> {
  const [usersArg, savesArg, searchesArg, modelsDir] = process.argv.slice(2);
  const users = Number(usersArg ?? 10);
  const saves = Number(savesArg ?? 20);
  const searches = Number(searchesArg ?? 20);
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'spicesim-load-'));
  chmodSync(scratch, 0o755);
  const name = `spicesim_load_${Date.now()}`;
  let adminUrl = config.databaseUrl;
  let stopCluster = async (): Promise<void> => undefined;
  if (!adminUrl) {
    const cluster = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'pg'), port: 0 });
    adminUrl = cluster.url;
    stopCluster = cluster.stop;
  }
  await createDatabase(adminUrl, name);
  const generous = { windowMs: 60_000, max: 1_000_000 };
  const app = await createApp({
    ...config,
    databaseUrl: withDatabase(adminUrl, name),
    storage: { kind: 'local', dir: path.join(scratch, 'objects') },
    rateLimits: { auth: generous, search: generous },
  });
  try {
    if (modelsDir) await app.services.models.importDirectory(path.resolve(modelsDir));
    const port = await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}/api/v1`;
    const timings: Record<string, number[]> = {};
    const timed = async (
      operation: string,
      url: string,
      init: RequestInit,
      expected: number,
    ): Promise<{ body: any; headers: Headers }> => {
      const started = performance.now();
      const res = await fetch(url, init);
      const text = await res.text();
      (timings[operation] ??= []).push(performance.now() - started);
      if (res.status !== expected)
        throw new Error(`${operation}: expected ${expected}, got ${res.status} ${text.slice(0, 200)}`);
      return { body: text ? JSON.parse(text) : undefined, headers: res.headers };
    };
    const json = (
      method: string,
      body: unknown,
      token?: string,
      extra: Record<string, string> = {},
    ): RequestInit => ({
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...extra,
      },
      body: JSON.stringify(body),
    });
    const virtualUser = async (index: number): Promise<void> => {
      const session = await timed(
        'register',
        `${base}/auth/register`,
        json('POST', {
          email: `load${index}.${Date.now()}@example.com`,
          password: 'a long enough password',
          name: `User ${index}`,
        }),
        201,
      );
      const token = session.body.accessToken as string;
      const auth = { authorization: `Bearer ${token}` };
      const project = await timed(
        'create project',
        `${base}/projects`,
        json('POST', { name: `Project ${index}` }, token),
        201,
      );
      const notebook = { cells: [] as unknown[], metadata: {}, nbformat: 4, nbformat_minor: 5 };
      const file = await timed(
        'create file',
        `${base}/projects/${project.body.id}/files`,
        json('POST', { path: 'lab.ipynb', kind: 'notebook', content: JSON.stringify(notebook) }, token),
        201,
      );
      let etag = file.headers.get('etag')!;
      for (let i = 0; i < saves; i++) {
        notebook.cells.push({ cell_type: 'code', source: `tran(${i}u, 1m)`, metadata: {} });
        const saved = await timed(
          'autosave',
          `${base}/projects/${project.body.id}/files/${file.body.id}`,
          json('PUT', { content: JSON.stringify(notebook) }, token, { 'if-match': etag }),
          200,
        );
        etag = saved.headers.get('etag')!;
      }
      await timed('list projects', `${base}/projects`, { headers: auth }, 200);
      for (let i = 0; i < searches; i++) {
        await timed(
          'search models',
          `${base}/models?q=${encodeURIComponent(SEARCHES[(index + i) % SEARCHES.length])}`,
          { headers: auth },
          200,
        );
      }
    };
    const wall = performance.now();
    await Promise.all(Array.from({ length: users }, (_, i) => virtualUser(i)));
    const seconds = (performance.now() - wall) / 1000;
    const pct = (sorted: number[], p: number) =>
      +sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1);
    const operations = Object.fromEntries(
      Object.entries(timings).map(([operation, list]) => {
        const sorted = [...list].sort((a, b) => a - b);
        return [
          operation,
          { count: sorted.length, p50ms: pct(sorted, 50), p95ms: pct(sorted, 95), maxMs: pct(sorted, 100) },
        ];
      }),
    );
    const models = Number((await app.db('device_models').count('* as n'))[0].n);
    console.log(
      JSON.stringify(
        {
          users,
          saves,
          searches,
          models,
          seconds: +seconds.toFixed(2),
          operations,
          machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((l) => +l.toFixed(2)) },
        },
        null,
        2,
      ),
    );
  } finally {
    await app.close();
    await dropDatabase(adminUrl, name).catch(() => undefined);
    await stopCluster();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
