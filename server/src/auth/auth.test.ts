import { createApp } from '../app';
import { databaseTargets } from '../test-support/databases';
import { startTestApp, testConfig, type TestApp } from '../test-support/app';

describe.each(databaseTargets())('auth and HTTP basics ($name PostgreSQL)', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  }, 60_000);
  afterAll(() => t?.close());

  test('register returns a session; the password is stored as an argon2id hash; /me answers', async () => {
    const res = await t.call('POST', '/api/v1/auth/register', {
      body: { email: 'Ada@Example.com', password: 'correct horse battery', name: 'Ada' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      user: { email: 'Ada@Example.com', name: 'Ada', plan: 'free' },
      tokenType: 'Bearer',
      expiresIn: 900,
    });
    const row = await t.app.db('users').where({ id: res.body.user.id }).first();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const me = await t.call('GET', '/api/v1/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(res.body.user.id);
    expect(me.body).not.toHaveProperty('passwordHash');
  });

  test('duplicate e-mail (any case) is a 409', async () => {
    const res = await t.call('POST', '/api/v1/auth/register', {
      body: { email: 'ada@example.COM', password: 'another long password', name: 'Ada 2' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
  });

  test('invalid input is a 422 naming each field', async () => {
    const res = await t.call('POST', '/api/v1/auth/register', {
      body: { email: 'not-an-email', password: 'short', name: '' },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    const fields = res.body.error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['body.email', 'body.name', 'body.password']);
  });

  test('login: right password works; wrong password and unknown e-mail give the same 401', async () => {
    const ok = await t.call('POST', '/api/v1/auth/login', {
      body: { email: 'ADA@example.com', password: 'correct horse battery' },
    });
    expect(ok.status).toBe(200);
    const wrong = await t.call('POST', '/api/v1/auth/login', {
      body: { email: 'ada@example.com', password: 'wrong password' },
    });
    const unknown = await t.call('POST', '/api/v1/auth/login', {
      body: { email: 'nobody@example.com', password: 'wrong password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
  });

  test('refresh rotates; replaying a used refresh token revokes the whole session', async () => {
    const session = await t.signUp();
    const first = await t.call('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(session.refreshToken);
    const second = await t.call('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: first.body.refreshToken },
    });
    expect(second.status).toBe(200);

    const replay = await t.call('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('refresh_token_reused');
    // The legitimate latest token dies with its family.
    const latest = await t.call('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: second.body.refreshToken },
    });
    expect(latest.status).toBe(401);
    // Another sign-in of the same user is unaffected.
    const other = await t.call('POST', '/api/v1/auth/login', {
      body: { email: session.email, password: 'correct horse battery' },
    });
    expect(
      (await t.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: other.body.refreshToken } }))
        .status,
    ).toBe(200);
  });

  test('an expired refresh token is refused', async () => {
    const session = await t.signUp();
    await t.app
      .db('refresh_tokens')
      .where({ user_id: session.userId })
      .update({ expires_at: new Date(Date.now() - 1000) });
    const res = await t.call('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('refresh_token_expired');
  });

  test('OAuth with a provider this server has no credentials for is a 404; wrong methods are 405', async () => {
    const res = await t.call('GET', '/api/v1/auth/oauth/github/authorize');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/not configured/);
    const wrongMethod = await t.call('DELETE', '/api/v1/auth/login');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error.code).toBe('method_not_allowed');
  });

  test('logout revokes the refresh token', async () => {
    const session = await t.signUp();
    expect(
      (await t.call('POST', '/api/v1/auth/logout', { body: { refreshToken: session.refreshToken } })).status,
    ).toBe(204);
    expect(
      (await t.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken } })).status,
    ).toBe(401);
  });

  test('bad or missing access tokens are 401 with a JSON error', async () => {
    expect((await t.call('GET', '/api/v1/me')).status).toBe(401);
    const forged = await t.call('GET', '/api/v1/me', {
      token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
    });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('invalid_token');
    expect((await t.call('GET', '/api/v1/me', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
  });

  test('health, metrics, security headers, unknown routes, malformed and oversized bodies', async () => {
    const health = await t.call('GET', '/healthz');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('x-request-id')).toBeTruthy();
    const metrics = await t.call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/auth\/register",status="201"\}/,
    );
    const missing = await t.call('GET', '/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const malformed = await t.call('POST', '/api/v1/auth/login', { body: '{"email": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('bad_request');
    const huge = await t.call('POST', '/api/v1/auth/login', {
      body: { email: 'a@b.c', password: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  test('the OpenAPI document is generated from the validation schemas', async () => {
    const res = await t.call('GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const register = res.body.paths['/api/v1/auth/register'].post;
    const schema = register.requestBody.content['application/json'].schema;
    expect(schema.required.sort()).toEqual(['email', 'name', 'password']);
    expect(schema.properties.password.minLength).toBe(10);
    expect(
      res.body.paths['/api/v1/projects/{projectId}/files/{fileId}'].put.parameters.map(
        (p: { name: string }) => p.name,
      ),
    ).toEqual(['projectId', 'fileId', 'If-Match']);
    expect(
      res.body.paths['/api/v1/models'].get.parameters.find((p: { name: string }) => p.name === 'kind').schema
        .enum,
    ).toContain('opamp');
  });

  test('auth and search routes are rate limited per client (429 with Retry-After)', async () => {
    const limited = await createApp(
      testConfig({
        databaseUrl: t.database.url,
        rateLimits: { auth: { windowMs: 60_000, max: 3 }, search: { windowMs: 60_000, max: 3 } },
      }),
      { migrate: false },
    );
    const port = await limited.listen(0, '127.0.0.1');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'x@example.com', password: 'nope' }),
        });
        statuses.push(res.status);
        if (res.status === 429) {
          expect(res.headers.get('retry-after')).toBeTruthy();
          expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
        }
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      // Search has its own budget, untouched by the logins above.
      const searches: number[] = [];
      for (let i = 0; i < 4; i++)
        searches.push((await fetch(`http://127.0.0.1:${port}/api/v1/models?q=lm358`)).status);
      expect(searches).toEqual([200, 200, 200, 429]);
    } finally {
      await limited.close();
    }
  });
});
