import {
  decimateMinMax,
  inspectNetlist,
  netlistWithParameter,
  runSimulation,
  SimulationAbortedError,
} from './processor';
import { ladderNetlist, RC_NETLIST } from './test-helpers';

describe('processor', () => {
  test('min/max decimation keeps a one-sample spike that subsampling would lose', () => {
    const n = 100_000;
    const x = Float64Array.from({ length: n }, (_, i) => i);
    const y = new Float64Array(n);
    y[54_321] = 5;
    y[77_777] = -3;
    const out = decimateMinMax(x, y, 500);
    expect(out.x.length).toBeLessThanOrEqual(1000);
    expect(Math.max(...out.y)).toBe(5);
    expect(Math.min(...out.y)).toBe(-3);
    expect(out.x[out.y.indexOf(5)]).toBe(54_321);
    // x stays increasing (points come out in time order within and across buckets).
    for (let i = 1; i < out.x.length; i++) expect(out.x[i]).toBeGreaterThan(out.x[i - 1]);
    // Short series pass through unchanged.
    expect(decimateMinMax([0, 1, 2], [3, 4, 5], 500)).toEqual({ x: [0, 1, 2], y: [3, 4, 5] });
  });

  test('sweep points override the .param before .end', () => {
    expect(netlistWithParameter('t\n.param a=1\n.op\n.end\n* after', 'a', 2)).toBe(
      't\n.param a=1\n.op\n.param a=2\n.end\n* after',
    );
    expect(netlistWithParameter('t\n.op', 'a', 2)).toBe('t\n.op\n.param a=2\n');
  });

  test('inspectNetlist counts non-ground nodes and lists analyses', () => {
    expect(inspectNetlist(ladderNetlist(10, '1u'))).toEqual({ nodeCount: 11, analyses: ['tran'] });
  });

  test('progress rises to 1 and an abort stops the run', async () => {
    const seen: number[] = [];
    const output = await runSimulation(RC_NETLIST, {
      onProgress: (r) => seen.push(r.progress),
      yieldEveryMs: 0,
    });
    expect(seen[seen.length - 1]).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(output.csv).toHaveLength(1);
    const controller = new AbortController();
    const run = runSimulation(ladderNetlist(50, '1m', '1n'), {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(SimulationAbortedError);
  });
});
