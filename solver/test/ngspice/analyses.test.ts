/**
 * Differential tests of the analyses beyond op/dc/ac/tran (.tf, .sens, .noise; .four and .meas in their own
 * blocks): every deck under test/fixtures/analyses runs through ngspice 39 and through simulateNetlist, and
 * every vector SpiceSim writes must exist in ngspice's plot of the same name and agree within the stated
 * tolerance. ngspice's .sens also lists parameters we do not perturb (instance multipliers `_m`, `_scale`,
 * geometry, model parameters); those are listed in the test but not compared.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Plot, Vector } from '../../src/output/plot';
import { simulateNetlist } from '../../src/simulate';
import { spawnSync } from 'node:child_process';
import { parseRawfile } from '../../src/output/rawfile';
import { NGSPICE, requireNgspice } from './ngspice';

export const ANALYSES_DIR = resolve(__dirname, '..', 'fixtures', 'analyses');

/** Relative tolerance per plot, with an absolute floor (reason in the comment). */
const TOLERANCES: Record<string, { reltol: number; abstol: number }> = {
  // One linear solve each in both simulators: rounding only.
  'Transfer Function': { reltol: 1e-9, abstol: 1e-12 },
  // ngspice differentiates with a one-sided difference of relative step 1e-6, we use a central one: its
  // truncation error is ~1e-6 relative, and parameters that do not influence the output come out as ~1e-16 noise.
  'Sensitivity Analysis': { reltol: 1e-5, abstol: 1e-12 },
  // Same linear algebra and the same integration formula as ngspice: rounding for linear circuits (they agree
  // to 1e-12); with junctions the two operating points agree to Newton's tolerance, ~1e-8 here.
  'Noise Spectral Density Curves': { reltol: 1e-6, abstol: 1e-25 },
  'Integrated Noise': { reltol: 1e-6, abstol: 1e-25 },
};

/**
 * Semiconductor model (`d1:is`) and instance (`d1_area`, `m1_w`) sensitivities: ngspice takes a one-sided
 * difference with a relative step of 1e-6, which for these nonlinear dependencies is off by up to ~1e-5
 * (d1:n in tf_diode.cir: ngspice −0.4145781, ours −0.4145836, whole simulations −0.4145836): compared to 1e-4.
 */
const SEMICONDUCTOR_PARAMETER = /^[dqjm]\w*(:\w+|_(area|m|temp|l|w))$/;
/**
 * Diode sensitivities ngspice 39 gets wrong (it does not redo the setup these feed): `:rs` comes out 0, `:nr` is
 * non-zero without ISR, `_area`, `_m` and `_temp` are off by factors (tf_diode.cir: area 0.0287 against 0.0184
 * from whole simulations); a level-1 MOSFET's `:is` comes out 0 although the drain junction's leakage flows
 * through the load (sens_mos1.cir: ours −1.06e4 V/A, whole simulations −1.057e4..−1.064e4 within their Newton
 * tolerance). sens-semiconductor.test.ts checks ours against whole simulations instead.
 */
const NGSPICE_WRONG = /^(d\w*(:rs|:nr|_area|_m|_temp)|m\w*:is)$/;

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

/**
 * `* noise-reltol: 1e-5 (reason)` in a deck widens the noise plots' relative tolerance for that deck (BSIM4's
 * small-signal derivatives are forward differences, good to ~1e-6 relative, not to ngspice's rounding).
 */
function noiseReltol(text: string): number | undefined {
  const match = /^\*\s*noise-reltol:\s*(\S+)/im.exec(text);
  return match ? Number(match[1]) : undefined;
}

function compareVectors(plotName: string, mine: Vector, theirs: Vector, reltolOverride?: number): string[] {
  const { abstol } = TOLERANCES[plotName];
  const reltol = reltolOverride ?? TOLERANCES[plotName].reltol;
  const problems: string[] = [];
  if (mine.real.length !== theirs.real.length) {
    return [`${mine.name}: ${mine.real.length} points, ngspice ${theirs.real.length}`];
  }
  for (let k = 0; k < mine.real.length; k++) {
    // Complex values (AC sensitivities) agree to reltol of their magnitude, part by part.
    const a = mine.real[k];
    const b = theirs.real[k];
    const ai = mine.imag?.[k] ?? 0;
    const bi = theirs.imag?.[k] ?? 0;
    const size = Math.max(Math.hypot(a, ai), Math.hypot(b, bi));
    if (!(Math.abs(a - b) <= reltol * size + abstol) || !(Math.abs(ai - bi) <= reltol * size + abstol)) {
      problems.push(
        `${plotName} ${mine.name}[${k}]: ours ${a}${ai ? ` ${ai}j` : ''}, ngspice ${b}${bi ? ` ${bi}j` : ''}`,
      );
    }
  }
  return problems;
}

