/**
 * Explanations of a singular MNA matrix in the user's terms: which elements touch the node that cannot be
 * solved for, or which other sources and inductors the branch that cannot be solved for runs parallel to,
 * each with the file:line:column where the deck defines it.
 */
import { ConvergenceError, type SourceLocation, formatLocation } from '../errors';
import type { ElementCard, FlatCircuit } from './flat';

/** At most this many elements are listed in a hint. */
const LISTED = 4;

function describe(card: ElementCard): string {
  return `${card.name} (${formatLocation(card.loc)})`;
}

function list(cards: readonly ElementCard[]): string {
  const shown = cards.slice(0, LISTED).map(describe);
  if (cards.length > LISTED) shown.push(`${cards.length - LISTED} more`);
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}` : shown[0];
}

/** Elements that force a voltage across two nodes (their branch current is an unknown). */
const VOLTAGE_DEFINING = new Set(['v', 'l', 'e', 'h']);

export interface SingularExplanation {
  hint: string;
  /** The line to point at: the element of a branch, or the first element on a node. */
  loc?: SourceLocation;
}

/** Why the unknown `name` (a node, or the branch of the element named so) has no solution. */
export function explainSingular(
  flat: FlatCircuit,
  name: string,
  kind: 'node' | 'branch' | string,
): SingularExplanation {
  if (kind === 'node') {
    const touching = flat.elements.filter((card) => card.nodes.includes(name));
    const dcPath =
      'check that it has a DC path to ground (a capacitor or a current source alone is not one); ' +
      'connect it, or add a large resistor (e.g. 1G) to ground';
    if (touching.length === 0) return { hint: `node '${name}' may be floating: ${dcPath}` };
    return {
      hint: `node '${name}' may be floating: it connects only to ${list(touching)}; ${dcPath}`,
      loc: touching[0].loc,
    };
  }
  const element = flat.elements.find((card) => card.name === name);
  const generic =
    'check its connections, or add a small series resistance (e.g. 1m) to break a loop of ideal sources and inductors';
  if (!element)
    return { hint: `${name} may form a loop with voltage sources or inductors, or be shorted; ${generic}` };
  const [a, b] = element.nodes;
  if (a !== undefined && a === b) {
    return {
      hint: `${describe(element)} is shorted: both its terminals are node '${a}'; connect it between two different nodes`,
      loc: element.loc,
    };
  }
  const parallel = flat.elements.filter(
    (card) =>
      card !== element &&
      VOLTAGE_DEFINING.has(card.kind) &&
      ((card.nodes[0] === a && card.nodes[1] === b) || (card.nodes[0] === b && card.nodes[1] === a)),
  );
  if (parallel.length > 0) {
    return {
      hint:
        `${element.name} is in parallel with ${list(parallel)}: ideal voltage sources and inductors in a loop ` +
        `leave the current around the loop undetermined; ${generic}`,
      loc: element.loc,
    };
  }
  return {
    hint: `${element.name} may form a loop with other voltage sources or inductors, or be shorted; ${generic}`,
    loc: element.loc,
  };
}

/**
 * The equations hold NaN or Infinity at the unknown `name`: some device produced a value that is not a
 * number (a zero saturation current, an exponential that overflowed...). Named with the elements there.
 */
export function nonFiniteError(
  flat: FlatCircuit,
  name: string,
  kind: 'node' | 'branch' | string,
): ConvergenceError {
  const touching =
    kind === 'node'
      ? flat.elements.filter((card) => card.nodes.includes(name))
      : flat.elements.filter((card) => card.name === name);
  const what = kind === 'node' ? `node '${name}'` : `the branch current of ${name}`;
  const suggestions = [
    touching.length > 0
      ? `check the values and model parameters of ${list(touching)} (a zero IS or BV, a negative area or W/L ...)`
      : 'check the values and model parameters of the elements connected there',
    'limit the starting point with .nodeset v(node)=value, or add series resistance (e.g. RS on diode models)',
  ];
  return new ConvergenceError(
    `the circuit equations hold NaN or Infinity at ${what}: a device computed a value that is not a number`,
    [name],
    suggestions,
  );
}

/**
 * The elements where an unknown fails: those on a node, or a branch's element and its neighbours (ground
 * left out: everything touches it). A device-internal node (`d1#internal`) is its device's.
 */
export function elementsAround(
  flat: FlatCircuit,
  name: string,
  kind: 'node' | 'branch' | string,
): ElementCard[] {
  const hash = name.indexOf('#');
  if (kind === 'node' && hash < 0) return flat.elements.filter((card) => card.nodes.includes(name));
  const owner = hash >= 0 ? name.slice(0, hash) : name;
  const element = flat.elements.find((card) => card.name === owner);
  if (!element) return [];
  const nodes = element.nodes.filter((node) => node !== '0');
  return [
    element,
    ...flat.elements.filter((card) => card !== element && card.nodes.some((n) => nodes.includes(n))),
  ];
}

/** "look at d1 (deck.cir:3:1) and v1 (deck.cir:2:1)", or undefined when no element is known. */
export function lookAt(cards: readonly ElementCard[]): string | undefined {
  return cards.length > 0 ? `look at ${list(cards)}` : undefined;
}
