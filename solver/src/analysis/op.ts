/**
 * DC operating point: Newton-Raphson from the present solution; when it fails, the convergence aids
 * in ngspice's order (CKTop): gmin stepping (a shunt conductance on every node, relaxed decade by
 * decade), then source stepping (independent sources ramped from 0 to their value), then pseudo-transient
 * continuation (a capacitor from every node to ground, integrated by backward Euler with a growing pseudo
 * timestep until the capacitors no longer matter). Every aid that runs is reported through `log`. A point that still fails raises a ConvergenceError naming the worst
 * nodes and concrete suggestions.
 */
import { elementsAround, lookAt } from '../circuit/explain';
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
  const singular = engine.lastSingular;
  const failed = diagnose(engine);
  if (pseudoTransient(engine, start, maxIterations, log)) return;
  engine.clamps = undefined;
  // A matrix that stays singular whatever the aids do is a topology problem: say which node.
  if (singular && engine.lastSingular) throw engine.lastSingular;
  // NaN or Infinity in the equations to the end: name where, rather than what was still moving.
  if (engine.lastNonFinite) throw engine.lastNonFinite;
  throw convergenceFailure(engine, failed);
}

function mergeClamps(a: Map<number, number>, b: Map<number, number> | undefined): Map<number, number> {
  const merged = new Map(a);
  if (b) for (const [k, v] of b) merged.set(k, v);
  return merged;
}

/**
 * Dynamic gmin stepping (ngspice's dynamic_gmin): a conductance from every node to ground, starting at
 * 1e-3 S and divided by an adaptive factor (10 at most) after each converged step; after a failure the
 * last good solution is restored and the factor shrinks to its fourth root, so a hard region is crossed in
 * smaller steps. Gives up when the factor no longer moves gmin, or after a bounded number of steps.
 */
