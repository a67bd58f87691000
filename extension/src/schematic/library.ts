/**
 * The schematic's connection to the SpiceSim service (issues 9 and 10): the model library behind the part
 * picker (GET /api/v1/models?q=&kind=, GET /api/v1/models/:id), the plan's node limit (GET /api/v1/usage) and
 * server simulations for circuits over the browser limit (POST /api/v1/simulations, progress over
 * Server-Sent Events, GET .../result?format=preview). The HTTP calls go through the signed-in session
 * (account/session.ts); everything here that has no DOM is tested in library.test.ts.
 */
import type { WaveformBundle, WaveformTrace } from '@spicesim/kernel/dist/waveform/schema';
import type { LibraryModelRef } from './model';
import { MAX_SUBCKT_PINS, type PartType } from './parts';

/** What the editor needs of the signed-in session (SpiceSimSession implements it). */
export interface ServiceSession {
  readonly serverUrl: string;
  readonly isSignedIn: boolean;
  request(path: string, init?: RequestInit): Promise<unknown>;
}

/** One search hit (GET /api/v1/models). */
export interface LibraryModelSummary {
  id: string;
  name: string;
  manufacturer: string | null;
  kind: string;
  subcategory: string | null;
  modelType: string;
  pins: string[];
  description: string | null;
}

/** GET /api/v1/models/:id. */
export interface LibraryModelDetail extends LibraryModelSummary {
  primitive: string | null;
  spiceText: string;
}

/** Kinds the picker filters by (the service's MODEL_KINDS that have a schematic symbol). */
export const PICKER_KINDS = [
  'diode',
  'bjt',
  'mosfet',
  'jfet',
  'opamp',
  'comparator',
  'regulator',
  'subcircuit',
] as const;

/**
 * Which schematic part draws a library model, or why none can. The element line the netlist writes for the
 * part must match the definition: `D a k MODEL` for a `.model ... D`, `Q c b e MODEL` for NPN/PNP,
 * `M d g s s MODEL` for NMOS/PMOS, `J d g s MODEL` for NJF/PJF, `X in+ in- out SUBCKT` for a three-pin op-amp
 * and `X n1 n2 ... SUBCKT` (a box with the definition's pin names) for any other subcircuit.
 */
export function placementFor(
  model: LibraryModelSummary & { primitive?: string | null },
): { type: PartType; error?: undefined } | { type?: undefined; error: string } {
  const sub = (model.subcategory ?? '').toLowerCase();
  const primitive = (model.primitive ?? '').toUpperCase();
  if (model.modelType === 'subcircuit') {
    // Three pins (in+ in- out) draw as the op-amp triangle; any other count as a box with the pin names.
    if (model.pins.length === 3 && model.kind === 'opamp') return { type: 'opamp' };
    if (model.pins.length >= 1 && model.pins.length <= MAX_SUBCKT_PINS) return { type: 'subckt' };
    return {
      error:
        `${model.name} is a ${model.pins.length}-pin subcircuit; the schematic draws subcircuits with 1 to ` +
        `${MAX_SUBCKT_PINS} pins. Use it in a netlist cell with the text from the library.`,
    };
  }
  if (model.kind === 'diode' || primitive === 'D') return { type: 'diode' };
  if (model.kind === 'jfet' || primitive === 'NJF' || primitive === 'PJF') {
    if (sub === 'pjf' || primitive === 'PJF') return { type: 'pjf' };
    if (sub === 'njf' || primitive === 'NJF') return { type: 'njf' };
    return {
      error: `${model.name} is a JFET model that is neither NJF nor PJF; the schematic cannot place it.`,
    };
  }
  if (model.kind === 'bjt') return { type: sub === 'npn' || primitive === 'NPN' ? 'npn' : 'pnp' };
  if (model.kind === 'mosfet') {
    if (sub === 'nmos' || primitive === 'NMOS') return { type: 'nmos' };
    if (sub === 'pmos' || primitive === 'PMOS') return { type: 'pmos' };
    return {
      error: `${model.name} is an LTspice VDMOS model, which the SpiceSim solver does not simulate; pick an NMOS/PMOS (.model ... NMOS) model.`,
    };
  }
  return {
    error: `${model.name} is a ${model.kind} model; the schematic has no ${model.kind} symbol yet (diodes, BJTs, MOSFETs and three-pin subcircuits can be placed).`,
  };
}

/** The part's library reference from a model's detail. */
export function libraryRef(detail: LibraryModelDetail): LibraryModelRef {
  return {
    id: detail.id,
    name: detail.name,
    text: detail.spiceText,
    ...(detail.manufacturer ? { manufacturer: detail.manufacturer } : {}),
  };
}

/** A service call that failed in a way the user can act on (service down, signed out, over a plan limit). */
export class ServiceUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceUnavailableError';
  }
}

/** The decimated result preview (server/src/jobs/processor.ts ResultPreview). */
export interface ResultPreview {
  plots: { name: string; scale: string; vectors: { name: string; x: number[]; y: number[] }[] }[];
}

