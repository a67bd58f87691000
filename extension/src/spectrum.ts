/**
 * The viewer's FFT view numerics, pure (no DOM): resampling of a transient's non-uniform SPICE timesteps onto
 * a uniform grid, window functions, a radix-2 FFT and the single-sided amplitude spectrum in dB.
 *
 * SPICE transient output is sampled where the timestep control put its points, so it is first interpolated
 * linearly onto a uniform grid, the way ngspice's `linearize` does before its `fft` command (ngspice manual,
 * section 17.5 "fft"). The grid is periodic (from + k dt, k < N, dt = (to - from) / N), matching the DFT's
 * implicit periodicity. Windows are the DFT-even (periodic) forms that F. J. Harris recommends for spectral
 * analysis ("On the use of windows for harmonic analysis with the discrete Fourier transform", Proc. IEEE 66,
 * 1978); amplitudes are divided by the window's coherent gain so a sine of amplitude A on a bin reads A.
 * The kernel's `fft` (kernel/src/spectral.ts) does the same for notebooks; this module adds the 4-term
 * Blackman-Harris window, a single-pass resampler and a size cap, which a 10M-point trace in a browser needs.
 */

export type SpectrumWindow = 'rectangular' | 'hann' | 'hamming' | 'blackman-harris';

export const SPECTRUM_WINDOWS: readonly SpectrumWindow[] = [
  'rectangular',
  'hann',
  'hamming',
  'blackman-harris',
];

/** An FFT that cannot be made (empty interval, too few samples, non-finite values, bad options). */
export class SpectrumError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpectrumError';
  }
}

/**
 * `values` sampled at `from + k (to - from) / count`, k = 0..count-1, by linear interpolation between the
 * neighbouring samples of (time, values). `time` must be non-decreasing; one pass over both arrays.
 */
export function resampleUniform(
  time: ArrayLike<number>,
  values: ArrayLike<number>,
  from: number,
  to: number,
  count: number,
): Float64Array {
  const n = Math.min(time.length, values.length);
  if (time.length !== values.length) {
    throw new SpectrumError(`resample: time has ${time.length} samples but values has ${values.length}`);
  }
  if (n < 2) throw new SpectrumError(`resample: needs at least 2 samples, got ${n}`);
  if (!(to > from)) throw new SpectrumError(`resample: the interval ${from}..${to} is empty`);
  if (from < time[0] || to > time[n - 1]) {
    throw new SpectrumError(`resample: ${from}..${to} is outside the simulated ${time[0]}..${time[n - 1]}`);
  }
  if (!Number.isInteger(count) || count < 1)
    throw new SpectrumError(`resample: count must be a positive integer, got ${count}`);
  const out = new Float64Array(count);
  const dt = (to - from) / count;
  let j = 0; // time[j] <= t < time[j + 1] (or the last segment)
  for (let k = 0; k < count; k++) {
    const t = from + k * dt;
    while (j < n - 2 && time[j + 1] <= t) j++;
    const t0 = time[j];
    const t1 = time[j + 1];
    const v0 = values[j];
    const v1 = values[j + 1];
    const v = t === t0 ? v0 : t1 === t0 ? v1 : v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
    if (!Number.isFinite(v)) {
      throw new SpectrumError(
        `resample: the waveform is not finite near t = ${t} (NaN or infinite samples); narrow the range`,
      );
    }
    out[k] = v;
  }
  return out;
}

/** Periodic window of length n (Harris 1978, DFT-even). */
export function windowFunction(name: SpectrumWindow, n: number): Float64Array {
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const x = (2 * Math.PI * k) / n;
    switch (name) {
      case 'rectangular':
        w[k] = 1;
        break;
      case 'hann':
        w[k] = 0.5 - 0.5 * Math.cos(x);
        break;
      case 'hamming':
        w[k] = 0.54 - 0.46 * Math.cos(x);
        break;
      case 'blackman-harris':
        // 4-term, -92 dB highest sidelobe (Harris 1978, table 1).
        w[k] = 0.35875 - 0.48829 * Math.cos(x) + 0.14128 * Math.cos(2 * x) - 0.01168 * Math.cos(3 * x);
        break;
      default:
        throw new SpectrumError(`unknown window '${name as string}': use ${SPECTRUM_WINDOWS.join(', ')}`);
    }
  }
  return w;
}

