/**
 * The numerical engine shared by all analyses: the runtime vectors (right-hand side, solution,
 * states), the LoadContext the devices stamp through, the sparse LU, and Newton-Raphson iteration
 * with ngspice's convergence test (NIconvTest: every unknown within reltol·max(|new|,|old|) plus
 * vntol for node voltages or abstol for branch currents, and no device limited its junctions).
 */
import type { Circuit } from '../circuit/circuit';
import type { AnalysisMode, Device, LoadContext, SimulatorOptions } from '../devices/device';
import { explainSingular, nonFiniteError } from '../circuit/explain';
import { ConvergenceError, SingularMatrixError } from '../errors';
import { SparseLU, type SparseMatrix } from '../linalg';
import { NonFiniteMatrixError } from '../linalg/sparse-lu';

/** How the engine integrates charges in transient analysis (set by the transient analysis per step). */
export interface IntegrationState {
  method: 'trap' | 'gear';
  /** 1 (backward Euler) or 2 (trapezoidal / BDF2). */
  order: number;
  /** Timesteps: delta[0] is the present step, delta[1] the one before, ... */
  delta: Float64Array;
}

export class Engine implements LoadContext {
  readonly size: number;
  readonly options: SimulatorOptions;
  readonly matrixStorage: SparseMatrix;
  matrix: Float64Array;
  readonly rhs: Float64Array;
  solution: Float64Array;
  /** The iterate before the last solve; swapped with `solution` each Newton step. */
  private previous: Float64Array;
  private readonly lu: SparseLU;
  private factored = false;
  /** Copy of the matrix values last factored (linear circuits skip refactoring identical matrices). */
  private readonly factoredValues: Float64Array;
  private readonly rhsView: Float64Array;
  /** Views of `solution`/`previous` without the ground entry, swapped with them (no allocation per solve). */
  private solutionView: Float64Array;
  private previousView: Float64Array;
  /** Devices with charges or fluxes: a linear circuit reloads only these to store the solution's states. */
  readonly reactiveDevices: Device[];
  /**
   * The devices by class: the four most numerous classes each loaded by a loop of its own, the rest together.
   * A call site that only ever sees one class stays monomorphic, so V8 inlines the device's load there; one
   * loop over all devices sees every class and dispatches each call through a megamorphic lookup.
   */
  private readonly load0: Device[];
  private readonly load1: Device[];
  private readonly load2: Device[];
  private readonly load3: Device[];
  private readonly loadRest: Device[];
  /** The devices with a convergence test, split the same way. */
  private readonly check0: Device[];
  private readonly check1: Device[];
  private readonly checkRest: Device[];
  /** 0: backward Euler, 1: trapezoidal, 2: BDF2 — decided once per step, read by every integrate(). */
  private integrationKind = 0;

  mode: AnalysisMode = 'op';
  time = 0;
  sourceFactor = 1;
  gmin: number;
  temperature: number;
  firstIteration = true;
  /** See LoadContext.initJunctions: set for the first iteration of `newton(..., true)`. */
  initJunctions = false;
  /** Extra conductance from every node to ground, for gmin stepping. */
  diagonalGmin = 0;
  /**
   * Pseudo-transient continuation: a conductance from every node to its value at the last accepted pseudo
   * time point (`anchor`), i.e. a capacitor C = g·h discretised by backward Euler.
   */
  pseudoTransient: { conductance: number; anchor: Float64Array } | undefined;
  /** Unknown -> forced value (`.nodeset`, `.ic`), applied through a large conductance while set. */
  clamps: Map<number, number> | undefined;
  /** State vectors, rotated by the transient analysis; state[0] is being computed. */
  state: Float64Array[];
  ag0 = 0;
  /** Gear coefficients for history points 1 and 2 (ag0 is the leading one). */
  private ag1 = 0;
  private ag2 = 0;
  integration: IntegrationState = { method: 'trap', order: 1, delta: new Float64Array(4) };
  private limited = false;
  /** Newton iterations over the whole run, for statistics. */
  iterationCount = 0;
  /** See LoadContext.bypass: set by load() from `.options bypass` for every iteration but a Newton run's first. */
  bypass = false;
  readonly reltol: number;
  readonly vntol: number;
  readonly abstol: number;
  /** Device evaluations that bypass skipped over the whole run (statistics; tests count them). */
  bypassCount = 0;
  /**
   * Set while newton() runs: only its loads may bypass. A load() from elsewhere (sensitivities perturbing a
   * parameter and reloading at the operating point) must evaluate, or it would re-stamp the unperturbed values.
   */
  private inNewton = false;
  /** Set when the last Newton run stopped on a singular matrix (nonlinear circuits only). */
  lastSingular: SingularMatrixError | undefined;
  /** The NaN/Infinity error of the last failed Newton run, if that is how it failed. */
  lastNonFinite: ConvergenceError | undefined;
  /** The unknown that failed the last convergence test (for diagnostics). */
  worstUnknown = 0;

