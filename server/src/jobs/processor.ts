/**
 * The simulation processor: netlist text in, result files out. The same function runs in a BullMQ worker
 * process and in a thread of the local pool; it touches neither the database nor storage, so it can run
 * anywhere and be retried freely.
 */
import { formatCsv, parseAndElaborate, simulationSteps, writeRawfile, type Plot } from '@spicesim/solver';
import { AppError } from '../errors';

export interface SimulationOutput {
  /** ngspice binary rawfile, every plot. */
  rawfile: Uint8Array;
  /** One CSV per plot, in analysis order. */
  csv: string[];
  preview: ResultPreview;
  summary: ResultSummary;
}

export interface ResultSummary {
  title: string;
  plots: { name: string; points: number; vectors: string[]; complex: boolean }[];
  diagnostics: string[];
  measurements: { name: string; value: number | null; error?: string }[];
  /** A Monte Carlo job (montecarlo.ts): each of its runs' measurements, or why the run failed. */
  monteCarloRuns?: {
    run: number;
    measurements: { name: string; value: number | null; error?: string }[];
    error?: string;
  }[];
}

/** Decimated columns for plotting: a few thousand points per vector at most, whatever the run length. */
export interface ResultPreview {
  plots: {
    name: string;
    scale: string;
    /** Complex vectors are previewed as magnitude in dB. */
    vectors: { name: string; x: number[]; y: number[] }[];
  }[];
}

export interface ProgressReport {
  /** Overall fraction 0..1 across all analyses. */
  progress: number;
  analysis: number;
  kind: string;
}

export interface RunOptions {
  onProgress?: (report: ProgressReport) => void;
  signal?: AbortSignal;
  /** Hand the event loop back this often (ms) so lock renewals, progress and cancellation get through. */
  yieldEveryMs?: number;
  /** Buckets of the min/max decimation. */
  previewBuckets?: number;
}

/** The netlist itself is wrong: retrying cannot help. */
export class NetlistError extends AppError {
  constructor(message: string) {
    super(422, 'invalid_netlist', message);
  }
}

export class SimulationAbortedError extends Error {
  constructor(
    readonly reason: 'cancelled' | 'timeout',
    message: string,
  ) {
    super(message);
    this.name = 'SimulationAbortedError';
  }
}

export interface NetlistInfo {
  nodeCount: number;
  analyses: string[];
}

/** Parses the netlist once up front: bad input is reported at submission, not after a queue wait. */
export function inspectNetlist(netlist: string): NetlistInfo {
  let flat;
  try {
    flat = parseAndElaborate(netlist);
  } catch (error) {
    throw new NetlistError(`The netlist does not parse: ${(error as Error).message}`);
  }
  const nodes = new Set<string>();
  for (const element of flat.elements) for (const node of element.nodes) if (node !== '0') nodes.add(node);
  const analyses = flat.analyses.filter((card) => card.kind !== 'other').map((card) => card.kind);
  if (analyses.length === 0) {
    throw new NetlistError(
      'The netlist has no analysis to run: add a card such as ".op", ".tran 1u 1m" or ".ac dec 10 1 1meg".',
    );
  }
  return { nodeCount: nodes.size, analyses };
}

/**
 * One point of a parameter sweep: `.param name=value` placed before `.end`, where it overrides an earlier
 * definition of the same name (the solver, like ngspice, keeps the last `.param` it reads).
 */
export function netlistWithParameter(netlist: string, name: string, value: number): string {
  const line = `.param ${name}=${value}`;
  const lines = netlist.split(/\r?\n/);
  const end = lines.findIndex((l) => /^\s*\.end\s*$/i.test(l));
  if (end < 0) return `${netlist.replace(/\s*$/, '')}\n${line}\n`;
  lines.splice(end, 0, line);
  return lines.join('\n');
}

