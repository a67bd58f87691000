/**
 * One live simulation of a schematic (what the Web Worker runs, sim-worker.ts, and what the tests call
 * directly): the operating point for the node-voltage annotations, then the sheet's own transient/AC
 * analysis when probes ask for waveforms, returned as waveform MIME bundles (kernel/README.md, v1).
 * Errors come back as data: the kind, message, hint, the node (SingularMatrixError, ConvergenceError) or the
 * netlist line (ParseError, CircuitError) so the editor can point at the failing net or part.
 */
import {
  CircuitError,
  ConvergenceError,
  ParseError,
  SingularMatrixError,
  SpiceError,
  TimestepTooSmallError,
  simulateNetlist,
} from '@spicesim/solver';
import { toBundle } from '@spicesim/kernel/dist/bundle';
import type { WaveformBundle } from '@spicesim/kernel/dist/waveform/schema';

export interface SimulationRequest {
  id: number;
  /** The schematic's netlist with `.op` as the only analysis. */
  opNetlist: string;
  /** The netlist with the sheet's analyses (only when probes want waveforms). */
  analysisNetlist?: string;
  /** Solver vector names of the probes (`v(out)`, `i(vprobe_r1_p)`). */
  probeVectors: string[];
}

export interface SimulationFailure {
  kind: string;
  message: string;
  hint?: string;
  /** Node or branch the solver named (lower-case as flattened). */
  nodes?: string[];
  /** 1-based netlist line. */
  line?: number;
  analysis: 'op' | 'analysis';
}

export interface SimulationReply {
  id: number;
  /** Node voltages and source currents of the operating point, by solver vector name. */
  operatingPoint?: Record<string, number>;
  bundles: WaveformBundle[];
  error?: SimulationFailure;
  /** Non-fatal problems (e.g. the analysis failed but the operating point is shown). */
  messages: string[];
  elapsedMs: number;
}

export function runSimulation(
  request: SimulationRequest,
  now: () => number = () => Date.now(),
): SimulationReply {
  const started = now();
  const reply: SimulationReply = { id: request.id, bundles: [], messages: [], elapsedMs: 0 };
  try {
    const op = simulateNetlist(request.opNetlist).plots[0];
    const operatingPoint: Record<string, number> = {};
    for (const vector of op.vectors) operatingPoint[vector.name.toLowerCase()] = vector.real[0];
    reply.operatingPoint = operatingPoint;
  } catch (error) {
    reply.error = describeError(error, 'op');
    reply.elapsedMs = now() - started;
    return reply;
  }
  if (request.analysisNetlist && request.probeVectors.length > 0) {
    try {
      const result = simulateNetlist(request.analysisNetlist);
      for (const plot of result.plots) {
        if (plot.name.toLowerCase().startsWith('operating point')) continue;
        const present = request.probeVectors.filter((name) =>
          plot.vectors.some((v) => v.name.toLowerCase() === name),
        );
        if (present.length === 0) continue;
        // Voltages and currents in separate panes (different units and scales).
        const voltages = present.filter((name) => !name.startsWith('i('));
        const currents = present.filter((name) => name.startsWith('i('));
        reply.bundles.push(
          toBundle(plot as unknown as Parameters<typeof toBundle>[0], {
            panes: [voltages, currents].filter((pane) => pane.length > 0),
            title: `${plot.title}: ${plot.name}`,
          }),
        );
      }
      if (reply.bundles.length === 0)
        reply.messages.push('probes are placed but the sheet has no .tran or .ac analysis to plot');
    } catch (error) {
      reply.error = describeError(error, 'analysis');
    }
  }
  reply.elapsedMs = now() - started;
  return reply;
}

/**
 * The error class's name, by instanceof: `error.name` comes from the constructor's name, which a minifying
 * production build renames.
 */
function errorKind(error: SpiceError): string {
  if (error instanceof SingularMatrixError) return 'SingularMatrixError';
  if (error instanceof ConvergenceError) return 'ConvergenceError';
  if (error instanceof TimestepTooSmallError) return 'TimestepTooSmallError';
  if (error instanceof ParseError) return 'ParseError';
  if (error instanceof CircuitError) return 'CircuitError';
  return 'SpiceError';
}

export function describeError(error: unknown, analysis: 'op' | 'analysis'): SimulationFailure {
  if (error instanceof SpiceError) {
    const failure: SimulationFailure = { kind: errorKind(error), message: error.message, analysis };
    if (error.hint) failure.hint = error.hint;
    if (error instanceof SingularMatrixError) failure.nodes = [error.node];
    if (error instanceof ConvergenceError) failure.nodes = [...error.nodes];
    if ((error instanceof CircuitError || error instanceof ParseError) && error.loc)
      failure.line = error.loc.line;
    else if (error.loc) failure.line = error.loc.line;
    return failure;
  }
  return { kind: 'Error', message: error instanceof Error ? error.message : String(error), analysis };
}