  constructor(readonly circuit: Circuit) {
    const n = circuit.size;
    this.size = n;
    this.options = circuit.options;
    this.reltol = circuit.options.reltol;
    this.vntol = circuit.options.vntol;
    this.abstol = circuit.options.abstol;
    this.gmin = circuit.options.gmin;
    this.temperature = circuit.temperature;
    this.matrixStorage = circuit.createMatrix();
    this.lu = new SparseLU(this.matrixStorage, { pivotThreshold: circuit.options.pivrel });
    this.matrix = this.matrixStorage.values;
    this.factoredValues = new Float64Array(this.matrix.length);
    this.rhs = new Float64Array(n + 1);
    this.rhsView = this.rhs.subarray(1);
    this.solution = new Float64Array(n + 1);
    this.previous = new Float64Array(n + 1);
    this.solutionView = this.solution.subarray(1);
    this.previousView = this.previous.subarray(1);
    this.reactiveDevices = circuit.devices.filter((d) => d.truncate !== undefined);
    [this.load0, this.load1, this.load2, this.load3, this.loadRest] = byClass(circuit.devices, 4);
    [this.check0, this.check1, this.checkRest] = byClass(
      circuit.devices.filter((d) => d.converged !== undefined),
      2,
    );
    this.state = [0, 1, 2, 3].map(() => new Float64Array(circuit.stateCount));
  }

  get timesteps(): Float64Array {
    return this.integration.delta;
  }

  nonConvergence(): void {
    this.limited = true;
  }

  bypassed(): void {
    this.bypassCount++;
  }

  /** Set the integration coefficients for the present step (see IntegrationState). */
  setIntegration(integration: IntegrationState): void {
    this.integration = integration;
    const h0 = integration.delta[0];
    this.integrationKind = integration.order === 1 ? 0 : integration.method === 'trap' ? 1 : 2;
    if (integration.order === 1) {
      this.ag0 = 1 / h0;
      this.ag1 = -1 / h0;
      this.ag2 = 0;
    } else if (integration.method === 'trap') {
      this.ag0 = 2 / h0;
      this.ag1 = 0;
      this.ag2 = 0;
    } else {
      // Variable-step BDF2: dq/dt ≈ a0·q_n + a1·q_{n−1} + a2·q_{n−2}.
      const h1 = integration.delta[1];
      this.ag0 = (2 * h0 + h1) / (h0 * (h0 + h1));
      this.ag1 = -(h0 + h1) / (h0 * h1);
      this.ag2 = h0 / (h1 * (h0 + h1));
    }
  }

  integrate(offset: number): number {
    const s0 = this.state[0];
    const s1 = this.state[1];
    let current: number;
    const kind = this.integrationKind;
    if (kind === 0) {
      current = this.ag0 * s0[offset] + this.ag1 * s1[offset];
    } else if (kind === 1) {
      // Trapezoidal rule: (i_n + i_{n−1})/2 = (q_n − q_{n−1})/h.
      current = this.ag0 * (s0[offset] - s1[offset]) - s1[offset + 1];
    } else {
      current = this.ag0 * s0[offset] + this.ag1 * s1[offset] + this.ag2 * this.state[2][offset];
    }
    s0[offset + 1] = current;
    return current;
  }

