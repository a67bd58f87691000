/**
 * Sparse square matrices for MNA stamping: devices reserve entries once at setup and get handles
 * (indices into the value arrays), then add into those slots in their hot loop. This is the
 * "bind once" element-set idea of SpiceSharp and Gnucap's `iwant`/`allocate`.
 *
 * Handle 0 is a trash slot: stamps that touch ground (row or column < 0) land there and are ignored,
 * so device code never branches on "is this terminal grounded".
 *
 * `freeze()` fixes the pattern and builds a compressed-sparse-column (CSC) index of it, where every
 * CSC position remembers the handle that feeds it. The LU reads values through that map, so a
 * refactorisation is one straight pass with no searching.
 */

/** Compressed sparse column view of a frozen pattern. Row indices are sorted within each column. */
export interface CscPattern {
  readonly n: number;
  /** Column j occupies positions colPtr[j] .. colPtr[j+1]-1. Length n+1. */
  readonly colPtr: Int32Array;
  /** Row index of each position. */
  readonly rowIdx: Int32Array;
  /** Handle (index into the value arrays) of each position. */
  readonly handle: Int32Array;
}

const INITIAL_CAPACITY = 16;

/** Entry reservation and CSC pattern shared by the real and complex matrices. */
abstract class SparsePattern {
  readonly size: number;
  private rows: Int32Array;
  private cols: Int32Array;
  /** Number of handles handed out, including the trash handle 0. */
  private handleCount = 1;
  /** (row·n + col) -> handle; built on first use after reservePattern(). */
  private handleMap: Map<number, number> | undefined = new Map();
  private csc: CscPattern | undefined;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`SparseMatrix size must be a non-negative integer, got ${n}`);
    }
    this.size = n;
    this.rows = new Int32Array(INITIAL_CAPACITY);
    this.cols = new Int32Array(INITIAL_CAPACITY);
    this.rows[0] = -1;
    this.cols[0] = -1;
  }

  /**
   * Reserve entry (row, col) and return its handle. Repeated calls for the same entry return the same
   * handle; a ground stamp (row < 0 or col < 0) returns the trash handle 0.
   */
  entry(row: number, col: number): number {
    if (row < 0 || col < 0) return 0;
    const n = this.size;
    if (!Number.isInteger(row) || !Number.isInteger(col) || row >= n || col >= n) {
      throw new RangeError(
        `matrix entry (${row}, ${col}) is outside the ${n}x${n} matrix; unknowns are numbered 0..${n - 1} ` +
          `and ground is any negative index`,
      );
    }
    const key = row * n + col;
    const handleOf = this.handleOf();
    const existing = handleOf.get(key);
    if (existing !== undefined) return existing;
    if (this.csc) {
      throw new Error(
        `matrix entry (${row}, ${col}) was not reserved before the pattern was frozen (by freeze() or the first ` +
          `factorisation); reserve every entry during device setup`,
      );
    }
    const handle = this.handleCount++;
    if (handle >= this.rows.length) this.growTo(this.rows.length * 2);
    this.rows[handle] = row;
    this.cols[handle] = col;
    handleOf.set(key, handle);
    return handle;
  }

  /**
   * Reserves entries (rows[k], cols[k]), k = 0..count-1, as handles 1..count in that order, on an empty
   * pattern: how a circuit hands over the pattern its devices reserved. The entries must be distinct (the
   * circuit has already merged repeated ones); the (row, col) lookup of entry() and find() is built only if
   * they are called afterwards.
   */
  reservePattern(rows: Int32Array, cols: Int32Array, count: number): void {
    if (this.handleCount !== 1) throw new Error('reservePattern needs a matrix without reserved entries');
    const n = this.size;
    for (let k = 0; k < count; k++) {
      if (rows[k] < 0 || cols[k] < 0 || rows[k] >= n || cols[k] >= n) {
        throw new RangeError(`matrix entry (${rows[k]}, ${cols[k]}) is outside the ${n}x${n} matrix`);
      }
    }
    if (count + 1 > this.rows.length) this.growTo(count + 1);
    this.rows.set(rows.subarray(0, count), 1);
    this.cols.set(cols.subarray(0, count), 1);
    this.handleCount = count + 1;
    this.handleMap = undefined;
  }

  private handleOf(): Map<number, number> {
    if (this.handleMap) return this.handleMap;
    const map = new Map<number, number>();
    const n = this.size;
    for (let h = 1; h < this.handleCount; h++) map.set(this.rows[h] * n + this.cols[h], h);
    this.handleMap = map;
    return map;
  }

  /** Handle of (row, col) if reserved, else -1 (never reserves). */
  find(row: number, col: number): number {
    if (row < 0 || col < 0) return 0;
    return this.handleOf().get(row * this.size + col) ?? -1;
  }

  /** Number of reserved (structurally nonzero) entries, not counting the trash slot. */
  get nnz(): number {
    return this.handleCount - 1;
  }

  /** Number of handles including the trash handle 0: valid handles are 0..handles-1. */
  get handles(): number {
    return this.handleCount;
  }

  /** Row of a handle (-1 for the trash handle). */
  rowOf(handle: number): number {
    return this.rows[handle];
  }

  /** Column of a handle (-1 for the trash handle). */
  colOf(handle: number): number {
    return this.cols[handle];
  }

  get frozen(): boolean {
    return this.csc !== undefined;
  }

  /** Fix the pattern (idempotent) and return its CSC index. */
  freeze(): CscPattern {
    if (this.csc) return this.csc;
    const n = this.size;
    const count = this.handleCount;
    // Two counting-sort passes (by row, then stable by column) give sorted rows inside each column.
    const rowPtr = new Int32Array(n + 1);
    for (let h = 1; h < count; h++) rowPtr[this.rows[h] + 1]++;
    for (let i = 0; i < n; i++) rowPtr[i + 1] += rowPtr[i];
    const byRow = new Int32Array(count - 1);
    const next = rowPtr.slice(0, n);
    for (let h = 1; h < count; h++) byRow[next[this.rows[h]]++] = h;
    const colPtr = new Int32Array(n + 1);
    for (let h = 1; h < count; h++) colPtr[this.cols[h] + 1]++;
    for (let j = 0; j < n; j++) colPtr[j + 1] += colPtr[j];
    const rowIdx = new Int32Array(count - 1);
    const handle = new Int32Array(count - 1);
    const fill = colPtr.slice(0, n);
    for (const h of byRow) {
      const p = fill[this.cols[h]]++;
      rowIdx[p] = this.rows[h];
      handle[p] = h;
    }
    this.csc = { n, colPtr, rowIdx, handle };
    return this.csc;
  }

  private growTo(capacity: number): void {
    const rows = new Int32Array(capacity);
    rows.set(this.rows);
    this.rows = rows;
    const cols = new Int32Array(capacity);
    cols.set(this.cols);
    this.cols = cols;
    this.growValues(capacity);
  }

  protected abstract growValues(capacity: number): void;
}

