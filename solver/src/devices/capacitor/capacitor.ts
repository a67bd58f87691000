/**
 * Capacitor: C n+ n- value [ic=] [m=] (or a model with CJ/CJSW and L/W).
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
import { type ConductanceHandles, reserveConductance, stampConductance } from '../stamp';

export class Capacitor implements Device {
  readonly nonlinear = false;
  private handles!: ConductanceHandles;
  private positive: Unknown = 0;
  private negative: Unknown = 0;
  /** Offset of [charge, current] in the state vectors. */
  private stateOffset = 0;

  constructor(
    readonly name: string,
    private readonly nodes: [string, string],
    readonly capacitance: number,
    /** Initial voltage for `uic`, when given on the card. */
    readonly initialVoltage: number | undefined,
  ) {}

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
  let value = card.value ?? p.c ?? p.capacitance;
  if (value === undefined && card.model) {
    // Semiconductor capacitor: C = CJ·(L−NARROW)(W−NARROW) + 2·CJSW·(L+W−2·NARROW) (ngspice manual).
    const model = ctx.model(card, ['c', 'cap']).params;
    const narrow = model.narrow ?? 0;
    const width = (p.w ?? model.defw ?? 1e-6) - narrow;
    const length = (p.l ?? 0) - narrow;
    value = (model.cj ?? 0) * length * width + 2 * (model.cjsw ?? 0) * (length + width);
    if (p.l === undefined) value = model.cap ?? model.c;
  }
  if (value === undefined) {
    throw new CircuitError(
      `capacitor ${card.name} has no value`,
      card.loc,
      'write the capacitance after the two nodes, e.g. "C1 out 0 1u"',
    );
  }
  return new Capacitor(card.name, [card.nodes[0], card.nodes[1]], value * (p.m ?? 1), p.ic);
}
