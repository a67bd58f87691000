/**
 * Differential tests: every fixture netlist through ngspice 39 and through SpiceSim's simulateNetlist,
 * compared plot by plot, column order included, and vector by vector (tolerances in compare.ts,
 * DEFAULT_TOLERANCES; a fixture may loosen them with a `* compare: tran reltol=... swing=...` comment, which
 * must say why).
 */
import { readFileSync, existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { simulateNetlist } from '../../src/simulate';
import {
  DEFAULT_TOLERANCES,
  analysisKind,
  canonicalName,
  comparePlots,
  formatMismatches,
  pairPlots,
  type AnalysisKind,
  type Tolerance,
} from './compare';
import { fixtureDecks } from './fixtures';
import { requireNgspice, runNgspice } from './ngspice';

/** Includes are read relative to the deck's folder unless the path already resolves. */
export function fileReaderFor(deckPath: string): (path: string) => string {
  return (path: string) => {
    const candidate = isAbsolute(path) || existsSync(path) ? path : resolve(dirname(deckPath), path);
    return readFileSync(candidate, 'utf8');
  };
}

/** `* compare: tran reltol=2e-2 swing=1e-2` lines in a fixture loosen that analysis's tolerances. */
export function tolerancesFor(deckText: string): Record<AnalysisKind, Tolerance> {
  const result: Record<AnalysisKind, Tolerance> = JSON.parse(JSON.stringify(DEFAULT_TOLERANCES));
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

const decks = fixtureDecks();

beforeAll(() => {
  requireNgspice();
});

describe.each(decks.map((d) => [basename(d), d]))('%s: SpiceSim agrees with ngspice', (name, deck) => {
  it('vector by vector, every analysis', () => {
    const text = readFileSync(deck, 'utf8');
    const reference = runNgspice(deck).plots;
    const ours = simulateNetlist(text, { fileName: deck, readFile: fileReaderFor(deck) }).plots;
    const pairs = pairPlots(ours, reference);
    if (typeof pairs === 'string') throw new Error(`${name}: ${pairs}`);
    const tolerances = tolerancesFor(text);
    const report: string[] = [];
    for (const [mine, theirs] of pairs) {
      const kind = analysisKind(theirs.name);
      const mismatches = comparePlots(mine, theirs, tolerances[kind]);
      // Same columns in the same order as ngspice's rawfile (tools that read columns by position).
      const order = (plot: typeof mine) => plot.vectors.map((v) => canonicalName(v.name)).join(' ');
      if (order(mine) !== order(theirs))
        mismatches.push({ vector: '', message: `columns [${order(mine)}], ngspice [${order(theirs)}]` });
      if (mismatches.length) report.push(formatMismatches(name, theirs.name, mismatches));
    }
    expect(report.join('\n')).toBe('');
  });
});
