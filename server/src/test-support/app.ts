/** Starts a real app on 127.0.0.1 against a fresh test database, with small helpers for HTTP calls. */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApp, type SpiceSimApp } from '../app';
import { parseConfig, type Config } from '../config';
import type { DatabaseTarget, TestDatabase } from './databases';

export interface CallResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestApp {
  app: SpiceSimApp;
  url: string;
  config: Config;
  call<T = any>(
    method: string,
    path: string,
    options?: {
      token?: string;
      body?: unknown;
      headers?: Record<string, string>;
      redirect?: 'follow' | 'manual' | 'error';
    },
  ): Promise<CallResult<T>>;
  /** Registers a fresh user and returns its session. */
  signUp(name?: string): Promise<{ token: string; refreshToken: string; userId: string; email: string }>;
  database: TestDatabase;
  close(): Promise<void>;
}

let counter = 0;

export function testConfig(overrides: Partial<Config> = {}): Config {
  return parseConfig({
    env: 'test',
    host: '127.0.0.1',
    port: 0,
    publicUrl: 'http://127.0.0.1:1',
    embeddedPostgres: { dataDir: '/nonexistent', port: 1 },
    logLevel: 'silent',
    jwtSecret: 'test-secret-that-is-long-enough-0123456789',
    accessTokenTtlSeconds: 900,
    refreshTokenTtlSeconds: 3600,
    bodyLimitBytes: 1024 * 1024,
    storage: { kind: 'local', dir: '/nonexistent' },
    rateLimits: { auth: { windowMs: 60_000, max: 10_000 }, search: { windowMs: 60_000, max: 10_000 } },
    oauth: {},
    trustProxy: false,
    ...overrides,
  });
}

export async function startTestApp(
  target: DatabaseTarget,
  overrides: Partial<Config> = {},
): Promise<TestApp> {
  const database = await target.open();
  const storageDir = mkdtempSync(path.join(os.tmpdir(), 'spicesim-test-store-'));
  const config = testConfig({
    databaseUrl: database.url,
    storage: { kind: 'local', dir: storageDir },
    ...overrides,
  });
  const app = await createApp(config);
  const port = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const call: TestApp['call'] = async (method, urlPath, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await fetch(url + urlPath, {
      method,
      headers,
      body,
      redirect: options.redirect ?? 'follow',
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON (metrics, redirects) */
    }
    return { status: response.status, headers: response.headers, body: parsed as any };
  };
  return {
    app,
    url,
    config,
    call,
    database,
    async signUp(name = 'User') {
      const email = `user${++counter}.${Date.now()}@example.com`;
      const res = await call('POST', '/api/v1/auth/register', {
        body: { email, password: 'correct horse battery', name },
      });
      if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
      return {
        token: res.body.accessToken,
        refreshToken: res.body.refreshToken,
        userId: res.body.user.id,
        email,
      };
    },
    async close() {
      await app.close();
      await database.drop();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}
