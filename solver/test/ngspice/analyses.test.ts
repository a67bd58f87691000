/**
 * Differential tests of the analyses beyond op/dc/ac/tran (.tf, .sens, .noise; .four and .meas in their own
 * blocks): every deck under test/fixtures/analyses runs through ngspice 39 and through simulateNetlist, and
 * every vector SpiceSim writes must exist in ngspice's plot of the same name and agree within the stated
 * tolerance. ngspice's .sens also lists parameters we do not perturb (instance multipliers `_m`, `_scale`,
 * geometry, model parameters); those are listed in the test but not compared.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Plot, Vector } from '../../src/output/plot';
import { simulateNetlist } from '../../src/simulate';
import { requireNgspice, runNgspice } from './ngspice';

export const ANALYSES_DIR = resolve(__dirname, '..', 'fixtures', 'analyses');

/** Relative tolerance per plot, with an absolute floor (reason in the comment). */
const TOLERANCES: Record<string, { reltol: number; abstol: number }> = {
  // One linear solve each in both simulators: rounding only.
  'Transfer Function': { reltol: 1e-9, abstol: 1e-12 },
  // ngspice differentiates with a one-sided difference of relative step 1e-6, we use a central one: its
  // truncation error is ~1e-6 relative, and parameters that do not influence the output come out as ~1e-16 noise.
  'Sensitivity Analysis': { reltol: 1e-5, abstol: 1e-12 },
  // Same linear algebra and the same integration formula as ngspice: rounding only.
  'Noise Spectral Density Curves': { reltol: 1e-9, abstol: 1e-25 },
  'Integrated Noise': { reltol: 1e-9, abstol: 1e-25 },
};

/** Includes are read relative to the deck's folder. */
export function fileReaderFor(deckPath: string): (path: string) => string {
  return (path: string) => {
    const candidate = isAbsolute(path) || existsSync(path) ? path : resolve(dirname(deckPath), path);
    return readFileSync(candidate, 'utf8');
  };
}

function decks(): string[] {
  return readdirSync(ANALYSES_DIR)
    .filter((f) => f.endsWith('.cir'))
    .sort();
}

/**
 * These plots hold named scalars, which ngspice's rawfile wraps as `v(name)` or `i(name)` by type, even with
 * parentheses inside (`v(output_impedance_at_V(out))`): compare the bare names.
 */
function vectorKey(name: string): string {
  const wrapped = /^[vi]\((.*)\)$/i.exec(name);
  return (wrapped ? wrapped[1] : name).toLowerCase();
}

function findVector(plot: Plot, name: string): Vector | undefined {
  const wanted = vectorKey(name);
  return plot.vectors.find((v) => vectorKey(v.name) === wanted);
}

function compareVectors(plotName: string, mine: Vector, theirs: Vector): string[] {
  const { reltol, abstol } = TOLERANCES[plotName];
  const problems: string[] = [];
  if (mine.real.length !== theirs.real.length) {
    return [`${mine.name}: ${mine.real.length} points, ngspice ${theirs.real.length}`];
  }
  for (let k = 0; k < mine.real.length; k++) {
    const a = mine.real[k];
    const b = theirs.real[k];
    if (!(Math.abs(a - b) <= reltol * Math.max(Math.abs(a), Math.abs(b)) + abstol)) {
      problems.push(`${plotName} ${mine.name}[${k}]: ours ${a}, ngspice ${b}`);
    }
  }
  return problems;
}

beforeAll(() => {
  requireNgspice();
});

const deckNames = decks().filter((f) => !f.startsWith('meas_') && !f.startsWith('four_'));

describe.each(deckNames)('%s: SpiceSim agrees with ngspice', (deckName) => {
  it('every vector of every .tf/.sens/.noise plot', () => {
    const deck = join(ANALYSES_DIR, deckName);
    const text = readFileSync(deck, 'utf8');
    const reference = runNgspice(deck).plots;
    const ours = simulateNetlist(text, { fileName: deck, readFile: fileReaderFor(deck) }).plots;
    const compared = ours.filter((p) => p.name in TOLERANCES);
    expect(compared.length).toBeGreaterThan(0);
    const problems: string[] = [];
    let vectors = 0;
    for (const plot of compared) {
      const theirs = reference.find((p) => p.name === plot.name);
      if (!theirs) {
        problems.push(`ngspice has no plot '${plot.name}'`);
        continue;
      }
      for (const vector of plot.vectors) {
        const other = findVector(theirs, vector.name);
        if (!other) {
          problems.push(`${plot.name}: ngspice has no vector '${vector.name}'`);
          continue;
        }
        vectors++;
        problems.push(...compareVectors(plot.name, vector, other));
      }
      if (plot.name === 'Sensitivity Analysis') {
        // Every element value and gain ngspice reports must be ours too (ngspice-only: `_m`, `_scale`, `:`).
        const missing = theirs.vectors
          .map((v) => vectorKey(v.name))
          .filter((name) => !/[:]|_(m|scale|l|w|bv_max)$/.test(name))
          .filter((name) => !findVector(plot, name));
        if (missing.length) problems.push(`sensitivities ngspice reports that we do not: ${missing.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
    expect(vectors).toBeGreaterThan(2);
  });
});
