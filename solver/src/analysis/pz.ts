/**
 * Pole-zero analysis (.pz n1 n2 n3 n4 vol|cur pol|zer|pz): the poles and zeros of the transfer function from
 * the input port (n1, n2) to the output port (n3, n4) of the circuit linearised at its operating point.
 *
 * The linearised MNA system is (G + s·C)·x = b·u. Poles are the s where G + s·C is singular, with the input
 * port shorted (`vol`: a voltage input) or open (`cur`: a current input) and every other independent source
 * zeroed (V shorted, I open); an independent source connected across the input port is the input itself, as in
 * ngspice. Zeros are the s where the output can be zero for a non-zero input: the pencil of the system
 * bordered by the input column b and the output row e_out (Rosenbrock's system matrix).
 *
 * Both are generalized eigenvalue problems det(P + s·Q) = 0 with a singular Q (MNA has algebraic rows). With a
 * shift s0 where P + s0·Q is regular, P + s·Q = (P + s0·Q)·(I + (s − s0)·M), M = (P + s0·Q)⁻¹·Q, so every
 * finite root is s = s0 − 1/μ for an eigenvalue μ ≠ 0 of M (μ = 0 are the infinite ones). The eigenvalues of
 * the dense M come from a Householder reduction to Hessenberg form and complex shifted QR iterations
 * (Golub & Van Loan, "Matrix Computations", 7.4-7.5). Dense: meant for circuits up to a few hundred unknowns.
 *
 * ngspice finds the roots with Muller's method on the determinant (pzan.c) instead; the two agree to
 * ~1e-6 relative on well-separated roots.
 */
import type { AcLoadContext } from '../devices/device';
import { CurrentSource, VoltageSource } from '../devices/sources/independent';
import { CircuitError, type SourceLocation } from '../errors';
import type { Plot } from '../output/plot';
import type { Engine } from './engine';

export interface PoleZeroSettings {
  input: [string, string];
  output: [string, string];
  /** `vol`: V(out)/V(in); `cur`: V(out)/I(in). */
  transfer: 'vol' | 'cur';
  find: 'pol' | 'zer' | 'pz';
  loc: SourceLocation;
}

export interface Complex {
  re: number;
  im: number;
}

export interface PoleZeroResult {
  poles: Complex[];
  zeros: Complex[];
  plot: Plot;
}

/** Largest circuit the dense algorithm takes (unknowns). */
export const MAX_POLE_ZERO_SIZE = 300;

