/**
 * Switches with hysteresis (ngspice manual ch. 4.2; swload.c / cswload.c):
 *   S n+ n- nc+ nc- model [on|off]     voltage controlled (model SW: VT VH RON ROFF)
 *   W n+ n- vcontrol model [on|off]    current controlled (model CSW: IT IH RON ROFF)
 * The switch is on above threshold + hysteresis, off below threshold − hysteresis, and keeps its previous
 * state in between. The state is kept in a state slot, so it follows Newton iterations (a change flags the
 * point as not converged), transient steps (a rejected step restores it) and DC sweeps (hysteresis loops).
 * In transient the step is limited so that the control value approaches its next switching level by at
 * most three quarters of the remaining distance per step (as ngspice's swtrunc.c), so that the switching
 * instant is resolved instead of stepped over.
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

export interface SwitchModel {
  threshold: number;
  hysteresis: number;
  onConductance: number;
  offConductance: number;
}

export class Switch implements Device {
  readonly nonlinear = true;
  /** Current-controlled switches read a branch set up by their source first. */
  readonly setupOrder = 1;
  private handles!: ConductanceHandles;
  private controlPlus: Unknown = 0;
  private controlMinus: Unknown = 0;
  private s = 0;
  private on = false;
  private state: readonly Float64Array[] = [];
  private timestep = 0;

  constructor(
    readonly name: string,
    private readonly nodes: [string, string],
    /** Controlling nodes (S) or the controlling source (W). */
    private readonly control: { nodes: [string, string] } | { source: string },
    readonly model: SwitchModel,
    private readonly initiallyOn: boolean,
    private readonly loc: ElementCard['loc'],
  ) {}

  setup(ctx: SetupContext): void {
    this.handles = reserveConductance(ctx, ctx.node(this.nodes[0]), ctx.node(this.nodes[1]));
    if ('nodes' in this.control) {
      this.controlPlus = ctx.node(this.control.nodes[0]);
      this.controlMinus = ctx.node(this.control.nodes[1]);
    } else {
      const branch = ctx.branchOf(this.control.source);
      if (branch === undefined) {
        throw new CircuitError(
          `${this.name} is controlled by the current of '${this.control.source}', which has no branch current`,
          this.loc,
          'a W switch names a voltage source (add a 0 V source in series with the controlling branch)',
        );
      }
      this.controlPlus = branch;
    }
    // [switch state, control value]
    this.s = ctx.states(2);
  }

  private controlValue(solution: Float64Array): number {
    return solution[this.controlPlus] - solution[this.controlMinus];
  }

  load(ctx: LoadContext): void {
    const state = ctx.state[0];
    const { threshold, hysteresis } = this.model;
    let on: boolean;
    if (ctx.initJunctions) {
      on = this.initiallyOn;
    } else {
      const previous =
        (ctx.firstIteration && ctx.mode === 'tran' ? ctx.state[1][this.s] : state[this.s]) !== 0;
      const v = this.controlValue(ctx.solution);
      const band = Math.abs(hysteresis);
      if (v > threshold + band) on = true;
      else if (v < threshold - band) on = false;
      else on = previous;
      if (!ctx.firstIteration && on !== (state[this.s] !== 0)) ctx.nonConvergence();
    }
    state[this.s] = on ? 1 : 0;
    state[this.s + 1] = this.controlValue(ctx.solution);
    this.on = on;
    this.state = ctx.state;
    this.timestep = ctx.timesteps[0];
    stampConductance(ctx.matrix, this.handles, on ? this.model.onConductance : this.model.offConductance);
  }

  acLoad(ctx: AcLoadContext): void {
    stampConductance(ctx.re, this.handles, this.on ? this.model.onConductance : this.model.offConductance);
  }

  truncate(_ctx: TruncateContext): number {
    const [present, previous] = this.state;
    if (!present) return Infinity;
    const value = present[this.s + 1];
    const lastChange = value - previous[this.s + 1];
    const { threshold, hysteresis } = this.model;
    const band = Math.abs(hysteresis);
    let maxChange: number;
    if (present[this.s] === 0) {
      const level = threshold + band;
      if (!(value < level && lastChange > 0)) return Infinity;
      maxChange = (level - value) * 0.75 + 5e-5;
    } else {
      const level = threshold - band;
      if (!(value > level && lastChange < 0)) return Infinity;
      maxChange = (level - value) * 0.75 - 5e-5;
    }
    return (maxChange / lastChange) * this.timestep;
  }

  initialConditions(solution: Float64Array, state: Float64Array): void {
    state[this.s] = this.on ? 1 : 0;
    state[this.s + 1] = this.controlValue(solution);
  }
}

export function createSwitch(card: ElementCard, ctx: DeviceBuildContext): Switch {
  const voltage = card.kind === 's';
  const model = ctx.model(card, voltage ? ['sw'] : ['csw']).params;
  const ron = model.ron ?? 1;
  const roff = model.roff ?? 1 / ctx.options.gmin;
  if (!(ron > 0) || !(roff > 0)) {
    throw new CircuitError(
      `${card.name}: RON and ROFF of its model must be positive`,
      card.loc,
      'e.g. .model sw1 SW(RON=1 ROFF=1meg VT=2.5)',
    );
  }
  const switchModel: SwitchModel = {
    threshold: (voltage ? model.vt : model.it) ?? 0,
    hysteresis: (voltage ? model.vh : model.ih) ?? 0,
    onConductance: 1 / ron,
    offConductance: 1 / roff,
  };
  let control: { nodes: [string, string] } | { source: string };
  if (voltage) {
    if (card.nodes.length < 4)
      throw new CircuitError(
        `${card.name} needs 4 nodes`,
        card.loc,
        `write '${card.name} n+ n- nc+ nc- model'`,
      );
    control = { nodes: [card.nodes[2], card.nodes[3]] };
  } else {
    const source = card.controls?.[0];
    if (!source)
      throw new CircuitError(
        `${card.name} names no controlling source`,
        card.loc,
        `write '${card.name} n+ n- vsource model'`,
      );
    control = { source };
  }
  return new Switch(
    card.name,
    [card.nodes[0], card.nodes[1]],
    control,
    switchModel,
    (card.params.on ?? 0) !== 0,
    card.loc,
  );
}
