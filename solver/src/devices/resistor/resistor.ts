/**
 * Resistor: R n+ n- value [tc1= tc2= tce=] [temp=|dtemp=] [m=] [scale=] [ac=].
 * Temperature scaling as ngspice's RES model (restemp.c): R(T) = R·(1 + tc1·ΔT + tc2·ΔT²), or R·1.01^(tce·ΔT)
 * when tce is given (instance or model), ΔT = T − Tnom (T from the instance `temp`, or the circuit temperature
 * plus `dtemp`; Tnom from the model's `tnom`, else the circuit's); the conductance is m/(R(T)·scale).
 */
import type { ElementCard } from '../../circuit/flat';
import { CircuitError } from '../../errors';
import type {
  AcLoadContext,
  Device,
  DeviceBuildContext,
  LoadContext,
  NoiseContext,
  SetupContext,
  Unknown,
} from '../device';
import { CELSIUS_TO_KELVIN } from '../device';
import { type ConductanceHandles, reserveConductance, stampConductance } from '../stamp';

export class Resistor implements Device {
  readonly nonlinear = false;
  private handles!: ConductanceHandles;
  private conductance = 0;
  private positive: Unknown = 0;
  private negative: Unknown = 0;
  /** The resistor's own temperature, kelvin (for its thermal noise). */
  private kelvin = 300.15;
  /** Resistance at the present temperature (ohms). */
  resistance: number;

  constructor(
    readonly name: string,
    private readonly nodes: [string, string],
    /** Resistance at the nominal temperature (a DC sweep of the resistor changes it). */
    public nominalResistance: number,
    private readonly tc1: number,
    private readonly tc2: number,
    private readonly multiplier: number,
    private readonly instanceTemperature: number | undefined,
    private readonly deltaTemperature: number,
    private readonly options: {
      /** Exponential coefficient (%/°C): when set, it replaces tc1/tc2. */
      tce?: number;
      /** Model nominal temperature, Celsius (the circuit's tnom when undefined). */
      tnom?: number;
      /** Instance `scale`: multiplies the resistance. */
      scale?: number;
      /** Instance `ac=`: the resistance AC analysis stamps (temperature-scaled like R); noise keeps the DC one. */
      acResistance?: number;
      /** `noisy=0`: the resistor adds no thermal noise (ngspice resnoise.c). */
      noiseless?: boolean;
    } = {},
  ) {
    this.resistance = nominalResistance;
  }

  /** Conductance in AC analysis (the `ac=` resistance when given, else the DC one). */
  private acConductance = 0;

  setup(ctx: SetupContext): void {
    this.positive = ctx.node(this.nodes[0]);
    this.negative = ctx.node(this.nodes[1]);
    this.handles = reserveConductance(ctx, this.positive, this.negative);
  }

  temperature(temperature: number, nominalTemperature: number): void {
    const t =
      this.instanceTemperature !== undefined
        ? this.instanceTemperature + CELSIUS_TO_KELVIN
        : temperature + this.deltaTemperature;
    this.kelvin = t;
    const tnom = this.options.tnom !== undefined ? this.options.tnom + CELSIUS_TO_KELVIN : nominalTemperature;
    const dt = t - tnom;
    const factor =
      this.options.tce !== undefined
        ? Math.pow(1.01, this.options.tce * dt)
        : 1 + this.tc1 * dt + this.tc2 * dt * dt;
    this.resistance = this.nominalResistance * factor * (this.options.scale ?? 1);
    // ngspice (restemp.c) divides by R·factor unclamped, so 100f is 100 fΩ there and here. Only an exact zero
    // (a temperature factor that lands on 0) is kept finite, so a sweep over temperature does not divide by zero.
    const r = this.resistance === 0 ? 1e-12 : this.resistance;
    this.conductance = this.multiplier / r;
    const ac = this.options.acResistance;
    this.acConductance =
      ac === undefined ? this.conductance : this.multiplier / (ac * factor * (this.options.scale ?? 1));
  }

  load(ctx: LoadContext): void {
    stampConductance(ctx.matrix, this.handles, this.conductance);
  }

  acLoad(ctx: AcLoadContext): void {
    stampConductance(ctx.re, this.handles, this.acConductance);
  }

  /** Thermal (Johnson) noise 4kT/R at the resistor's own temperature; m in parallel is m·G (ngspice resnoise.c). */
  noise(ctx: NoiseContext): void {
    if (this.options.noiseless) return;
    ctx.source(this.name, this.positive, this.negative, 4 * ctx.boltzmann * this.kelvin * this.conductance);
  }
}

export function createResistor(card: ElementCard, ctx: DeviceBuildContext): Resistor {
  const p = card.params;
  const model = card.model ? ctx.model(card, ['r', 'res']).params : {};
  let value = card.value ?? p.r ?? p.resistance;
  if (value === undefined && card.model) {
    // Semiconductor resistor, as ngspice 39's ressetup.c: R = RSH·(L − 2·SHORT)/(W − 2·NARROW), L and W
    // defaulting to the model's L and DEFW (10 µm each); used when L·W·RSH > 0, else the model's R.
    const length = p.l ?? model.l ?? 1e-5;
    const width = p.w ?? model.defw ?? model.w ?? 1e-5;
    const sheet = model.rsh ?? 0;
    if (length * width * sheet > 0) {
      value = (sheet * (length - 2 * (model.short ?? 0))) / (width - 2 * (model.narrow ?? 0));
    }
    value ??= model.r ?? model.res;
  }
  if (value === undefined) {
    throw new CircuitError(
      `resistor ${card.name} has no value`,
      card.loc,
      'write the resistance after the two nodes, e.g. "R1 in out 10k"',
    );
  }
  // ngspice (resparam.c) replaces a zero resistance by 1 mΩ without a message; so do we, so a deck that
  // shorts two nodes with "R1 a b 0" gives the same answer in both simulators.
  if (value === 0) value = 1e-3;
  const tce = p.tce ?? model.tce;
  const options =
    tce !== undefined ||
    model.tnom !== undefined ||
    p.scale !== undefined ||
    p.ac !== undefined ||
    p.noisy === 0
      ? { tce, tnom: model.tnom, scale: p.scale, acResistance: p.ac, noiseless: p.noisy === 0 }
      : NO_OPTIONS;
  return new Resistor(
    card.name,
    // The card's own two-node array (shared, not copied: a large deck keeps one per resistor).
    card.nodes as [string, string],
    value,
    p.tc1 ?? p.tc ?? model.tc1 ?? 0,
    p.tc2 ?? model.tc2 ?? 0,
    p.m ?? 1,
    p.temp,
    p.temp !== undefined ? 0 : (p.dtemp ?? 0),
    options,
  );
}

/** The options of the (many) resistors that have none. */
const NO_OPTIONS = Object.freeze({});
