import { countAnalyses, type RunProgress } from './background';
import { netlist } from './circuit';
import { SimulationError, SimulationInterrupted } from './errors';
import { progressMimeBundle } from './progress';

function solverReady(): boolean {
  try {
    return typeof require('@spicesim/solver').simulationSteps === 'function';
  } catch {
    return false;
  }
}

const RC = `RC driven by a sine
V1 in 0 SIN(0 1 1k)
R1 in out 1k
C1 out 0 1u
.end`;

/** What SIGINT does to the run's own listener (the newest); jest's listeners are left out of it. */
function emitSigint(): void {
  const ours = process.listeners('SIGINT').slice(-1)[0];
  ours.call(process, 'SIGINT');
}

describe('progress display', () => {
  test('text and HTML bar', () => {
    const bundle = progressMimeBundle('tran 1n 1m', 0.5, 'tran · 1.0 s');
    expect(bundle['text/plain']).toBe(`tran 1n 1m ${'█'.repeat(15)}${'░'.repeat(15)} 50% tran · 1.0 s`);
    expect(bundle['text/html']).toContain('<progress value="0.5000" max="1"');
  });
  test('analyses of a deck', () => {
    expect(countAnalyses('t\n.op\n.tran 1n 1u\n.meas tran x max v(a)\n.end')).toBe(2);
    expect(countAnalyses('t\nr1 a 0 1\n.end')).toBe(1);
  });
});

(solverReady() ? describe : describe.skip)(
  'one simulation in a worker thread (with @spicesim/solver)',
  () => {
    test('same result as the synchronous run, with progress up to 1', async () => {
      const rc = netlist(RC);
      const seen: RunProgress[] = [];
      const async = await rc.tranAsync('1u', '5m', { progress: (p) => seen.push(p) });
      const sync = rc.tran('1u', '5m');
      expect(async.names).toEqual(sync.names);
      expect(Array.from(async.v('out'))).toEqual(Array.from(sync.v('out')));
      expect(seen.length).toBeGreaterThan(0);
      expect(seen[seen.length - 1].fraction).toBe(1);
      for (let k = 1; k < seen.length; k++)
        expect(seen[k].fraction).toBeGreaterThanOrEqual(seen[k - 1].fraction);
    });

    test('a long transient (5M points) reports progress while running and stops at once on abort', async () => {
      const controller = new AbortController();
      const seen: number[] = [];
      let abortedAt = 0;
      const run = netlist(RC).tranAsync('1n', '5m', {
        tmax: '1n',
        signal: controller.signal,
        progress: (p) => {
          seen.push(p.fraction);
          if (p.fraction > 0.05 && !abortedAt) {
            abortedAt = Date.now();
            controller.abort();
          }
        },
      });
      const error = await run.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SimulationInterrupted);
      expect((error as Error).message).toMatch(
        /^tran 1n 5m 0 1n aborted at \d+% after .* s: the simulation was stopped/,
      );
      expect(Date.now() - abortedAt).toBeLessThan(500);
      // Several reports while it ran, and it never got near the end.
      expect(seen.length).toBeGreaterThan(1);
      expect(Math.max(...seen)).toBeLessThan(0.5);
    }, 30_000);

    test('kernel interrupt (SIGINT) ends the worker and the next run works', async () => {
      let interrupted = false;
      const listeners = process.listeners('SIGINT').length;
      const run = netlist(RC).tranAsync('1n', '5m', {
        tmax: '1n',
        progress: (p) => {
          if (p.fraction > 0.02 && !interrupted) {
            interrupted = true;
            emitSigint();
          }
        },
      });
      await expect(run).rejects.toThrow(/interrupted at \d+% .* the kernel is ready/);
      expect(process.listeners('SIGINT')).toHaveLength(listeners);
      const next = await netlist(RC).opAsync({ progress: false });
      expect(next.value('out')).toBeCloseTo(0, 12);
    }, 30_000);

    test("netlist errors keep their file:line, and includes are read through the circuit's readFile", async () => {
      const bad = netlist('bad\nR1 a 0 1k\nM1 a a 0 0 nosuchmodel\n.tran 1u 1m\n.end', {
        fileName: 'bad.cir',
      });
      const error = await bad.runAsync({ progress: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SimulationError);
      expect((error as Error).message).toMatch(/^bad\.cir:3/);

      const files: Record<string, string> = {
        'models/r.inc': 'R1 in out 1k\n.include c.inc\n',
        'models/c.inc': 'C1 out 0 1u\n',
      };
      const included = netlist('RC from includes\nV1 in 0 1\n.include models/r.inc\n.op\n.end', {
        readFile: (p) => {
          if (!(p in files)) throw new Error(`no ${p}`);
          return files[p];
        },
      });
      const op = (await included.runAsync({ progress: false })).op;
      expect(op.value('out')).toBeCloseTo(1, 9);
    });
  },
);
