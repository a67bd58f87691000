/**
 * Monte Carlo on all cores (Node only: worker_threads; the solver's core stays free of Node imports).
 *
 * `runMonteCarlo(deck, { runs, seed })` simulates `runs` independent samples of a deck with random parameter
 * functions (agauss, gauss, aunif, unif; see analysis/montecarlo.ts). Run k always uses the generator seeded
 * by (seed, k), so results are identical whatever the number of workers or the order runs finish in.
 * Workers take the next chunk of runs when they finish one (dynamic scheduling), and `onProgress` hears each
 * finished run.
 * Each run's measurements (and optionally its plots) come back as data, with per-measurement statistics.
 *
 * Under ts-node/jest the worker loads this TypeScript file through @swc/core (a dev dependency); the built
 * package loads the compiled JavaScript directly.
 */
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { type Statistics, statistics } from './analysis/montecarlo';
import { readDeckFile } from './deck-file';
import type { Measurement } from './output/measure';
import type { Plot } from './output/plot';
import { simulateMonteCarloRun } from './simulate';
import { runChunksOnWorkers } from './worker-thread';

export interface MonteCarloOptions {
  runs: number;
  /** Seed of the random generator (default 1). */
  seed?: number;
  /** Worker threads (default: one per core, at most `runs`); 0 runs everything in this thread. */
  workers?: number;
  /** The deck's path, for `.include`/`.lib` relative to it. */
  fileName?: string;
  /** Keep every run's plots (memory grows with runs × points); measurements are always kept. */
  keepPlots?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface MonteCarloRun {
  run: number;
  measurements: Measurement[];
  plots?: Plot[];
  /** Why the run failed (no convergence, ...); its measurements are then empty. */
  error?: string;
}

export interface MonteCarloResult {
  seed: number;
  runs: MonteCarloRun[];
  /** Per measurement name: statistics over the runs where it succeeded. */
  statistics: Record<string, Statistics>;
}

interface WorkerSetup {
  spicesimMonteCarlo: true;
  text: string;
  seed: number;
  fileName?: string;
  keepPlots: boolean;
}

/** Includes relative to the deck, as the CLI reads them. */
function includeReader(fileName: string | undefined): ((path: string) => string) | undefined {
  if (!fileName) return undefined;
  return (path) => readDeckFile(isAbsolute(path) ? path : resolve(dirname(fileName), path));
}

function simulateRun(setup: Omit<WorkerSetup, 'spicesimMonteCarlo'>, run: number): MonteCarloRun {
  try {
    const result = simulateMonteCarloRun(setup.text, setup.seed, run, {
      fileName: setup.fileName,
      readFile: includeReader(setup.fileName),
    });
    return { run, measurements: result.measurements, ...(setup.keepPlots ? { plots: result.plots } : {}) };
  } catch (error) {
    return { run, measurements: [], error: error instanceof Error ? error.message : String(error) };
  }
}

export async function runMonteCarlo(text: string, options: MonteCarloOptions): Promise<MonteCarloResult> {
  const runs = Math.trunc(options.runs);
  if (!(runs >= 1)) throw new RangeError(`Monte Carlo needs at least one run (got ${options.runs})`);
  const seed = options.seed ?? 1;
  const setup = { text, seed, fileName: options.fileName, keepPlots: options.keepPlots ?? false };
  const workers = Math.min(options.workers ?? availableParallelism(), runs);
  const results: MonteCarloRun[] = new Array(runs);
  let done = 0;
  const finished = (result: MonteCarloRun): void => {
    results[result.run] = result;
    options.onProgress?.(++done, runs);
  };
  if (workers <= 0) {
    for (let run = 0; run < runs; run++) finished(simulateRun(setup, run));
  } else {
    await runChunksOnWorkers<MonteCarloRun>(
      __filename,
      { spicesimMonteCarlo: true, ...setup },
      { start: 0, total: runs, workers, maxChunk: 64, what: 'Monte Carlo' },
      finished,
    );
  }
  const names = [...new Set(results.flatMap((r) => r.measurements.map((m) => m.name)))];
  const summary: Record<string, Statistics> = {};
  for (const name of names) {
    const values = results.map((r) => r.measurements.find((m) => m.name === name)?.value ?? NaN);
    summary[name] = statistics(values);
  }
  return { seed, runs: results, statistics: summary };
}

// Worker side: simulate the runs the main thread asks for, one message each.
if (!isMainThread && (workerData as WorkerSetup | undefined)?.spicesimMonteCarlo && parentPort) {
  const setup = workerData as WorkerSetup;
  const port = parentPort;
  port.on('message', (message: { first: number; last: number }) => {
    const results: MonteCarloRun[] = [];
    for (let run = message.first; run < message.last; run++) results.push(simulateRun(setup, run));
    port.postMessage(results);
  });
}