/** Run .pz from the operating point in `engine.solution`. */
export function poleZeroAnalysis(
  engine: Engine,
  settings: PoleZeroSettings,
  title: string,
  date: string,
): PoleZeroResult {
  const circuit = engine.circuit;
  const n = circuit.size;
  if (n + 2 > MAX_POLE_ZERO_SIZE) {
    throw new CircuitError(
      `.pz handles circuits up to ${MAX_POLE_ZERO_SIZE} unknowns, this one has ${n}`,
      settings.loc,
      'analyse a smaller part of the circuit',
    );
  }
  const node = (name: string): number => {
    const unknown = circuit.node(name === 'gnd' ? '0' : name);
    if (unknown === undefined)
      throw new CircuitError(`.pz: there is no node '${name}'`, settings.loc, 'check the node names');
    return unknown;
  };
  const [in1, in2] = settings.input.map(node);
  const [out1, out2] = settings.output.map(node);
  if (in1 === in2)
    throw new CircuitError(
      '.pz: the two input nodes are the same',
      settings.loc,
      'write .pz in+ in- out+ out- vol pz',
    );

  // G and C from the AC stamps at ω = 1 (G + jωC) and ω = 2 to check that C does not depend on ω.
  const { g, c } = linearisedMatrices(engine);

  // Independent sources across the input port are the input; the other unknowns keep their rows.
  const inputSources = circuit.devices.filter((device) => {
    if (!(device instanceof VoltageSource || device instanceof CurrentSource)) return false;
    const card = circuit.flat.elements.find((e) => e.name === device.name)!;
    const [a, b] = card.nodes.map((name) => circuit.node(name) ?? 0);
    return (a === in1 && b === in2) || (a === in2 && b === in1);
  });
  const removed = new Set(
    settings.transfer === 'cur'
      ? inputSources.filter((s): s is VoltageSource => s instanceof VoltageSource).map((s) => s.branch)
      : [],
  );
  const kept: number[] = [];
  for (let k = 1; k <= n; k++) if (!removed.has(k)) kept.push(k);
  const addInputBranch = settings.transfer === 'vol' && !inputSources.some((s) => s instanceof VoltageSource);
  const size = kept.length + (addInputBranch ? 1 : 0);
  const index = new Map(kept.map((unknown, i) => [unknown, i]));
  const at = (unknown: number): number => (unknown === 0 ? -1 : index.get(unknown)!);

  const build = (bordered: boolean): { p: Float64Array[]; q: Float64Array[] } => {
    const total = size + (bordered ? 1 : 0);
    const p = Array.from({ length: total }, () => new Float64Array(total));
    const q = Array.from({ length: total }, () => new Float64Array(total));
    for (let i = 0; i < kept.length; i++) {
      for (let j = 0; j < kept.length; j++) {
        p[i][j] = g[kept[i]][kept[j]];
        q[i][j] = c[kept[i]][kept[j]];
      }
    }
    const add = (row: number, col: number, value: number): void => {
      if (row >= 0 && col >= 0) p[row][col] += value;
    };
    // The input port: a shorting branch for a voltage input (when no V source is there already).
    let drive: { row: number; sign: number }[] = [];
    if (addInputBranch) {
      const branch = kept.length;
      add(at(in1), branch, 1);
      add(at(in2), branch, -1);
      add(branch, at(in1), 1);
      add(branch, at(in2), -1);
      drive = [{ row: branch, sign: 1 }];
    } else if (settings.transfer === 'vol') {
      const source = inputSources.find((s): s is VoltageSource => s instanceof VoltageSource)!;
      drive = [{ row: at(source.branch), sign: 1 }];
    } else {
      drive = [
        { row: at(in1), sign: 1 },
        { row: at(in2), sign: -1 },
      ];
    }
    if (bordered) {
      const u = total - 1;
      for (const { row, sign } of drive) add(row, u, -sign);
      add(u, at(out1), 1);
      add(u, at(out2), -1);
    }
    return { p, q };
  };

  const poles = settings.find === 'zer' ? [] : pencilRoots(build(false), settings.loc);
  const zeros = settings.find === 'pol' ? [] : pencilRoots(build(true), settings.loc);
  const vector = (name: string, value: Complex) => ({
    name,
    type: 'voltage' as const,
    real: Float64Array.of(value.re),
    imag: Float64Array.of(value.im),
  });
  const plot: Plot = {
    title,
    name: 'Pole-Zero Analysis',
    date,
    complex: true,
    vectors: [
      ...poles.map((p, k) => vector(`pole(${k + 1})`, p)),
      ...zeros.map((z, k) => vector(`zero(${k + 1})`, z)),
    ],
  };
  return { poles, zeros, plot };
}

/** Dense G and C (indexed by unknown, ground row/column 0 unused) from the devices' AC stamps. */
function linearisedMatrices(engine: Engine): { g: Float64Array[]; c: Float64Array[] } {
  const circuit = engine.circuit;
  const n = circuit.size;
  const matrix = circuit.createComplexMatrix();
  const rhs = new Float64Array(n + 1);
  const context = (omega: number): AcLoadContext => ({
    omega,
    re: matrix.re,
    im: matrix.im,
    rhsRe: rhs,
    rhsIm: rhs,
    solution: engine.solution,
    state: engine.state,
  });
  const stamp = (omega: number): { re: Float64Array; im: Float64Array } => {
    matrix.clear();
    for (const device of circuit.devices) device.acLoad?.(context(omega));
    return { re: matrix.re.slice(), im: matrix.im.slice() };
  };
  const one = stamp(1);
  const two = stamp(2);
  const g = Array.from({ length: n + 1 }, () => new Float64Array(n + 1));
  const c = Array.from({ length: n + 1 }, () => new Float64Array(n + 1));
  for (let h = 1; h < circuit.entryRows.length; h++) {
    const row = circuit.entryRows[h];
    const col = circuit.entryCols[h];
    // Linear in ω: G + jωC. A device whose stamp is not (a transmission line, a frequency-dependent model)
    // would break the pencil: refuse rather than return wrong roots.
    const scale = Math.max(Math.abs(one.im[h]), Math.abs(two.im[h]), 1e-300);
    if (
      Math.abs(two.re[h] - one.re[h]) > 1e-9 * Math.max(Math.abs(one.re[h]), 1e-300) ||
      Math.abs(two.im[h] - 2 * one.im[h]) > 1e-9 * scale
    ) {
      throw new CircuitError(
        `.pz: the small-signal stamp of unknown ${circuit.describeUnknown(row)} is not of the form G + jωC`,
        undefined,
        'pole-zero analysis needs lumped R, L, C, controlled sources and semiconductor devices',
      );
    }
    g[row][col] += one.re[h];
    c[row][col] += one.im[h];
  }
  return { g, c };
}

