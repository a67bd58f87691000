/**
 * Behavioural sources: B n+ n- V={expr} | I={expr} (ngspice manual ch. 5.1), and the E/G/F/H forms
 * vendor models use: E/G VALUE={expr}, E/G TABLE {expr} = (x,y)..., E/G POLY(n) nc1+ nc1- ... c0 c1 ...,
 * F/H POLY(n) v1 v2 ... c0 c1 ... (SPICE2 polynomial sources). All become one device: an output
 * (a voltage through a branch unknown, or a current from n+ through the source to n-) that is a
 * differentiable function of node voltages, branch currents and time, stamped by Newton linearisation:
 *   current:  i(x) ≈ i(x0) + Σ ∂i/∂x_k·(x_k − x0_k)
 *   voltage:  v(n+) − v(n−) − Σ ∂v/∂x_k·x_k = v(x0) − Σ ∂v/∂x_k·x0_k   (the branch row)
 */
import type { ElementCard, Expr } from '../../circuit/flat';
import { CircuitError } from '../../errors';
import {
  type AcLoadContext,
  CELSIUS_TO_KELVIN,
  type Device,
  type DeviceBuildContext,
  type Handle,
  type LoadContext,
  type SetupContext,
  type Unknown,
} from '../device';
import { type EvaluationInputs, ExpressionCompiler, type Node } from './derivative';

type Output = 'v' | 'i';

/** How the device's function is built once the unknowns are known. */
type Builder = (compiler: ExpressionCompiler, ctx: SetupContext) => Node;

export class BehavioralSource implements Device {
  readonly nonlinear = true;
  /** Set up after the sources whose branch currents it reads. */
  readonly setupOrder = 2;
  private root!: Node;
  private positive: Unknown = 0;
  private negative: Unknown = 0;
  branch: Unknown = 0;
  private controls: Unknown[] = [];
  /** Handles: for a voltage output (branch, control_k); for a current output (n+, control_k), (n-, control_k). */
  private rowPositive: Handle[] = [];
  private rowNegative: Handle[] = [];
  private branchHandles: Handle[] = [];
  private readonly inputs: EvaluationInputs = { solution: new Float64Array(0), time: 0, temper: 27 };
  /** Gradient at the last load (for AC). */
  private lastGradient = new Float64Array(0);

  constructor(
    readonly name: string,
    private readonly nodes: [string, string],
    private readonly output: Output,
    private readonly collect: (compiler: ExpressionCompiler, ctx: SetupContext) => void,
    private readonly builder: Builder,
    private readonly scale: number,
  ) {}

  setup(ctx: SetupContext): void {
    this.positive = ctx.node(this.nodes[0]);
    this.negative = ctx.node(this.nodes[1]);
    if (this.output === 'v') this.branch = ctx.branch(this.name);
    const compiler = new ExpressionCompiler({
      node: (name) => ctx.node(name),
      branch: (name) => ctx.branchOf(name),
      owner: this.name,
    });
    this.collect(compiler, ctx);
    compiler.freeze();
    this.root = this.builder(compiler, ctx);
    this.controls = compiler.unknowns;
    this.lastGradient = new Float64Array(this.controls.length);
    if (this.output === 'v') {
      const k = this.branch;
      this.branchHandles = [
        ctx.entry(this.positive, k),
        ctx.entry(this.negative, k),
        ctx.entry(k, this.positive),
        ctx.entry(k, this.negative),
      ];
      this.rowPositive = this.controls.map((u) => ctx.entry(k, u));
    } else {
      this.rowPositive = this.controls.map((u) => ctx.entry(this.positive, u));
      this.rowNegative = this.controls.map((u) => ctx.entry(this.negative, u));
    }
  }

  temperature(kelvin: number): void {
    this.inputs.temper = kelvin - CELSIUS_TO_KELVIN;
  }

  private evaluate(solution: Float64Array, time: number): number {
    const inputs = this.inputs;
    inputs.solution = solution;
    inputs.time = time;
    this.root.evaluate(inputs);
    return this.root.value * this.scale;
  }

  load(ctx: LoadContext): void {
    const x = ctx.solution;
    const value = this.evaluate(x, ctx.mode === 'tran' ? ctx.time : 0);
    const gradient = this.root.gradient;
    const scale = this.scale;
    let linear = 0;
    for (let k = 0; k < this.controls.length; k++) {
      const g = gradient[k] * scale;
      this.lastGradient[k] = g;
      linear += g * x[this.controls[k]];
    }
    const m = ctx.matrix;
    if (this.output === 'v') {
      const [pk, nk, kp, kn] = this.branchHandles;
      m[pk] += 1;
      m[nk] -= 1;
      m[kp] += 1;
      m[kn] -= 1;
      for (let k = 0; k < this.controls.length; k++) m[this.rowPositive[k]] -= this.lastGradient[k];
      ctx.rhs[this.branch] += value - linear;
    } else {
      for (let k = 0; k < this.controls.length; k++) {
        m[this.rowPositive[k]] += this.lastGradient[k];
        m[this.rowNegative[k]] -= this.lastGradient[k];
      }
      const equivalent = value - linear;
      ctx.rhs[this.positive] -= equivalent;
      ctx.rhs[this.negative] += equivalent;
    }
  }

