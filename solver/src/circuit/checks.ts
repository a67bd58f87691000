/**
 * Checks of an elaborated circuit before it is simulated: mistakes that would otherwise surface as a
 * singular matrix far from their cause, run for hours, or quietly give an empty or wrong result. Each
 * throws a CircuitError naming the line, the element or node, and what to change.
 */
import { CircuitError, type SourceLocation } from '../errors';
import { expressionLocation } from '../netlist/expression';
import { closest } from '../netlist/suggest';
import { NUMERIC_SIMULATOR_OPTIONS } from '../devices/device';
import type { AnalysisCard, ElementCard, Expr, FlatCircuit } from './flat';

/** Most points a .dc sweep (all nested levels together) or an .ac analysis may have. */
export const MAX_SWEEP_POINTS = 10_000_000;
/** Most time points a .tran may need at its maximum step (tstop / tmax). */
export const MAX_TRAN_POINTS = 50_000_000;

/** A number as a deck would write it: 1e-6, not 0.000001. */
function num(x: number): string {
  const abs = Math.abs(x);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? x.toExponential().replace(/\.?0+e/, 'e') : String(x);
}

/**
 * Options that take a number: those circuit.ts reads into SimulatorOptions and those analyses read
 * (.four's nfreqs and fourgridsize, Monte Carlo's seed). A word there is a mistake, not a setting.
 */
export const NUMERIC_OPTIONS: ReadonlySet<string> = new Set([
  ...NUMERIC_SIMULATOR_OPTIONS,
  'nfreqs',
  'fourgridsize',
  'seed',
]);

/** The warning for `.options name=value` when a numeric option gets a word or no value, else undefined. */
export function optionWarning(name: string, value: number | string | boolean): string | undefined {
  if (name === 'method') {
    const method = String(value).toLowerCase();
    if (['trap', 'trapezoidal', 'gear'].includes(method)) return undefined;
    const guess = closest(method, ['trap', 'gear']);
    return `option method=${value === true ? '' : value} is not an integration method SpiceSim knows: trap (the default) is used${guess ? ` (did you mean method=${guess}?)` : ' (write method=trap or method=gear)'}`;
  }
  if (typeof value === 'number' || !NUMERIC_OPTIONS.has(name)) return undefined;
  const given = value === true ? 'no value' : `'${value}'`;
  return `option ${name} needs a number, got ${given}: ignored, the default is used (write e.g. ${name}=1e-3, or ${name}={param})`;
}

/** Throws a CircuitError for a circuit that cannot be simulated as written; see the file comment. */
export function checkCircuit(flat: FlatCircuit, fileName?: string): void {
  checkElements(flat, fileName);
  for (const card of flat.analyses) checkAnalysis(card);
}

function checkElements(flat: FlatCircuit, fileName?: string): void {
  const elements = flat.elements;
  if (elements.length === 0) {
    const title = flat.title.trim();
    throw new CircuitError(
      title
        ? `the deck has no circuit elements, only the title line '${title}'`
        : 'the deck is empty: it has no circuit elements',
      fileName ? { file: fileName, line: 1, column: 1 } : undefined,
      'the first line of a deck is its title; then come elements, one per line ("R1 in out 1k"), ' +
        'analyses (.op, .tran 1u 1m ...) and .end',
    );
  }
  // The set of connected nodes only when an expression reads nodes: building it hashes every node of every
  // element, 8 ms on a 30,000-element deck, for a check most decks do not need.
  let connected: Set<string> | undefined;
  const connectedNodes = (): Set<string> => {
    if (connected === undefined) {
      connected = new Set<string>();
      for (const card of elements) for (const node of card.nodes) connected.add(node);
    }
    return connected;
  };
  const hasNodes = elements.some((card) => card.nodes.length > 0);
  if (hasNodes && !elements.some((card) => card.nodes.includes('0'))) {
    throw new CircuitError(
      'no element connects to ground (node 0)',
      elements[0].loc,
      'every voltage is measured from node 0: connect the reference point of the circuit to 0 (or gnd)',
    );
  }
  for (const card of elements) {
    if (card.kind === 'v' && card.nodes[0] === card.nodes[1]) {
      throw new CircuitError(
        `voltage source ${card.name} is shorted: both its terminals are node '${card.nodes[0]}'`,
        card.loc,
        'connect it between two different nodes (a 0 V source measuring a current goes in series, between two nodes)',
      );
    }
    const waveform = card.source?.waveform;
    if (waveform?.type === 'pwl') checkPwl(card, waveform.args);
    const expr = card.expression?.expr ?? card.table?.expr;
    if (expr) checkNodeReads(card, expr, connectedNodes());
  }
}