/**
 * Remove the algebraic unknowns: with rows R0 and columns C0 where Q is zero (same count), and P22 = P[R0, C0]
 * regular, det(P + s·Q) = det(P22)·det(P11 − P12·P22⁻¹·P21 + s·Q11). Without this the many infinite
 * eigenvalues of an MNA pencil form Jordan blocks whose rounding (ε^(1/k)) would pass for finite roots.
 */
function reducePencil(p: Float64Array[], q: Float64Array[]): { p: Float64Array[]; q: Float64Array[] } {
  const n = p.length;
  const zeroRows: number[] = [];
  const zeroCols: number[] = [];
  for (let i = 0; i < n; i++) if (q[i].every((x) => x === 0)) zeroRows.push(i);
  for (let j = 0; j < n; j++) if (q.every((row) => row[j] === 0)) zeroCols.push(j);
  if (zeroRows.length === 0 || zeroRows.length !== zeroCols.length || zeroRows.length === n) return { p, q };
  const rows1 = [...Array(n).keys()].filter((i) => !zeroRows.includes(i));
  const cols1 = [...Array(n).keys()].filter((j) => !zeroCols.includes(j));
  const p22 = zeroRows.map((i) => Float64Array.from(zeroCols, (j) => p[i][j]));
  const lu = denseLu(p22);
  if (!lu) return { p, q };
  // X = P22⁻¹·P21, column by column.
  const x = cols1.map((j) => lu.solve(Float64Array.from(zeroRows, (i) => p[i][j])));
  const reducedP = rows1.map((i) =>
    Float64Array.from(cols1, (j, jj) => {
      let value = p[i][j];
      zeroCols.forEach((k, kk) => {
        value -= p[i][k] * x[jj][kk];
      });
      return value;
    }),
  );
  const reducedQ = rows1.map((i) => Float64Array.from(cols1, (j) => q[i][j]));
  return { p: reducedP, q: reducedQ };
}

/** Finite roots of det(P + s·Q) = 0, sorted by real part then imaginary part. */
export function pencilRoots(
  pencil: { p: Float64Array[]; q: Float64Array[] },
  loc?: SourceLocation,
): Complex[] {
  let { p, q } = pencil;
  for (let round = 0; round < 4; round++) {
    const reduced = reducePencil(p, q);
    if (reduced.p.length === p.length) break;
    ({ p, q } = reduced);
  }
  const n = p.length;
  if (n === 0) return [];
  const norm = (m: Float64Array[]): number =>
    Math.sqrt(m.reduce((sum, row) => sum + row.reduce((s, x) => s + x * x, 0), 0));
  const qNorm = norm(q);
  if (qNorm === 0) return [];
  // Candidates from a shift of the size of the circuit's natural frequencies. Each is then recomputed with a
  // shift of its own magnitude, where it is well conditioned (a root far from the shift is only accurate to
  // ~ε·|s − s0|/|s_nearest − s0|). Genuine roots come back in place; the rounding of the infinite eigenvalues'
  // Jordan blocks (μ ~ ε^(1/k), far away) moves with the shift and is dropped.
  const scale = norm(p) / qNorm;
  const candidates = shiftedRoots(p, q, scale, loc);
  const magnitude = (z: Complex): number => Math.hypot(z.re, z.im);
  const tiny = 1e-9 * scale;
  const roots: Complex[] = [];
  const zeros = candidates.filter((z) => magnitude(z) <= tiny);
  if (zeros.length > 0) {
    const check = shiftedRoots(p, q, -2.37 * scale, loc).filter((z) => magnitude(z) <= tiny);
    for (let k = 0; k < Math.min(zeros.length, check.length); k++) roots.push({ re: 0, im: 0 });
  }
  const finite = candidates.filter((z) => magnitude(z) > tiny);
  const decades = new Set(finite.map((z) => Math.floor(Math.log10(magnitude(z)))));
  for (const decade of decades) {
    // Where P + s0·Q is numerically singular the pencil is all Q: no root can be confirmed that far out.
    const accurate = shiftedRootsOrNothing(p, q, 1.13 * 10 ** (decade + 0.5)) ?? [];
    const used = new Set<number>();
    for (const candidate of finite.filter((z) => Math.floor(Math.log10(magnitude(z))) === decade)) {
      let best = -1;
      let bestDistance = Infinity;
      accurate.forEach((root, k) => {
        const distance = Math.hypot(root.re - candidate.re, root.im - candidate.im);
        if (!used.has(k) && distance < bestDistance) [best, bestDistance] = [k, distance];
      });
      if (best >= 0 && bestDistance <= 1e-4 * magnitude(candidate)) {
        used.add(best);
        roots.push(accurate[best]);
      }
    }
  }
  // Real parts equal to rounding (conjugate pairs) sort by imaginary part.
  return roots.sort((x, y) =>
    Math.abs(x.re - y.re) <= 1e-9 * Math.max(Math.abs(x.re), Math.abs(y.re)) ? x.im - y.im : x.re - y.re,
  );
}

