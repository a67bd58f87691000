/** Synthetic solver plots with analytic content, for testing the kernel without the solver. */
import type { Plot } from '../solver-contract';

export const R = 1e3;
export const C = 1e-6;
export const TAU = R * C;

/** Step response of an RC low-pass: v(in) = 1 V step at t = 0, v(out) = 1 - exp(-t/RC). */
export function rcTransient(points = 1001, stop = 5 * TAU): Plot {
  const time = new Float64Array(points);
  for (let k = 0; k < points; k++) time[k] = (stop * k) / (points - 1);
  const vin = new Float64Array(points).fill(1);
  const vout = time.map((t) => 1 - Math.exp(-t / TAU));
  const iv1 = vout.map((v) => -(1 - v) / R);
  return {
    title: 'RC low-pass',
    name: 'Transient Analysis',
    date: 'today',
    complex: false,
    vectors: [
      { name: 'time', type: 'time', real: time },
      { name: 'v(in)', type: 'voltage', real: vin },
      { name: 'v(out)', type: 'voltage', real: vout },
      { name: 'i(v1)', type: 'current', real: iv1 },
    ],
  };
}

/** AC response of the same low-pass, H = 1 / (1 + j w RC), by decade from 1 Hz to 1 MHz. */
export function rcAc(pointsPerDecade = 20): Plot {
  const n = 6 * pointsPerDecade + 1;
  const frequency = new Float64Array(n);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    frequency[k] = 10 ** (k / pointsPerDecade);
    const wt = 2 * Math.PI * frequency[k] * TAU;
    re[k] = 1 / (1 + wt * wt);
    im[k] = -wt / (1 + wt * wt);
  }
  return {
    title: 'RC low-pass',
    name: 'AC Analysis',
    date: 'today',
    complex: true,
    vectors: [
      { name: 'frequency', type: 'frequency', real: frequency, imag: new Float64Array(n) },
      { name: 'v(in)', type: 'voltage', real: new Float64Array(n).fill(1), imag: new Float64Array(n) },
      { name: 'v(out)', type: 'voltage', real: re, imag: im },
    ],
  };
}

export function rcOp(): Plot {
  return {
    title: 'RC low-pass',
    name: 'Operating Point',
    date: 'today',
    complex: false,
    vectors: [
      { name: 'v(in)', type: 'voltage', real: Float64Array.of(1) },
      { name: 'v(out)', type: 'voltage', real: Float64Array.of(1) },
      { name: 'v1#branch', type: 'current', real: Float64Array.of(0) },
    ],
  };
}
