/**
 * The device contract. Every element of a circuit is a Device behind this one small interface
 * (in the manner of Gnucap's d_* files and SpiceSharp's behaviours):
 *   - `setup` runs once per circuit: it names the unknowns the device needs (branch currents),
 *     reserves the matrix entries it will ever touch (handles) and its state slots;
 *   - `load` runs every Newton iteration and only adds into the reserved slots; it never allocates;
 *   - `acLoad` stamps the small-signal complex admittances at the operating point;
 *   - `truncate` proposes a timestep from the local truncation error of the device's charges/fluxes;
 *   - `breakpoints` reports times where the device's waveform has corners.
 * The integration method lives in the analysis (`LoadContext.integrate`), never in a device.
 */
import type { ElementCard, FlatCircuit, ModelCard } from '../circuit/flat';

/** Index of a node or branch unknown in the solution vector; 0 is ground (always 0 V). */
export type Unknown = number;
/** Index into the matrix values (real `matrix`, or `re`/`im` in AC); handle 0 is a trash slot (ground stamps). */
export type Handle = number;

export interface SetupContext {
  /** The unknown of a node by its flattened name ('0' is ground: 0). Creates the node on first use. */
  node(name: string): Unknown;
  /** Allocate a branch-current unknown owned by this element (its current is reported as `i(name)`). */
  branch(elementName: string): Unknown;
  /** The branch unknown of another element (a voltage source controlling F/H/W, an inductor for K). */
  branchOf(elementName: string): Unknown | undefined;
  /** Reserve the matrix entry (row, col) and get its handle; either index 0 (ground) gives the trash handle. */
  entry(row: Unknown, col: Unknown): Handle;
  /** Reserve `count` consecutive state slots (charges, fluxes and their currents); returns the first. */
  states(count: number): number;
  /** Another device by its flattened name (K looks up its inductors). */
  device(name: string): Device | undefined;
}

export type AnalysisMode =
  /** DC operating point (also the starting point of AC and transient). */
  | 'op'
  /** A point of a DC sweep. */
  | 'dcsweep'
  /** The operating point a transient starts from: sources take their time-0 value, not their DC value. */
  | 'tranop'
  /** A transient time point. */
  | 'tran';

export interface LoadContext {
  readonly mode: AnalysisMode;
  /** Real matrix values, indexed by handle. */
  readonly matrix: Float64Array;
  /** Right-hand side, indexed by unknown (index 0 is ground: written, never read). */
  readonly rhs: Float64Array;
  /** The present Newton iterate, indexed by unknown (solution[0] === 0). */
  readonly solution: Float64Array;
  /** Simulation time in seconds (0 outside transient). */
  readonly time: number;
  /** Multiplier on independent sources, for source stepping (1 normally). */
  readonly sourceFactor: number;
  /** Minimum conductance across nonlinear junctions. */
  readonly gmin: number;
  /** Circuit temperature in kelvin. */
  readonly temperature: number;
  /** State vectors: state[0] is being computed, state[1] the last accepted point, state[2] the one before. */
  readonly state: readonly Float64Array[];
  /** Leading integration coefficient (dq/dt ≈ ag0·q + history); 0 in DC. */
  readonly ag0: number;
  /** Transient timesteps: [0] the present step, [1] the one before (for the BJT's excess phase). */
  readonly timesteps: Float64Array;
  /** True at the first Newton iteration of a new operating point/time step (for junction initialisation). */
  readonly firstIteration: boolean;
  /**
   * True at the first iteration of an operating point solved from scratch (ngspice's MODEINITJCT): nonlinear
   * devices ignore the present iterate and start their junctions at a safe point (vcrit, or 0 when `off`).
   */
  readonly initJunctions: boolean;
  /**
   * Integrate the charge stored at `state[0][offset]` into its current, stored at `state[0][offset+1]`,
   * with the analysis's method and order; returns that current (dq/dt).
   */
  integrate(offset: number): number;
  /** A device limited its junction voltages this iteration: the point is not converged yet. */
  nonConvergence(): void;
  /**
   * Device bypass allowed at this load (`.options bypass`, never at the first iteration of a Newton run): a
   * nonlinear device whose controlling voltages each moved less than reltol·max(|v|, |v_last|) + vntol since
   * its last evaluation, and whose currents predicted from that evaluation's linearisation are within
   * reltol·max(|î|, |i_last|) + abstol of its currents, may re-stamp that evaluation instead of evaluating
   * its model again (SPICE3's bypass, ngspice dioload.c/bjtload.c/mos1load.c). Re-stamped values must be
   * exactly those of the last evaluation (same time point: the integration of stored charges repeats).
   * The device then calls `bypassed()` and does not limit or update its stored voltages.
   * `withinTolerance` in devices/semiconductor is the test; devices/bsim4 can use the same hook.
   */
  readonly bypass: boolean;
  /** Relative tolerance, node-voltage and current absolute tolerances (`.options reltol vntol abstol`). */
  readonly reltol: number;
  readonly vntol: number;
  readonly abstol: number;
  /** A device re-stamped its last evaluation instead of evaluating (counted for statistics). */
  bypassed(): void;
}

