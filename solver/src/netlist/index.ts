/**
 * The SPICE netlist front end: text -> typed Netlist AST (`parseNetlist`) -> FlatCircuit (`elaborate`).
 * See README.md for the supported syntax.
 */
import type { FlatCircuit } from '../circuit/flat';
import { elaborate } from '../circuit/elaborate';
import { parseNetlist, type ParseOptions } from './parser';

export type * from './ast';
export type { ParseOptions } from './parser';
export { parseNetlist, resolveIncludePath } from './parser';
export { elaborate } from '../circuit/elaborate';
export { evaluateExpression, parseExpression, expressionLocation, BUILTIN_FUNCTIONS } from './expression';
export { parseValue } from './values';

/**
 * Parses and elaborates in one step. Throws ParseError or CircuitError (both SpiceError). Top-level element cards
 * are read as they are elaborated (`deferElements`), so their syntax trees never all live at once.
 */
export function parseAndElaborate(text: string, options?: ParseOptions): FlatCircuit {
  return elaborate(parseNetlist(text, { ...options, deferElements: true }));
}
