/**
 * Pieces shared by the real and complex LU: options, status, and the symbolic half of the
 * Gilbert–Peierls column solve (the depth-first search that finds which rows a column reaches).
 */

export type FactorStatus = { ok: true } | { ok: false; singularColumn: number };

export interface LUOptions {
  /**
   * Threshold partial pivoting: the preferred ("diagonal") pivot is kept when its magnitude is at least
   * pivotThreshold times the largest candidate in its column. 1e-3 like ngspice's PivRelTol and KLU's tol.
   */
  pivotThreshold?: number;
  /**
   * refactor() falls back to factor() when a reused pivot drops below refactorThreshold times the largest
   * entry below it in its column. Defaults to pivotThreshold.
   */
  refactorThreshold?: number;
  /**
   * factor(): a computed entry no bigger than singularTolerance times the sum of the magnitudes combined
   * to form it (its rounding-error scale) is cancellation noise: U entries like that are flushed to zero,
   * and a column whose largest pivot candidate is noise is reported singular. Default 1e-13 (about 450
   * ulps): exact duplicate rows/columns leave noise below ~1e-16 of that scale, while nonsingular
   * matrices, even with threshold-pivoting growth, were measured above ~1e-12. 0 means only exact zeros.
   */
  singularTolerance?: number;
  /** Scale each row by its largest magnitude before factoring (KLU's default scaling). Default true. */
  scaleRows?: boolean;
}

export interface ResolvedLUOptions {
  pivotThreshold: number;
  refactorThreshold: number;
  singularTolerance: number;
  scaleRows: boolean;
}

export function resolveOptions(options: LUOptions | undefined): ResolvedLUOptions {
  const pivotThreshold = options?.pivotThreshold ?? 1e-3;
  const refactorThreshold = options?.refactorThreshold ?? pivotThreshold;
  const singularTolerance = options?.singularTolerance ?? 1e-13;
  const check = (name: string, value: number, allowZero: boolean): void => {
    if (!(value <= 1 && (allowZero ? value >= 0 : value > 0))) {
      throw new RangeError(`LU option ${name} must be in ${allowZero ? '[0, 1]' : '(0, 1]'}, got ${value}`);
    }
  };
  check('pivotThreshold', pivotThreshold, false);
  check('refactorThreshold', refactorThreshold, true);
  check('singularTolerance', singularTolerance, true);
  return { pivotThreshold, refactorThreshold, singularTolerance, scaleRows: options?.scaleRows ?? true };
}

/**
 * Depth-first search from row `start` in the graph of the L computed so far (Gilbert & Peierls,
 * "Sparse partial pivoting in time proportional to arithmetic operations", SIAM J. Sci. Stat. Comput.
 * 9(5), 1988): a pivoted row r (pinv[r] = its step) has edges to the rows of column pinv[r] of L;
 * an unpivoted row is a leaf. Columns of L pruned by symmetric pruning (see prunePattern) are only
 * searched up to lPruneEnd[step]. Finished rows are pushed at topo[--top], so topo[top..n-1] ends up in
 * topological order. Iterative, with an explicit stack, so deep chains cannot overflow the JS stack.
 * Returns the new top.
 */
export function reach(
  start: number,
  top: number,
  stamp: number,
  pinv: Int32Array,
  lColPtr: Int32Array,
  lPruneEnd: Int32Array,
  lRowIdx: Int32Array,
  mark: Int32Array,
  stack: Int32Array,
  position: Int32Array,
  topo: Int32Array,
): number {
  let head = 0;
  stack[0] = start;
  mark[start] = stamp;
  const startStep = pinv[start];
  position[0] = startStep >= 0 ? lColPtr[startStep] : 0;
  while (head >= 0) {
    const row = stack[head];
    const step = pinv[row];
    if (step >= 0) {
      const pruned = lPruneEnd[step];
      const end = pruned >= 0 ? pruned : lColPtr[step + 1];
      let p = position[head];
      for (; p < end; p++) {
        const child = lRowIdx[p];
        if (mark[child] === stamp) continue;
        mark[child] = stamp;
        position[head] = p + 1;
        head++;
        stack[head] = child;
        const childStep = pinv[child];
        position[head] = childStep >= 0 ? lColPtr[childStep] : 0;
        break;
      }
      if (p < end) continue;
    }
    head--;
    topo[--top] = row;
  }
  return top;
}