function grown(values: Float64Array, capacity: number): Float64Array {
  const bigger = new Float64Array(capacity);
  bigger.set(values);
  return bigger;
}

function checkVector(what: string, v: Float64Array, n: number): void {
  if (v.length < n) throw new RangeError(`${what} has length ${v.length}, the matrix needs ${n}`);
}

/** Real sparse n x n matrix with handle-based stamping. */
export class SparseMatrix extends SparsePattern {
  /**
   * Values aligned with handles; devices do `m.values[h] += g`. The array is replaced when it grows while
   * entries are being reserved, so reserve all entries first (setup), then write values. In particular
   * `m.values[m.entry(r, c)] = v` is wrong during setup: JS reads `m.values` before `entry()` runs.
   */
  values: Float64Array = new Float64Array(INITIAL_CAPACITY);

  /** Zero all values, keeping the pattern. */
  clear(): void {
    this.values.fill(0);
  }

  /**
   * Reserve (row, col) if needed and add `value` to it; returns the handle. Safe while the pattern grows
   * (unlike `m.values[m.entry(r, c)] += v`); meant for setup code and tests, not for hot loops.
   */
  add(row: number, col: number, value: number): number {
    const handle = this.entry(row, col);
    this.values[handle] += value;
    return handle;
  }

  /** y = A x (trash slot excluded). */
  multiply(x: Float64Array, y: Float64Array = new Float64Array(this.size)): Float64Array {
    checkVector('multiply: x', x, this.size);
    checkVector('multiply: y', y, this.size);
    y.fill(0, 0, this.size);
    for (let h = 1; h < this.handles; h++) y[this.rowOf(h)] += this.values[h] * x[this.colOf(h)];
    return y;
  }

