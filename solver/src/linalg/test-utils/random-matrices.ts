/**
 * Seeded random test systems for the LU property tests. The pattern comes from `patternSeed` and the
 * values from `valueSeed`, so the same pattern can be re-valued to exercise refactor().
 */
import { ComplexSparseMatrix, SparseMatrix } from '../sparse-matrix';

export interface Stamp {
  row: number;
  col: number;
  re: number;
  im: number;
}

export interface TestSystem {
  n: number;
  stamps: Stamp[];
}

export type Scaling = 'none' | 'rows' | 'rowsAndColumns';

export type SystemKind = 'dominant' | 'general' | 'mna';

export interface SystemSpec {
  kind: SystemKind;
  n: number;
  density: number;
  patternSeed: number;
  valueSeed: number;
  complex: boolean;
  /** Scale rows (and columns) by 10^uniform(-12, 12). */
  badlyScaled: Scaling;
}

/** mulberry32: a tiny deterministic PRNG returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (random: () => number, below: number): number => Math.floor(random() * below);
const signed = (random: () => number): number => 2 * random() - 1;

export function makeSystem(spec: SystemSpec): TestSystem {
  const pattern = rng(spec.patternSeed);
  const value = rng(spec.valueSeed);
  const system =
    spec.kind === 'mna'
      ? mnaSystem(spec, pattern, value)
      : spec.kind === 'dominant'
        ? dominantSystem(spec, pattern, value)
        : generalSystem(spec, pattern, value);
  if (spec.badlyScaled !== 'none') {
    const scaleRandom = rng(spec.patternSeed ^ 0x5bd1e995);
    const rowScale = Array.from({ length: system.n }, () => 10 ** (24 * scaleRandom() - 12));
    const colScale = Array.from({ length: system.n }, () =>
      spec.badlyScaled === 'rowsAndColumns' ? 10 ** (24 * scaleRandom() - 12) : 1,
    );
    for (const s of system.stamps) {
      const f = s.row >= 0 && s.col >= 0 ? rowScale[s.row] * colScale[s.col] : 1;
      s.re *= f;
      s.im *= f;
    }
  }
  return system;
}

function offDiagonalPattern(n: number, density: number, pattern: () => number): Array<[number, number]> {
  const positions: Array<[number, number]> = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) if (i !== j && pattern() < density) positions.push([i, j]);
  return positions;
}

function dominantSystem(spec: SystemSpec, pattern: () => number, value: () => number): TestSystem {
  const { n } = spec;
  const stamps: Stamp[] = [];
  const rowSum = new Float64Array(n);
  for (const [i, j] of offDiagonalPattern(n, spec.density, pattern)) {
    const re = signed(value);
    const im = spec.complex ? signed(value) : 0;
    rowSum[i] += Math.hypot(re, im);
    stamps.push({ row: i, col: j, re, im });
  }
  for (let i = 0; i < n; i++) {
    const magnitude = rowSum[i] + 0.5 + value();
    const phase = spec.complex ? 2 * Math.PI * value() : value() < 0.5 ? 0 : Math.PI;
    stamps.push({
      row: i,
      col: i,
      re: magnitude * Math.cos(phase),
      im: spec.complex ? magnitude * Math.sin(phase) : 0,
    });
  }
  return { n, stamps };
}

/** Random sparse plus a random permutation matrix (structurally nonsingular, diagonal often empty). */
function generalSystem(spec: SystemSpec, pattern: () => number, value: () => number): TestSystem {
  const { n } = spec;
  const stamps: Stamp[] = [];
  const entry = (row: number, col: number, magnitude: number): void => {
    stamps.push({
      row,
      col,
      re: magnitude * signed(value),
      im: spec.complex ? magnitude * signed(value) : 0,
    });
  };
  for (const [i, j] of offDiagonalPattern(n, spec.density, pattern)) entry(i, j, 1);
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = int(pattern, i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  for (let i = 0; i < n; i++) {
    stamps.push({
      row: i,
      col: perm[i],
      re: (value() < 0.5 ? -1 : 1) * (1 + value()),
      im: spec.complex ? signed(value) : 0,
    });
  }
  return { n, stamps };
}

/**
 * Modified nodal analysis of a random network: a random spanning tree of conductances to ground (so
 * every node has a DC path), extra conductances, transconductances (unsymmetric entries) and voltage
 * sources (branch rows/columns with a structurally zero diagonal) that never form a loop. Ground is
 * node -1 and its stamps land in the trash handle. For complex systems conductances get a susceptance.
 */
function mnaSystem(spec: SystemSpec, pattern: () => number, value: () => number): TestSystem {
  const nodes = Math.max(1, Math.round(spec.n * 0.7));
  const sourcesWanted = spec.n - nodes;
  const stamps: Stamp[] = [];
  const admittance = (): [number, number] => [
    10 ** (6 * value() - 3),
    spec.complex ? 10 ** (6 * value() - 3) : 0,
  ];
  const stampAdmittance = (a: number, b: number): void => {
    const [g, b2] = admittance();
    stamps.push({ row: a, col: a, re: g, im: b2 }, { row: b, col: b, re: g, im: b2 });
    stamps.push({ row: a, col: b, re: -g, im: -b2 }, { row: b, col: a, re: -g, im: -b2 });
  };
  for (let i = 0; i < nodes; i++) stampAdmittance(i, int(pattern, i + 1) - 1); // i-th node to ground or an earlier node
  const extra = Math.round(spec.density * nodes * 3);
  for (let e = 0; e < extra; e++) {
    const a = int(pattern, nodes + 1) - 1;
    const b = int(pattern, nodes + 1) - 1;
    if (a !== b) stampAdmittance(a, b);
  }
  for (let e = 0; e < Math.round(spec.density * nodes); e++) {
    // VCCS: current gm * (v(c) - v(d)) from a to b; small gm keeps the network passive-dominated.
    const [a, b, c, d] = [0, 0, 0, 0].map(() => int(pattern, nodes + 1) - 1);
    const gm = 1e-4 * signed(value);
    stamps.push({ row: a, col: c, re: gm, im: 0 }, { row: a, col: d, re: -gm, im: 0 });
    stamps.push({ row: b, col: c, re: -gm, im: 0 }, { row: b, col: d, re: gm, im: 0 });
  }
  // Voltage sources as a forest over nodes + ground (union-find), so no source loop makes it singular.
  const parent = Array.from({ length: nodes + 1 }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  let branch = nodes;
  for (let attempt = 0; attempt < 20 * sourcesWanted && branch < spec.n; attempt++) {
    const a = int(pattern, nodes + 1) - 1;
    const b = int(pattern, nodes + 1) - 1;
    if (a === b || find(a + 1) === find(b + 1)) continue;
    parent[find(a + 1)] = find(b + 1);
    stamps.push({ row: a, col: branch, re: 1, im: 0 }, { row: branch, col: a, re: 1, im: 0 });
    stamps.push({ row: b, col: branch, re: -1, im: 0 }, { row: branch, col: b, re: -1, im: 0 });
    branch++;
  }
  return { n: branch, stamps };
}

export function toSparse(system: TestSystem): SparseMatrix {
  const m = new SparseMatrix(system.n);
  const handles = system.stamps.map((s) => m.entry(s.row, s.col));
  system.stamps.forEach((s, t) => (m.values[handles[t]] += s.re));
  return m;
}

export function toComplexSparse(system: TestSystem): ComplexSparseMatrix {
  const m = new ComplexSparseMatrix(system.n);
  const handles = system.stamps.map((s) => m.entry(s.row, s.col));
  system.stamps.forEach((s, t) => {
    m.re[handles[t]] += s.re;
    m.im[handles[t]] += s.im;
  });
  return m;
}

/** Overwrite the values of an already reserved matrix with another system of the same pattern. */
export function restamp(m: SparseMatrix, system: TestSystem): void {
  m.clear();
  for (const s of system.stamps) m.add(s.row, s.col, s.re);
}

export function restampComplex(m: ComplexSparseMatrix, system: TestSystem): void {
  m.clear();
  for (const s of system.stamps) {
    const h = m.entry(s.row, s.col);
    m.re[h] += s.re;
    m.im[h] += s.im;
  }
}

export function randomVector(n: number, seed: number): Float64Array {
  const random = rng(seed);
  return Float64Array.from({ length: n }, () => signed(random));
}