/**
 * Symmetric pruning (S. C. Eisenstat & J. W. H. Liu, "Exploiting structural symmetry in unsymmetric sparse
 * symbolic factorization", SIAM J. Matrix Anal. Appl. 13(1), 1992; as in KLU's klu_kernel): after step k,
 * for every step j in the pattern of U(:,k) whose L column contains k's pivot row, the rows of L(:,j)
 * not yet pivoted are also reachable through L(:,k), so later depth-first searches need only the pivoted
 * rows of L(:,j). Those are moved to the front of the column and lPruneEnd[j] marks where they end.
 * Reorders entries within L columns, moving the numeric values (`lValues`, and `lValues2` for the
 * imaginary parts of a complex L) alongside.
 */
export function prunePattern(
  pivotRow: number,
  uStart: number,
  uEnd: number,
  uRowIdx: Int32Array,
  pinv: Int32Array,
  lColPtr: Int32Array,
  lPruneEnd: Int32Array,
  lRowIdx: Int32Array,
  lValues: Float64Array,
  lValues2: Float64Array | null,
): void {
  for (let q = uStart; q < uEnd; q++) {
    const j = uRowIdx[q];
    if (lPruneEnd[j] >= 0) continue;
    const begin = lColPtr[j];
    const end = lColPtr[j + 1];
    let found = false;
    for (let p = begin; p < end; p++) {
      if (lRowIdx[p] === pivotRow) {
        found = true;
        break;
      }
    }
    if (!found) continue;
    let head = begin;
    let tail = end;
    while (head < tail) {
      if (pinv[lRowIdx[head]] >= 0) {
        head++;
      } else {
        tail--;
        const row = lRowIdx[head];
        lRowIdx[head] = lRowIdx[tail];
        lRowIdx[tail] = row;
        const value = lValues[head];
        lValues[head] = lValues[tail];
        lValues[tail] = value;
        if (lValues2) {
          const value2 = lValues2[head];
          lValues2[head] = lValues2[tail];
          lValues2[tail] = value2;
        }
      }
    }
    lPruneEnd[j] = tail;
  }
}

export function growInt(a: Int32Array, needed: number): Int32Array {
  if (needed <= a.length) return a;
  const bigger = new Int32Array(Math.max(needed, a.length * 2));
  bigger.set(a);
  return bigger;
}

export function growFloat(a: Float64Array, needed: number): Float64Array {
  if (needed <= a.length) return a;
  const bigger = new Float64Array(Math.max(needed, a.length * 2));
  bigger.set(a);
  return bigger;
}

/**
 * Typed arrays carved out of one zero-filled ArrayBuffer. A factorisation needs about fifteen work arrays,
 * and every typed array of its own is a separate off-heap allocation that the garbage collector accounts for
 * on its own: for the small circuits that are set up once and solved a few times, those allocations cost
 * more than the solve. Each array starts on an 8-byte boundary.
 */
export class ArrayArena {
  private readonly buffer: ArrayBuffer;
  private offset = 0;

  /** `float64` and `int32`: the lengths of the arrays that will be taken, in any order. */
  constructor(lengths: { float64: readonly number[]; int32: readonly number[] }) {
    let bytes = 0;
    for (const length of lengths.float64) bytes += 8 * length;
    for (const length of lengths.int32) bytes += 8 * Math.ceil(length / 2);
    this.buffer = new ArrayBuffer(bytes);
  }

  float64(length: number): Float64Array {
    const array = new Float64Array(this.buffer, this.offset, length);
    this.offset += 8 * length;
    return array;
  }

  int32(length: number): Int32Array {
    const array = new Int32Array(this.buffer, this.offset, length);
    this.offset += 8 * Math.ceil(length / 2);
    return array;
  }
}
