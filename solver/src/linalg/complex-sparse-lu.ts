/**
 * Complex sparse LU for AC analysis: the same algorithms as SparseLU (see sparse-lu.ts for the
 * description and references), with real and imaginary parts in separate typed arrays and pivoting
 * on the modulus |z|. Typical use: one factor() at the first frequency, then refactor() at every other
 * frequency (same pattern, new values).
 *
 * The numeric kernels are written out again rather than shared with the real LU through callbacks:
 * they are the hot loops, and keeping them monomorphic and inline is what makes them fast.
 */
import { analyzePattern, type SymbolicAnalysis } from './ordering';
import type { ComplexSparseMatrix, ComplexVector, CscPattern } from './sparse-matrix';
import {
  growFloat,
  growInt,
  prunePattern,
  reach,
  resolveOptions,
  type FactorStatus,
  type LUOptions,
  type ResolvedLUOptions,
} from './lu-common';
import { nonFinite, notFactored } from './sparse-lu';

export class ComplexSparseLU {
  readonly size: number;
  readonly analysis: SymbolicAnalysis;
  private readonly options: ResolvedLUOptions;
  private readonly pattern: CscPattern;
  private factored = false;

  private readonly lColPtr: Int32Array;
  private lRowIdx: Int32Array;
  private lRe: Float64Array;
  private lIm: Float64Array;
  private readonly uColPtr: Int32Array;
  private uRowIdx: Int32Array;
  private uRe: Float64Array;
  private uIm: Float64Array;
  private readonly uDiagRe: Float64Array;
  private readonly uDiagIm: Float64Array;
  private readonly pinv: Int32Array;
  private readonly prow: Int32Array;
  private readonly stepOfEntry: Int32Array;
  private readonly rowScale: Float64Array;

  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;
  /** factor() only: sum of the magnitudes that went into each work entry (its rounding-error scale). */
  private readonly magnitude: Float64Array;
  private readonly mark: Int32Array;
  /** Symmetric pruning: L(:,j) is searched only up to lPruneEnd[j] (-1: not pruned). */
  private readonly lPruneEnd: Int32Array;
  private readonly stack: Int32Array;
  private readonly position: Int32Array;
  private readonly topo: Int32Array;
  private stamp = 0;

  factorCount = 0;
  refactorCount = 0;

  constructor(
    private readonly matrix: ComplexSparseMatrix,
    options?: LUOptions,
  ) {
    this.options = resolveOptions(options);
    this.pattern = matrix.freeze();
    this.analysis = analyzePattern(this.pattern);
    const n = (this.size = matrix.size);
    const nnz = this.pattern.rowIdx.length;
    const guess = 4 * nnz + n + 16;
    this.lColPtr = new Int32Array(n + 1);
    this.lRowIdx = new Int32Array(guess);
    this.lRe = new Float64Array(guess);
    this.lIm = new Float64Array(guess);
    this.uColPtr = new Int32Array(n + 1);
    this.uRowIdx = new Int32Array(guess);
    this.uRe = new Float64Array(guess);
    this.uIm = new Float64Array(guess);
    this.uDiagRe = new Float64Array(n);
    this.uDiagIm = new Float64Array(n);
    this.pinv = new Int32Array(n);
    this.prow = new Int32Array(n);
    this.stepOfEntry = new Int32Array(nnz);
    this.rowScale = new Float64Array(n).fill(1);
    this.workRe = new Float64Array(n);
    this.workIm = new Float64Array(n);
    this.magnitude = new Float64Array(n);
    this.mark = new Int32Array(n);
    this.lPruneEnd = new Int32Array(n);
    this.stack = new Int32Array(n);
    this.position = new Int32Array(n);
    this.topo = new Int32Array(n);
  }

  get factorNnz(): { l: number; u: number } {
    return { l: this.lColPtr[this.size], u: this.uColPtr[this.size] + this.size };
  }

  get isFactored(): boolean {
    return this.factored;
  }

