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
});
export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix the environment variables named above and restart.`);
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
      auth: { windowMs: intFrom(env, 'RATE_LIMIT_AUTH_WINDOW_MS', 60_000), max: intFrom(env, 'RATE_LIMIT_AUTH_MAX', 20) },
      search: { windowMs: intFrom(env, 'RATE_LIMIT_SEARCH_WINDOW_MS', 60_000), max: intFrom(env, 'RATE_LIMIT_SEARCH_MAX', 600) },
    },
    oauth: { google: oauthFrom(env, 'GOOGLE'), github: oauthFrom(env, 'GITHUB') },
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
  };
  return parseConfig(raw);
}

/** Validates a config object (used by loadConfig and by tests that build one directly). */
export function parseConfig(raw: unknown): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }
  return result.data;
}
