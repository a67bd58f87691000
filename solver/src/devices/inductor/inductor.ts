/**
 * Inductor: L n+ n- value [ic=] [m=] [scale=] [tc1= tc2=] [temp=|dtemp=] (or a model with IND); and mutual
 * coupling K L1 L2 k. Temperature and scale as ngspice's indtemp.c:
 * L(T) = L·(1 + tc1·ΔT + tc2·ΔT²)·scale; a coupling uses the inductances at the present temperature.
 * The inductor adds a branch-current unknown; its branch row is v(n+) − v(n−) − dφ/dt = 0 with flux
 * φ = L·i + Σ M·i_other (M = k·√(L1·L2) for each coupling). In DC the row reduces to a short circuit.
 * The flux lives in a state slot and is integrated by the analysis, like a capacitor's charge.
 */
import type { ElementCard } from '../../circuit/flat';
import { CircuitError } from '../../errors';
import { type ReactanceTemperature, reactanceFactor, reactanceTemperature } from '../capacitor/capacitor';
import type {
  AcLoadContext,
  Device,
  DeviceBuildContext,
  Handle,
  LoadContext,
  SetupContext,
  TruncateContext,
  Unknown,
} from '../device';
import { type BranchHandles, reserveBranch, stampBranch } from '../stamp';

interface Coupling {
  /** Coupling coefficient k: M = k·√(L1·L2), with both inductances at the present temperature. */
  coefficient: number;
  mutualInductance: number;
  other: Inductor;
  /** (this branch, other branch) entry. */
  handle: Handle;
}

export class Inductor implements Device {
  readonly nonlinear = false;
  private handles!: BranchHandles;
  private selfHandle: Handle = 0;
  branch: Unknown = 0;
  private stateOffset = 0;
  private readonly couplings: Coupling[] = [];

  /** Inductance at the present temperature (divided by m); set by temperature(). */
  inductance: number;

  constructor(
    readonly name: string,
    private readonly nodes: [string, string],
    /** Inductance at the nominal temperature, divided by m. */
    private readonly nominalInductance: number,
    readonly initialCurrent: number | undefined,
    private readonly thermal?: ReactanceTemperature,
  ) {
    this.inductance = nominalInductance;
  }

  temperature(kelvin: number, nominalKelvin: number): void {
    if (this.thermal)
      this.inductance = this.nominalInductance * reactanceFactor(this.thermal, kelvin, nominalKelvin);
    // Couplings follow both inductances; the other inductor may update after this one, so it refreshes too.
    for (const c of this.couplings) c.other.refreshCoupling(this);
    this.refreshCoupling();
  }

  /** Recompute M = k·√(L1·L2) of the couplings (all of them, or the one with `other`). */
  private refreshCoupling(other?: Inductor): void {
    for (const c of this.couplings) {
      if (other && c.other !== other) continue;
      c.mutualInductance = c.coefficient * Math.sqrt(this.inductance * c.other.inductance);
    }
  }

  setup(ctx: SetupContext): void {
    const a = ctx.node(this.nodes[0]);
    const b = ctx.node(this.nodes[1]);
    this.branch = ctx.branch(this.name);
    this.handles = reserveBranch(ctx, a, b, this.branch);
    this.selfHandle = ctx.entry(this.branch, this.branch);
    this.stateOffset = ctx.states(2);
  }

  /** Called by a K element during its setup (after both inductors are set up). */
  couple(ctx: SetupContext, other: Inductor, coefficient: number): void {
    this.couplings.push({
      other,
      coefficient,
      mutualInductance: coefficient * Math.sqrt(this.inductance * other.inductance),
      handle: ctx.entry(this.branch, other.branch),
    });
  }

  private flux(solution: Float64Array): number {
    let flux = this.inductance * solution[this.branch];
    for (const c of this.couplings) flux += c.mutualInductance * solution[c.other.branch];
    return flux;
  }

