/**
 * Accounts: registration, password sign-in, rotating refresh tokens with reuse detection, OAuth sign-in.
 *
 * Refresh tokens follow the rotation scheme of the OAuth 2.0 Security BCP (RFC 9700 §4.14.2): every
 * refresh returns a new token and marks the old one used; presenting a used token again means it was
 * copied, so the whole family (everything descended from that sign-in) is revoked.
 */
import { randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Db } from '../db';
import { ConflictError, UnauthorizedError } from '../errors';
import { AccessTokens, hashToken, randomToken } from './tokens';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  avatar_url: string | null;
  plan: string;
  password_hash: string | null;
  created_at: Date;
}

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  avatarUrl: string | null;
  plan: string;
  createdAt: string;
}

export interface Session {
  user: PublicUser;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

export function publicUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    avatarUrl: row.avatar_url,
    plan: row.plan,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

// Verifying against a real hash when the e-mail is unknown keeps sign-in timing the same either way.
let dummyHash: Promise<string> | undefined;

export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly accessTokens: AccessTokens,
    private readonly refreshTtlSeconds: number,
  ) {}

  async register(input: { email: string; password: string; name: string }): Promise<Session> {
    const passwordHash = await hash(input.password); // @node-rs/argon2 defaults: argon2id, m=19 MiB, t=2 (OWASP)
    const existing = await this.db('users').whereRaw('lower(email) = lower(?)', [input.email]).first();
    if (existing)
      throw new ConflictError('An account with this e-mail already exists: sign in instead.', [
        { field: 'body.email', message: 'already registered' },
      ]);
    let user: UserRow;
    try {
      [user] = await this.db('users')
        .insert({ email: input.email, name: input.name, password_hash: passwordHash })
        .returning('*');
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw new ConflictError('An account with this e-mail already exists: sign in instead.');
      throw error;
    }
    return this.startSession(user);
  }

  async login(input: { email: string; password: string }): Promise<Session> {
    const user: UserRow | undefined = await this.db('users')
      .whereRaw('lower(email) = lower(?)', [input.email])
      .first();
    const stored = user?.password_hash ?? (await (dummyHash ??= hash('not-a-real-password')));
    const ok = await verify(stored, input.password).catch(() => false);
    if (!user || !user.password_hash || !ok)
      throw new UnauthorizedError('Wrong e-mail or password.', 'invalid_credentials');
    return this.startSession(user);
  }

  async refresh(refreshToken: string): Promise<Session> {
    const outcome = await this.db.transaction(async (trx) => {
      const row = await trx('refresh_tokens')
        .where({ token_hash: hashToken(refreshToken) })
        .forUpdate()
        .first();
      if (!row) return 'unknown' as const;
      if (row.used_at || row.revoked_at) {
        // Reuse of a rotated (or revoked) token: someone else may hold this family. Revoke all of it
        // (and commit that before answering, hence no throw inside the transaction).
        await trx('refresh_tokens')
          .where({ family_id: row.family_id })
          .whereNull('revoked_at')
          .update({ revoked_at: trx.fn.now() });
        return 'reused' as const;
      }
      if (new Date(row.expires_at).getTime() <= Date.now()) return 'expired' as const;
      await trx('refresh_tokens').where({ id: row.id }).update({ used_at: trx.fn.now() });
      const user: UserRow = await trx('users').where({ id: row.user_id }).first();
      return this.startSession(user, row.family_id, trx);
    });
    if (outcome === 'unknown')
      throw new UnauthorizedError('Unknown refresh token: sign in again.', 'invalid_refresh_token');
    if (outcome === 'reused')
      throw new UnauthorizedError(
        'This refresh token was already used; every session from that sign-in is now revoked. Sign in again.',
        'refresh_token_reused',
      );
    if (outcome === 'expired')
      throw new UnauthorizedError('The refresh token expired: sign in again.', 'refresh_token_expired');
    return outcome;
  }

  /** Revokes the token's whole family (this device's session). Unknown tokens are ignored: logout is idempotent. */
  async logout(refreshToken: string): Promise<void> {
    const row = await this.db('refresh_tokens')
      .where({ token_hash: hashToken(refreshToken) })
      .first();
    if (row)
      await this.db('refresh_tokens')
        .where({ family_id: row.family_id })
        .whereNull('revoked_at')
        .update({ revoked_at: this.db.fn.now() });
  }

  async getUser(id: string): Promise<PublicUser> {
    const user: UserRow | undefined = await this.db('users').where({ id }).first();
    if (!user) throw new UnauthorizedError('This account no longer exists.', 'invalid_token');
    return publicUser(user);
  }

  /** Finds or creates the user behind an OAuth identity; links by verified e-mail to an existing account. */
  async signInWithIdentity(identity: {
    provider: string;
    providerUserId: string;
    email: string;
    emailVerified: boolean;
    name: string;
    avatarUrl?: string;
  }): Promise<Session> {
    return this.startSession(await this.userForIdentity(identity));
  }

  /** A new session for a user already authenticated another way (the OAuth hand-off to an app). */
  async sessionFor(userId: string): Promise<Session> {
    const user: UserRow | undefined = await this.db('users').where({ id: userId }).first();
    if (!user) throw new UnauthorizedError('This account no longer exists.', 'invalid_token');
    return this.startSession(user);
  }

  /** Finds or creates the user behind an OAuth identity (see signInWithIdentity). */
  async userForIdentity(identity: {
    provider: string;
    providerUserId: string;
    email: string;
    emailVerified: boolean;
    name: string;
    avatarUrl?: string;
  }): Promise<UserRow> {
    return this.db.transaction(async (trx) => {
      const linked = await trx('user_identities')
        .where({ provider: identity.provider, provider_user_id: identity.providerUserId })
        .first();
      if (linked) return (await trx('users').where({ id: linked.user_id }).first()) as UserRow;
      let existing: UserRow | undefined = await trx('users')
        .whereRaw('lower(email) = lower(?)', [identity.email])
        .first();
      if (existing && !identity.emailVerified) {
        throw new ConflictError(
          `An account with ${identity.email} exists and ${identity.provider} has not verified that address: sign in with your password.`,
        );
      }
      if (!existing) {
        [existing] = await trx('users')
          .insert({ email: identity.email, name: identity.name, avatar_url: identity.avatarUrl ?? null })
          .returning('*');
      }
      await trx('user_identities').insert({
        user_id: existing!.id,
        provider: identity.provider,
        provider_user_id: identity.providerUserId,
      });
      return existing!;
    });
  }

  private async startSession(
    user: UserRow,
    familyId: string = randomUUID(),
    db: Db = this.db,
  ): Promise<Session> {
    const refreshToken = randomToken();
    await db('refresh_tokens').insert({
      user_id: user.id,
      family_id: familyId,
      token_hash: hashToken(refreshToken),
      expires_at: new Date(Date.now() + this.refreshTtlSeconds * 1000),
    });
    const { accessToken, expiresIn } = await this.accessTokens.issue(user.id);
    return { user: publicUser(user), accessToken, refreshToken, expiresIn, tokenType: 'Bearer' };
  }
}
