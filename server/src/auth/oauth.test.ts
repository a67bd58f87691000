import { databaseTargets } from '../test-support/databases';
import { startTestApp, type TestApp } from '../test-support/app';
import { startFakeOAuthProvider, type FakeOAuthProvider } from '../test-support/fake-oauth';

describe.each(databaseTargets())('OAuth sign-in against a local provider ($name PostgreSQL)', (target) => {
  let t: TestApp;
  let provider: FakeOAuthProvider;

  beforeAll(async () => {
    provider = await startFakeOAuthProvider();
    const endpoints = (userInfoPath: string, emails?: string) => ({
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      authorizeUrl: `${provider.url}/authorize`,
      tokenUrl: `${provider.url}/token`,
      userInfoUrl: `${provider.url}${userInfoPath}`,
      ...(emails ? { emailsUrl: `${provider.url}${emails}` } : {}),
    });
    t = await startTestApp(target, {
      oauth: { google: endpoints('/userinfo'), github: endpoints('/user', '/user/emails') },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  /** Plays the browser: start -> provider (auto-consent) -> our callback, following redirects by hand. */
  async function signIn(
    name: 'google' | 'github',
  ): Promise<{ status: number; body: any; authorizeUrl: URL }> {
    const start = await t.call('GET', `/api/v1/auth/oauth/${name}/authorize?mode=json`);
    expect(start.status).toBe(200);
    const authorizeUrl = new URL(start.body.url);
    const consent = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const callback = new URL(consent.headers.get('location')!);
    const result = await t.call('GET', callback.pathname + callback.search);
    return { status: result.status, body: result.body, authorizeUrl };
  }

  test('the authorize redirect carries state and an S256 PKCE challenge', async () => {
    const res = await t.call('GET', '/api/v1/auth/oauth/google/authorize', { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin).toBe(provider.url);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(location.searchParams.get('redirect_uri')).toBe(
      `${t.config.publicUrl}/api/v1/auth/oauth/google/callback`,
    );
  });

  test('Google: code exchange with the PKCE verifier signs a new user in', async () => {
    provider.user = { id: 'g-1', email: 'grace@example.com', emailVerified: true, name: 'Grace Hopper' };
    const { status, body } = await signIn('google');
    expect(status).toBe(200);
    expect(body.user).toMatchObject({ email: 'grace@example.com', name: 'Grace Hopper' });
    expect(provider.tokenRequests.at(-1)!.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const me = await t.call('GET', '/api/v1/me', { token: body.accessToken });
    expect(me.body.id).toBe(body.user.id);
    // Signing in again finds the same account through the linked identity.
    const again = await signIn('google');
    expect(again.body.user.id).toBe(body.user.id);
  });

  test('GitHub: the verified primary e-mail links to an existing password account', async () => {
    const password = await t.signUp('Linus');
    provider.user = { id: '4242', email: password.email, emailVerified: true, name: 'Linus T' };
    const { status, body } = await signIn('github');
    expect(status).toBe(200);
    expect(body.user.id).toBe(password.userId);
    const identities = await t.app.db('user_identities').where({ user_id: password.userId });
    expect(identities).toEqual([expect.objectContaining({ provider: 'github', provider_user_id: '4242' })]);
  });

  test('an unverified e-mail never takes over an existing account', async () => {
    const victim = await t.signUp('Victim');
    provider.user = { id: 'g-evil', email: victim.email, emailVerified: false, name: 'Mallory' };
    const { status, body } = await signIn('google');
    expect(status).toBe(409);
    expect(body.error.code).toBe('conflict');
  });

  test('a forged or replayed state is rejected before any code exchange', async () => {
    const before = provider.tokenRequests.length;
    const forged = await t.call(
      'GET',
      '/api/v1/auth/oauth/google/callback?code=abc&state=forged-state-value',
    );
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('invalid_oauth_state');
    expect(provider.tokenRequests.length).toBe(before);

    // Replay: the state is single use.
    provider.user = { id: 'g-2', email: 'replay@example.com', emailVerified: true, name: 'R' };
    const start = await t.call('GET', '/api/v1/auth/oauth/google/authorize?mode=json');
    const consent = await fetch(start.body.url, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);
    expect((await t.call('GET', callback.pathname + callback.search)).status).toBe(200);
    expect((await t.call('GET', callback.pathname + callback.search)).status).toBe(401);
  });

  test('an unknown provider name is a 422 naming the path parameter', async () => {
    const bad = await t.call('GET', '/api/v1/auth/oauth/myspace/authorize');
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].field).toBe('path.provider');
  });
});
