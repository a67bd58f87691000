/**
 * Fuzzing the whole path a user's deck takes (parse, elaborate, check, build devices, simulate) with
 * mutations of the real fixture decks: deleted and inserted text, dropped and doubled lines, numbers
 * replaced by odd values, nodes renamed. Every deck must either simulate or fail with a typed SpiceError
 * (never another exception), in bounded time, and a deck that simulates must not produce NaN silently.
 * Analyses are shortened (few points) so the runs stay fast.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import type { FlatCircuit } from '../src/circuit/flat';
import { SpiceError } from '../src/errors';
import { parseAndElaborate } from '../src/netlist';
import { simulateCircuit } from '../src/simulate';
import { includeReader } from '../src/step-pool';
import { FIXTURES_DIR } from './ngspice/fixtures';

const DECKS = ['', 'nonlinear', 'analyses']
  .flatMap((sub) =>
    readdirSync(join(FIXTURES_DIR, sub))
      .filter((f) => f.endsWith('.cir'))
      .map((f) => join(FIXTURES_DIR, sub, f)),
  )
  .sort();
const TEXTS = new Map(DECKS.map((path) => [path, readFileSync(path, 'utf8')]));

/** The files a deck's .include/.lib lines name (quoted or not; `.lib section` lines name none). */
function includedFiles(text: string): string[] {
  const files: string[] = [];
  for (const [, rest] of text.matchAll(/^\s*\.(?:include|inc|lib)\s+(.+)$/gim)) {
    const quoted = /^(["'])(.*?)\1/.exec(rest);
    const file = quoted ? quoted[2] : rest.split(/\s+/)[0];
    if (/[/.]/.test(file)) files.push(file);
  }
  return files;
}

/** Decks whose included files are all there (vendor models live outside the repository). */
const AVAILABLE = DECKS.filter((path) =>
  includedFiles(TEXTS.get(path)!).every((file) => existsSync(resolve(dirname(path), file))),
);

/** Keep the analyses short: few sweep points, few frequencies, a short transient. */
function shorten(flat: FlatCircuit): void {
  flat.analyses = flat.analyses.flatMap((card) => {
    switch (card.kind) {
      case 'op':
        return [card];
      case 'dc':
        return [
          {
            ...card,
            sweeps: card.sweeps.map((s) =>
              Math.abs((s.stop - s.start) / s.step) > 10 ? { ...s, step: (s.stop - s.start) / 10 } : s,
            ),
          },
        ];
      case 'ac':
        return [
          { ...card, points: Math.min(card.points, 3), fstop: Math.min(card.fstop, card.fstart * 1e3) },
        ];
      case 'tran': {
        const { tmax: _, ...rest } = card;
        return [{ ...rest, tstop: card.tstart + Math.min(card.tstop - card.tstart, 40 * card.tstep) }];
      }
      default:
        return [];
    }
  });
}

interface Outcome {
  kind: 'ok' | 'error';
  /** Vectors holding NaN in a result that claims success. */
  nan: string[];
}

function simulateDeck(text: string, file: string): Outcome {
  try {
    const flat = parseAndElaborate(text, { fileName: file, readFile: includeReader(file) });
    shorten(flat);
    const steps = simulateCircuit(flat, { fileName: file });
    let next = steps.next();
    while (!next.done) next = steps.next();
    const nan = next.value.plots.flatMap((plot) =>
      plot.vectors.filter((v) => v.real.some(Number.isNaN)).map((v) => `${plot.name}: ${v.name}`),
    );
    return { kind: 'ok', nan };
  } catch (error) {
    if (!(error instanceof SpiceError)) {
      throw new Error(`${file}: ${String(error)}\n--- deck ---\n${text}`, { cause: error });
    }
    expect(error.loc === undefined || (error.loc.line >= 1 && error.loc.column >= 1)).toBe(true);
    return { kind: 'error', nan: [] };
  }
}

const ODD_VALUES = ['0', '-1', '1e30', '1e-30', '-1e-30', 'x', '{1/0}', '{0}', '1meg', '1e-300', '{-0}'];
const ODD_NODES = ['0', 'gnd', 'nowhere', 'in', 'out'];
const TOKENS = ['(', ')', '{', '}', "'", '=', ',', '+', '\n', '\n+', ' 0 ', '.ends', '.end', 'x1', ' ic=0 '];

type Mutation =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'dropLine' | 'doubleLine'; at: number }
  | { kind: 'value'; at: number; value: string }
  | { kind: 'node'; at: number; node: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constantFrom('dropLine' as const, 'doubleLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('value' as const), at: fc.nat(), value: fc.constantFrom(...ODD_VALUES) }),
  fc.record({ kind: fc.constant('node' as const), at: fc.nat(), node: fc.constantFrom(...ODD_NODES) }),
);

function mutate(text: string, m: Mutation): string {
  const lines = text.split('\n');
  switch (m.kind) {
    case 'delete': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + text.slice(at + m.length);
    }
    case 'insert': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case 'dropLine':
    case 'doubleLine': {
      const line = 1 + (m.at % Math.max(1, lines.length - 1));
      lines.splice(
        line,
        m.kind === 'dropLine' ? 1 : 0,
        ...(m.kind === 'doubleLine' ? [lines[line] ?? ''] : []),
      );
      return lines.join('\n');
    }
    case 'value': {
      // The k-th number of the deck (after the title line).
      const numbers = [...text.matchAll(/(?<=[\s=(,])[-+]?\d+(\.\d*)?(e[-+]?\d+)?[a-z]*/gi)].filter(
        (match) => match.index > lines[0].length,
      );
      if (numbers.length === 0) return text;
      const match = numbers[m.at % numbers.length];
      return text.slice(0, match.index) + m.value + text.slice(match.index + match[0].length);
    }
    case 'node': {
      // The second word of an element line: its first node.
      const elements = lines
        .map((l, k) => [l, k] as const)
        .filter(([l, k]) => k > 0 && /^[rclvideghq]\S*\s+\S+/i.test(l));
      if (elements.length === 0) return text;
      const [line, k] = elements[m.at % elements.length];
      lines[k] = line.replace(/^(\S+\s+)\S+/, `$1${m.node}`);
      return lines.join('\n');
    }
  }
}

describe('fuzzing the fixture decks through the simulator', () => {
  it(`finds the fixture decks (${DECKS.length}) simulating as they are`, () => {
    expect(AVAILABLE.length).toBeGreaterThan(60);
    const failed = AVAILABLE.filter((path) => simulateDeck(TEXTS.get(path)!, path).kind !== 'ok');
    expect(failed).toEqual([]);
  });

  it('mutated decks give a result or a typed error, quickly, and no silent NaN', () => {
    const counts = { ok: 0, error: 0 };
    const nans: string[] = [];
    let slowest = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...AVAILABLE),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (path, ms) => {
          const text = ms.reduce(mutate, TEXTS.get(path)!);
          if (process.env.FUZZ_TRACE) writeFileSync(process.env.FUZZ_TRACE, `${path}\n${text}`);
          const started = performance.now();
          const outcome = simulateDeck(text, path);
          slowest = Math.max(slowest, performance.now() - started);
          counts[outcome.kind]++;
          if (outcome.nan.length) nans.push(`${path}: ${outcome.nan.join(', ')}\n${text}`);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: Number(process.env.FUZZ_SEED ?? 20261125) },
    );
    // Both outcomes are reached: the mutations are neither all harmless nor all fatal.
    if (process.env.FUZZ_RUNS) console.log(counts, slowest);
    expect(counts.ok).toBeGreaterThan(30);
    expect(counts.error).toBeGreaterThan(30);
    expect(nans).toEqual([]);
    expect(slowest).toBeLessThan(5000);
  });
});