export interface ServerRunView {
  id: string;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  progress: number;
  nodeCount: number;
  error: { code: string; message: string } | null;
  wallTimeMs?: number | null;
}

/** Progress as the server run goes: `status` changes and `progress` 0..1. */
export type ServerRunListener = (event: { status: ServerRunView['status']; progress: number }) => void;

export const DEFAULT_NODE_LIMIT = 500;

export class SchematicService {
  constructor(
    private readonly session: ServiceSession | null,
    private readonly options: SchematicService.IOptions = {},
  ) {}

  /** Model library search; the library is public, so signed-out users search the built-in models. */
  async searchModels(query: string, kind?: string): Promise<LibraryModelSummary[]> {
    const params = new URLSearchParams({ limit: '20' });
    if (query.trim()) params.set('q', query.trim());
    if (kind) params.set('kind', kind);
    const result = (await this._call(`/api/v1/models?${params}`, {}, 'search the model library')) as {
      items: LibraryModelSummary[];
    };
    return result.items;
  }

  async model(id: string): Promise<LibraryModelDetail> {
    return (await this._call(
      `/api/v1/models/${encodeURIComponent(id)}`,
      {},
      'load the model',
    )) as LibraryModelDetail;
  }

  /**
   * The largest circuit simulated live in the browser: the plan's node limit (GET /usage, when the service
   * enforces plans: `limitsEnforced`), else 500. A `spicesim.schematic.nodeLimit` localStorage entry lowers it (tests, slow
   * machines).
   */
  async nodeLimit(): Promise<number> {
    let limit = DEFAULT_NODE_LIMIT;
    if (this.session?.isSignedIn) {
      try {
        const usage = (await this.session.request('/api/v1/usage')) as {
          maxNodes: number | null;
          limitsEnforced?: boolean;
        };
        // A self-hosted service (no billing) reports the Free plan's numbers without enforcing them.
        if (usage.limitsEnforced && typeof usage.maxNodes === 'number' && usage.maxNodes > 0)
          limit = usage.maxNodes;
      } catch {
        // The service being down must not stop live simulation: keep the default.
      }
    }
    const override = Number(this.options.storage?.getItem('spicesim.schematic.nodeLimit'));
    if (Number.isFinite(override) && override > 0) limit = Math.min(limit, override);
    return limit;
  }

  /**
   * Runs `netlist` on the server: POST /simulations, live progress over SSE (an EventSource on the ticket URL
   * from /events/url; polling GET /simulations/:id when EventSource is missing or drops), then the preview.
   */
  async runOnServer(
    netlist: string,
    onProgress: ServerRunListener,
    signal?: AbortSignal,
  ): Promise<{ view: ServerRunView; preview: ResultPreview; followedBy: 'events' | 'polling' }> {
    if (!this.session?.isSignedIn) {
      throw new ServiceUnavailableError(
        'Sign in to SpiceSim (the account button in the top bar) to run circuits on the server.',
      );
    }
    const created = (await this._call(
      '/api/v1/simulations',
      { method: 'POST', body: JSON.stringify({ netlist }) },
      'start the server simulation',
    )) as ServerRunView;
    onProgress({ status: created.status, progress: created.progress });
    const { view, followedBy } = await this._follow(created.id, onProgress, signal);
    if (view.status !== 'completed') {
      const reason = view.error ? `${view.error.message} (${view.error.code})` : view.status;
      throw new Error(
        `The server simulation ${view.status === 'cancelled' ? 'was cancelled' : 'failed'}: ${reason}`,
      );
    }
    const preview = (await this._call(
      `/api/v1/simulations/${view.id}/result?format=preview`,
      {},
      'download the result',
    )) as ResultPreview;
    return { view, preview, followedBy };
  }

