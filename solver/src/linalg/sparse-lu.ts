/**
 * Sparse LU of a real matrix in the manner of KLU (Davis & Palamadai Natarajan, "Algorithm 907: KLU,
 * a direct sparse solver for circuit simulation problems", ACM TOMS 37(3), 2010):
 *
 *  - symbolic analysis once per pattern (ordering.ts: maximum transversal + AMD);
 *  - factor(): left-looking Gilbert–Peierls LU, one column at a time: a sparse triangular solve whose
 *    nonzero pattern comes from a depth-first search, then threshold partial pivoting that keeps the
 *    preferred ("diagonal") row when |a_pref| >= pivotThreshold * max |candidate| (KLU section 2.3);
 *  - refactor(): same pivot order and L/U pattern, new values, one straight pass (KLU's klu_refactor),
 *    with a pivot check that falls back to factor() when a reused pivot became too small;
 *  - solve(): forward/back substitution with preallocated workspace.
 *
 * Rows are scaled by their largest magnitude before factoring (KLU's default "max" scaling), which
 * makes the pivot threshold and the singularity test independent of row scaling.
 *
 * Factorisation P R A Q = L U: R row scaling, Q = the analysis column order, P = the pivot rows
 * (prow[k] is the original row chosen at step k). L is unit lower triangular (diagonal not stored),
 * U upper triangular with its diagonal in uDiag. After factor() the row indices of L and U are step
 * indices, so refactor() and solve() never look at original row numbers.
 */
import { analyzePattern, type SymbolicAnalysis } from './ordering';
import type { CscPattern, SparseMatrix } from './sparse-matrix';
import {
  ArrayArena,
  growFloat,
  growInt,
  prunePattern,
  reach,
  resolveOptions,
  type FactorStatus,
  type LUOptions,
  type ResolvedLUOptions,
} from './lu-common';

/** The status of every successful factorisation (one object: no allocation per refactor). */
const FACTORED: FactorStatus = Object.freeze({ ok: true });

export class SparseLU {
  readonly size: number;
  readonly analysis: SymbolicAnalysis;
  private readonly options: ResolvedLUOptions;
  private readonly pattern: CscPattern;
  private factored = false;

  // Factors.
  private readonly lColPtr: Int32Array;
  private lRowIdx: Int32Array;
  private lValues: Float64Array;
  private readonly uColPtr: Int32Array;
  private uRowIdx: Int32Array;
  private uValues: Float64Array;
  private readonly uDiag: Float64Array;
  /** pinv[row] = step at which row was pivoted (-1 while not yet). */
  private readonly pinv: Int32Array;
  /** prow[step] = original row pivoted at that step. */
  private readonly prow: Int32Array;
  /**
   * The entries of A in refactor order (valid after factor): entries entryColPtr[k] .. entryColPtr[k+1]-1 are
   * those of column colOrder[k], each with the step of its row, its matrix handle and its row scale, so that
   * refactor() scatters a column in one sequential pass.
   */
  private readonly entryColPtr: Int32Array;
  private readonly entryStep: Int32Array;
  private readonly entryHandle: Int32Array;
  private readonly entryScale: Float64Array;
  private readonly rowScale: Float64Array;

  // Workspace.
  private readonly work: Float64Array;
  /** factor() only: sum of the magnitudes that went into each work[] entry (its rounding-error scale). */
  private readonly magnitude: Float64Array;
  private readonly mark: Int32Array;
  /** Symmetric pruning: L(:,j) is searched only up to lPruneEnd[j] (-1: not pruned). */
  private readonly lPruneEnd: Int32Array;
  private readonly stack: Int32Array;
  private readonly position: Int32Array;
  private readonly topo: Int32Array;
  private stamp = 0;

  /** How many times factor() ran (including refactor() fallbacks): useful to see pivoting churn. */
  factorCount = 0;
  refactorCount = 0;