/** Iterative radix-2 Cooley-Tukey FFT (decimation in time), in place; length must be a power of two. */
export function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (im.length !== n) throw new SpectrumError(`fft: re has ${n} values but im has ${im.length}`);
  if (n === 0 || (n & (n - 1)) !== 0) throw new SpectrumError(`fft: length must be a power of two, got ${n}`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    // Twiddles from a direct cos/sin per k: no error build-up from repeated complex multiplication at 2^20.
    const step = (-2 * Math.PI) / size;
    for (let k = 0; k < half; k++) {
      const wr = Math.cos(step * k);
      const wi = Math.sin(step * k);
      for (let a = k; a < n; a += size) {
        const b = a + half;
        const tr = re[b] * wr - im[b] * wi;
        const ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

export interface SpectrumOptions {
  window?: SpectrumWindow;
  /** Analyse [from, to] (default: the whole waveform). */
  from?: number;
  to?: number;
  /**
   * Uniform samples (a power of two). Default: the next power of two at or above the number of samples in
   * [from, to], at least 256 and at most `maxPoints`.
   */
  points?: number;
  /** Cap for the default size (default 2^20: a 10M-point trace gives a 1M-point FFT, ~0.3 s in a browser). */
  maxPoints?: number;
  /** Subtract the mean before windowing, so the DC bin's leakage does not hide low-frequency lines. */
  removeMean?: boolean;
}

export interface AmplitudeSpectrum {
  /** Bin frequencies 0, df, ..., fs/2 (N/2 + 1 bins). */
  frequency: Float64Array;
  /** Single-sided amplitude, window coherent gain corrected: a sine of amplitude A on a bin reads A. */
  magnitude: Float64Array;
  /** 20 log10(magnitude) (dB relative to 1 unit, e.g. dBV), floored at -400 dB. */
  magnitudeDb: Float64Array;
  window: SpectrumWindow;
  /** FFT size N. */
  points: number;
  /** Uniform sample spacing after resampling. */
  sampleInterval: number;
  /** Bin spacing 1 / (to - from). */
  resolution: number;
}

/** Single-sided amplitude spectrum of a transient waveform: resample, window, FFT, scale, dB. */
export function amplitudeSpectrum(
  time: ArrayLike<number>,
  values: ArrayLike<number>,
  options: SpectrumOptions = {},
): AmplitudeSpectrum {
  const n = time.length;
  if (n < 2) throw new SpectrumError(`fft: needs at least 2 samples, got ${n}`);
  const from = options.from ?? time[0];
  const to = options.to ?? time[n - 1];
  const window = options.window ?? 'hann';
  const maxPoints = options.maxPoints ?? 2 ** 20;
  let points = options.points;
  if (points === undefined) {
    const inside = upperBound(time, to) - lowerBound(time, from);
    points = Math.min(maxPoints, Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(2, inside)))));
  }
  if (!Number.isInteger(points) || points < 2 || (points & (points - 1)) !== 0) {
    throw new SpectrumError(`fft: points must be a power of two >= 2, got ${points}`);
  }
  const re = resampleUniform(time, values, from, to, points);
  if (options.removeMean) {
    let mean = 0;
    for (let k = 0; k < points; k++) mean += re[k];
    mean /= points;
    for (let k = 0; k < points; k++) re[k] -= mean;
  }
  const w = windowFunction(window, points);
  let windowSum = 0;
  for (let k = 0; k < points; k++) {
    re[k] *= w[k];
    windowSum += w[k];
  }
  const im = new Float64Array(points);
  fftInPlace(re, im);
  const bins = points / 2 + 1;
  const dt = (to - from) / points;
  const frequency = new Float64Array(bins);
  const magnitude = new Float64Array(bins);
  const magnitudeDb = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    frequency[k] = k / (points * dt);
    // Single-sided: every bin but DC and Nyquist carries the energy of its negative-frequency twin too.
    const scale = (k === 0 || k === points / 2 ? 1 : 2) / windowSum;
    magnitude[k] = Math.hypot(re[k], im[k]) * scale;
    magnitudeDb[k] = 20 * Math.log10(Math.max(magnitude[k], 1e-20));
  }
  return {
    frequency,
    magnitude,
    magnitudeDb,
    window,
    points,
    sampleInterval: dt,
    resolution: 1 / (to - from),
  };
}

/** First index with x[k] >= value. */
function lowerBound(x: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with x[k] > value. */
function upperBound(x: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
