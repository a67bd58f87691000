/**
 * Fourier analysis of a transient result (.four freq v(a) ...), as ngspice does it (manual ch. 15.3.7;
 * frontend fourier.c and CKTfour): the last period [tstop − 1/freq, tstop] of the signal is interpolated
 * linearly onto a uniform grid of 200 points, and the first 10 harmonics (DC included) come from a direct
 * DFT of the grid. Phases are in degrees relative to a sine (a `sin(... phase)` source shows its phase),
 * normalised values are relative to the fundamental, THD = √(Σ_{h≥2} (|c_h|/|c_1|)²) in percent.
 * The harmonic count and grid size follow ngspice's `nfreqs` and `fourgridsize` options.
 */
import type { Plot } from '../output/plot';

export interface FourierResult {
  /** The signal as written (`v(out)`). */
  signal: string;
  fundamental: number;
  /** Total harmonic distortion, percent. */
  thd: number;
  gridSize: number;
  /** Columns, one entry per harmonic (0 = DC). */
  frequency: Float64Array;
  magnitude: Float64Array;
  /** Degrees. */
  phase: Float64Array;
  normalizedMagnitude: Float64Array;
  normalizedPhase: Float64Array;
}

export interface FourierOptions {
  harmonics?: number;
  gridSize?: number;
}

/** Fourier components of `values` over the last period of `time` (ascending). */
export function fourierAnalysis(
  signal: string,
  time: Float64Array,
  values: Float64Array,
  fundamental: number,
  options: FourierOptions = {},
): FourierResult {
  const harmonics = Math.max(2, Math.round(options.harmonics ?? 10));
  const gridSize = Math.max(2, Math.round(options.gridSize ?? 200));
  const period = 1 / fundamental;
  const stop = time[time.length - 1];
  const span = stop - time[0];
  if (!(span >= period * (1 - 1e-9))) {
    throw new Error(
      `.four ${fundamental}: the transient covers ${span} s, shorter than one period (${period} s); ` +
        'run the transient for at least one period of the fundamental',
    );
  }
  const start = stop - period;
  const grid = new Float64Array(gridSize);
  const step = period / gridSize;
  let segment = 1;
  for (let i = 0; i < gridSize; i++) {
    const t = start + i * step;
    while (segment < time.length - 1 && time[segment] < t) segment++;
    const t0 = time[segment - 1];
    const t1 = time[segment];
    grid[i] =
      t1 === t0
        ? values[segment]
        : values[segment - 1] + ((values[segment] - values[segment - 1]) * (t - t0)) / (t1 - t0);
  }
  const sine = new Float64Array(harmonics);
  const cosine = new Float64Array(harmonics);
  for (let i = 0; i < gridSize; i++) {
    for (let h = 0; h < harmonics; h++) {
      const angle = (2 * Math.PI * h * i) / gridSize;
      sine[h] += grid[i] * Math.sin(angle);
      cosine[h] += grid[i] * Math.cos(angle);
    }
  }
  const frequency = new Float64Array(harmonics);
  const magnitude = new Float64Array(harmonics);
  const phase = new Float64Array(harmonics);
  for (let h = 0; h < harmonics; h++) {
    const scale = h === 0 ? 1 / gridSize : 2 / gridSize;
    const s = sine[h] * scale;
    const c = cosine[h] * scale;
    frequency[h] = h * fundamental;
    magnitude[h] = h === 0 ? Math.abs(c) : Math.hypot(s, c);
    // A·sin(ωt + φ) = A·cos φ·sin ωt + A·sin φ·cos ωt.
    phase[h] = h === 0 ? (c < 0 ? 180 : 0) : (Math.atan2(c, s) * 180) / Math.PI;
  }
  const normalizedMagnitude = new Float64Array(harmonics);
  const normalizedPhase = new Float64Array(harmonics);
  let distortion = 0;
  for (let h = 1; h < harmonics; h++) {
    normalizedMagnitude[h] = magnitude[1] > 0 ? magnitude[h] / magnitude[1] : 0;
    normalizedPhase[h] = phase[h] - phase[1];
    if (h >= 2) distortion += normalizedMagnitude[h] ** 2;
  }
  return {
    signal,
    fundamental,
    thd: Math.sqrt(distortion) * 100,
    gridSize,
    frequency,
    magnitude,
    phase,
    normalizedMagnitude,
    normalizedPhase,
  };
}

/** The signal's real values from a transient plot: `v(a)`, `v(a,b)`, `i(v1)`, or a bare node name. */
export function transientSignal(plot: Plot, func: string, args: string[]): Float64Array {
  const lookup = (name: string): Float64Array => {
    if (func === 'v' && (name === '0' || name === 'gnd'))
      return new Float64Array(plot.vectors[0].real.length);
    const wanted = `${func}(${name})`;
    const vector = plot.vectors.find((v) => v.name.toLowerCase() === wanted);
    if (!vector) throw new Error(`.four: no such vector as ${wanted}`);
    return vector.real;
  };
  const first = lookup(args[0]);
  if (args.length < 2) return first;
  const second = lookup(args[1]);
  return first.map((x, k) => x - second[k]);
}

/** ngspice's %g with `digits` significant digits. */
function g(value: number, digits = 6): string {
  if (value === 0) return '0';
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -5 || exponent >= digits) {
    const [mantissa, power] = value.toExponential(digits - 1).split('e');
    const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    const sign = power.startsWith('-') ? '-' : '+';
    return `${trimmed}e${sign}${power.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  const fixed = value.toFixed(Math.max(0, digits - 1 - exponent));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** The table ngspice prints for one .four signal. */
export function formatFourier(result: FourierResult): string {
  const lines = [
    `Fourier analysis for ${result.signal}:`,
    `  No. Harmonics: ${result.frequency.length}, THD: ${g(result.thd)} %, Gridsize: ${result.gridSize}, Interpolation Degree: 1`,
    '',
    'Harmonic Frequency   Magnitude   Phase       Norm. Mag   Norm. Phase',
    '-------- ---------   ---------   -----       ---------   -----------',
  ];
  for (let h = 0; h < result.frequency.length; h++) {
    const cells = [
      String(h).padEnd(8),
      g(result.frequency[h]).padEnd(12),
      g(result.magnitude[h]).padEnd(12),
      g(result.phase[h]).padEnd(12),
      g(result.normalizedMagnitude[h]).padEnd(12),
      g(result.normalizedPhase[h]).padEnd(11),
    ];
    lines.push(` ${cells.join('')}`);
  }
  return `${lines.join('\n')}\n`;
}
