/**
 * The CLI on decks that users break, and on command lines they get wrong: each gives the exit status of the
 * contract (1 simulation failed, 2 bad input), a message naming file:line:column, the element or node, and
 * what to do, and never a stack trace. Where ngspice accepts a deck and goes on, so do we.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli';
import { parseRawfile } from '../src/output/rawfile';
import { FIXTURES_DIR } from './ngspice/fixtures';

let dir: string;
let out: string;
let err: string;
const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spicesim-bad-'));
  out = '';
  err = '';
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function deck(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(text: string, ...flags: string[]): Promise<number> {
  return main(['run', deck('deck.cir', text), ...flags], io);
}

/** No stack trace, no internal error. */
function clean(): void {
  expect(err).not.toMatch(/\n\s+at /);
  expect(err).not.toMatch(/internal error/);
}

describe('bad decks: exit status and message', () => {
  // [what, deck, exit status, message pattern (deck.cir:line:column first when it applies)]
  it.each<[string, string, number, RegExp]>([
    [
      'a current-source node with only a capacitor',
      'ic\nI1 0 a 1m\nC1 a 0 1n\n.op\n.end\n',
      1,
      /deck\.cir:2:1: error: singular matrix: node 'a' cannot be solved for\n {2}hint: node 'a' may be floating: it connects only to i1 \(\S+deck\.cir:2:1\) and c1 \(\S+deck\.cir:3:1\)/,
    ],
    [
      'two voltage sources in parallel',
      'v\nV1 a 0 1\nV2 a 0 2\nR1 a 0 1k\n.op\n.end\n',
      1,
      /deck\.cir:2:1: error: singular matrix: the branch current of v1 .*\n {2}hint: v1 is in parallel with v2 \(\S+deck\.cir:3:1\)/,
    ],
    [
      'two inductors in parallel',
      'l\nV1 a 0 1\nR1 a b 1k\nL1 b 0 1m\nL2 b 0 1m\n.op\n.end\n',
      1,
      /deck\.cir:4:1: error: .*l1.*\n {2}hint: l1 is in parallel with l2/,
    ],
    [
      'a voltage source shorted on itself',
      'vs\nV1 a a 1\nR1 a 0 1k\n.op\n.end\n',
      2,
      /deck\.cir:2:1: error: voltage source v1 is shorted: both its terminals are node 'a'/,
    ],
    [
      'no ground',
      'ng\nV1 a b 1\nR1 a b 1k\n.op\n.end\n',
      2,
      /deck\.cir:2:1: error: no element connects to ground \(node 0\)\n {2}hint: /,
    ],
    [
      'a B source reading a node nothing connects to',
      'b\nV1 a 0 1\nB1 b 0 V=v(zz)*2\nR1 b 0 1k\n.op\n.end\n',
      2,
      /deck\.cir:3:10: error: b1 reads v\(zz\), but no element connects to node 'zz'/,
    ],
    [
      'a model parameter that makes a device compute NaN (BJT IS=0)',
      'q\nVCC vcc 0 5\nRC vcc c 1k\nRB vcc b 47k\nQ1 c b 0 qn\n.model qn NPN(IS=0 BF=100)\n.op\n.end\n',
      1,
      /error: the circuit equations hold NaN or Infinity at node '\w+'.*\n {2}hint: check the values and model parameters of .*q1 \(\S+deck\.cir:5:1\)/,
    ],
    [
      'a number and its unit suffix separated by a space',
      'sm\nV1 in 0 1\nR1 in 0 5 meg\n.op\n.end\n',
      2,
      /deck\.cir:3:11: error: model 'meg' used by r1 is not defined\n {2}hint: 'meg' looks like a unit suffix/,
    ],
    [
      'a misspelt model name',
      't\n.model dmod d\nV1 a 0 1\nR1 a b 1k\nD1 b 0 dmdo\n.op\n.end\n',
      2,
      /deck\.cir:5:8: error: model 'dmdo' used by d1 is not defined\n {2}hint: did you mean 'dmod'\?/,
    ],
    [
      'an operating point that does not converge (100 V straight across a diode)',
      'nc\n.model dd d is=1e-14\nV1 a 0 100\nD1 a 0 dd\n.op\n.end\n',
      1,
      /deck\.cir:3:1: error: DC operating point did not converge .*\n {2}hint: look at v1 \(\S+deck\.cir:3:1\) and d1 \(\S+deck\.cir:4:1\); .*add series resistance/,
    ],
    [
      'a decimal comma',
      'x\nV1 a 0 1\nR1 a 0 1,5k\n.op\n.end\n',
      2,
      /deck\.cir:3:10: error: unexpected '5k' in element r1: expected name=value\n {2}hint: SPICE writes decimals with a point/,
    ],
    ['an empty file', '', 2, /deck\.cir:1:1: error: the deck is empty/],
    [
      'a title and nothing else',
      'just a title\n',
      2,
      /deck\.cir:1:1: error: the deck has no circuit elements, only the title line 'just a title'/,
    ],
    [
      '.dc with a step of the wrong sign',
      'd\nV1 a 0 1\nR1 a 0 1k\n.dc V1 1 0 0.1\n.end\n',
      2,
      /deck\.cir:4:1: error: .dc v1 1 0 0.1: a step of 0.1 never reaches 0 from 1\n {2}hint: use the step -0.1/,
    ],
    [
      '.dc with 10^12 points',
      'd\nV1 a 0 1\nR1 a 0 1k\n.dc V1 0 1 1e-12\n.end\n',
      2,
      /deck\.cir:4:1: error: .dc sweep needs at least 1e\+12 points, more than the 10,000,000/,
    ],
    [
      '.ac with fstop below fstart',
      'a\nV1 a 0 AC 1\nR1 a b 1k\nC1 b 0 1n\n.ac dec 10 1meg 1\n.end\n',
      2,
      /deck\.cir:5:1: error: .ac stop frequency 1 is below the start frequency 1e\+6\n {2}hint: write the start frequency first: .ac dec 10 1 1e\+6/,
    ],
    [
      '.tran whose step would need 10^15 points (ngspice runs for ever)',
      't\nV1 a 0 1\nR1 a b 1k\nC1 b 0 1n\n.tran 1e-15 1\n.end\n',
      2,
      /deck\.cir:5:1: error: .tran with a largest step of 1e-15 s .* needs at least 1e\+15 points/,
    ],
    [
      'PWL time points going back',
      'p\nV1 a 0 PWL(0 0 2u 1 1u 0)\nR1 a 0 1k\n.tran 1n 3u\n.end\n',
      2,
      /deck\.cir:2:1: error: PWL of v1 goes back in time: point 3 is at 1e-6 s, after a point at 2e-6 s/,
    ],
    [
      'an include that is binary',
      'i\n.include /bin/sh\nV1 a 0 1\nR1 a 0 1k\n.op\n.end\n',
      2,
      /deck\.cir:2:10: error: cannot read '\/bin\/sh': it holds binary data/,
    ],
    [
      'an include that is a folder',
      `i\n.include ${tmpdir()}\nV1 a 0 1\nR1 a 0 1k\n.op\n.end\n`,
      2,
      /deck\.cir:2:10: error: cannot read '.*': it is a folder, not a file/,
    ],
    [
      'an include that does not exist',
      'i\n.include nothere.lib\nV1 a 0 1\nR1 a 0 1k\n.op\n.end\n',
      2,
      /deck\.cir:2:10: error: cannot read '\S*nothere\.lib': no such file\n {2}hint: /,
    ],
  ])('%s', async (_what, text, status, message) => {
    expect(await run(text)).toBe(status);
    expect(err).toMatch(message);
    clean();
  });

  it('suggests the analysis a misspelt dot-command was meant to be', async () => {
    expect(await run('typo\nV1 in 0 1\nR1 in 0 1k\n.trna 1u 1m\n.end\n')).toBe(0);
    expect(err).toMatch(
      /deck\.cir:4:1: warning: unknown statement '\.trna' ignored \(did you mean '\.tran'\?\)\n/,
    );
    expect(err).toMatch(/warning: the deck has no analysis, so nothing was simulated/);
  });

  it('warns about a numeric option given a word, with its line and column, and goes on as ngspice does', async () => {
    expect(await run('o\n.options reltol=abc gmin=1e-12 temp\nV1 a 0 1\nR1 a 0 1k\n.op\n.end\n')).toBe(0);
    expect(err).toMatch(
      /deck\.cir:2:10: warning: option reltol needs a number, got 'abc': ignored, the default is used/,
    );
    expect(err).toMatch(/deck\.cir:2:32: warning: option temp needs a number, got no value/);
    expect(err).not.toMatch(/gmin/);
    expect(out).toContain('\ta                                1.000000e+00\n');
  });

  it('warns about an unknown integration method, with the likely one', async () => {
    expect(await run('m\n.options method=geer\nV1 a 0 1\nR1 a b 1k\nC1 b 0 1n\n.tran 1u 10u\n.end\n')).toBe(
      0,
    );
    expect(err).toMatch(
      /deck\.cir:2:10: warning: option method=geer is not an integration method SpiceSim knows: trap \(the default\) is used \(did you mean method=gear\?\)/,
    );
  });

  it('names characters pasted from documents (non-breaking space, micro sign, typographic quotes)', async () => {
    expect(
      await run('u\nV1 a 0 1\nR1 a\u00a00 1k\nC1 a 0 1\u00b5\n* 10\u00b5F in a comment is fine\n.op\n.end\n'),
    ).toBe(2);
    expect(err).toMatch(
      /deck\.cir:3:5: warning: '\u00a0' \(U\+00A0\) is a non-breaking space: .* type a normal space\n/,
    );
    expect(err).toMatch(/deck\.cir:4:9: warning: '\u00b5' \(U\+00B5\) is the micro sign: write u for micro/);
    expect(err).not.toMatch(/deck\.cir:5:/);
    err = '';
    expect(await run('q\n.param r=1k\nV1 a 0 1\nR1 a 0 \u2018r*2\u2019\n.op\n.end\n')).toBe(2);
    expect(err).toMatch(
      /deck\.cir:4:8: error: unexpected character '\u2018' in expression\n {2}hint: a typographic quote: use the plain ASCII quote '/,
    );
    clean();
  });

  it('warns once, with its line, about an initial condition on a node nothing connects to', async () => {
    expect(await run('i\nV1 a 0 1\nR1 a b 1k\nC1 b 0 1n\n.ic v(zz)=1\n.tran 1u 10u\n.end\n')).toBe(0);
    expect(err).toMatch(/^\S+deck\.cir:5:7: warning: \.ic names node 'zz', which no element connects to\n$/);
  });

  it('says so when the deck has no analysis, and exits 0 as ngspice does', async () => {
    expect(await run('na\nV1 in 0 1\nR1 in 0 1k\n.end\n')).toBe(0);
    expect(err).toMatch(/warning: the deck has no analysis, so nothing was simulated\n {2}hint: add one/);
  });

  it('keeps equal PWL time points (a step), as ngspice does', async () => {
    expect(await run('p\nV1 a 0 PWL(0 0 1u 0 1u 1 2u 1)\nR1 a 0 1k\n.tran 0.1u 3u\n.end\n')).toBe(0);
    clean();
  });

  it('reads CRLF line endings, a UTF-8 byte order mark and tabs', async () => {
    const text = '\ufeffcrlf\r\nV1\tin\t0\t1\r\nR1 in out 1k\r\nR2 out 0 2k\r\n.op\r\n.end\r\n';
    expect(await run(text)).toBe(0);
    expect(out).toContain('Circuit: crlf\n');
    expect(out).toContain('\tout                              6.666667e-01\n');
  });
});

