/**
 * Transient analysis (.tran tstep tstop [tstart [tmax]] [uic]).
 *
 * Follows the structure of SPICE's DCtran: an initial operating point (or the .ic/IC= values with uic),
 * then time steps with the trapezoidal rule (default) or BDF2 (`.options method=gear`), order 1
 * (backward Euler) at the start and after every breakpoint. Each step is accepted or rejected by the
 * local truncation error of every charge and flux, estimated from divided differences of the stored
 * charges (Nagel, "SPICE2", ch. 5; ngspice's CKTterr), and cut by 8 when Newton fails. Breakpoints of the
 * sources are hit exactly. Every accepted point at or after tstart is output, as ngspice does.
 */
import type { Circuit } from '../circuit/circuit';
import type { Device, TruncateContext } from '../devices/device';
import { elementsAround, lookAt } from '../circuit/explain';
import { TimestepTooSmallError } from '../errors';
import type { ColumnBuilder } from './columns';
import type { Engine, IntegrationState } from './engine';
import { solveOperatingPoint } from './op';

export interface TransientSettings {
  tstep: number;
  tstop: number;
  tstart: number;
  tmax?: number;
  uic: boolean;
  /** `.ic` values by unknown. */
  initialConditions: Map<number, number>;
  nodesets: Map<number, number>;
  log: (line: string) => void;
}

/** Truncation-error coefficients by method and order (index = order − 1), as ngspice's trcoeff tables. */
const TRUNCATION_FACTOR = { trap: [0.5, 1 / 12], gear: [0.5, 2 / 9] };

/**
 * Run the transient, appending each output point to `output` as [time, ...unknowns]; yields progress
 * (fraction of tstop) after every accepted step.
 */
