import { ComplexSparseMatrix, SparseMatrix } from './sparse-matrix';

describe('SparseMatrix', () => {
  it('hands out one handle per entry, and the trash handle 0 for ground stamps', () => {
    const m = new SparseMatrix(3);
    const h = m.entry(0, 1);
    expect(h).toBeGreaterThan(0);
    expect(m.entry(0, 1)).toBe(h);
    expect(m.entry(1, 0)).not.toBe(h);
    expect(m.entry(-1, 2)).toBe(0);
    expect(m.entry(2, -1)).toBe(0);
    expect(m.nnz).toBe(2);
    expect(m.find(0, 1)).toBe(h);
    expect(m.find(2, 2)).toBe(-1);
  });

  it('accumulates stamps, ignores the trash slot in products and dense copies, and clears', () => {
    const m = new SparseMatrix(2);
    const stamps: Array<[number, number, number]> = [
      [0, 0, 1],
      [0, 0, 2],
      [0, 1, -1],
      [1, 0, -1],
      [1, 1, 5],
      [-1, 1, 100],
    ];
    const handles = stamps.map(([r, c]) => m.entry(r, c));
    stamps.forEach(([, , v], i) => (m.values[handles[i]] += v));
    expect(m.toDense().map((row) => Array.from(row))).toEqual([
      [3, -1],
      [-1, 5],
    ]);
    expect(Array.from(m.multiply(Float64Array.of(1, 2)))).toEqual([1, 9]);
    m.clear();
    expect(Array.from(m.multiply(Float64Array.of(1, 2)))).toEqual([0, 0]);
  });

  it('keeps values across growth of the value array', () => {
    const n = 100;
    const m = new SparseMatrix(n);
    for (let i = 0; i < n; i++) {
      // Not `m.values[m.entry(...)] = v`: JS reads m.values before entry() may replace the array.
      const h = m.entry(i, (i * 7) % n);
      m.values[h] = i + 1;
    }
    const dense = m.toDense();
    for (let i = 0; i < n; i++) expect(dense[i][(i * 7) % n]).toBe(i + 1);
  });

  it('builds a column-compressed pattern with sorted rows and the handle of every position', () => {
    const m = new SparseMatrix(3);
    const h21 = m.entry(2, 1);
    const h01 = m.entry(0, 1);
    const h00 = m.entry(0, 0);
    const h12 = m.entry(1, 2);
    const csc = m.freeze();
    expect(Array.from(csc.colPtr)).toEqual([0, 1, 3, 4]);
    expect(Array.from(csc.rowIdx)).toEqual([0, 0, 2, 1]);
    expect(Array.from(csc.handle)).toEqual([h00, h01, h21, h12]);
    expect(m.freeze()).toBe(csc);
  });

  it('rejects new entries after freezing and entries outside the matrix, with a clear message', () => {
    const m = new SparseMatrix(2);
    m.entry(0, 0);
    m.freeze();
    expect(m.entry(0, 0)).toBe(1);
    expect(() => m.entry(1, 1)).toThrow(/not reserved before the pattern was frozen/);
    expect(() => m.entry(2, 0)).toThrow(/outside the 2x2 matrix/);
    expect(() => m.entry(0.5, 0)).toThrow(/outside the 2x2 matrix/);
    expect(() => new SparseMatrix(-1)).toThrow(/non-negative integer/);
  });
});

describe('ComplexSparseMatrix', () => {
  it('keeps real and imaginary parts aligned with handles', () => {
    const m = new ComplexSparseMatrix(2);
    const h = m.entry(0, 1);
    m.re[h] = 2;
    m.im[h] = 3;
    m.re[m.entry(1, 1)] = 1;
    const y = m.multiply({ re: Float64Array.of(0, 1), im: Float64Array.of(0, 1) });
    // (2 + 3j)(1 + 1j) = -1 + 5j; 1 * (1 + 1j)
    expect(Array.from(y.re)).toEqual([-1, 1]);
    expect(Array.from(y.im)).toEqual([5, 1]);
    const dense = m.toDense();
    expect(dense.re[0][1]).toBe(2);
    expect(dense.im[0][1]).toBe(3);
    m.clear();
    expect(m.re[h]).toBe(0);
    expect(m.im[h]).toBe(0);
  });
});