describe('a simulation that fails part way', () => {
  it('prints and writes what was computed before the failure, then the error (exit 1)', async () => {
    // The B source has no solution once v(a) passes 0.5 V (1/(v(b)-v(a)) into 1k): the transient stops there.
    const text =
      'fails midway\nV1 in 0 PULSE(0 1 2u 1n 1n 10u 20u)\nR1 in a 1k\nC1 a 0 1n\n' +
      'B1 b 0 I=v(a)>0.5 ? 1/(v(b)-v(a)) : 0\nR2 b 0 1k\n.op\n.tran 10n 10u\n.end\n';
    const raw = join(dir, 'out.raw');
    expect(await run(text, '-r', raw)).toBe(1);
    expect(out).toContain('\tin                               0.000000e+00\n');
    expect(out).toMatch(/Transient Analysis: \d+ points, 5 vectors\nWrote binary rawfile/);
    expect(err).toMatch(
      /deck\.cir:5:1: error: timestep too small at t = 2\.69\d*e-6 s: .*node 'b'\n {2}hint: look at b1 \(\S+deck\.cir:5:1\) and r2 \(\S+deck\.cir:6:1\); look for discontinuities/,
    );
    expect(err).toMatch(
      /the results above are those computed before the failure \(Operating Point, Transient Analysis\)/,
    );
    const plots = parseRawfile(readFileSync(raw));
    expect(plots.map((p) => p.name)).toEqual(['Operating Point', 'Transient Analysis']);
    const time = plots[1].vectors[0].real;
    expect(time[time.length - 1]).toBeGreaterThan(2.6e-6);
    expect(time[time.length - 1]).toBeLessThan(2.8e-6);
    clean();
  });

  it('keeps the deck warnings when it fails before any result', async () => {
    expect(await run('w\nV1 a 0 1\nR1 a 0 1k\nC1 b 0 1n\n.opp\n.op\n.end\n')).toBe(1);
    expect(err).toMatch(
      /deck\.cir:5:1: warning: unknown statement '\.opp' ignored \(did you mean '\.op'\?\)\n.*deck\.cir:4:1: error: singular matrix: node 'b'/s,
    );
  });
});

