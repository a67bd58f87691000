/**
 * The kernel side of the SpiceSim session: calls to the SpiceSim service run as the user signed in to
 * JupyterLab. The extension (extension/src/account/kernel-bridge.ts) keeps the current access token in a
 * well-known global of this process, pushing a fresh one before the old expires; outside JupyterLab
 * (scripts, CI) the environment variables SPICESIM_SERVER_URL and SPICESIM_ACCESS_TOKEN stand in.
 * The kernel never holds a refresh token: refresh tokens rotate, and two holders would revoke each other.
 */

export interface ServiceSession {
  serverUrl: string;
  accessToken: string;
  user: { id: string; email: string; name: string; plan: string } | null;
}

const GLOBAL_KEY = Symbol.for('spicesim.session');

/** The session the extension shared with this kernel, else the environment's, else null. */
export function currentSession(env: Record<string, string | undefined> = process.env): ServiceSession | null {
  const shared = (globalThis as Record<symbol, unknown>)[GLOBAL_KEY] as ServiceSession | null | undefined;
  if (shared && shared.serverUrl && shared.accessToken) return shared;
  if (env.SPICESIM_SERVER_URL && env.SPICESIM_ACCESS_TOKEN)
    return { serverUrl: env.SPICESIM_SERVER_URL, accessToken: env.SPICESIM_ACCESS_TOKEN, user: null };
  return null;
}

export class ServiceCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceCallError';
  }
}

/** A request to the service as the signed-in user (Authorization header added); throws when not signed in. */
export async function serviceFetch(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  const session = currentSession();
  if (!session)
    throw new ServiceCallError(
      401,
      'not_signed_in',
      'Not signed in to SpiceSim: use "Sign in to SpiceSim" in JupyterLab\'s top bar (or set SPICESIM_SERVER_URL and SPICESIM_ACCESS_TOKEN), then run the cell again.',
    );
  return fetch(session.serverUrl.replace(/\/+$/, '') + path, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${session.accessToken}`,
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    signal: init.signal,
  });
}

/** Throws the service's `{error: {code, message}}` as a ServiceCallError when `response` is not 2xx. */
export async function checkResponse(response: Response): Promise<Response> {
  if (response.ok) return response;
  const body = (await response.json().catch(() => undefined)) as
    { error?: { code: string; message: string } } | undefined;
  throw new ServiceCallError(
    response.status,
    body?.error?.code ?? `http_${response.status}`,
    `SpiceSim service: ${body?.error?.message ?? response.statusText}`,
  );
}

/** GET/POST to the service as the signed-in user; JSON in and out. */
export async function serviceRequest(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<unknown> {
  const response = await checkResponse(await serviceFetch(path, init));
  return response.json().catch(() => undefined);
}

export interface ModelSummary {
  id: string;
  name: string;
  kind: string;
  manufacturer: string | null;
  [key: string]: unknown;
}

/** The vendor model library on the service, searched as the signed-in user (org-private models included). */
export const models = {
  async search(query: string, options: { kind?: string; limit?: number } = {}): Promise<ModelSummary[]> {
    const params = new URLSearchParams({ q: query, limit: String(options.limit ?? 10) });
    if (options.kind) params.set('kind', options.kind);
    const result = (await serviceRequest(`/api/v1/models?${params}`)) as { items: ModelSummary[] };
    return result.items;
  },
  async get(id: string): Promise<ModelSummary & { spiceText: string }> {
    return (await serviceRequest(`/api/v1/models/${encodeURIComponent(id)}`)) as ModelSummary & {
      spiceText: string;
    };
  },
};

/** Who the kernel acts as (GET /me), e.g. to show the plan in a notebook. */
export function whoAmI(): Promise<unknown> {
  return serviceRequest('/api/v1/me');
}