  /** Full numeric factorisation with threshold partial pivoting on |z|. */
  factor(): FactorStatus {
    this.factorCount++;
    this.factored = false;
    const n = this.size;
    const { colPtr, rowIdx, handle } = this.pattern;
    const { re: aRe, im: aIm } = this.matrix;
    const { colOrder, preferredRow } = this.analysis;
    const { pivotThreshold, singularTolerance } = this.options;
    // Magnitudes are compared squared, so the thresholds are squared too.
    const threshold2 = pivotThreshold * pivotThreshold;
    const {
      pinv,
      prow,
      uDiagRe,
      uDiagIm,
      rowScale,
      workRe: xr,
      workIm: xi,
      magnitude,
      mark,
      stack,
      position,
      topo,
    } = this;
    this.computeRowScale();
    pinv.fill(-1);
    const lPruneEnd = this.lPruneEnd;
    const lColPtr = this.lColPtr;
    const uColPtr = this.uColPtr;
    let lRowIdx = this.lRowIdx;
    let lRe = this.lRe;
    let lIm = this.lIm;
    let uRowIdx = this.uRowIdx;
    let uRe = this.uRe;
    let uIm = this.uIm;
    let lnz = 0;
    let unz = 0;
    for (let k = 0; k < n; k++) {
      if (lnz + n - k > lRowIdx.length) {
        lRowIdx = this.lRowIdx = growInt(lRowIdx, lnz + n - k);
        lRe = this.lRe = growFloat(lRe, lnz + n - k);
        lIm = this.lIm = growFloat(lIm, lnz + n - k);
      }
      if (unz + k > uRowIdx.length) {
        uRowIdx = this.uRowIdx = growInt(uRowIdx, unz + k);
        uRe = this.uRe = growFloat(uRe, unz + k);
        uIm = this.uIm = growFloat(uIm, unz + k);
      }
      const col = colOrder[k];
      const stamp = this.nextStamp();
      let top = n;
      for (let p = colPtr[col]; p < colPtr[col + 1]; p++) {
        const r = rowIdx[p];
        const s = rowScale[r];
        xr[r] = aRe[handle[p]] * s;
        xi[r] = aIm[handle[p]] * s;
        magnitude[r] = Math.abs(xr[r]) + Math.abs(xi[r]);
        if (mark[r] !== stamp)
          top = reach(r, top, stamp, pinv, lColPtr, lPruneEnd, lRowIdx, mark, stack, position, topo);
      }
      for (let t = top; t < n; t++) {
        const r = topo[t];
        const step = pinv[r];
        if (step < 0) continue;
        const br = xr[r];
        const bi = xi[r];
        if (br === 0 && bi === 0) continue;
        const bAbs = Math.abs(br) + Math.abs(bi);
        if (bAbs <= singularTolerance * magnitude[r]) {
          // Rounding noise: flushed to zero as in SparseLU.factor.
          xr[r] = 0;
          xi[r] = 0;
          continue;
        }
        for (let q = lColPtr[step]; q < lColPtr[step + 1]; q++) {
          const i = lRowIdx[q];
          const lr = lRe[q];
          const li = lIm[q];
          xr[i] -= lr * br - li * bi;
          xi[i] -= lr * bi + li * br;
          magnitude[i] += (Math.abs(lr) + Math.abs(li)) * bAbs;
        }
      }
      // Pivot choice and singularity test as in SparseLU.factor (see the comments there).
      let candidateMax2 = 0;
      let pivotRow = -1;
      let finite = true;
      for (let t = top; t < n; t++) {
        const r = topo[t];
        const a2 = xr[r] * xr[r] + xi[r] * xi[r];
        if (!(a2 <= Number.MAX_VALUE)) finite = false;
        if (pinv[r] < 0 && a2 > candidateMax2) {
          candidateMax2 = a2;
          pivotRow = r;
        }
      }
      if (pivotRow >= 0 && Math.sqrt(candidateMax2) <= singularTolerance * magnitude[pivotRow]) pivotRow = -1;
      if (!finite || pivotRow < 0) {
        for (let t = top; t < n; t++) {
          xr[topo[t]] = 0;
          xi[topo[t]] = 0;
          magnitude[topo[t]] = 0;
        }
        if (!finite) throw nonFinite(col);
        return { ok: false, singularColumn: col };
      }
      const preferred = preferredRow[k];
      if (preferred >= 0 && preferred !== pivotRow && pinv[preferred] < 0 && mark[preferred] === stamp) {
        const a2 = xr[preferred] * xr[preferred] + xi[preferred] * xi[preferred];
        if (a2 >= threshold2 * candidateMax2 && Math.sqrt(a2) > singularTolerance * magnitude[preferred]) {
          pivotRow = preferred;
        }
      }
      const pr = xr[pivotRow];
      const pi = xi[pivotRow];
      // 1 / pivot = conj(pivot) / |pivot|^2
      const m2 = pr * pr + pi * pi;
      const invRe = pr / m2;
      const invIm = -pi / m2;
      for (let t = top; t < n; t++) {
        const r = topo[t];
        const step = pinv[r];
        if (step >= 0) {
          uRowIdx[unz] = step;
          uRe[unz] = xr[r];
          uIm[unz++] = xi[r];
        } else if (r !== pivotRow) {
          lRowIdx[lnz] = r;
          lRe[lnz] = xr[r] * invRe - xi[r] * invIm;
          lIm[lnz++] = xr[r] * invIm + xi[r] * invRe;
        }
        xr[r] = 0;
        xi[r] = 0;
        magnitude[r] = 0;
      }
      uDiagRe[k] = pr;
      uDiagIm[k] = pi;
      pinv[pivotRow] = k;
      prow[k] = pivotRow;
      lColPtr[k + 1] = lnz;
      uColPtr[k + 1] = unz;
      lPruneEnd[k] = -1;
      prunePattern(pivotRow, uColPtr[k], unz, uRowIdx, pinv, lColPtr, lPruneEnd, lRowIdx, lRe, lIm);
    }
    for (let q = 0; q < lnz; q++) lRowIdx[q] = pinv[lRowIdx[q]];
    for (let p = 0; p < rowIdx.length; p++) this.stepOfEntry[p] = pinv[rowIdx[p]];
    this.factored = true;
    return { ok: true };
  }