  /** Stamp every device at the present solution. */
  load(): void {
    this.matrix.fill(0);
    this.rhs.fill(0);
    this.limited = false;
    // The first iteration of a Newton run has no evaluation of this run to re-stamp (and in transient it
    // linearises at the predicted point): ngspice's MODEINITPRED / MODEINITJCT never bypass either.
    this.bypass = this.inNewton && this.options.bypass && !this.firstIteration;
    // Stamps add up, so the order of the devices does not matter (only the rounding of the sums).
    for (const device of this.load0) device.load(this);
    for (const device of this.load1) device.load(this);
    for (const device of this.load2) device.load(this);
    for (const device of this.load3) device.load(this);
    for (const device of this.loadRest) device.load(this);
    const diagonal = this.circuit.nodeDiagonal;
    if (this.diagonalGmin > 0) {
      for (let k = 1; k < diagonal.length; k++) this.matrix[diagonal[k]] += this.diagonalGmin;
    }
    if (this.pseudoTransient) {
      const { conductance, anchor } = this.pseudoTransient;
      for (let k = 1; k < diagonal.length; k++) {
        if (diagonal[k] === 0) continue;
        this.matrix[diagonal[k]] += conductance;
        this.rhs[k] += conductance * anchor[k];
      }
    }
    if (this.clamps) {
      // A large conductance to the forced value, as ngspice does for .nodeset and .ic (cktload.c).
      for (const [unknown, value] of this.clamps) {
        this.matrix[diagonal[unknown]] += CLAMP_CONDUCTANCE;
        this.rhs[unknown] += CLAMP_CONDUCTANCE * value;
      }
    }
  }

  /** Factor the loaded matrix and solve into `previous`, then swap it with `solution`. */
  private solve(): void {
    const values = this.matrix;
    let reuse = false;
    if (this.factored && this.circuit.linear) {
      reuse = true;
      const saved = this.factoredValues;
      for (let k = 0; k < values.length; k++) {
        if (values[k] !== saved[k]) {
          reuse = false;
          break;
        }
      }
    }
    if (!reuse) {
      let status;
      try {
        status = this.factored ? this.lu.refactor() : this.lu.factor();
      } catch (error) {
        throw this.explainFactorError(error);
      }
      if (!status.ok) throw this.singular(status.singularColumn + 1);
      this.factored = true;
      if (this.circuit.linear) this.factoredValues.set(values);
    }
    const next = this.previous;
    const nextView = this.previousView;
    this.lu.solve(this.rhsView, nextView);
    next[0] = 0;
    this.previous = this.solution;
    this.previousView = this.solutionView;
    this.solution = next;
    this.solutionView = nextView;
  }

  /**
   * Newton-Raphson from the present solution. Returns true when converged within `maxIterations`.
   * A linear circuit converges in one solve (its equations are exact at any iterate).
   */
  newton(maxIterations: number, initJunctions = false): boolean {
    this.inNewton = true;
    try {
      return this.iterate(maxIterations, initJunctions);
    } finally {
      // Loads outside Newton (sensitivities, noise, a device reloaded in another's place) never bypass.
      this.inNewton = false;
      this.bypass = false;
    }
  }

  private iterate(maxIterations: number, initJunctions: boolean): boolean {
    this.firstIteration = true;
    this.initJunctions = initJunctions;
    this.lastSingular = undefined;
    this.lastNonFinite = undefined;
    for (let iteration = 0; iteration < maxIterations; iteration++) {
      this.load();
      if (this.circuit.linear) {
        this.solve();
      } else {
        // A nonlinear iterate can make the matrix singular (every junction off, a node held only by gmin);
        // that is a failed iteration for the convergence aids to cure, as in ngspice, not the end.
        try {
          this.solve();
        } catch (error) {
          // NaN or Infinity in the matrix: also a failed iterate (an overflowed exponential, say).
          if (error instanceof ConvergenceError) {
            this.lastNonFinite = error;
            return false;
          }
          if (!(error instanceof SingularMatrixError)) throw error;
          this.lastSingular = error;
          return false;
        }
      }
      this.iterationCount++;
      this.initJunctions = false;
      if (!this.finite()) return false;
      this.firstIteration = false;
      if (this.circuit.linear) {
        // The equations are exact at any iterate, so one solve is the answer; load once more so that
        // the devices' charges and currents in state[0] are those of the solution, not of the guess.
        if (this.mode === 'tran') for (const device of this.reactiveDevices) device.load(this);
        return true;
      }
      if (this.limited || iteration === 0) continue;
      if (this.solutionConverged() && this.devicesConverged()) return true;
    }
    return false;
  }