/**
 * Roots s = s0 − 1/μ from the eigenvalues μ ≠ 0 of (P + s0·Q)⁻¹·Q, with s0 moved off any root it hits;
 * undefined when P + s0·Q stays numerically singular.
 */
function shiftedRootsOrNothing(p: Float64Array[], q: Float64Array[], shift: number): Complex[] | undefined {
  const n = p.length;
  let s0 = shift;
  for (let attempt = 0; attempt < 8; attempt++) {
    const a = p.map((row, i) => row.map((x, j) => x + s0 * q[i][j]));
    const lu = denseLu(a);
    if (lu) {
      const m = Array.from({ length: n }, () => new Float64Array(n));
      const column = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) column[i] = q[i][j];
        const x = lu.solve(column);
        for (let i = 0; i < n; i++) m[i][j] = x[i];
      }
      const mu = eigenvalues(m);
      const largest = mu.reduce((max, z) => Math.max(max, Math.hypot(z.re, z.im)), 0);
      const roots: Complex[] = [];
      for (const z of mu) {
        const magnitude2 = z.re * z.re + z.im * z.im;
        if (Math.sqrt(magnitude2) <= 1e-12 * largest) continue;
        roots.push(cleanRoot({ re: s0 - z.re / magnitude2, im: z.im / magnitude2 }));
      }
      return roots;
    }
    s0 *= 1.37;
  }
  return undefined;
}

function shiftedRoots(
  p: Float64Array[],
  q: Float64Array[],
  shift: number,
  loc: SourceLocation | undefined,
): Complex[] {
  const roots = shiftedRootsOrNothing(p, q, shift);
  if (!roots)
    throw new CircuitError(
      '.pz: the circuit matrix is singular at every trial frequency',
      loc,
      'check for floating nodes',
    );
  return roots;
}

/** Parts below rounding are zero: real roots, and imaginary ones (on the jω axis) come out exact. */
function cleanRoot(z: Complex): Complex {
  if (Math.abs(z.im) <= 1e-9 * Math.abs(z.re)) return { re: z.re, im: 0 };
  if (Math.abs(z.re) <= 1e-9 * Math.abs(z.im)) return { re: 0, im: z.im };
  return z;
}

