/**
 * `npm run server`: reads the environment once, starts an embedded PostgreSQL when DATABASE_URL is unset,
 * builds the app and listens on PORT. Stops cleanly on SIGINT/SIGTERM.
 */
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { startDatabase } from './database';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const database = await startDatabase(config, (line) => console.error(line));
  const app = await createApp({ ...config, databaseUrl: database.url });
  const port = await app.listen();
  app.logger.info(
    { port, host: config.host, embeddedPostgres: database.embedded },
    'SpiceSim server listening',
  );
  const shutdown = async (signal: string): Promise<void> => {
    app.logger.info({ signal }, 'shutting down');
    await app.close();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
