/**
 * A BullMQ worker running simulations (used by `npm run worker`, any number of processes on any machine).
 * If a worker dies mid-job (kill -9, power loss), its lock expires after lockDuration; another worker's
 * stalled-job check puts the job back in the queue and runs it again. The database row records every
 * attempt, and SimulationService.execute makes sure exactly one completion is stored and metered.
 */
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { JobsConfig } from '../config';
import type { Db } from '../db';
import type { ObjectStore } from '../storage';
import { UsageService } from '../usage/service';
import { redisConnection } from './bull-backend';
import { ProgressHub } from './events';
import { runSimulation } from './processor';
import { SimulationService } from './service';

export interface SimulationWorker {
  worker: Worker;
  close(): Promise<void>;
}

export function startSimulationWorker(deps: {
  redisUrl: string;
  jobs: JobsConfig;
  db: Db;
  storage: ObjectStore;
  logger: Logger;
}): SimulationWorker {
  const { jobs, logger } = deps;
  // Metering happens here (the worker knows the run time); the limits themselves are checked at submission.
  const simulations = new SimulationService(
    deps.db,
    deps.storage,
    new UsageService(deps.db, false),
    new ProgressHub(),
    jobs,
  );
  const workerId = `${hostname()}:${process.pid}`;
  const processor = async (job: Job<{ simulationId: string }>) => {
    const { simulationId } = job.data;
    if (job.name === 'gather') return { gathered: await simulations.gather(simulationId) };
    let lastReport = 0;
    const outcome = await simulations.execute(simulationId, {
      workerId,
      compute: runSimulation,
      finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
      onProgress: (progress) => {
        const now = Date.now();
        if (now - lastReport < 200 && progress < 1) return;
        lastReport = now;
        void job.updateProgress(progress).catch(() => undefined);
      },
    });
    logger.info({ simulationId, outcome, attempt: job.attemptsMade + 1 }, 'simulation job finished');
    return { outcome };
  };
  const worker = new Worker(jobs.queueName, processor, {
    connection: redisConnection(deps.redisUrl),
    concurrency: jobs.concurrency,
    lockDuration: jobs.lockDurationMs,
    stalledInterval: jobs.stalledIntervalMs,
    maxStalledCount: 1,
  });
  worker.on('error', (error) => logger.error({ err: error }, 'BullMQ worker error'));
  worker.on('failed', (job, error) =>
    logger.warn({ simulationId: job?.data.simulationId, err: error }, 'simulation attempt failed'),
  );
  return { worker, close: () => worker.close() };
}
