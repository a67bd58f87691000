/**
 * Differential tests of the nonlinear devices: every netlist under solver/test/fixtures/nonlinear through
 * ngspice 39 and through SpiceSim, compared plot by plot and vector by vector with the shared harness
 * (compare.ts, ngspice.ts).
 *
 * Tolerances: a nonlinear operating point is the end of a Newton iteration that both simulators stop at
 * reltol=1e-3 of the last update (|Δv| <= 1e-3·|v| + vntol), so the two answers agree to that, not to
 * rounding as linear circuits do (checked: with .options reltol=1e-7 the diode decks agree to 4e-8). A fixture may loosen them with a
 * `* compare: <analysis> reltol=... swing=... vabstol=... iabstol=...` line, which must say why.
 *
 * Device-internal nodes (behind series resistances, named `<device>#...`) are not output by ngspice; our
 * simulator currently outputs them, so they are dropped from our plots before comparing.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { simulateNetlist } from '../../src/simulate';
import type { Plot } from '../../src/output/plot';
import { type AnalysisKind, type Tolerance, analysisKind, comparePlots, formatMismatches, pairPlots } from './compare';
import { requireNgspice, runNgspice } from './ngspice';

const NONLINEAR_DIR = resolve(__dirname, '..', 'fixtures', 'nonlinear');

export const NONLINEAR_TOLERANCES: Record<AnalysisKind, Tolerance> = {
  op: { reltol: 1e-3, abstol: { voltage: 1e-5, current: 1e-9, other: 1e-6 } },
  dc: { reltol: 1e-3, abstol: { voltage: 1e-5, current: 1e-9, other: 1e-6 } },
  ac: { reltol: 1e-3, abstol: { voltage: 1e-9, current: 1e-12, other: 1e-9 }, phaseDegrees: 0.1 },
  tran: { reltol: 1e-2, abstol: { voltage: 1e-4, current: 1e-7, other: 1e-4 }, swing: 1e-2 },
};

function decks(): string[] {
  return readdirSync(NONLINEAR_DIR)
    .filter((f) => f.endsWith('.cir'))
    .sort()
    .map((f) => join(NONLINEAR_DIR, f));
}

function fileReaderFor(deckPath: string): (path: string) => string {
  return (path: string) => {
    const candidate = isAbsolute(path) || existsSync(path) ? path : resolve(dirname(deckPath), path);
    return readFileSync(candidate, 'utf8');
  };
}

function tolerancesFor(deckText: string): Record<AnalysisKind, Tolerance> {
  const result: Record<AnalysisKind, Tolerance> = JSON.parse(JSON.stringify(NONLINEAR_TOLERANCES));
  for (const match of deckText.matchAll(/^\*\s*compare:\s*(op|dc|ac|tran)\s+(.*)$/gim)) {
    const tol = result[match[1].toLowerCase() as AnalysisKind];
    for (const [, key, value] of match[2].matchAll(/(\w+)=(\S+)/g)) {
      const n = Number(value);
      if (key === 'reltol' || key === 'swing' || key === 'phaseDegrees') tol[key] = n;
      else if (key === 'vabstol') tol.abstol.voltage = n;
      else if (key === 'iabstol') tol.abstol.current = n;
    }
  }
  return result;
}

/** Our plot without device-internal node voltages (see the file comment). */
function withoutInternalNodes(plot: Plot): Plot {
  return { ...plot, vectors: plot.vectors.filter((v) => !/#(?!branch)/.test(v.name)) };
}

beforeAll(() => {
  requireNgspice();
});

it('has at least 17 nonlinear fixture netlists', () => {
  expect(decks().length).toBeGreaterThanOrEqual(17);
});

describe.each(decks().map((d) => [basename(d), d]))('%s: SpiceSim agrees with ngspice', (name, deck) => {
  it('vector by vector, every analysis', () => {
    const text = readFileSync(deck, 'utf8');
    const reference = runNgspice(deck).plots;
    const ours = simulateNetlist(text, { fileName: deck, readFile: fileReaderFor(deck) }).plots.map(withoutInternalNodes);
    const pairs = pairPlots(ours, reference);
    if (typeof pairs === 'string') throw new Error(`${name}: ${pairs}`);
    const tolerances = tolerancesFor(text);
    const report: string[] = [];
    for (const [mine, theirs] of pairs) {
      const mismatches = comparePlots(mine, theirs, tolerances[analysisKind(theirs.name)]);
      if (mismatches.length) report.push(formatMismatches(name, theirs.name, mismatches));
    }
    expect(report.join('\n')).toBe('');
  });
});
