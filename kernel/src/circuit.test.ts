import { inspect } from 'util';
import { Circuit, SimulationError, load, netlist } from './circuit';
import { useSolver, type SimulationResult } from './solver-contract';
import { rcAc, rcTransient } from './test-utils/plots';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const RC = `RC low-pass
V1 in 0 PULSE(0 1 0 1n 1n 1 2)
R1 in out 1k
C1 out 0 1u
.tran 1u 5m
.ac dec 10
+ 1 1meg
.END
`;

/** A stand-in for @spicesim/solver that records the netlist it was given. */
function recordingSolver(result: Partial<SimulationResult> = {}) {
  const calls: Array<{ text: string; fileName?: string }> = [];
  useSolver({
    simulateNetlist(text, options) {
      calls.push({ text, fileName: options?.fileName });
      return {
        title: 'RC low-pass',
        plots: [rcTransient(), rcAc()],
        circuit: {},
        diagnostics: [],
        ...result,
      };
    },
  });
  return calls;
}

afterEach(() => useSolver(undefined));

describe('Circuit', () => {
  it('replaces the analysis cards (and their continuation lines) with the one asked for', () => {
    const text = netlist(RC).withAnalysis('.op');
    expect(text).toBe('RC low-pass\nV1 in 0 PULSE(0 1 0 1n 1n 1 2)\nR1 in out 1k\nC1 out 0 1u\n.op\n.end\n');
  });

  it('keeps the title line even when it looks like a card', () => {
    expect(netlist('.tran test circuit\nR1 a 0 1\n').withAnalysis('.op').split('\n')[0]).toBe(
      '.tran test circuit',
    );
  });

  it('builds analysis cards from numbers and SPICE values', () => {
    const calls = recordingSolver();
    const rc = netlist(RC);
    expect(rc.tran('1u', 5e-3).kind).toBe('tran');
    rc.tran(1e-6, '5m', { tmax: '10u', uic: true });
    expect(rc.ac('dec', 20, 1, '1meg').kind).toBe('ac');
    expect(calls.map((c) => c.text.split('\n').slice(-3, -2)[0])).toEqual([
      '.tran 1u 0.005',
      '.tran 0.000001 5m 0 10u uic',
      '.ac dec 20 1 1meg',
    ]);
    expect(calls[0].fileName).toBe('<notebook>');
  });

  it('run() passes the netlist unchanged and returns every analysis', () => {
    const calls = recordingSolver();
    const run = netlist(RC).run();
    expect(calls[0].text).toBe(RC);
    expect(run.analyses.map((a) => a.kind)).toEqual(['tran', 'ac']);
  });

  it('shows solver errors as their formatted message, without a stack trace', () => {
    class FakeParseError extends Error {
      format() {
        return '<notebook>:3:8: error: bad value "1x"\n  hint: use SI suffixes like 1k, 10u';
      }
    }
    useSolver({
      simulateNetlist() {
        throw new FakeParseError('bad value');
      },
    });
    let caught: unknown;
    try {
      netlist(RC).op();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SimulationError);
    const shown = inspect(caught);
    expect(shown).toBe(
      'SimulationError: <notebook>:3:8: error: bad value "1x"\n  hint: use SI suffixes like 1k, 10u',
    );
    expect(shown).not.toMatch(/\n\s+at /);
  });

  it('rejects an empty netlist and names an unreadable file', () => {
    expect(() => netlist('  ')).toThrow(/netlist is empty/);
    expect(() => load('/nonexistent/x.cir')).toThrow(/cannot read \/nonexistent\/x\.cir \(ENOENT\)/);
  });

  it('load() reads the file and resolves includes next to it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spicesim-kernel-'));
    try {
      fs.writeFileSync(path.join(dir, 'rc.cir'), RC);
      fs.writeFileSync(path.join(dir, 'models.lib'), '* models\n');
      const circuit: Circuit = load(path.join(dir, 'rc.cir'));
      expect(circuit.text).toBe(RC);
      // The parser passes include paths already joined with the deck's directory.
      expect(circuit.options.readFile?.(path.join(dir, 'models.lib'))).toBe('* models\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
