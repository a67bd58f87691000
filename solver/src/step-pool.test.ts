/**
 * Stepped decks on worker threads: the same runs, in the same order and with the same numbers as the
 * sequential simulateNetlist, progress per run, and a failing run that does not lose the others.
 */
import type { Plot } from './output/plot';
import { type SimulationResult, simulateNetlist } from './simulate';
import { runSteps } from './step-pool';

const rc = (lines: string[]): string =>
  [
    'rc low-pass',
    '.param r=1k c=1u',
    'v1 in 0 pulse(0 1 0 1u 1u 1 2)',
    'r1 in out {r}',
    'c1 out 0 {c}',
    ...lines,
    '.meas tran vend find v(out) at=0.9m',
    '.end',
  ].join('\n');

const diode = (step: string): string =>
  [
    'diode sweep',
    'v1 a 0 0.7',
    'r1 a k 100',
    'd1 k 0 dmod',
    '.model dmod d(is=1e-14 n=1)',
    step,
    '.dc v1 0 1 0.1',
    '.meas dc ik find i(v1) at=0.8',
    '.end',
  ].join('\n');

const decks: Record<string, string> = {
  'param list': rc(['.step param r list 500 1k 2k 4k', '.tran 10u 1m']),
  'lin range': rc(['.step param r 500 2500 500', '.tran 10u 1m']),
  'dec and oct ranges': rc(['.step dec param c 100n 10u 2', '.step oct param r 1k 4k 1', '.tran 10u 1m']),
  nested: rc(['.step param r list 1k 2k', '.step param c list 0.5u 1u 2u', '.tran 10u 1m']),
  'temperature and model parameter': diode('.step D dmod(Is) list 1e-15 1e-14 1e-13\n.step temp list 0 50'),
  '.data rows': rc([
    '.data rows r c',
    '+ 1k 1u',
    '+ 2k 0.5u',
    '+ 3k 2u',
    '.enddata',
    '.tran 10u 1m sweep data=rows',
  ]),
  // Random functions draw anew for every run, from the generator seeded by (.options seed, run).
  'random values': [
    'mismatch',
    '.options seed=7',
    '.param ra=agauss(1k, 30, 3) x=1',
    'v1 a 0 {x}',
    'r1 a b {ra}',
    'r2 b 0 1k',
    '.step param x list 1 2 3 4 5',
    '.op',
    '.end',
  ].join('\n'),
  '.alter blocks': [
    'alter',
    'v1 a 0 1',
    'r1 a b 1k',
    'r2 b 0 1k',
    '.op',
    '.alter',
    'r2 b 0 3k',
    '.alter',
    'r1 a b 2k',
    '.end',
  ].join('\n'),
};

/** Plots without their date line, which says when each was simulated. */
const undated = (plots: Plot[]): Array<Omit<Plot, 'date'>> => plots.map(({ date: _date, ...rest }) => rest);

function comparable(result: SimulationResult) {
  return {
    title: result.title,
    plots: undated(result.plots),
    measurements: result.measurements,
    fourier: result.fourier,
    diagnostics: result.diagnostics,
    runs: result.runs?.map((run) => ({ ...run, plots: undated(run.plots) })),
  };
}

describe('runSteps (stepped decks on worker threads)', () => {
  it.each(Object.keys(decks))('%s: the same results as the sequential path, on 2 workers', async (name) => {
    const sequential = simulateNetlist(decks[name]);
    expect(sequential.runs!.length).toBeGreaterThan(1);
    const progress: Array<[number, number]> = [];
    const parallel = await runSteps(decks[name], {
      workers: 2,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(comparable(parallel)).toEqual(comparable(sequential));
    expect(parallel.failures).toEqual([]);
    const total = sequential.runs!.length;
    if (name === 'random values') {
      // Every run drew its own resistor, so v(b)/x differs between runs.
      const ratios = parallel.runs!.map(
        (run, k) => run.plots[0].vectors.find((v) => v.name === 'v(b)')!.real[0] / (k + 1),
      );
      expect(new Set(ratios).size).toBe(total);
    }
    expect(progress).toEqual(Array.from({ length: total }, (_, k) => [k + 1, total]));
  });

  it('runs in this thread with workers: 0, with the same results', async () => {
    const deck = decks.nested;
    const inThread = await runSteps(deck, { workers: 0 });
    expect(comparable(inThread)).toEqual(comparable(simulateNetlist(deck)));
    expect(inThread.runs!.map((run) => run.values)).toEqual([
      { r: 1000, c: 0.5e-6 },
      { r: 2000, c: 0.5e-6 },
      { r: 1000, c: 1e-6 },
      { r: 2000, c: 1e-6 },
      { r: 1000, c: 2e-6 },
      { r: 2000, c: 2e-6 },
    ]);
    // The stepped values are on every measurement, and the RC time constant shows in them.
    const vend = inThread.measurements.map((m) => m.value);
    expect(inThread.measurements.map((m) => m.step)).toEqual(inThread.runs!.map((run) => run.values));
    expect(vend[0]).toBeCloseTo(1 - Math.exp(-0.9 / 0.5), 3);
    expect(vend[5]).toBeCloseTo(1 - Math.exp(-0.9 / 4), 3);
  });

  it('decides from the first run whether to use workers (parallelAboveMs), with the same results', async () => {
    const deck = decks['param list'];
    const sequential = comparable(simulateNetlist(deck));
    for (const parallelAboveMs of [0, Infinity]) {
      const progress: number[] = [];
      const result = await runSteps(deck, {
        workers: 2,
        parallelAboveMs,
        onProgress: (done) => progress.push(done),
      });
      expect(comparable(result)).toEqual(sequential);
      expect(progress).toEqual([1, 2, 3, 4]);
    }
  });

  it('reports a failing step with its values and error, and keeps the other steps', async () => {
    const deck = rc(['.param ts=10u', '.step param ts list 10u 0 20u', '.tran {ts} 1m']);
    expect(() => simulateNetlist(deck)).toThrow(/\.tran step must be positive, got 0/);
    for (const workers of [0, 2]) {
      const progress: number[] = [];
      const result = await runSteps(deck, { workers, onProgress: (done) => progress.push(done) });
      expect(progress).toEqual([1, 2, 3]);
      expect(result.failures).toEqual([
        expect.objectContaining({ run: 1, values: { ts: 0 }, name: 'CircuitError' }),
      ]);
      // As the CLI prints a SpiceError: where, then what.
      expect(result.failures[0].message).toMatch(
        /^<netlist>:\d+:\d+: error: \.tran step must be positive, got 0/,
      );
      expect(result.runs!.map((run) => [run.values.ts, run.plots.length, run.error !== undefined])).toEqual([
        [10e-6, 1, false],
        [0, 0, true],
        [20e-6, 1, false],
      ]);
      expect(result.measurements.map((m) => m.step)).toEqual([{ ts: 10e-6 }, { ts: 20e-6 }]);
    }
  });

  it('simulates a deck without steps once, in this thread, throwing its errors', async () => {
    const plain = 'divider\nv1 in 0 10\nr1 in out 1k\nr2 out 0 2k\n.op\n.end\n';
    const progress: number[] = [];
    const result = await runSteps(plain, { onProgress: (done) => progress.push(done) });
    expect(result.runs).toBeUndefined();
    expect(result.plots[0].vectors.find((v) => v.name === 'v(out)')!.real[0]).toBeCloseTo(20 / 3, 9);
    expect(progress).toEqual([1]);
    await expect(runSteps('bad\nr1 a 0\n.op\n.end\n')).rejects.toThrow();
  });
});