export async function runSimulation(netlist: string, options: RunOptions = {}): Promise<SimulationOutput> {
  const yieldEveryMs = options.yieldEveryMs ?? 20;
  const steps = simulationSteps(netlist);
  let analysisCount = 1;
  try {
    analysisCount = Math.max(1, inspectNetlist(netlist).analyses.length);
  } catch {
    /* the generator below reports the same problem with its location */
  }
  let lastYield = Date.now();
  let result;
  for (;;) {
    if (options.signal?.aborted) throw abortError(options.signal);
    let next;
    try {
      next = steps.next();
    } catch (error) {
      throw new NetlistError(`The simulation failed: ${(error as Error).message}`);
    }
    if (next.done) {
      result = next.value;
      break;
    }
    const now = Date.now();
    if (now - lastYield >= yieldEveryMs) {
      const step = next.value;
      options.onProgress?.({
        progress: (step.analysis + step.progress) / analysisCount,
        analysis: step.analysis,
        kind: step.kind,
      });
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = Date.now();
    }
  }
  options.onProgress?.({ progress: 1, analysis: analysisCount - 1, kind: 'done' });
  return {
    rawfile: writeRawfile(result.plots),
    csv: result.plots.map((plot) => formatCsv(plot)),
    preview: { plots: result.plots.map((plot) => previewPlot(plot, options.previewBuckets ?? 1000)) },
    summary: {
      title: result.title,
      plots: result.plots.map((plot) => ({
        name: plot.name,
        points: plot.vectors[0]?.real.length ?? 0,
        vectors: plot.vectors.map((v) => v.name),
        complex: plot.complex,
      })),
      diagnostics: result.diagnostics.map((d) => `${d.severity}: ${d.message}`),
      measurements: result.measurements.map((m) => ({
        name: m.name,
        value: Number.isFinite(m.value) ? m.value : null,
        ...(m.error ? { error: m.error } : {}),
      })),
    },
  };
}

function abortError(signal: AbortSignal): SimulationAbortedError {
  const reason = signal.reason;
  if (reason instanceof SimulationAbortedError) return reason;
  return new SimulationAbortedError('cancelled', 'The simulation was cancelled.');
}

/**
 * Min/max decimation per bucket (the approach uPlot and most scope displays use): each bucket of samples
 * contributes its minimum and its maximum in time order, so spikes survive that plain subsampling would
 * drop. Plots short enough are passed through unchanged.
 */
export function decimateMinMax(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  buckets: number,
): { x: number[]; y: number[] } {
  const n = Math.min(x.length, y.length);
  if (n <= 2 * buckets)
    return { x: Array.from({ length: n }, (_, i) => x[i]), y: Array.from({ length: n }, (_, i) => y[i]) };
  const outX: number[] = [];
  const outY: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let minIndex = start;
    let maxIndex = start;
    for (let i = start + 1; i < end; i++) {
      if (y[i] < y[minIndex]) minIndex = i;
      if (y[i] > y[maxIndex]) maxIndex = i;
    }
    for (const i of minIndex === maxIndex
      ? [minIndex]
      : [Math.min(minIndex, maxIndex), Math.max(minIndex, maxIndex)]) {
      outX.push(x[i]);
      outY.push(y[i]);
    }
  }
  return { x: outX, y: outY };
}

function previewPlot(plot: Plot, buckets: number): ResultPreview['plots'][number] {
  const [scale, ...signals] = plot.vectors;
  if (!scale) return { name: plot.name, scale: '', vectors: [] };
  // .op has no scale: its "scale" is the first node voltage, previewed as one point per vector.
  const rows = scale.real.length;
  const x = rows > 1 ? scale.real : new Float64Array(rows);
  const vectors = (rows > 1 ? signals : plot.vectors).map((v) => {
    const y = v.imag ? v.real.map((re, i) => 20 * Math.log10(Math.hypot(re, v.imag![i]))) : v.real;
    return { name: v.name, ...decimateMinMax(x, y, buckets) };
  });
  return { name: plot.name, scale: rows > 1 ? scale.name : '', vectors };
}
