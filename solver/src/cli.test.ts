/**
 * The CLI against a stand-in simulateNetlist (the real one is tested on its own and against ngspice):
 * argument handling, exit codes, what is printed and written.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConvergenceError, ParseError, SingularMatrixError, CircuitError } from './errors';
import type { Plot } from './output/plot';
import { parseRawfile } from './output/rawfile';

const simulate = jest.fn();
jest.mock('./simulate', () => ({ simulateNetlist: (...args: unknown[]) => simulate(...args) }), {
  virtual: true,
});
// runSteps (stepped decks on worker threads) runs the stand-in with the include reader the real one uses.
const runSteps = jest.fn();
jest.mock('./step-pool', () => {
  const actual = jest.requireActual('./step-pool');
  return { ...actual, runSteps: (...args: unknown[]) => runSteps(...args) };
});
function standIn(text: string, options: { fileName: string }): unknown {
  const { includeReader } = jest.requireActual('./step-pool');
  const result = simulate(text, { ...options, readFile: includeReader(options.fileName) });
  return { log: [], failures: [], ...result };
}

import { csvFileNames, main } from './cli';

const op: Plot = {
  title: 'divider',
  name: 'Operating Point',
  date: 'Wed Nov 25 15:44:17  2026',
  complex: false,
  vectors: [
    { name: 'v(in)', type: 'voltage', real: Float64Array.from([10]) },
    { name: 'v(out)', type: 'voltage', real: Float64Array.from([20 / 3]) },
    { name: 'i(v1)', type: 'current', real: Float64Array.from([-1 / 300]) },
  ],
};
const tran: Plot = {
  title: 'divider',
  name: 'Transient Analysis',
  date: op.date,
  complex: false,
  vectors: [
    { name: 'time', type: 'time', real: Float64Array.from([0, 1e-3]) },
    { name: 'v(out)', type: 'voltage', real: Float64Array.from([0, 1]) },
  ],
};

let dir: string;
let deck: string;
let out: string;
let err: string;
const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spicesim-cli-'));
  deck = join(dir, 'divider.cir');
  writeFileSync(deck, 'divider\nV1 in 0 10\nR1 in out 1k\nR2 out 0 2k\n.op\n.end\n');
  out = '';
  err = '';
  simulate.mockReset();
  runSteps.mockReset();
  runSteps.mockImplementation(async (text: string, options: { fileName: string }) => standIn(text, options));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function succeedWith(plots: Plot[], diagnostics: unknown[] = []) {
  simulate.mockImplementation(() => ({ title: 'divider', plots, circuit: {}, diagnostics }));
}

describe('spicesim CLI', () => {
  it('prints help and version', async () => {
    expect(await main(['--help'], io)).toBe(0);
    expect(out).toContain('spicesim run DECK [-r OUT.raw] [--ascii] [--csv OUT.csv]');
    out = '';
    expect(await main(['--version'], io)).toBe(0);
    expect(out).toMatch(/^spicesim \d+\.\d+\.\d+\n$/);
  });

  it.each([
    [['run'], /missing DECK/],
    [[], /missing command/],
    [['simulate', 'x.cir'], /unknown command 'simulate'/],
    [['run', 'a.cir', '--bogus'], /unknown option '--bogus'/],
    [['run', 'a.cir', '--ascii'], /--ascii only applies to a rawfile/],
    [['run', 'a.cir', '--csv', 'x.csv', '--complex', 'polar'], /--complex must be reim or magphase/],
  ])('rejects %j with exit 2 and the usage', async (argv, message) => {
    expect(await main(argv, io)).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('Usage:');
    expect(simulate).not.toHaveBeenCalled();
  });

  it('exits 2 for a deck that does not exist, without a stack trace', async () => {
    expect(await main(['run', join(dir, 'nope.cir')], io)).toBe(2);
    expect(err).toMatch(/cannot read deck '.*nope.cir': no such file/);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('prints the operating point like ngspice, and the warnings with file:line:col', async () => {
    succeedWith(
      [op],
      [
        {
          severity: 'warning',
          message: "unsupported statement '.four' ignored",
          loc: { file: deck, line: 5, column: 1 },
        },
      ],
    );
    expect(await main(['run', deck], io)).toBe(0);
    expect(simulate).toHaveBeenCalledWith(
      readFileSync(deck, 'utf8'),
      expect.objectContaining({ fileName: deck }),
    );
    expect(out).toContain('Circuit: divider');
    expect(out).toContain('\tout                              6.666667e+00\n');
    expect(out).toContain('\tv1#branch                        -3.33333e-03\n');
    expect(err).toBe(`${deck}:5:1: warning: unsupported statement '.four' ignored\n`);
  });

  it('reads included files relative to the deck', async () => {
    writeFileSync(join(dir, 'part.inc'), 'R3 out 0 1k\n');
    simulate.mockImplementation((_text: string, options: { readFile: (p: string) => string }) => {
      expect(options.readFile('part.inc')).toBe('R3 out 0 1k\n');
      return { title: 'divider', plots: [op], circuit: {}, diagnostics: [] };
    });
    expect(await main(['run', deck], io)).toBe(0);
  });

  it.each(['binary', 'ascii'])('writes a %s rawfile with every plot', async (format) => {
    succeedWith([op, tran]);
    const raw = join(dir, 'out.raw');
    const args = ['run', deck, '-r', raw, ...(format === 'ascii' ? ['--ascii'] : [])];
    expect(await main(args, io)).toBe(0);
    const bytes = readFileSync(raw);
    expect(bytes.includes(Buffer.from(format === 'ascii' ? 'Values:' : 'Binary:'))).toBe(true);
    const plots = parseRawfile(bytes);
    expect(plots.map((p) => p.name)).toEqual(['Operating Point', 'Transient Analysis']);
    expect(Array.from(plots[1].vectors[1].real)).toEqual([0, 1]);
  });

  it('writes one CSV per plot', async () => {
    succeedWith([op, tran]);
    expect(await main(['run', deck, '--csv', join(dir, 'out.csv')], io)).toBe(0);
    expect(readFileSync(join(dir, 'out-2-tran.csv'), 'utf8')).toBe('time,v(out)\n0,0\n0.001,1\n');
    expect(existsSync(join(dir, 'out-1-op.csv'))).toBe(true);
    expect(csvFileNames('x.csv', [tran])).toEqual(['x.csv']);
  });

  it.each([
    [
      new ParseError(
        "unknown element 'Q?'",
        { file: 'd.cir', line: 3, column: 1 },
        'element names start with a letter R C L ...',
      ),
      2,
      /^d\.cir:3:1: error: unknown element 'Q\?'\n  hint: element names/,
    ],
    [new CircuitError("model 'dmod' is not defined"), 2, /^error: model 'dmod' is not defined/],
    [
      new ConvergenceError('no convergence at the operating point', ['out'], ['add .nodeset', 'raise itl1']),
      1,
      /no convergence.*\n  hint: add \.nodeset; raise itl1/,
    ],
    [
      new SingularMatrixError("node 'x' has no DC path to ground", 'x', 'add a resistor from x to 0'),
      1,
      /node 'x' has no DC path/,
    ],
  ])('prints %s without a stack trace and exits %i', async (error, code, message) => {
    simulate.mockImplementation(() => {
      throw error;
    });
    expect(await main(['run', deck], io)).toBe(code);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('treats an unreadable include as bad input', async () => {
    simulate.mockImplementation((_t: string, options: { readFile: (p: string) => string }) =>
      options.readFile('missing.inc'),
    );
    expect(await main(['run', deck], io)).toBe(2);
    expect(err).toMatch(/missing\.inc/);
  });

  it('passes --jobs to the step runner: 1 runs in this thread, default one worker per core if it pays', async () => {
    succeedWith([op]);
    const lastOptions = () => runSteps.mock.calls[runSteps.mock.calls.length - 1][1];
    expect(await main(['run', deck], io)).toBe(0);
    expect(lastOptions()).toMatchObject({ workers: availableParallelism(), parallelAboveMs: 300 });
    expect(await main(['run', deck, '--jobs', '1'], io)).toBe(0);
    expect(lastOptions()).toMatchObject({ workers: 0, parallelAboveMs: undefined });
    expect(await main(['run', deck, '-j', '3'], io)).toBe(0);
    expect(lastOptions()).toMatchObject({ workers: 3, parallelAboveMs: undefined });
  });

  it.each(['0', '-2', '1.5', 'many'])('rejects --jobs %s as bad input', async (jobs) => {
    expect(await main(['run', deck, `--jobs=${jobs}`], io)).toBe(2);
    expect(err).toContain(`--jobs must be a whole number of at least 1, not '${jobs}'`);
    expect(runSteps).not.toHaveBeenCalled();
  });

  it('shows step progress on stderr only when it is a terminal', async () => {
    runSteps.mockImplementation(
      async (
        text: string,
        options: { fileName: string; onProgress: (done: number, total: number) => void },
      ) => {
        for (let done = 1; done <= 3; done++) options.onProgress(done, 3);
        return standIn(text, options);
      },
    );
    succeedWith([op]);
    expect(await main(['run', deck], io)).toBe(0);
    expect(err).toBe('');
    expect(await main(['run', deck], { ...io, stderrIsTTY: true })).toBe(0);
    expect(err).toBe('\rsimulating step 1/3\rsimulating step 2/3\rsimulating step 3/3\r\x1b[K');
  });

  it('prints the steps that failed, keeps the others, and exits with the first failure status', async () => {
    const raw = join(dir, 'out.raw');
    const failures = [
      { run: 1, values: { r: 2000 }, name: 'ConvergenceError', message: 'error: no convergence' },
      { run: 2, values: { r: 3000 }, name: 'CircuitError', message: 'd.cir:4:1: error: bad value' },
    ];
    const runs = [{ values: { r: 1000 } }, { values: { r: 2000 } }, { values: { r: 3000 } }];
    runSteps.mockResolvedValue({
      title: 'divider',
      plots: [op],
      circuit: {},
      diagnostics: [],
      log: [],
      failures,
      runs,
    });
    expect(await main(['run', deck, '-r', raw], io)).toBe(1);
    expect(err).toBe(
      'step 2/3 (r=2000) failed: error: no convergence\n' +
        'step 3/3 (r=3000) failed: d.cir:4:1: error: bad value\n' +
        '2 of 3 steps failed; the results hold the other 1\n',
    );
    expect(parseRawfile(readFileSync(raw)).map((p) => p.name)).toEqual(['Operating Point']);
  });
});
