/**
 * One simulation in a worker thread, so the notebook stays live while it runs: a progress bar updates in
 * place, and a kernel interrupt (tslab turns JupyterLab's "Interrupt" into SIGINT on the kernel process)
 * terminates the worker at once and fails the cell with a `SimulationInterrupted` error, leaving the kernel
 * ready for the next cell.
 *
 * The worker drives the solver's `simulationSteps` generator (it yields after every accepted time step, DC
 * point or frequency), posts progress at most every 50 ms, and sends the plots back with their buffers
 * transferred. `.include`/`.lib` files are read in the kernel thread first (parsing the deck once, which also
 * reports netlist errors before any thread starts) and handed to the worker, so a custom `readFile` works.
 */
import { Worker } from 'worker_threads';
import { readFileSync } from 'fs';
import type { CircuitOptions } from './circuit';
import { SimulationError, SimulationInterrupted } from './errors';
import { loadSolver, type Plot, type SimulationResult } from './solver-contract';
import { progressBar } from './progress';

/** Progress of a running simulation, as the solver reports it. */
export interface RunProgress {
  /** Overall fraction done, 0..1 (analyses of the deck and `.step` runs included). */
  fraction: number;
  /** Index of the running analysis in the deck, and its kind (`tran`, `ac`...). */
  analysis: number;
  kind: string;
  /** Fraction of the running analysis, 0..1. */
  progress: number;
  /** With `.step`: the running simulation (0-based) and how many there are. */
  run?: number;
  runs?: number;
  elapsedMs: number;
}

export interface RunOptions {
  /** Progress bar in the notebook (default true), or a callback receiving every progress report. */
  progress?: boolean | ((progress: RunProgress) => void);
  /** Stops the run like a kernel interrupt (the promise rejects with `SimulationInterrupted`). */
  signal?: AbortSignal;
}

/** Runs netlist `text` (with its own analysis cards) in a worker thread. */
export function runInWorker(
  text: string,
  options: CircuitOptions & RunOptions = {},
): Promise<SimulationResult> {
  const fileName = options.fileName ?? '<notebook>';
  const files = readIncludes(text, fileName, options.readFile ?? ((p) => readFileSync(p, 'utf8')));
  const analyses = countAnalyses(text);
  const started = Date.now();
  const label = analysisLabel(text);
  const solver = solverPath(); // throws here, to the caller, when the solver is not built
  const bar =
    options.progress === false || typeof options.progress === 'function' ? null : progressBar(label);
  const callback = typeof options.progress === 'function' ? options.progress : undefined;
  let latest: RunProgress = { fraction: 0, analysis: 0, kind: '', progress: 0, elapsedMs: 0 };
  bar?.(0, 'starting');

  return new Promise<SimulationResult>((resolve, reject) => {
    let worker: Worker | undefined;
    let settled = false;
    const finish = (error: Error | null, result?: SimulationResult) => {
      if (settled) return;
      settled = true;
      stopListening();
      void worker?.terminate();
      if (error) reject(error);
      else resolve(result!);
    };
    const stopListening = onInterrupt(options.signal, (why) => {
      const at = `${Math.floor(100 * latest.fraction)}% after ${seconds(Date.now() - started)}`;
      const error = new SimulationInterrupted(
        `${label} ${why} at ${at}: the simulation was stopped and its worker thread ended; the kernel is ready`,
      );
      if (why === 'interrupted' && bar) console.error(error.message);
      bar?.(latest.fraction, `${why}: stopped after ${seconds(Date.now() - started)}`, true);
      finish(error);
    });
    const onMessage = (message: WorkerReply) => {
      if (message.type === 'log') options.onLog?.(message.line);
      else if (message.type === 'progress') {
        const p = message.progress;
        const within = (p.analysis + Math.min(1, Math.max(0, p.progress))) / analyses;
        const fraction = Math.min(1, ((p.run ?? 0) + Math.min(1, within)) / (p.runs ?? 1));
        latest = { ...p, fraction, elapsedMs: Date.now() - started };
        callback?.(latest);
        bar?.(fraction, detail(latest));
      } else if (message.type === 'error') {
        bar?.(latest.fraction, 'failed', true);
        finish(new SimulationError(message.message, message.message));
      } else {
        latest = { ...latest, fraction: 1, progress: 1, elapsedMs: Date.now() - started };
        callback?.(latest);
        bar?.(1, `done in ${seconds(latest.elapsedMs)}`);
        finish(null, { ...message.result, circuit: undefined });
      }
    };
    startWorker(() => {
      if (settled) return;
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          solverPath: solver,
          text,
          fileName,
          files: [...files],
          withLog: options.onLog !== undefined,
        },
      });
      worker.on('message', onMessage);
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) =>
        finish(new Error(`the simulation worker exited (code ${code}) before sending a result`)),
      );
    });
  });
}

/** Runs `create` (which constructs Worker threads) on a later turn of the event loop, after the cell's synchronous part. */
export function startWorker(create: () => void): void {
  setImmediate(create);
}

