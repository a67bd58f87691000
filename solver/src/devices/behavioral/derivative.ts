/**
 * Expressions with derivatives, for behavioural sources: an Expr tree (node voltages, branch currents,
 * time, temper) compiled once into a tree of nodes that each hold their value and gradient with respect to
 * the unknowns the expression reads (forward-mode automatic differentiation). Evaluation allocates nothing,
 * as device loads must not. Non-differentiable points take one side's derivative (abs, min/max, sgn, u,
 * comparisons: 0), as ngspice's B source does.
 */
import type { Expr } from '../../circuit/flat';
import { CircuitError } from '../../errors';
import { expressionLocation } from '../../netlist/expression';

/** What an expression may read while the circuit is solved. */
export interface EvaluationInputs {
  solution: Float64Array;
  time: number;
  /** Circuit temperature in Celsius. */
  temper: number;
}

export abstract class Node {
  value = 0;
  readonly gradient: Float64Array;
  constructor(size: number) {
    this.gradient = new Float64Array(size);
  }
  abstract evaluate(inputs: EvaluationInputs): void;
}

class Constant extends Node {
  constructor(size: number, value: number) {
    super(size);
    this.value = value;
  }
  evaluate(): void {}
}

class Variable extends Node {
  constructor(
    size: number,
    private readonly read: (inputs: EvaluationInputs) => number,
  ) {
    super(size);
  }
  evaluate(inputs: EvaluationInputs): void {
    this.value = this.read(inputs);
  }
}

/** A difference of two unknowns (v(a,b), or v(a) with b ground, or i(src)); gradient ±1 at fixed slots. */
class Unknowns extends Node {
  constructor(
    size: number,
    private readonly plus: number,
    private readonly plusSlot: number,
    private readonly minus: number,
    private readonly minusSlot: number,
  ) {
    super(size);
    if (plusSlot >= 0) this.gradient[plusSlot] += 1;
    if (minusSlot >= 0) this.gradient[minusSlot] -= 1;
  }
  evaluate(inputs: EvaluationInputs): void {
    const x = inputs.solution;
    this.value = (this.plus > 0 ? x[this.plus] : 0) - (this.minus > 0 ? x[this.minus] : 0);
  }
}

/** y = f(x) with f' known: a unary function node. */
class Unary extends Node {
  constructor(
    size: number,
    private readonly arg: Node,
    private readonly f: (x: number) => number,
    private readonly df: (x: number, y: number) => number,
  ) {
    super(size);
  }
  evaluate(inputs: EvaluationInputs): void {
    const a = this.arg;
    a.evaluate(inputs);
    const y = this.f(a.value);
    this.value = y;
    const d = this.df(a.value, y);
    const g = this.gradient;
    const ga = a.gradient;
    for (let k = 0; k < g.length; k++) g[k] = d * ga[k];
  }
}

/** z = f(x, y) with partial derivatives. */
class Binary extends Node {
  private dx = 0;
  private dy = 0;
  constructor(
    size: number,
    private readonly left: Node,
    private readonly right: Node,
    /** Computes the value and sets `partials[0..1]`. */
    private readonly f: (x: number, y: number, partials: Float64Array) => number,
  ) {
    super(size);
  }
  private static readonly partials = new Float64Array(2);
  evaluate(inputs: EvaluationInputs): void {
    const l = this.left;
    const r = this.right;
    l.evaluate(inputs);
    r.evaluate(inputs);
    const p = Binary.partials;
    p[0] = 0;
    p[1] = 0;
    this.value = this.f(l.value, r.value, p);
    this.dx = p[0];
    this.dy = p[1];
    const g = this.gradient;
    const gl = l.gradient;
    const gr = r.gradient;
    for (let k = 0; k < g.length; k++) g[k] = this.dx * gl[k] + this.dy * gr[k];
  }
}

/** Chooses one of its inputs (ternary, min, max, limit, logical operators): value and gradient of that input. */
class Select extends Node {
  constructor(
    size: number,
    private readonly args: Node[],
    /** Index of the chosen argument, or -1 for a constant `constant(values)` with zero gradient. */
    private readonly choose: (values: number[]) => number,
    private readonly constant: (values: number[]) => number = () => 0,
    /** Evaluate only the arguments `needed` says (ternary: the condition first). */
    private readonly lazy = false,
  ) {
    super(size);
  }
  private readonly values: number[] = [];
  evaluate(inputs: EvaluationInputs): void {
    const values = this.values;
    values.length = 0;
    if (this.lazy) {
      // Ternary: cond ? a : b, evaluating only the branch taken.
      const [cond, a, b] = this.args;
      cond.evaluate(inputs);
      const chosen = cond.value !== 0 && !Number.isNaN(cond.value) ? a : b;
      chosen.evaluate(inputs);
      this.value = chosen.value;
      this.gradient.set(chosen.gradient);
      return;
    }
    for (const arg of this.args) {
      arg.evaluate(inputs);
      values.push(arg.value);
    }
    const index = this.choose(values);
    if (index < 0) {
      this.value = this.constant(values);
      this.gradient.fill(0);
    } else {
      this.value = values[index];
      this.gradient.set(this.args[index].gradient);
    }
  }
}

