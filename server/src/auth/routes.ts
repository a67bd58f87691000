/** /api/v1/auth/* and /api/v1/me. */
import type { Middleware } from 'koa';
import { z } from 'zod';
import { AppError } from '../errors';
import type { Api } from '../http/api';
import type { AuthService } from './service';
import type { OAuthProviderName, OAuthService } from './oauth';

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  avatarUrl: z.string().nullable(),
  plan: z.string(),
  createdAt: z.string(),
});

const sessionSchema = z.object({
  user: userSchema,
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().int(),
  tokenType: z.literal('Bearer'),
});

const email = z
  .email('must be an e-mail address')
  .max(254)
  .transform((s) => s.trim());
const registerBody = z.object({
  email,
  password: z.string().min(10, 'must be at least 10 characters').max(256),
  name: z.string().trim().min(1, 'must not be empty').max(100),
});
const loginBody = z.object({ email, password: z.string().min(1).max(256) });
const refreshBody = z.object({ refreshToken: z.string().min(10).max(200) });
const providerParams = z.object({ provider: z.enum(['google', 'github']) });

export function registerAuthRoutes(
  api: Api,
  deps: { auth: AuthService; oauth: OAuthService; authLimit: Middleware },
): void {
  const { auth, oauth, authLimit } = deps;
  api.route({
    method: 'post',
    path: '/auth/register',
    tag: 'auth',
    summary: 'Create an account with e-mail and password',
    auth: 'none',
    body: registerBody,
    response: sessionSchema,
    status: 201,
    before: [authLimit],
    handler: (_ctx, { body }) => auth.register(body),
  });
  api.route({
    method: 'post',
    path: '/auth/login',
    tag: 'auth',
    summary: 'Sign in with e-mail and password',
    auth: 'none',
    body: loginBody,
    response: sessionSchema,
    before: [authLimit],
    handler: (_ctx, { body }) => auth.login(body),
  });
  api.route({
    method: 'post',
    path: '/auth/refresh',
    tag: 'auth',
    summary: 'Exchange a refresh token for new tokens (rotation; reuse revokes the session)',
    auth: 'none',
    body: refreshBody,
    response: sessionSchema,
    before: [authLimit],
    handler: (_ctx, { body }) => auth.refresh(body.refreshToken),
  });
  api.route({
    method: 'post',
    path: '/auth/logout',
    tag: 'auth',
    summary: 'Revoke the session behind a refresh token',
    auth: 'none',
    body: refreshBody,
    status: 204,
    handler: (_ctx, { body }) => auth.logout(body.refreshToken),
  });
  api.route({
    method: 'get',
    path: '/me',
    tag: 'auth',
    summary: 'The signed-in user',
    auth: 'required',
    response: userSchema,
    handler: (_ctx, { user }) => auth.getUser(user!.id),
  });
  api.route({
    method: 'get',
    path: '/auth/oauth/:provider/authorize',
    tag: 'auth',
    auth: 'none',
    before: [authLimit],
    summary: 'Start OAuth sign-in: redirects (302) to the provider; with ?mode=json returns {url} instead',
    params: providerParams,
    query: z.object({
      mode: z.enum(['redirect', 'json']).default('redirect'),
      // An app's hand-off: base64url SHA-256 of a secret the app keeps (then collected at /auth/oauth/handoff).
      handoff: z
        .string()
        .regex(/^[A-Za-z0-9_-]{43}$/, 'must be the base64url SHA-256 of your secret')
        .optional(),
    }),
    response: z.object({ url: z.url() }),
    handler: async (ctx, { params, query }) => {
      const url = await oauth.authorizationUrl(params.provider as OAuthProviderName, {
        handoffHash: query.handoff,
      });
      if (query.mode === 'json') return { url };
      ctx.redirect(url);
      return undefined;
    },
  });
  api.route({
    method: 'get',
    path: '/auth/oauth/:provider/callback',
    tag: 'auth',
    auth: 'none',
    before: [authLimit],
    summary: 'OAuth redirect target: checks state, exchanges the code (PKCE) and signs the user in',
    params: providerParams,
    query: z.object({ code: z.string().min(1).max(2048), state: z.string().min(1).max(256) }),
    response: sessionSchema,
    handler: async (ctx, { params, query }) => {
      const profile = await oauth.completeSignIn(
        params.provider as OAuthProviderName,
        query.code,
        query.state,
      );
      ctx.set('Cache-Control', 'no-store');
      if (profile.handoffHash) {
        // Started by an app: no tokens in this browser window; the app collects them with its secret.
        const user = await auth.userForIdentity({ provider: params.provider, ...profile });
        await oauth.parkHandoff(profile.handoffHash, user.id);
        ctx.type = 'text/html; charset=utf-8';
        ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
        ctx.body = `<!doctype html><meta charset="utf-8"><title>Signed in to SpiceSim</title><body style="font:16px system-ui;margin:3em"><h1>Signed in to SpiceSim</h1><p id="spicesim-signed-in">You can close this window and go back to JupyterLab.</p></body>`;
        return undefined;
      }
      return auth.signInWithIdentity({ provider: params.provider, ...profile });
    },
  });
  api.route({
    method: 'post',
    path: '/auth/oauth/handoff',
    tag: 'auth',
    auth: 'none',
    // Not rate-limited like sign-in: the app polls, and the 32-byte secret cannot be guessed.
    summary:
      'An app collects the session of a sign-in it started with ?handoff=: 404 handoff_pending until the user finishes',
    body: z.object({ secret: z.string().min(32).max(200) }),
    response: sessionSchema,
    handler: async (_ctx, { body }) => {
      const userId = await oauth.collectHandoff(body.secret);
      if (!userId)
        throw new AppError(
          404,
          'handoff_pending',
          'No finished sign-in for this secret yet: finish signing in in the other window (or start again).',
        );
      return auth.sessionFor(userId);
    },
  });
}
