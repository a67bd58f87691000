/**
 * Test databases: every test file runs against an embedded PostgreSQL (one cluster per file), and also
 * against a real server when SPICESIM_TEST_DATABASE_URL is set (CI: Debian's PostgreSQL 15).
 * Each file gets its own database with a unique name, dropped afterwards.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres } from '../db/embedded';
import { createDatabase, dropDatabase, withDatabase } from '../db';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface DatabaseTarget {
  name: 'embedded' | 'real';
  open(): Promise<TestDatabase>;
}

const uniqueName = (): string => `spicesim_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

const embedded: DatabaseTarget = {
  name: 'embedded',
  async open() {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'spicesim-test-pg-'));
    chmodSync(parent, 0o755);
    const cluster = await startEmbeddedPostgres({
      dataDir: path.join(parent, 'data'),
      port: 0,
      ephemeral: true,
    });
    const name = uniqueName();
    await createDatabase(cluster.url, name);
    return {
      url: withDatabase(cluster.url, name),
      async drop() {
        await cluster.stop();
        rmSync(parent, { recursive: true, force: true });
      },
    };
  },
};

function realServer(adminUrl: string): DatabaseTarget {
  return {
    name: 'real',
    async open() {
      const name = uniqueName();
      await createDatabase(adminUrl, name);
      return { url: withDatabase(adminUrl, name), drop: () => dropDatabase(adminUrl, name) };
    },
  };
}

/** The targets for `describe.each`: always embedded, plus the real server when configured. */
export function databaseTargets(): DatabaseTarget[] {
  const realUrl = process.env.SPICESIM_TEST_DATABASE_URL;
  return realUrl ? [embedded, realServer(realUrl)] : [embedded];
}
