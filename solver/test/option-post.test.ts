/**
 * HSPICE's `.option post` / `.option probe` through the CLI with the real simulator: the rawfile appears next
 * to the deck (binary for post/post=1, ASCII for post=2), holds what ngspice computes for the same circuit,
 * and post=csdf is reported by line.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli';
import { postRawfileName } from '../src/output/post';
import { parseRawfile } from '../src/output/rawfile';
import { comparePlots, formatMismatches, pairPlots } from './ngspice/compare';
import { requireNgspice, runNgspice } from './ngspice/ngspice';

let dir: string;
let out: string;
let err: string;
const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spicesim-post-'));
  out = '';
  err = '';
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const circuit = `v1 in 0 dc 1 ac 1 pulse(0 1 0.1m 1u 1u 1m 2m)
r1 in out 1k
c1 out 0 100n
d1 out 0 dmod
.model dmod d is=1e-14
.op
.ac dec 5 10 100k
.tran 20u 1m
.end
`;

function deck(name: string, options: string, extra = ''): string {
  const path = join(dir, name);
  writeFileSync(path, `hspice post deck\n${options}\n${extra}${circuit}`);
  return path;
}

describe('.option post', () => {
  it('names the file after the deck', () => {
    expect(postRawfileName('/a/b/amp.sp')).toBe('/a/b/amp.raw');
    expect(postRawfileName('amp.cir')).toBe('amp.raw');
    expect(postRawfileName('/a/deck')).toBe('/a/deck.raw');
    expect(postRawfileName('/a/x.raw')).toBe('/a/x.raw.raw');
    expect(postRawfileName('/a.b/deck')).toBe('/a.b/deck.raw');
  });

  it.each([
    ['.option post', 'binary'],
    ['.options post=1', 'binary'],
    ['.option POST=2', 'ascii'],
  ])('%s writes a %s rawfile next to the deck that matches ngspice', async (option, format) => {
    requireNgspice();
    const path = deck('amp.sp', option);
    expect(await main(['run', path], io)).toBe(0);
    const raw = join(dir, 'amp.raw');
    expect(out).toContain(`Wrote ${format === 'ascii' ? 'ASCII' : 'binary'} rawfile ${raw} (3 plot(s)`);
    const bytes = readFileSync(raw);
    expect(bytes.toString('latin1')).toContain(format === 'ascii' ? 'Values:\n' : 'Binary:\n');
    const ours = parseRawfile(bytes);
    expect(ours.map((p) => p.name)).toEqual(['Operating Point', 'AC Analysis', 'Transient Analysis']);
    const pairs = pairPlots(ours, runNgspice(path).plots);
    if (typeof pairs === 'string') throw new Error(pairs);
    for (const [mine, theirs] of pairs) {
      expect(mine.vectors.map((v) => v.name).sort()).toEqual(theirs.vectors.map((v) => v.name).sort());
      expect(formatMismatches('post', theirs.name, comparePlots(mine, theirs))).toBe(
        formatMismatches('post', theirs.name, []),
      );
    }
  });

  it('writes nothing for post=0 or without the option, and -r wins over post', async () => {
    expect(await main(['run', deck('a.sp', '.option post=0')], io)).toBe(0);
    expect(existsSync(join(dir, 'a.raw'))).toBe(false);
    expect(await main(['run', deck('b.sp', '')], io)).toBe(0);
    expect(existsSync(join(dir, 'b.raw'))).toBe(false);
    const other = join(dir, 'other.raw');
    expect(await main(['run', deck('c.sp', '.option post=2'), '-r', other], io)).toBe(0);
    expect(existsSync(join(dir, 'c.raw'))).toBe(false);
    expect(readFileSync(other).toString('latin1')).toContain('Binary:\n');
  });

  it('warns with the line for post=csdf and writes no file', async () => {
    const path = deck('d.sp', '* options\n.option reltol=1e-4\n+ post=csdf');
    expect(await main(['run', path], io)).toBe(0);
    expect(existsSync(join(dir, 'd.raw'))).toBe(false);
    expect(err).toContain(`${path}:4:3: warning: .option post=csdf is not supported`);
  });

  it('with .option probe keeps only the .print vectors of each analysis', async () => {
    const path = deck(
      'p.sp',
      '.option post probe',
      '.print tran v(out) i(v1)\n.print ac vdb(out)\n.print tran v(nothere)\n',
    );
    expect(await main(['run', path], io)).toBe(0);
    const plots = parseRawfile(readFileSync(join(dir, 'p.raw')));
    // .op has no .print line: left out, as HSPICE leaves out what was not probed.
    expect(plots.map((p) => [p.name, p.vectors.map((v) => v.name)])).toEqual([
      ['AC Analysis', ['frequency', 'v(out)']],
      ['Transient Analysis', ['time', 'v(out)', 'i(v1)']],
    ]);
    expect(err).toMatch(/p\.sp:\d+:1: warning: \.option probe: '\.print tran v\(nothere\)' names no vector/);
  });

  it('with .option probe keeps the vectors of HSPICE .probe lines, for every analysis when none is named', async () => {
    const path = deck('q.sp', '.option post=2 probe', '.probe v(in)\n.probe ac vp(out)\n.probe v(none)\n');
    expect(await main(['run', path], io)).toBe(0);
    // .probe is understood (no "ignored" warning), and the file holds what it names.
    expect(err).not.toMatch(/\.probe is ignored/);
    const plots = parseRawfile(readFileSync(join(dir, 'q.raw')));
    expect(plots.map((p) => [p.name, p.vectors.map((v) => v.name)])).toEqual([
      ['Operating Point', ['v(in)']],
      ['AC Analysis', ['frequency', 'v(in)', 'v(out)']],
      ['Transient Analysis', ['time', 'v(in)']],
    ]);
    expect(err).toMatch(
      /q\.sp:\d+:1: warning: \.option probe: '\.probe v\(none\)' names no vector of any analysis/,
    );
  });
});
