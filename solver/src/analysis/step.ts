/**
 * Parameter sweeps over whole simulations (.step, as LTspice writes it; HSPICE's .data tables and
 * ngspice's control loops do the same job):
 *   .step param R 1k 10k 1k            linear: start stop increment
 *   .step lin param R 1k 10k 1k        the same
 *   .step dec param R 1k 100k 5        points per decade      (.step oct ... points per octave)
 *   .step param R list 1k 2.2k 4.7k    listed values
 *   .step temp -40 125 55              the circuit temperature (also with list/dec/oct)
 *   .step V1 0 5 1                     an independent source's DC value
 *   .step NPN 2N2222(VAF) list 50 100  a model parameter (LTspice: model type, model name, parameter in
 *   .step D D1(Is) 1f 10f 1f            parentheses; the type may be left out: `.step D1(Is) ...`)
 * A `.param` used inside a `.model` card is stepped as any parameter (`.model D1 D(Is={isat})` with
 * `.step param isat ...`): the model card is evaluated again for every step.
 * Several .step lines nest; the first one written varies fastest (as the sweeps of .dc).
 * A `.step param run 1 N 1` (any parameter the deck does not use) repeats the simulation N times: with
 * random functions in the deck (montecarlo.ts) every run draws new values, which is LTspice's Monte Carlo idiom.
 *
 * Each step is a separate simulation of a variant of the deck: parameters are overridden by a `.param` line
 * added before `.end` (the last definition wins, so expressions that use the parameter follow it), the
 * temperature and source values on the elaborated circuit. Pure: no Node imports.
 */
import type { AnalysisCard, FlatCircuit } from '../circuit/flat';
import { CircuitError, type SourceLocation } from '../errors';
import { parseValue } from '../netlist/values';

export interface StepSweep {
  kind: 'param' | 'temp' | 'source' | 'model';
  /** Parameter or source name (lower-case); 'temp' for the temperature; `model(param)` for a model parameter. */
  name: string;
  /** For a model parameter: the model's name and type (as written, lower-case) and the parameter. */
  model?: { name: string; type?: string; parameter: string };
  values: number[];
  loc: SourceLocation;
}

const STEP_USAGE =
  "write e.g. '.step param R 1k 10k 1k', '.step dec param R 1k 100k 5', '.step param R list 1k 2k', '.step temp -40 85 25', '.step V1 0 5 1' or '.step NPN 2N2222(VAF) list 50 100'";

/** At most this many simulations from one deck's .step lines (a typo in a step size should not run for hours). */
export const MAX_STEPS = 100_000;

