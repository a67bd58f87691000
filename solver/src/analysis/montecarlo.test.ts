import { runMonteCarlo } from '../montecarlo-pool';
import { simulateNetlist } from '../simulate';
import {
  MonteCarloError,
  RandomSource,
  findRandomCalls,
  monteCarloDeck,
  sampleDeck,
  statistics,
} from './montecarlo';

describe('RandomSource', () => {
  it('is reproducible per (seed, stream) and different across streams', () => {
    const a = new RandomSource(42, 3);
    const b = new RandomSource(42, 3);
    const c = new RandomSource(42, 4);
    const first = [a.uniform(), a.uniform(), a.normal()];
    expect([b.uniform(), b.uniform(), b.normal()]).toEqual(first);
    expect(c.uniform()).not.toBe(first[0]);
  });

  it('draws uniform and normal numbers with the right moments', () => {
    const random = new RandomSource(7);
    const n = 20000;
    const uniform = statistics(Float64Array.from({ length: n }, () => random.uniform()));
    const normal = statistics(Float64Array.from({ length: n }, () => random.normal()));
    // 4 standard errors: 1/sqrt(12 n) and 1/sqrt(n) for the means, ~1/sqrt(2n) for the deviation.
    expect(Math.abs(uniform.mean - 0.5)).toBeLessThan(4 / Math.sqrt(12 * n));
    expect(uniform.min).toBeGreaterThanOrEqual(0);
    expect(uniform.max).toBeLessThan(1);
    expect(Math.abs(normal.mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(normal.std - 1)).toBeLessThan(4 / Math.sqrt(2 * n));
  });
});

describe('random functions in a deck', () => {
  const deck = [
    '* mc',
    '.param ra = agauss(1k, 30, 3)',
    'r1 a 0 {ra}',
    '* gauss(1, 2, 3) in a comment is not sampled',
    'r2 a b {gauss(2k, 0.1, 1)} ',
    'i1 0 b {aunif(1m, 0.1m)}',
    'r3 b 0 {unif(1k,0.2)}',
    '.end',
  ].join('\n');

  it('finds every call outside comments, with its arguments', () => {
    expect(findRandomCalls(deck).map((c) => [c.name, c.args, c.line])).toEqual([
      ['agauss', ['1k', '30', '3'], 2],
      ['gauss', ['2k', '0.1', '1'], 5],
      ['aunif', ['1m', '0.1m'], 6],
      ['unif', ['1k', '0.2'], 7],
    ]);
  });

  it('replaces calls by nominal values, or by reproducible samples per run', () => {
    expect(sampleDeck(deck, undefined)).toContain('.param ra = {(1k)}');
    expect(sampleDeck(deck, undefined)).toContain('r2 a b {(2k)}');
    expect(monteCarloDeck(deck, 5, 2)).toBe(monteCarloDeck(deck, 5, 2));
    expect(monteCarloDeck(deck, 5, 2)).not.toBe(monteCarloDeck(deck, 5, 3));
    const nominal = simulateNetlist(`${deck.replace('.end', '.op\n.end')}`);
    expect(nominal.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('says which line has a malformed call, and how to write it', () => {
    const attempt = (): unknown => findRandomCalls('* t\nr1 a 0 {agauss(1k)}\n.end', 'deck.cir');
    expect(attempt).toThrow(MonteCarloError);
    expect(attempt).toThrow(/agauss\(\) needs 2 or 3 arguments/);
    try {
      attempt();
    } catch (error) {
      expect((error as MonteCarloError).loc).toEqual({ file: 'deck.cir', line: 2, column: 9 });
      expect((error as MonteCarloError).hint).toMatch(/agauss\(nominal, absolute deviation, sigmas\)/);
    }
  });
});

describe('Monte Carlo statistics of a linear circuit', () => {
  // v(out) = (I1 + I2 + I3)·R with independent currents: mean and variance are exact:
  //   I1 = agauss(1m, 0.3m, 3): σ = 0.1 mA;  I2 = gauss(2m, 0.15, 3): σ = 0.1 mA;  I3 = aunif(1m, 0.3m): σ = 0.3m/√3.
  const opDeck = [
    '* three random currents into 1k',
    'i1 0 out {agauss(1m, 0.3m, 3)}',
    'i2 0 out {gauss(2m, 0.15, 3)}',
    'i3 0 out {aunif(1m, 0.3m)}',
    'r1 out 0 1k',
    '.op',
    // A one-point DC sweep of the resistor, to measure v(out) with .meas.
    '.dc r1 1k 1k 1',
    '.meas dc vout find v(out) at=1k',
    '.end',
  ].join('\n');
  const sigma = 1e3 * Math.sqrt(1e-4 ** 2 + 1e-4 ** 2 + 0.3e-3 ** 2 / 3);
  const runs = 400;

  it('matches the analytic mean and standard deviation, on worker threads, reproducibly', async () => {
    const progress: number[] = [];
    const parallel = await runMonteCarlo(opDeck, {
      runs,
      seed: 11,
      workers: 2,
      onProgress: (done) => progress.push(done),
    });
    const stats = parallel.statistics.vout;
    expect(stats.count).toBe(runs);
    // 4 standard errors (σ/√n for the mean, σ/√(2n) for the deviation).
    expect(Math.abs(stats.mean - 4)).toBeLessThan((4 * sigma) / Math.sqrt(runs));
    expect(Math.abs(stats.std - sigma)).toBeLessThan((4 * sigma) / Math.sqrt(2 * runs));
    expect(progress).toEqual(Array.from({ length: runs }, (_, k) => k + 1));
    // The same seed in one thread gives the very same runs.
    const serial = await runMonteCarlo(opDeck, { runs: 20, seed: 11, workers: 0 });
    expect(serial.runs.map((r) => r.measurements[0].value)).toEqual(
      parallel.runs.slice(0, 20).map((r) => r.measurements[0].value),
    );
  });

  it('re-samples on every .step run (LTspice idiom) with .options seed', () => {
    const stepped = simulateNetlist(opDeck.replace('.op', '.options seed=11\n.step param run 1 20 1\n.op'));
    expect(stepped.runs).toHaveLength(20);
    const values = stepped.measurements.map((m) => m.value);
    expect(new Set(values).size).toBe(20);
    expect(Math.abs(statistics(values).mean - 4)).toBeLessThan((4 * sigma) / Math.sqrt(20));
  });
});

it('samples random functions in included files too, reproducibly per run', () => {
  const files: Record<string, string> = { 'mc.lib': '.param rv = agauss(1k, 100, 1)\n' };
  const deck = [
    '* mc via include',
    '.include mc.lib',
    'i1 0 out 1m',
    'r1 out 0 {rv}',
    '.step param run 1 30 1',
    '.dc i1 1m 1m 1',
    '.meas dc vout find v(out) at=1m',
    '.end',
  ].join('\n');
  const run = () =>
    simulateNetlist(deck, { readFile: (path) => files[path] }).measurements.map((m) => m.value);
  const values = run();
  expect(run()).toEqual(values);
  const stats = statistics(values);
  // v = 1 mA · R with σ(R) = 100 Ω: σ(v) = 0.1 V.
  expect(Math.abs(stats.mean - 1)).toBeLessThan((4 * 0.1) / Math.sqrt(30));
  expect(stats.std).toBeGreaterThan(0.05);
  expect(stats.std).toBeLessThan(0.15);
  // Without .step the included call takes its nominal value.
  const nominal = simulateNetlist(deck.replace('.step param run 1 30 1', ''), {
    readFile: (path) => files[path],
  });
  expect(nominal.measurements[0].value).toBeCloseTo(1, 12);
});
