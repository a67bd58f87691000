/**
 * `spicesim run` on stepped decks with the real simulator: the runs on worker threads (default, -j 2) give the
 * same printout and the same rawfile as --jobs 1 (one after the other in the CLI's thread).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli';
import { parseRawfile } from '../src/output/rawfile';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spicesim-steps-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the CLI; the rawfile comes back without its Date: lines (when each plot was simulated). */
async function run(
  deck: string,
  args: string[],
): Promise<{ code: number; out: string; err: string; raw: string }> {
  let out = '';
  let err = '';
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) };
  const raw = join(dir, `out${args.join('')}.raw`);
  const code = await main(['run', deck, '-r', raw, ...args], io);
  const bytes = readFileSync(raw);
  expect(parseRawfile(bytes).length).toBeGreaterThan(1);
  return {
    code,
    out: out.split(raw).join('OUT'),
    err,
    raw: bytes.toString('latin1').replace(/^Date: .*$/gm, 'Date:'),
  };
}

describe('spicesim run with stepped decks on worker threads', () => {
  it('writes the same output and rawfile with --jobs 1, -j 2 and the default', async () => {
    // A diode stepped over a model parameter and the temperature, and an .include read by every worker.
    writeFileSync(join(dir, 'load.inc'), 'r2 k 0 10k\n');
    const deck = join(dir, 'steps.cir');
    writeFileSync(
      deck,
      [
        'diode steps',
        'v1 a 0 0.7',
        'r1 a k 100',
        'd1 k 0 dmod',
        '.include load.inc',
        '.model dmod d(is=1e-14 n=1)',
        '.step D dmod(Is) list 1e-15 1e-14 1e-13',
        '.step temp list 0 50',
        '.dc v1 0 1 0.05',
        '.meas dc ik find i(v1) at=0.8',
        '.end',
      ].join('\n'),
    );
    const sequential = await run(deck, ['--jobs', '1']);
    expect(sequential.code).toBe(0);
    expect(sequential.out).toContain('Wrote binary rawfile OUT (6 plot(s))');
    expect(sequential.out.match(/^ik\s*=/gm)?.length).toBe(6);
    for (const args of [['-j', '2'], []]) {
      const parallel = await run(deck, args);
      expect(parallel.code).toBe(0);
      expect(parallel.out).toBe(sequential.out);
      expect(parallel.err).toBe(sequential.err);
      expect(parallel.raw).toBe(sequential.raw);
    }
  });

  it('prints a failing step and keeps the others in the rawfile', async () => {
    const deck = join(dir, 'fails.cir');
    writeFileSync(
      deck,
      [
        'rc',
        '.param ts=10u',
        'v1 in 0 1',
        'r1 in out 1k',
        'c1 out 0 1u',
        '.step param ts list 10u 0 20u',
        '.tran {ts} 1m',
        '.end',
      ].join('\n'),
    );
    const results = [await run(deck, ['-j', '1']), await run(deck, ['-j', '2'])];
    for (const result of results) {
      expect(result.code).toBe(2);
      expect(result.err).toMatch(
        /^step 2\/3 \(ts=0\) failed: .*fails\.cir:7:\d+: error: \.tran step must be positive, got 0\n/m,
      );
      expect(result.err).toContain('1 of 3 steps failed; the results hold the other 2\n');
      expect(result.out).toContain('Wrote binary rawfile OUT (2 plot(s))');
    }
    expect(results[1].raw).toBe(results[0].raw);
  });
});