/** Read one `.step` card (tokens lower-cased, as the parser keeps them). */
export function parseStep(card: Extract<AnalysisCard, { kind: 'other' }>): StepSweep {
  const tokens = [...card.args];
  const fail = (message: string): never => {
    throw new CircuitError(`.step: ${message}`, card.loc, STEP_USAGE);
  };
  let variation: 'lin' | 'dec' | 'oct' = 'lin';
  if (tokens[0] === 'lin' || tokens[0] === 'dec' || tokens[0] === 'oct')
    variation = tokens.shift() as typeof variation;
  let kind: StepSweep['kind'];
  let name: string;
  let model: StepSweep['model'];
  const first = tokens.shift();
  if (first === undefined) return fail('missing what to step');
  // A model parameter: `type model ( parameter )` or `model ( parameter )`.
  const typed = tokens[1] === '(' && tokens[3] === ')';
  if (typed || (tokens[0] === '(' && tokens[2] === ')')) {
    const words = typed ? [first, ...tokens.splice(0, 4)] : [first, ...tokens.splice(0, 3)];
    const [type, modelName, , parameter] = typed ? words : [undefined, ...words];
    if (!modelName || !parameter || !/^[a-z_][\w.]*$/.test(parameter))
      return fail(`'${words.join('')}' is not a model parameter`);
    kind = 'model';
    model = { name: modelName, type, parameter };
    name = `${modelName}(${parameter})`;
  } else if (first === 'param') {
    kind = 'param';
    name = tokens.shift() ?? fail('missing the parameter name');
  } else if (first === 'temp') {
    kind = 'temp';
    name = 'temp';
  } else if (/^[vi]/.test(first) && tokens[0] !== '(') {
    kind = 'source';
    name = first;
  } else {
    return fail(`cannot step '${first}': use param, temp, a V/I source or a model parameter`);
  }
  const numbers = (words: string[]): number[] =>
    words.map((word) => {
      const value = parseValue(word.replace(/^[{'"]|[}'"]$/g, ''));
      if (value === undefined || !Number.isFinite(value)) return fail(`'${word}' is not a number`);
      return value;
    });
  let values: number[];
  if (tokens[0] === 'list') {
    values = numbers(tokens.slice(1));
    if (values.length === 0) fail('list needs at least one value');
  } else {
    if (tokens.length !== 3)
      fail(
        `expected start, stop and ${variation === 'lin' ? 'increment' : 'points'}, found ${tokens.length} values`,
      );
    const [start, stop, step] = numbers(tokens);
    values = sweepValues(variation, start, stop, step, fail);
  }
  if (values.length > MAX_STEPS) fail(`${values.length} steps is more than ${MAX_STEPS}`);
  return model ? { kind, name, model, values, loc: card.loc } : { kind, name, values, loc: card.loc };
}

function sweepValues(
  variation: 'lin' | 'dec' | 'oct',
  start: number,
  stop: number,
  step: number,
  fail: (message: string) => never,
): number[] {
  if (variation === 'lin') {
    if (step === 0) return fail('the increment must not be 0');
    const count = Math.floor((stop - start) / step + 1e-9) + 1;
    if (!(count >= 1)) return fail(`an increment of ${step} never goes from ${start} to ${stop}`);
    if (count > MAX_STEPS) return fail(`${count} steps is more than ${MAX_STEPS}`);
    return Array.from({ length: count }, (_, k) => start + k * step);
  }
  if (!(start > 0) || !(stop >= start) || !(step >= 1)) {
    return fail(
      `${variation} needs 0 < start <= stop and at least 1 point per ${variation === 'dec' ? 'decade' : 'octave'}`,
    );
  }
  const ratio = Math.exp(Math.log(variation === 'dec' ? 10 : 2) / step);
  const values: number[] = [];
  for (let k = 0; values.length <= MAX_STEPS; k++) {
    const value = start * ratio ** k;
    if (value > stop * (1 + 1e-9)) break;
    values.push(value);
  }
  return values;
}

/** Every combination of the sweeps' values, the first sweep varying fastest. */
export function stepCombinations(sweeps: readonly StepSweep[]): Array<Record<string, number>> {
  const total = sweeps.reduce((count, sweep) => count * sweep.values.length, 1);
  if (total > MAX_STEPS) {
    throw new CircuitError(
      `.step: the nested sweeps make ${total} simulations, more than ${MAX_STEPS}`,
      sweeps[0].loc,
      'use fewer values',
    );
  }
  return Array.from({ length: total }, (_, index) => {
    const values: Record<string, number> = {};
    let rest = index;
    for (const sweep of sweeps) {
      values[sweep.name] = sweep.values[rest % sweep.values.length];
      rest = Math.floor(rest / sweep.values.length);
    }
    return values;
  });
}

/** The deck text with `.param name=value` overrides put before `.end` (or at the end). */
export function withParameterOverrides(text: string, overrides: Record<string, number>): string {
  const entries = Object.entries(overrides);
  if (entries.length === 0) return text;
  const lines = entries.map(([name, value]) => `.param ${name}=${String(value)}`).join('\n');
  const end = /^[ \t]*\.end[ \t]*$/gim;
  let last: RegExpExecArray | null = null;
  for (let match = end.exec(text); match; match = end.exec(text)) last = match;
  if (!last) return `${text}\n${lines}\n`;
  return `${text.slice(0, last.index)}${lines}\n${text.slice(last.index)}`;
}

/** The elaborated circuit with the temperature and source values of one step. */
export function withCircuitOverrides(
  flat: FlatCircuit,
  sweeps: readonly StepSweep[],
  values: Record<string, number>,
): FlatCircuit {
  let result = flat;
  for (const sweep of sweeps) {
    const value = values[sweep.name];
    if (sweep.kind === 'temp') {
      result = { ...result, temperatures: [value] };
    } else if (sweep.kind === 'source') {
      const index = result.elements.findIndex(
        (e) => e.name === sweep.name && (e.kind === 'v' || e.kind === 'i'),
      );
      if (index < 0) {
        throw new CircuitError(
          `.step: there is no independent source '${sweep.name}'`,
          sweep.loc,
          'step a V or I source of the circuit',
        );
      }
      const element = result.elements[index];
      const elements = [...result.elements];
      elements[index] = { ...element, source: { ...element.source, dc: value } };
      result = { ...result, elements };
    } else if (sweep.kind === 'model' && sweep.model) {
      result = { ...result, models: steppedModels(result.models, sweep, sweep.model, value) };
    }
  }
  return result;
}

/** The models with one parameter set: the top-level model and its copies inside subcircuits (`x1.d1`). */
function steppedModels(
  models: FlatCircuit['models'],
  sweep: StepSweep,
  target: NonNullable<StepSweep['model']>,
  value: number,
): FlatCircuit['models'] {
  const result = new Map(models);
  const matches = [...models.values()].filter(
    (m) => m.name === target.name || m.name.endsWith(`.${target.name}`),
  );
  if (matches.length === 0) {
    const known = [...models.keys()].slice(0, 8).join(', ');
    throw new CircuitError(
      `.step: there is no model '${target.name}'`,
      sweep.loc,
      known ? `the deck's models: ${known}` : 'define it with .model',
    );
  }
  for (const model of matches) {
    if (target.type && !sameModelType(target.type, model.type)) {
      throw new CircuitError(
        `.step: model '${target.name}' is a ${model.type.toUpperCase()} model, not ${target.type.toUpperCase()}`,
        sweep.loc,
        `write '.step ${model.type.toUpperCase()} ${target.name}(${target.parameter}) ...' or leave the type out`,
      );
    }
    result.set(model.name, { ...model, params: { ...model.params, [target.parameter]: value } });
  }
  return result;
}

/** LTspice writes NMOS/PMOS/NPN/PNP/D/NJF/PJF; `nmos` also matches a binned or levelled nmos card. */
function sameModelType(written: string, actual: string): boolean {
  return written === actual || (written === 'd' && actual === 'diode');
}

/**
 * HSPICE's deck-level variants, handled on the text before parsing (line numbers are kept: removed lines become
 * comment lines, so every message still points at the line the user wrote):
 *   .DATA name p1 p2 ... / + v1 v2 ... / .ENDDATA   a table of parameter values, one simulation per row, used by
 *                                                   `SWEEP DATA=name` on .dc/.ac/.tran (and `.DC DATA=name`)
 *   .TRAN ... SWEEP MONTE=n                         n Monte Carlo runs (random functions drawn anew each run)
 *   .ALTER [title]                                  re-run the deck with the lines that follow: elements and
 *                                                   models of the same name replace the original ones, .param,
 *                                                   .temp and .option lines override, other lines are added
 * (HSPICE Simulation and Analysis User Guide, "Data-driven analysis" and ".ALTER").
 */
export interface DeckVariant {
  /** What distinguishes this run: the data row's parameters, and `alter` (0 for the deck as written). */
  values: Record<string, number>;
  text: string;
  /** Parameters this variant redefines on purpose (data columns, .param lines of .alter blocks). */
  redefined: string[];
}

export interface DeckVariants {
  variants: DeckVariant[];
  /** HSPICE `SWEEP MONTE=n`: the runs are Monte Carlo samples (0 when the deck has none). */
  monteCarloRuns: number;
  /** What was not understood or cannot be supported, by line. */
  diagnostics: Array<{ severity: 'warning' | 'error'; message: string; loc: SourceLocation }>;
}

interface Card {
  /** Physical line indices (0-based) of the card: its first line and `+` continuations. */
  lines: number[];
  /** The card's words, continuation markers removed, lower-cased. */
  words: string[];
}

/** Cards with the same key replace each other in .alter: elements by name, models by name, `.temp`. */
function replacementKey(card: Card): string | undefined {
  const [head, second] = card.words;
  if (head === '.model') return `.model ${second}`;
  if (head === '.temp') return '.temp';
  return head.startsWith('.') ? undefined : head;
}

function cardsOf(lines: string[]): Card[] {
  const cards: Card[] = [];
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index];
    if (/^\s*\+/.test(line) && cards.length > 0) {
      const card = cards[cards.length - 1];
      card.lines.push(index);
      card.words.push(...wordsOf(line.replace(/^\s*\+/, '')));
    } else if (!/^\s*(\*|$)/.test(line)) {
      cards.push({ lines: [index], words: wordsOf(line) });
    }
  }
  return cards;
}

function wordsOf(line: string): string[] {
  const code = line.replace(/\s\$.*$|;.*$/, '');
  return code
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((w) => w !== '');
}

/** The deck's `.data` rows and `.alter` blocks as separate deck texts (just the deck when it has neither). */
export function deckVariants(text: string, fileName = '<netlist>'): DeckVariants {
  const lines = text.split('\n');
  const diagnostics: DeckVariants['diagnostics'] = [];
  const at = (line: number): SourceLocation => ({ file: fileName, line: line + 1, column: 1 });
  const comment = (target: string[], indices: number[]): void => {
    for (const index of indices) target[index] = `* ${target[index]}`;
  };
  const cards = cardsOf(lines);

  // .data tables.
  const tables = new Map<string, { names: string[]; rows: number[][]; line: number }>();
  const base = [...lines];
  for (let k = 0; k < cards.length; k++) {
    const card = cards[k];
    if (card.words[0] !== '.data') continue;
    const end = cards.findIndex((c, j) => j > k && c.words[0] === '.enddata');
    if (end < 0)
      throw new CircuitError('.data has no .enddata', at(card.lines[0]), 'close the table with .enddata');
    const name = card.words[1];
    const names = card.words.slice(2).filter((w) => parseValue(w) === undefined);
    const numbers = [
      ...card.words.slice(2 + names.length),
      ...cards.slice(k + 1, end).flatMap((c) => c.words),
    ].map((w) => {
      const value = parseValue(w.replace(/^'|'$/g, ''));
      if (value === undefined)
        throw new CircuitError(
          `.data ${name}: '${w}' is not a number`,
          at(card.lines[0]),
          'the rows of a .data table are numbers',
        );
      return value;
    });
    if (!name || names.length === 0 || numbers.length % names.length !== 0) {
      throw new CircuitError(
        `.data ${name ?? ''}: ${numbers.length} values do not fill rows of ${names.length} parameters`,
        at(card.lines[0]),
        'write .data NAME p1 p2, then one "+ v1 v2" line per row, then .enddata',
      );
    }
    const rows: number[][] = [];
    for (let r = 0; r < numbers.length; r += names.length) rows.push(numbers.slice(r, r + names.length));
    tables.set(name, { names, rows, line: card.lines[0] });
    for (const c of cards.slice(k, end + 1)) comment(base, c.lines);
  }

  // SWEEP MONTE=n on analyses: n Monte Carlo runs of the deck (HSPICE).
  let monteCarloRuns = 0;
  for (const card of cards) {
    const line = base[card.lines[0]];
    const match = /\s(sweep\s+)?monte\s*=\s*(\S+)/i.exec(line);
    if (!match || !/^\.(dc|ac|tran|op|noise)$/.test(card.words[0])) continue;
    const runs = parseValue(match[2]);
    if (runs === undefined || !Number.isInteger(runs) || runs < 1 || runs > MAX_STEPS) {
      throw new CircuitError(
        `MONTE=${match[2]}: the number of Monte Carlo runs must be a whole number from 1 to ${MAX_STEPS}`,
        at(card.lines[0]),
        'write e.g. ".tran 1n 100n sweep monte=100"',
      );
    }
    monteCarloRuns = Math.max(monteCarloRuns, runs);
    base[card.lines[0]] = line.replace(match[0], '');
  }

  // SWEEP DATA=name on analyses (and .DC DATA=name, a DC analysis over the table alone).
  let used: string | undefined;
  for (const card of cards) {
    const match = /\s(sweep\s+)?data\s*=\s*(\w+)/i.exec(lines[card.lines[0]]);
    if (!match || !/^\.(dc|ac|tran|op)$/.test(card.words[0])) continue;
    const name = match[2].toLowerCase();
    if (!tables.has(name))
      throw new CircuitError(
        `no .data table named '${name}'`,
        at(card.lines[0]),
        'define it with .data ... .enddata',
      );
    if (used && used !== name) {
      diagnostics.push({
        severity: 'error',
        message: `only one .data table per deck is swept; '${name}' is ignored`,
        loc: at(card.lines[0]),
      });
      continue;
    }
    used = name;
    const line = lines[card.lines[0]];
    base[card.lines[0]] =
      card.words[0] === '.dc' && /^\s*\.dc\s+data\s*=/i.test(line) ? '.op' : line.replace(match[0], '');
  }
  for (const [name, table] of tables) {
    if (name !== used)
      diagnostics.push({
        severity: 'warning',
        message: `.data ${name} is not used by any analysis`,
        loc: at(table.line),
      });
  }

  // .alter blocks.
  const alters = cards.filter((c) => c.words[0] === '.alter');
  const endCard = cards.find((c) => c.words[0] === '.end');
  const blocks = alters.map((alter, k) => {
    const from = alter.lines[0];
    const to = alters[k + 1]?.lines[0] ?? endCard?.lines[0] ?? lines.length;
    return { from, to, cards: cards.filter((c) => c.lines[0] > from && c.lines[0] < to) };
  });
  const original = [...base];
  for (const block of blocks)
    for (let index = block.from; index < block.to; index++) original[index] = `* ${lines[index]}`;

  const rows = used
    ? tables
        .get(used)!
        .rows.map((row) => Object.fromEntries(tables.get(used!)!.names.map((n, i) => [n, row[i]])))
    : [{}];
  const texts: Array<{ values: Record<string, number>; text: string; redefined: string[] }> = [
    { values: {}, text: original.join('\n'), redefined: [] },
  ];
  const baseCards = cards.filter((c) => c.lines[0] < (blocks[0]?.from ?? lines.length));
  for (const block of blocks) {
    for (const card of block.cards) {
      if (card.words[0] === '.del') {
        diagnostics.push({
          severity: 'error',
          message: `${card.words.slice(0, 2).join(' ')} in .alter is not supported: the line is ignored`,
          loc: at(card.lines[0]),
        });
      }
    }
  }
  // As in HSPICE, alterations accumulate: run k has the changes of blocks 1..k, later ones replacing earlier.
  for (let k = 0; k < blocks.length; k++) {
    const altered = [...original];
    const active = [...baseCards];
    const redefined: string[] = [];
    for (const block of blocks.slice(0, k + 1)) {
      for (const card of block.cards) {
        if (card.words[0] === '.del') continue;
        for (const index of card.lines) altered[index] = base[index];
        if (card.words[0] === '.param') {
          for (const match of card.words
            .slice(1)
            .join(' ')
            .matchAll(/([a-z_]\w*)\s*=/g))
            redefined.push(match[1]);
        }
        const key = replacementKey(card);
        if (key)
          for (const replaced of active.filter((c) => replacementKey(c) === key))
            comment(altered, replaced.lines);
        active.push(card);
      }
    }
    texts.push({ values: { alter: k + 1 }, text: altered.join('\n'), redefined });
  }

  const variants: DeckVariant[] = [];
  const monte =
    monteCarloRuns > 0 ? Array.from({ length: monteCarloRuns }, (_, k) => ({ monte: k + 1 })) : [{}];
  for (const { values, text: deck, redefined } of texts) {
    for (const row of rows) {
      for (const run of monte) {
        variants.push({
          values: { ...values, ...row, ...run },
          text: withParameterOverrides(deck, row),
          redefined: [...redefined, ...Object.keys(row)],
        });
      }
    }
  }
  return { variants, diagnostics, monteCarloRuns };
}
