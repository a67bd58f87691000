/** Access tokens (short-lived JWT, HS256 via jose) and opaque refresh/share tokens (stored only as hashes). */
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { UnauthorizedError } from '../errors';

export class AccessTokens {
  private readonly key: Uint8Array;
  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(userId: string): Promise<{ accessToken: string; expiresIn: number }> {
    const accessToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuer('spicesim')
      .setAudience('spicesim-api')
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
    return { accessToken, expiresIn: this.ttlSeconds };
  }

  /** Returns the user id; throws 401 for anything but a valid, unexpired token of ours. */
  async verify(token: string): Promise<string> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: 'spicesim',
        audience: 'spicesim-api',
        algorithms: ['HS256'],
      });
      if (!payload.sub) throw new Error('no subject');
      return payload.sub;
    } catch {
      throw new UnauthorizedError(
        'The access token is invalid or expired: refresh it (POST /api/v1/auth/refresh) or sign in again.',
        'invalid_token',
      );
    }
  }
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