  /** Same pivot order and pattern, new values (e.g. the next frequency); falls back to factor() like SparseLU. */
  refactor(): FactorStatus {
    if (!this.factored) return this.factor();
    this.refactorCount++;
    const n = this.size;
    const { colPtr, rowIdx, handle } = this.pattern;
    const { re: aRe, im: aIm } = this.matrix;
    const colOrder = this.analysis.colOrder;
    const threshold2 = this.options.refactorThreshold * this.options.refactorThreshold;
    const singular2 = this.options.singularTolerance * this.options.singularTolerance;
    const {
      lColPtr,
      lRowIdx,
      lRe,
      lIm,
      uColPtr,
      uRowIdx,
      uRe,
      uIm,
      uDiagRe,
      uDiagIm,
      stepOfEntry,
      rowScale,
    } = this;
    const { workRe: xr, workIm: xi } = this;
    this.computeRowScale();
    for (let k = 0; k < n; k++) {
      const col = colOrder[k];
      for (let p = colPtr[col]; p < colPtr[col + 1]; p++) {
        const s = rowScale[rowIdx[p]];
        const i = stepOfEntry[p];
        xr[i] = aRe[handle[p]] * s;
        xi[i] = aIm[handle[p]] * s;
      }
      // As in SparseLU.refactor: |u_jk| above, entries below and the L scaling in as few passes as possible.
      let above2 = 0;
      for (let q = uColPtr[k]; q < uColPtr[k + 1]; q++) {
        const j = uRowIdx[q];
        const br = xr[j];
        const bi = xi[j];
        xr[j] = 0;
        xi[j] = 0;
        uRe[q] = br;
        uIm[q] = bi;
        if (br === 0 && bi === 0) continue;
        const a2 = br * br + bi * bi;
        if (a2 > above2) above2 = a2;
        for (let l = lColPtr[j]; l < lColPtr[j + 1]; l++) {
          const i = lRowIdx[l];
          const lr = lRe[l];
          const li = lIm[l];
          xr[i] -= lr * br - li * bi;
          xi[i] -= lr * bi + li * br;
        }
      }
      const pr = xr[k];
      const pi = xi[k];
      xr[k] = 0;
      xi[k] = 0;
      const m2 = pr * pr + pi * pi;
      const invRe = pr / m2;
      const invIm = -pi / m2;
      let below2 = 0;
      for (let l = lColPtr[k]; l < lColPtr[k + 1]; l++) {
        const i = lRowIdx[l];
        const a2 = xr[i] * xr[i] + xi[i] * xi[i];
        if (a2 > below2) below2 = a2;
        lRe[l] = xr[i] * invRe - xi[i] * invIm;
        lIm[l] = xr[i] * invIm + xi[i] * invRe;
        xr[i] = 0;
        xi[i] = 0;
      }
      // Fall back to factor() as SparseLU.refactor does: unusable pivot, or one that may be noise.
      if (
        !(m2 > 0) ||
        m2 < threshold2 * below2 ||
        m2 <= singular2 * above2 ||
        !(m2 <= Number.MAX_VALUE) ||
        !(below2 <= Number.MAX_VALUE) ||
        !(above2 <= Number.MAX_VALUE)
      ) {
        return this.factor();
      }
      uDiagRe[k] = pr;
      uDiagIm[k] = pi;
    }
    return { ok: true };
  }

