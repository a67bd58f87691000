/**
 * Parameter sweeps over whole simulations (.step, as LTspice writes it; HSPICE's .data tables and
 * ngspice's control loops do the same job):
 *   .step param R 1k 10k 1k            linear: start stop increment
 *   .step lin param R 1k 10k 1k        the same
 *   .step dec param R 1k 100k 5        points per decade      (.step oct ... points per octave)
 *   .step param R list 1k 2.2k 4.7k    listed values
 *   .step temp -40 125 55              the circuit temperature (also with list/dec/oct)
 *   .step V1 0 5 1                     an independent source's DC value
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
  kind: 'param' | 'temp' | 'source';
  /** Parameter or source name (lower-case); 'temp' for the temperature. */
  name: string;
  values: number[];
  loc: SourceLocation;
}

const STEP_USAGE =
  "write e.g. '.step param R 1k 10k 1k', '.step dec param R 1k 100k 5', '.step param R list 1k 2k', '.step temp -40 85 25' or '.step V1 0 5 1'";

/** At most this many simulations from one deck's .step lines (a typo in a step size should not run for hours). */
export const MAX_STEPS = 100_000;

/** Read one `.step` card (tokens lower-cased, as the parser keeps them). */
export function parseStep(card: Extract<AnalysisCard, { kind: 'other' }>): StepSweep {
  const tokens = [...card.args];
  const fail = (message: string): never => {
    throw new CircuitError(`.step: ${message}`, card.loc, STEP_USAGE);
  };
  let variation: 'lin' | 'dec' | 'oct' = 'lin';
  if (tokens[0] === 'lin' || tokens[0] === 'dec' || tokens[0] === 'oct') variation = tokens.shift() as typeof variation;
  let kind: StepSweep['kind'];
  let name: string;
  const first = tokens.shift();
  if (first === undefined) return fail('missing what to step');
  if (first === 'param') {
    kind = 'param';
    name = tokens.shift() ?? fail('missing the parameter name');
  } else if (first === 'temp') {
    kind = 'temp';
    name = 'temp';
  } else if (/^[vi]/.test(first) && tokens[0] !== '(') {
    kind = 'source';
    name = first;
  } else {
    return fail(`cannot step '${first}${tokens[0] === '(' ? '(...)' : ''}' (model parameters are not supported; use param, temp or a V/I source)`);
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
    if (tokens.length !== 3) fail(`expected start, stop and ${variation === 'lin' ? 'increment' : 'points'}, found ${tokens.length} values`);
    const [start, stop, step] = numbers(tokens);
    values = sweepValues(variation, start, stop, step, fail);
  }
  if (values.length > MAX_STEPS) fail(`${values.length} steps is more than ${MAX_STEPS}`);
  return { kind, name, values, loc: card.loc };
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
    return fail(`${variation} needs 0 < start <= stop and at least 1 point per ${variation === 'dec' ? 'decade' : 'octave'}`);
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
    throw new CircuitError(`.step: the nested sweeps make ${total} simulations, more than ${MAX_STEPS}`, sweeps[0].loc, 'use fewer values');
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
export function withCircuitOverrides(flat: FlatCircuit, sweeps: readonly StepSweep[], values: Record<string, number>): FlatCircuit {
  let result = flat;
  for (const sweep of sweeps) {
    const value = values[sweep.name];
    if (sweep.kind === 'temp') {
      result = { ...result, temperatures: [value] };
    } else if (sweep.kind === 'source') {
      const index = result.elements.findIndex((e) => e.name === sweep.name && (e.kind === 'v' || e.kind === 'i'));
      if (index < 0) {
        throw new CircuitError(`.step: there is no independent source '${sweep.name}'`, sweep.loc, 'step a V or I source of the circuit');
      }
      const element = result.elements[index];
      const elements = [...result.elements];
      elements[index] = { ...element, source: { ...element.source, dc: value } };
      result = { ...result, elements };
    }
  }
  return result;
}
