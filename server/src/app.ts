/**
 * createApp(config): builds the Koa application and its services from a validated Config.
 * Route -> service -> repository (knex); the database must already exist (main.ts starts an embedded one
 * when DATABASE_URL is unset) and is migrated to the latest schema here.
 */
import * as http from 'node:http';
import bodyParser from '@koa/bodyparser';
import Koa from 'koa';
import helmet from 'koa-helmet';
import pino, { type Logger } from 'pino';
import { registerAuthRoutes } from './auth/routes';
import { cors } from './auth/cors';
import { CollabHub, registerCollabRoutes } from './collab';
import { registerClassroomRoutes, ClassroomProjectService, ClassroomService } from './classroom';
import { registerRevisionRoutes, RevisionService } from './revisions';
import { registerSharingRoutes, SharingProjectService } from './sharing';
import { OAuthService } from './auth/oauth';
import { AuthService } from './auth/service';
import { AccessTokens } from './auth/tokens';
import type { Config } from './config';
import { createDb, migrateToLatest, type Db } from './db';
import { UnauthorizedError } from './errors';
import { Api, type AppState } from './http/api';
import { createMetrics, errorHandler, rateLimit, requestLog } from './http/middleware';
import { registerModelRoutes } from './models/routes';
import { ModelLibrary } from './models/library';
import { registerOrgRoutes } from './orgs/routes';
import { OrgService } from './orgs/service';
import { registerProjectRoutes } from './projects/routes';
import { LocalDiskStore, type ObjectStore } from './storage';
import { S3Store } from './storage/s3';
import { createBilling, registerBillingRoutes } from './billing';
import { createJobs } from './jobs';
import type { SimulationService } from './jobs/service';
import { registerUsageRoutes } from './usage/routes';
import { UsageService } from './usage/service';

export interface SpiceSimApp {
  koa: Koa<AppState>;
  db: Db;
  storage: ObjectStore;
  logger: Logger;
  services: {
    auth: AuthService;
    orgs: OrgService;
    projects: SharingProjectService;
    revisions: RevisionService;
    classroom: ClassroomService;
    models: ModelLibrary;
    simulations: SimulationService;
    usage: UsageService;
    collab: CollabHub;
  };
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export interface CreateAppOptions {
  logger?: Logger;
  storage?: ObjectStore;
  /** Run migrations on start (default true). */
  migrate?: boolean;
}

export async function createApp(config: Config, options: CreateAppOptions = {}): Promise<SpiceSimApp> {
  if (!config.databaseUrl)
    throw new Error(
      'createApp needs config.databaseUrl (main.ts starts an embedded PostgreSQL when DATABASE_URL is unset).',
    );
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'spicesim-server' } });
  const db = createDb(config.databaseUrl);
  if (options.migrate !== false) await migrateToLatest(db);
  const storage =
    options.storage ?? (config.s3 ? new S3Store(config.s3) : new LocalDiskStore(config.storage.dir));

  const accessTokens = new AccessTokens(config.jwtSecret, config.accessTokenTtlSeconds);
  const auth = new AuthService(db, accessTokens, config.refreshTokenTtlSeconds);
  const oauth = new OAuthService(db, config.oauth, config.publicUrl);
  const orgs = new OrgService(db);
  // ProjectService widened with per-user/per-org shares and the classroom rules (issue 11: submitted copies
  // are read-only to their student, the class's teachers read them); every project route goes through it.
  const projects = new ClassroomProjectService(db, orgs);
  const revisions = new RevisionService(db, projects);
  const classroom = new ClassroomService(db, orgs, projects);
  const models = new ModelLibrary(db, storage);
  // Plan limits apply only when billing (Stripe) is configured.
  const usage = new UsageService(db, Boolean(config.stripe));
  const jobs = await createJobs({ config, db, storage, logger, projects, usage });
  const billing = createBilling(config, db, orgs);
  const collab = new CollabHub({ projects, accessTokens, logger });

  const koa = new Koa<AppState>({ proxy: config.trustProxy });
  const metrics = createMetrics();
  koa.use(requestLog(logger));
  koa.use(cors());
  koa.use(errorHandler(logger));
  koa.use(metrics.middleware);
  koa.use(helmet());
  koa.use(bodyParser({ enableTypes: ['json'], jsonLimit: config.bodyLimitBytes, encoding: 'utf-8' }));
  // Authentication is resolved once here; routes declare whether they require it.
  koa.use(async (ctx, next) => {
    const header = ctx.get('authorization');
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match)
        throw new UnauthorizedError(
          'Malformed Authorization header: use "Bearer <access token>".',
          'invalid_token',
        );
      ctx.state.user = { id: await accessTokens.verify(match[1]) };
    }
    await next();
  });

  const api = new Api('/api/v1');
  const authLimit = rateLimit('auth', config.rateLimits.auth);
  const searchLimit = rateLimit('search', config.rateLimits.search);
  registerAuthRoutes(api, { auth, oauth, authLimit });
  registerOrgRoutes(api, { orgs });
  registerProjectRoutes(api, { projects });
  registerSharingRoutes(api, { projects });
  registerRevisionRoutes(api, { revisions });
  registerClassroomRoutes(api, { classroom });
  registerCollabRoutes(api, { hub: collab, projects });
  registerModelRoutes(api, { models, orgs, searchLimit });
  jobs.register(api);
  registerUsageRoutes(api, { usage, orgs });
  registerBillingRoutes(api, { billing });
  api.router.get('/openapi.json', (ctx) => {
    ctx.body = api.openapi({ title: 'SpiceSim API', version: '1' });
  });

  koa.use(async (ctx, next) => {
    if (ctx.path === '/healthz') {
      await db.raw('select 1');
      ctx.body = { status: 'ok' };
      return;
    }
    if (ctx.path === '/metrics') {
      ctx.type = metrics.registry.contentType;
      ctx.body = await metrics.registry.metrics();
      return;
    }
    await next();
  });
  koa.use(api.router.routes());
  koa.use(api.router.allowedMethods({ throw: true }));

  let server: http.Server | undefined;
  return {
    koa,
    db,
    storage,
    logger,
    services: {
      auth,
      orgs,
      projects,
      revisions,
      classroom,
      models,
      simulations: jobs.simulations,
      usage,
      collab,
    },
    listen(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        server = http.createServer(koa.callback());
        // Keep idle connections open longer than clients' keep-alive pools (undici's 4 s, proxies' 60 s):
        // with Node's 5 s default, a busy machine closes a socket just as a client reuses it (ECONNRESET).
        server.keepAliveTimeout = 65_000;
        server.headersTimeout = 66_000;
        collab.attach(server); // WebSocket upgrades under /api/v1/collab (real-time co-editing)
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server!.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    async close() {
      await collab.close(); // saves open co-edited documents while the database is still there
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeAllConnections();
      }
      await jobs.close();
      await db.destroy();
    },
  };
}
