/**
 * The signed-in SpiceSim session in JupyterLab: tokens from the service (/api/v1/auth/*), kept in
 * localStorage so a reload stays signed in, refreshed before the 15-minute access token expires. This
 * object is the only owner of the refresh token (refresh tokens rotate and a reused one revokes the whole
 * session), so the kernel is only ever given the current access token (see kernel-bridge.ts).
 */
import { Signal, type ISignal } from '@lumino/signaling';
import { Token } from '@lumino/coreutils';

export interface SpiceSimUser {
  id: string;
  email: string;
  name: string;
  avatarUrl: string | null;
  plan: string;
  createdAt: string;
}

interface StoredSession {
  serverUrl: string;
  user: SpiceSimUser;
  accessToken: string;
  refreshToken: string;
  /** ms since epoch when the access token expires. */
  expiresAt: number;
}

/** A failed service call, with the service's error code and message ({error: {code, message, details}}). */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const ISpiceSimSession = new Token<SpiceSimSession>(
  '@spicesim/extension:ISpiceSimSession',
  'The signed-in SpiceSim service session (tokens, user, authenticated fetch).',
);

const STORAGE_KEY = 'spicesim.session';
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000;
const HANDOFF_POLL_MS = 1000;
const HANDOFF_TIMEOUT_MS = 5 * 60_000;

export class SpiceSimSession {
  constructor(options: SpiceSimSession.IOptions) {
    this.serverUrl = options.serverUrl.replace(/\/+$/, '');
    this._storage = options.storage ?? window.localStorage;
    const stored = Private.load(this._storage);
    if (stored && stored.serverUrl === this.serverUrl) this._session = stored;
  }

  readonly serverUrl: string;

  get changed(): ISignal<this, SpiceSimUser | null> {
    return this._changed;
  }
  get user(): SpiceSimUser | null {
    return this._session?.user ?? null;
  }
  get isSignedIn(): boolean {
    return this._session !== null;
  }

  async signIn(email: string, password: string): Promise<SpiceSimUser> {
    return this._adopt(await this._post('/api/v1/auth/login', { email, password }));
  }

  async register(email: string, password: string, name: string): Promise<SpiceSimUser> {
    return this._adopt(await this._post('/api/v1/auth/register', { email, password, name }));
  }