  /** Dense copy, row-major (for tests and debugging; O(n^2) memory). */
  toDense(): Float64Array[] {
    const a = Array.from({ length: this.size }, () => new Float64Array(this.size));
    for (let h = 1; h < this.handles; h++) a[this.rowOf(h)][this.colOf(h)] += this.values[h];
    return a;
  }

  protected growValues(capacity: number): void {
    this.values = grown(this.values, capacity);
  }
}

/** A complex vector as two aligned real arrays. */
export interface ComplexVector {
  re: Float64Array;
  im: Float64Array;
}

/** Complex sparse n x n matrix (AC analysis): real and imaginary parts in separate arrays aligned with handles. */
export class ComplexSparseMatrix extends SparsePattern {
  /** Real parts aligned with handles (replaced while entries are reserved, like `SparseMatrix.values`). */
  re: Float64Array = new Float64Array(INITIAL_CAPACITY);
  /** Imaginary parts aligned with handles. */
  im: Float64Array = new Float64Array(INITIAL_CAPACITY);

  clear(): void {
    this.re.fill(0);
    this.im.fill(0);
  }

  /** Reserve (row, col) if needed and add re + j im to it; returns the handle (see SparseMatrix.add). */
  add(row: number, col: number, re: number, im: number): number {
    const handle = this.entry(row, col);
    this.re[handle] += re;
    this.im[handle] += im;
    return handle;
  }

  /** y = A x. */
  multiply(
    x: ComplexVector,
    y: ComplexVector = { re: new Float64Array(this.size), im: new Float64Array(this.size) },
  ): ComplexVector {
    const n = this.size;
    checkVector('multiply: x.re', x.re, n);
    checkVector('multiply: x.im', x.im, n);
    checkVector('multiply: y.re', y.re, n);
    checkVector('multiply: y.im', y.im, n);
    y.re.fill(0, 0, n);
    y.im.fill(0, 0, n);
    for (let h = 1; h < this.handles; h++) {
      const r = this.rowOf(h);
      const c = this.colOf(h);
      const ar = this.re[h];
      const ai = this.im[h];
      y.re[r] += ar * x.re[c] - ai * x.im[c];
      y.im[r] += ar * x.im[c] + ai * x.re[c];
    }
    return y;
  }

  /** Dense copy, row-major, as [re, im] matrices. */
  toDense(): { re: Float64Array[]; im: Float64Array[] } {
    const n = this.size;
    const re = Array.from({ length: n }, () => new Float64Array(n));
    const im = Array.from({ length: n }, () => new Float64Array(n));
    for (let h = 1; h < this.handles; h++) {
      re[this.rowOf(h)][this.colOf(h)] += this.re[h];
      im[this.rowOf(h)][this.colOf(h)] += this.im[h];
    }
    return { re, im };
  }

  protected growValues(capacity: number): void {
    this.re = grown(this.re, capacity);
    this.im = grown(this.im, capacity);
  }
}
