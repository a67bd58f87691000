/**
 * Service configuration, parsed and validated once at start (`loadConfig(process.env)` in main.ts).
 * No other module reads `process.env`: everything else receives a `Config`.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { z } from 'zod';

const oauthProviderSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** Overridable so tests (and self-hosted GitHub Enterprise) can point at another provider. */
  authorizeUrl: z.url(),
  tokenUrl: z.url(),
  userInfoUrl: z.url(),
  /** GitHub only: where to find the verified primary e-mail when /user hides it. */
  emailsUrl: z.url().optional(),
});
export type OAuthProviderConfig = z.infer<typeof oauthProviderSchema>;

const rateLimitSchema = z.object({
  windowMs: z.number().int().positive(),
  max: z.number().int().positive(),
});

const jobsSchema = z.object({
  queueName: z.string().regex(/^[A-Za-z0-9_-]+$/),
  /** Attempts per job (first run + retries with exponential backoff). */
  attempts: z.number().int().min(1).max(20),
  backoffMs: z.number().int().min(0),
  /** Wall-clock limit of one simulation run. */
  timeoutMs: z.number().int().positive(),
  /** BullMQ lock: a worker silent for this long (killed, frozen) loses its job to another worker. */
  lockDurationMs: z.number().int().positive(),
  stalledIntervalMs: z.number().int().positive(),
  /** Jobs run at once by one worker process (BullMQ) or threads in the local pool. */
  concurrency: z.number().int().min(1).max(64),
  /** Lifetime of signed download URLs. */
  signedUrlTtlSeconds: z
    .number()
    .int()
    .min(10)
    .max(7 * 24 * 3600),
});
const defaultJobs: z.infer<typeof jobsSchema> = {
  queueName: 'spicesim-simulations',
  attempts: 3,
  backoffMs: 2000,
  timeoutMs: 10 * 60_000,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  concurrency: 1,
  signedUrlTtlSeconds: 300,
};
const s3Schema = z.object({
  endpoint: z.url().optional(),
  region: z.string().min(1),
  bucket: z.string().min(1),
  accessKeyId: z.string().min(1).optional(),
  secretAccessKey: z.string().min(1).optional(),
  /** Path-style URLs (MinIO, s3rver, Ceph); virtual-hosted style on AWS. */
  forcePathStyle: z.boolean(),
});
const stripeSchema = z.object({
  secretKey: z.string().min(1),
  webhookSecret: z
    .string({ error: "set STRIPE_WEBHOOK_SECRET (the webhook endpoint's signing secret, whsec_...)" })
    .min(1),
  pricePro: z.string({ error: 'set STRIPE_PRICE_PRO (the price id of Pro, $39/month)' }).min(1),
  priceTeam: z.string({ error: 'set STRIPE_PRICE_TEAM (the price id of Team, $79/user/month)' }).min(1),
  /** Outbound API host override (tests point it at a local fake). */
  api: z
    .object({ host: z.string().min(1), port: z.number().int(), protocol: z.enum(['http', 'https']) })
    .optional(),
});
export type JobsConfig = z.infer<typeof jobsSchema>;
export type S3Config = z.infer<typeof s3Schema>;
export type StripeConfig = z.infer<typeof stripeSchema>;

