/** Public surface of @spicesim/server. */
export { createApp, type SpiceSimApp, type CreateAppOptions } from './app';
export { loadConfig, parseConfig, configSchema, ConfigError, type Config } from './config';
export { startDatabase, type ServiceDatabase } from './database';
export { createDb, migrateToLatest, MIGRATIONS_DIR, type Db } from './db';
export { startEmbeddedPostgres, type RunningPostgres } from './db/embedded';
export {
  AppError,
  ValidationError,
  UnauthorizedError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  PreconditionFailedError,
} from './errors';
export { ModelLibrary, type ImportReport, type ModelSummary, type ModelDetail } from './models/library';
export { extractDefinitions, decodeSpiceFile, type ExtractedModel, type ModelKind } from './models/extract';
export { LocalDiskStore, type ObjectStore } from './storage';
