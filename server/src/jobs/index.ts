/**
 * Simulation jobs: the service, the queue backend (BullMQ when REDIS_URL is set, else the local thread
 * pool), live progress and the routes. `createJobs` is what createApp calls; worker.ts runs the BullMQ side.
 */
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Db } from '../db';
import type { Api } from '../http/api';
import type { ProjectService } from '../projects/service';
import type { ObjectStore } from '../storage';
import type { UsageService } from '../usage/service';
import { BullBackend } from './bull-backend';
import { DownloadTokens } from './downloads';
import { ProgressHub } from './events';
import { LocalBackend } from './local-backend';
import { registerSimulationRoutes } from './routes';
import { SimulationService } from './service';

export { SimulationService } from './service';
export type { JobBackend, SimulationView, ExecuteOutcome } from './service';
export { runSimulation, inspectNetlist, decimateMinMax, netlistWithParameter } from './processor';
export { startSimulationWorker } from './bull-worker';

export interface Jobs {
  simulations: SimulationService;
  hub: ProgressHub;
  register(api: Api): void;
  close(): Promise<void>;
}

export async function createJobs(deps: {
  config: Config;
  db: Db;
  storage: ObjectStore;
  logger: Logger;
  projects: ProjectService;
  usage: UsageService;
}): Promise<Jobs> {
  const { config, db, storage, logger } = deps;
  const hub = new ProgressHub();
  const simulations = new SimulationService(db, storage, deps.usage, hub, config.jobs, deps.projects);
  const backend = config.redisUrl
    ? new BullBackend(config.redisUrl, config.jobs, simulations, hub, logger)
    : new LocalBackend(simulations, config.jobs, logger);
  simulations.backend = backend;
  await backend.recover();
  const downloads = new DownloadTokens(config.jwtSecret);
  const eventTickets = new DownloadTokens(config.jwtSecret, 'events');
  return {
    simulations,
    hub,
    register(api) {
      registerSimulationRoutes(api, {
        simulations,
        hub,
        storage,
        downloads,
        eventTickets,
        publicUrl: config.publicUrl,
        signedUrlTtlSeconds: config.jobs.signedUrlTtlSeconds,
      });
    },
    close: () => backend.close(),
  };
}