  private async _follow(
    id: string,
    onProgress: ServerRunListener,
    signal?: AbortSignal,
  ): Promise<{ view: ServerRunView; followedBy: 'events' | 'polling' }> {
    const EventSourceClass = this.options.eventSource ?? globalThis.EventSource;
    if (EventSourceClass) {
      try {
        const { url } = (await this._call(
          `/api/v1/simulations/${id}/events/url`,
          {},
          'follow the server simulation',
        )) as { url: string };
        const finished = await new Promise<boolean>((resolve) => {
          const source = new EventSourceClass(url);
          const stop = (done: boolean) => {
            source.close();
            signal?.removeEventListener('abort', abort);
            resolve(done);
          };
          const abort = () => stop(false);
          signal?.addEventListener('abort', abort);
          source.addEventListener('status', (event) => {
            const view = JSON.parse((event as MessageEvent<string>).data) as ServerRunView;
            onProgress({ status: view.status, progress: view.progress });
            if (isTerminal(view.status)) stop(true);
          });
          source.addEventListener('progress', (event) => {
            const data = JSON.parse((event as MessageEvent<string>).data) as { progress: number };
            onProgress({ status: 'running', progress: data.progress });
          });
          // The server ends the stream after the terminal status; an error before that falls back to polling.
          source.onerror = () => stop(false);
        });
        if (signal?.aborted) throw new Error('the server run was stopped');
        if (finished) return { view: await this._view(id), followedBy: 'events' };
      } catch (error) {
        if (signal?.aborted) throw error;
        // fall through to polling
      }
    }
    for (;;) {
      if (signal?.aborted) throw new Error('the server run was stopped');
      const view = await this._view(id);
      onProgress({ status: view.status, progress: view.progress });
      if (isTerminal(view.status)) return { view, followedBy: 'polling' };
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 1000));
    }
  }

  private async _view(id: string): Promise<ServerRunView> {
    return (await this._call(`/api/v1/simulations/${id}`, {}, 'read the server simulation')) as ServerRunView;
  }

  private async _call(path: string, init: RequestInit, what: string): Promise<unknown> {
    if (!this.session) {
      throw new ServiceUnavailableError(
        `No SpiceSim service is configured, so the schematic cannot ${what}: install the SpiceSim account plugin and start the service (npm run server).`,
      );
    }
    try {
      return await this.session.request(path, init);
    } catch (error) {
      if (error instanceof TypeError) {
        // fetch() rejects with a TypeError when nothing answers (connection refused, CORS, DNS).
        throw new ServiceUnavailableError(
          `The SpiceSim service at ${this.session.serverUrl} is unreachable, so the schematic cannot ${what}: start it (npm run server) or set its address (localStorage spicesim.serverUrl).`,
        );
      }
      const status = (error as { status?: number }).status;
      if (status === 401) {
        throw new ServiceUnavailableError(
          `Sign in to SpiceSim (the account button in the top bar) to ${what}.`,
        );
      }
      throw error;
    }
  }
}

export namespace SchematicService {
  export interface IOptions {
    /** Where the node-limit override is read (window.localStorage in JupyterLab). */
    storage?: Pick<Storage, 'getItem'>;
    /** EventSource implementation (tests); globalThis.EventSource by default. */
    eventSource?: typeof EventSource;
    pollMs?: number;
  }
}

function isTerminal(status: string): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/**
 * Waveform bundles from the server's result preview, like a local run's: the probed vectors (or the first
 * few when nothing is probed). The preview decimates each vector on its own (min/max per bucket), so their x
 * samples differ: they are put on the union of their x values by linear interpolation, which keeps every
 * minimum and maximum the server kept.
 */
export function bundlesFromPreview(
  preview: ResultPreview,
  probeVectors: string[],
  maxTraces = 8,
): WaveformBundle[] {
  const bundles: WaveformBundle[] = [];
  const wanted = probeVectors.map((v) => v.toLowerCase());
  for (const plot of preview.plots) {
    if (!plot.scale || plot.vectors.length === 0) continue; // .op: one point, nothing to plot
    const vectors =
      wanted.length > 0
        ? plot.vectors.filter((v) => wanted.includes(v.name.toLowerCase()))
        : plot.vectors.slice(0, maxTraces);
    if (vectors.length === 0) continue;
    const xs = [...new Set(vectors.flatMap((v) => v.x))].sort((a, b) => a - b);
    const ac = /^frequency$/i.test(plot.scale);
    const traces: WaveformTrace[] = vectors.map((v) => ({
      name: v.name.toLowerCase(),
      unit: ac ? 'dB' : v.name.toLowerCase().startsWith('i(') ? 'A' : 'V',
      format: 'real',
      values: interpolate(v.x, v.y, xs),
    }));
    const voltages = traces.filter((t) => !t.name.startsWith('i(')).map((t) => t.name);
    const currents = traces.filter((t) => t.name.startsWith('i(')).map((t) => t.name);
    bundles.push({
      version: 1,
      title: `Server run: ${plot.name}`,
      analysis: plot.name,
      x: {
        name: plot.scale.toLowerCase(),
        unit: ac ? 'Hz' : /time/i.test(plot.scale) ? 's' : '',
        log: ac,
        values: xs,
      },
      traces,
      panes: [voltages, currents]
        .filter((pane) => pane.length > 0)
        .map((pane) => ({
          view: 'value' as const,
          traces: pane,
          yLog: false,
          ...(ac ? { yLabel: 'Magnitude (dB)' } : {}),
        })),
    });
  }
  return bundles;
}

/** y(x) at each of `at` (sorted), linear between samples, held at the ends. */
function interpolate(x: number[], y: number[], at: number[]): Array<number | null> {
  const out: Array<number | null> = new Array(at.length);
  let k = 0;
  for (let i = 0; i < at.length; i++) {
    const t = at[i];
    while (k < x.length - 2 && x[k + 1] < t) k++;
    if (x.length === 1 || t <= x[0]) out[i] = y[0];
    else if (t >= x[x.length - 1]) out[i] = y[y.length - 1];
    else {
      const span = x[k + 1] - x[k];
      out[i] = span > 0 ? y[k] + ((y[k + 1] - y[k]) * (t - x[k])) / span : y[k + 1];
    }
  }
  return out;
}
