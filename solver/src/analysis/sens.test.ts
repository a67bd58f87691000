/**
 * Sensitivities checked against finite differences of whole simulations: the deck is re-run with one element
 * value moved by ±1e-4 relative, and (v(out)₊ − v(out)₋)/(2δ) must match the analysis at every point.
 */
import type { Plot } from '../output/plot';
import { simulateNetlist } from '../simulate';

const deck = (values: Record<string, string>, analysis: string): string =>
  [
    '* active RLC band-pass',
    'v1 in 0 dc 1 ac 1',
    `r1 in a ${values.r1 ?? '1k'}`,
    `l1 a b ${values.l1 ?? '10m'}`,
    `c1 b 0 ${values.c1 ?? '100n'}`,
    `r2 b 0 ${values.r2 ?? '5k'}`,
    'e1 c 0 b 0 2',
    'r3 c out 100',
    'g1 out 0 a 0 1m',
    'r4 out 0 1k',
    analysis,
    '.end',
  ].join('\n');

const NOMINAL: Record<string, number> = { r1: 1e3, l1: 10e-3, c1: 100e-9, r2: 5e3 };

function output(plot: Plot): { re: Float64Array; im: Float64Array } {
  const v = plot.vectors.find((x) => x.name === 'v(out)')!;
  return { re: v.real, im: v.imag ?? new Float64Array(v.real.length) };
}

describe.each(Object.keys(NOMINAL))('sensitivity to %s', (name) => {
  const delta = 1e-4 * NOMINAL[name];
  const moved = (sign: number) => ({ [name]: String(NOMINAL[name] + sign * delta) });

  it('AC: matches finite differences of two AC analyses at every frequency', () => {
    const ac = '.ac dec 5 100 100k';
    const plus = output(simulateNetlist(deck(moved(1), ac)).plots[0]);
    const minus = output(simulateNetlist(deck(moved(-1), ac)).plots[0]);
    const sens = simulateNetlist(deck({}, '.sens v(out) ac dec 5 100 100k')).plots[0];
    const vector = sens.vectors.find((v) => v.name === name)!;
    expect(vector.real.length).toBe(plus.re.length);
    for (let k = 0; k < plus.re.length; k++) {
      const re = (plus.re[k] - minus.re[k]) / (2 * delta);
      const im = (plus.im[k] - minus.im[k]) / (2 * delta);
      const size = Math.hypot(re, im);
      expect(Math.abs(vector.real[k] - re)).toBeLessThanOrEqual(1e-5 * size + 1e-15);
      expect(Math.abs(vector.imag![k] - im)).toBeLessThanOrEqual(1e-5 * size + 1e-15);
    }
  });
});

it('DC: matches finite differences of two operating points', () => {
  const at = (values: Record<string, string>) =>
    simulateNetlist(deck(values, '.op')).plots[0].vectors.find((v) => v.name === 'v(out)')!.real[0];
  const sens = simulateNetlist(deck({}, '.sens v(out)')).plots[0];
  for (const name of ['r1', 'r2']) {
    const delta = 1e-4 * NOMINAL[name];
    const expected =
      (at({ [name]: String(NOMINAL[name] + delta) }) - at({ [name]: String(NOMINAL[name] - delta) })) /
      (2 * delta);
    const actual = sens.vectors.find((v) => v.name === name)!.real[0];
    expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-6 * Math.abs(expected) + 1e-15);
  }
});