export interface AcLoadContext {
  readonly omega: number;
  /** Complex matrix values, indexed by handle (same handles as the real matrix). */
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly rhsRe: Float64Array;
  readonly rhsIm: Float64Array;
  /** The DC operating point, indexed by unknown. */
  readonly solution: Float64Array;
  readonly state: readonly Float64Array[];
}

/**
 * What a device sees in noise analysis: the operating point, the frequency, and where to report its noise
 * generators. Each generator is a noise current source between two unknowns with a one-sided power spectral
 * density in A²/Hz (SPICE2's noise model, Nagel ch. 5; ngspice's NevalSrc):
 *   thermal  4·k·T·G           (resistors, series resistances; k = ctx.boltzmann)
 *   shot     2·q·|I|           (junctions: diode, BJT base/collector)
 *   flicker  KF·|I|^AF / f     (junctions and MOS channels, from the model's KF and AF)
 */
export interface NoiseContext {
  /** Analysis frequency, hertz. */
  readonly frequency: number;
  /** The DC operating point, indexed by unknown. */
  readonly solution: Float64Array;
  readonly state: readonly Float64Array[];
  /** Circuit temperature, kelvin (a device with its own temp=/dtemp= uses that instead). */
  readonly temperature: number;
  /** Boltzmann's constant as ngspice uses it (1.38064852e-23 J/K). */
  readonly boltzmann: number;
  /** Elementary charge as ngspice uses it (1.6021766208e-19 C). */
  readonly charge: number;
  /**
   * Report one noise generator: a current source from unknown `a` to unknown `b` with spectral density
   * `density` (A²/Hz) at this frequency. `label` names it in summaries (`r1`, `d1 shot`, `d1 flicker`).
   */
  source(label: string, a: Unknown, b: Unknown, density: number): void;
  /**
   * Report two fully correlated generators (BSIM4 tnoiMod = 2; ngspice's NevalSrc2): a current from `a` to `b`
   * with density `densityA` and one from `c` to `d` with density `densityB` whose phasor leads the first by
   * `phase` radians. Their output noise is |√densityA·Z(a,b) + √densityB·e^(j·phase)·Z(c,d)|².
   */
  correlated?(
    label: string,
    a: Unknown,
    b: Unknown,
    densityA: number,
    c: Unknown,
    d: Unknown,
    densityB: number,
    phase: number,
  ): void;
}

export interface TruncateContext {
  /** Estimate the largest timestep keeping the truncation error of the charge at `offset` within tolerance. */
  chargeTimestep(offset: number): number;
}

