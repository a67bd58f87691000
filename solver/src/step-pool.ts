/**
 * Stepped decks on all cores (Node only: worker_threads; the solver's core stays free of Node imports and the
 * browser worker keeps the sequential `simulationSteps`).
 *
 * `runSteps(text, options)` plans the deck (`planSteps`: every .data row / .alter variant times every .step
 * combination) and simulates run k of the plan on worker threads (`simulateStep`, the same code the sequential
 * path runs, so the numbers are identical). Workers take the next chunk of runs when they finish one, results
 * are put back in run order (`combineSteps`), and `onProgress` hears each finished run. A run that fails (no
 * convergence, timestep too small...) keeps its stepped values and its error; the others still finish.
 * A deck without .step/.data/.alter is simulated once, in this thread, and its errors are thrown as usual.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readDeckFile } from './deck-file';
import { SpiceError } from './errors';
import {
  type SimulationResult,
  type StepPlan,
  type StepResult,
  combineSteps,
  isStepped,
  planSteps,
  simulateCircuit,
  simulateStep,
  stepValues,
} from './simulate';
import { runChunksOnWorkers } from './worker-thread';

export interface StepPoolOptions {
  /** Worker threads (default: one per core, at most the number of runs); 0 runs everything in this thread. */
  workers?: number;
  /** The deck's path: `.include`/`.lib` are read relative to its folder (unless the path names a file). */
  fileName?: string;
  /** After each finished run (in the order they finish), with how many are done out of how many. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Decide from the first run whether workers pay off: it runs in this thread, and the rest go to workers only
   * if it took long enough that the others would take more than this many milliseconds one after the other
   * (starting a worker costs ~0.1 s of loading and parsing; short decks are faster without). Unset: always
   * use the workers asked for.
   */
  parallelAboveMs?: number;
}

/** A failed run: which one, its stepped values, and why. */
export interface StepFailure {
  run: number;
  values: Record<string, number>;
  /** The error class (`ConvergenceError`, `TimestepTooSmallError`, `CircuitError`...). */
  name: string;
  /** As the CLI prints it (location and hint included for SpiceErrors). */
  message: string;
}

export interface SteppedResult extends SimulationResult {
  /** Progress messages of the convergence aids (`onLog` of the sequential path), run after run. */
  log: string[];
  /** Runs that failed, in run order (their entry in `runs` has `error` set and no plots). */
  failures: StepFailure[];
}

interface WorkerSetup {
  spicesimSteps: true;
  text: string;
  fileName?: string;
}

/** One run's outcome as it crosses the thread boundary. */
interface RunOutcome {
  run: number;
  result?: StepResult;
  failure?: { name: string; message: string };
  log: string[];
}

/** Includes as the CLI reads them: relative to the deck's folder unless the path already names a file. */
export function includeReader(fileName: string | undefined): ((path: string) => string) | undefined {
  if (!fileName) return undefined;
  const base = dirname(resolve(fileName));
  return (path) => readDeckFile(isAbsolute(path) || existsSync(path) ? path : resolve(base, path));
}

function plan(text: string, fileName: string | undefined): StepPlan {
  return planSteps(text, { fileName, readFile: includeReader(fileName) });
}

function simulateRun(stepPlan: StepPlan, fileName: string | undefined, run: number): RunOutcome {
  const log: string[] = [];
  try {
    const steps = simulateStep(stepPlan, run, {
      fileName,
      readFile: includeReader(fileName),
      onLog: (line) => log.push(line),
    });
    let next = steps.next();
    while (!next.done) next = steps.next();
    return { run, result: next.value, log };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message =
      error instanceof SpiceError ? error.format() : error instanceof Error ? error.message : String(error);
    return { run, failure: { name, message }, log };
  }
}

export async function runSteps(text: string, options: StepPoolOptions = {}): Promise<SteppedResult> {
  const { fileName } = options;
  const stepPlan = plan(text, fileName);
  const log: string[] = [];
  if (!isStepped(stepPlan)) {
    const steps = simulateCircuit(stepPlan.nominal, {
      fileName,
      readFile: includeReader(fileName),
      onLog: (line) => log.push(line),
    });
    let next = steps.next();
    while (!next.done) next = steps.next();
    options.onProgress?.(1, 1);
    const result = next.value;
    return { ...result, diagnostics: [...stepPlan.diagnostics, ...result.diagnostics], log, failures: [] };
  }
  const total = stepPlan.total;
  const outcomes: RunOutcome[] = new Array(total);
  let done = 0;
  const finished = (outcome: RunOutcome): void => {
    outcomes[outcome.run] = outcome;
    options.onProgress?.(++done, total);
  };
  let workers = options.workers ?? availableParallelism();
  let first = 0;
  if (workers > 0 && options.parallelAboveMs !== undefined) {
    const start = performance.now();
    finished(simulateRun(stepPlan, fileName, 0));
    first = 1;
    if ((performance.now() - start) * (total - 1) < options.parallelAboveMs) workers = 0;
  }
  workers = Math.min(workers, total - first);
  if (workers <= 0) {
    for (let run = first; run < total; run++) finished(simulateRun(stepPlan, fileName, run));
  } else {
    // Steps are usually few and heavy: one run per message unless there are many (at most 16 per message).
    await runChunksOnWorkers<RunOutcome>(
      __filename,
      { spicesimSteps: true, text, fileName },
      { start: first, total, workers, maxChunk: 16, what: '.step' },
      finished,
    );
  }
  const failures: StepFailure[] = [];
  const results = outcomes.map((outcome): StepResult => {
    log.push(...outcome.log);
    if (outcome.result) return outcome.result;
    const values = stepValues(stepPlan, outcome.run);
    const failure = outcome.failure ?? { name: 'Error', message: 'the run returned nothing' };
    failures.push({ run: outcome.run, values, ...failure });
    return {
      run: { values, plots: [], measurements: [], fourier: [], noise: [], error: failure.message },
      diagnostics: [],
    };
  });
  return { ...combineSteps(stepPlan, results), log, failures };
}

// Worker side: plan the deck once, then simulate the runs the main thread asks for, one message per chunk.
if (!isMainThread && (workerData as WorkerSetup | undefined)?.spicesimSteps && parentPort) {
  const setup = workerData as WorkerSetup;
  const port = parentPort;
  const stepPlan = plan(setup.text, setup.fileName);
  port.on('message', (message: { first: number; last: number }) => {
    const outcomes: RunOutcome[] = [];
    for (let run = message.first; run < message.last; run++) {
      outcomes.push(simulateRun(stepPlan, setup.fileName, run));
    }
    port.postMessage(outcomes);
  });
}