beforeAll(() => {
  requireNgspice();
});

const deckNames = decks().filter((f) => !/^(meas|four|pz)_/.test(f));

describe.each(deckNames)('%s: SpiceSim agrees with ngspice', (deckName) => {
  it('every vector of every .tf/.sens/.noise plot', () => {
    const deck = join(ANALYSES_DIR, deckName);
    const text = readFileSync(deck, 'utf8');
    const reference = ngspicePlots(deck);
    const ours = simulateNetlist(text, { fileName: deck, readFile: fileReaderFor(deck) }).plots;
    const compared = ours.filter((p) => p.name in TOLERANCES);
    const reltol = noiseReltol(text);
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
        if (vector.type === 'frequency') {
          // The scale is real; ngspice 39 leaves uninitialised memory in the imaginary part of this one.
          problems.push(
            ...compareVectors(plot.name, { ...vector, imag: undefined }, { ...other, imag: undefined }),
          );
          vectors++;
          continue;
        }
        if (plot.complex && plot.name === 'Sensitivity Analysis' && vector.name.startsWith('r')) {
          // ngspice 39 writes a resistor's AC sensitivity at the first frequency only (zeros after it):
          // compare that point here; all frequencies are checked against finite differences in sens-ac.test.ts.
          const first = (v: Vector): Vector => ({
            ...v,
            real: v.real.subarray(0, 1),
            imag: v.imag?.subarray(0, 1),
          });
          problems.push(...compareVectors(plot.name, first(vector), first(other)));
          vectors++;
          continue;
        }
        if (plot.name === 'Sensitivity Analysis' && NGSPICE_WRONG.test(vector.name)) continue;
        vectors++;
        const semiconductor =
          plot.name === 'Sensitivity Analysis' && SEMICONDUCTOR_PARAMETER.test(vector.name);
        const noise = plot.name !== 'Sensitivity Analysis' && plot.name !== 'Transfer Function';
        problems.push(
          ...compareVectors(plot.name, vector, other, semiconductor ? 1e-4 : noise ? reltol : undefined),
        );
      }
      if (plot.name === 'Sensitivity Analysis') {
        // Every element value and gain ngspice reports must be ours too. Not required (see sens.ts): model
        // parameters (`d1:is`; ours are those with a nonzero value), instance parameters (`_m`, `_area`, `_temp`,
        // `_l`, `_w`; a MOSFET's `_nrd`/`_nrs` at 0), a resistor's `_scale`, the `_ac` copy of a resistor.
        const missing = theirs.vectors
          .map((v) => vectorKey(v.name))
          .filter((name) => !/[:]|_(m|scale|l|w|bv_max|area|temp|ac|nrd|nrs)$/.test(name))
          // A source's DC value does not move the small-signal solution at a fixed operating point (ngspice
          // lists it in AC sensitivities with zeros).
          .filter((name) => !(plot.complex && /^[vi]/.test(name) && !name.includes('_')))
          .filter((name) => !findVector(plot, name));
        if (missing.length)
          problems.push(`sensitivities ngspice reports that we do not: ${missing.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
    expect(vectors).toBeGreaterThan(2);
  });
});

/**
 * ngspice's rawfile for a deck. Unlike runNgspice this tolerates the "GET ERROR: ... param lm" lines
 * ngspice 39's .sens prints for diode parameters it lists but cannot read; the exit status must be 0.
 */
function ngspicePlots(deck: string): Plot[] {
  const work = mkdtempSync(join(tmpdir(), 'spicesim-analyses-'));
  try {
    const raw = join(work, 'out.raw');
    const run = spawnSync(NGSPICE, ['-b', '-r', raw, deck], {
      // In the temporary folder: ngspice's BSIM4 writes its parameter-check log bsim4.out into the working
      // folder (includes are resolved from the deck's own folder).
      cwd: work,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.status !== 0 || !existsSync(raw)) {
      throw new Error(`ngspice failed on ${deck} (exit ${run.status}):\n${run.stdout}${run.stderr}`);
    }
    return parseRawfile(readFileSync(raw));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** ngspice's printed output for a deck (`-b` without `-r`: ngspice makes no .meas with a rawfile). */
function ngspicePrinted(deck: string): string {
  const run = spawnSync(NGSPICE, ['-b', deck], { cwd: ANALYSES_DIR, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw new Error(`ngspice could not run on ${deck}: ${run.error.message}`);
  return `${run.stdout ?? ''}${run.stderr ?? ''}`;
}

/** ngspice's printed measurements: `name = value [at= x]` lines. */
export function parseNgspiceMeasurements(log: string): Map<string, { value: number; at?: number }> {
  const result = new Map<string, { value: number; at?: number }>();
  const start = log.indexOf('Measurements for');
  const end = log.indexOf('Total analysis time', start);
  const section = start < 0 ? '' : log.slice(start, end < 0 ? undefined : end);
  for (const match of section.matchAll(/^(\w+)\s+=\s+(\S+)(?:\s+at=\s+(\S+))?/gm)) {
    const value = Number(match[2]);
    if (Number.isFinite(value))
      result.set(match[1].toLowerCase(), { value, ...(match[3] ? { at: Number(match[3]) } : {}) });
  }
  return result;
}

/** `* meas-abstol: name=value (reason)` lines of a deck. */
function measureAbstols(text: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const match of text.matchAll(/^\*\s*meas-abstol:\s*(\w+)=(\S+)/gim))
    result.set(match[1].toLowerCase(), Number(match[2]));
  return result;
}

const measureDecks = decks().filter((f) => f.startsWith('meas_'));

describe.each(measureDecks)('%s: .meas agrees with ngspice', (deckName) => {
  it('every measurement ngspice prints, value and position', () => {
    const deck = join(ANALYSES_DIR, deckName);
    const text = readFileSync(deck, 'utf8');
    const reference = parseNgspiceMeasurements(ngspicePrinted(deck));
    const result = simulateNetlist(text, { fileName: deck, readFile: fileReaderFor(deck) });
    const abstols = measureAbstols(text);
    const transient = text.includes('.tran');
    // Transient results depend on the time points each simulator chose: 1e-4 relative (both run with
    // reltol=1e-3 and the deck's small tstep); AC and DC are the same linear solves: rounding only.
    const reltol = transient ? 1e-4 : 1e-6;
    const problems: string[] = [];
    expect(result.measurements.length).toBeGreaterThanOrEqual(reference.size);
    for (const [name, theirs] of reference) {
      const mine = result.measurements.find((m) => m.name === name);
      if (!mine || mine.error) {
        problems.push(`${name}: ngspice ${theirs.value}, ours ${mine?.error ?? 'missing'}`);
        continue;
      }
      const abstol = abstols.get(name) ?? 1e-12;
      const close = (a: number, b: number): boolean =>
        Math.abs(a - b) <= reltol * Math.max(Math.abs(a), Math.abs(b)) + abstol;
      // ngspice prints 6 significant digits: that bounds the agreement we can see.
      const printed = (a: number, b: number): boolean => close(a, b) || Math.abs(a - b) <= 6e-6 * Math.abs(b);
      if (!printed(mine.value, theirs.value))
        problems.push(`${name}: ours ${mine.value}, ngspice ${theirs.value}`);
      if (theirs.at !== undefined && !printed(mine.details.at, theirs.at)) {
        problems.push(`${name} at: ours ${mine.details.at}, ngspice ${theirs.at}`);
      }
    }
    const ours = result.measurements.filter((m) => !m.error).map((m) => m.name);
    expect(problems).toEqual([]);
    expect(ours.sort()).toEqual([...reference.keys()].sort());
  });
});

interface NgspiceFourier {
  signal: string;
  thd: number;
  rows: number[][];
}

/** ngspice's printed Fourier tables. */
export function parseNgspiceFourier(log: string): NgspiceFourier[] {
  const tables: NgspiceFourier[] = [];
  const blocks = log.split(/^Fourier analysis for /m).slice(1);
  for (const block of blocks) {
    const signal = block.slice(0, block.indexOf(':')).trim();
    const thd = Number(/THD:\s*(\S+)/.exec(block)?.[1]);
    const rows: number[][] = [];
    for (const line of block.split('\n')) {
      const cells = line.trim().split(/\s+/).map(Number);
      if (cells.length === 6 && cells.every(Number.isFinite)) rows.push(cells);
    }
    tables.push({ signal, thd, rows });
  }
  return tables;
}

const fourierDecks = decks().filter((f) => f.startsWith('four_'));

describe.each(fourierDecks)('%s: .four agrees with ngspice', (deckName) => {
  it('every harmonic of every signal, and the THD', () => {
    const deck = join(ANALYSES_DIR, deckName);
    const text = readFileSync(deck, 'utf8');
    const reference = parseNgspiceFourier(ngspicePrinted(deck));
    const result = simulateNetlist(text, { fileName: deck, readFile: fileReaderFor(deck) });
    expect(result.fourier.map((f) => f.signal)).toEqual(reference.map((f) => f.signal.toLowerCase()));
    const problems: string[] = [];
    reference.forEach((theirs, index) => {
      const mine = result.fourier[index];
      expect(mine.frequency.length).toBe(theirs.rows.length);
      const fundamental = theirs.rows[1][2];
      // The two transients have different time points: harmonics agree to 0.1 % of the fundamental,
      // phases to 0.5 degree where the harmonic is above 0.1 % of the fundamental.
      theirs.rows.forEach(([h, frequency, magnitude, phase], k) => {
        if (Math.abs(mine.frequency[k] - frequency) > 1e-9 * frequency)
          problems.push(`${theirs.signal} f${h}`);
        if (Math.abs(mine.magnitude[k] - magnitude) > 1e-3 * fundamental) {
          problems.push(`${theirs.signal} |c${h}|: ours ${mine.magnitude[k]}, ngspice ${magnitude}`);
        }
        const wrapped = ((mine.phase[k] - phase + 540) % 360) - 180;
        if (k > 0 && magnitude > 1e-3 * fundamental && Math.abs(wrapped) > 0.5) {
          problems.push(`${theirs.signal} phase${h}: ours ${mine.phase[k]}, ngspice ${phase}`);
        }
      });
      if (Math.abs(mine.thd - theirs.thd) > 1e-2 * theirs.thd + 1e-6) {
        problems.push(`${theirs.signal} THD: ours ${mine.thd}, ngspice ${theirs.thd}`);
      }
    });
    expect(problems).toEqual([]);
  });
});

const HSPICE_DIR = join(ANALYSES_DIR, 'hspice');
const hspiceDecks = readdirSync(HSPICE_DIR)
  .filter((f) => f.endsWith('.sp'))
  .sort();

/** The ngspice translations of an HSPICE deck: `name.cir`, or `name.1.cir`, `name.2.cir`, ... one per run. */
function translations(deckName: string): string[] {
  const base = deckName.slice(0, -'.sp'.length);
  const files = readdirSync(HSPICE_DIR).filter(
    (f) => f === `${base}.cir` || new RegExp(`^${base}\\.\\d+\\.cir$`).test(f),
  );
  return files.sort(
    (a, b) => Number(/\.(\d+)\.cir$/.exec(a)?.[1] ?? 0) - Number(/\.(\d+)\.cir$/.exec(b)?.[1] ?? 0),
  );
}

describe.each(hspiceDecks)('HSPICE deck %s runs and matches its ngspice translation', (deckName) => {
  it('every measurement of every run', () => {
    const deck = join(HSPICE_DIR, deckName);
    const text = readFileSync(deck, 'utf8');
    const result = simulateNetlist(text, { fileName: deck, readFile: fileReaderFor(deck) });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const runs = result.runs ?? [{ values: {}, measurements: result.measurements }];
    const references = translations(deckName);
    expect(runs).toHaveLength(references.length);
    const transient = text.includes('.tran');
    const reltol = transient ? 1e-4 : 1e-6;
    const problems: string[] = [];
    runs.forEach((run, k) => {
      const reference = parseNgspiceMeasurements(ngspicePrinted(join(HSPICE_DIR, references[k])));
      expect(reference.size).toBeGreaterThan(0);
      for (const [name, theirs] of reference) {
        const mine = run.measurements.find((m) => m.name === name);
        const agree =
          mine !== undefined &&
          !mine.error &&
          (Math.abs(mine.value - theirs.value) <= reltol * Math.abs(theirs.value) + 1e-15 ||
            Math.abs(mine.value - theirs.value) <= 6e-6 * Math.abs(theirs.value));
        if (!agree)
          problems.push(
            `run ${k} (${references[k]}) ${name}: ours ${mine?.error ?? mine?.value}, ngspice ${theirs.value}`,
          );
      }
      expect(run.measurements.filter((m) => !m.error)).toHaveLength(reference.size);
    });
    expect(problems).toEqual([]);
  });
});

/** Every pole (or zero) of every pole-zero plot, as complex numbers sorted by real then imaginary part. */
function roots(plots: Plot[], kind: 'pole' | 'zero'): Array<{ re: number; im: number }> {
  return plots
    .filter((p) => p.name === 'Pole-Zero Analysis')
    .flatMap((p) => p.vectors.filter((v) => new RegExp(`^(v\\()?${kind}\\(`).test(v.name)))
    .map((v) => ({ re: v.real[0], im: v.imag?.[0] ?? 0 }))
    .sort(byRoot);
}

/** By real part, then imaginary part; real parts equal to rounding (a conjugate pair) count as equal. */
function byRoot(a: { re: number; im: number }, b: { re: number; im: number }): number {
  const close = Math.abs(a.re - b.re) <= 1e-9 * Math.max(Math.abs(a.re), Math.abs(b.re));
  return close ? a.im - b.im : a.re - b.re;
}

/**
 * ngspice 39 misses roots on the jω axis (its Muller search along the real axis does not reach them): for such
 * decks the deck states the exact roots in a `* pz-exact zeros: re,im ...` comment, checked instead.
 */
function exactRoots(text: string, kind: 'pole' | 'zero'): Array<{ re: number; im: number }> | undefined {
  const match = new RegExp(`^\\*\\s*pz-exact ${kind}s:(.*)$`, 'mi').exec(text);
  if (!match) return undefined;
  return match[1]
    .trim()
    .split(/\s+/)
    .map((pair) => pair.split(',').map(Number))
    .map(([re, im]) => ({ re, im }))
    .sort(byRoot);
}

const poleZeroDecks = decks().filter((f) => f.startsWith('pz_'));

describe.each(poleZeroDecks)('%s: .pz agrees with ngspice', (deckName) => {
  it('every pole and zero', () => {
    const deck = join(ANALYSES_DIR, deckName);
    const text = readFileSync(deck, 'utf8');
    const reference = ngspicePlots(deck);
    const ours = simulateNetlist(text, { fileName: deck, readFile: fileReaderFor(deck) }).plots;
    const problems: string[] = [];
    for (const kind of ['pole', 'zero'] as const) {
      const mine = roots(ours, kind);
      const theirs = exactRoots(text, kind) ?? roots(reference, kind);
      if (mine.length !== theirs.length) {
        problems.push(`${kind}s: ours ${JSON.stringify(mine)}, expected ${JSON.stringify(theirs)}`);
        continue;
      }
      // Roots are found by different methods (eigenvalues here, Muller's iteration in ngspice): 1e-6 relative.
      mine.forEach((root, k) => {
        const other = theirs[k];
        const size = Math.max(Math.hypot(root.re, root.im), Math.hypot(other.re, other.im));
        if (Math.hypot(root.re - other.re, root.im - other.im) > 1e-6 * size + 1e-9) {
          problems.push(
            `${kind} ${k + 1}: ours ${root.re}${root.im >= 0 ? '+' : ''}${root.im}j, expected ${other.re}${other.im >= 0 ? '+' : ''}${other.im}j`,
          );
        }
      });
    }
    expect(problems).toEqual([]);
    expect(roots(ours, 'pole').length + roots(ours, 'zero').length).toBeGreaterThan(0);
  });
});
