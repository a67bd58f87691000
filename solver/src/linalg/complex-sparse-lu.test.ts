import fc from 'fast-check';
import { ComplexSparseLU } from './complex-sparse-lu';
import { ComplexSparseMatrix, type ComplexVector } from './sparse-matrix';
import { complexBackwardError, denseComplexSolve } from './test-utils/dense-reference';
import {
  makeSystem,
  randomVector,
  restampComplex,
  toComplexSparse,
  type Scaling,
  type SystemKind,
} from './test-utils/random-matrices';

const specArbitrary = (kinds: SystemKind[], badlyScaled: Scaling[] = ['none', 'rows', 'rowsAndColumns']) =>
  fc.record({
    kind: fc.constantFrom(...kinds),
    n: fc.integer({ min: 1, max: 30 }),
    density: fc.double({ min: 0, max: 0.3, noNaN: true }),
    patternSeed: fc.integer(),
    valueSeed: fc.integer(),
    complex: fc.constant(true),
    badlyScaled: fc.constantFrom(...badlyScaled),
  });

/** See sparse-lu.test.ts for how these bounds were chosen. */
const TOLERANCE = 1e-10;
const MNA_TOLERANCE = 1e-12;
const runs = (numRuns: number) => ({ numRuns, seed: 20261125 });

const vector = (n: number, seed: number): ComplexVector => ({
  re: randomVector(n, seed),
  im: randomVector(n, seed + 1),
});