/**
 * Piecewise-linear table y(x), constant beyond both ends (E/G TABLE). As ngspice (which turns TABLE into
 * a B source with pwl()), every corner is rounded by a parabola over ±10 % of the shorter adjacent segment,
 * so that the derivative Newton sees is continuous.
 */
export class Table extends Node {
  /** Slopes of the segments: slopes[0] before the first point (0), slopes[n] after the last (0). */
  private readonly slopes: Float64Array;
  private readonly radii: Float64Array;

  constructor(
    size: number,
    private readonly arg: Node,
    private readonly xs: Float64Array,
    private readonly ys: Float64Array,
  ) {
    super(size);
    const n = xs.length;
    this.slopes = new Float64Array(n + 1);
    for (let k = 1; k < n; k++) this.slopes[k] = (ys[k] - ys[k - 1]) / (xs[k] - xs[k - 1]);
    this.radii = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const left = k > 0 ? xs[k] - xs[k - 1] : Infinity;
      const right = k < n - 1 ? xs[k + 1] - xs[k] : Infinity;
      const width = Math.min(left, right);
      this.radii[k] = Number.isFinite(width) ? 0.1 * width : 0;
    }
  }

  evaluate(inputs: EvaluationInputs): void {
    const a = this.arg;
    a.evaluate(inputs);
    const x = a.value;
    const xs = this.xs;
    const ys = this.ys;
    const n = xs.length;
    // Segment index: number of points at or left of x.
    let k = 0;
    while (k < n && xs[k] <= x) k++;
    // Piecewise-linear value and slope.
    let slope = this.slopes[k];
    let value = k === 0 ? ys[0] : k === n ? ys[n - 1] : ys[k - 1] + slope * (x - xs[k - 1]);
    // Rounding of the nearest corner, when x is within its radius.
    for (const corner of [k - 1, k]) {
      if (corner < 0 || corner >= n) continue;
      const r = this.radii[corner];
      const offset = x - xs[corner];
      if (r > 0 && Math.abs(offset) < r) {
        const before = this.slopes[corner];
        const after = this.slopes[corner + 1];
        const jump = after - before;
        value = ys[corner] + before * offset + (jump * (offset + r) * (offset + r)) / (4 * r);
        slope = before + (jump * (offset + r)) / (2 * r);
        break;
      }
    }
    this.value = value;
    const g = this.gradient;
    for (let j = 0; j < g.length; j++) g[j] = slope * a.gradient[j];
  }
}

export interface CompileContext {
  /** Unknown of a node name (0 for ground), creating it when needed. */
  node(name: string): number;
  /** Branch unknown of a voltage source / inductor / controlled voltage source, or undefined. */
  branch(name: string): number | undefined;
  /** Where to report errors. */
  owner: string;
}

/**
 * Compiles expressions over one gradient space: the distinct unknowns read by all expressions compiled
 * with it. Call `compile` for each expression, then read `unknowns` (slot -> unknown index).
 */
export class ExpressionCompiler {
  readonly unknowns: number[] = [];
  private readonly slots = new Map<number, number>();
  private readonly pending: Array<() => void> = [];
  private size = 0;

  constructor(private readonly ctx: CompileContext) {}

  /** First pass: register the unknowns of `expr` (must precede `build`). */
  collect(expr: Expr): void {
    switch (expr.type) {
      case 'call':
        if (expr.name === 'v') {
          for (const arg of expr.args) this.slot(this.ctx.node((arg as { name: string }).name));
        } else if (expr.name === 'i') {
          const name = (expr.args[0] as { name: string }).name;
          this.slot(this.branchOf(name, expr));
        } else {
          for (const arg of expr.args) this.collect(arg);
        }
        break;
      case 'unary':
        this.collect(expr.arg);
        break;
      case 'binary':
        this.collect(expr.left);
        this.collect(expr.right);
        break;
      case 'ternary':
        this.collect(expr.cond);
        this.collect(expr.then);
        this.collect(expr.else);
        break;
      default:
        break;
    }
    void this.pending;
  }

  /** Register one unknown directly (POLY controls). */
  slot(unknown: number): number {
    if (unknown <= 0) return -1;
    let slot = this.slots.get(unknown);
    if (slot === undefined) {
      slot = this.unknowns.length;
      this.unknowns.push(unknown);
      this.slots.set(unknown, slot);
    }
    return slot;
  }

