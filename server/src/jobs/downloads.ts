/**
 * Short-lived signed download URLs for the local-disk store (S3 presigns its own): the token carries the
 * object key, its expiry and how to serve it, with an HMAC-SHA256 over all of it, so the download route
 * needs no session and no database lookup.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors';

export interface DownloadGrant {
  key: string;
  contentType: string;
  fileName: string;
  /** Expiry, Unix milliseconds. */
  expiresAt: number;
}

export class DownloadTokens {
  /** `purpose` separates token kinds: a ticket for one use never verifies as another. */
  constructor(
    private readonly secret: string,
    private readonly purpose: 'download' | 'events' = 'download',
  ) {}

  sign(grant: DownloadGrant): string {
    const payload = Buffer.from(JSON.stringify(grant)).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  verify(token: string, now = Date.now()): DownloadGrant {
    const [payload, mac] = token.split('.');
    const expected = payload ? this.mac(payload) : '';
    if (
      !payload ||
      !mac ||
      mac.length !== expected.length ||
      !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))
    ) {
      throw new AppError(
        403,
        'invalid_download_token',
        'This download link is not valid: request a new one from GET /api/v1/simulations/:id/result/url.',
      );
    }
    const grant = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as DownloadGrant;
    if (grant.expiresAt < now) {
      throw new AppError(
        403,
        'download_link_expired',
        'This download link has expired: request a new one from GET /api/v1/simulations/:id/result/url.',
      );
    }
    return grant;
  }

  private mac(payload: string): string {
    return createHmac('sha256', `${this.purpose}:${this.secret}`).update(payload).digest('base64url');
  }
}
