/**
 * Measurements over result columns: pure functions of (scale, values) arrays, the notebook
 * counterpart of ngspice's `.meas` (ngspice manual, chapter 15.4 ".meas"). Crossings are found by
 * linear interpolation between samples, integrals by the trapezoidal rule over the (possibly
 * non-uniform) transient timestep, as ngspice does for AVG/RMS/INTEG.
 */

export type Column = ArrayLike<number>;

/** A measurement that cannot be made on this waveform (never crosses the level, too few points...). */
export class MeasurementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MeasurementError';
  }

  /** Notebooks (tslab prints errors with util.inspect) show the message, not a stack trace. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `${this.name}: ${this.message}`;
  }
}

export interface CrossingOptions {
  /** Which edges count: 'rise' (upward through the level), 'fall', or 'either' (default). */
  edge?: 'rise' | 'fall' | 'either';
  /** 1 for the first matching crossing (default), 2 for the second, ... */
  occurrence?: number;
  /** Only look at scale values >= from. */
  from?: number;
}

/** The scale value (time, frequency...) where `values` crosses `level`, interpolated linearly. */
export function crossing(
  scale: Column,
  values: Column,
  level: number,
  options: CrossingOptions = {},
): number {
  checkColumns('crossing', scale, values, 2);
  const edge = options.edge ?? 'either';
  const occurrence = options.occurrence ?? 1;
  const from = options.from ?? -Infinity;
  let seen = 0;
  for (let k = 1; k < values.length; k++) {
    if (scale[k] < from) continue;
    const a = values[k - 1] - level;
    const b = values[k] - level;
    const rising = a < 0 && b >= 0;
    const falling = a > 0 && b <= 0;
    if ((rising && edge !== 'fall') || (falling && edge !== 'rise')) {
      seen++;
      if (seen === occurrence) {
        const x = scale[k - 1] + ((scale[k] - scale[k - 1]) * -a) / (b - a);
        // A crossing interpolated inside a segment that starts before `from` still counts only after it.
        if (x >= from) return x;
        seen--;
      }
    }
  }
  throw new MeasurementError(
    `the waveform never crosses ${level} (${edge} edge, occurrence ${occurrence}); ` +
      `its range is ${formatRange(values)}: check the level or simulate longer`,
  );
}

export interface TransitionOptions {
  /** Lower threshold as a fraction of the swing (default 0.1). */
  low?: number;
  /** Upper threshold as a fraction of the swing (default 0.9). */
  high?: number;
  /** Value before the edge (default: the first sample). */
  initial?: number;
  /** Value after the edge (default: the last sample). */
  final?: number;
}

/**
 * Rise time: time from the `low` to the `high` fraction of the step from `initial` to `final`
 * (10 % to 90 % by default). For a first-order step 1 - exp(-t/tau) this is tau ln 9.
 */
export function riseTime(time: Column, values: Column, options: TransitionOptions = {}): number {
  return transitionTime('riseTime', time, values, options, 'rise');
}

/** Fall time: time from the `high` to the `low` fraction of a falling step (90 % to 10 % by default). */
export function fallTime(time: Column, values: Column, options: TransitionOptions = {}): number {
  return transitionTime('fallTime', time, values, options, 'fall');
}

export interface StepOptions {
  initial?: number;
  final?: number;
}

/**
 * Overshoot in percent of the step: how far the waveform goes beyond its final value, relative to the
 * swing |final - initial|. 0 when it never goes beyond. Works for rising and falling steps.
 */
export function overshoot(values: Column, options: StepOptions = {}): number {
  checkColumns('overshoot', values, values, 2);
  const initial = options.initial ?? values[0];
  const final = options.final ?? values[values.length - 1];
  const swing = final - initial;
  if (swing === 0)
    throw new MeasurementError('overshoot: the step has zero height (initial equals final value)');
  let beyond = 0;
  for (let k = 0; k < values.length; k++) beyond = Math.max(beyond, (values[k] - final) * Math.sign(swing));
  return (100 * beyond) / Math.abs(swing);
}

export interface SettlingOptions extends StepOptions {
  /** Band around the final value as a fraction of the swing (default 0.02 = 2 %). */
  tolerance?: number;
}

