/**
 * The printed operating point against `ngspice -b DECK` (no rawfile): for every fixture whose only analysis is
 * `.op`, the node table must be line for line what ngspice prints (names, order, 7-digit values), and the
 * source-current table must hold the same lines (ngspice orders branches by its device table; we do not
 * reproduce that order).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { formatOperatingPoint } from '../../src/output/op-table';
import { simulateNetlist } from '../../src/simulate';
import { fixtureDecks } from './fixtures';
import { NGSPICE, requireNgspice } from './ngspice';

const opOnly = fixtureDecks().filter((deck) => {
  const analyses =
    readFileSync(deck, 'utf8').match(/^\s*\.(op|dc|ac|tran|noise|tf|sens|pz|four|step)\b/gim) ?? [];
  return analyses.length === 1 && /\.op/i.test(analyses[0]);
});

/** Includes are read relative to the deck's folder (as differential.test.ts does). */
function fileReaderFor(deckPath: string): (path: string) => string {
  return (path: string) =>
    readFileSync(isAbsolute(path) || existsSync(path) ? path : resolve(dirname(deckPath), path), 'utf8');
}

/** The table's lines: node rows in order, then source rows sorted. */
function table(text: string): { nodes: string[]; sources: string[] } {
  const start = text.indexOf('\tNode ');
  const sourceStart = text.indexOf('\tSource\tCurrent', start);
  const row = /^\t\S+\s+-?\d\.\d+e[-+]\d\d$/;
  const nodes = text
    .slice(start, sourceStart)
    .split('\n')
    .filter((l) => row.test(l));
  const rest = text.slice(sourceStart).split('\n');
  const sources: string[] = [];
  for (const line of rest.slice(3)) {
    if (row.test(line)) sources.push(line);
    else if (line.trim() !== '') break;
  }
  return { nodes, sources: sources.sort() };
}

beforeAll(() => {
  requireNgspice();
});

it('has .op-only fixtures to compare', () => {
  expect(opOnly.length).toBeGreaterThanOrEqual(5);
});

describe.each(opOnly.map((d) => [basename(d), d]))('%s: printed operating point', (_name, deck) => {
  it('matches ngspice -b', () => {
    const run = spawnSync(NGSPICE, ['-b', deck], { cwd: dirname(deck), encoding: 'utf8', timeout: 60_000 });
    const theirs = table(`${run.stdout}`);
    const result = simulateNetlist(readFileSync(deck, 'utf8'), {
      fileName: deck,
      readFile: fileReaderFor(deck),
    });
    const op = result.plots.find((p) => p.name === 'Operating Point');
    if (!op) throw new Error('no operating point plot');
    const ours = table(formatOperatingPoint(op));
    expect(theirs.nodes.length).toBeGreaterThan(0);
    expect(ours).toEqual(theirs);
  });
});