export function* transientAnalysis(
  engine: Engine,
  settings: TransientSettings,
  output: ColumnBuilder,
  select: (solution: Float64Array, row: Float64Array) => void,
): Generator<number, void> {
  const circuit = engine.circuit;
  const options = engine.options;
  const { tstep, tstop, tstart } = settings;
  const tmax = settings.tmax && settings.tmax > 0 ? settings.tmax : Math.min(tstep, (tstop - tstart) / 50);
  const minimumStep = 1e-11 * tmax;
  // Corners closer than this are one corner (ngspice's CKTminBreak): two sources' edges a rounding
  // error apart would otherwise force a step of 1e-24 s between them, which no matrix survives.
  const minimumBreak = 5e-5 * tmax;
  const maxOrder = Math.min(2, Math.max(1, options.maxord));
  const method = options.method;

  for (const device of circuit.devices) device.beginTransient?.(tstep, tstop);
  // With uic the start is not a solution, so ngspice also forces a time point at tstep.
  const breakpoints = collectBreakpoints(circuit, tstop, minimumBreak, settings.uic ? [tstep] : []);

  // Initial point.
  engine.time = 0;
  if (settings.uic) {
    engine.solution.fill(0);
    for (const [unknown, value] of settings.initialConditions) engine.solution[unknown] = value;
  } else {
    engine.mode = 'tranop';
    solveOperatingPoint(engine, {
      nodesets: settings.nodesets,
      initialConditions: settings.initialConditions,
      log: settings.log,
    });
    engine.clamps = undefined;
  }
  engine.mode = 'tran';
  const [s0, s1] = engine.state;
  s1.fill(0);
  for (const device of circuit.devices) device.initialConditions?.(engine.solution, s1, settings.uic);
  s0.set(s1);
  engine.state[2].set(s1);
  engine.state[3].set(s1);

  const row = new Float64Array(output.specs.length);
  const emit = (time: number): void => {
    row[0] = time;
    select(engine.solution, row);
    output.push(row);
  };
  // With uic the node voltages at time 0 are not a solution of the circuit (IC= values live in the
  // devices), so ngspice outputs no point there; neither do we.
  if (tstart <= 0 && !settings.uic) emit(0);

  let time = 0;
  let delta = Math.min(tstop / 100, tstep) / 10;
  let order = 1;
  const history = new Float64Array(4).fill(delta);
  const integration: IntegrationState = { method, order, delta: history };
  const saved = new Float64Array(engine.solution.length);
  let nextBreak = 0;
  while (nextBreak < breakpoints.length && breakpoints[nextBreak] <= 0) nextBreak++;
  // The start behaves like a breakpoint: backward Euler, a step limited by the next corner, and a tenth
  // of that for the very first step (as SPICE does to keep device currents from ringing).
  delta = Math.min(delta, 0.1 * (breakpoints[nextBreak] ?? tstop)) / 10;

  const truncation = new TruncationEstimator(engine, history, options);

  while (time < tstop - minimumStep) {
    delta = Math.min(delta, tmax);
    const naturalDelta = delta;
    let hitsBreakpoint = false;
    const target = breakpoints[nextBreak];
    // A step ending within minimumBreak of a corner is stretched onto it: stopping short would leave a
    // sliver of a step (rounding-error sized) that no Newton iteration survives.
    if (target !== undefined && time + delta >= target - minimumBreak) {
      delta = target - time;
      hitsBreakpoint = true;
    }

    rotateStates(engine);
    history.copyWithin(1, 0, 3);
    history[0] = delta;
    integration.order = order;
    engine.setIntegration(integration);
    truncation.prepare(order, method);
    engine.time = time + delta;
    saved.set(engine.solution);

    const converged = engine.newton(options.itl4);
    let newDelta = converged ? truncationTimestep(engine.reactiveDevices, truncation) : Infinity;
    // As ngspice's DCtran, the very first time point is accepted once Newton converges: the charges of the
    // initial point (especially with uic) carry no history for a meaningful truncation-error estimate.
    const firstPoint = time === 0;
    if (!converged || (newDelta < 0.9 * delta && !firstPoint)) {
      // Reject the step: restore the previous point and retry with a smaller step.
      unrotateStates(engine);
      history.copyWithin(0, 1, 4);
      engine.solution.set(saved);
      delta = converged ? newDelta : delta / 8;
      if (!converged) order = 1;
      if (delta < minimumStep) throw timestepTooSmall(engine, time, converged);
      continue;
    }

    time += delta;
    if (time >= tstart - minimumStep) emit(time);
    yield time / tstop;

    if (hitsBreakpoint) {
      nextBreak++;
      while (nextBreak < breakpoints.length && breakpoints[nextBreak] <= time + minimumBreak) nextBreak++;
      // Restart with backward Euler and a small step after a corner, as SPICE does.
      order = 1;
      const gap = (breakpoints[nextBreak] ?? tstop) - time;
      delta = Math.min(newDelta, delta, 0.1 * Math.min(naturalDelta, gap));
    } else {
      if (order === 1 && maxOrder > 1) {
        // Raise the order only when the second-order error estimate allows a clearly larger step
        // (as SPICE does); near corners it does not, and backward Euler carries on.
        order = 2;
        truncation.prepare(order, method);
        const secondOrderDelta = truncationTimestep(engine.reactiveDevices, truncation);
        if (secondOrderDelta > 1.05 * delta) newDelta = secondOrderDelta;
        else order = 1;
      }
      delta = Math.min(2 * delta, newDelta);
    }
  }
}

/** The smallest step any device's truncation error allows (Infinity for a circuit without charges). */
function truncationTimestep(devices: readonly Device[], truncation: TruncateContext): number {
  let step = Infinity;
  for (const device of devices) {
    const proposed = device.truncate!(truncation);
    if (proposed < step) step = proposed;
  }
  return step;
}

/** Shift the state ring: the buffer of the oldest point becomes state[0] for the new point. */
function rotateStates(engine: Engine): void {
  const s = engine.state;
  const oldest = s[3];
  s[3] = s[2];
  s[2] = s[1];
  s[1] = s[0];
  s[0] = oldest;
}

function unrotateStates(engine: Engine): void {
  const s = engine.state;
  const newest = s[0];
  s[0] = s[1];
  s[1] = s[2];
  s[2] = s[3];
  s[3] = newest;
}

