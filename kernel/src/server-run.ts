/**
 * "Run on server": a netlist simulated by the SpiceSim service as the signed-in user (see session.ts),
 * for circuits too big or too slow for the kernel's machine.
 *
 *   POST /api/v1/simulations {netlist}                 -> 202, the simulation's id
 *   GET  /api/v1/simulations/:id/events                -> Server-Sent Events: `status` (whole view), `progress`
 *   GET  /api/v1/simulations/:id/result?format=raw     -> ngspice binary rawfile, read by the solver's reader
 *   POST /api/v1/simulations/:id/cancel                -> on kernel interrupt
 *
 * The result is the same `Simulation` a local run gives (same vector names and values: the rawfile keeps
 * full double precision). If the event stream drops, the status is polled instead.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { onInterrupt, seconds, type RunOptions, type RunProgress } from './background';
import type { Circuit, CircuitOptions } from './circuit';
import { SimulationError, SimulationInterrupted } from './errors';
import { progressBar, type ProgressBar } from './progress';
import { Simulation } from './results';
import { checkResponse, serviceFetch, serviceRequest } from './session';
import { loadSolver } from './solver-contract';

export type ServerRunOptions = RunOptions;

/** The service's view of a simulation (the fields the kernel reads). */
export interface ServerSimulationView {
  id: string;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  progress: number;
  error: { code: string; message: string } | null;
  summary?: { title?: string; diagnostics?: string[] } | null;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * Runs `circuit` (a Circuit, or netlist text with its analysis cards) on the SpiceSim service and returns
 * the same `Simulation` as `circuit.run()`. `await sim.runOnServer(rc)`; a kernel interrupt (or
 * `options.signal`) cancels the server job and rejects with `SimulationInterrupted`.
 */
export async function runOnServer(
  circuit: Circuit | string,
  options: ServerRunOptions = {},
): Promise<Simulation> {
  const text = typeof circuit === 'string' ? circuit : circuit.text;
  const circuitOptions: CircuitOptions = typeof circuit === 'string' ? {} : circuit.options;
  const netlist = inlineIncludes(
    text,
    circuitOptions.fileName ?? '<notebook>',
    circuitOptions.readFile ?? ((p) => readFileSync(p, 'utf8')),
  );
  const started = Date.now();
  const bar =
    options.progress === false || typeof options.progress === 'function' ? null : progressBar('server');
  const callback = typeof options.progress === 'function' ? options.progress : undefined;
  let latest = 0;
  const report = (fraction: number, status: string) => {
    const elapsedMs = Date.now() - started;
    latest = fraction;
    const progress: RunProgress = { fraction, analysis: 0, kind: status, progress: fraction, elapsedMs };
    callback?.(progress);
    bar?.(fraction, `${status} · ${seconds(elapsedMs)}`);
  };
  report(0, 'submitting');

  // On interrupt: abort what is in flight (submit, event stream, download); the catch below cancels the job.
  const stop = new AbortController();
  let stopped: 'interrupted' | 'aborted' | undefined;
  let id: string | undefined;
  const stopListening = onInterrupt(options.signal, (why) => {
    stopped = why;
    stop.abort();
    // tslab ends the cell at once, so say now what happens next; the bar shows the outcome later.
    const what = id ? `server simulation ${id}` : 'server simulation';
    const next = id ? 'cancelling the server job' : 'nothing was submitted';
    const note = `${what} ${why} at ${Math.floor(100 * latest)}% after ${seconds(Date.now() - started)}: ${next}`;
    if (why === 'interrupted' && bar) console.error(note);
    bar?.(latest, `${why}: ${next}…`, true);
  });
  try {
    const created = (await serviceRequestAbortable(
      '/api/v1/simulations',
      { method: 'POST', body: { netlist } },
      stop.signal,
    )) as ServerSimulationView;
    id = created.id;
    if (stopped) throw new Error('stopped');
    let view = await follow(id, stop.signal, report);
    if (!TERMINAL.has(view.status)) view = await poll(id, stop.signal, report);
    if (view.status === 'cancelled') {
      throw new SimulationInterrupted(
        `server simulation ${id} was cancelled (from another client or the service)`,
      );
    }
    if (view.status === 'failed') {
      const message = view.error?.message ?? 'no reason given';
      throw new SimulationError(`server simulation ${id} failed: ${message}`, view.error);
    }
    report(1, 'downloading');
    const response = await checkResponse(
      await serviceFetch(`/api/v1/simulations/${id}/result?format=raw`, { signal: stop.signal }),
    );
    const raw = new Uint8Array(await response.arrayBuffer());
    const solver = loadSolver();
    if (!solver.parseRawfile)
      throw new Error(
        '@spicesim/solver does not export parseRawfile: rebuild it (`npm run build -w solver`)',
      );
    const plots = solver.parseRawfile(raw);
    report(1, `done on the server in ${seconds(Date.now() - started)}`);
    const diagnostics = (view.summary?.diagnostics ?? []).map((message) => ({
      message,
      severity: 'warning',
    }));
    return new Simulation({
      title: view.summary?.title ?? plots[0]?.title ?? '',
      plots,
      circuit: undefined,
      diagnostics,
    });
  } catch (error) {
    if (stopped) throw await interrupted(stopped, id, latest, started, bar);
    bar?.(latest, 'failed', true);
    throw error;
  } finally {
    stopListening();
  }
}

/**
 * The netlist with `.include file` and `.lib file section` replaced by the text they load (the service
 * cannot read the notebook's files). Paths resolve relative to the including file, as the parser does.
 */
export function inlineIncludes(
  text: string,
  fileName: string,
  readFile: (p: string) => string,
  depth = 0,
): string {
  if (depth > 16)
    throw new Error(`${fileName}: .include nested more than 16 deep (does a file include itself?)`);
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  lines.forEach((line, index) => {
    const include = /^\s*\.(?:include|incl|inc)\s+("[^"]*"|'[^']*'|\S+)/i.exec(line);
    const lib = /^\s*\.lib\s+("[^"]*"|'[^']*'|\S+)\s+(\S+)/i.exec(line);
    if (!include && !lib) {
      out.push(line);
      return;
    }
    const target = resolve(fileName, unquote((include ?? lib)![1]));
    let content: string;
    try {
      content = readFile(target);
    } catch (error) {
      throw new Error(
        `${fileName}:${index + 1}: cannot read '${target}' to send it to the server (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    if (include) {
      out.push(
        `* ${line.trim()} (inlined for the server)`,
        inlineIncludes(content, target, readFile, depth + 1),
      );
      return;
    }
    const section = lib![2].toLowerCase();
    const body = librarySection(content, section);
    if (body === undefined)
      throw new Error(
        `${fileName}:${index + 1}: library '${target}' has no section '${section}' (a '.lib ${section}' ... '.endl' block)`,
      );
    out.push(`* ${line.trim()} (inlined for the server)`, inlineIncludes(body, target, readFile, depth + 1));
  });
  return out.join('\n');
}

/** The lines between `.lib name` and its `.endl`. */
function librarySection(content: string, name: string): string | undefined {
  const lines = content.split(/\r?\n/);
  const start = lines.findIndex((l) => {
    const m = /^\s*\.lib\s+(\S+)\s*$/i.exec(l);
    return m !== null && m[1].toLowerCase() === name;
  });
  if (start < 0) return undefined;
  const end = lines.findIndex((l, k) => k > start && /^\s*\.endl\b/i.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

function unquote(s: string): string {
  return /^["'].*["']$/.test(s) ? s.slice(1, -1) : s;
}

function resolve(includingFile: string, p: string): string {
  return path.isAbsolute(p) ? p : path.join(path.dirname(includingFile), p);
}

/** Cancels the server job (when there is one) and says so in the error. */
async function interrupted(
  why: 'interrupted' | 'aborted',
  id: string | undefined,
  fraction: number,
  started: number,
  bar: ProgressBar | null,
): Promise<SimulationInterrupted> {
  let outcome = 'nothing was submitted';
  if (id) {
    try {
      const view = (await serviceRequest(`/api/v1/simulations/${id}/cancel`, {
        method: 'POST',
      })) as ServerSimulationView;
      outcome =
        view.status === 'cancelled'
          ? 'the server job was cancelled'
          : `the server job had already ended (${view.status})`;
    } catch (error) {
      outcome = `cancelling the server job failed (${(error as Error).message}): cancel simulation ${id} from the SpiceSim panel`;
    }
  }
  const job = id ? `server simulation ${id}` : 'server simulation';
  const message = `${job} ${why} at ${Math.floor(100 * fraction)}% after ${seconds(Date.now() - started)}: ${outcome}; the kernel is ready`;
  bar?.(fraction, `${why}: ${outcome}`, true);
  return new SimulationInterrupted(message);
}

async function serviceRequestAbortable(
  p: string,
  init: { method: string; body: unknown },
  signal: AbortSignal,
): Promise<unknown> {
  const response = await checkResponse(await serviceFetch(p, { ...init, signal }));
  return response.json();
}

/** Reads the event stream until it ends; returns the last status view (fetched again at the end). */
async function follow(
  id: string,
  signal: AbortSignal,
  report: (fraction: number, status: string) => void,
): Promise<ServerSimulationView> {
  const response = await checkResponse(
    await serviceFetch(`/api/v1/simulations/${id}/events`, {
      headers: { accept: 'text/event-stream' },
      signal,
    }),
  );
  let status = 'pending';
  let fraction = 0;
  if (response.body) {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: ?(.*)$/m.exec(block)?.[1];
        const data = /^data: ?(.*)$/m.exec(block)?.[1];
        if (!event || !data) continue;
        const parsed = JSON.parse(data) as Partial<ServerSimulationView>;
        if (event === 'status' && parsed.status) status = parsed.status;
        if (typeof parsed.progress === 'number') fraction = parsed.progress;
        report(fraction, status);
      }
    }
  }
  return (await serviceRequest(`/api/v1/simulations/${id}`)) as ServerSimulationView;
}

/** Fallback when the event stream ended early: the status once a second until the job finishes. */
async function poll(
  id: string,
  signal: AbortSignal,
  report: (fraction: number, status: string) => void,
): Promise<ServerSimulationView> {
  for (;;) {
    if (signal.aborted) throw new Error('aborted');
    const view = (await serviceRequest(`/api/v1/simulations/${id}`)) as ServerSimulationView;
    report(view.progress, view.status);
    if (TERMINAL.has(view.status)) return view;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
