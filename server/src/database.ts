/** The service database: the configured DATABASE_URL, or an embedded PostgreSQL in the data directory. */
import type { Config } from './config';
import { createDatabase, withDatabase } from './db';
import { startEmbeddedPostgres } from './db/embedded';

export interface ServiceDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function startDatabase(
  config: Config,
  log: (line: string) => void = () => undefined,
): Promise<ServiceDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, stop: async () => undefined };
  const cluster = await startEmbeddedPostgres({
    dataDir: config.embeddedPostgres.dataDir,
    port: config.embeddedPostgres.port,
    onLog: (line) => {
      if (/stale|FATAL|PANIC|ERROR/.test(line)) log(line);
    },
  });
  await createDatabase(cluster.url, 'spicesim');
  return { url: withDatabase(cluster.url, 'spicesim'), embedded: true, stop: () => cluster.stop() };
}