/** Settling time: from the first sample to the last time the waveform is outside the tolerance band. */
export function settlingTime(time: Column, values: Column, options: SettlingOptions = {}): number {
  checkColumns('settlingTime', time, values, 2);
  const initial = options.initial ?? values[0];
  const final = options.final ?? values[values.length - 1];
  const band = (options.tolerance ?? 0.02) * Math.abs(final - initial);
  for (let k = values.length - 1; k >= 0; k--) {
    if (Math.abs(values[k] - final) > band) {
      if (k === values.length - 1) {
        throw new MeasurementError('settlingTime: the waveform has not settled by the end of the simulation');
      }
      // Interpolate where it enters the band between sample k (outside) and k+1 (inside).
      const a = Math.abs(values[k] - final) - band;
      const b = Math.abs(values[k + 1] - final) - band;
      const enter = time[k] + ((time[k + 1] - time[k]) * a) / (a - b);
      return enter - time[0];
    }
  }
  return 0;
}

export interface BandwidthOptions {
  /** Pass-band reference magnitude (default: the magnitude at the first frequency, i.e. a low-pass). */
  reference?: number;
  /** How far below the reference, in dB (default 3.0103 = 1/sqrt(2), the half-power point). */
  dropDb?: number;
}

/**
 * -3 dB bandwidth of a low-pass response: the first frequency where the magnitude falls `dropDb`
 * below the reference. `magnitude` is linear (|H|, not dB); interpolation is linear in dB over
 * log-frequency, which is exact for straight Bode asymptotes and close elsewhere.
 */
export function bandwidth(frequency: Column, magnitude: Column, options: BandwidthOptions = {}): number {
  checkColumns('bandwidth', frequency, magnitude, 2);
  const reference = options.reference ?? magnitude[0];
  if (!(reference > 0)) throw new MeasurementError('bandwidth: the reference magnitude must be positive');
  const targetDb = 20 * Math.log10(reference) - (options.dropDb ?? 10 * Math.log10(2));
  for (let k = 1; k < magnitude.length; k++) {
    const a = 20 * Math.log10(magnitude[k - 1]);
    const b = 20 * Math.log10(magnitude[k]);
    if (a >= targetDb && b < targetDb) {
      const f0 = frequency[k - 1];
      const f1 = frequency[k];
      const fraction = (a - targetDb) / (a - b);
      if (f0 > 0 && f1 > 0) return f0 * Math.pow(f1 / f0, fraction);
      return f0 + (f1 - f0) * fraction;
    }
  }
  throw new MeasurementError(
    `bandwidth: the magnitude never falls ${(options.dropDb ?? 3.0103).toFixed(2)} dB below the reference ` +
      `within ${frequency[0]}..${frequency[frequency.length - 1]} Hz: sweep to a higher frequency`,
  );
}

export interface Extremum {
  /** Scale value (time, frequency...) of the extremum. */
  at: number;
  value: number;
  index: number;
}

/** Largest value and where it occurs. */
export function peak(scale: Column, values: Column): Extremum {
  checkColumns('peak', scale, values, 1);
  let index = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[index]) index = k;
  return { at: scale[index], value: values[index], index };
}

/** Smallest value and where it occurs. */
export function trough(scale: Column, values: Column): Extremum {
  checkColumns('trough', scale, values, 1);
  let index = 0;
  for (let k = 1; k < values.length; k++) if (values[k] < values[index]) index = k;
  return { at: scale[index], value: values[index], index };
}

export interface WindowOptions {
  /** Start of the interval (default: first sample). */
  from?: number;
  /** End of the interval (default: last sample). */
  to?: number;
}

/** Time integral of `values` over [from, to], trapezoidal rule, interpolating at the interval ends. */
export function integral(time: Column, values: Column, options: WindowOptions = {}): number {
  return integrate('integral', time, values, options, (y) => y).area;
}

/** Time-weighted average over [from, to] (non-uniform timesteps weigh by their length). */
export function average(time: Column, values: Column, options: WindowOptions = {}): number {
  const { area, span } = integrate('average', time, values, options, (y) => y);
  return area / span;
}

/** Root mean square over [from, to]: sqrt of the time-weighted average of the square. */
export function rms(time: Column, values: Column, options: WindowOptions = {}): number {
  const { area, span } = integrate('rms', time, values, options, (y) => y * y);
  return Math.sqrt(area / span);
}

/** Magnitude in decibels, 20 log10 |x|, element by element. */
export function db(magnitude: Column): Float64Array {
  const out = new Float64Array(magnitude.length);
  for (let k = 0; k < out.length; k++) out[k] = 20 * Math.log10(Math.abs(magnitude[k]));
  return out;
}

