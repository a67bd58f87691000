/**
 * The notebook API against the real @spicesim/solver. Skipped (with a notice) until the solver is built
 * and exports simulateNetlist; everything else in the kernel is tested against synthetic plots.
 */
import { inspect } from 'util';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SimulationError, load, netlist } from './circuit';
import { bandwidth, riseTime } from './measure';
import { waveformMimeBundle } from './display';
import { WAVEFORM_MIME, validateBundle } from './waveform/schema';

function solverReady(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return typeof require('@spicesim/solver').simulateNetlist === 'function';
  } catch {
    return false;
  }
}

const ready = solverReady();
if (!ready)
  console.warn('kernel/with-solver.test.ts: @spicesim/solver not built or no simulateNetlist yet: skipped');

const R = 1e3;
const C = 1e-6;
const RC = `RC low-pass
V1 in 0 PULSE(0 1 0 1n 1n 1 2) AC 1
R1 in out 1k
C1 out 0 1u
.end
`;

(ready ? describe : describe.skip)('with @spicesim/solver', () => {
  const rc = netlist(RC);

  it('operating point of the RC divider at t=0', () => {
    const op = rc.op();
    expect(op.value('in')).toBeCloseTo(0, 9);
    expect(op.value('out')).toBeCloseTo(0, 9);
  });

  it('transient rise time is RC ln 9 within 2 %', () => {
    const tr = rc.tran('5u', '5m', { tmax: '5u' });
    const measured = riseTime(tr.time, tr.v('out'), { initial: 0, final: 1 });
    expect(Math.abs(measured / (R * C * Math.log(9)) - 1)).toBeLessThan(0.02);
    const data = waveformMimeBundle(tr.toBundle({ traces: ['in', 'out'] }));
    expect(validateBundle(data[WAVEFORM_MIME])).toEqual([]);
  });

  it('AC -3 dB corner is 1/(2 pi RC) within 1 %', () => {
    const ac = rc.ac('dec', 50, 1, '1meg');
    expect(Math.abs(bandwidth(ac.frequency, ac.v('out')) / (1 / (2 * Math.PI * R * C)) - 1)).toBeLessThan(
      0.01,
    );
  });

  it('a netlist error reads as file:line, message and hint', () => {
    let caught: unknown;
    try {
      netlist('bad\nR1 a\n.end\n', { fileName: 'bad.cir' }).op();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SimulationError);
    expect(inspect(caught)).toBe(
      "SimulationError: bad.cir:2:1: error: r1 needs 2 nodes, found 1\n  hint: write the 2 node names after 'r1'",
    );
  });

  it('load() of a deck in another directory, given by a relative path, finds its includes (sync, worker, inlined)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spicesim-kernel-load-'));
    try {
      fs.mkdirSync(path.join(dir, 'models'));
      fs.writeFileSync(path.join(dir, 'deck.cir'), 'divider\nV1 a 0 2\n.include models/r.inc\n.op\n.end\n');
      fs.writeFileSync(path.join(dir, 'models', 'r.inc'), 'R1 a b 1k\n.include r2.inc\n');
      fs.writeFileSync(path.join(dir, 'models', 'r2.inc'), 'R2 b 0 1k\n');
      const circuit = load(path.relative(process.cwd(), path.join(dir, 'deck.cir')));
      expect(circuit.run().op.value('b')).toBeCloseTo(1, 9);
      expect((await circuit.runAsync({ progress: false })).op.value('b')).toBeCloseTo(1, 9);
      const { inlineIncludes } = await import('./server-run');
      const inlined = inlineIncludes(circuit.text, circuit.options.fileName!, circuit.options.readFile!);
      expect(netlist(inlined).run().op.value('b')).toBeCloseTo(1, 9);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
