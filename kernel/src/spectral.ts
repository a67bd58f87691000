/**
 * Frequency-domain measurements: loop stability (unity-gain frequency, phase and gain margin) from an AC
 * sweep, and spectra (FFT with windows, Fourier coefficients, THD) from a transient. Transient results have
 * non-uniform timesteps, so waveforms are first resampled on a uniform grid by linear interpolation, as
 * ngspice's `linearize` and `.four` do (ngspice manual, sections 15.4.9 ".four" and 17.5 "fft").
 */
import { MeasurementError, bandwidth, valueAt, crossing, type Column } from './measure';

/** Frequency where |H| falls through 1 (0 dB), interpolated in dB over log-frequency. */
export function unityGainFrequency(frequency: Column, magnitude: Column): number {
  try {
    return bandwidth(frequency, magnitude, { reference: 1, dropDb: 0 });
  } catch {
    throw new MeasurementError('unityGainFrequency: the magnitude never falls through 1 (0 dB) in the sweep');
  }
}

/** Phase in degrees with the ±360° jumps of atan2 removed, so it can be read continuously. */
export function unwrapPhase(phaseDegrees: Column): Float64Array {
  const out = Float64Array.from(phaseDegrees as ArrayLike<number>);
  let offset = 0;
  for (let k = 1; k < out.length; k++) {
    const step = phaseDegrees[k] - phaseDegrees[k - 1];
    if (step > 180) offset -= 360;
    else if (step < -180) offset += 360;
    out[k] = phaseDegrees[k] + offset;
  }
  return out;
}

export interface Margins {
  /** Unity-gain (crossover) frequency in Hz. */
  unityGainFrequency: number;
  /** 180° + phase of the loop gain at the unity-gain frequency, in degrees. */
  phaseMargin: number;
  /** Frequency where the phase reaches -180°, or NaN when it never does. */
  phaseCrossoverFrequency: number;
  /** -|loop gain| in dB at the phase crossover (Infinity when the phase never reaches -180°). */
  gainMargin: number;
}

/**
 * Stability margins of a loop gain T(jw) given as magnitude (linear) and phase (degrees) over frequency,
 * for negative feedback (the phase starts near 0°, the loop is unstable at -180° with |T| >= 1).
 */
export function stabilityMargins(frequency: Column, magnitude: Column, phaseDegrees: Column): Margins {
  const phase = unwrapPhase(phaseDegrees);
  const fu = unityGainFrequency(frequency, magnitude);
  const logF = Float64Array.from(frequency as ArrayLike<number>, Math.log10);
  const phaseMargin = 180 + valueAt(logF, phase, Math.log10(fu));
  let phaseCrossoverFrequency = NaN;
  let gainMargin = Infinity;
  try {
    const logFc = crossing(logF, phase, -180, { edge: 'fall' });
    phaseCrossoverFrequency = 10 ** logFc;
    const magnitudeDb = Float64Array.from(magnitude as ArrayLike<number>, (m) => 20 * Math.log10(m));
    gainMargin = -valueAt(logF, magnitudeDb, logFc);
  } catch (error) {
    if (!(error instanceof MeasurementError)) throw error;
  }
  return { unityGainFrequency: fu, phaseMargin, phaseCrossoverFrequency, gainMargin };
}

export type WindowName = 'rectangular' | 'hann' | 'hamming' | 'blackman';

export interface SpectrumOptions {
  /** Window applied before the FFT (default 'hann'). */
  window?: WindowName;
  /** Number of uniform samples, a power of two (default: the next power of two >= the sample count, at least 1024). */
  points?: number;
  /** Analyse only [from, to] (default: the whole simulation). */
  from?: number;
  to?: number;
}

export interface Spectrum {
  frequency: Float64Array;
  /** Single-sided amplitude spectrum: a sine of amplitude A shows as A at its bin (window gain corrected). */
  magnitude: Float64Array;
  /** Phase in degrees. */
  phase: Float64Array;
}

