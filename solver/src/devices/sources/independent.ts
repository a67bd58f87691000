/**
 * Independent sources: V n+ n- [DC v] [AC mag [phase]] [transient function], and I likewise.
 * A voltage source adds a branch-current unknown; its current i(vname) is positive when it flows
 * into n+ through the source to n− (SPICE's convention). A current source drives its current from
 * n+ through the source into n−.
 */
import type { ElementCard } from '../../circuit/flat';
import type {
  AcLoadContext,
  Device,
  DeviceBuildContext,
  LoadContext,
  SetupContext,
  Unknown,
} from '../device';
import { type BranchHandles, reserveBranch, stampBranch } from '../stamp';
import { type TimeFunction, timeFunction } from './waveform';

abstract class IndependentSource implements Device {
  readonly nonlinear = false;
  protected positive: Unknown = 0;
  protected negative: Unknown = 0;
  private waveformFunction: TimeFunction | undefined;
  /** DC value used by .op and .dc (a DC sweep overrides it). */
  dcValue: number;
  readonly acReal: number;
  readonly acImag: number;

  constructor(
    readonly name: string,
    protected readonly nodes: [string, string],
    protected readonly card: ElementCard,
  ) {
    const source = card.source ?? {};
    if (source.waveform) this.waveformFunction = timeFunction(source.waveform, { step: 0, stop: 0 });
    // Without a DC value ngspice takes the transient function's value at time 0.
    this.dcValue = source.dc ?? this.waveformFunction?.value(0) ?? card.value ?? 0;
    const magnitude = source.acMag ?? 0;
    const phase = ((source.acPhase ?? 0) * Math.PI) / 180;
    this.acReal = magnitude * Math.cos(phase);
    this.acImag = magnitude * Math.sin(phase);
  }

  beginTransient(step: number, stop: number): void {
    const waveform = this.card.source?.waveform;
    if (waveform) this.waveformFunction = timeFunction(waveform, { step, stop });
  }

  /** The source's value in the present analysis, before source stepping. */
  protected valueAt(ctx: LoadContext): number {
    if ((ctx.mode === 'tran' || ctx.mode === 'tranop') && this.waveformFunction) {
      return this.waveformFunction.value(ctx.time);
    }
    return this.dcValue;
  }

  breakpoints(from: number, to: number, add: (time: number) => void): void {
    this.waveformFunction?.breakpoints(from, to, add);
  }

  abstract setup(ctx: SetupContext): void;
  abstract load(ctx: LoadContext): void;
  abstract acLoad(ctx: AcLoadContext): void;
}

export class VoltageSource extends IndependentSource {
  branch: Unknown = 0;
  private handles!: BranchHandles;

  setup(ctx: SetupContext): void {
    this.positive = ctx.node(this.nodes[0]);
    this.negative = ctx.node(this.nodes[1]);
    this.branch = ctx.branch(this.name);
    this.handles = reserveBranch(ctx, this.positive, this.negative, this.branch);
  }

  load(ctx: LoadContext): void {
    stampBranch(ctx.matrix, this.handles);
    ctx.rhs[this.branch] += this.valueAt(ctx) * ctx.sourceFactor;
  }

  acLoad(ctx: AcLoadContext): void {
    stampBranch(ctx.re, this.handles);
    ctx.rhsRe[this.branch] += this.acReal;
    ctx.rhsIm[this.branch] += this.acImag;
  }
}

export class CurrentSource extends IndependentSource {
  /** `m=` (written or from an enclosing `X ... m=`): ngspice's isrcload.c drives m times the value, DC, AC and transient. */
  private readonly multiplier = this.card.params.m ?? 1;

  setup(ctx: SetupContext): void {
    this.positive = ctx.node(this.nodes[0]);
    this.negative = ctx.node(this.nodes[1]);
  }

  load(ctx: LoadContext): void {
    const current = this.valueAt(ctx) * ctx.sourceFactor * this.multiplier;
    ctx.rhs[this.positive] -= current;
    ctx.rhs[this.negative] += current;
  }

  acLoad(ctx: AcLoadContext): void {
    const re = this.acReal * this.multiplier;
    const im = this.acImag * this.multiplier;
    ctx.rhsRe[this.positive] -= re;
    ctx.rhsIm[this.positive] -= im;
    ctx.rhsRe[this.negative] += re;
    ctx.rhsIm[this.negative] += im;
  }
}

export function createVoltageSource(card: ElementCard, _ctx: DeviceBuildContext): VoltageSource {
  return new VoltageSource(card.name, [card.nodes[0], card.nodes[1]], card);
}

export function createCurrentSource(card: ElementCard, _ctx: DeviceBuildContext): CurrentSource {
  return new CurrentSource(card.name, [card.nodes[0], card.nodes[1]], card);
}