  /**
   * The unknowns whose last Newton update was largest relative to its tolerance (reltol·|x| + vntol|abstol),
   * worst first: where a failed iteration was still moving.
   */
  largestUpdates(count: number): Array<{ unknown: number; value: number; update: number }> {
    const { reltol, vntol, abstol } = this.options;
    const kinds = this.circuit.unknownKinds;
    const ranked: Array<{ unknown: number; value: number; update: number; score: number }> = [];
    for (let k = 1; k < this.solution.length; k++) {
      const value = this.solution[k];
      const update = value - this.previous[k];
      const tolerance =
        reltol * Math.max(Math.abs(value), Math.abs(this.previous[k])) +
        (kinds[k] === 'node' ? vntol : abstol);
      const score = Number.isFinite(update) ? Math.abs(update) / tolerance : Infinity;
      if (score > 1) ranked.push({ unknown: k, value, update, score });
    }
    ranked.sort((a, b) => b.score - a.score);
    return ranked.slice(0, count).map(({ unknown, value, update }) => ({ unknown, value, update }));
  }

  private finite(): boolean {
    const x = this.solution;
    for (let k = 1; k < x.length; k++) {
      if (!Number.isFinite(x[k])) {
        this.worstUnknown = k;
        return false;
      }
    }
    return true;
  }

  private solutionConverged(): boolean {
    const { reltol, vntol, abstol } = this.options;
    const x = this.solution;
    const old = this.previous;
    const kinds = this.circuit.unknownKinds;
    for (let k = 1; k < x.length; k++) {
      const a = x[k];
      const b = old[k];
      const tol = reltol * Math.max(Math.abs(a), Math.abs(b)) + (kinds[k] === 'node' ? vntol : abstol);
      if (Math.abs(a - b) > tol) {
        this.worstUnknown = k;
        return false;
      }
    }
    return true;
  }

  private devicesConverged(): boolean {
    for (const device of this.check0) if (!device.converged!(this)) return false;
    for (const device of this.check1) if (!device.converged!(this)) return false;
    for (const device of this.checkRest) if (!device.converged!(this)) return false;
    return true;
  }

  /** An error thrown by factoring, in the user's terms when it is NaN or Infinity in the matrix. */
  explainFactorError(error: unknown): unknown {
    if (!(error instanceof NonFiniteMatrixError)) return error;
    const unknown = error.column + 1;
    return nonFiniteError(
      this.circuit.flat,
      this.circuit.unknownNames[unknown],
      this.circuit.unknownKinds[unknown],
    );
  }

  /** A SingularMatrixError naming the unknown as the user wrote it, and the elements around it. */
  singular(unknown: number): SingularMatrixError {
    const circuit = this.circuit;
    const what = circuit.describeUnknown(unknown);
    const name = circuit.unknownNames[unknown];
    const { hint, loc } = explainSingular(circuit.flat, name, circuit.unknownKinds[unknown]);
    return new SingularMatrixError(`singular matrix: ${what} cannot be solved for`, name, hint, loc);
  }
}

/**
 * `devices` split into the `count` most numerous classes (one list each, largest first, empty lists when
 * there are fewer classes) and one list of all the others, each in circuit order.
 */
function byClass(devices: readonly Device[], count: number): Device[][] {
  const groups = new Map<unknown, Device[]>();
  for (const device of devices) {
    const key = Object.getPrototypeOf(device) as unknown;
    const group = groups.get(key);
    if (group) group.push(device);
    else groups.set(key, [device]);
  }
  const ranked = [...groups.values()].sort((a, b) => b.length - a.length);
  const lists: Device[][] = [];
  for (let k = 0; k < count; k++) lists.push(ranked[k] ?? []);
  lists.push(ranked.slice(count).flat());
  return lists;
}

/** Conductance used to force .nodeset/.ic values (ngspice uses 1e10 in cktload.c). */
const CLAMP_CONDUCTANCE = 1e10;
