import { chmodSync, mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from './embedded';

describe('embedded PostgreSQL', () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'spicesim-epg-'));
  chmodSync(parent, 0o755); // postgres runs as its own user when we are root
  const dataDir = path.join(parent, 'data');
  afterAll(() => rmSync(path.dirname(dataDir), { recursive: true, force: true }));

  test('initialises, serves queries with pg_trgm available, restarts on the same data dir', async () => {
    const first = await startEmbeddedPostgres({ dataDir, port: 0, ephemeral: true });
    const client = new Client({ connectionString: first.url });
    await client.connect();
    const { rows } = await client.query(
      "select count(*)::int as n from pg_available_extensions where name = 'pg_trgm'",
    );
    expect(rows[0].n).toBe(1);
    await client.end();
    await first.stop();
    expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);

    const second = await startEmbeddedPostgres({ dataDir, port: 0, ephemeral: true });
    const again = new Client({ connectionString: second.url });
    await again.connect();
    expect((await again.query('select 1 as one')).rows[0].one).toBe(1);
    await again.end();
    await second.stop();
  }, 60_000);

  test('removes a stale postmaster.pid whose process is gone', async () => {
    // A pid that cannot be running: the kernel's pid_max is far below this.
    writeFileSync(path.join(dataDir, 'postmaster.pid'), `99999999\n${dataDir}\n`);
    const logs: string[] = [];
    const running = await startEmbeddedPostgres({
      dataDir,
      port: 0,
      ephemeral: true,
      onLog: (l) => logs.push(l),
    });
    expect(logs.some((l) => l.includes('removing stale'))).toBe(true);
    expect(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]).not.toBe('99999999');
    await running.stop();
  }, 60_000);

  test('stops a postmaster still running from an earlier process before starting its own', async () => {
    const abandoned = await startEmbeddedPostgres({ dataDir, port: 0, ephemeral: true });
    const stalePid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const logs: string[] = [];
    const fresh = await startEmbeddedPostgres({
      dataDir,
      port: 0,
      ephemeral: true,
      onLog: (l) => logs.push(l),
    });
    expect(logs.some((l) => l.includes(`stale postmaster (pid ${stalePid})`))).toBe(true);
    const client = new Client({ connectionString: fresh.url });
    await client.connect();
    expect((await client.query('select 2 as two')).rows[0].two).toBe(2);
    await client.end();
    await fresh.stop();
    await abandoned.stop(); // already gone: resolves at once
  }, 60_000);
});
