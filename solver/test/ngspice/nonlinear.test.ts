/**
 * Differential tests of the nonlinear devices: every netlist under solver/test/fixtures/nonlinear through
 * ngspice 39 and through SpiceSim, compared plot by plot and vector by vector with the shared harness
 * (compare.ts, ngspice.ts).
 *
 * Tolerances: a nonlinear operating point is the end of a Newton iteration that both simulators stop at
 * reltol=1e-3 of the last update (|Δv| <= 1e-3·|v| + vntol), so the two answers agree to that, not to
 * rounding as linear circuits do (checked: with .options reltol=1e-7 the diode decks agree to 4e-8). AC is
 * linearised where each simulator's Newton stopped, so small-signal gains inherit that slack (the BJT at
 * 125 C differs by 0.23 % at default tolerances and by 1e-10 with reltol=1e-6). A fixture may loosen them with a
 * `* compare: <analysis> reltol=... swing=... vabstol=... iabstol=...` line, which must say why.
 *
 * Device-internal nodes (behind series resistances, named `<device>#...`) are not output by ngspice; our
 * simulator currently outputs them, so they are dropped from our plots before comparing.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ConvergenceError, TimestepTooSmallError } from '../../src/errors';
import { simulateNetlist } from '../../src/simulate';
import type { Plot } from '../../src/output/plot';
import {
  type AnalysisKind,
  type Tolerance,
  analysisKind,
  comparePlots,
  formatMismatches,
  pairPlots,
} from './compare';
import { requireNgspice, runNgspice } from './ngspice';

const NONLINEAR_DIR = resolve(__dirname, '..', 'fixtures', 'nonlinear');

export const NONLINEAR_TOLERANCES: Record<AnalysisKind, Tolerance> = {
  op: { reltol: 1e-3, abstol: { voltage: 1e-5, current: 1e-9, other: 1e-6 } },
  dc: { reltol: 1e-3, abstol: { voltage: 1e-5, current: 1e-9, other: 1e-6 } },
  ac: { reltol: 5e-3, abstol: { voltage: 1e-9, current: 1e-12, other: 1e-9 }, phaseDegrees: 0.5 },
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
    // Vendor files are read exactly as shipped (PSpice POLY node pairs, DOS Ctrl-Z end marks and all).
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

/**
 * Free-running and regenerative circuits (oscillators, Schmitt triggers) switch in nanoseconds at instants
 * that both simulators place only to within their timestep control; comparing values near an edge then
 * compares two different sides of the edge. Such decks declare `* crossings: v(x)=level ... within=seconds`:
 * their transient is compared by the times at which each named vector crosses its level (same count, each
 * within `within`) and by each vector's minimum and maximum (within the transient tolerance).
 */
interface CrossingRule {
  vectors: Array<{ name: string; level: number }>;
  within: number;
}

function crossingRule(deckText: string): CrossingRule | undefined {
  const line = /^\*\s*crossings:\s*(.*)$/im.exec(deckText);
  if (!line) return undefined;
  const rule: CrossingRule = { vectors: [], within: 0 };
  for (const [, key, value] of line[1].matchAll(/(\S+)=(\S+)/g)) {
    if (key === 'within') rule.within = Number(value);
    else rule.vectors.push({ name: key.toLowerCase(), level: Number(value) });
  }
  return rule;
}

export function crossings(times: Float64Array, values: Float64Array, level: number): number[] {
  const result: number[] = [];
  for (let k = 1; k < times.length; k++) {
    const a = values[k - 1] - level;
    const b = values[k] - level;
    if (a * b < 0 || (b === 0 && a !== 0))
      result.push(times[k - 1] + ((times[k] - times[k - 1]) * a) / (a - b));
  }
  return result;
}

function compareCrossings(ours: Plot, theirs: Plot, rule: CrossingRule, tolerance: Tolerance): string[] {
  const problems: string[] = [];
  const find = (plot: Plot, name: string) => plot.vectors.find((v) => v.name.toLowerCase() === name);
  for (const { name, level } of rule.vectors) {
    const mine = find(ours, name);
    const reference = find(theirs, name);
    if (!mine || !reference) {
      problems.push(`${name}: missing (ours ${!!mine}, ngspice ${!!reference})`);
      continue;
    }
    const a = crossings(ours.vectors[0].real, mine.real, level);
    const b = crossings(theirs.vectors[0].real, reference.real, level);
    if (a.length !== b.length) {
      problems.push(`${name} crosses ${level} ${a.length} times, ngspice ${b.length} times`);
      continue;
    }
    a.forEach((t, k) => {
      if (Math.abs(t - b[k]) > rule.within)
        problems.push(`${name} crossing ${k}: ours ${t}, ngspice ${b[k]} (allowed ${rule.within})`);
    });
    const extremes = (v: Float64Array) => [Math.min(...v), Math.max(...v)];
    const [minA, maxA] = extremes(mine.real);
    const [minB, maxB] = extremes(reference.real);
    const allowed = (x: number) =>
      tolerance.reltol * Math.abs(x) + tolerance.abstol.voltage + (tolerance.swing ?? 0) * (maxB - minB);
    if (Math.abs(minA - minB) > allowed(minB) || Math.abs(maxA - maxB) > allowed(maxB)) {
      problems.push(`${name} spans ${minA}..${maxA}, ngspice ${minB}..${maxB}`);
    }
  }
  return problems;
}

