/**
 * DC operating point: Newton-Raphson from the present solution; when it fails, the convergence aids
 * in ngspice's order (CKTop): gmin stepping (a shunt conductance on every node, relaxed decade by
 * decade), then source stepping (independent sources ramped from 0 to their value). Every aid that
 * runs is reported through `log`. A point that still fails raises a ConvergenceError naming the worst
 * nodes and concrete suggestions.
 */
import { ConvergenceError } from '../errors';
import type { Engine } from './engine';

export interface OperatingPointOptions {
  /** `.nodeset` values by unknown: held for a first solve, then released. */
  nodesets?: Map<number, number>;
  /** `.ic` values by unknown: held for the whole solve (the transient's initial point without uic). */
  initialConditions?: Map<number, number>;
  log?: (line: string) => void;
  /** Iteration limit for plain Newton (itl1 for .op, itl2 for DC sweep points). */
  maxIterations?: number;
}

export function solveOperatingPoint(engine: Engine, options: OperatingPointOptions = {}): void {
  const log = options.log ?? (() => undefined);
  const maxIterations = options.maxIterations ?? engine.options.itl1;
  engine.sourceFactor = 1;
  engine.diagonalGmin = 0;
  const held = options.initialConditions?.size ? options.initialConditions : undefined;
  if (options.nodesets?.size) {
    engine.clamps = mergeClamps(options.nodesets, held);
    engine.newton(maxIterations, true);
  }
  engine.clamps = held;
  const start = engine.solution.slice();
  if (engine.newton(maxIterations, !options.nodesets?.size)) return;

  if (engine.options.gminsteps > 0 && gminStepping(engine, start, maxIterations, log)) return;
  if (engine.options.srcsteps > 0 && sourceStepping(engine, maxIterations, log)) return;
  engine.clamps = undefined;
  throw convergenceFailure(engine);
}

function mergeClamps(a: Map<number, number>, b: Map<number, number> | undefined): Map<number, number> {
  const merged = new Map(a);
  if (b) for (const [k, v] of b) merged.set(k, v);
  return merged;
}

/** Diagonal gmin stepping: start at 1e-2 S from every node to ground and divide by 10 down to gmin. */
function gminStepping(engine: Engine, start: Float64Array, maxIterations: number, log: (line: string) => void): boolean {
  log('Starting gmin stepping');
  engine.solution.set(start);
  let gmin = 1e-2;
  const steps = Math.max(engine.options.gminsteps, Math.ceil(Math.log10(gmin / engine.options.gmin)));
  for (let step = 0; step <= steps && gmin > engine.options.gmin; step++) {
    engine.diagonalGmin = gmin;
    if (!engine.newton(maxIterations, step === 0)) {
      log(`gmin step failed at gmin = ${gmin.toExponential(2)}`);
      engine.diagonalGmin = 0;
      return false;
    }
    gmin /= 10;
  }
  engine.diagonalGmin = 0;
  const ok = engine.newton(maxIterations);
  log(ok ? 'gmin stepping completed' : 'gmin stepping failed at the last step');
  return ok;
}

/** Source stepping: ramp every independent source from 0 to 100 %, halving the step after a failure. */
function sourceStepping(engine: Engine, maxIterations: number, log: (line: string) => void): boolean {
  log('Starting source stepping');
  engine.solution.fill(0);
  let factor = 0;
  let step = 1 / engine.options.srcsteps;
  let good = engine.solution.slice();
  engine.sourceFactor = 0;
  if (!engine.newton(maxIterations, true)) {
    engine.sourceFactor = 1;
    log('source stepping failed with all sources at 0');
    return false;
  }
  good = engine.solution.slice();
  while (factor < 1) {
    const next = Math.min(1, factor + step);
    engine.sourceFactor = next;
    if (engine.newton(maxIterations)) {
      factor = next;
      good = engine.solution.slice();
      step = Math.min(step * 1.5, 1);
    } else {
      engine.solution.set(good);
      step /= 4;
      if (step < 1e-6) {
        log(`source stepping failed at ${(factor * 100).toPrecision(3)} % of the sources`);
        engine.sourceFactor = 1;
        return false;
      }
    }
  }
  engine.sourceFactor = 1;
  log('source stepping completed');
  return true;
}

function convergenceFailure(engine: Engine): ConvergenceError {
  const circuit = engine.circuit;
  const worst = engine.worstUnknown;
  const nodes = worst > 0 ? [circuit.unknownNames[worst]] : [];
  const where = worst > 0 ? ` (worst: ${circuit.describeUnknown(worst)})` : '';
  const suggestions = [
    'check for floating nodes or nodes without a DC path to ground',
    'give the operating point a hint with .nodeset v(node)=value',
    'raise the iteration limit with .options itl1=500',
    'add series resistance to ideal sources and inductors, and a little capacitance to high-impedance nodes',
  ];
  return new ConvergenceError(`DC operating point did not converge${where}`, nodes, suggestions);
}
