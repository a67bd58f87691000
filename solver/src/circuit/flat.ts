/**
 * The elaborated ("flat") circuit: what the netlist front end hands to the simulator.
 * Subcircuits are expanded, parameters evaluated to numbers, names lower-cased and made
 * hierarchical the way ngspice does it:
 *   - element `R1` inside instance `X1` (inside `X2`) is `r.x2.x1.r1`; top-level elements keep their name (`r1`);
 *   - node `n1` inside `X2.X1` is `x2.x1.n1`; ground aliases (`0`, `gnd`, and `.global` nodes) are not prefixed,
 *     and every ground alias is reported as `0`;
 *   - models defined inside a subcircuit are scoped the same way as elements (`x2.x1.modname`).
 * Data flows one way: netlist text -> Netlist AST -> FlatCircuit -> Circuit (devices, matrix) -> analyses.
 */
import type { SourceLocation } from '../errors';

/** Expression tree, kept for values that must be evaluated at simulation time (B sources, VALUE=). */
export type Expr =
  | { type: 'num'; value: number }
  /** A name: a parameter, `time`, `temper`, `hertz`, ... (lower-cased). */
  | { type: 'var'; name: string }
  /**
   * A function call, name lower-cased. Node voltages are `v` with one or two `var` args holding the
   * flattened node names (`v(x1.out)`, `v(a,b)`); branch currents are `i` with one `var` arg holding
   * the flattened source name (`i(v.x1.vdd)`).
   */
  | { type: 'call'; name: string; args: Expr[] }
  | { type: 'unary'; op: '-' | '+' | '!'; arg: Expr }
  | {
      type: 'binary';
      op: '+' | '-' | '*' | '/' | '%' | '**' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';
      left: Expr;
      right: Expr;
    }
  | { type: 'ternary'; cond: Expr; then: Expr; else: Expr };

/** Time-dependent waveform of an independent source, arguments as written (missing trailing ones omitted). */
export interface Waveform {
  type: 'pulse' | 'sin' | 'exp' | 'pwl' | 'sffm' | 'am';
  args: number[];
  /** PWL options (`r=` repeat time, `td=` delay), when given. */
  options?: Record<string, number>;
}

export interface ElementCard {
  /** Flattened, lower-cased name (see the file comment). Its first letter is the element kind. */
  name: string;
  /** Element kind: the first letter of the name, lower-case: r c l k v i e f g h d q j m s w b. */
  kind: string;
  /** Flattened node names, in the order the element's syntax defines (ground is '0'). */
  nodes: string[];
  /** Flattened model name, for elements that take a model (d q j m s w, and r/c with a model). */
  model?: string;
  /**
   * The primary value: resistance, capacitance, inductance, coupling coefficient (K), gain (E F G H),
   * or undefined when the element has none.
   */
  value?: number;
  /** For K: the two coupled inductor names (flattened). For F, H, W: the controlling source in `controls[0]`. */
  controls?: string[];
  /**
   * Instance parameters by lower-case name, evaluated: tc1 tc2 temp dtemp m ic (C, L) area off
   * w l ad as pd ps nrd nrs ... Positional extras get their conventional names (D/Q/J area as `area`,
   * `off` as 1). IC=a,b,... lists become ic, ic2, ic3 ...
   */
  params: Record<string, number>;
  /** Independent V/I sources: DC value, AC magnitude and phase (degrees), transient waveform. */
  source?: { dc?: number; acMag?: number; acPhase?: number; waveform?: Waveform };
  /** B sources (`V=`/`I=`) and E/G with `VALUE={...}`: the expression with flattened node names. */
  expression?: { quantity: 'v' | 'i'; expr: Expr };
  /** E/G/F/H with POLY(n): dimension and coefficients; controlling nodes/sources in `nodes`/`controls`. */
  poly?: { dimension: number; coefficients: number[] };
  /** E/G with TABLE: the controlling expression and the (x, y) pairs. */
  table?: { expr: Expr; points: Array<[number, number]> };
  loc: SourceLocation;
}

export interface ModelCard {
  /** Flattened, lower-cased model name. */
  name: string;
  /** Model type, lower-cased: d npn pnp njf pjf nmos pmos r c l sw csw ... */
  type: string;
  /** Parameters by lower-case name, evaluated to numbers (level, version included when given). */
  params: Record<string, number>;
  loc: SourceLocation;
}