  /** The gradient size once every expression has been collected. */
  freeze(): number {
    this.size = this.unknowns.length;
    return this.size;
  }

  private branchOf(name: string, expr: Expr): number {
    const branch = this.ctx.branch(name);
    if (branch === undefined) {
      throw new CircuitError(
        `${this.ctx.owner}: i(${name}) needs the branch current of '${name}', which has none`,
        expressionLocation(expr),
        'i() reads the current of a voltage source (V), an inductor or an E/H source; add a 0 V source in series',
      );
    }
    return branch;
  }

  constant(value: number): Node {
    return new Constant(this.size, value);
  }

  difference(plus: number, minus: number): Node {
    return new Unknowns(this.size, plus, this.slots.get(plus) ?? -1, minus, this.slots.get(minus) ?? -1);
  }

  table(arg: Node, points: Array<[number, number]>): Node {
    const sorted = [...points].sort((a, b) => a[0] - b[0]);
    return new Table(
      this.size,
      arg,
      Float64Array.from(sorted.map((p) => p[0])),
      Float64Array.from(sorted.map((p) => p[1])),
    );
  }

  product(a: Node, b: Node): Node {
    return new Binary(this.size, a, b, (x, y, p) => {
      p[0] = y;
      p[1] = x;
      return x * y;
    });
  }

  sum(a: Node, b: Node): Node {
    return new Binary(this.size, a, b, (x, y, p) => {
      p[0] = 1;
      p[1] = 1;
      return x + y;
    });
  }

  build(expr: Expr): Node {
    const n = this.size;
    switch (expr.type) {
      case 'num':
        return new Constant(n, expr.value);
      case 'var':
        switch (expr.name) {
          case 'time':
            return new Variable(n, (inputs) => inputs.time);
          case 'temper':
            return new Variable(n, (inputs) => inputs.temper);
          case 'hertz':
            return new Constant(n, 0);
          case 'pi':
            return new Constant(n, Math.PI);
          case 'e':
            return new Constant(n, Math.E);
          default:
            throw new CircuitError(
              `${this.ctx.owner}: unknown name '${expr.name}' in a behavioural expression`,
              expressionLocation(expr),
              'use v(node), v(a,b), i(vsource), time, temper, numbers or .param values',
            );
        }
      case 'unary': {
        const arg = this.build(expr.arg);
        if (expr.op === '+') return arg;
        if (expr.op === '-')
          return new Unary(
            n,
            arg,
            (x) => -x,
            () => -1,
          );
        return new Select(
          n,
          [arg],
          () => -1,
          (v) => (v[0] !== 0 && !Number.isNaN(v[0]) ? 0 : 1),
        );
      }
      case 'binary':
        return this.binary(expr.op, this.build(expr.left), this.build(expr.right));
      case 'ternary':
        return new Select(
          n,
          [this.build(expr.cond), this.build(expr.then), this.build(expr.else)],
          () => -1,
          () => 0,
          true,
        );
      case 'call':
        return this.call(expr);
    }
  }

  private binary(op: string, l: Node, r: Node): Node {
    const n = this.size;
    const truthy = (x: number) => x !== 0 && !Number.isNaN(x);
    const compare = (test: (a: number, b: number) => boolean) =>
      new Select(
        n,
        [l, r],
        () => -1,
        (v) => (test(v[0], v[1]) ? 1 : 0),
      );
    switch (op) {
      case '+':
        return this.sum(l, r);
      case '-':
        return new Binary(n, l, r, (x, y, p) => {
          p[0] = 1;
          p[1] = -1;
          return x - y;
        });
      case '*':
        return this.product(l, r);
      case '/':
        return new Binary(n, l, r, (x, y, p) => {
          p[0] = 1 / y;
          p[1] = -x / (y * y);
          return x / y;
        });
      case '%':
        // x % y = x − trunc(x/y)·y, piecewise linear in x and y.
        return new Binary(n, l, r, (x, y, p) => {
          p[0] = 1;
          p[1] = -Math.trunc(x / y);
          return x % y;
        });
      case '**':
        return new Binary(n, l, r, power);
      case '==':
        return compare((a, b) => a === b);
      case '!=':
        return compare((a, b) => a !== b);
      case '<':
        return compare((a, b) => a < b);
      case '<=':
        return compare((a, b) => a <= b);
      case '>':
        return compare((a, b) => a > b);
      case '>=':
        return compare((a, b) => a >= b);
      case '&&':
        return compare((a, b) => truthy(a) && truthy(b));
      case '||':
        return compare((a, b) => truthy(a) || truthy(b));
    }
    throw new Error(`internal: operator ${op}`);
  }