/** PWL time points must not go back in time (ngspice stops the analysis on such a source). */
function checkPwl(card: ElementCard, args: readonly number[]): void {
  for (let k = 2; k < args.length; k += 2) {
    if (args[k] < args[k - 2]) {
      throw new CircuitError(
        `PWL of ${card.name} goes back in time: point ${k / 2 + 1} is at ${num(args[k])} s, after a point at ${num(args[k - 2])} s`,
        card.loc,
        'list the (time, value) pairs in increasing time order',
      );
    }
  }
}

/** `v(node)` in a behavioural expression must name a node some element connects to. */
function checkNodeReads(card: ElementCard, expr: Expr, connected: ReadonlySet<string>): void {
  const stack: Expr[] = [expr];
  while (stack.length > 0) {
    const e = stack.pop()!;
    switch (e.type) {
      case 'call':
        if (e.name === 'v') {
          for (const arg of e.args) {
            if (arg.type === 'var' && arg.name !== '0' && !connected.has(arg.name)) {
              throw new CircuitError(
                `${card.name} reads v(${arg.name}), but no element connects to node '${arg.name}'`,
                expressionLocation(e) ?? card.loc,
                'check the node name: an expression can only read nodes that elements of the circuit connect to',
              );
            }
          }
        }
        stack.push(...e.args);
        break;
      case 'unary':
        stack.push(e.arg);
        break;
      case 'binary':
        stack.push(e.left, e.right);
        break;
      case 'ternary':
        stack.push(e.cond, e.then, e.else);
        break;
      default:
        break;
    }
  }
}

function checkAnalysis(card: AnalysisCard): void {
  switch (card.kind) {
    case 'dc': {
      let total = 1;
      for (const sweep of card.sweeps) {
        const { source, start, stop, step } = sweep;
        if (start !== stop && (stop - start) * step < 0) {
          throw new CircuitError(
            `.dc ${source} ${num(start)} ${num(stop)} ${num(step)}: a step of ${num(step)} never reaches ${num(stop)} from ${num(start)}`,
            card.loc,
            `use the step ${num(-step)} (its sign must go from start to stop)`,
          );
        }
        total *= start === stop ? 1 : Math.floor((stop - start) / step + 1e-9) + 1;
      }
      tooMany(total, MAX_SWEEP_POINTS, '.dc sweep', card.loc, 'use a larger step');
      break;
    }
    case 'ac': {
      const { variation, points, fstart, fstop } = card;
      if (fstop < fstart) {
        throw new CircuitError(
          `.ac stop frequency ${num(fstop)} is below the start frequency ${num(fstart)}`,
          card.loc,
          `write the start frequency first: .ac ${variation} ${points} ${num(fstop)} ${num(fstart)}`,
        );
      }
      if (variation === 'lin' && fstart < 0) {
        throw new CircuitError(
          `.ac lin start frequency ${fstart} is negative`,
          card.loc,
          'start at 0 or above',
        );
      }
      const count =
        variation === 'lin'
          ? points
          : points * (Math.log(fstop / fstart) / Math.log(variation === 'dec' ? 10 : 2)) + 1;
      tooMany(
        count,
        MAX_SWEEP_POINTS,
        '.ac analysis',
        card.loc,
        'use fewer points per decade or a narrower range',
      );
      break;
    }
    case 'tran': {
      const { tstep, tstop, tstart } = card;
      const tmax = card.tmax && card.tmax > 0 ? card.tmax : Math.min(tstep, (tstop - tstart) / 50);
      tooMany(
        tstop / tmax,
        MAX_TRAN_POINTS,
        `.tran with a largest step of ${num(tmax)} s (${card.tmax ? 'tmax' : 'the smaller of tstep and (tstop - tstart)/50'})`,
        card.loc,
        'raise tstep, or give a larger tmax (.tran tstep tstop tstart tmax)',
      );
      break;
    }
    default:
      break;
  }
}

function tooMany(count: number, limit: number, what: string, loc: SourceLocation, hint: string): void {
  if (count > limit) {
    throw new CircuitError(
      `${what} needs at least ${num(Number(count.toPrecision(3)))} points, more than the ${limit.toLocaleString('en-US')} SpiceSim allows`,
      loc,
      hint,
    );
  }
}