export interface DcSweep {
  /** The swept source (flattened name, e.g. `v1`), or `temp`, or a resistor name. */
  source: string;
  start: number;
  stop: number;
  step: number;
}

export type AnalysisCard =
  | { kind: 'op'; loc: SourceLocation }
  /** `sweeps[0]` is the inner (first written) sweep, `sweeps[1]` the optional outer one. */
  | { kind: 'dc'; sweeps: DcSweep[]; loc: SourceLocation }
  | {
      kind: 'ac';
      variation: 'dec' | 'oct' | 'lin';
      points: number;
      fstart: number;
      fstop: number;
      loc: SourceLocation;
    }
  | {
      kind: 'tran';
      tstep: number;
      tstop: number;
      tstart: number;
      tmax?: number;
      uic: boolean;
      loc: SourceLocation;
    }
  /** `.tf outvar insrc`: small-signal DC gain, input and output resistance (typed by netlist/analysis-cards). */
  | { kind: 'tf'; output: OutputVariable; source: string; loc: SourceLocation }
  /**
   * `.sens outvar [ac dec|oct|lin n fstart fstop]`: DC sensitivities of the output to every element value and
   * source, or with `ac` the complex small-signal sensitivities at each frequency.
   */
  | {
      kind: 'sens';
      output: OutputVariable;
      ac?: { variation: 'dec' | 'oct' | 'lin'; points: number; fstart: number; fstop: number };
      loc: SourceLocation;
    }
  /**
   * `.noise v(out[,ref]) src dec|oct|lin n fstart fstop [pts_per_summary]`: output and input-referred noise
   * spectral densities and their integrals.
   */
  | {
      kind: 'noise';
      output: { node: string; reference: string };
      source: string;
      variation: 'dec' | 'oct' | 'lin';
      points: number;
      fstart: number;
      fstop: number;
      pointsPerSummary?: number;
      loc: SourceLocation;
    }
  /** `.pz in+ in- out+ out- vol|cur pol|zer|pz`: poles and zeros of the small-signal transfer function. */
  | {
      kind: 'pz';
      input: [string, string];
      output: [string, string];
      transfer: 'vol' | 'cur';
      find: 'pol' | 'zer' | 'pz';
      loc: SourceLocation;
    }
  /** An analysis the front end recognised but the solver may not support yet (noise, tf, sens, pz, ...). */
  | { kind: 'other'; name: string; args: string[]; loc: SourceLocation };

/** An output variable of .tf/.sens: a node voltage (difference) or the current through a voltage source. */
export type OutputVariable =
  { kind: 'voltage'; node: string; reference: string } | { kind: 'current'; source: string };

export interface Diagnostic {
  severity: 'warning' | 'error';
  message: string;
  loc?: SourceLocation;
}

export interface FlatCircuit {
  title: string;
  elements: ElementCard[];
  /** Models by flattened lower-case name. */
  models: Map<string, ModelCard>;
  analyses: AnalysisCard[];
  /** `.options` by lower-case name; flags without a value are `true`; `method=gear` is the string 'gear'. */
  options: Record<string, number | string | boolean>;
  /** `.temp` values in degrees Celsius (empty: use the `temp` option, default 27). */
  temperatures: number[];
  /** `.ic v(node)=value` by flattened node name. */
  initialConditions: Map<string, number>;
  /** `.nodeset v(node)=value` by flattened node name. */
  nodesets: Map<string, number>;
  /** `.save` vectors, lower-cased as written (`v(out)`, `i(v1)`, `all`, bare node names). Empty: save all. */
  saves: string[];
  /**
   * `.print` lines: the analysis kind and the requested vectors, lower-cased; HSPICE `.probe` lines too
   * (`probe: true`, analysis '' when the line names none: every analysis).
   */
  prints: Array<{ analysis: string; vectors: string[]; probe?: boolean; loc: SourceLocation }>;
  /** `.param` values at top level, evaluated. */
  parameters: Map<string, number>;
  /** Warnings (unsupported statements, ignored parameters...) with the line that caused them. */
  diagnostics: Diagnostic[];
}
