import { simulateNetlist } from '../simulate';
import { BOLTZMANN, integratePowerLaw } from './noise';

describe('integratePowerLaw (ngspice Nintegrate)', () => {
  const integral = (density: (f: number) => number, f1: number, f2: number): number =>
    integratePowerLaw(density(f2), Math.log(density(f2)), Math.log(density(f1)), f2, f1);

  it('is exact for white, 1/f and 1/f² densities', () => {
    expect(integral(() => 3e-18, 10, 1e3)).toBeCloseTo(3e-18 * 990, 30);
    expect(integral((f) => 1e-15 / f, 10, 1e3) / (1e-15 * Math.log(100))).toBeCloseTo(1, 12);
    expect(integral((f) => 1e-12 / (f * f), 10, 1e3) / (1e-12 * (1 / 10 - 1 / 1e3))).toBeCloseTo(1, 12);
  });
});

describe('noise analysis', () => {
  it('gives 4kTR of a resistor in series with an ideal source, at the resistor temperature', () => {
    const deck = (extra: string): string =>
      [
        '* r noise',
        'v1 in 0 ac 1',
        `r1 in out 10k ${extra}`,
        'r2 out 0 1e15',
        '.noise v(out) v1 lin 2 1k 2k',
        '.end',
      ].join('\n');
    const spectrum = (extra: string): number => {
      const plot = simulateNetlist(deck(extra)).plots.find(
        (p) => p.name === 'Noise Spectral Density Curves',
      )!;
      return plot.vectors.find((v) => v.name === 'onoise_spectrum')!.real[0];
    };
    const expected = (celsius: number): number => Math.sqrt(4 * BOLTZMANN * (celsius + 273.15) * 10e3);
    expect(spectrum('') / expected(27)).toBeCloseTo(1, 6);
    // ngspice 39 uses the circuit temperature here; the resistor's own temperature is the physical one.
    expect(spectrum('temp=127') / expected(127)).toBeCloseTo(1, 6);
  });

  it('reports a bad .noise card at its line', () => {
    expect(() =>
      simulateNetlist('* x\nv1 in 0 ac 1\nr1 in 0 1k\n.noise i(v1) v1 dec 10 1 1k\n.end\n'),
    ).toThrow(/must be a node voltage/);
    expect(() =>
      simulateNetlist('* x\nv1 in 0 ac 1\nr1 in 0 1k\n.noise v(in) r1 dec 10 1 1k\n.end\n'),
    ).toThrow(/independent V or I source/);
  });
});

it('returns the integrated noise per generator as data, largest first, summing to the total', () => {
  const deck = [
    '* noise budget',
    'v1 in 0 dc 5 ac 1',
    'r1 in a 10k',
    'd1 a 0 dn',
    'r2 a 0 1meg',
    '.model dn d is=1e-14 rs=20 kf=1e-14 af=1.2',
    '.noise v(a) v1 dec 5 10 100k',
    '.end',
  ].join('\n');
  const [summary] = simulateNetlist(deck).noise;
  expect(summary.contributions.map((c) => c.generator).sort()).toEqual([
    'd1 flicker',
    'd1 rs',
    'd1 shot',
    'r1',
    'r2',
  ]);
  const powers = summary.contributions.map((c) => c.outputPower);
  expect(powers).toEqual([...powers].sort((a, b) => b - a));
  expect(Math.sqrt(powers.reduce((a, b) => a + b, 0)) / summary.outputTotal).toBeCloseTo(1, 12);
});
