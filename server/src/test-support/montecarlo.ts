/** Assertions shared by the Monte Carlo job tests (test-only: jest's `expect`, kept out of the build). */
import { simulateMonteCarloRun } from '@spicesim/solver';

/**
 * A gathered Monte Carlo summary holds runs 0..runs-1 in order, each exactly what the solver computes for
 * that run and seed in-process, and statistics over them.
 */
export function expectMonteCarloRuns(summary: any, netlist: string, seed: number, runs: number): void {
  const expected = Array.from(
    { length: runs },
    (_, k) => simulateMonteCarloRun(netlist, seed, k).measurements[0].value,
  );
  expect(summary.runs.map((r: { run: number }) => r.run)).toEqual(expected.map((_, k) => k));
  expect(summary.runs.map((r: { measurements: { value: number }[] }) => r.measurements[0].value)).toEqual(
    expected,
  );
  expect(summary.failedRuns).toBe(0);
  const mean = expected.reduce((a, b) => a + b, 0) / runs;
  expect(summary.statistics.vhalf.count).toBe(runs);
  expect(summary.statistics.vhalf.mean).toBeCloseTo(mean, 12);
  expect(summary.statistics.vhalf.min).toBe(Math.min(...expected));
  expect(summary.statistics.vhalf.max).toBe(Math.max(...expected));
}
