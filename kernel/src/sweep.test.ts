import { bandwidth } from './measure';
import { monteCarlo, seededRandom, sweep } from './sweep';
import { SimulationError } from './circuit';

function solverReady(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return typeof require('@spicesim/solver').simulateNetlist === 'function';
  } catch {
    return false;
  }
}

const lowPass = (r: number, c: number) =>
  `RC\nV1 in 0 AC 1\nR1 in out ${r}\nC1 out 0 ${c}\n.ac dec 20 10 10meg\n.end\n`;

describe('seededRandom', () => {
  it('is reproducible and uniform in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 10000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
  });
});

(solverReady() ? describe : describe.skip)('sweep in worker threads (with @spicesim/solver)', () => {
  it('runs every value, in order, across workers, with progress', async () => {
    const capacitors = [1e-9, 10e-9, 100e-9, 1e-6];
    const progress: Array<[number, number]> = [];
    const runs = await sweep(capacitors, (c) => lowPass(1e3, c), {
      workers: 2,
      progress: (d, t) => progress.push([d, t]),
    });
    expect(runs).toHaveLength(4);
    runs.forEach((run, k) => {
      const fc = bandwidth(run.ac.frequency, run.ac.v('out'));
      expect(Math.abs(fc * 2 * Math.PI * 1e3 * capacitors[k] - 1)).toBeLessThan(0.01);
    });
    expect(progress).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
  });

  it('rejects with the solver message and the value that failed', async () => {
    const failing = sweep([1, 2], (v) => (v === 2 ? 'bad\nR1 a\n.op\n.end\n' : lowPass(1e3, 1e-9)), {
      workers: 1,
      progress: false,
    });
    await expect(failing).rejects.toThrow(SimulationError);
    await expect(sweep([2], () => 'bad\nR1 a\n.op\n.end\n', { progress: false })).rejects.toThrow(
      /run 0 \(value 2\): <sweep>:2:1: error: r1 needs 2 nodes/,
    );
  });

  it('Monte Carlo with a seed is reproducible', async () => {
    const build = (random: () => number) => lowPass(1e3 * (1 + 0.1 * (random() - 0.5)), 1e-7);
    const corners = async () =>
      (await monteCarlo(4, build, { seed: 7, progress: false })).map((r) =>
        bandwidth(r.ac.frequency, r.ac.v('out')),
      );
    const first = await corners();
    expect(await corners()).toEqual(first);
    expect(new Set(first).size).toBe(4);
  });

  it('a kernel interrupt (SIGINT) stops the workers and rejects', async () => {
    const running = sweep(
      Array.from({ length: 50 }, (_, k) => k),
      () => lowPass(1e3, 1e-9),
      { workers: 1, progress: (done) => done === 1 && process.emit('SIGINT') },
    );
    await expect(running).rejects.toThrow(/sweep interrupted after 1 of 50 runs/);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('an empty sweep is an empty list', async () => {
    expect(await sweep([], () => '')).toEqual([]);
  });
});
