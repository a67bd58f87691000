/**
 * Dense reference algorithms for the linalg tests: Gaussian elimination with partial pivoting (real and
 * complex), norms and residuals. Deliberately the textbook version (Golub & Van Loan, Algorithm 3.4.1),
 * nothing shared with the sparse code under test.
 */

export type Dense = Float64Array[];

export function denseSolve(a: Dense, b: Float64Array): Float64Array | null {
  const n = a.length;
  const m = a.map((row) => Float64Array.from(row));
  const x = Float64Array.from(b);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i][k]) > Math.abs(m[p][k])) p = i;
    if (m[p][k] === 0) return null;
    [m[k], m[p]] = [m[p], m[k]];
    [x[k], x[p]] = [x[p], x[k]];
    for (let i = k + 1; i < n; i++) {
      const f = m[i][k] / m[k][k];
      if (f === 0) continue;
      for (let j = k; j < n; j++) m[i][j] -= f * m[k][j];
      x[i] -= f * x[k];
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    let s = x[k];
    for (let j = k + 1; j < n; j++) s -= m[k][j] * x[j];
    x[k] = s / m[k][k];
  }
  return x;
}

/**
 * Smallest |pivot| / largest |entry| met by dense partial-pivoting elimination of the row-equilibrated
 * matrix: a cheap "is this clearly nonsingular" measure (about 1/condition for small well-scaled matrices).
 */
export function densePivotRatio(a: Dense): number {
  const n = a.length;
  const m = a.map((row) => {
    const scale = row.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
    return Float64Array.from(row, (v) => (scale > 0 ? v / scale : 0));
  });
  let ratio = Infinity;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i][k]) > Math.abs(m[p][k])) p = i;
    ratio = Math.min(ratio, Math.abs(m[p][k]));
    if (m[p][k] === 0) return 0;
    [m[k], m[p]] = [m[p], m[k]];
    for (let i = k + 1; i < n; i++) {
      const f = m[i][k] / m[k][k];
      for (let j = k; j < n; j++) m[i][j] -= f * m[k][j];
    }
  }
  return n === 0 ? 1 : ratio;
}

/** The matrix without row `row` and column `col`. */
export function minor(a: Dense, row: number, col: number): Dense {
  return a.filter((_, i) => i !== row).map((r) => Float64Array.from(r.filter((_, j) => j !== col)));
}

export function infNorm(a: Dense): number {
  return a.reduce(
    (s, row) =>
      Math.max(
        s,
        row.reduce((t, v) => t + Math.abs(v), 0),
      ),
    0,
  );
}

export function vecInfNorm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s = Math.max(s, Math.abs(x[i]));
  return s;
}

/** ||A x - b||_inf / (||A||_inf ||x||_inf + ||b||_inf): the normwise backward error. */
export function backwardError(a: Dense, x: Float64Array, b: Float64Array): number {
  const n = a.length;
  let r = 0;
  for (let i = 0; i < n; i++) {
    let s = -b[i];
    for (let j = 0; j < n; j++) s += a[i][j] * x[j];
    r = Math.max(r, Math.abs(s));
  }
  const denom = infNorm(a) * vecInfNorm(x) + vecInfNorm(b);
  return denom === 0 ? r : r / denom;
}

/** Complex dense solve with partial pivoting on |z|. */
export function denseComplexSolve(
  aRe: Dense,
  aIm: Dense,
  bRe: Float64Array,
  bIm: Float64Array,
): { re: Float64Array; im: Float64Array } | null {
  const n = aRe.length;
  const mr = aRe.map((row) => Float64Array.from(row));
  const mi = aIm.map((row) => Float64Array.from(row));
  const xr = Float64Array.from(bRe);
  const xi = Float64Array.from(bIm);
  const abs2 = (i: number, j: number): number => mr[i][j] ** 2 + mi[i][j] ** 2;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (abs2(i, k) > abs2(p, k)) p = i;
    if (abs2(p, k) === 0) return null;
    [mr[k], mr[p]] = [mr[p], mr[k]];
    [mi[k], mi[p]] = [mi[p], mi[k]];
    [xr[k], xr[p]] = [xr[p], xr[k]];
    [xi[k], xi[p]] = [xi[p], xi[k]];
    const d2 = abs2(k, k);
    for (let i = k + 1; i < n; i++) {
      // f = m[i][k] / m[k][k]
      const fr = (mr[i][k] * mr[k][k] + mi[i][k] * mi[k][k]) / d2;
      const fi = (mi[i][k] * mr[k][k] - mr[i][k] * mi[k][k]) / d2;
      for (let j = k; j < n; j++) {
        const ar = mr[k][j];
        const ai = mi[k][j];
        mr[i][j] -= fr * ar - fi * ai;
        mi[i][j] -= fr * ai + fi * ar;
      }
      const br = xr[k];
      const bi = xi[k];
      xr[i] -= fr * br - fi * bi;
      xi[i] -= fr * bi + fi * br;
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    let sr = xr[k];
    let si = xi[k];
    for (let j = k + 1; j < n; j++) {
      sr -= mr[k][j] * xr[j] - mi[k][j] * xi[j];
      si -= mr[k][j] * xi[j] + mi[k][j] * xr[j];
    }
    const d2 = abs2(k, k);
    xr[k] = (sr * mr[k][k] + si * mi[k][k]) / d2;
    xi[k] = (si * mr[k][k] - sr * mi[k][k]) / d2;
  }
  return { re: xr, im: xi };
}

/** Complex normwise backward error with |z| = |re| + |im| (a norm within sqrt 2 of the modulus). */
export function complexBackwardError(
  aRe: Dense,
  aIm: Dense,
  x: { re: Float64Array; im: Float64Array },
  bRe: Float64Array,
  bIm: Float64Array,
): number {
  const n = aRe.length;
  let r = 0;
  let normA = 0;
  for (let i = 0; i < n; i++) {
    let sr = -bRe[i];
    let si = -bIm[i];
    let rowSum = 0;
    for (let j = 0; j < n; j++) {
      sr += aRe[i][j] * x.re[j] - aIm[i][j] * x.im[j];
      si += aRe[i][j] * x.im[j] + aIm[i][j] * x.re[j];
      rowSum += Math.abs(aRe[i][j]) + Math.abs(aIm[i][j]);
    }
    r = Math.max(r, Math.abs(sr) + Math.abs(si));
    normA = Math.max(normA, rowSum);
  }
  let normX = 0;
  let normB = 0;
  for (let i = 0; i < n; i++) {
    normX = Math.max(normX, Math.abs(x.re[i]) + Math.abs(x.im[i]));
    normB = Math.max(normB, Math.abs(bRe[i]) + Math.abs(bIm[i]));
  }
  const denom = normA * normX + normB;
  return denom === 0 ? r : r / denom;
}