  constructor(
    private readonly matrix: SparseMatrix,
    options?: LUOptions,
  ) {
    this.options = resolveOptions(options);
    this.pattern = matrix.freeze();
    this.analysis = analyzePattern(this.pattern);
    const n = (this.size = matrix.size);
    const nnz = this.pattern.rowIdx.length;
    const guess = 4 * nnz + n + 16;
    // One buffer for all of them (factors grow out of it into arrays of their own when the guess is short).
    const arena = new ArrayArena({
      float64: [guess, guess, n, n, n, n, nnz],
      int32: [n + 1, guess, n + 1, guess, n, n, n + 1, nnz, nnz, n, n, n, n, n],
    });
    this.lColPtr = arena.int32(n + 1);
    this.lRowIdx = arena.int32(guess);
    this.lValues = arena.float64(guess);
    this.uColPtr = arena.int32(n + 1);
    this.uRowIdx = arena.int32(guess);
    this.uValues = arena.float64(guess);
    this.uDiag = arena.float64(n);
    this.pinv = arena.int32(n);
    this.prow = arena.int32(n);
    this.entryColPtr = arena.int32(n + 1);
    this.entryStep = arena.int32(nnz);
    this.entryHandle = arena.int32(nnz);
    this.entryScale = arena.float64(nnz);
    this.rowScale = arena.float64(n).fill(1);
    this.work = arena.float64(n);
    this.magnitude = arena.float64(n);
    this.mark = arena.int32(n);
    this.lPruneEnd = arena.int32(n);
    this.stack = arena.int32(n);
    this.position = arena.int32(n);
    this.topo = arena.int32(n);
  }

  /** Nonzeros in L (excluding its unit diagonal) and U (including its diagonal). */
  get factorNnz(): { l: number; u: number } {
    return { l: this.lColPtr[this.size], u: this.uColPtr[this.size] + this.size };
  }

  get isFactored(): boolean {
    return this.factored;
  }