/**
 * Calls `stop` once on a kernel interrupt (SIGINT: tslab's handler runs first and ends the cell) or when
 * `signal` aborts; returns the function that stops listening.
 *
 * The SIGINT listener is added on a later turn of the event loop. tslab runs a cell's synchronous part
 * with `vm.runInThisContext(..., {breakOnSigint: true})`, during which Node takes every SIGINT listener off
 * (and puts them back afterwards); measured with Node 20, a listener added inside that window left SIGINT at
 * its default action, so the next interrupt killed the kernel (exit 130) instead of reaching any listener.
 */
export function onInterrupt(
  signal: AbortSignal | undefined,
  stop: (why: 'interrupted' | 'aborted') => void,
): () => void {
  let disposed = false;
  const sigint = () => stop('interrupted');
  const abort = () => stop('aborted');
  setImmediate(() => {
    if (!disposed) process.on('SIGINT', sigint);
  });
  if (signal?.aborted) queueMicrotask(abort);
  signal?.addEventListener('abort', abort, { once: true });
  return () => {
    disposed = true;
    process.removeListener('SIGINT', sigint);
    signal?.removeEventListener('abort', abort);
  };
}

/** `1.2 s`, `3 min 4 s`. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Analysis cards of the deck (not of included files), at least 1: progress is split evenly between them. */
export function countAnalyses(text: string): number {
  const cards = text.split(/\r?\n/).filter((line) => /^\s*\.(op|dc|ac|tran|noise|tf|sens|pz)\b/i.test(line));
  return Math.max(1, cards.length);
}

/** `tran 1n 1m` for a deck with one analysis, else `simulation`. */
function analysisLabel(text: string): string {
  const cards = text.split(/\r?\n/).filter((line) => /^\s*\.(op|dc|ac|tran|noise|tf|sens|pz)\b/i.test(line));
  return cards.length === 1
    ? cards[0].trim().replace(/^\./, '').replace(/\s+/g, ' ').slice(0, 40)
    : 'simulation';
}

function detail(p: RunProgress): string {
  const parts: string[] = [];
  if (p.runs !== undefined) parts.push(`run ${(p.run ?? 0) + 1}/${p.runs}`);
  if (p.kind) parts.push(p.kind);
  const elapsed = p.elapsedMs;
  parts.push(seconds(elapsed));
  if (p.fraction > 0.02 && elapsed > 2000)
    parts.push(`~${seconds((elapsed * (1 - p.fraction)) / p.fraction)} left`);
  return parts.join(' · ');
}

/** Every file the deck includes (path as the parser asks for it -> text), read in this thread. */
function readIncludes(text: string, fileName: string, readFile: (p: string) => string): Map<string, string> {
  const files = new Map<string, string>();
  if (!/^\s*\.(inc|include|incl|lib)\b/im.test(text)) return files;
  const solver = loadSolver();
  if (!solver.parseNetlist) return files;
  try {
    solver.parseNetlist(text, {
      fileName,
      readFile: (p) => {
        const content = files.get(p) ?? readFile(p);
        files.set(p, content);
        return content;
      },
    });
  } catch (error) {
    const e = error as { format?: () => string };
    throw new SimulationError(
      typeof e.format === 'function' ? e.format() : String((error as Error).message ?? error),
      error,
    );
  }
  return files;
}

function solverPath(): string {
  try {
    return require.resolve('@spicesim/solver');
  } catch {
    throw new Error('cannot find @spicesim/solver: build it with `npm run build -w solver`');
  }
}

type WorkerReply =
  | { type: 'log'; line: string }
  | {
      type: 'progress';
      progress: { analysis: number; kind: string; progress: number; run?: number; runs?: number };
    }
  | { type: 'error'; message: string }
  | { type: 'result'; result: Omit<SimulationResult, 'circuit'> & { plots: Plot[] } };

/** The worker: simulationSteps to the end, progress at most every 50 ms, plots back with buffers transferred. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const solver = require(workerData.solverPath);
const files = new Map(workerData.files);
const readFile = (p) => {
  if (files.has(p)) return files.get(p);
  throw new Error('cannot read ' + p);
};
const onLog = workerData.withLog ? (line) => parentPort.postMessage({ type: 'log', line: String(line) }) : undefined;
try {
  const steps = solver.simulationSteps(workerData.text, { fileName: workerData.fileName, readFile, onLog });
  let last = 0;
  let next = steps.next();
  while (!next.done) {
    const now = Date.now();
    if (now - last >= 50) {
      last = now;
      const p = next.value;
      parentPort.postMessage({ type: 'progress', progress: { analysis: p.analysis, kind: p.kind, progress: p.progress, run: p.run, runs: p.runs } });
    }
    next = steps.next();
  }
  const r = next.value;
  const plots = r.plots.map((p) => ({ title: p.title, name: p.name, date: p.date, complex: p.complex,
    vectors: p.vectors.map((v) => ({ name: v.name, type: v.type, real: v.real, imag: v.imag })) }));
  const buffers = new Set();
  for (const p of plots) for (const v of p.vectors) { buffers.add(v.real.buffer); if (v.imag) buffers.add(v.imag.buffer); }
  parentPort.postMessage({ type: 'result', result: { title: r.title, plots, diagnostics: r.diagnostics || [],
    measurements: r.measurements || [], fourier: r.fourier || [], noise: r.noise || [] } }, [...buffers]);
} catch (error) {
  parentPort.postMessage({ type: 'error', message: typeof error.format === 'function' ? error.format() : String((error && error.message) || error) });
}`;
