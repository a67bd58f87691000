/** Knex connection and migrations (the migrations themselves live in /schema/migrations). */
import * as path from 'node:path';
import knexFactory, { type Knex } from 'knex';

export type Db = Knex;

/** The repository's schema/migrations folder (same relative place from src/db and dist/db). */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', '..', 'schema', 'migrations');

/**
 * Minimum pg_trgm similarity for the `%` operator on every pooled connection. The default 0.3 makes the
 * GIN index recheck far more rows (STACK-NOTES); setting it per session instead of `SET LOCAL` in a
 * transaction saves three round trips per search.
 */
export const TRIGRAM_SIMILARITY_THRESHOLD = 0.35;

export function createDb(databaseUrl: string, options: { poolMax?: number } = {}): Db {
  return knexFactory({
    client: 'pg',
    connection: databaseUrl,
    pool: {
      min: 0,
      max: options.poolMax ?? 10,
      afterCreate(
        connection: { query(sql: string, callback: (error?: Error) => void): void },
        done: (error: Error | undefined, connection: unknown) => void,
      ) {
        connection.query(`SET pg_trgm.similarity_threshold = ${TRIGRAM_SIMILARITY_THRESHOLD}`, (error) =>
          done(error, connection),
        );
      },
    },
    migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.js'], tableName: 'knex_migrations' },
  });
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

/** Creates a database (used by tests and by the embedded dev server); the name must be a plain identifier. */
export async function createDatabase(adminUrl: string, name: string): Promise<void> {
  assertIdentifier(name);
  const admin = createDb(adminUrl, { poolMax: 1 });
  try {
    const exists = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [name]);
    if (exists.rows.length === 0) await admin.raw(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.destroy();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  assertIdentifier(name);
  const admin = createDb(adminUrl, { poolMax: 1 });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.destroy();
  }
}

/** Same server, another database: replaces the path of a postgres:// URL. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

function assertIdentifier(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new Error(`Not a safe database name: ${JSON.stringify(name)}`);
}