describe('stepped decks', () => {
  it('print an error that every step repeats once, then refer to it', async () => {
    const text = 's\n.param r=1k\nV1 a 0 1\nR1 a b {r}\nC1 b c 1n\n.step param r list 1k 2k 3k\n.op\n.end\n';
    expect(await run(text, '-j', '1')).toBe(1);
    expect(err.match(/singular matrix: node 'c'/g)).toHaveLength(1);
    expect(err).toContain('step 2/3 (r=2000) failed: the same error as step 1\n');
    expect(err).toMatch(/step 3\/3 \(r=3000\) failed: the same error as step 1\nall 3 steps failed\n$/);
  });
});

describe('files that are not netlists', () => {
  it('a binary file', async () => {
    const path = deck('prog.cir', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 10, 0]));
    expect(await main(['run', path], io)).toBe(2);
    expect(err).toMatch(/cannot read deck '\S+prog\.cir': it holds binary data \(a NUL byte on line 1\)/);
    clean();
  });

  it('an endless device file (/dev/zero) stops at once instead of reading for ever', async () => {
    if (!existsSync('/dev/zero')) return;
    expect(await main(['run', '/dev/zero'], io)).toBe(2);
    expect(err).toMatch(/cannot read deck '\/dev\/zero': it holds binary data/);
  });

  it('a rawfile', async () => {
    const raw = join(dir, 'out.raw');
    expect(await main(['run', join(FIXTURES_DIR, 'divider_op.cir'), '-r', raw], io)).toBe(0);
    err = '';
    expect(await main(['run', raw], io)).toBe(2);
    expect(err).toMatch(
      /it is a rawfile \(simulation output\), not a netlist\n {2}hint: give the deck that produced it/,
    );
  });

  it('a folder, and a file that does not exist', async () => {
    expect(await main(['run', dir], io)).toBe(2);
    expect(err).toMatch(/cannot read deck '.*': it is a folder, not a file/);
    expect(await main(['run', join(dir, 'nope.cir')], io)).toBe(2);
    expect(err).toMatch(/cannot read deck '.*nope\.cir': no such file/);
    clean();
  });
});