/** Dense LU with partial pivoting; undefined when singular. */
function denseLu(a: Float64Array[]): { solve(b: Float64Array): Float64Array } | undefined {
  const n = a.length;
  const lu = a.map((row) => row.slice());
  const pivot = new Int32Array(n);
  const scale = lu.reduce((max, row) => Math.max(max, ...Array.from(row, Math.abs)), 0);
  for (let k = 0; k < n; k++) {
    let best = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(lu[i][k]) > Math.abs(lu[best][k])) best = i;
    if (!(Math.abs(lu[best][k]) > 1e-13 * scale)) return undefined;
    pivot[k] = best;
    if (best !== k) [lu[k], lu[best]] = [lu[best], lu[k]];
    const diagonal = lu[k][k];
    for (let i = k + 1; i < n; i++) {
      const factor = (lu[i][k] /= diagonal);
      if (factor === 0) continue;
      const rowI = lu[i];
      const rowK = lu[k];
      for (let j = k + 1; j < n; j++) rowI[j] -= factor * rowK[j];
    }
  }
  return {
    solve(b: Float64Array): Float64Array {
      const x = b.slice();
      // The row exchanges were made on whole rows (L included): apply them all, then substitute.
      for (let k = 0; k < n; k++) {
        const p = pivot[k];
        if (p !== k) [x[k], x[p]] = [x[p], x[k]];
      }
      for (let k = 0; k < n; k++) {
        for (let i = k + 1; i < n; i++) x[i] -= lu[i][k] * x[k];
      }
      for (let k = n - 1; k >= 0; k--) {
        let sum = x[k];
        for (let j = k + 1; j < n; j++) sum -= lu[k][j] * x[j];
        x[k] = sum / lu[k][k];
      }
      return x;
    },
  };
}

/**
 * Eigenvalues of a dense real matrix: Householder reduction to upper Hessenberg form, then complex QR steps with
 * Wilkinson shifts and deflation of negligible subdiagonal entries.
 */
