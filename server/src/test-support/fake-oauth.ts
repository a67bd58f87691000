/**
 * A minimal OAuth 2.0 authorization server on 127.0.0.1 for tests, speaking just enough of Google's and
 * GitHub's protocol: /authorize (auto-consents and redirects with a code), /token (checks client secret,
 * redirect_uri and the PKCE S256 verifier, RFC 7636 §4.6), /userinfo, /user, /user/emails.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';

export interface FakeUser {
  id: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

export interface FakeOAuthProvider {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The user who "consents" at the next /authorize. */
  user: FakeUser;
  /** Requests seen at /token, for assertions. */
  tokenRequests: URLSearchParams[];
  close(): Promise<void>;
}

export async function startFakeOAuthProvider(): Promise<FakeOAuthProvider> {
  const codes = new Map<string, { challenge: string; redirectUri: string; user: FakeUser }>();
  const accessTokens = new Map<string, FakeUser>();
  const provider: FakeOAuthProvider = {
    url: '',
    clientId: 'fake-client',
    clientSecret: 'fake-secret',
    user: { id: '1001', email: 'grace@example.com', emailVerified: true, name: 'Grace Hopper' },
    tokenRequests: [],
    close: async () => undefined,
  };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/authorize') {
      const p = url.searchParams;
      if (
        p.get('client_id') !== provider.clientId ||
        p.get('response_type') !== 'code' ||
        p.get('code_challenge_method') !== 'S256' ||
        !p.get('code_challenge') ||
        !p.get('state')
      ) {
        return json(400, { error: 'invalid_request' });
      }
      const code = randomBytes(12).toString('hex');
      codes.set(code, {
        challenge: p.get('code_challenge')!,
        redirectUri: p.get('redirect_uri')!,
        user: { ...provider.user },
      });
      const back = new URL(p.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', p.get('state')!);
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const form = new URLSearchParams(raw);
      provider.tokenRequests.push(form);
      const grant = codes.get(form.get('code') ?? '');
      if (form.get('client_secret') !== provider.clientSecret || form.get('client_id') !== provider.clientId)
        return json(401, { error: 'invalid_client' });
      if (!grant || grant.redirectUri !== form.get('redirect_uri'))
        return json(400, { error: 'invalid_grant' });
      const challenge = createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url');
      if (challenge !== grant.challenge)
        return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
      codes.delete(form.get('code')!); // codes are single use
      const token = randomBytes(16).toString('hex');
      accessTokens.set(token, grant.user);
      return json(200, { access_token: token, token_type: 'bearer' });
    }
    const user = accessTokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!user) return json(401, { error: 'invalid_token' });
    if (url.pathname === '/userinfo')
      return json(200, {
        sub: user.id,
        email: user.email,
        email_verified: user.emailVerified,
        name: user.name,
      });
    if (url.pathname === '/user')
      return json(200, {
        id: Number(user.id),
        login: 'ghopper',
        name: user.name,
        email: null,
        avatar_url: 'https://example.com/a.png',
      });
    if (url.pathname === '/user/emails')
      return json(200, [
        { email: 'old@example.com', primary: false, verified: true },
        { email: user.email, primary: true, verified: user.emailVerified },
      ]);
    return json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  provider.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  provider.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return provider;
}
