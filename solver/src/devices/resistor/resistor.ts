/**
 * Resistor: R n+ n- value [tc1= tc2=] [temp=|dtemp=] [m=].
 * Temperature scaling as ngspice's RES model: R(T) = R·(1 + tc1·ΔT + tc2·ΔT²), ΔT = T − Tnom
 * (T from the instance `temp`, or the circuit temperature plus `dtemp`).
 */
import type { ElementCard } from '../../circuit/flat';
import { CircuitError } from '../../errors';
import type { AcLoadContext, Device, DeviceBuildContext, LoadContext, NoiseContext, SetupContext, Unknown } from '../device';
import { CELSIUS_TO_KELVIN } from '../device';
import { type ConductanceHandles, reserveConductance, stampConductance } from '../stamp';

export class Resistor implements Device {
  readonly nonlinear = false;
  private handles!: ConductanceHandles;
  private conductance = 0;
  private unknowns: [Unknown, Unknown] = [0, 0];
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
  ) {
    this.resistance = nominalResistance;
  }

  setup(ctx: SetupContext): void {
    this.unknowns = [ctx.node(this.nodes[0]), ctx.node(this.nodes[1])];
    this.handles = reserveConductance(ctx, this.unknowns[0], this.unknowns[1]);
  }

  temperature(temperature: number, nominalTemperature: number): void {
    const t =
      this.instanceTemperature !== undefined
        ? this.instanceTemperature + CELSIUS_TO_KELVIN
        : temperature + this.deltaTemperature;
    this.kelvin = t;
    const dt = t - nominalTemperature;
    const factor = 1 + this.tc1 * dt + this.tc2 * dt * dt;
    this.resistance = this.nominalResistance * factor;
    // ngspice keeps R positive by construction of the card; a factor that crosses zero is a user error,
    // but we keep simulating with the magnitude clamped so a sweep over temperature does not divide by zero.
    const r = Math.abs(this.resistance) < 1e-12 ? 1e-12 : this.resistance;
    this.conductance = this.multiplier / r;
  }

  load(ctx: LoadContext): void {
    stampConductance(ctx.matrix, this.handles, this.conductance);
  }

  acLoad(ctx: AcLoadContext): void {
    stampConductance(ctx.re, this.handles, this.conductance);
  }

  /** Thermal (Johnson) noise 4kT/R at the resistor's own temperature; m in parallel is m·G (ngspice resnoise.c). */
  noise(ctx: NoiseContext): void {
    ctx.source(this.name, this.unknowns[0], this.unknowns[1], 4 * ctx.boltzmann * this.kelvin * this.conductance);
  }
}

export function createResistor(card: ElementCard, ctx: DeviceBuildContext): Resistor {
  const p = card.params;
  const model = card.model ? ctx.model(card, ['r', 'res']).params : {};
  let value = card.value ?? p.r ?? p.resistance;
  if (value === undefined && card.model) {
    // Semiconductor resistor: R = RSH·(L − NARROW)/(W − NARROW) (ngspice manual, "Semiconductor Resistors").
    const narrow = model.narrow ?? 0;
    const width = p.w ?? model.defw ?? 1e-6;
    if (model.rsh !== undefined && p.l !== undefined) value = (model.rsh * (p.l - narrow)) / (width - narrow);
    value ??= model.r;
  }
  if (value === undefined) {
    throw new CircuitError(
      `resistor ${card.name} has no value`,
      card.loc,
      'write the resistance after the two nodes, e.g. "R1 in out 10k"',
    );
  }
  if (value === 0) {
    throw new CircuitError(
      `resistor ${card.name} has zero resistance`,
      card.loc,
      'use a small value (e.g. 1m) or a 0 V voltage source to short two nodes',
    );
  }
  return new Resistor(
    card.name,
    [card.nodes[0], card.nodes[1]],
    value,
    p.tc1 ?? p.tc ?? model.tc1 ?? 0,
    p.tc2 ?? model.tc2 ?? 0,
    p.m ?? 1,
    p.temp,
    p.dtemp ?? 0,
  );
}