  /**
   * Google/GitHub: opens the provider in a popup and polls the service for the result. The popup only
   * ever sees a hash of our secret, and the tokens come back to this page only (server: auth/routes.ts).
   */
  async signInWithProvider(
    provider: 'google' | 'github',
    openWindow = Private.openPopup,
  ): Promise<SpiceSimUser> {
    // Opened before any await, while the click still counts as a user gesture (pop-up blockers).
    const popup = openWindow('about:blank');
    if (!popup)
      throw new Error('The browser blocked the sign-in window: allow pop-ups for JupyterLab and try again.');
    const secret = Private.randomSecret();
    let started: { url: string };
    try {
      const handoff = await Private.sha256Base64Url(secret);
      started = (await this._json(`/api/v1/auth/oauth/${provider}/authorize?mode=json&handoff=${handoff}`, {
        method: 'GET',
      })) as { url: string };
    } catch (error) {
      popup.close();
      throw error;
    }
    popup.location.href = started.url;
    const deadline = Date.now() + HANDOFF_TIMEOUT_MS;
    try {
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, HANDOFF_POLL_MS));
        try {
          return this._adopt(await this._post('/api/v1/auth/oauth/handoff', { secret }));
        } catch (error) {
          if (!(error instanceof ServiceError && error.code === 'handoff_pending')) throw error;
          if (popup && popup.closed)
            throw new Error(`The ${provider} sign-in window was closed before signing in.`);
        }
      }
      throw new Error(`Signing in with ${provider} took more than 5 minutes: start again.`);
    } finally {
      popup.close();
    }
  }

  async signOut(): Promise<void> {
    const session = this._session;
    this._set(null);
    if (session)
      await fetch(`${this.serverUrl}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: session.refreshToken }),
      }).catch(() => undefined); // signed out locally either way
  }

  /** Re-reads the user (plan changes) from GET /me. */
  async refreshUser(): Promise<SpiceSimUser | null> {
    if (!this._session) return null;
    const user = (await this.request('/api/v1/me')) as SpiceSimUser;
    if (this._session) this._set({ ...this._session, user });
    return user;
  }

  /** A current access token (refreshed when near expiry), or null when signed out. */
  async accessToken(): Promise<string | null> {
    if (!this._session) return null;
    if (this._session.expiresAt - Date.now() < REFRESH_MARGIN_MS) await this._refresh();
    return this._session?.accessToken ?? null;
  }

  /**
   * An authenticated call to the service. Returns the Response for 2xx; throws ServiceError otherwise
   * (after one refresh-and-retry on 401).
   */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const send = async (): Promise<Response> => {
      const token = await this.accessToken();
      const headers = new Headers(init.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      if (init.body !== undefined && !headers.has('content-type'))
        headers.set('content-type', 'application/json');
      return fetch(this.serverUrl + path, { ...init, headers });
    };
    let response = await send();
    if (response.status === 401 && this._session) {
      await this._refresh();
      response = await send();
    }
    if (!response.ok) throw await Private.errorOf(response);
    return response;
  }

  /** fetch() + JSON body (undefined for 204). */
  async request(path: string, init: RequestInit = {}): Promise<unknown> {
    const response = await this.fetch(path, init);
    return response.status === 204 ? undefined : response.json();
  }

  private async _refresh(): Promise<void> {
    const session = this._session;
    if (!session) return;
    // Concurrent callers share one refresh: a rotated token presented twice would revoke the session.
    this._refreshing ??= this._post('/api/v1/auth/refresh', { refreshToken: session.refreshToken })
      .then((result) => void this._adopt(result))
      .catch((error) => {
        if (error instanceof ServiceError && error.status === 401) this._set(null);
        throw error;
      })
      .finally(() => (this._refreshing = null));
    await this._refreshing;
  }

  private async _post(path: string, body: unknown): Promise<unknown> {
    return this._json(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private async _json(path: string, init: RequestInit): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(this.serverUrl + path, init);
    } catch (error) {
      throw new Error(
        `The SpiceSim service at ${this.serverUrl} is unreachable (${(error as Error).message}).`,
      );
    }
    if (!response.ok) throw await Private.errorOf(response);
    return response.json();
  }

  private _adopt(result: unknown): SpiceSimUser {
    const r = result as { user: SpiceSimUser; accessToken: string; refreshToken: string; expiresIn: number };
    this._set({
      serverUrl: this.serverUrl,
      user: r.user,
      accessToken: r.accessToken,
      refreshToken: r.refreshToken,
      expiresAt: Date.now() + r.expiresIn * 1000,
    });
    return r.user;
  }

  private _set(session: StoredSession | null): void {
    const before = this._session?.accessToken;
    this._session = session;
    if (session) this._storage.setItem(STORAGE_KEY, JSON.stringify(session));
    else this._storage.removeItem(STORAGE_KEY);
    if (before !== session?.accessToken) this._changed.emit(session?.user ?? null);
  }

  private _session: StoredSession | null = null;
  private _refreshing: Promise<void> | null = null;
  private readonly _storage: Storage;
  private readonly _changed = new Signal<this, SpiceSimUser | null>(this);
}

export namespace SpiceSimSession {
  export interface IOptions {
    /** The service's base URL, e.g. http://127.0.0.1:3000. */
    serverUrl: string;
    storage?: Storage;
  }
}

namespace Private {
  export function load(storage: Storage): StoredSession | null {
    try {
      const value = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null') as StoredSession | null;
      return value && value.accessToken && value.refreshToken ? value : null;
    } catch {
      return null;
    }
  }

  export async function errorOf(response: Response): Promise<ServiceError> {
    const body = (await response.json().catch(() => null)) as {
      error?: { code: string; message: string; details?: unknown };
    } | null;
    return new ServiceError(
      response.status,
      body?.error?.code ?? `http_${response.status}`,
      body?.error?.message ?? `The SpiceSim service answered ${response.status} ${response.statusText}.`,
      body?.error?.details,
    );
  }

  export function openPopup(url: string): Window | null {
    return window.open(url, 'spicesim-sign-in', 'popup,width=520,height=680');
  }

  export function randomSecret(): string {
    const bytes = new Uint8Array(32);
    crypto.getRandomValues(bytes);
    return base64Url(bytes);
  }

  export async function sha256Base64Url(text: string): Promise<string> {
    return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
  }

  function base64Url(bytes: Uint8Array): string {
    let binary = '';
    bytes.forEach((b) => (binary += String.fromCharCode(b)));
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
}