  /** Solve A x = b. Writes into `out` (allocated if omitted); `out` may be `rhs`. */
  solve(rhs: ComplexVector, out?: ComplexVector): ComplexVector {
    const n = this.size;
    if (!this.factored) throw notFactored();
    if (rhs.re.length < n || rhs.im.length < n) {
      throw new RangeError(
        `solve: right-hand side has length ${Math.min(rhs.re.length, rhs.im.length)}, the matrix needs ${n}`,
      );
    }
    const result = out ?? { re: new Float64Array(n), im: new Float64Array(n) };
    if (result.re.length < n || result.im.length < n) {
      throw new RangeError(
        `solve: output has length ${Math.min(result.re.length, result.im.length)}, the matrix needs ${n}`,
      );
    }
    const { lColPtr, lRowIdx, lRe, lIm, uColPtr, uRowIdx, uRe, uIm, uDiagRe, uDiagIm, prow, rowScale } = this;
    const { workRe: yr, workIm: yi } = this;
    const colOrder = this.analysis.colOrder;
    for (let k = 0; k < n; k++) {
      const r = prow[k];
      yr[k] = rhs.re[r] * rowScale[r];
      yi[k] = rhs.im[r] * rowScale[r];
    }
    for (let k = 0; k < n; k++) {
      const br = yr[k];
      const bi = yi[k];
      if (br === 0 && bi === 0) continue;
      for (let l = lColPtr[k]; l < lColPtr[k + 1]; l++) {
        const i = lRowIdx[l];
        yr[i] -= lRe[l] * br - lIm[l] * bi;
        yi[i] -= lRe[l] * bi + lIm[l] * br;
      }
    }
    for (let k = n - 1; k >= 0; k--) {
      const dr = uDiagRe[k];
      const di = uDiagIm[k];
      const m2 = dr * dr + di * di;
      const br = (yr[k] * dr + yi[k] * di) / m2;
      const bi = (yi[k] * dr - yr[k] * di) / m2;
      yr[k] = br;
      yi[k] = bi;
      if (br === 0 && bi === 0) continue;
      for (let q = uColPtr[k]; q < uColPtr[k + 1]; q++) {
        const i = uRowIdx[q];
        yr[i] -= uRe[q] * br - uIm[q] * bi;
        yi[i] -= uRe[q] * bi + uIm[q] * br;
      }
    }
    for (let k = 0; k < n; k++) {
      result.re[colOrder[k]] = yr[k];
      result.im[colOrder[k]] = yi[k];
    }
    return result;
  }

