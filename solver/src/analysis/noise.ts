/**
 * Noise analysis (.noise v(out[,ref]) src dec|oct|lin n fstart fstop), as SPICE2/ngspice do it
 * (Nagel, "SPICE2", ch. 5; ngspice noisean.c, nevalsrc.c, ninteg.c):
 *
 * At each frequency the circuit is linearised at the operating point (the AC matrix A). Every device reports
 * its noise generators (current sources of spectral density S in A²/Hz between two unknowns, see
 * NoiseContext). The transimpedance from every generator to the output comes from one solve of the adjoint
 * (transposed) system Aᵀ·y = e_out: a unit current from a to b gives v(out) − v(ref) = y[a] − y[b]. So
 *   output noise   So(f) = Σ |y[a] − y[b]|² · S
 *   input noise    Si(f) = So(f) / |gain|²,  gain = v(out)/input source for a unit AC input (one solve of A)
 * reported as √So and √Si (V/√Hz, or A/√Hz referred to a current source input), ngspice's onoise_spectrum
 * and inoise_spectrum. The integrated noise (second plot) integrates every generator separately between
 * neighbouring frequencies assuming a power law in between (ngspice's Nintegrate), then sums.
 */
import type { AcLoadContext, NoiseContext, Unknown } from '../devices/device';
import type { SourceLocation } from '../errors';
import { CurrentSource } from '../devices/sources/independent';
import { ComplexSparseLU } from '../linalg';
import type { Plot } from '../output/plot';
import { acFrequencies } from './ac';
import type { Engine } from './engine';
import { outputProbe, sourceExcitation } from './tf';

/** ngspice's physical constants (const.h, ngspice 39). */
export const BOLTZMANN = 1.38064852e-23;
export const ELECTRON_CHARGE = 1.6021766208e-19;
/** Densities below this are treated as this when taking logarithms (ngspice's N_MINLOG). */
const MIN_LOG = 1e-38;
/** Smallest |gain|² used when referring noise to the input (ngspice's N_MINGAIN). */
const MIN_GAIN = 1e-20;

export interface NoiseSettings {
  output: { node: string; reference: string };
  source: string;
  variation: 'dec' | 'oct' | 'lin';
  points: number;
  fstart: number;
  fstop: number;
  loc: SourceLocation;
}

export interface NoiseResult {
  frequency: Float64Array;
  /** √(output noise density), V/√Hz. */
  outputSpectrum: Float64Array;
  /** √(input-referred noise density). */
  inputSpectrum: Float64Array;
  /** √(∫ output noise density df), V. */
  outputTotal: number;
  /** √(∫ input-referred noise density df). */
  inputTotal: number;
  /** Integrated output noise power (V²) per generator label, for summaries. */
  contributions: Map<string, number>;
  plots: [Plot, Plot];
}

/** Power-law integration of one generator between the previous and the present frequency (ngspice ninteg.c). */
export function integratePowerLaw(
  density: number,
  logDensity: number,
  lastLogDensity: number,
  frequency: number,
  lastFrequency: number,
): number {
  const logFrequency = Math.log(frequency);
  const lastLogFrequency = Math.log(lastFrequency);
  let exponent = (logDensity - lastLogDensity) / (logFrequency - lastLogFrequency);
  if (Math.abs(exponent) < MIN_LOG) return density * (frequency - lastFrequency);
  const a = Math.exp(logDensity - exponent * logFrequency);
  exponent += 1;
  if (Math.abs(exponent) < MIN_LOG) return a * (logFrequency - lastLogFrequency);
  // ngspice writes exp(e·ln f2) − exp(e·ln f1), which cancels catastrophically for a 1/f density (e ≈ 0 but
  // not below N_MINLOG); expm1 gives the same value without the cancellation.
  const span = logFrequency - lastLogFrequency;
  return (a * Math.exp(exponent * lastLogFrequency) * Math.expm1(exponent * span)) / exponent;
}