  private call(expr: Extract<Expr, { type: 'call' }>): Node {
    const n = this.size;
    if (expr.name === 'v') {
      const names = expr.args.map((arg) => (arg as { name: string }).name);
      const plus = this.ctx.node(names[0]);
      const minus = names.length > 1 ? this.ctx.node(names[1]) : 0;
      return this.difference(plus, minus);
    }
    if (expr.name === 'i') {
      const branch = this.branchOf((expr.args[0] as { name: string }).name, expr);
      return this.difference(branch, 0);
    }
    const args = expr.args.map((arg) => this.build(arg));
    const [a] = args;
    const unary = (f: (x: number) => number, df: (x: number, y: number) => number) => new Unary(n, a, f, df);
    switch (expr.name) {
      case 'sqrt':
        return unary(Math.sqrt, (x, y) => (y > 0 ? 0.5 / y : 0));
      case 'exp':
        return unary(Math.exp, (x, y) => y);
      case 'ln':
      case 'log':
        return unary(Math.log, (x) => 1 / x);
      case 'log10':
        return unary(Math.log10, (x) => 1 / (x * Math.LN10));
      case 'abs':
        return unary(Math.abs, (x) => (x >= 0 ? 1 : -1));
      case 'sin':
        return unary(Math.sin, (x) => Math.cos(x));
      case 'cos':
        return unary(Math.cos, (x) => -Math.sin(x));
      case 'tan':
        return unary(Math.tan, (x) => 1 / (Math.cos(x) * Math.cos(x)));
      case 'asin':
        return unary(Math.asin, (x) => 1 / Math.sqrt(1 - x * x));
      case 'acos':
        return unary(Math.acos, (x) => -1 / Math.sqrt(1 - x * x));
      case 'atan':
        return unary(Math.atan, (x) => 1 / (1 + x * x));
      case 'sinh':
        return unary(Math.sinh, (x) => Math.cosh(x));
      case 'cosh':
        return unary(Math.cosh, (x) => Math.sinh(x));
      case 'tanh':
        return unary(Math.tanh, (x, y) => 1 - y * y);
      case 'floor':
        return unary(Math.floor, () => 0);
      case 'ceil':
        return unary(Math.ceil, () => 0);
      case 'int':
        return unary(Math.trunc, () => 0);
      case 'nint':
      case 'round':
        return unary(Math.round, () => 0);
      case 'sgn':
      case 'sign':
        return unary(Math.sign, () => 0);
      case 'u':
        return unary(
          (x) => (x > 0 ? 1 : 0),
          () => 0,
        );
      case 'pow':
        return new Binary(n, a, args[1], power);
      case 'pwr':
        return new Binary(n, a, args[1], (x, y, p) => {
          const ax = Math.abs(x);
          const value = Math.sign(x) * Math.pow(ax, y);
          p[0] = ax > 0 ? y * Math.pow(ax, y - 1) : 0;
          p[1] = ax > 0 ? value * Math.log(ax) : 0;
          return value;
        });
      case 'atan2':
        return new Binary(n, a, args[1], (y, x, p) => {
          const r2 = x * x + y * y;
          p[0] = r2 > 0 ? x / r2 : 0;
          p[1] = r2 > 0 ? -y / r2 : 0;
          return Math.atan2(y, x);
        });
      case 'min':
        return new Select(n, args, (v) => v.indexOf(Math.min(...v)));
      case 'max':
        return new Select(n, args, (v) => v.indexOf(Math.max(...v)));
      case 'limit':
        // limit(x, lo, hi)
        return new Select(n, args, (v) =>
          v[0] < Math.min(v[1], v[2])
            ? v[1] <= v[2]
              ? 1
              : 2
            : v[0] > Math.max(v[1], v[2])
              ? v[1] >= v[2]
                ? 1
                : 2
              : 0,
        );
      case 'if':
        return new Select(
          n,
          args,
          () => -1,
          () => 0,
          true,
        );
    }
    throw new CircuitError(
      `${this.ctx.owner}: function ${expr.name}() cannot be used in a behavioural source`,
      expressionLocation(expr),
      'see the list of supported functions in the solver README',
    );
  }
}

/** x ** y and pow(x, y) as ngspice's B source computes them: |x|^y (PTpower), with partial derivatives. */
function power(x: number, y: number, p: Float64Array): number {
  const ax = Math.abs(x);
  const value = Math.pow(ax, y);
  p[0] = ax !== 0 ? Math.sign(x) * y * Math.pow(ax, y - 1) : y === 1 ? 1 : 0;
  p[1] = ax > 0 ? value * Math.log(ax) : 0;
  return value;
}
