/**
 * Linear controlled sources:
 *   E n+ n- nc+ nc- gain   voltage-controlled voltage source (branch row v(n+)−v(n−) = gain·v(nc+,nc−))
 *   G n+ n- nc+ nc- gm     voltage-controlled current source (gm·v(nc+,nc−) from n+ through the source to n−)
 *   F n+ n- vctrl gain     current-controlled current source (gain·i(vctrl) from n+ to n−)
 *   H n+ n- vctrl r        current-controlled voltage source (branch row v(n+)−v(n−) = r·i(vctrl))
 */
import type { ElementCard } from '../../circuit/flat';
import { CircuitError } from '../../errors';
import type { AcLoadContext, Device, Handle, LoadContext, SetupContext, Unknown } from '../device';
import {
  type BranchHandles,
  type TransconductanceHandles,
  reserveBranch,
  reserveTransconductance,
  stampBranch,
  stampTransconductance,
} from '../stamp';

export class VoltageControlledVoltageSource implements Device {
  readonly nonlinear = false;
  branch: Unknown = 0;
  private handles!: BranchHandles;
  private controlPositive: Handle = 0;
  private controlNegative: Handle = 0;

  constructor(
    readonly name: string,
    private readonly nodes: string[],
    readonly gain: number,
  ) {}

  setup(ctx: SetupContext): void {
    const [a, b, c, d] = this.nodes.map((n) => ctx.node(n));
    this.branch = ctx.branch(this.name);
    this.handles = reserveBranch(ctx, a, b, this.branch);
    this.controlPositive = ctx.entry(this.branch, c);
    this.controlNegative = ctx.entry(this.branch, d);
  }

  private stamp(values: Float64Array): void {
    stampBranch(values, this.handles);
    values[this.controlPositive] -= this.gain;
    values[this.controlNegative] += this.gain;
  }

  load(ctx: LoadContext): void {
    this.stamp(ctx.matrix);
  }

  acLoad(ctx: AcLoadContext): void {
    this.stamp(ctx.re);
  }
}

export class VoltageControlledCurrentSource implements Device {
  readonly nonlinear = false;
  private handles!: TransconductanceHandles;

  constructor(
    readonly name: string,
    private readonly nodes: string[],
    readonly transconductance: number,
  ) {}

  setup(ctx: SetupContext): void {
    const [a, b, c, d] = this.nodes.map((n) => ctx.node(n));
    this.handles = reserveTransconductance(ctx, a, b, c, d);
  }

  load(ctx: LoadContext): void {
    stampTransconductance(ctx.matrix, this.handles, this.transconductance);
  }

  acLoad(ctx: AcLoadContext): void {
    stampTransconductance(ctx.re, this.handles, this.transconductance);
  }
}

/** Resolve the branch of the controlling voltage source, or explain what is wrong. */
function controllingBranch(ctx: SetupContext, element: string, control: string, card: ElementCard): Unknown {
  const branch = ctx.branchOf(control);
  if (branch === undefined) {
    throw new CircuitError(
      `${element} is controlled by the current of ${control}, which is not a voltage source or inductor of this circuit`,
      card.loc,
      'name a voltage source (add a 0 V source in series with the branch whose current you want to sense)',
    );
  }
  return branch;
}

export class CurrentControlledCurrentSource implements Device {
  readonly nonlinear = false;
  readonly setupOrder = 1;
  private positiveHandle: Handle = 0;
  private negativeHandle: Handle = 0;

  constructor(
    readonly name: string,
    private readonly nodes: string[],
    private readonly control: string,
    readonly gain: number,
    private readonly card: ElementCard,
  ) {}

  setup(ctx: SetupContext): void {
    const a = ctx.node(this.nodes[0]);
    const b = ctx.node(this.nodes[1]);
    const branch = controllingBranch(ctx, this.name, this.control, this.card);
    this.positiveHandle = ctx.entry(a, branch);
    this.negativeHandle = ctx.entry(b, branch);
  }

  private stamp(values: Float64Array): void {
    values[this.positiveHandle] += this.gain;
    values[this.negativeHandle] -= this.gain;
  }

  load(ctx: LoadContext): void {
    this.stamp(ctx.matrix);
  }

  acLoad(ctx: AcLoadContext): void {
    this.stamp(ctx.re);
  }
}

export class CurrentControlledVoltageSource implements Device {
  readonly nonlinear = false;
  readonly setupOrder = 1;
  branch: Unknown = 0;
  private handles!: BranchHandles;
  private controlHandle: Handle = 0;

  constructor(
    readonly name: string,
    private readonly nodes: string[],
    private readonly control: string,
    readonly transresistance: number,
    private readonly card: ElementCard,
  ) {}

  setup(ctx: SetupContext): void {
    const a = ctx.node(this.nodes[0]);
    const b = ctx.node(this.nodes[1]);
    this.branch = ctx.branch(this.name);
    this.handles = reserveBranch(ctx, a, b, this.branch);
    this.controlHandle = ctx.entry(this.branch, controllingBranch(ctx, this.name, this.control, this.card));
  }

  private stamp(values: Float64Array): void {
    stampBranch(values, this.handles);
    values[this.controlHandle] -= this.transresistance;
  }

  load(ctx: LoadContext): void {
    this.stamp(ctx.matrix);
  }

  acLoad(ctx: AcLoadContext): void {
    this.stamp(ctx.re);
  }
}

function requireGain(card: ElementCard, example: string): number {
  if (card.value === undefined) {
    throw new CircuitError(`${card.name} has no gain`, card.loc, `write e.g. "${example}"`);
  }
  return card.value;
}

function requireControl(card: ElementCard, example: string): string {
  const control = card.controls?.[0];
  if (!control) {
    throw new CircuitError(`${card.name} names no controlling source`, card.loc, `write e.g. "${example}"`);
  }
  return control;
}

export function createVcvs(card: ElementCard): Device {
  return new VoltageControlledVoltageSource(
    card.name,
    card.nodes.slice(0, 4),
    requireGain(card, 'E1 out 0 in 0 10'),
  );
}

/** G and F take `m=` (written, or from an enclosing `X ... m=`): ngspice multiplies their gain by it (vccsload.c, cccsload.c). */
function multiplier(card: ElementCard): number {
  return card.params.m ?? 1;
}

export function createVccs(card: ElementCard): Device {
  return new VoltageControlledCurrentSource(
    card.name,
    card.nodes.slice(0, 4),
    requireGain(card, 'G1 out 0 in 0 1m') * multiplier(card),
  );
}

export function createCccs(card: ElementCard): Device {
  const example = 'F1 out 0 Vsense 10';
  return new CurrentControlledCurrentSource(
    card.name,
    card.nodes,
    requireControl(card, example),
    requireGain(card, example) * multiplier(card),
    card,
  );
}

export function createCcvs(card: ElementCard): Device {
  const example = 'H1 out 0 Vsense 1k';
  return new CurrentControlledVoltageSource(
    card.name,
    card.nodes,
    requireControl(card, example),
    requireGain(card, example),
    card,
  );
}
