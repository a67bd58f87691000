/**
 * The CLI with the real simulator, end to end: what it prints, its exit codes on good and bad decks, and
 * rawfiles that ngspice itself loads back to the same numbers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli';
import { parseRawfile } from '../src/output/rawfile';
import { comparePlots, formatMismatches, pairPlots } from './ngspice/compare';
import { FIXTURES_DIR } from './ngspice/fixtures';
import { ngspiceLoadAndRewrite, requireNgspice, runNgspice } from './ngspice/ngspice';

let dir: string;
let out: string;
let err: string;
const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spicesim-e2e-'));
  out = '';
  err = '';
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function deck(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('spicesim run (real simulator)', () => {
  it('prints the divider operating point (spec benchmark 1: 6.6667 V)', async () => {
    expect(await main(['run', join(FIXTURES_DIR, 'divider_op.cir')], io)).toBe(0);
    expect(out).toContain('\tout                              6.666667e+00\n');
    expect(out).toContain('\tv1#branch                        -3.33333e-03\n');
  });

  it.each(['binary', 'ascii'])(
    'writes a %s rawfile that ngspice loads back unchanged and that matches ngspice',
    async (format) => {
      requireNgspice();
      const fixture = join(FIXTURES_DIR, 'multi_analysis.cir');
      const raw = join(dir, 'out.raw');
      expect(await main(['run', fixture, '-r', raw, ...(format === 'ascii' ? ['--ascii'] : [])], io)).toBe(0);
      const ours = parseRawfile(readFileSync(raw));
      expect(ours.map((p) => p.name)).toEqual([
        'Operating Point',
        'DC transfer characteristic',
        'AC Analysis',
        'Transient Analysis',
      ]);
      // ngspice understands every plot of our file...
      const back = ngspiceLoadAndRewrite(readFileSync(raw), ours);
      back.forEach((plot, k) => {
        expect(plot.vectors.map((v) => v.name).sort()).toEqual(ours[k].vectors.map((v) => v.name).sort());
        const rounding = {
          reltol: 1e-14,
          abstol: { voltage: 1e-300, current: 1e-300, other: 1e-300 },
          phaseDegrees: 1e-9,
        };
        expect(formatMismatches('reloaded', plot.name, comparePlots(plot, ours[k], rounding))).toBe(
          formatMismatches('reloaded', plot.name, []),
        );
      });
      // ...and the file agrees with the one ngspice writes for the same deck, vector names included.
      const pairs = pairPlots(ours, runNgspice(fixture).plots);
      if (typeof pairs === 'string') throw new Error(pairs);
      for (const [mine, theirs] of pairs) {
        expect(mine.vectors.map((v) => v.name).sort()).toEqual(theirs.vectors.map((v) => v.name).sort());
        expect(formatMismatches('multi_analysis', theirs.name, comparePlots(mine, theirs))).toBe(
          formatMismatches('multi_analysis', theirs.name, []),
        );
      }
    },
  );

  it('writes CSV', async () => {
    const csv = join(dir, 'rc.csv');
    expect(await main(['run', join(FIXTURES_DIR, 'rc_charge_tran.cir'), '--csv', csv], io)).toBe(0);
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('time,v(in),v(out),i(v1)');
    expect(lines.length).toBeGreaterThan(100);
  });

  it('exits 2 with file:line:column and no stack trace on a netlist error', async () => {
    const path = deck('bad.cir', 'bad deck\nV1 in 0 DC 1\nR1 in out\nR2 out 0 1k\n.op\n.end\n');
    expect(await main(['run', path], io)).toBe(2);
    expect(err).toMatch(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: error: `));
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on an include that does not exist', async () => {
    const path = deck('inc.cir', 'inc deck\n.include nowhere.inc\nV1 in 0 1\nR1 in 0 1k\n.op\n.end\n');
    expect(await main(['run', path], io)).toBe(2);
    expect(err).toMatch(/nowhere\.inc/);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it.each([
    [
      'a node with no DC path to ground',
      'floating\nV1 in 0 1\nR1 in 0 1k\nC1 in x 1n\nC2 x 0 1n\n.op\n.end\n',
    ],
    ['a loop of voltage sources', 'vloop\nV1 a 0 1\nV2 a 0 2\nR1 a 0 1k\n.op\n.end\n'],
  ])('exits 1 on %s, naming the problem without a stack trace', async (_what, text) => {
    expect(await main(['run', deck('fail.cir', text)], io)).toBe(1);
    expect(err).toMatch(/error: /);
    expect(err).not.toMatch(/\n\s+at /);
  });
});
