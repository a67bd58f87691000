/**
 * Typed errors of the solver. Every message says what went wrong, where (file:line:column, node or
 * element as the user wrote it) and what the user can do about it.
 */

import type { Plot } from './output/plot';

/** What a simulation finished before it failed: the CLI still prints and writes it. */
export interface PartialResult {
  title: string;
  /** Plots of the analyses that finished, then the failed one's points up to the failure (if any). */
  plots: Plot[];
  /** Warnings of the deck (each with its line), which a failure must not hide. */
  diagnostics: Array<{ severity: 'warning' | 'error'; message: string; loc?: SourceLocation }>;
}

export interface SourceLocation {
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  /** 1-based column number. */
  column: number;
}

export function formatLocation(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/** Base class: a problem in the user's input or circuit, reported without a stack trace by the CLI. */
export class SpiceError extends Error {
  /** Set by simulateCircuit when analyses before (or part of) the failed one have results. */
  partial?: PartialResult;

  constructor(
    message: string,
    readonly loc?: SourceLocation,
    readonly hint?: string,
  ) {
    super(message);
    // Literal names, not new.target.name: minifiers (the extension's production bundle) rename classes.
    this.name = 'SpiceError';
  }

  /** The message as the CLI prints it: `file:line:col: error: message` plus the hint. */
  format(): string {
    const where = this.loc ? `${formatLocation(this.loc)}: ` : '';
    const hint = this.hint ? `\n  hint: ${this.hint}` : '';
    return `${where}error: ${this.message}${hint}`;
  }
}

/** Malformed netlist text. */
export class ParseError extends SpiceError {
  override name = 'ParseError';
  get line(): number | undefined {
    return this.loc?.line;
  }
  get column(): number | undefined {
    return this.loc?.column;
  }
}

/** The netlist parses but does not describe a valid circuit (unknown model, missing source, bad value...). */
export class CircuitError extends SpiceError {
  override name = 'CircuitError';
}

/** The MNA matrix is singular: `node` names the unknown (node voltage or branch current) as the user wrote it. */
export class SingularMatrixError extends SpiceError {
  override name = 'SingularMatrixError';
  constructor(
    message: string,
    readonly node: string,
    hint?: string,
    loc?: SourceLocation,
  ) {
    super(message, loc, hint);
  }
}

/** Newton iteration did not converge; `nodes` lists the worst offenders, `suggestions` what to try. */
export class ConvergenceError extends SpiceError {
  override name = 'ConvergenceError';
  constructor(
    message: string,
    readonly nodes: string[],
    readonly suggestions: string[],
    loc?: SourceLocation,
  ) {
    super(message, loc, suggestions.join('; '));
  }
}

/** The transient timestep fell below the minimum at `time` seconds. */
export class TimestepTooSmallError extends SpiceError {
  override name = 'TimestepTooSmallError';
  constructor(
    message: string,
    readonly time: number,
    readonly nodes: string[],
    hint?: string,
    loc?: SourceLocation,
  ) {
    super(message, loc, hint);
  }
}
