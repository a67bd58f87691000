import type { Expr } from '../../circuit/flat';
import { parseExpression } from '../../netlist/expression';
import { ExpressionCompiler } from './derivative';
import { polyTerms } from './behavioral';

/** Compile `text` over nodes a=1, b=2 and source vs=3 (branch), evaluate at x, return value and gradient. */
function compile(text: string) {
  const expr: Expr = parseExpression(text);
  const nodes: Record<string, number> = { a: 1, b: 2, '0': 0 };
  const compiler = new ExpressionCompiler({
    node: (name) => nodes[name],
    branch: (name) => (name === 'vs' ? 3 : undefined),
    owner: 'b1',
  });
  compiler.collect(expr);
  compiler.freeze();
  const root = compiler.build(expr);
  return (x: number[], time = 0) => {
    const solution = Float64Array.from([0, ...x]);
    root.evaluate({ solution, time, temper: 27 });
    const gradient = new Map<number, number>();
    compiler.unknowns.forEach((unknown, slot) => gradient.set(unknown, root.gradient[slot]));
    return { value: root.value, gradient };
  };
}

describe('behavioural expressions with derivatives', () => {
  const cases = [
    'v(a)**2 + 0.5*tanh(2*v(b)) - exp(-v(a))',
    'v(a,b)*i(vs) + sqrt(abs(v(a))+1)',
    'v(a) > 1 ? 2*v(a) : -v(a)+3',
    'pow(v(a), 3) / (1 + v(b)*v(b))',
    'atan2(v(a), v(b)) + log(1 + v(a)*v(a)) + sin(v(b))*cos(v(a))',
    'min(v(a), v(b)) + max(v(a), 2*v(b)) + limit(v(a), -0.5, 0.5)',
    'pwr(v(b), 1.5) + sinh(v(a)) + cosh(v(b))',
  ];
  const points = [
    [0.7, -0.3, 1e-3],
    [1.3, 0.4, -2e-3],
    [-0.2, 1.1, 5e-3],
  ];

  it.each(cases)('%s: gradient equals central differences', (text) => {
    const f = compile(text);
    for (const x of points) {
      const { gradient } = f(x);
      for (const [unknown, derivative] of gradient) {
        const h = 1e-6 * Math.max(1, Math.abs(x[unknown - 1]));
        const up = [...x];
        const down = [...x];
        up[unknown - 1] += h;
        down[unknown - 1] -= h;
        const numeric = (f(up).value - f(down).value) / (2 * h);
        expect(derivative).toBeCloseTo(numeric, 5);
      }
    }
  });

  it('reads time, and treats ** as |x|^y as ngspice does', () => {
    expect(compile('2*time')([0, 0, 0], 3e-3).value).toBeCloseTo(6e-3, 15);
    expect(compile('v(a)**3')([-2, 0, 0]).value).toBe(8);
  });

  it('rejects unknown names with the element and a hint', () => {
    expect(() => compile('v(a)*gain')).toThrow(/b1: unknown name 'gain'/);
    expect(() => compile('i(r1)')).toThrow(/i\(r1\) needs the branch current/);
  });
});

describe('POLY term order (SPICE2)', () => {
  it('lists constant, linear, then products in lexicographic non-decreasing order', () => {
    expect(polyTerms(2, 10)).toEqual([
      [],
      [0],
      [1],
      [0, 0],
      [0, 1],
      [1, 1],
      [0, 0, 0],
      [0, 0, 1],
      [0, 1, 1],
      [1, 1, 1],
    ]);
    expect(polyTerms(3, 7)).toEqual([[], [0], [1], [2], [0, 0], [0, 1], [0, 2]]);
    expect(polyTerms(1, 4)).toEqual([[], [0], [0, 0], [0, 0, 0]]);
  });
});