function gminStepping(
  engine: Engine,
  start: Float64Array,
  maxIterations: number,
  log: (line: string) => void,
): boolean {
  log('Starting gmin stepping');
  engine.solution.set(start);
  const maxFactor = 10;
  const perStep = Math.max(10, engine.options.itl2);
  const target = engine.options.gmin;
  let factor = maxFactor;
  let oldGmin = 1e-2;
  engine.diagonalGmin = oldGmin / factor;
  let good = engine.solution.slice();
  let first = true;
  for (let step = 0; step < 1000; step++) {
    const before = engine.iterationCount;
    const converged = engine.newton(perStep, first);
    if (converged) {
      first = false;
      good = engine.solution.slice();
      if (engine.diagonalGmin <= target) break;
      const iterations = engine.iterationCount - before;
      if (iterations <= perStep / 4) factor = Math.min(factor * Math.sqrt(factor), maxFactor);
      if (iterations > (3 * perStep) / 4) factor = Math.sqrt(factor);
      oldGmin = engine.diagonalGmin;
      if (engine.diagonalGmin < factor * target) {
        engine.diagonalGmin = target;
      } else {
        engine.diagonalGmin /= factor;
      }
    } else {
      if (factor < 1.00005) {
        log(`gmin step failed at gmin = ${engine.diagonalGmin.toExponential(2)}`);
        engine.diagonalGmin = 0;
        return false;
      }
      factor = Math.sqrt(Math.sqrt(factor));
      engine.diagonalGmin = oldGmin / factor;
      engine.solution.set(good);
    }
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

/**
 * Pseudo-transient continuation (Kelley & Keyes 1998; the "ptran" aid of commercial SPICEs): solve
 * F(x) + g·(x − x_prev) = 0 for a sequence of pseudo time points, the conductance g = C/h shrinking as
 * the pseudo timestep h grows after each success and growing again after a failure. It finds operating
 * points of circuits that gmin and source stepping cannot (bistables, positive-feedback loops) because
 * it follows a physical charging trajectory. Bounded by a step count.
 */
function pseudoTransient(
  engine: Engine,
  start: Float64Array,
  maxIterations: number,
  log: (line: string) => void,
): boolean {
  log('Starting pseudo-transient continuation');
  engine.sourceFactor = 1;
  engine.diagonalGmin = 0;
  engine.solution.set(start);
  const anchor = start.slice();
  let conductance = 1e-2;
  const floor = engine.options.gmin;
  let accepted = engine.solution.slice();
  let first = true;
  for (let step = 0; step < 400; step++) {
    engine.pseudoTransient = { conductance, anchor };
    const converged = engine.newton(Math.min(maxIterations, 50), first);
    if (converged) {
      first = false;
      accepted = engine.solution.slice();
      anchor.set(accepted);
      if (conductance <= floor) break;
      conductance /= 4;
    } else {
      engine.solution.set(accepted);
      conductance *= 8;
      if (conductance > 1e6) break;
    }
  }
  engine.pseudoTransient = undefined;
  if (first) {
    log('pseudo-transient continuation failed: no pseudo time point converged');
    return false;
  }
  const ok = engine.newton(maxIterations);
  log(
    ok ? 'pseudo-transient continuation completed' : 'pseudo-transient continuation failed at the last step',
  );
  return ok;
}

interface FailureSnapshot {
  worst: Array<{ unknown: number; value: number; update: number }>;
}

/** Where Newton was still moving when the aids gave up (taken before continuation changes the iterate). */
function diagnose(engine: Engine): FailureSnapshot {
  return { worst: engine.largestUpdates(3) };
}

function convergenceFailure(engine: Engine, failed: FailureSnapshot): ConvergenceError {
  const circuit = engine.circuit;
  let worst = failed.worst;
  if (worst.length === 0 && engine.worstUnknown > 0) {
    worst = [{ unknown: engine.worstUnknown, value: engine.solution[engine.worstUnknown], update: NaN }];
  }
  const nodes = worst.map((w) => circuit.unknownNames[w.unknown]);
  const describe = (w: { unknown: number; value: number; update: number }): string => {
    const value = Number.isFinite(w.value) ? `${w.value.toPrecision(4)}` : 'not finite';
    const update = Number.isFinite(w.update) ? `, last update ${w.update.toPrecision(3)}` : '';
    return `${circuit.describeUnknown(w.unknown)} (at ${value}${update})`;
  };
  const where = worst.length ? `; still moving: ${worst.map(describe).join(', ')}` : '';
  const suggestions: string[] = [];
  const around = worst.length
    ? elementsAround(
        circuit.flat,
        circuit.unknownNames[worst[0].unknown],
        circuit.unknownKinds[worst[0].unknown],
      )
    : [];
  const look = lookAt(around);
  if (look) suggestions.push(look);
  const runaway = worst.filter(
    (w) => circuit.unknownKinds[w.unknown] === 'node' && !(Math.abs(w.value) < 1e4),
  );
  for (const w of runaway) {
    suggestions.push(
      `node '${circuit.unknownNames[w.unknown]}' runs away to ${Number.isFinite(w.value) ? w.value.toExponential(2) : 'infinity'} V: ` +
        'check that it has a DC path to ground and that no current source or diode string forces current into it',
    );
  }
  const settled = worst.filter((w) => circuit.unknownKinds[w.unknown] === 'node' && Math.abs(w.value) < 1e4);
  if (settled.length) {
    suggestions.push(
      `give the operating point a hint: .nodeset ${settled.map((w) => `v(${circuit.unknownNames[w.unknown]})=${w.value.toPrecision(3)}`).join(' ')} ` +
        '(or the values you expect there)',
    );
  } else {
    suggestions.push('give the operating point a hint with .nodeset v(node)=value');
  }
  suggestions.push(
    'check for floating nodes or nodes without a DC path to ground',
    `raise the iteration limit: .options itl1=${Math.max(500, engine.options.itl1 * 5)}`,
    'add series resistance to ideal sources, diodes and inductors (e.g. RS on diode models), and a little capacitance to high-impedance nodes',
    'check behavioural expressions for values without a solution or with discontinuities',
  );
  return new ConvergenceError(
    `DC operating point did not converge after gmin stepping, source stepping and pseudo-transient continuation${where}`,
    nodes,
    suggestions,
    around[0]?.loc,
  );
}