describe('ComplexSparseLU', () => {
  it('solves an RC divider at one frequency', () => {
    // V1 = 1 V at node 0; R = 1 ohm from 0 to 1; C = 1 F from 1 to ground; omega = 1: v(1) = 1 / (1 + j).
    const m = new ComplexSparseMatrix(3);
    const add = (r: number, c: number, re: number, im: number) => {
      const h = m.entry(r, c);
      m.re[h] += re;
      m.im[h] += im;
    };
    add(0, 0, 1, 0);
    add(0, 1, -1, 0);
    add(1, 0, -1, 0);
    add(1, 1, 1, 0);
    add(1, 1, 0, 1);
    add(1, -1, 0, -1);
    add(0, 2, 1, 0);
    add(2, 0, 1, 0);
    const lu = new ComplexSparseLU(m);
    expect(lu.factor()).toEqual({ ok: true });
    const x = lu.solve({ re: Float64Array.of(0, 0, 1), im: new Float64Array(3) });
    expect(x.re[1]).toBeCloseTo(0.5, 14);
    expect(x.im[1]).toBeCloseTo(-0.5, 14);
    expect(x.re[0]).toBeCloseTo(1, 14);
  });

  it('property: tiny backward error on random complex systems', () => {
    fc.assert(
      fc.property(specArbitrary(['dominant', 'general', 'mna']), fc.integer(), (spec, rhsSeed) => {
        const m = toComplexSparse(makeSystem(spec));
        const lu = new ComplexSparseLU(m);
        expect(lu.factor()).toEqual({ ok: true });
        const b = vector(m.size, rhsSeed);
        const x = lu.solve(b);
        const a = m.toDense();
        const bound = spec.kind === 'general' ? TOLERANCE : MNA_TOLERANCE;
        expect(complexBackwardError(a.re, a.im, x, b.re, b.im)).toBeLessThan(bound);
      }),
      runs(200),
    );
  });

  it('property: solveTransposed() solves the (non-conjugate) transposed system', () => {
    fc.assert(
      fc.property(specArbitrary(['dominant', 'general', 'mna']), fc.integer(), (spec, rhsSeed) => {
        const m = toComplexSparse(makeSystem(spec));
        const lu = new ComplexSparseLU(m);
        expect(lu.factor().ok).toBe(true);
        const b = vector(m.size, rhsSeed);
        const x = lu.solveTransposed(b);
        const a = m.toDense();
        const t = (d: Float64Array[]) => d.map((_, i) => Float64Array.from(d, (row) => row[i]));
        const bound = spec.kind === 'general' ? TOLERANCE : MNA_TOLERANCE;
        expect(complexBackwardError(t(a.re), t(a.im), x, b.re, b.im)).toBeLessThan(bound);
      }),
      runs(100),
    );
  });

  it('property: agrees with the dense complex reference on well-conditioned systems', () => {
    fc.assert(
      fc.property(specArbitrary(['dominant'], ['none']), fc.integer(), (spec, rhsSeed) => {
        const m = toComplexSparse(makeSystem(spec));
        const lu = new ComplexSparseLU(m);
        expect(lu.factor().ok).toBe(true);
        const b = vector(m.size, rhsSeed);
        const x = lu.solve(b);
        const a = m.toDense();
        const reference = denseComplexSolve(a.re, a.im, b.re, b.im)!;
        let scale = 0;
        for (let i = 0; i < m.size; i++)
          scale = Math.max(scale, Math.hypot(reference.re[i], reference.im[i]));
        for (let i = 0; i < m.size; i++) {
          expect(Math.hypot(x.re[i] - reference.re[i], x.im[i] - reference.im[i])).toBeLessThanOrEqual(
            1e-9 * scale,
          );
        }
      }),
      runs(100),
    );
  });

  it('property: refactor() per frequency matches a fresh factor()', () => {
    fc.assert(
      fc.property(
        specArbitrary(['dominant', 'general', 'mna']),
        fc.integer(),
        fc.integer(),
        (spec, seed2, rhsSeed) => {
          const m = toComplexSparse(makeSystem(spec));
          const lu = new ComplexSparseLU(m);
          expect(lu.factor().ok).toBe(true);
          const second = makeSystem({ ...spec, valueSeed: seed2 });
          restampComplex(m, second);
          expect(lu.refactor()).toEqual({ ok: true });
          const b = vector(m.size, rhsSeed);
          const x = lu.solve(b);
          const a = m.toDense();
          const bound = spec.kind === 'general' ? TOLERANCE : MNA_TOLERANCE;
          expect(complexBackwardError(a.re, a.im, x, b.re, b.im)).toBeLessThan(bound);
          if (spec.kind === 'dominant' && spec.badlyScaled === 'none') {
            const fresh = new ComplexSparseLU(toComplexSparse(second));
            expect(fresh.factor().ok).toBe(true);
            const y = fresh.solve(b);
            for (let i = 0; i < m.size; i++) {
              expect(Math.hypot(x.re[i] - y.re[i], x.im[i] - y.im[i])).toBeLessThanOrEqual(
                1e-9 * Math.max(1, Math.hypot(y.re[i], y.im[i])),
              );
            }
          }
        },
      ),
      runs(150),
    );
  });

  it('sweeps an RC ladder over frequency with one factor() and refactor() at every other point', () => {
    // Ladder of n sections: R between consecutive nodes, C from each node to ground, V source at node 0.
    const sections = 50;
    const n = sections + 1 + 1;
    const m = new ComplexSparseMatrix(n);
    const conductance = 1e-3;
    const capacitance = 1e-9;
    const handles = { g: [] as number[][], c: [] as number[] };
    for (let i = 0; i < sections; i++) {
      handles.g.push([m.entry(i, i), m.entry(i, i + 1), m.entry(i + 1, i), m.entry(i + 1, i + 1)]);
      handles.c.push(m.entry(i + 1, i + 1));
    }
    const source = [m.entry(0, n - 1), m.entry(n - 1, 0)];
    const stampAt = (omega: number) => {
      m.clear();
      for (const [a, b, c, d] of handles.g) {
        m.re[a] += conductance;
        m.re[b] -= conductance;
        m.re[c] -= conductance;
        m.re[d] += conductance;
      }
      for (const h of handles.c) m.im[h] += omega * capacitance;
      for (const h of source) m.re[h] = 1;
    };
    const lu = new ComplexSparseLU(m);
    const b = { re: new Float64Array(n), im: new Float64Array(n) };
    b.re[n - 1] = 1;
    const out = { re: new Float64Array(n), im: new Float64Array(n) };
    for (let point = 0; point < 30; point++) {
      const omega = 2 * Math.PI * 10 ** (2 + point * 0.2);
      stampAt(omega);
      expect((point === 0 ? lu.factor() : lu.refactor()).ok).toBe(true);
      lu.solve(b, out);
      const a = m.toDense();
      expect(complexBackwardError(a.re, a.im, out, b.re, b.im)).toBeLessThan(1e-14);
      // The last node's response falls with frequency (a low-pass ladder).
      expect(Math.hypot(out.re[sections], out.im[sections])).toBeLessThanOrEqual(1 + 1e-12);
    }
    expect(lu.factorCount).toBe(1);
  });

  it('reports an empty column and duplicate columns as singular', () => {
    fc.assert(
      fc.property(
        specArbitrary(['dominant', 'general', 'mna'], ['none', 'rows']),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        (spec, p1, p2, empty) => {
          const system = makeSystem({ ...spec, n: Math.max(2, spec.n) });
          const n = system.n;
          const a = p1 % n;
          const b = (a + 1 + (p2 % (n - 1))) % n;
          const stamps = system.stamps.filter((s) => s.col !== b);
          if (!empty) for (const s of stamps.filter((s) => s.col === a)) stamps.push({ ...s, col: b });
          system.stamps = stamps;
          const status = new ComplexSparseLU(toComplexSparse(system)).factor();
          expect(status.ok).toBe(false);
          if (!status.ok) expect(empty ? [b] : [a, b]).toContain(status.singularColumn);
        },
      ),
      runs(150),
    );
  });

  it('refactor() falls back to factor() when a reused pivot vanishes', () => {
    // [[1, j], [j, 2]] pivots on its diagonal; zeroing both diagonals leaves [[0, j], [j, 0]], nonsingular.
    const m = new ComplexSparseMatrix(2);
    const d0 = m.entry(0, 0);
    const d1 = m.entry(1, 1);
    m.add(0, 1, 0, 1);
    m.add(1, 0, 0, 1);
    m.re[d0] = 1;
    m.re[d1] = 2;
    const lu = new ComplexSparseLU(m);
    expect(lu.factor().ok).toBe(true);
    m.re[d0] = 0;
    m.re[d1] = 0;
    expect(lu.refactor()).toEqual({ ok: true });
    expect(lu.factorCount).toBe(2);
    // j y = 3 and j x = 5j  ->  y = -3j, x = 5
    const x = lu.solve({ re: Float64Array.of(3, 0), im: Float64Array.of(0, 5) });
    expect(x.re[0]).toBeCloseTo(5, 14);
    expect(x.im[0]).toBeCloseTo(0, 14);
    expect(x.re[1]).toBeCloseTo(0, 14);
    expect(x.im[1]).toBeCloseTo(-3, 14);
  });

  it('throws on NaN and when solving without factors', () => {
    const m = new ComplexSparseMatrix(1);
    m.im[m.entry(0, 0)] = NaN;
    const lu = new ComplexSparseLU(m);
    expect(() => lu.factor()).toThrow(/NaN or Infinity/);
    expect(() => lu.solve({ re: new Float64Array(1), im: new Float64Array(1) })).toThrow(
      /needs a successful factor/,
    );
  });
});
