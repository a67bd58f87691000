/**
 * OAuth 2.0 sign-in with Google and GitHub: authorization code grant (RFC 6749 §4.1) with PKCE S256
 * (RFC 7636) and a single-use `state` kept server-side. Written against the RFCs with fetch rather than a
 * client library: the usual one (arctic) is ESM-only and hard-codes provider endpoints, and we need both
 * CommonJS and configurable endpoints (tests run a local fake provider).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { OAuthProviderConfig } from '../config';
import type { Db } from '../db';
import { AppError, NotFoundError, UnauthorizedError } from '../errors';

export type OAuthProviderName = 'google' | 'github';

export interface OAuthProfile {
  providerUserId: string;
  email: string;
  emailVerified: boolean;
  name: string;
  avatarUrl?: string;
}

const STATE_TTL_MS = 10 * 60 * 1000;
const SCOPES: Record<OAuthProviderName, string> = {
  google: 'openid email profile',
  github: 'read:user user:email',
};

export class OAuthProviderError extends AppError {
  constructor(provider: string, message: string) {
    super(502, 'oauth_provider_error', `${provider}: ${message}`);
  }
}

export class OAuthService {
  constructor(
    private readonly db: Db,
    private readonly providers: Partial<Record<OAuthProviderName, OAuthProviderConfig>>,
    private readonly publicUrl: string,
  ) {}

  redirectUri(provider: OAuthProviderName): string {
    return new URL(`/api/v1/auth/oauth/${provider}/callback`, this.publicUrl).toString();
  }

  private provider(name: OAuthProviderName): OAuthProviderConfig {
    const config = this.providers[name];
    if (!config) throw new NotFoundError(`OAuth sign-in with ${name} (not configured on this server)`);
    return config;
  }

  /**
   * The provider URL to send the browser to; stores state + PKCE verifier for the callback. With
   * `handoffHash` (an app such as JupyterLab started the sign-in in a popup), the callback parks the user
   * under that hash for the app to collect with the secret behind it (see collectHandoff).
   */
  async authorizationUrl(name: OAuthProviderName, options: { handoffHash?: string } = {}): Promise<string> {
    const config = this.provider(name);
    const state = randomBytes(24).toString('base64url');
    const codeVerifier = randomBytes(32).toString('base64url');
    const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
    await this.db('oauth_states').where('expires_at', '<', new Date()).delete();
    await this.db('oauth_states').insert({
      state,
      provider: name,
      code_verifier: codeVerifier,
      expires_at: new Date(Date.now() + STATE_TTL_MS),
      handoff_hash: options.handoffHash ?? null,
    });
    const url = new URL(config.authorizeUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', config.clientId);
    url.searchParams.set('redirect_uri', this.redirectUri(name));
    url.searchParams.set('scope', SCOPES[name]);
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    return url.toString();
  }

  /** Checks state (single use), exchanges the code with the PKCE verifier, fetches the profile. */
  async completeSignIn(
    name: OAuthProviderName,
    code: string,
    state: string,
  ): Promise<OAuthProfile & { handoffHash?: string }> {
    const config = this.provider(name);
    const stored = await this.db('oauth_states').where({ state, provider: name }).delete().returning('*');
    if (stored.length === 0 || new Date(stored[0].expires_at).getTime() < Date.now()) {
      throw new UnauthorizedError(
        'The sign-in attempt is unknown or expired (state mismatch): start the sign-in again.',
        'invalid_oauth_state',
      );
    }
    const tokenResponse = await fetch(config.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: this.redirectUri(name),
        client_id: config.clientId,
        client_secret: config.clientSecret,
        code_verifier: stored[0].code_verifier,
      }),
    }).catch((error: Error) => {
      throw new OAuthProviderError(name, `token endpoint unreachable (${error.message})`);
    });
    const tokens = (await tokenResponse.json().catch(() => ({}))) as {
      access_token?: string;
      error?: string;
      error_description?: string;
    };
    if (!tokenResponse.ok || !tokens.access_token) {
      throw new UnauthorizedError(
        `${name} refused the sign-in: ${tokens.error ?? tokenResponse.status}${tokens.error_description ? ` (${tokens.error_description})` : ''}. Start again.`,
        'oauth_exchange_failed',
      );
    }
    const profile =
      name === 'google'
        ? await this.googleProfile(config, tokens.access_token)
        : await this.githubProfile(config, tokens.access_token);
    return stored[0].handoff_hash ? { ...profile, handoffHash: stored[0].handoff_hash } : profile;
  }

  /** Parks a signed-in user for the app that started the sign-in (single use, STATE_TTL_MS). */
  async parkHandoff(handoffHash: string, userId: string): Promise<void> {
    await this.db('oauth_handoffs').where('expires_at', '<', new Date()).delete();
    await this.db('oauth_handoffs')
      .insert({ handoff_hash: handoffHash, user_id: userId, expires_at: new Date(Date.now() + STATE_TTL_MS) })
      .onConflict('handoff_hash')
      .ignore();
  }

  /**
   * The app presents the secret whose SHA-256 it sent to authorize; gets the user id once, or undefined
   * while the sign-in has not finished (the app polls). Only the holder of the secret can collect, and the
   * hash that travelled through the browser is useless without it (the same idea as PKCE, RFC 7636 §1).
   */
  async collectHandoff(secret: string): Promise<string | undefined> {
    const handoffHash = createHash('sha256').update(secret).digest('base64url');
    const rows = await this.db('oauth_handoffs')
      .where({ handoff_hash: handoffHash })
      .andWhere('expires_at', '>', new Date())
      .delete()
      .returning('user_id');
    return rows[0]?.user_id;
  }

  private async getJson(provider: string, url: string, accessToken: string): Promise<unknown> {
    const response = await fetch(url, {
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: 'application/json',
        'user-agent': 'SpiceSim',
      },
    });
    if (!response.ok) throw new OAuthProviderError(provider, `${url} answered ${response.status}`);
    return response.json();
  }

  private async googleProfile(config: OAuthProviderConfig, accessToken: string): Promise<OAuthProfile> {
    const info = (await this.getJson('google', config.userInfoUrl, accessToken)) as {
      sub?: string;
      email?: string;
      email_verified?: boolean;
      name?: string;
      picture?: string;
    };
    if (!info.sub || !info.email) throw new OAuthProviderError('google', 'profile has no subject or e-mail');
    return {
      providerUserId: info.sub,
      email: info.email,
      emailVerified: info.email_verified === true,
      name: info.name ?? info.email,
      avatarUrl: info.picture,
    };
  }

  private async githubProfile(config: OAuthProviderConfig, accessToken: string): Promise<OAuthProfile> {
    const info = (await this.getJson('github', config.userInfoUrl, accessToken)) as {
      id?: number;
      login?: string;
      name?: string | null;
      avatar_url?: string;
    };
    if (info.id === undefined) throw new OAuthProviderError('github', 'profile has no id');
    // GitHub's /user shows only a public e-mail; /user/emails lists the verified primary one.
    const emails = config.emailsUrl
      ? ((await this.getJson('github', config.emailsUrl, accessToken)) as {
          email: string;
          primary: boolean;
          verified: boolean;
        }[])
      : [];
    const primary = emails.find((e) => e.primary && e.verified) ?? emails.find((e) => e.verified);
    if (!primary)
      throw new UnauthorizedError(
        'Your GitHub account has no verified e-mail address: verify one on GitHub and retry.',
        'oauth_no_email',
      );
    return {
      providerUserId: String(info.id),
      email: primary.email,
      emailVerified: true,
      name: info.name || info.login || primary.email,
      avatarUrl: info.avatar_url,
    };
  }
}
