/**
 * Min/max decimation per pixel column (the approach of uPlot and of oscilloscopes' peak-detect mode):
 * for every horizontal pixel keep the smallest and the largest sample, in the order they occur, so a
 * 10M-point trace draws as at most 2 points per pixel and no spike disappears.
 */

export interface Decimated {
  x: Float64Array;
  y: Float64Array;
}

export interface DecimateOptions {
  /** Visible x range (default: the whole data). */
  xMin?: number;
  xMax?: number;
  /** Number of pixel columns (the plot's width in pixels). */
  columns: number;
  /** Columns are equally wide in log10(x) (logarithmic x axis). */
  log?: boolean;
}

/**
 * `x` must be non-decreasing. Returns the samples inside [xMin, xMax] plus one neighbour on each side (so
 * lines run to the plot's edges), reduced to the min and max of each column when there are more than
 * two samples per column. Non-finite y values are skipped.
 */
export function decimateMinMax(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: DecimateOptions,
): Decimated {
  const n = Math.min(x.length, y.length);
  if (n === 0) return { x: new Float64Array(0), y: new Float64Array(0) };
  const xMin = options.xMin ?? x[0];
  const xMax = options.xMax ?? x[n - 1];
  const columns = Math.max(1, Math.floor(options.columns));
  const start = Math.max(0, lowerBound(x, n, xMin) - 1);
  const end = Math.min(n, upperBound(x, n, xMax) + 1);
  const count = end - start;
  if (count <= 2 * columns) {
    const outX = new Float64Array(count);
    const outY = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      outX[k] = x[start + k];
      outY[k] = y[start + k];
    }
    return { x: outX, y: outY };
  }
  const log = options.log === true && xMin > 0 && xMax > 0;
  const lo = log ? Math.log10(xMin) : xMin;
  const span = (log ? Math.log10(xMax) : xMax) - lo || 1;
  const outX = new Float64Array(2 * columns + 4);
  const outY = new Float64Array(2 * columns + 4);
  let m = 0;
  const push = (k: number) => {
    if (m > 0 && outX[m - 1] === x[k] && outY[m - 1] === y[k]) return;
    outX[m] = x[k];
    outY[m] = y[k];
    m++;
  };
  let column = -1;
  let minIndex = -1;
  let maxIndex = -1;
  const flush = () => {
    if (minIndex < 0) return;
    if (minIndex <= maxIndex) {
      push(minIndex);
      push(maxIndex);
    } else {
      push(maxIndex);
      push(minIndex);
    }
  };
  for (let k = start; k < end; k++) {
    const v = y[k];
    if (!Number.isFinite(v)) continue;
    const xv = log ? Math.log10(x[k]) : x[k];
    // Samples outside the visible range (the two neighbours) get their own columns at -1 and `columns`.
    const c = Math.min(columns, Math.max(-1, Math.floor(((xv - lo) / span) * columns)));
    if (c !== column) {
      flush();
      column = c;
      minIndex = k;
      maxIndex = k;
    } else {
      if (v < y[minIndex]) minIndex = k;
      if (v > y[maxIndex]) maxIndex = k;
    }
  }
  flush();
  return { x: outX.slice(0, m), y: outY.slice(0, m) };
}

/** First index with x[k] >= value. */
function lowerBound(x: ArrayLike<number>, n: number, value: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with x[k] > value. */
function upperBound(x: ArrayLike<number>, n: number, value: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
