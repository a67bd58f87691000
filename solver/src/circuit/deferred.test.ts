/**
 * `parseAndElaborate` reads top-level element cards only as it elaborates them (`deferElements`); this must give
 * exactly what parsing everything first gives: the same flat circuit on every fixture deck, the same warnings,
 * and the same error (message and place) for a bad element card.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SpiceError } from '../errors';
import { parseAndElaborate, parseNetlist } from '../netlist';
import { elaborate } from './elaborate';
import type { FlatCircuit } from './flat';

const FIXTURES = resolve(__dirname, '..', '..', 'test', 'fixtures');

function decks(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return decks(path);
    return entry.endsWith('.cir') ? [path] : [];
  });
}

function options(path: string) {
  return {
    fileName: path,
    readFile: (included: string) => readFileSync(resolve(dirname(path), included), 'utf8'),
  };
}

/** Warnings are compared as a sorted list: deferred cards add theirs while elaborating, not before. */
function normalized(flat: FlatCircuit): unknown {
  const diagnostics = flat.diagnostics.map((d) => JSON.stringify(d)).sort();
  return { ...flat, diagnostics };
}

function outcome(run: () => FlatCircuit): unknown {
  try {
    return normalized(run());
  } catch (error) {
    if (!(error instanceof SpiceError)) throw error;
    return { error: error.constructor.name, message: error.message, loc: error.loc };
  }
}

describe('deferred element cards', () => {
  const paths = decks(FIXTURES);

  it('finds the fixture decks', () => {
    expect(paths.length).toBeGreaterThan(30);
  });

  it.each(paths.map((path) => [path.slice(FIXTURES.length + 1), path]))(
    '%s elaborates the same deferred and parsed up front',
    (_name, path) => {
      const text = readFileSync(path, 'utf8');
      const eager = outcome(() => elaborate(parseNetlist(text, options(path))));
      const deferred = outcome(() => parseAndElaborate(text, options(path)));
      expect(deferred).toEqual(eager);
    },
  );

  it('reports a syntax error in an element card with the same message and place', () => {
    const text = 'title\nV1 in 0 1\nR1 in out 1k\nR2 out\nC1 out 0 1n\n.op\n.end\n';
    const eager = outcome(() => elaborate(parseNetlist(text)));
    const deferred = outcome(() => parseAndElaborate(text));
    expect(deferred).toMatchObject({ error: 'ParseError', loc: { line: 4 } });
    expect(deferred).toEqual(eager);
  });

  it('keeps the warnings of element cards read late', () => {
    const text = 'title\nV1 in 0 1\nI1 in 0\n.model dmod d\n.foo bar\nR1 in 0 1k\n.op\n.end\n';
    const eager = elaborate(parseNetlist(text));
    const deferred = parseAndElaborate(text);
    expect(deferred.diagnostics.map((d) => d.message)).toEqual(
      expect.arrayContaining([
        "unknown statement '.foo' ignored",
        'i1 has no value: DC 0 assumed (as ngspice does)',
      ]),
    );
    expect(normalized(deferred)).toEqual(normalized(eager));
  });

  it('reads subcircuit bodies up front and instances in order', () => {
    const text = [
      'title',
      'X1 a 0 cell r=2k',
      '.subckt cell p q r=1k',
      'R1 p q {r}',
      '.ends',
      'V1 a 0 1',
      'X2 a 0 cell',
      '.op',
      '.end',
    ].join('\n');
    const flat = parseAndElaborate(text);
    expect(flat.elements.map((e) => [e.name, e.value])).toEqual([
      ['r.x1.r1', 2000],
      ['v1', undefined],
      ['r.x2.r1', 1000],
    ]);
    expect(normalized(flat)).toEqual(normalized(elaborate(parseNetlist(text))));
  });
});
