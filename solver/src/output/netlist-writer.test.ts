/**
 * Export round trips on every golden netlist under test/fixtures (folders included):
 *   parse -> FlatCircuit -> writeNetlist -> parse gives the same FlatCircuit (source locations aside), and
 *   ngspice runs the exported deck unchanged with the same results as the original deck.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { FlatCircuit } from '../circuit/flat';
import { parseAndElaborate } from '../netlist';
import { parseRawfile } from './rawfile';
import type { Plot } from './plot';
import { expression, writeNetlist } from './netlist-writer';

const FIXTURES = resolve(__dirname, '..', '..', 'test', 'fixtures');

function decks(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'lib' ? [] : decks(path);
      return name.endsWith('.cir') ? [path] : [];
    });
}

function parse(text: string, deck: string): FlatCircuit {
  return parseAndElaborate(text, {
    fileName: deck,
    readFile: (path) =>
      readFileSync(isAbsolute(path) || existsSync(path) ? path : resolve(dirname(deck), path), 'utf8'),
  });
}

/** The circuit as plain data without source locations (and without the parser's warnings). */
function comparable(flat: FlatCircuit): unknown {
  return JSON.parse(
    JSON.stringify(
      {
        ...flat,
        diagnostics: undefined,
        models: [...flat.models],
        initialConditions: [...flat.initialConditions],
        nodesets: [...flat.nodesets],
        parameters: [...flat.parameters],
      },
      (key, value) => (key === 'loc' ? undefined : value),
    ),
  );
}

/** Decks our parser reads (a few vendor-model decks of a colleague's work in progress may not parse yet). */
const all = decks(FIXTURES).filter((deck) => {
  try {
    parse(readFileSync(deck, 'utf8'), deck);
    return true;
  } catch {
    return false;
  }
});

it('covers the fixture decks', () => {
  expect(all.length).toBeGreaterThanOrEqual(60);
});

describe.each(all.map((deck) => [relative(FIXTURES, deck), deck]))('%s', (_name, deck) => {
  it('parse -> export -> parse keeps the circuit identical', () => {
    const original = parse(readFileSync(deck, 'utf8'), deck);
    const exported = writeNetlist(original);
    const again = parse(exported, join(dirname(deck), 'exported.cir'));
    expect(comparable(again)).toEqual(comparable(original));
    // And exporting again is a fixed point.
    expect(writeNetlist(again)).toBe(exported);
  });
});

/** ngspice's plots for a deck text, or its log when it fails. */
function ngspice(text: string): Plot[] {
  const work = mkdtempSync(join(tmpdir(), 'spicesim-export-'));
  try {
    writeFileSync(join(work, 'deck.cir'), text);
    const run = spawnSync('ngspice', ['-b', '-r', 'out.raw', 'deck.cir'], {
      cwd: work,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (!existsSync(join(work, 'out.raw')))
      throw new Error(`ngspice wrote no rawfile:\n${run.stdout}${run.stderr}`);
    return parseRawfile(readFileSync(join(work, 'out.raw')));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

describe('ngspice runs exported decks unchanged', () => {
  // A representative subset keeps the suite fast: subcircuits, includes, sources, controlled sources,
  // nonlinear devices, options, initial conditions, .meas/.four/.noise lines.
  const chosen = [
    'subckt_params.cir',
    'include_lib.cir',
    'pwl_tran.cir',
    'vcvs_e.cir',
    'ccvs_h.cir',
    'coupled_k_ac.cir',
    'tran_ic_uic.cir',
    'options_tran.cir',
    'nonlinear/diode_bridge_rectifier.cir',
    'analyses/noise_bjt.cir',
    'analyses/tf_isource.cir',
  ].map((name) => join(FIXTURES, name));

  it.each(chosen.filter(existsSync).map((deck) => [relative(FIXTURES, deck), deck]))('%s', (_name, deck) => {
    const text = readFileSync(deck, 'utf8');
    // The original runs beside its includes; the export is flat and runs anywhere.
    const original = ngspice(text.replace(/^(\.(include|lib)\s+['"]?)(?!\/)/gim, `$1${dirname(deck)}/`));
    const exported = ngspice(writeNetlist(parse(text, deck)));
    expect(exported.map((p) => p.name)).toEqual(original.map((p) => p.name));
    original.forEach((plot, k) => {
      const other = exported[k];
      expect(other.vectors.map((v) => v.name).sort()).toEqual(plot.vectors.map((v) => v.name).sort());
      // Numbers are written in full but no longer with the deck's suffixes ("10u" is 9.999999999999999e-6 to
      // ngspice, "0.00001" is 1e-5): results agree to rounding, not bit for bit (a nonlinear transient's
      // timestep control amplifies that to ~3e-9 of the swing).
      for (const vector of plot.vectors) {
        const mine = other.vectors.find((v) => v.name === vector.name)!;
        expect(mine.real.length).toBe(vector.real.length);
        const scale = Math.max(...Array.from(vector.real, Math.abs), 1e-30);
        const worst = Math.max(...Array.from(vector.real, (x, i) => Math.abs(x - mine.real[i])));
        expect(worst).toBeLessThanOrEqual(1e-7 * scale);
      }
    });
  });
});

describe('expression', () => {
  it('writes every node kind fully parenthesised', () => {
    expect(
      expression({
        type: 'ternary',
        cond: {
          type: 'binary',
          op: '>',
          left: { type: 'call', name: 'v', args: [{ type: 'var', name: 'x1.a' }] },
          right: { type: 'num', value: 0.5 },
        },
        then: { type: 'unary', op: '-', arg: { type: 'var', name: 'time' } },
        else: {
          type: 'binary',
          op: '**',
          left: { type: 'num', value: 2 },
          right: { type: 'num', value: 1e-21 },
        },
      }),
    ).toBe('((v(x1.a)>0.5)?(-time):(2**1e-21))');
  });
});