  /** Full numeric factorisation with threshold partial pivoting (chooses the pivot order). */
  factor(): FactorStatus {
    this.factorCount++;
    this.factored = false;
    const n = this.size;
    const { colPtr, rowIdx, handle } = this.pattern;
    const values = this.matrix.values;
    const { colOrder, preferredRow } = this.analysis;
    const { pivotThreshold, singularTolerance } = this.options;
    const { pinv, prow, uDiag, rowScale, work: x, magnitude, mark, stack, position, topo } = this;
    this.computeRowScale();
    pinv.fill(-1);
    const lPruneEnd = this.lPruneEnd;
    const lColPtr = this.lColPtr;
    let lRowIdx = this.lRowIdx;
    let lValues = this.lValues;
    let uRowIdx = this.uRowIdx;
    let uValues = this.uValues;
    const uColPtr = this.uColPtr;
    let lnz = 0;
    let unz = 0;
    lColPtr[0] = 0;
    uColPtr[0] = 0;
    for (let k = 0; k < n; k++) {
      if (lnz + n - k > lRowIdx.length) {
        lRowIdx = this.lRowIdx = growInt(lRowIdx, lnz + n - k);
        lValues = this.lValues = growFloat(lValues, lnz + n - k);
      }
      if (unz + k > uRowIdx.length) {
        uRowIdx = this.uRowIdx = growInt(uRowIdx, unz + k);
        uValues = this.uValues = growFloat(uValues, unz + k);
      }
      const col = colOrder[k];
      const stamp = this.nextStamp();
      // Scatter the scaled column into x and find its reach in the graph of L.
      let top = n;
      for (let p = colPtr[col]; p < colPtr[col + 1]; p++) {
        const r = rowIdx[p];
        x[r] = values[handle[p]] * rowScale[r];
        magnitude[r] = Math.abs(x[r]);
        if (mark[r] !== stamp)
          top = reach(r, top, stamp, pinv, lColPtr, lPruneEnd, lRowIdx, mark, stack, position, topo);
      }
      // Numeric sparse triangular solve, in topological order.
      for (let t = top; t < n; t++) {
        const r = topo[t];
        const step = pinv[r];
        if (step < 0) continue;
        const xr = x[r];
        if (xr === 0) continue;
        const xrAbs = Math.abs(xr);
        if (xrAbs <= singularTolerance * magnitude[r]) {
          // Cancelled to rounding noise: in exact arithmetic this entry of U is zero. Passing the noise on
          // would hide a dependent column behind noise-sized candidates with noise-sized magnitudes.
          x[r] = 0;
          continue;
        }
        for (let q = lColPtr[step]; q < lColPtr[step + 1]; q++) {
          const i = lRowIdx[q];
          const l = lValues[q];
          x[i] -= l * xr;
          magnitude[i] += Math.abs(l) * xrAbs;
        }
      }
      // Threshold partial pivoting among the rows not yet pivoted.
      // Singularity: magnitude[r] = |a_r| + sum |l_ri| |x_i| is the scale of the rounding error in x[r]
      // (it is |L||U| of the backward error bound |E| <= gamma_n |L||U|, Higham, "Accuracy and Stability of
      // Numerical Algorithms", 2nd ed., Theorem 9.3). If the largest candidate is no bigger than
      // singularTolerance times its own magnitude, the whole column cancelled to rounding noise: it depends
      // on the columns before it. Judging by the largest candidate only (not "any candidate that passes")
      // matters: in a noise column a smaller noise value can happen to pass. The test is invariant under
      // row and column scaling, unlike a comparison with the column maximum.
      let candidateMax = 0;
      let pivotRow = -1;
      let finite = true;
      for (let t = top; t < n; t++) {
        const r = topo[t];
        const a = Math.abs(x[r]);
        if (!(a <= Number.MAX_VALUE)) finite = false;
        if (pinv[r] < 0 && a > candidateMax) {
          candidateMax = a;
          pivotRow = r;
        }
      }
      if (pivotRow >= 0 && candidateMax <= singularTolerance * magnitude[pivotRow]) pivotRow = -1;
      if (!finite) {
        this.clearWork(top);
        throw nonFinite(col);
      }
      if (pivotRow < 0) {
        this.clearWork(top);
        return { ok: false, singularColumn: col };
      }
      const preferred = preferredRow[k];
      if (
        preferred >= 0 &&
        preferred !== pivotRow &&
        pinv[preferred] < 0 &&
        mark[preferred] === stamp &&
        Math.abs(x[preferred]) >= pivotThreshold * candidateMax &&
        Math.abs(x[preferred]) > singularTolerance * magnitude[preferred]
      ) {
        pivotRow = preferred;
      }
      const pivot = x[pivotRow];
      // Store U(:,k) in topological order (refactor relies on it) and L(:,k) scaled by the pivot.
      for (let t = top; t < n; t++) {
        const r = topo[t];
        const step = pinv[r];
        if (step >= 0) {
          uRowIdx[unz] = step;
          uValues[unz++] = x[r];
        } else if (r !== pivotRow) {
          lRowIdx[lnz] = r;
          lValues[lnz++] = x[r] / pivot;
        }
        x[r] = 0;
        magnitude[r] = 0;
      }
      uDiag[k] = pivot;
      pinv[pivotRow] = k;
      prow[k] = pivotRow;
      lColPtr[k + 1] = lnz;
      uColPtr[k + 1] = unz;
      lPruneEnd[k] = -1;
      prunePattern(pivotRow, uColPtr[k], unz, uRowIdx, pinv, lColPtr, lPruneEnd, lRowIdx, lValues, null);
    }
    // From now on L's row indices are steps.
    for (let q = 0; q < lnz; q++) lRowIdx[q] = pinv[lRowIdx[q]];
    const { entryColPtr, entryStep, entryHandle, entryScale } = this;
    let q = 0;
    for (let k = 0; k < n; k++) {
      const col = colOrder[k];
      entryColPtr[k] = q;
      for (let p = colPtr[col]; p < colPtr[col + 1]; p++, q++) {
        entryStep[q] = pinv[rowIdx[p]];
        entryHandle[q] = handle[p];
        entryScale[q] = rowScale[rowIdx[p]];
      }
    }
    entryColPtr[n] = q;
    this.factored = true;
    return FACTORED;
  }