  acLoad(ctx: AcLoadContext): void {
    const m = ctx.re;
    if (this.output === 'v') {
      const [pk, nk, kp, kn] = this.branchHandles;
      m[pk] += 1;
      m[nk] -= 1;
      m[kp] += 1;
      m[kn] -= 1;
      for (let k = 0; k < this.controls.length; k++) m[this.rowPositive[k]] -= this.lastGradient[k];
    } else {
      for (let k = 0; k < this.controls.length; k++) {
        m[this.rowPositive[k]] += this.lastGradient[k];
        m[this.rowNegative[k]] -= this.lastGradient[k];
      }
    }
  }

  /** Corners of `time`-dependent expressions are not known in advance; none are reported. */
}

function exprSource(expr: Expr): { collect: (c: ExpressionCompiler) => void; build: Builder } {
  return { collect: (c) => c.collect(expr), build: (c) => c.build(expr) };
}

/** SPICE2 POLY: the monomials of degree 0, 1, 2, ... over `dimension` controls, in SPICE order. */
export function polyTerms(dimension: number, count: number): number[][] {
  const terms: number[][] = [[]];
  for (let degree = 1; terms.length < count; degree++) {
    // Non-decreasing index sequences of length `degree`, lexicographic (x1², x1x2, x2², ...).
    const sequence = new Array<number>(degree).fill(0);
    for (;;) {
      terms.push([...sequence]);
      if (terms.length >= count) break;
      let position = degree - 1;
      while (position >= 0 && sequence[position] === dimension - 1) position--;
      if (position < 0) break;
      sequence[position]++;
      for (let k = position + 1; k < degree; k++) sequence[k] = sequence[position];
    }
  }
  return terms.slice(0, count);
}

export function createBehavioral(card: ElementCard, ctx: DeviceBuildContext): Device {
  void ctx;
  const nodes: [string, string] = [card.nodes[0], card.nodes[1]];
  const multiplier = card.params.m ?? 1;
  if (card.kind === 'b') {
    if (!card.expression)
      throw new CircuitError(
        `${card.name} has no V= or I= expression`,
        card.loc,
        `write '${card.name} n+ n- V={...}'`,
      );
    const source = exprSource(card.expression.expr);
    const output = card.expression.quantity;
    return new BehavioralSource(
      card.name,
      nodes,
      output,
      source.collect,
      source.build,
      output === 'i' ? multiplier : 1,
    );
  }
  const output: Output = card.kind === 'e' || card.kind === 'h' ? 'v' : 'i';
  if (card.expression) {
    const source = exprSource(card.expression.expr);
    return new BehavioralSource(card.name, nodes, output, source.collect, source.build, 1);
  }
  if (card.table) {
    const table = card.table;
    if (table.points.length < 1)
      throw new CircuitError(
        `${card.name}: TABLE has no points`,
        card.loc,
        'write TABLE {expr} = (x1,y1) (x2,y2) ...',
      );
    return new BehavioralSource(
      card.name,
      nodes,
      output,
      (c) => c.collect(table.expr),
      (c) => c.table(c.build(table.expr), table.points),
      1,
    );
  }
  if (card.poly) {
    const { dimension } = card.poly;
    let coefficients = card.poly.coefficients;
    // SPICE2: POLY(1) with a single coefficient is the linear gain.
    if (dimension === 1 && coefficients.length === 1) coefficients = [0, coefficients[0]];
    const terms = polyTerms(dimension, coefficients.length);
    const voltageControlled = card.kind === 'e' || card.kind === 'g';
    const controlNames = voltageControlled ? [] : (card.controls ?? []);
    if (!voltageControlled && controlNames.length !== dimension) {
      throw new CircuitError(
        `${card.name}: POLY(${dimension}) needs ${dimension} controlling sources`,
        card.loc,
        'list the controlling voltage sources after POLY(n)',
      );
    }
    const controlUnknowns = (c: ExpressionCompiler, setup: SetupContext): Array<[number, number]> => {
      const pairs: Array<[number, number]> = [];
      for (let k = 0; k < dimension; k++) {
        if (voltageControlled) {
          pairs.push([setup.node(card.nodes[2 + 2 * k]), setup.node(card.nodes[3 + 2 * k])]);
        } else {
          const branch = setup.branchOf(controlNames[k]);
          if (branch === undefined) {
            throw new CircuitError(
              `${card.name}: controlling source '${controlNames[k]}' has no branch current`,
              card.loc,
              'POLY controls of F/H are voltage sources',
            );
          }
          pairs.push([branch, 0]);
        }
      }
      for (const [a, b] of pairs) {
        c.slot(a);
        c.slot(b);
      }
      return pairs;
    };
    let pairs: Array<[number, number]> = [];
    return new BehavioralSource(
      card.name,
      nodes,
      output,
      (c, setup) => {
        pairs = controlUnknowns(c, setup);
      },
      (c) => {
        const controls = pairs.map(([a, b]) => c.difference(a, b));
        let sum: Node = c.constant(coefficients[0] ?? 0);
        for (let t = 1; t < terms.length; t++) {
          if (coefficients[t] === 0) continue;
          let term: Node = c.constant(coefficients[t]);
          for (const index of terms[t]) term = c.product(term, controls[index]);
          sum = c.sum(sum, term);
        }
        return sum;
      },
      1,
    );
  }
  throw new CircuitError(`${card.name}: not a behavioural source`, card.loc);
}