  load(ctx: LoadContext): void {
    stampBranch(ctx.matrix, this.handles);
    if (ctx.mode !== 'tran') return;
    const flux = this.flux(ctx.solution);
    ctx.state[0][this.stateOffset] = flux;
    const voltage = ctx.integrate(this.stateOffset);
    const ag0 = ctx.ag0;
    ctx.matrix[this.selfHandle] -= ag0 * this.inductance;
    for (const c of this.couplings) ctx.matrix[c.handle] -= ag0 * c.mutualInductance;
    ctx.rhs[this.branch] += voltage - ag0 * flux;
  }

  acLoad(ctx: AcLoadContext): void {
    stampBranch(ctx.re, this.handles);
    ctx.im[this.selfHandle] -= ctx.omega * this.inductance;
    for (const c of this.couplings) ctx.im[c.handle] -= ctx.omega * c.mutualInductance;
  }

  truncate(ctx: TruncateContext): number {
    return ctx.chargeTimestep(this.stateOffset);
  }

  initialConditions(solution: Float64Array, state: Float64Array, useInitialConditions: boolean): void {
    if (useInitialConditions) {
      // With uic the branch currents start at the cards' IC= values (0 when absent), as in ngspice.
      solution[this.branch] = this.initialCurrent ?? 0;
    }
    state[this.stateOffset] = this.flux(solution);
  }
}

export function createInductor(card: ElementCard, ctx: DeviceBuildContext): Inductor {
  const p = card.params;
  let value = card.value ?? p.l ?? p.inductance;
  const model = card.model ? ctx.model(card, ['l', 'ind']).params : {};
  // IND is ngspice's model inductance (`l` is its model-type flag, not an inductance). The turns/geometry form
  // (NT, MU, CSECT, LENGTH) is not implemented: such a card gets the "no value" error below.
  if (value === undefined && card.model) value = model.ind;
  if (value === undefined) {
    throw new CircuitError(
      `inductor ${card.name} has no value`,
      card.loc,
      'write the inductance after the two nodes, e.g. "L1 a b 10u"',
    );
  }
  return new Inductor(
    card.name,
    [card.nodes[0], card.nodes[1]],
    value / (p.m ?? 1),
    p.ic,
    reactanceTemperature(p, model),
  );
}

/** K L1 L2 k: mutual inductance between two inductors. */
export class MutualInductance implements Device {
  readonly nonlinear = false;
  readonly setupOrder = 1;

  constructor(
    readonly name: string,
    private readonly inductorNames: [string, string],
    readonly coupling: number,
    private readonly card: ElementCard,
  ) {}

  setup(ctx: SetupContext): void {
    const [first, second] = this.inductorNames.map((n) => {
      const device = ctx.device(n);
      if (!(device instanceof Inductor)) {
        throw new CircuitError(
          `${this.name} couples ${n}, which is not an inductor in this circuit`,
          this.card.loc,
          'name two inductors (L elements) of the same subcircuit level',
        );
      }
      return device;
    });
    first.couple(ctx, second, this.coupling);
    second.couple(ctx, first, this.coupling);
  }

  load(): void {
    // The coupled inductors stamp the mutual terms with their own flux.
  }
}

export function createMutualInductance(card: ElementCard): MutualInductance {
  const names = card.controls ?? [];
  const k = card.value ?? card.params.k;
  if (names.length !== 2 || k === undefined) {
    throw new CircuitError(
      `coupling ${card.name} needs two inductor names and a coefficient`,
      card.loc,
      'write e.g. "K1 L1 L2 0.99"',
    );
  }
  if (!(Math.abs(k) <= 1)) {
    throw new CircuitError(
      `coupling ${card.name} has coefficient ${k}, outside [-1, 1]`,
      card.loc,
      'a physical coupling coefficient satisfies |k| <= 1',
    );
  }
  return new MutualInductance(card.name, [names[0], names[1]], k, card);
}
