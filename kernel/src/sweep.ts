/**
 * Parallel sweeps and Monte Carlo: each netlist runs in a pool of worker threads (one per core by
 * default), each worker loading @spicesim/solver once. Results come back as columnar plots (Float64Array
 * buffers are transferred, not copied). Progress shows as a bar updated in place in the notebook.
 */
import { cpus } from 'os';
import { randomBytes } from 'crypto';
import { Worker } from 'worker_threads';
import { Circuit, SimulationError } from './circuit';
import { Simulation } from './results';
import type { Plot } from './solver-contract';
import { tslabWriter } from './display';
import { startWorker } from './background';

export interface SweepOptions {
  /** Worker threads (default: the number of cores, at most the number of runs). */
  workers?: number;
  /** Progress bar in the notebook (default true); or a callback. */
  progress?: boolean | ((done: number, total: number) => void);
  /** Shown in error messages (default `<sweep>`). */
  fileName?: string;
}

/**
 * Runs one netlist per value in parallel and returns the simulations in the order of `values`:
 *
 *   const runs = await sim.sweep([1e-9, 1e-8], (c) => rc(c).withAnalysis('.ac dec 20 1 1meg'));
 *   runs.map((r) => sim.bandwidth(r.ac.frequency, r.ac.v('out')));
 *
 * `build` returns netlist text (with its analysis cards) or a Circuit. A failing run rejects the sweep with
 * the solver's message and the value that failed.
 */
export async function sweep<T>(
  values: readonly T[],
  build: (value: T, index: number) => string | Circuit,
  options: SweepOptions = {},
): Promise<Simulation[]> {
  const netlists = values.map((value, index) => {
    const built = build(value, index);
    return typeof built === 'string' ? built : built.text;
  });
  const total = netlists.length;
  if (total === 0) return [];
  const workerCount = Math.max(1, Math.min(options.workers ?? cpus().length, total));
  const report = Private.progressReporter(options.progress ?? true, workerCount);
  const solverPath = Private.solverPath();
  const results: Simulation[] = new Array(total);
  const workers: Worker[] = [];
  let next = 0;
  let done = 0;
  let onInterrupt: (() => void) | undefined;
  report(0, total);
  // The SIGINT listener below must not be added during the cell's synchronous part (see onInterrupt in
  // background.ts: the next interrupt would kill the kernel).
  await new Promise<void>((resolve) => startWorker(resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      // Kernel interrupt (tslab gets SIGINT): stop the workers now instead of letting them finish unseen.
      onInterrupt = () => reject(new Error(`sweep interrupted after ${done} of ${total} runs`));
      process.on('SIGINT', onInterrupt);
      const feed = (worker: Worker) => {
        if (next >= total) return;
        const index = next++;
        worker.postMessage({ index, text: netlists[index], fileName: options.fileName ?? '<sweep>' });
      };
      for (let w = 0; w < workerCount; w++) {
        const worker = new Worker(Private.WORKER_SOURCE, { eval: true, workerData: { solverPath } });
        workers.push(worker);
        worker.on('message', (message: Private.Reply) => {
          if (message.error !== undefined) {
            reject(
              new SimulationError(
                `run ${message.index} (value ${Private.show(values[message.index])}): ${message.error}`,
                message.error,
              ),
            );
            return;
          }
          results[message.index] = new Simulation({
            title: message.title ?? '',
            plots: message.plots ?? [],
            circuit: undefined,
            diagnostics: message.diagnostics ?? [],
          });
          done++;
          report(done, total);
          if (done === total) resolve();
          else feed(worker);
        });
        worker.on('error', reject);
        feed(worker);
      }
    });
  } finally {
    if (onInterrupt) process.removeListener('SIGINT', onInterrupt);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

/**
 * Monte Carlo: `runs` netlists built from a seeded random generator (mulberry32), run in parallel.
 * `build(random, run)` draws its parameters with `random()` (uniform in [0, 1)).
 */
export async function monteCarlo(
  runs: number,
  build: (random: () => number, run: number) => string | Circuit,
  options: SweepOptions & { seed?: number } = {},
): Promise<Simulation[]> {
  const random = seededRandom(options.seed ?? 1);
  const netlists = Array.from({ length: runs }, (_, run) => {
    const built = build(random, run);
    return typeof built === 'string' ? built : built.text;
  });
  return sweep(netlists, (text) => text, options);
}

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)) so Monte Carlo notebooks are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

namespace Private {
  export interface Reply {
    index: number;
    title?: string;
    plots?: Plot[];
    diagnostics?: Array<{ message: string }>;
    error?: string;
  }

  /** The worker: loads the solver once, runs netlists, sends plots back with their buffers transferred. */
  export const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const solver = require(workerData.solverPath);
parentPort.on('message', ({ index, text, fileName }) => {
  try {
    const result = solver.simulateNetlist(text, { fileName });
    const plots = result.plots.map((p) => ({ title: p.title, name: p.name, date: p.date, complex: p.complex,
      vectors: p.vectors.map((v) => ({ name: v.name, type: v.type, real: v.real, imag: v.imag })) }));
    const buffers = [];
    for (const p of plots) for (const v of p.vectors) { buffers.push(v.real.buffer); if (v.imag) buffers.push(v.imag.buffer); }
    const diagnostics = (result.diagnostics || []).map((d) => ({ message: String(d.message), severity: d.severity }));
    parentPort.postMessage({ index, title: result.title, plots, diagnostics }, [...new Set(buffers)]);
  } catch (error) {
    parentPort.postMessage({ index, error: typeof error.format === 'function' ? error.format() : String(error && error.message || error) });
  }
});`;

  export function solverPath(): string {
    try {
      return require.resolve('@spicesim/solver');
    } catch {
      throw new Error('sweep: cannot find @spicesim/solver; build it with `npm run build -w solver`');
    }
  }

  export function show(value: unknown): string {
    return typeof value === 'number' ? String(value) : (JSON.stringify(value)?.slice(0, 60) ?? String(value));
  }

  /** A progress bar updated in place (Jupyter update_display_data), or the caller's callback. */
  export function progressReporter(
    progress: boolean | ((done: number, total: number) => void),
    workers: number,
  ): (done: number, total: number) => void {
    if (typeof progress === 'function') return progress;
    const write = progress ? tslabWriter() : null;
    if (!write) return () => undefined;
    const displayId = randomBytes(8).toString('hex');
    let shown = false;
    return (done, total) => {
      const width = 30;
      const filled = Math.round((width * done) / total);
      const text = `sweep ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total} (${workers} worker${workers === 1 ? '' : 's'})`;
      const html = `<progress value="${done}" max="${total}" style="width:20em"></progress> ${done}/${total} runs (${workers} worker${workers === 1 ? '' : 's'})`;
      write(
        {
          data: { 'text/plain': text, 'text/html': html },
          metadata: {},
          transient: { display_id: displayId },
        },
        shown,
      );
      shown = true;
    };
  }
}