export function eigenvalues(matrix: Float64Array[]): Complex[] {
  const n = matrix.length;
  const a = matrix.map((row) => row.slice());
  // Householder: zero a[k+2..n-1][k] for every column k.
  for (let k = 0; k < n - 2; k++) {
    let alpha = 0;
    for (let i = k + 1; i < n; i++) alpha += a[i][k] * a[i][k];
    alpha = Math.sqrt(alpha);
    if (alpha === 0) continue;
    if (a[k + 1][k] > 0) alpha = -alpha;
    const v = new Float64Array(n);
    v[k + 1] = a[k + 1][k] - alpha;
    for (let i = k + 2; i < n; i++) v[i] = a[i][k];
    let vv = 0;
    for (let i = k + 1; i < n; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    // A ← H·A·H with H = I − 2·v·vᵀ/(vᵀv).
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k + 1; i < n; i++) dot += v[i] * a[i][j];
      const f = (2 * dot) / vv;
      for (let i = k + 1; i < n; i++) a[i][j] -= f * v[i];
    }
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let j = k + 1; j < n; j++) dot += a[i][j] * v[j];
      const f = (2 * dot) / vv;
      for (let j = k + 1; j < n; j++) a[i][j] -= f * v[j];
    }
  }
  const re = a.map((row) => row.slice());
  const im = a.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) for (let j = 0; j < i - 1; j++) re[i][j] = 0;

  const result: Complex[] = [];
  let hi = n - 1;
  let iterations = 0;
  const cos = new Float64Array(n);
  const sinRe = new Float64Array(n);
  const sinIm = new Float64Array(n);
  while (hi >= 0) {
    // Find the active block [lo, hi]: the subdiagonal entry above it is negligible.
    let lo = hi;
    while (lo > 0) {
      const sub = Math.hypot(re[lo][lo - 1], im[lo][lo - 1]);
      const diag = Math.hypot(re[lo][lo], im[lo][lo]) + Math.hypot(re[lo - 1][lo - 1], im[lo - 1][lo - 1]);
      if (sub <= Number.EPSILON * diag || sub < 1e-300) {
        re[lo][lo - 1] = 0;
        im[lo][lo - 1] = 0;
        break;
      }
      lo--;
    }
    if (lo === hi) {
      result.push({ re: re[hi][hi], im: im[hi][hi] });
      hi--;
      iterations = 0;
      continue;
    }
    if (++iterations > 100) throw new Error('eigenvalue iteration did not converge');
    // Wilkinson shift: the eigenvalue of the trailing 2×2 block nearer its last diagonal entry.
    let shift: Complex;
    if (iterations % 11 === 10) {
      // An exceptional shift breaks rare cycles.
      shift = { re: re[hi][hi] + Math.abs(re[hi][hi - 1]), im: im[hi][hi] };
    } else {
      shift = wilkinson(
        { re: re[hi - 1][hi - 1], im: im[hi - 1][hi - 1] },
        { re: re[hi - 1][hi], im: im[hi - 1][hi] },
        { re: re[hi][hi - 1], im: im[hi][hi - 1] },
        { re: re[hi][hi], im: im[hi][hi] },
      );
    }
    for (let k = lo; k <= hi; k++) {
      re[k][k] -= shift.re;
      im[k][k] -= shift.im;
    }
    // QR by Givens rotations G_k (rows k, k+1), then RQ by applying G_kᴴ to columns k, k+1.
    for (let k = lo; k < hi; k++) {
      const ar = re[k][k];
      const ai = im[k][k];
      const br = re[k + 1][k];
      const bi = im[k + 1][k];
      const aAbs = Math.hypot(ar, ai);
      const rho = Math.hypot(aAbs, Math.hypot(br, bi));
      let c: number;
      let sr: number;
      let si: number;
      if (rho === 0) {
        c = 1;
        sr = 0;
        si = 0;
      } else if (aAbs === 0) {
        c = 0;
        const bAbs = Math.hypot(br, bi);
        sr = br / bAbs;
        si = -bi / bAbs;
      } else {
        c = aAbs / rho;
        // s = (a/|a|)·conj(b)/ρ
        const ur = ar / aAbs;
        const ui = ai / aAbs;
        sr = (ur * br + ui * bi) / rho;
        si = (ui * br - ur * bi) / rho;
      }
      cos[k] = c;
      sinRe[k] = sr;
      sinIm[k] = si;
      for (let j = k; j <= hi; j++) {
        const xr = re[k][j];
        const xi = im[k][j];
        const yr = re[k + 1][j];
        const yi = im[k + 1][j];
        // [x; y] ← [c·x + s·y; −conj(s)·x + c·y]
        re[k][j] = c * xr + (sr * yr - si * yi);
        im[k][j] = c * xi + (sr * yi + si * yr);
        re[k + 1][j] = -(sr * xr + si * xi) + c * yr;
        im[k + 1][j] = -(sr * xi - si * xr) + c * yi;
      }
    }
    for (let k = lo; k < hi; k++) {
      const c = cos[k];
      const sr = sinRe[k];
      const si = sinIm[k];
      for (let i = lo; i <= Math.min(k + 1, hi); i++) {
        const xr = re[i][k];
        const xi = im[i][k];
        const yr = re[i][k + 1];
        const yi = im[i][k + 1];
        // [x, y] ← [x·c + y·conj(s), −x·s + y·c]
        re[i][k] = xr * c + (yr * sr + yi * si);
        im[i][k] = xi * c + (yi * sr - yr * si);
        re[i][k + 1] = -(xr * sr - xi * si) + yr * c;
        im[i][k + 1] = -(xr * si + xi * sr) + yi * c;
      }
    }
    for (let k = lo; k <= hi; k++) {
      re[k][k] += shift.re;
      im[k][k] += shift.im;
    }
  }
  return result;
}

function wilkinson(a: Complex, b: Complex, c: Complex, d: Complex): Complex {
  // Eigenvalues of [[a, b], [c, d]]: m ± √(h² + b·c), m = (a + d)/2, h = (a − d)/2.
  const m = { re: (a.re + d.re) / 2, im: (a.im + d.im) / 2 };
  const h = { re: (a.re - d.re) / 2, im: (a.im - d.im) / 2 };
  const radicand = {
    re: h.re * h.re - h.im * h.im + (b.re * c.re - b.im * c.im),
    im: 2 * h.re * h.im + (b.re * c.im + b.im * c.re),
  };
  const root = complexSqrt(radicand);
  const first = { re: m.re + root.re, im: m.im + root.im };
  const second = { re: m.re - root.re, im: m.im - root.im };
  const distance = (z: Complex): number => Math.hypot(z.re - d.re, z.im - d.im);
  return distance(first) <= distance(second) ? first : second;
}

function complexSqrt(z: Complex): Complex {
  const r = Math.hypot(z.re, z.im);
  const re = Math.sqrt((r + z.re) / 2);
  const im = Math.sqrt(Math.max(0, (r - z.re) / 2));
  return { re, im: z.im < 0 ? -im : im };
}