export const configSchema = z.object({
  env: z.enum(['development', 'test', 'production']),
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  /** Public base URL of the service, used to build OAuth redirect URIs. */
  publicUrl: z.url(),
  /** When absent, main.ts starts an embedded PostgreSQL and fills this in. */
  databaseUrl: z.string().min(1).optional(),
  embeddedPostgres: z.object({ dataDir: z.string().min(1), port: z.number().int().min(1).max(65535) }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  jwtSecret: z.string().min(32, 'JWT_SECRET must be at least 32 characters'),
  accessTokenTtlSeconds: z.number().int().positive(),
  refreshTokenTtlSeconds: z.number().int().positive(),
  /** Largest accepted JSON body, in bytes (notebooks can be big, but not unbounded). */
  bodyLimitBytes: z.number().int().positive(),
  storage: z.object({ kind: z.literal('local'), dir: z.string().min(1) }),
  rateLimits: z.object({ auth: rateLimitSchema, search: rateLimitSchema }),
  oauth: z.object({ google: oauthProviderSchema.optional(), github: oauthProviderSchema.optional() }),
  /** Trust X-Forwarded-For (behind a reverse proxy) for rate limiting and logs. */
  trustProxy: z.boolean(),
  // Part 2 (issue 10): simulation jobs, S3, Stripe. Defaults keep configs written before them valid.
  /** BullMQ on this Redis when set; otherwise a local worker-thread pool. */
  redisUrl: z.string().min(1).optional(),
  jobs: jobsSchema.default(defaultJobs),
  /** Results and model files in S3 when set; local disk (storage.dir) otherwise. */
  s3: s3Schema.optional(),
  /** Billing and plan limits are on only when Stripe is configured (a self-hosted install has neither). */
  stripe: stripeSchema.optional(),
});
export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix the environment variables named above and restart.`,
    );
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const intFrom = (env: Env, name: string, fallback: number): number | string => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  return Number.isInteger(value) ? value : `${name}=${raw}`;
};

function oauthFrom(env: Env, prefix: 'GOOGLE' | 'GITHUB'): unknown {
  const clientId = env[`${prefix}_CLIENT_ID`];
  if (!clientId) return undefined;
  const defaults =
    prefix === 'GOOGLE'
      ? {
          authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
          tokenUrl: 'https://oauth2.googleapis.com/token',
          userInfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
        }
      : {
          authorizeUrl: 'https://github.com/login/oauth/authorize',
          tokenUrl: 'https://github.com/login/oauth/access_token',
          userInfoUrl: 'https://api.github.com/user',
          emailsUrl: 'https://api.github.com/user/emails',
        };
  return {
    ...defaults,
    clientId,
    clientSecret: env[`${prefix}_CLIENT_SECRET`],
    ...(env[`${prefix}_AUTHORIZE_URL`] ? { authorizeUrl: env[`${prefix}_AUTHORIZE_URL`] } : {}),
    ...(env[`${prefix}_TOKEN_URL`] ? { tokenUrl: env[`${prefix}_TOKEN_URL`] } : {}),
    ...(env[`${prefix}_USERINFO_URL`] ? { userInfoUrl: env[`${prefix}_USERINFO_URL`] } : {}),
  };
}

/**
 * Builds a Config from environment variables (see server/README.md for the list).
 * Throws ConfigError naming every bad variable at once.
 */
export function loadConfig(env: Env, serverDir = path.resolve(__dirname, '..')): Config {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const port = intFrom(env, 'PORT', 3000);
  const jwtSecret =
    env.JWT_SECRET ??
    // Outside production a random secret is acceptable: tokens simply stop working after a restart.
    (nodeEnv === 'production' ? '' : randomBytes(32).toString('hex'));
  const raw = {
    env: nodeEnv,
    host: env.HOST ?? '127.0.0.1',
    port,
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${typeof port === 'number' ? port : 3000}`,
    databaseUrl: env.DATABASE_URL || undefined,
    embeddedPostgres: {
      dataDir: env.EMBEDDED_PG_DIR ?? path.join(serverDir, '.data', 'postgres'),
      port: intFrom(env, 'EMBEDDED_PG_PORT', 54329),
    },
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    jwtSecret,
    accessTokenTtlSeconds: intFrom(env, 'ACCESS_TOKEN_TTL_SECONDS', 15 * 60),
    refreshTokenTtlSeconds: intFrom(env, 'REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 3600),
    bodyLimitBytes: intFrom(env, 'BODY_LIMIT_BYTES', 5 * 1024 * 1024),
    storage: { kind: 'local', dir: env.STORAGE_DIR ?? path.join(serverDir, '.data', 'objects') },
    rateLimits: {
      auth: {
        windowMs: intFrom(env, 'RATE_LIMIT_AUTH_WINDOW_MS', 60_000),
        max: intFrom(env, 'RATE_LIMIT_AUTH_MAX', 20),
      },
      search: {
        windowMs: intFrom(env, 'RATE_LIMIT_SEARCH_WINDOW_MS', 60_000),
        max: intFrom(env, 'RATE_LIMIT_SEARCH_MAX', 600),
      },
    },
    oauth: { google: oauthFrom(env, 'GOOGLE'), github: oauthFrom(env, 'GITHUB') },
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    redisUrl: env.REDIS_URL || undefined,
    jobs: {
      queueName: env.QUEUE_NAME ?? defaultJobs.queueName,
      attempts: intFrom(env, 'JOB_ATTEMPTS', defaultJobs.attempts),
      backoffMs: intFrom(env, 'JOB_BACKOFF_MS', defaultJobs.backoffMs),
      timeoutMs: intFrom(env, 'JOB_TIMEOUT_MS', defaultJobs.timeoutMs),
      lockDurationMs: intFrom(env, 'JOB_LOCK_DURATION_MS', defaultJobs.lockDurationMs),
      stalledIntervalMs: intFrom(env, 'JOB_STALLED_INTERVAL_MS', defaultJobs.stalledIntervalMs),
      concurrency: intFrom(env, 'WORKER_CONCURRENCY', defaultJobs.concurrency),
      signedUrlTtlSeconds: intFrom(env, 'SIGNED_URL_TTL_SECONDS', defaultJobs.signedUrlTtlSeconds),
    },
    s3: env.S3_BUCKET
      ? {
          endpoint: env.S3_ENDPOINT || undefined,
          region: env.S3_REGION ?? 'us-east-1',
          bucket: env.S3_BUCKET,
          accessKeyId: env.S3_ACCESS_KEY_ID || undefined,
          secretAccessKey: env.S3_SECRET_ACCESS_KEY || undefined,
          forcePathStyle: env.S3_FORCE_PATH_STYLE
            ? env.S3_FORCE_PATH_STYLE === 'true' || env.S3_FORCE_PATH_STYLE === '1'
            : Boolean(env.S3_ENDPOINT),
        }
      : undefined,
    stripe: env.STRIPE_SECRET_KEY
      ? {
          secretKey: env.STRIPE_SECRET_KEY,
          webhookSecret: env.STRIPE_WEBHOOK_SECRET,
          pricePro: env.STRIPE_PRICE_PRO,
          priceTeam: env.STRIPE_PRICE_TEAM,
        }
      : undefined,
  };
  return parseConfig(raw);
}

/** Validates a config object (used by loadConfig and by tests that build one directly). */
export function parseConfig(raw: unknown): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}