/** Amplitude spectrum of a transient waveform (resampled uniformly, windowed, radix-2 FFT). */
export function fft(time: Column, values: Column, options: SpectrumOptions = {}): Spectrum {
  const from = options.from ?? time[0];
  const to = options.to ?? time[time.length - 1];
  if (!(to > from)) throw new MeasurementError(`fft: the interval ${from}..${to} is empty`);
  const n = options.points ?? Math.max(1024, 2 ** Math.ceil(Math.log2(time.length)));
  if (!Number.isInteger(Math.log2(n)))
    throw new MeasurementError(`fft: points must be a power of two, got ${n}`);
  const dt = (to - from) / n;
  const w = windowFunction(options.window ?? 'hann', n);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let windowSum = 0;
  for (let k = 0; k < n; k++) {
    re[k] = valueAt(time, values, from + k * dt) * w[k];
    windowSum += w[k];
  }
  fftInPlace(re, im);
  const bins = n / 2 + 1;
  const frequency = new Float64Array(bins);
  const magnitude = new Float64Array(bins);
  const phase = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    frequency[k] = k / (n * dt);
    const scale = (k === 0 || k === n / 2 ? 1 : 2) / windowSum;
    magnitude[k] = Math.hypot(re[k], im[k]) * scale;
    phase[k] = (Math.atan2(im[k], re[k]) * 180) / Math.PI;
  }
  return { frequency, magnitude, phase };
}

export interface FourierOptions {
  /** Harmonics to compute, including the fundamental (default 10, as ngspice `.four`). */
  harmonics?: number;
  /** Analyse the last `periods` periods of the fundamental (default 1, as ngspice). */
  periods?: number;
  /** Uniform samples per period for the integration (default 512). */
  pointsPerPeriod?: number;
}

export interface Fourier {
  /** DC component. */
  dc: number;
  /** Amplitude of harmonic h at index h-1 (index 0 is the fundamental). */
  amplitude: Float64Array;
  /** Phase of each harmonic, degrees (sine reference, as ngspice). */
  phase: Float64Array;
  /** Total harmonic distortion in percent: sqrt(sum of harmonics 2..N squared) / fundamental. */
  thd: number;
}

/**
 * Fourier coefficients at the fundamental `f0` and its harmonics over the last whole periods of a transient
 * (ngspice `.four`): the waveform must have settled into its steady state there.
 */
export function fourier(time: Column, values: Column, f0: number, options: FourierOptions = {}): Fourier {
  const harmonics = options.harmonics ?? 10;
  const periods = options.periods ?? 1;
  const perPeriod = options.pointsPerPeriod ?? 512;
  const end = time[time.length - 1];
  const start = end - periods / f0;
  if (start < time[0]) {
    throw new MeasurementError(
      `fourier: needs ${periods} period(s) of ${f0} Hz (${periods / f0} s) but the simulation lasts ${end - time[0]} s: simulate longer`,
    );
  }
  const n = periods * perPeriod;
  const dt = (end - start) / n;
  const samples = new Float64Array(n);
  for (let k = 0; k < n; k++) samples[k] = valueAt(time, values, start + k * dt);
  let dc = 0;
  for (const s of samples) dc += s;
  dc /= n;
  const amplitude = new Float64Array(harmonics);
  const phase = new Float64Array(harmonics);
  for (let h = 1; h <= harmonics; h++) {
    let a = 0;
    let b = 0;
    for (let k = 0; k < n; k++) {
      const angle = 2 * Math.PI * h * f0 * (start + k * dt);
      a += samples[k] * Math.cos(angle);
      b += samples[k] * Math.sin(angle);
    }
    a *= 2 / n;
    b *= 2 / n;
    amplitude[h - 1] = Math.hypot(a, b);
    phase[h - 1] = (Math.atan2(a, b) * 180) / Math.PI;
  }
  let harmonicPower = 0;
  for (let h = 1; h < harmonics; h++) harmonicPower += amplitude[h] ** 2;
  return { dc, amplitude, phase, thd: (100 * Math.sqrt(harmonicPower)) / amplitude[0] };
}

/** Total harmonic distortion in percent (see `fourier`). */
export function thd(time: Column, values: Column, f0: number, options: FourierOptions = {}): number {
  return fourier(time, values, f0, options).thd;
}

export function windowFunction(name: WindowName, n: number): Float64Array {
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const x = (2 * Math.PI * k) / n; // periodic windows: the right choice for spectral analysis
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
      case 'blackman':
        w[k] = 0.42 - 0.5 * Math.cos(x) + 0.08 * Math.cos(2 * x);
        break;
      default:
        throw new MeasurementError(
          `unknown window '${name as string}': use rectangular, hann, hamming or blackman`,
        );
    }
  }
  return w;
}

/** Iterative radix-2 Cooley-Tukey FFT, in place; length must be a power of two. */
function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const angle = (-2 * Math.PI) / size;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let start = 0; start < n; start += size) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < size / 2; k++) {
        const a = start + k;
        const b = a + size / 2;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        const next = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = next;
      }
    }
  }
}