describe('command line misuse', () => {
  const divider = join(FIXTURES_DIR, 'divider_op.cir');

  it.each<[string[], RegExp]>([
    [['run', divider, '--bogus'], /^error: unknown option '--bogus'\n\nUsage: spicesim run DECK/],
    [['run', divider, '-r'], /^error: option -r, --rawfile needs a value\n/],
    [['run'], /^error: missing DECK/],
    [['frobnicate'], /^error: unknown command 'frobnicate'/],
    [['run', divider, '-j', '0'], /^error: --jobs must be a whole number of at least 1, not '0'/],
    [['run', divider, '--ascii'], /^error: --ascii only applies to a rawfile/],
  ])('%j', async (argv, message) => {
    expect(await main(argv, io)).toBe(2);
    expect(err).toMatch(message);
    expect(err).toMatch(/Run 'spicesim --help'/);
  });

  it('checks output paths before simulating, so nothing is computed for nothing', async () => {
    const missing = join(dir, 'no', 'such', 'x.raw');
    expect(await main(['run', divider, '-r', missing], io)).toBe(2);
    expect(err).toMatch(
      /^error: cannot write rawfile '\S+x\.raw': the folder \S+such does not exist\n {2}hint: create it first/,
    );
    expect(out).toBe('');
    err = '';
    expect(await main(['run', divider, '--csv', dir], io)).toBe(2);
    expect(err).toMatch(
      /^error: cannot write CSV file '.*': it is a folder\n {2}hint: name a file, e.g. \S+out\.csv/,
    );
    expect(out).toBe('');
  });

  it('piped into a reader that stops early (| head): no EPIPE stack trace, and the rawfile is still written', () => {
    const bin = join(__dirname, '..', 'bin', 'spicesim.js');
    if (!existsSync(join(__dirname, '..', 'dist', 'cli.js'))) return; // the bin runs the build output
    const lines = ['piped', 'V1 a 0 1'];
    for (let k = 1; k <= 2000; k++) lines.push(`R${k} a n${k} 1k`, `R${k}b n${k} 0 1k`);
    const path = deck('big.cir', `${lines.join('\n')}\n.op\n.end\n`);
    const raw = join(dir, 'big.raw');
    const result = spawnSync(
      'bash',
      ['-c', `node "${bin}" run "${path}" -r "${raw}" | head -c 10 >/dev/null`],
      {
        encoding: 'utf8',
      },
    );
    expect(result.stderr).toBe('');
    expect(parseRawfile(readFileSync(raw))[0].vectors.length).toBe(2002); // a, n1..n2000, v1#branch
  });

  it('never writes an output over the deck', async () => {
    const path = deck('keep.cir', 'keep\nV1 a 0 1\nR1 a 0 1k\n.op\n.end\n');
    expect(await main(['run', path, '-r', path], io)).toBe(2);
    expect(err).toMatch(/^error: -r \S+keep\.cir would overwrite the deck itself\n {2}hint: /);
    expect(await main(['run', path, '--csv', path], io)).toBe(2);
    expect(readFileSync(path, 'utf8')).toBe('keep\nV1 a 0 1\nR1 a 0 1k\n.op\n.end\n');
  });

  it('writes the other outputs when one cannot be written', async () => {
    // .option post writes next to the deck: make that path a folder so only that write fails.
    const path = deck('post.cir', 'post\n.option post\nV1 a 0 1\nR1 a 0 1k\n.op\n.end\n');
    mkdirSync(join(dir, 'post.raw'));
    const csv = join(dir, 'post.csv');
    expect(await main(['run', path, '--csv', csv], io)).toBe(2);
    expect(err).toMatch(/error: cannot write rawfile \(.option post\) '\S+post\.raw': it is a folder/);
    expect(out).toContain('a                                1.000000e+00');
    expect(existsSync(csv)).toBe(true);
    expect(readFileSync(csv, 'utf8')).toMatch(/^v\(a\),i\(v1\)\n1,/);
    clean();
  });

  it('a .meas written wrongly is an error with its line, the rest is still written, and the exit status is 2', async () => {
    const raw = join(dir, 'meas.raw');
    const text =
      'meas\nV1 a 0 sin(0 1 1k)\nR1 a 0 1k\n.tran 1u 2m\n.meas tran vmax MAX\n.meas tran vpk MAX v(a)\n.end\n';
    expect(await run(text, '-r', raw)).toBe(2);
    expect(err).toMatch(/deck\.cir:5:1: error: \.meas: missing signal/);
    expect(err).toMatch(/a statement of the deck could not be carried out \(see above\)/);
    expect(out).toMatch(/vpk\s+=\s+9\.99\d*e-01/);
    expect(parseRawfile(readFileSync(raw))[0].name).toBe('Transient Analysis');
    clean();
  });
});