  /**
   * New values, same pattern: reuse the pivot order and the L/U pattern (no search, no allocation).
   * Falls back to factor() when a reused pivot is zero or smaller than refactorThreshold times the
   * largest entry below it, or when there is no previous successful factorisation.
   */
  refactor(): FactorStatus {
    if (!this.factored) return this.factor();
    this.refactorCount++;
    const n = this.size;
    const values = this.matrix.values;
    const threshold = this.options.refactorThreshold;
    const singularTolerance = this.options.singularTolerance;
    const {
      lColPtr,
      lRowIdx,
      lValues,
      uColPtr,
      uRowIdx,
      uValues,
      uDiag,
      entryColPtr,
      entryStep,
      entryHandle,
      entryScale,
      work: x,
    } = this;
    // The row scaling of the last factor() is kept: refactor() factors R·A with that R and solve() applies
    // the same R, so the solution is exact whatever R is; the pivot test below is then a threshold test on
    // R·A (as valid a criterion as on freshly scaled rows), and factor() rescales when it is called.
    for (let k = 0; k < n; k++) {
      for (let q = entryColPtr[k]; q < entryColPtr[k + 1]; q++)
        x[entryStep[q]] = values[entryHandle[q]] * entryScale[q];
      // Largest |u_jk| above the pivot: a pivot tiny next to it may be cancellation noise of a (nearly)
      // singular matrix; refactor cannot tell cheaply, so it lets factor() decide with its exact test.
      let above = 0;
      for (let q = uColPtr[k]; q < uColPtr[k + 1]; q++) {
        const j = uRowIdx[q];
        const uj = x[j];
        x[j] = 0;
        uValues[q] = uj;
        if (uj === 0) continue;
        const a = Math.abs(uj);
        if (a > above) above = a;
        for (let l = lColPtr[j]; l < lColPtr[j + 1]; l++) x[lRowIdx[l]] -= lValues[l] * uj;
      }
      const pivot = x[k];
      x[k] = 0;
      // Scale L(:,k) and find the largest entry below the pivot in one pass; if the pivot turns out to
      // be unusable the values just written are discarded by factor().
      let below = 0;
      for (let l = lColPtr[k]; l < lColPtr[k + 1]; l++) {
        const i = lRowIdx[l];
        const a = Math.abs(x[i]);
        if (a > below) below = a;
        lValues[l] = x[i] / pivot;
        x[i] = 0;
      }
      const pivotAbs = Math.abs(pivot);
      if (
        !(pivotAbs > 0 && pivotAbs <= Number.MAX_VALUE) ||
        pivotAbs < threshold * below ||
        pivotAbs <= singularTolerance * above ||
        !(below <= Number.MAX_VALUE) ||
        !(above <= Number.MAX_VALUE)
      ) {
        return this.factor();
      }
      uDiag[k] = pivot;
    }
    return FACTORED;
  }

  /**
   * Solve A x = b with the current factors. Writes into `out` (allocated if omitted); `out` may be `rhs`.
   * Throws if there is no successful factorisation.
   */
  solve(rhs: Float64Array, out?: Float64Array): Float64Array {
    const n = this.size;
    if (!this.factored) throw notFactored();
    if (rhs.length < n)
      throw new RangeError(`solve: right-hand side has length ${rhs.length}, the matrix needs ${n}`);
    const result = out ?? new Float64Array(n);
    if (result.length < n)
      throw new RangeError(`solve: output has length ${result.length}, the matrix needs ${n}`);
    const { lColPtr, lRowIdx, lValues, uColPtr, uRowIdx, uValues, uDiag, prow, rowScale, work: y } = this;
    const colOrder = this.analysis.colOrder;
    for (let k = 0; k < n; k++) {
      const r = prow[k];
      y[k] = rhs[r] * rowScale[r];
    }
    for (let k = 0; k < n; k++) {
      const yk = y[k];
      if (yk === 0) continue;
      for (let l = lColPtr[k]; l < lColPtr[k + 1]; l++) y[lRowIdx[l]] -= lValues[l] * yk;
    }
    for (let k = n - 1; k >= 0; k--) {
      const yk = (y[k] /= uDiag[k]);
      if (yk === 0) continue;
      for (let q = uColPtr[k]; q < uColPtr[k + 1]; q++) y[uRowIdx[q]] -= uValues[q] * yk;
    }
    for (let k = 0; k < n; k++) result[colOrder[k]] = y[k];
    return result;
  }

