import { simulateNetlist } from '../simulate';
import { eigenvalues, pencilRoots } from './pz';

/** Sorted by real part, then imaginary part, ignoring rounding-level differences of the real parts. */
const sorted = (roots: Array<{ re: number; im: number }>) =>
  [...roots].sort((a, b) => (Math.abs(a.re - b.re) > 1e-9 ? a.re - b.re : a.im - b.im));

describe('eigenvalues', () => {
  it('finds the roots of a polynomial from its companion matrix, complex pairs included', () => {
    // (x − 1)(x + 2)(x² + 2x + 5): roots 1, −2, −1 ± 2j. x⁴ + 3x³ + 5x² + 1x − 10 ... expanded below.
    const c = [1, 3, 5, 1, -10]; // x^4 + 3x^3 + 5x^2 + x - 10
    const n = 4;
    const m = Array.from({ length: n }, () => new Float64Array(n));
    for (let j = 0; j < n; j++) m[0][j] = -c[j + 1];
    for (let i = 1; i < n; i++) m[i][i - 1] = 1;
    const roots = sorted(eigenvalues(m));
    const expected = [
      { re: -2, im: 0 },
      { re: -1, im: -2 },
      { re: -1, im: 2 },
      { re: 1, im: 0 },
    ];
    roots.forEach((root, k) => {
      expect(root.re).toBeCloseTo(expected[k].re, 10);
      expect(root.im).toBeCloseTo(expected[k].im, 10);
    });
  });

  it('handles zero and defective eigenvalues', () => {
    const jordan = [Float64Array.of(0, 1, 0), Float64Array.of(0, 0, 0), Float64Array.of(0, 0, 2)];
    expect(sorted(eigenvalues(jordan)).map((z) => z.re)).toEqual([0, 0, 2]);
  });
});

describe('pencilRoots', () => {
  it('drops the infinite roots of a singular Q', () => {
    // det([[1, 1], [1, 2 + s]]) = 1 + s: one finite root −1; Q has a zero row and column.
    const roots = pencilRoots({
      p: [Float64Array.of(1, 1), Float64Array.of(1, 2)],
      q: [Float64Array.of(0, 0), Float64Array.of(0, 1)],
    });
    expect(roots).toEqual([{ re: expect.closeTo(-1, 12), im: 0 }]);
  });
});

describe('.pz', () => {
  it('finds the pole of an RC low-pass at −1/RC and no zero', () => {
    const result = simulateNetlist(
      '* rc\nv1 in 0 ac 1\nr1 in out 1k\nc1 out 0 1u\n.pz in 0 out 0 vol pz\n.end\n',
    );
    const plot = result.plots[0];
    expect(plot.name).toBe('Pole-Zero Analysis');
    expect(plot.vectors.map((v) => v.name)).toEqual(['pole(1)']);
    expect(plot.vectors[0].real[0]).toBeCloseTo(-1000, 8);
  });

  it('reports bad cards and unknown nodes at the line', () => {
    expect(() =>
      simulateNetlist('* rc\nv1 in 0 ac 1\nr1 in out 1k\n.pz in 0 out 0 vol both\n.end\n'),
    ).toThrow(/expected pol, zer or pz/);
    expect(() => simulateNetlist('* rc\nv1 in 0 ac 1\nr1 in out 1k\n.pz in 0 nope 0 vol pz\n.end\n')).toThrow(
      /no node 'nope'/,
    );
  });
});
