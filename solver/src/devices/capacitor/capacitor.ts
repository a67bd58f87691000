/**
 * Capacitor: C n+ n- value [ic=] [m=] [scale=] [tc1= tc2=] [temp=|dtemp=] (or a model with CAP, or CJ/CJSW
 * and L/W). Temperature and scale as ngspice's captemp.c: C(T) = C·(1 + tc1·ΔT + tc2·ΔT²)·scale, ΔT = T − Tnom.
 * Stores its charge q = C·v in a state slot; the analysis integrates it into the current
 * i = dq/dt ≈ ag0·q + history (companion model: conductance ag0·C in parallel with a current source).
 * In DC the capacitor is open.
 */
import type { ElementCard } from '../../circuit/flat';
import { CircuitError } from '../../errors';
import type {
  AcLoadContext,
  Device,
  DeviceBuildContext,
  LoadContext,
  SetupContext,
  TruncateContext,
  Unknown,
} from '../device';
import { CELSIUS_TO_KELVIN } from '../device';
import { type ConductanceHandles, reserveConductance, stampConductance } from '../stamp';

/** Temperature dependence of a capacitor or inductor value (ngspice captemp.c / indtemp.c). */
export interface ReactanceTemperature {
  tc1: number;
  tc2: number;
  /** Instance temperature, Celsius (replaces the circuit's and any dtemp). */
  temp?: number;
  dtemp: number;
  /** Model nominal temperature, Celsius (the circuit's tnom when undefined). */
  tnom?: number;
  scale: number;
}

/** The factor (1 + tc1·ΔT + tc2·ΔT²)·scale at circuit temperature `kelvin`. */
/**
 * The temperature terms of a C or L card and its model (instance tc1/tc2/temp/dtemp/scale over the model's
 * tc1/tc2/tnom); undefined when they leave the value unchanged at every temperature.
 */
export function reactanceTemperature(
  p: Record<string, number>,
  model: Record<string, number>,
): ReactanceTemperature | undefined {
  const thermal: ReactanceTemperature = {
    tc1: p.tc1 ?? model.tc1 ?? 0,
    tc2: p.tc2 ?? model.tc2 ?? 0,
    temp: p.temp,
    dtemp: p.temp !== undefined ? 0 : (p.dtemp ?? 0),
    tnom: model.tnom,
    scale: p.scale ?? 1,
  };
  return thermal.tc1 === 0 && thermal.tc2 === 0 && thermal.scale === 1 ? undefined : thermal;
}

export function reactanceFactor(t: ReactanceTemperature, kelvin: number, nominalKelvin: number): number {
  const temperature = t.temp !== undefined ? t.temp + CELSIUS_TO_KELVIN : kelvin + t.dtemp;
  const dt = temperature - (t.tnom !== undefined ? t.tnom + CELSIUS_TO_KELVIN : nominalKelvin);
  return (1 + t.tc1 * dt + t.tc2 * dt * dt) * t.scale;
}

export class Capacitor implements Device {
  readonly nonlinear = false;
  private handles!: ConductanceHandles;
  private positive: Unknown = 0;
  private negative: Unknown = 0;
  /** Offset of [charge, current] in the state vectors. */
  private stateOffset = 0;

  /** Capacitance at the present temperature (times m); set by temperature(). */
  capacitance: number;

  constructor(
    readonly name: string,
    private readonly nodes: [string, string],
    /** Capacitance at the nominal temperature, times m. */
    private readonly nominalCapacitance: number,
    /** Initial voltage for `uic`, when given on the card. */
    readonly initialVoltage: number | undefined,
    private readonly thermal?: ReactanceTemperature,
  ) {
    this.capacitance = nominalCapacitance;
  }

  temperature(kelvin: number, nominalKelvin: number): void {
    if (!this.thermal) return;
    this.capacitance = this.nominalCapacitance * reactanceFactor(this.thermal, kelvin, nominalKelvin);
  }

  setup(ctx: SetupContext): void {
    this.positive = ctx.node(this.nodes[0]);
    this.negative = ctx.node(this.nodes[1]);
    this.handles = reserveConductance(ctx, this.positive, this.negative);
    this.stateOffset = ctx.states(2);
  }

  load(ctx: LoadContext): void {
    if (ctx.mode !== 'tran') return;
    const state = ctx.state[0];
    const voltage = ctx.solution[this.positive] - ctx.solution[this.negative];
    state[this.stateOffset] = this.capacitance * voltage;
    const current = ctx.integrate(this.stateOffset);
    const geq = ctx.ag0 * this.capacitance;
    const ceq = current - geq * voltage;
    stampConductance(ctx.matrix, this.handles, geq);
    ctx.rhs[this.positive] -= ceq;
    ctx.rhs[this.negative] += ceq;
  }

  acLoad(ctx: AcLoadContext): void {
    stampConductance(ctx.im, this.handles, ctx.omega * this.capacitance);
  }

  truncate(ctx: TruncateContext): number {
    return ctx.chargeTimestep(this.stateOffset);
  }

  initialConditions(solution: Float64Array, state: Float64Array, useInitialConditions: boolean): void {
    const voltage =
      useInitialConditions && this.initialVoltage !== undefined
        ? this.initialVoltage
        : solution[this.positive] - solution[this.negative];
    state[this.stateOffset] = this.capacitance * voltage;
  }
}

export function createCapacitor(card: ElementCard, ctx: DeviceBuildContext): Capacitor {
  const p = card.params;
  let value = card.value ?? p.c ?? p.capacitance ?? p.cap;
  const model = card.model ? ctx.model(card, ['c', 'cap']).params : {};
  if (value === undefined && card.model) {
    // ngspice reads only CAP as a model capacitance (its `c` is the model-type flag, so ngspice gives 0 F
    // for `.model m c (c=1n)`); we take `c=` as well rather than silently use zero.
    value = model.cap ?? model.c;
    if (value === undefined) {
      // Semiconductor capacitor (ngspice capsetup.c/captemp.c): C = CJ·(W−NARROW)·(L−SHORT)
      // + 2·CJSW·((L−SHORT) + (W−NARROW)), W defaulting to DEFW (10 µm), L to 0; CJ from DI and THICK when
      // not given; DEL sets NARROW and SHORT to 2·DEL when they are not given.
      const thick = model.thick ?? 0;
      const epsilon0 = 1 / (4e-7 * Math.PI * 299792458 ** 2); // ngspice const.h: CONSTepsZero = 1/(µ0·c²)
      const cj =
        model.cj ??
        model.cox ??
        (thick > 0 ? ((model.di !== undefined ? model.di : 3.9) * epsilon0) / thick : 0);
      const del = model.del;
      const narrow = model.narrow ?? (del !== undefined ? 2 * del : 0);
      const short = model.short ?? (del !== undefined ? 2 * del : 0);
      const width = (p.w ?? model.defw ?? model.w ?? 10e-6) - narrow;
      const length = (p.l ?? 0) - short;
      value = cj * width * length + 2 * (model.cjsw ?? model.capsw ?? 0) * (length + width);
    }
  }
  if (value === undefined) {
    throw new CircuitError(
      `capacitor ${card.name} has no value`,
      card.loc,
      'write the capacitance after the two nodes, e.g. "C1 out 0 1u"',
    );
  }
  return new Capacitor(
    card.name,
    card.nodes as [string, string], // shared with the card, not copied
    value * (p.m ?? 1),
    p.ic,
    reactanceTemperature(p, model),
  );
}
