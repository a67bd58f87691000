/** /api/v1/auth/* and /api/v1/me. */
import type { Middleware } from 'koa';
import { z } from 'zod';
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
    query: z.object({ mode: z.enum(['redirect', 'json']).default('redirect') }),
    response: z.object({ url: z.url() }),
    handler: async (ctx, { params, query }) => {
      const url = await oauth.authorizationUrl(params.provider as OAuthProviderName);
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
      const session = await auth.signInWithIdentity({ provider: params.provider, ...profile });
      ctx.set('Cache-Control', 'no-store');
      return session;
    },
  });
}
