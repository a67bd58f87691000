/**
 * AC small-signal analysis (.ac dec|oct|lin n fstart fstop): linearise every device at the DC operating
 * point, then solve the complex MNA system at each frequency, refactoring the same pattern.
 */
import type { AcLoadContext } from '../devices/device';
import { ComplexSparseLU } from '../linalg';
import type { ColumnBuilder } from './columns';
import type { Engine } from './engine';

export interface AcSettings {
  variation: 'dec' | 'oct' | 'lin';
  points: number;
  fstart: number;
  fstop: number;
}

/** The analysis frequencies, as ngspice steps them (a small tolerance keeps fstop itself). */
export function acFrequencies(settings: AcSettings, reltol = 1e-3): number[] {
  const { variation, points, fstart, fstop } = settings;
  const frequencies: number[] = [];
  if (variation === 'lin') {
    const count = Math.max(1, Math.round(points));
    const step = count > 1 ? (fstop - fstart) / (count - 1) : 0;
    for (let k = 0; k < count; k++) frequencies.push(fstart + k * step);
    return frequencies;
  }
  const ratio = Math.exp(Math.log(variation === 'dec' ? 10 : 2) / points);
  const limit = fstop * (1 + ratio * reltol);
  for (let f = fstart; f <= limit && frequencies.length < 10_000_000; f *= ratio) frequencies.push(f);
  return frequencies;
}

/** Run AC analysis from the operating point held in `engine.solution`; yields progress. */
export function* acAnalysis(
  engine: Engine,
  settings: AcSettings,
  output: ColumnBuilder,
  select: (solution: Float64Array, row: Float64Array) => void,
): Generator<number, void> {
  const circuit = engine.circuit;
  const n = circuit.size;
  const matrix = circuit.createComplexMatrix();
  const lu = new ComplexSparseLU(matrix, { pivotThreshold: engine.options.pivrel });
  const rhsRe = new Float64Array(n + 1);
  const rhsIm = new Float64Array(n + 1);
  const rhs = { re: rhsRe.subarray(1), im: rhsIm.subarray(1) };
  const xRe = new Float64Array(n + 1);
  const xIm = new Float64Array(n + 1);
  const x = { re: xRe.subarray(1), im: xIm.subarray(1) };
  const operatingPoint = engine.solution.slice();
  const ctx: AcLoadContext & { omega: number } = {
    omega: 0,
    re: matrix.re,
    im: matrix.im,
    rhsRe,
    rhsIm,
    solution: operatingPoint,
    state: engine.state,
  };
  const rowRe = new Float64Array(output.specs.length);
  const rowIm = new Float64Array(output.specs.length);
  const frequencies = acFrequencies(settings, engine.options.reltol);
  let factored = false;
  for (let k = 0; k < frequencies.length; k++) {
    const frequency = frequencies[k];
    ctx.omega = 2 * Math.PI * frequency;
    matrix.clear();
    rhsRe.fill(0);
    rhsIm.fill(0);
    for (const device of circuit.devices) device.acLoad?.(ctx);
    let status;
    try {
      status = factored ? lu.refactor() : lu.factor();
    } catch (error) {
      throw engine.explainFactorError(error);
    }
    if (!status.ok) throw engine.singular(status.singularColumn + 1);
    factored = true;
    lu.solve(rhs, x);
    rowRe[0] = frequency;
    rowIm[0] = 0;
    select(xRe, rowRe);
    select(xIm, rowIm);
    output.push(rowRe, rowIm);
    yield (k + 1) / frequencies.length;
  }
}