export interface Device {
  readonly name: string;
  /** Linear devices let a linear circuit finish Newton in one solve. */
  readonly nonlinear: boolean;
  setup(ctx: SetupContext): void;
  /** Recompute temperature-dependent values (kelvin). Called before every analysis. */
  temperature?(temperature: number, nominalTemperature: number): void;
  load(ctx: LoadContext): void;
  acLoad?(ctx: AcLoadContext): void;
  truncate?(ctx: TruncateContext): number;
  /** Report the device's noise generators at the operating point (noise analysis); noiseless devices omit it. */
  noise?(ctx: NoiseContext): void;
  /** Set up before the devices of a circuit that this one refers to (K after its inductors): later is larger. */
  readonly setupOrder?: number;
  /** Called when a transient analysis starts, with its step and stop time (source defaults depend on them). */
  beginTransient?(step: number, stop: number): void;
  /** Corners of the device's waveform in [from, to]: pass each to `add`. */
  breakpoints?(from: number, to: number, add: (time: number) => void): void;
  /** Device-level convergence test after a Newton step (currents within tolerance). */
  converged?(ctx: LoadContext): boolean;
  /**
   * Fill the device's charges/fluxes in `state` for the first transient point: from the operating point in
   * `solution`, or with `useInitialConditions` (uic) from the card's IC= (solution then holds the .ic values).
   */
  initialConditions?(solution: Float64Array, state: Float64Array, useInitialConditions: boolean): void;
}

/** What a device factory gets to build a device from its card. */
export interface DeviceBuildContext {
  readonly circuit: FlatCircuit;
  /** The model named by the card, or a CircuitError naming the card's line. */
  model(card: ElementCard, allowedTypes: readonly string[]): ModelCard;
  /** Circuit-wide options (tnom, gmin, ...), already defaulted. */
  readonly options: SimulatorOptions;
}

export type DeviceFactory = (card: ElementCard, ctx: DeviceBuildContext) => Device;

/** Simulator options with ngspice's defaults (ngspice manual, chapter 11 "Simulator variables"). */
export interface SimulatorOptions {
  reltol: number;
  abstol: number;
  vntol: number;
  chgtol: number;
  trtol: number;
  gmin: number;
  /** DC iteration limit. */
  itl1: number;
  /** DC transfer curve iteration limit. */
  itl2: number;
  /** Transient iteration limit per time point. */
  itl4: number;
  /** Circuit temperature, Celsius. */
  temp: number;
  /** Nominal (model) temperature, Celsius. */
  tnom: number;
  method: 'trap' | 'gear';
  /** Maximum integration order (2 for trap; gear up to 2 here). */
  maxord: number;
  /** Number of gmin steps (0 disables gmin stepping). */
  gminsteps: number;
  /** Number of source steps (0 disables source stepping). */
  srcsteps: number;
  /** Pivot threshold for the sparse LU. */
  pivtol: number;
  pivrel: number;
  /**
   * Device bypass (SPICE3's CKTbypass): a nonlinear device whose controlling voltages and predicted currents
   * moved less than reltol·max(|new|, |old|) + vntol (abstol for currents) since its last evaluation
   * re-stamps that evaluation instead of computing its model again. Off by default as in ngspice 39
   * (its task default TSKbypass = 0); `.options bypass` or `bypass=1` turns it on, `nobypass` off.
   */
  bypass: boolean;
}

/** The `.options` that set SimulatorOptions numbers (checks.ts warns when one of them is given a word). */
export const NUMERIC_SIMULATOR_OPTIONS = [
  'reltol',
  'abstol',
  'vntol',
  'chgtol',
  'trtol',
  'gmin',
  'itl1',
  'itl2',
  'itl4',
  'temp',
  'tnom',
  'maxord',
  'gminsteps',
  'srcsteps',
  'pivtol',
  'pivrel',
] as const;

export const defaultOptions: Readonly<SimulatorOptions> = {
  reltol: 1e-3,
  abstol: 1e-12,
  vntol: 1e-6,
  chgtol: 1e-14,
  trtol: 7,
  gmin: 1e-12,
  itl1: 100,
  itl2: 50,
  itl4: 10,
  temp: 27,
  tnom: 27,
  method: 'trap',
  maxord: 2,
  gminsteps: 10,
  srcsteps: 10,
  pivtol: 1e-13,
  pivrel: 1e-3,
  bypass: false,
};

/** Kelvin at 0 Celsius, as ngspice's CONSTCtoK. */
export const CELSIUS_TO_KELVIN = 273.15;