  /**
   * Solve Aᵀ x = b with the same factors (for adjoint systems: sensitivities, noise). From P R A Q = L U,
   * Aᵀ = Q Uᵀ Lᵀ P R⁻¹: permute b by the column order, solve with Uᵀ then Lᵀ (column-stored factors give
   * dot products), undo the pivot permutation and the row scaling. Same contract as solve().
   */
  solveTransposed(rhs: Float64Array, out?: Float64Array): Float64Array {
    const n = this.size;
    if (!this.factored) throw notFactored();
    if (rhs.length < n) {
      throw new RangeError(
        `solveTransposed: right-hand side has length ${rhs.length}, the matrix needs ${n}`,
      );
    }
    const result = out ?? new Float64Array(n);
    if (result.length < n) {
      throw new RangeError(`solveTransposed: output has length ${result.length}, the matrix needs ${n}`);
    }
    const { lColPtr, lRowIdx, lValues, uColPtr, uRowIdx, uValues, uDiag, prow, rowScale, work: y } = this;
    const colOrder = this.analysis.colOrder;
    for (let k = 0; k < n; k++) y[k] = rhs[colOrder[k]];
    for (let k = 0; k < n; k++) {
      let sum = y[k];
      for (let q = uColPtr[k]; q < uColPtr[k + 1]; q++) sum -= uValues[q] * y[uRowIdx[q]];
      y[k] = sum / uDiag[k];
    }
    for (let k = n - 1; k >= 0; k--) {
      let sum = y[k];
      for (let l = lColPtr[k]; l < lColPtr[k + 1]; l++) sum -= lValues[l] * y[lRowIdx[l]];
      y[k] = sum;
    }
    for (let k = 0; k < n; k++) {
      const r = prow[k];
      result[r] = y[k] * rowScale[r];
    }
    return result;
  }

  /**
   * Smallest and largest |u_kk| of the last factorisation, on the row-scaled matrix (rows have max 1):
   * a cheap conditioning hint, e.g. to warn about a nearly singular circuit.
   */
  pivotRange(): { min: number; max: number } {
    let min = Infinity;
    let max = 0;
    for (let k = 0; k < this.size; k++) {
      const a = Math.abs(this.uDiag[k]);
      if (a < min) min = a;
      if (a > max) max = a;
    }
    return { min, max };
  }

  private computeRowScale(): void {
    const scale = this.rowScale;
    if (!this.options.scaleRows) return;
    const { rowIdx, handle } = this.pattern;
    const values = this.matrix.values;
    scale.fill(0);
    for (let p = 0; p < rowIdx.length; p++) {
      const a = Math.abs(values[handle[p]]);
      if (a > scale[rowIdx[p]]) scale[rowIdx[p]] = a;
    }
    // An all-zero row keeps scale 1: the factorisation then reports it singular.
    for (let i = 0; i < this.size; i++)
      scale[i] = scale[i] > 0 && Number.isFinite(scale[i]) ? 1 / scale[i] : 1;
  }

  /** Zero the factor workspace over the reach topo[top..n-1] (after a failed column). */
  private clearWork(top: number): void {
    for (let t = top; t < this.size; t++) {
      this.work[this.topo[t]] = 0;
      this.magnitude[this.topo[t]] = 0;
    }
  }

  private nextStamp(): number {
    if (this.stamp >= 0x7ffffff0) {
      this.mark.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}

export function notFactored(): Error {
  return new Error(
    'solve() needs a successful factor() or refactor() first (the last one failed or never ran)',
  );
}

/** The matrix holds NaN or Infinity: `column` (0-based, as singularColumn) is where elimination met it. */
export class NonFiniteMatrixError extends RangeError {
  override name = 'NonFiniteMatrixError';
  constructor(readonly column: number) {
    super(
      `matrix column ${column} contains NaN or Infinity after elimination; check the values stamped into that column`,
    );
  }
}

export function nonFinite(column: number): Error {
  return new NonFiniteMatrixError(column);
}