/** Linear interpolation of `values` at scale value `at` (scale must be increasing). */
export function valueAt(scale: Column, values: Column, at: number): number {
  checkColumns('valueAt', scale, values, 1);
  const n = scale.length;
  if (at < scale[0] || at > scale[n - 1]) {
    throw new MeasurementError(`valueAt: ${at} is outside the simulated range ${scale[0]}..${scale[n - 1]}`);
  }
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (scale[mid] <= at) lo = mid;
    else hi = mid;
  }
  if (scale[hi] === scale[lo]) return values[lo];
  return values[lo] + ((values[hi] - values[lo]) * (at - scale[lo])) / (scale[hi] - scale[lo]);
}

function transitionTime(
  name: string,
  time: Column,
  values: Column,
  options: TransitionOptions,
  direction: 'rise' | 'fall',
): number {
  checkColumns(name, time, values, 2);
  const initial = options.initial ?? values[0];
  const final = options.final ?? values[values.length - 1];
  const low = options.low ?? 0.1;
  const high = options.high ?? 0.9;
  if (!(low < high)) throw new MeasurementError(`${name}: low (${low}) must be below high (${high})`);
  const swing = final - initial;
  if (direction === 'rise' ? swing <= 0 : swing >= 0) {
    throw new MeasurementError(
      `${name}: the waveform goes from ${initial} to ${final}, not a ${direction === 'rise' ? 'rising' : 'falling'} step; ` +
        `pass initial/final or use ${direction === 'rise' ? 'fallTime' : 'riseTime'}`,
    );
  }
  // Thresholds are fractions of the step measured from `initial`, whichever way it goes.
  const first = initial + (direction === 'rise' ? low : 1 - high) * swing;
  const second = initial + (direction === 'rise' ? high : 1 - low) * swing;
  const t1 = crossing(time, values, first, { edge: direction });
  const t2 = crossing(time, values, second, { edge: direction, from: t1 });
  return t2 - t1;
}

function integrate(
  name: string,
  time: Column,
  values: Column,
  options: WindowOptions,
  f: (y: number) => number,
): { area: number; span: number } {
  checkColumns(name, time, values, 2);
  const n = time.length;
  const from = options.from ?? time[0];
  const to = options.to ?? time[n - 1];
  if (!(to > from)) throw new MeasurementError(`${name}: the interval ${from}..${to} is empty`);
  if (from < time[0] || to > time[n - 1]) {
    throw new MeasurementError(
      `${name}: the interval ${from}..${to} is outside the simulated ${time[0]}..${time[n - 1]}`,
    );
  }
  let area = 0;
  let previousT = from;
  let previousY = f(valueAt(time, values, from));
  for (let k = 0; k < n; k++) {
    if (time[k] <= from) continue;
    const t = Math.min(time[k], to);
    const y = t === time[k] ? f(values[k]) : f(valueAt(time, values, t));
    area += 0.5 * (t - previousT) * (y + previousY);
    previousT = t;
    previousY = y;
    if (time[k] >= to) break;
  }
  return { area, span: to - from };
}

function checkColumns(name: string, scale: Column, values: Column, minimum: number): void {
  if (scale.length !== values.length) {
    throw new MeasurementError(`${name}: scale has ${scale.length} points but values has ${values.length}`);
  }
  if (values.length < minimum) {
    throw new MeasurementError(`${name}: needs at least ${minimum} points, got ${values.length}`);
  }
}

function formatRange(values: Column): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < values.length; k++) {
    lo = Math.min(lo, values[k]);
    hi = Math.max(hi, values[k]);
  }
  return `${lo.toPrecision(4)}..${hi.toPrecision(4)}`;
}

export interface DelayOptions {
  /** Level the input must cross (default: halfway between its first and last value). */
  inputLevel?: number;
  /** Level the output must cross (default: halfway between its first and last value). */
  outputLevel?: number;
  inputEdge?: 'rise' | 'fall' | 'either';
  outputEdge?: 'rise' | 'fall' | 'either';
}

/** Propagation delay: from the input crossing its level to the next output crossing of its level. */
export function delay(time: Column, input: Column, output: Column, options: DelayOptions = {}): number {
  checkColumns('delay', time, input, 2);
  checkColumns('delay', time, output, 2);
  const mid = (c: Column) => (c[0] + c[c.length - 1]) / 2;
  const start = crossing(time, input, options.inputLevel ?? mid(input), {
    edge: options.inputEdge ?? 'either',
  });
  const end = crossing(time, output, options.outputLevel ?? mid(output), {
    edge: options.outputEdge ?? 'either',
    from: start,
  });
  return end - start;
}
