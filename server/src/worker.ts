/**
 * `npm run worker`: a simulation worker process. Needs REDIS_URL and DATABASE_URL (the same as the API's)
 * and the same storage (S3_* or a STORAGE_DIR the API can read). Start as many as you like, anywhere.
 */
import pino from 'pino';
import { loadConfig } from './config';
import { createDb } from './db';
import { startSimulationWorker } from './jobs/bull-worker';
import { LocalDiskStore } from './storage';
import { S3Store } from './storage/s3';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = pino({ level: config.logLevel, base: { service: 'spicesim-worker' } });
  if (!config.redisUrl || !config.databaseUrl) {
    throw new Error(
      "The worker needs REDIS_URL (the queue) and DATABASE_URL (the API's database). Without Redis the API runs simulations in its own thread pool and needs no worker.",
    );
  }
  const db = createDb(config.databaseUrl, { poolMax: 4 });
  const storage = config.s3 ? new S3Store(config.s3) : new LocalDiskStore(config.storage.dir);
  const worker = startSimulationWorker({ redisUrl: config.redisUrl, jobs: config.jobs, db, storage, logger });
  await worker.worker.waitUntilReady();
  logger.info({ queue: config.jobs.queueName, pid: process.pid }, 'simulation worker ready');
  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping: finishing the current job');
    await worker.close();
    await db.destroy();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
