import { decimateMinMax } from './decimate';

describe('decimateMinMax', () => {
  it('returns the samples unchanged when there are at most two per column', () => {
    const x = [0, 1, 2, 3];
    const y = [5, 6, 7, 8];
    const d = decimateMinMax(x, y, { columns: 10 });
    expect(Array.from(d.x)).toEqual(x);
    expect(Array.from(d.y)).toEqual(y);
  });

  it('keeps every column extreme, including a one-sample spike', () => {
    const n = 1_000_000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      x[k] = k;
      y[k] = Math.sin(k / 5000);
    }
    y[123_457] = 42;
    const d = decimateMinMax(x, y, { columns: 800 });
    expect(d.x.length).toBeLessThanOrEqual(2 * 800 + 4);
    expect(Math.max(...d.y)).toBe(42);
    expect(Math.min(...d.y)).toBeCloseTo(-1, 6);
    // Output stays in x order so it draws as one polyline.
    for (let k = 1; k < d.x.length; k++) expect(d.x[k]).toBeGreaterThanOrEqual(d.x[k - 1]);
  });

  it('limits to the visible range plus one neighbour each side', () => {
    const x = Float64Array.from({ length: 1000 }, (_, k) => k);
    const y = Float64Array.from(x, (v) => v * 2);
    const d = decimateMinMax(x, y, { xMin: 100, xMax: 200, columns: 1000 });
    expect(d.x[0]).toBe(99);
    expect(d.x[d.x.length - 1]).toBe(201);
    expect(d.x.length).toBe(103);
  });

  it('uses logarithmic columns for log axes: each decade gets the same share', () => {
    const x = Float64Array.from({ length: 100_001 }, (_, k) => 10 ** (k / 20_000)); // 1 .. 1e5
    const y = Float64Array.from(x, (f) => Math.log10(f));
    const d = decimateMinMax(x, y, { columns: 50, log: true });
    const perDecade = [1, 2, 3, 4, 5].map((e) => d.x.filter((v) => v >= 10 ** (e - 1) && v < 10 ** e).length);
    expect(Math.max(...perDecade) - Math.min(...perDecade)).toBeLessThanOrEqual(2);
  });

  it('skips non-finite values', () => {
    const x = Float64Array.from({ length: 100 }, (_, k) => k);
    const y = Float64Array.from(x, (v) => (v === 50 ? NaN : v));
    const d = decimateMinMax(x, y, { columns: 5 });
    expect(d.y.every(Number.isFinite)).toBe(true);
  });
});
