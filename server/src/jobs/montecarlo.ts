/**
 * Monte Carlo on the queue: a parent simulation and child jobs of a few runs each, gathered into per-run
 * measurements and statistics (issue 10).
 *
 * The deck's random functions (agauss, gauss, aunif, unif) are sampled by the solver's own Monte Carlo code:
 * run k's deck comes from the generator seeded by (seed, k) (solver/src/analysis/montecarlo.ts), so a run's
 * result depends only on the seed and its number, never on which job, worker or order it ran in; and it is
 * the same run `simulateMonteCarloRun(deck, seed, k)` and the CLI's worker pool compute.
 */
// Not part of the solver's index (yet): the solver's Monte Carlo module, through its build output.
import {
  findRandomCalls,
  monteCarloDeck,
  statistics,
  type Statistics,
} from '@spicesim/solver/dist/analysis/montecarlo';
import { ValidationError } from '../errors';
import {
  NetlistError,
  type ResultPreview,
  type ResultSummary,
  type RunOptions,
  type SimulationOutput,
} from './processor';

export const MAX_MONTE_CARLO_RUNS = 1000;
/** Without `runsPerJob`, runs are split into about this many child jobs. */
export const DEFAULT_MONTE_CARLO_JOBS = 16;

export interface MonteCarloRequest {
  runs: number;
  seed: number;
  runsPerJob?: number;
}

/** What a parent simulation stores. */
export interface MonteCarloPlan {
  runs: number;
  seed: number;
  runsPerJob: number;
}

/** What a child (one job) stores: runs firstRun .. firstRun + runs - 1. */
export interface MonteCarloBatch {
  seed: number;
  firstRun: number;
  runs: number;
  batch: number;
}

export interface MonteCarloRunResult {
  run: number;
  measurements: ResultSummary['measurements'];
  /** Why the run failed (no convergence ...); the other runs go on. */
  error?: string;
}

/** Checks a request against the deck and splits it into batches. Throws 422s naming the field. */
export function planMonteCarlo(
  netlist: string,
  request: MonteCarloRequest,
): { plan: MonteCarloPlan; batches: MonteCarloBatch[] } {
  let calls;
  try {
    calls = findRandomCalls(netlist);
  } catch (error) {
    throw new NetlistError(`The netlist's random functions do not parse: ${(error as Error).message}`);
  }
  if (calls.length === 0) {
    throw new ValidationError(
      'Monte Carlo needs random values in the netlist: every run would be the same.',
      [
        {
          field: 'body.netlist',
          message:
            'no agauss/gauss/aunif/unif: write e.g. "r1 in out {agauss(1k, 50, 3)}" (1k ± 50 at 3 sigma)',
        },
      ],
    );
  }
  const runsPerJob = Math.min(
    request.runs,
    request.runsPerJob ?? Math.ceil(request.runs / DEFAULT_MONTE_CARLO_JOBS),
  );
  const batches: MonteCarloBatch[] = [];
  for (let firstRun = 0, batch = 0; firstRun < request.runs; firstRun += runsPerJob, batch++)
    batches.push({
      seed: request.seed,
      firstRun,
      runs: Math.min(runsPerJob, request.runs - firstRun),
      batch,
    });
  return { plan: { runs: request.runs, seed: request.seed, runsPerJob }, batches };
}

/**
 * One child job: its runs one after another through `compute` (this thread, a worker thread), merged into
 * one output: the rawfile holds every run's plots in run order (ngspice's multi-plot layout), CSVs and
 * preview plots are per run and plot, and the summary lists each run's measurements. A run that fails
 * (no convergence) is recorded and the batch goes on; cancellation and worker errors stop it.
 */
export async function runMonteCarloBatch(
  compute: (netlist: string, options: RunOptions) => Promise<SimulationOutput>,
  netlist: string,
  batch: MonteCarloBatch,
  options: RunOptions,
): Promise<SimulationOutput> {
  const rawfiles: Uint8Array[] = [];
  const csv: string[] = [];
  const preview: ResultPreview = { plots: [] };
  const plots: ResultSummary['plots'] = [];
  const diagnostics = new Set<string>();
  const runs: MonteCarloRunResult[] = [];
  let title = '';
  for (let k = 0; k < batch.runs; k++) {
    const run = batch.firstRun + k;
    let output: SimulationOutput;
    try {
      output = await compute(monteCarloDeck(netlist, batch.seed, run), {
        ...options,
        onProgress: (report) =>
          options.onProgress?.({ ...report, progress: (k + report.progress) / batch.runs }),
      });
    } catch (error) {
      if (!(error instanceof NetlistError)) throw error;
      runs.push({ run, measurements: [], error: error.message });
      continue;
    }
    title = output.summary.title;
    rawfiles.push(output.rawfile);
    csv.push(...output.csv);
    const label = (name: string) => `${name} (run ${run})`;
    preview.plots.push(...output.preview.plots.map((p) => ({ ...p, name: label(p.name) })));
    plots.push(...output.summary.plots.map((p) => ({ ...p, name: label(p.name) })));
    for (const d of output.summary.diagnostics) diagnostics.add(d);
    runs.push({ run, measurements: output.summary.measurements });
  }
  if (rawfiles.length === 0) {
    throw new NetlistError(
      `All ${batch.runs} Monte Carlo runs of this job failed; run ${batch.firstRun}: ${runs[0]?.error ?? 'no result'}`,
    );
  }
  const rawfile = new Uint8Array(rawfiles.reduce((n, r) => n + r.byteLength, 0));
  let offset = 0;
  for (const part of rawfiles) {
    rawfile.set(part, offset);
    offset += part.byteLength;
  }
  return {
    rawfile,
    csv,
    preview,
    summary: { title, plots, diagnostics: [...diagnostics], measurements: [], monteCarloRuns: runs },
  };
}

/** The gathered result of a Monte Carlo parent: every run in order, and statistics per measurement. */
export interface MonteCarloSummary {
  monteCarlo: MonteCarloPlan;
  runs: (MonteCarloRunResult & { simulationId: string })[];
  /** Per measurement: over the runs where it has a finite value (std is the sample deviation, n - 1). */
  statistics: Record<string, Statistics>;
  failedRuns: number;
}

export function gatherMonteCarlo(
  plan: MonteCarloPlan,
  children: { id: string; summary: ResultSummary | null }[],
): MonteCarloSummary {
  const runs: MonteCarloSummary['runs'] = [];
  for (const child of children)
    for (const run of child.summary?.monteCarloRuns ?? []) runs.push({ ...run, simulationId: child.id });
  runs.sort((a, b) => a.run - b.run);
  const values = new Map<string, number[]>();
  for (const run of runs)
    for (const m of run.measurements) {
      if (m.value === null) continue;
      let list = values.get(m.name);
      if (!list) values.set(m.name, (list = []));
      list.push(m.value);
    }
  const stats: Record<string, Statistics> = {};
  for (const [name, list] of values) stats[name] = statistics(list);
  return {
    monteCarlo: plan,
    runs,
    statistics: stats,
    failedRuns: plan.runs - runs.filter((r) => !r.error).length,
  };
}
