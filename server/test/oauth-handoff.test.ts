/**
 * Sign-in from an app (JupyterLab): the app keeps a secret, starts OAuth with its SHA-256, the browser
 * window finishes at the provider and sees only a "signed in" page; the app collects the session once with
 * the secret. Nobody else can collect it, and tokens never appear in the browser window.
 */
import { createHash, randomBytes } from 'node:crypto';
import { databaseTargets } from '../src/test-support/databases';
import { startTestApp, type TestApp } from '../src/test-support/app';
import { startFakeOAuthProvider, type FakeOAuthProvider } from '../src/test-support/fake-oauth';

describe.each(databaseTargets())('OAuth hand-off to an app ($name PostgreSQL)', (target) => {
  let t: TestApp;
  let provider: FakeOAuthProvider;
  beforeAll(async () => {
    provider = await startFakeOAuthProvider();
    t = await startTestApp(target, {
      oauth: {
        github: {
          clientId: provider.clientId,
          clientSecret: provider.clientSecret,
          authorizeUrl: `${provider.url}/authorize`,
          tokenUrl: `${provider.url}/token`,
          userInfoUrl: `${provider.url}/user`,
          emailsUrl: `${provider.url}/user/emails`,
        },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  test('pending until the browser finishes, then one collection with the secret only', async () => {
    const secret = randomBytes(32).toString('base64url');
    const handoff = createHash('sha256').update(secret).digest('base64url');
    const collect = (s: string) => t.call('POST', '/api/v1/auth/oauth/handoff', { body: { secret: s } });

    const pending = await collect(secret);
    expect(pending.status).toBe(404);
    expect(pending.body.error.code).toBe('handoff_pending');

    const start = await t.call('GET', `/api/v1/auth/oauth/github/authorize?mode=json&handoff=${handoff}`);
    expect(start.status).toBe(200);
    const consent = await fetch(start.body.url, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);
    const page = await fetch(t.url + callback.pathname + callback.search);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('Signed in to SpiceSim');
    expect(html).not.toMatch(/eyJ|refresh/i); // no JWT, no refresh token in the window

    expect((await collect(randomBytes(32).toString('base64url'))).status).toBe(404); // another secret
    expect((await collect(handoff)).status).toBe(404); // the hash is not the secret
    const session = await collect(secret);
    expect(session.status).toBe(200);
    expect(session.body.user.email).toBe(provider.user.email);
    const me = await t.call('GET', '/api/v1/me', { token: session.body.accessToken });
    expect(me.body.email).toBe(provider.user.email);
    expect((await collect(secret)).status).toBe(404); // single use

    const malformed = await t.call('GET', '/api/v1/auth/oauth/github/authorize?mode=json&handoff=short');
    expect(malformed.status).toBe(422);
  });
});