  /**
   * Solve Aᵀ x = b (plain transpose, not conjugate) with the same factors, e.g. the adjoint system of a
   * noise analysis; see SparseLU.solveTransposed. Same contract as solve().
   */
  solveTransposed(rhs: ComplexVector, out?: ComplexVector): ComplexVector {
    const n = this.size;
    if (!this.factored) throw notFactored();
    if (rhs.re.length < n || rhs.im.length < n) {
      throw new RangeError(
        `solveTransposed: right-hand side has length ${Math.min(rhs.re.length, rhs.im.length)}, the matrix needs ${n}`,
      );
    }
    const result = out ?? { re: new Float64Array(n), im: new Float64Array(n) };
    if (result.re.length < n || result.im.length < n) {
      throw new RangeError(
        `solveTransposed: output has length ${Math.min(result.re.length, result.im.length)}, the matrix needs ${n}`,
      );
    }
    const { lColPtr, lRowIdx, lRe, lIm, uColPtr, uRowIdx, uRe, uIm, uDiagRe, uDiagIm, prow, rowScale } = this;
    const { workRe: yr, workIm: yi } = this;
    const colOrder = this.analysis.colOrder;
    for (let k = 0; k < n; k++) {
      yr[k] = rhs.re[colOrder[k]];
      yi[k] = rhs.im[colOrder[k]];
    }
    for (let k = 0; k < n; k++) {
      let sr = yr[k];
      let si = yi[k];
      for (let q = uColPtr[k]; q < uColPtr[k + 1]; q++) {
        const j = uRowIdx[q];
        sr -= uRe[q] * yr[j] - uIm[q] * yi[j];
        si -= uRe[q] * yi[j] + uIm[q] * yr[j];
      }
      const dr = uDiagRe[k];
      const di = uDiagIm[k];
      const m2 = dr * dr + di * di;
      yr[k] = (sr * dr + si * di) / m2;
      yi[k] = (si * dr - sr * di) / m2;
    }
    for (let k = n - 1; k >= 0; k--) {
      let sr = yr[k];
      let si = yi[k];
      for (let l = lColPtr[k]; l < lColPtr[k + 1]; l++) {
        const i = lRowIdx[l];
        sr -= lRe[l] * yr[i] - lIm[l] * yi[i];
        si -= lRe[l] * yi[i] + lIm[l] * yr[i];
      }
      yr[k] = sr;
      yi[k] = si;
    }
    for (let k = 0; k < n; k++) {
      const r = prow[k];
      result.re[r] = yr[k] * rowScale[r];
      result.im[r] = yi[k] * rowScale[r];
    }
    return result;
  }

  private computeRowScale(): void {
    const scale = this.rowScale;
    if (!this.options.scaleRows) return;
    const { rowIdx, handle } = this.pattern;
    const { re, im } = this.matrix;
    scale.fill(0);
    for (let p = 0; p < rowIdx.length; p++) {
      const h = handle[p];
      // |re| + |im| (within a factor sqrt 2 of |z|) cannot overflow where |z|^2 would.
      const a = Math.abs(re[h]) + Math.abs(im[h]);
      if (a > scale[rowIdx[p]]) scale[rowIdx[p]] = a;
    }
    for (let i = 0; i < this.size; i++)
      scale[i] = scale[i] > 0 && Number.isFinite(scale[i]) ? 1 / scale[i] : 1;
  }

  private nextStamp(): number {
    if (this.stamp >= 0x7ffffff0) {
      this.mark.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}
