/** The generated benchmark decks are what they claim and ngspice accepts them as they are. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diodeLadder, inverterChain, parseDeck, rcLadder, rcMesh, type GeneratedDeck } from './circuits';
import { simulateNetlist } from '../simulate';

function ngspiceOp(deck: GeneratedDeck): string {
  const dir = mkdtempSync(join(tmpdir(), 'spicesim-benchdeck-'));
  try {
    writeFileSync(join(dir, 'deck.cir'), deck.text);
    const run = spawnSync(process.env.NGSPICE ?? 'ngspice', ['-b', '-r', join(dir, 'out.raw'), 'deck.cir'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (run.error)
      throw new Error(`ngspice is needed for this test (apt-get install -y ngspice): ${run.error.message}`);
    return `${run.stdout}${run.stderr}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('benchmark decks', () => {
  it('the parse deck has exactly the asked number of lines and no analysis', () => {
    const deck = parseDeck(1000);
    expect(deck.text.trimEnd().split('\n')).toHaveLength(1000);
    expect(deck.text).not.toMatch(/^\.(op|tran|dc|ac)\b/m);
    expect(deck.text).toMatch(/^\+ \{/m);
    expect(deck.text).toMatch(/^X\d+ .* cell /m);
  });

  it('count their nodes', () => {
    expect(rcLadder(100, { kind: 'op' }).nodes).toBe(100);
    expect(rcMesh(71, 71, { kind: 'op' }).nodes).toBe(5041);
    const tran = rcLadder(500, { kind: 'tran', points: 10_000 });
    expect(tran.points).toBe(10_000);
    expect(tran.text).toContain('.tran 1e-8 0.0001 0 1e-8');
  });

  it.each([
    ['ladder', rcLadder(20, { kind: 'op' })],
    ['mesh', rcMesh(4, 5, { kind: 'op' })],
    ['parse', parseDeck(200)],
    ['inverter chain', inverterChain(10, { kind: 'op' })],
    ['diode ladder', diodeLadder(10, { kind: 'op' })],
  ])('ngspice reads the %s deck without complaint', (_name, deck) => {
    const log = ngspiceOp(deck);
    expect(log).not.toMatch(/error|warning|unknown/i);
  });

  it('ngspice writes about the asked number of transient points (tstep = tmax)', () => {
    const log = ngspiceOp(rcLadder(10, { kind: 'tran', points: 2000 }));
    const rows = Number(/No\. of Data Rows : (\d+)/.exec(log)?.[1]);
    expect(rows).toBeGreaterThanOrEqual(2000);
    expect(rows).toBeLessThan(2000 * 1.05);
  });

  it('the nonlinear decks solve: inverters alternate between the rails, diodes conduct', () => {
    const chain = simulateNetlist(inverterChain(10, { kind: 'op' }).text).plots[0];
    for (let k = 1; k <= 10; k++) {
      const v = chain.vectors.find((x) => x.name === `v(n${k})`)!.real[0];
      expect(v).toBeCloseTo(k % 2 === 1 ? 1.8 : 0, 3);
    }
    const ladder = simulateNetlist(diodeLadder(10, { kind: 'op' }).text).plots[0];
    const first = ladder.vectors.find((x) => x.name === 'v(n1)')!.real[0];
    expect(first).toBeGreaterThan(0.5);
    expect(first).toBeLessThan(0.8);
  });
});