/** Run .noise from the operating point held in `engine.solution`; yields progress, returns the two plots. */
export function* noiseAnalysis(
  engine: Engine,
  settings: NoiseSettings,
  title: string,
  date: string,
): Generator<number, NoiseResult> {
  const circuit = engine.circuit;
  const n = circuit.size;
  const probe = outputProbe(circuit, { kind: 'voltage', ...settings.output }, settings.loc);
  const input = sourceExcitation(circuit, settings.source, settings.loc);
  const outputNode = circuit.node(settings.output.node) ?? 0;
  const referenceNode = circuit.node(settings.output.reference) ?? 0;

  const matrix = circuit.createComplexMatrix();
  const lu = new ComplexSparseLU(matrix, { pivotThreshold: engine.options.pivrel });
  const rhsRe = new Float64Array(n + 1);
  const rhsIm = new Float64Array(n + 1);
  const gainRhs = { re: new Float64Array(n), im: new Float64Array(n) };
  const adjointRhs = { re: new Float64Array(n), im: new Float64Array(n) };
  const xRe = new Float64Array(n + 1);
  const xIm = new Float64Array(n + 1);
  const x = { re: xRe.subarray(1), im: xIm.subarray(1) };
  const yRe = new Float64Array(n + 1);
  const yIm = new Float64Array(n + 1);
  const y = { re: yRe.subarray(1), im: yIm.subarray(1) };
  const operatingPoint = engine.solution.slice();
  const acContext: AcLoadContext & { omega: number } = {
    omega: 0,
    re: matrix.re,
    im: matrix.im,
    rhsRe,
    rhsIm,
    solution: operatingPoint,
    state: engine.state,
  };

  // The unit excitation of the input source alone (other sources' AC values do not enter the gain).
  const excitation = new Float64Array(n + 1);
  input.excite(excitation);
  gainRhs.re.set(excitation.subarray(1));
  if (outputNode > 0) adjointRhs.re[outputNode - 1] += 1;
  if (referenceNode > 0) adjointRhs.re[referenceNode - 1] -= 1;

  const frequencies = acFrequencies(settings, engine.options.reltol);
  const count = frequencies.length;
  const outputSpectrum = new Float64Array(count);
  const inputSpectrum = new Float64Array(count);
  // Per generator (in the order devices report them): last log density, integrated output and input noise.
  const lastLogDensity: number[] = [];
  const integratedOutput: number[] = [];
  const integratedInput: number[] = [];
  const labels: string[] = [];

  let generator = 0;
  let frequency = 0;
  let lastFrequency = 0;
  let gainSquaredInverse = 1;
  let first = true;
  let outputDensity = 0;
  /** One generator's output noise density at this frequency: summed, and integrated per generator. */
  const add = (label: string, contribution: number): void => {
    outputDensity += contribution;
    const k = generator++;
    const logDensity = Math.log(Math.max(contribution, MIN_LOG));
    if (first) {
      labels[k] = label;
      integratedOutput[k] = 0;
      integratedInput[k] = 0;
    } else {
      const last = lastLogDensity[k];
      integratedOutput[k] += integratePowerLaw(contribution, logDensity, last, frequency, lastFrequency);
      // As ngspice: both ends referred to the input with the present frequency's gain.
      const logGain = Math.log(gainSquaredInverse);
      integratedInput[k] += integratePowerLaw(
        contribution * gainSquaredInverse,
        logDensity + logGain,
        last + logGain,
        frequency,
        lastFrequency,
      );
    }
    lastLogDensity[k] = logDensity;
  };
  const noiseContext: NoiseContext = {
    frequency: 0,
    solution: operatingPoint,
    state: engine.state,
    temperature: circuit.temperature,
    boltzmann: BOLTZMANN,
    charge: ELECTRON_CHARGE,
    source(label: string, a: Unknown, b: Unknown, density: number): void {
      const re = yRe[a] - yRe[b];
      const im = yIm[a] - yIm[b];
      add(label, (re * re + im * im) * density);
    },
    correlated(
      label: string,
      a: Unknown,
      b: Unknown,
      densityA: number,
      c: Unknown,
      d: Unknown,
      densityB: number,
      phase: number,
    ): void {
      // √SA·Z(a,b) + √SB·e^(jφ)·Z(c,d), Z the transimpedance to the output (ngspice's NevalSrc2).
      const sa = Math.sqrt(densityA);
      const sb = Math.sqrt(densityB);
      const cos = sb * Math.cos(phase);
      const sin = sb * Math.sin(phase);
      const re1 = yRe[a] - yRe[b];
      const im1 = yIm[a] - yIm[b];
      const re2 = yRe[c] - yRe[d];
      const im2 = yIm[c] - yIm[d];
      const re = sa * re1 + cos * re2 - sin * im2;
      const im = sa * im1 + cos * im2 + sin * re2;
      add(label, re * re + im * im);
    },
  };
  const mutableContext = noiseContext as { frequency: number };

  let factored = false;
  for (let index = 0; index < count; index++) {
    frequency = frequencies[index];
    acContext.omega = 2 * Math.PI * frequency;
    matrix.clear();
    rhsRe.fill(0);
    rhsIm.fill(0);
    for (const device of circuit.devices) device.acLoad?.(acContext);
    const status = factored ? lu.refactor() : lu.factor();
    if (!status.ok) throw engine.singular(status.singularColumn + 1);
    factored = true;

    lu.solve(gainRhs, x);
    const gainRe = probe.read(xRe);
    const gainIm = probe.read(xIm);
    gainSquaredInverse = 1 / Math.max(gainRe * gainRe + gainIm * gainIm, MIN_GAIN);

    // The adjoint system Aᵀ·y = e_out reuses the factors of A (no second factorisation).
    lu.solveTransposed(adjointRhs, y);
    outputDensity = 0;
    generator = 0;
    mutableContext.frequency = frequency;
    for (const device of circuit.devices) device.noise?.(noiseContext);
    outputSpectrum[index] = Math.sqrt(outputDensity);
    inputSpectrum[index] = Math.sqrt(outputDensity * gainSquaredInverse);
    first = false;
    lastFrequency = frequency;
    yield (index + 1) / count;
  }

  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  const outputTotal = Math.sqrt(sum(integratedOutput));
  const inputTotal = Math.sqrt(sum(integratedInput));
  const contributions = new Map<string, number>();
  labels.forEach((label, k) =>
    contributions.set(label, (contributions.get(label) ?? 0) + integratedOutput[k]),
  );
  const frequency64 = Float64Array.from(frequencies);
  const spectra: Plot = {
    title,
    name: 'Noise Spectral Density Curves',
    date,
    complex: false,
    // ngspice types these 'voltage-density'; our rawfile writer has no such type, so they go out untyped.
    vectors: [
      { name: 'frequency', type: 'frequency', real: frequency64 },
      { name: 'onoise_spectrum', type: 'notype', real: outputSpectrum },
      { name: 'inoise_spectrum', type: 'notype', real: inputSpectrum },
    ],
  };
  const totals: Plot = {
    title,
    name: 'Integrated Noise',
    date,
    complex: false,
    vectors: [
      { name: 'onoise_total', type: 'voltage', real: Float64Array.of(outputTotal) },
      // Referred to a current source input, the input noise is a current (ngspice writes i(inoise_total)).
      {
        name: 'inoise_total',
        type: input.source instanceof CurrentSource ? 'current' : 'voltage',
        real: Float64Array.of(inputTotal),
      },
    ],
  };
  return {
    frequency: frequency64,
    outputSpectrum,
    inputSpectrum,
    outputTotal,
    inputTotal,
    contributions,
    plots: [spectra, totals],
  };
}
