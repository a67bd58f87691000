/**
 * The typed netlist AST: what `parseNetlist` returns, before subcircuits are flattened and
 * parameters evaluated. Names are lower-cased; every node carries the file, line and column where
 * it was written (columns 1-based, pointing at the token).
 */
import type { SourceLocation } from '../errors';
import type { Expr } from '../circuit/flat';

export type { SourceLocation, Expr };

/** A number as written: a literal (`10k`) or an expression (`{2*r0}`, `'a+b'`, bare `r0` in HSPICE style). */
export type Value =
  | { kind: 'number'; value: number; loc: SourceLocation }
  | { kind: 'expr'; expr: Expr; text: string; loc: SourceLocation };

/** A name as written (node, model, source, subcircuit), lower-cased. */
export interface NameRef {
  name: string;
  loc: SourceLocation;
}

/** `name=value`; `values` holds comma lists such as `ic=1,2` (first value in `value`). */
export interface ParamAssignment {
  name: string;
  value: Value;
  /** Further comma-separated values (`ic=0.6,5` gives value 0.6 and rest [5]). */
  rest?: Value[];
  loc: SourceLocation;
}

export interface SourceSpec {
  dc?: Value;
  /** Where the source's value part starts (the end of the line when there is none). */
  loc: SourceLocation;
  acMag?: Value;
  acPhase?: Value;
  waveform?: {
    type: 'pulse' | 'sin' | 'exp' | 'pwl' | 'sffm' | 'am';
    args: Value[];
    options: ParamAssignment[];
    loc: SourceLocation;
  };
}

export interface ElementStatement {
  type: 'element';
  /** Lower-case name as written (`r1`, `xamp`). */
  name: string;
  /** First letter of the name: r c l k v i e f g h d q j m s w b x. */
  kind: string;
  nodes: NameRef[];
  /** Model (d q j m s w, r/c with a model) or, for X, the subcircuit name. */
  model?: NameRef;
  /** Primary value (resistance, capacitance, inductance, coupling, gain). */
  value?: Value;
  /** Controlling elements: K's two inductors, F/H/W's source, POLY F/H's sources. */
  controls?: NameRef[];
  /** Named parameters (`w=1u`, X instance overrides, `tc1=...`). */
  params: ParamAssignment[];
  /** Positional keywords and values after the model: `off`, `on`, area. */
  flags: NameRef[];
  area?: Value;
  source?: SourceSpec;
  expression?: { quantity: 'v' | 'i'; expr: Expr; text: string; loc: SourceLocation };
  poly?: { dimension: number; coefficients: Value[]; loc: SourceLocation };
  table?: { expr: Expr; text: string; points: Array<[Value, Value]>; loc: SourceLocation };
  loc: SourceLocation;
}

export interface SubcircuitDefinition {
  type: 'subckt';
  name: string;
  ports: NameRef[];
  /** `params:` defaults (evaluated in the instance scope). */
  params: ParamAssignment[];
  body: Statement[];
  loc: SourceLocation;
}

export interface ModelStatement {
  type: 'model';
  name: string;
  modelType: string;
  params: ParamAssignment[];
  loc: SourceLocation;
}

/** `.func name(a, b) {expr}`: a user function, inlined where it is called. */
export interface FunctionStatement {
  type: 'func';
  name: string;
  params: string[];
  expr: Expr;
  loc: SourceLocation;
}

export interface ParamStatement {
  type: 'param';
  assignments: ParamAssignment[];
  loc: SourceLocation;
}

export interface DcSweepSpec {
  source: NameRef;
  start: Value;
  stop: Value;
  step: Value;
  loc: SourceLocation;
}

export type AnalysisStatement =
  | { type: 'analysis'; kind: 'op'; loc: SourceLocation }
  | { type: 'analysis'; kind: 'dc'; sweeps: DcSweepSpec[]; loc: SourceLocation }
  | {
      type: 'analysis';
      kind: 'ac';
      variation: 'dec' | 'oct' | 'lin';
      points: Value;
      fstart: Value;
      fstop: Value;
      loc: SourceLocation;
    }
  | {
      type: 'analysis';
      kind: 'tran';
      tstep: Value;
      tstop: Value;
      tstart?: Value;
      tmax?: Value;
      uic: boolean;
      loc: SourceLocation;
    }
  | { type: 'analysis'; kind: 'other'; name: string; args: string[]; loc: SourceLocation };

export interface OptionsStatement {
  type: 'options';
  options: Array<{ name: string; value: Value | string | true; loc: SourceLocation }>;
  loc: SourceLocation;
}

export interface TempStatement {
  type: 'temp';
  values: Value[];
  loc: SourceLocation;
}

/** `.ic` and `.nodeset`: `v(node)=value` pairs. */
export interface InitialConditionStatement {
  type: 'ic' | 'nodeset';
  entries: Array<{ node: NameRef; value: Value; loc: SourceLocation }>;
  loc: SourceLocation;
}

export interface GlobalStatement {
  type: 'global';
  nodes: NameRef[];
  loc: SourceLocation;
}

export interface SaveStatement {
  type: 'save';
  vectors: string[];
  loc: SourceLocation;
}

export interface PrintStatement {
  type: 'print';
  /** The analysis the line is for; '' for an HSPICE `.probe` without one (every analysis). */
  analysis: string;
  vectors: string[];
  /** Written as HSPICE's `.probe` (the vectors `.option probe` keeps in the results file). */
  probe?: boolean;
  loc: SourceLocation;
}

/**
 * A top-level element card whose syntax is read only when the elaborator reaches it: only from `parseNetlist`
 * with `deferElements` (see `Netlist.readElement`). The elaborator turns each into its flat card at once, so a
 * deck of many elements never holds all their syntax trees at the same time (on a 30,000-element deck they
 * were most of the memory, and of the time spent collecting garbage).
 */
export interface DeferredElement {
  type: 'deferred';
  /** The card as read (opaque outside the parser). */
  card: object;
}

export type Statement =
  | ElementStatement
  | DeferredElement
  | SubcircuitDefinition
  | ModelStatement
  | ParamStatement
  | FunctionStatement
  | AnalysisStatement
  | OptionsStatement
  | TempStatement
  | InitialConditionStatement
  | GlobalStatement
  | SaveStatement
  | PrintStatement;

export interface ParseDiagnostic {
  severity: 'warning' | 'error';
  message: string;
  loc?: SourceLocation;
}

export interface Netlist {
  title: string;
  /** Top-level statements in order; included files are spliced in where they were included. */
  statements: Statement[];
  /** Warnings found while parsing (unsupported statements, ignored text). */
  diagnostics: ParseDiagnostic[];
  loc: SourceLocation;
  /**
   * Reads a deferred element card (`deferElements`); its warnings are added to `diagnostics`, a syntax error
   * throws ParseError as `parseNetlist` would have. Undefined for a card of blanks only (form feeds).
   */
  readElement?: (statement: DeferredElement) => ElementStatement | undefined;
}
