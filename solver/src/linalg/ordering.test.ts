import fc from 'fast-check';
import { analyzePattern, approximateMinimumDegree, maximumTransversal, type Graph } from './ordering';
import { SparseLU } from './sparse-lu';
import { SparseMatrix } from './sparse-matrix';

/** Compressed graph from adjacency lists. */
function graphOf(adjacency: number[][]): Graph {
  const ptr = new Int32Array(adjacency.length + 1);
  adjacency.forEach((list, v) => (ptr[v + 1] = ptr[v] + list.length));
  return { n: adjacency.length, ptr, adj: Int32Array.from(adjacency.flat()) };
}

const isPermutation = (p: Int32Array, n: number) => {
  const seen = new Set(p);
  return p.length === n && seen.size === n && [...seen].every((v) => v >= 0 && v < n);
};

function patternOf(n: number, entries: Array<[number, number]>) {
  const m = new SparseMatrix(n);
  for (const [r, c] of entries) m.add(r, c, 1);
  return m;
}

/** 5-point Laplacian on a side x side grid with a ground tie at every node (a resistor mesh). */
function mesh(side: number): SparseMatrix {
  const n = side * side;
  const m = new SparseMatrix(n);
  const node = (i: number, j: number) => i * side + j;
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) {
      const a = node(i, j);
      m.add(a, a, 0.01);
      for (const [di, dj] of [
        [0, 1],
        [1, 0],
      ]) {
        if (i + di >= side || j + dj >= side) continue;
        const b = node(i + di, j + dj);
        m.add(a, a, 1);
        m.add(b, b, 1);
        m.add(a, b, -1);
        m.add(b, a, -1);
      }
    }
  }
  return m;
}

describe('maximumTransversal', () => {
  it('keeps a zero-free diagonal and matches MNA branch rows off the diagonal', () => {
    // Node 0 with a conductance, a voltage source branch (unknown 1) from node 0 to ground.
    const m = patternOf(2, [
      [0, 0],
      [0, 1],
      [1, 0],
    ]);
    const match = maximumTransversal(m.freeze());
    expect(Array.from(match)).toEqual([1, 0]);
  });

  it('finds a perfect matching for random permuted patterns (augmenting paths needed)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer(), (n, seed) => {
        let s = seed >>> 0;
        const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
        const perm = Array.from({ length: n }, (_, i) => i).sort(() => next() - 0.5);
        const entries: Array<[number, number]> = perm.map((c, r) => [r, c]);
        for (let e = 0; e < 2 * n; e++) entries.push([Math.floor(next() * n), Math.floor(next() * n)]);
        const m = patternOf(n, entries);
        const match = maximumTransversal(m.freeze());
        expect(isPermutation(match, n)).toBe(true);
        for (let j = 0; j < n; j++) expect(m.find(match[j], j)).toBeGreaterThan(0);
      }),
      { numRuns: 100, seed: 20261125 },
    );
  });

  it('reports the structural rank of a structurally singular pattern', () => {
    // Rows 0 and 1 only have entries in column 0: at most one of them can be matched.
    const m = patternOf(3, [
      [0, 0],
      [1, 0],
      [2, 1],
      [2, 2],
    ]);
    expect(analyzePattern(m.freeze()).structuralRank).toBe(2);
  });
});

describe('approximateMinimumDegree', () => {
  it('returns a permutation, putting the hub of a star (arrowhead) last', () => {
    const n = 30;
    const adjacency: number[][] = Array.from({ length: n }, () => []);
    for (let i = 1; i < n; i++) {
      adjacency[0].push(i);
      adjacency[i].push(0);
    }
    const order = approximateMinimumDegree(graphOf(adjacency));
    expect(isPermutation(order, n)).toBe(true);
    // Eliminating leaves first creates no fill; the hub has the highest degree until the end.
    expect(order[n - 2] === 0 || order[n - 1] === 0).toBe(true);
  });

  it('orders dense rows (more than 10 sqrt(n) neighbours) last', () => {
    const n = 400;
    const adjacency: number[][] = Array.from({ length: n }, () => []);
    const link = (a: number, b: number) => (adjacency[a].push(b), adjacency[b].push(a));
    for (let i = 1; i + 1 < n; i++) link(i, i + 1);
    for (let i = 1; i < n; i++) link(0, i); // node 0 touches everything: a supply rail
    const order = approximateMinimumDegree(graphOf(adjacency));
    expect(isPermutation(order, n)).toBe(true);
    expect(order[n - 1]).toBe(0);
  });

  it('gives far less fill than the natural order on a 2D resistor mesh', () => {
    const side = 30;
    const m = mesh(side);
    const lu = new SparseLU(m);
    expect(lu.factor().ok).toBe(true);
    const fill = lu.factorNnz.l;
    // Natural (banded) order fills the whole band: about side * n entries in L.
    const banded = side * side * side;
    expect(fill).toBeLessThan(banded / 2);
    // Nested dissection bound for an s x s grid is O(n log n); AMD gets within a small factor of it.
    expect(fill).toBeLessThan(8 * side * side * Math.log2(side * side));
  });
});