/** Our plot without device-internal node voltages (see the file comment). */
function withoutInternalNodes(plot: Plot): Plot {
  return { ...plot, vectors: plot.vectors.filter((v) => !/#(?!branch)/.test(v.name)) };
}

beforeAll(() => {
  requireNgspice();
});

it('has at least 55 nonlinear fixture netlists', () => {
  expect(decks().length).toBeGreaterThanOrEqual(55);
});

describe.each(decks().map((d) => [basename(d), d]))('%s: SpiceSim agrees with ngspice', (name, deck) => {
  it('vector by vector, every analysis', () => {
    const text = readFileSync(deck, 'utf8');
    const reference = runNgspice(deck).plots;
    const ours = simulateNetlist(text, { fileName: deck, readFile: fileReaderFor(deck) }).plots.map(
      withoutInternalNodes,
    );
    // Never NaN or infinite, whatever ngspice says.
    const notFinite = ours.flatMap((plot) =>
      plot.vectors.filter((v) => !v.real.every(Number.isFinite)).map((v) => `${plot.name}: ${v.name}`),
    );
    expect(notFinite).toEqual([]);
    const pairs = pairPlots(ours, reference);
    if (typeof pairs === 'string') throw new Error(`${name}: ${pairs}`);
    const tolerances = tolerancesFor(text);
    const rule = crossingRule(text);
    const report: string[] = [];
    for (const [mine, theirs] of pairs) {
      const kind = analysisKind(theirs.name);
      if (rule && kind === 'tran') {
        const problems = compareCrossings(mine, theirs, rule, tolerances.tran);
        if (problems.length) report.push(`${name}: ${theirs.name}: ${problems.join('; ')}`);
        continue;
      }
      const mismatches = comparePlots(mine, theirs, tolerances[kind]);
      if (mismatches.length) report.push(formatMismatches(name, theirs.name, mismatches));
    }
    expect(report.join('\n')).toBe('');
  });
});

describe('convergence aids and failures', () => {
  const deck = (name: string) => join(NONLINEAR_DIR, name);

  it('reports each aid in the log: the high-gain loop needs pseudo-transient continuation, and matches ngspice (above)', () => {
    const log: string[] = [];
    const text = readFileSync(deck('hard_high_gain_loop.cir'), 'utf8');
    simulateNetlist(text, { onLog: (line) => log.push(line) });
    expect(log).toEqual(
      expect.arrayContaining([
        'Starting gmin stepping',
        'Starting source stepping',
        'Starting pseudo-transient continuation',
        'pseudo-transient continuation completed',
      ]),
    );
  });

  it('fails a circuit without an operating point with a ConvergenceError naming the node, values and suggestions', () => {
    const text = readFileSync(deck('impossible/no_real_solution.cir'), 'utf8');
    let error: unknown;
    try {
      simulateNetlist(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConvergenceError);
    const failure = error as ConvergenceError;
    expect(failure.nodes).toContain('a');
    expect(failure.message).toMatch(/node 'a' \(at -?\d/);
    expect(failure.suggestions.join('\n')).toMatch(/\.nodeset v\(a\)=/);
    expect(failure.suggestions.join('\n')).toMatch(/itl1=500/);
    expect(failure.format()).not.toMatch(/NaN/);
  });

  it('fails a transient whose equations lose their solution with a TimestepTooSmallError at that time and node', () => {
    const text = readFileSync(deck('impossible/transient_runaway.cir'), 'utf8');
    let error: unknown;
    try {
      simulateNetlist(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TimestepTooSmallError);
    const failure = error as TimestepTooSmallError;
    expect(failure.time).toBeGreaterThanOrEqual(1e-6 * (1 - 1e-6));
    expect(failure.time).toBeLessThan(1.1e-6);
    expect(failure.nodes).toEqual(['a']);
  });
});