/**
 * The largest step that keeps the local truncation error of a charge (or flux) within tolerance.
 * The error is estimated from the (order+1)-th divided difference of the stored charges over the last
 * order+2 points; the tolerance is the larger of a current tolerance (abstol + reltol·|i|) and a charge
 * tolerance (reltol·max(|q|, chgtol)/h), relaxed by trtol, as SPICE does (Nagel, SPICE2, ch. 5).
 */
class TruncationEstimator implements TruncateContext {
  private order = 1;
  private factor = 0.5;

  constructor(
    private readonly engine: Engine,
    /** history[0] is the present step, history[1] the one before, ... */
    private readonly history: Float64Array,
    private readonly options: { reltol: number; abstol: number; chgtol: number; trtol: number },
  ) {}

  prepare(order: number, method: 'trap' | 'gear'): void {
    this.order = order;
    this.factor = TRUNCATION_FACTOR[method][order - 1];
  }

  chargeTimestep(offset: number): number {
    const { reltol, abstol, chgtol, trtol } = this.options;
    const s = this.engine.state;
    const h = this.history;
    const q0 = s[0][offset];
    const q1 = s[1][offset];
    const q2 = s[2][offset];
    const currentTolerance =
      abstol + reltol * Math.max(Math.abs(s[0][offset + 1]), Math.abs(s[1][offset + 1]));
    const chargeTolerance = (reltol * Math.max(Math.abs(q0), Math.abs(q1), chgtol)) / h[0];
    const tolerance = Math.max(currentTolerance, chargeTolerance);
    // Divided differences over points t0 > t1 > ... spaced by h[0], h[1], ...
    const first01 = (q0 - q1) / h[0];
    const first12 = (q1 - q2) / h[1];
    const second012 = (first01 - first12) / (h[0] + h[1]);
    let difference: number;
    if (this.order === 1) {
      difference = second012;
    } else {
      const first23 = (q2 - s[3][offset]) / h[2];
      const second123 = (first12 - first23) / (h[1] + h[2]);
      difference = (second012 - second123) / (h[0] + h[1] + h[2]);
    }
    const step = (trtol * tolerance) / Math.max(abstol, this.factor * Math.abs(difference));
    return this.order === 1 ? step : Math.sqrt(step);
  }
}

/** All source corners in (0, tstop], sorted, merged when closer than `minimumBreak`; tstop last. */
function collectBreakpoints(
  circuit: Circuit,
  tstop: number,
  minimumBreak: number,
  extra: number[],
): number[] {
  const times: number[] = [...extra];
  for (const device of circuit.devices) device.breakpoints?.(0, tstop, (t) => times.push(t));
  times.push(tstop);
  times.sort((a, b) => a - b);
  const merged: number[] = [];
  for (const t of times) {
    if (t <= 0 || t > tstop) continue;
    if (merged.length === 0 || t - merged[merged.length - 1] > minimumBreak) merged.push(t);
  }
  // The stop time is a corner of its own; one just before it moves onto it rather than leave a sliver.
  if (tstop - merged[merged.length - 1] <= minimumBreak) merged[merged.length - 1] = tstop;
  else merged.push(tstop);
  return merged;
}

function timestepTooSmall(engine: Engine, time: number, newtonConverged: boolean): TimestepTooSmallError {
  const circuit = engine.circuit;
  const worst = engine.worstUnknown;
  const nodes = worst > 0 ? [circuit.unknownNames[worst]] : [];
  const cause = newtonConverged
    ? 'the truncation error stays too large'
    : 'Newton iteration does not converge';
  const where = worst > 0 ? ` near ${circuit.describeUnknown(worst)}` : '';
  const around =
    worst > 0 ? elementsAround(circuit.flat, circuit.unknownNames[worst], circuit.unknownKinds[worst]) : [];
  const look = lookAt(around);
  return new TimestepTooSmallError(
    `timestep too small at t = ${time.toExponential(6)} s: ${cause}${where}`,
    time,
    nodes,
    `${look ? `${look}; ` : ''}look for discontinuities (ideal switches, zero rise times, behavioural expressions ` +
      'with jumps), add small capacitances to nodes that jump, raise .options itl4, or try .options method=gear',
    around[0]?.loc,
  );
}
