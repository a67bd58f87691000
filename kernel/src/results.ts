/**
 * Analysis results as named columns. One `AnalysisResult` wraps one solver plot (columnar Float64Array
 * vectors, scale first); a `Simulation` holds every plot one netlist run produced.
 */
import { inspect } from 'util';
import type { Plot, SimulationResult, Vector } from './solver-contract';
import { toCsv } from './csv';
import { toBundle, type BundleOptions } from './bundle';
import { formatSI } from './waveform/format';
import type { WaveformBundle } from './waveform/schema';

export type AnalysisKind = 'op' | 'dc' | 'ac' | 'tran' | 'other';

/** A name the user wrote (`out`, `v(out)`, `V1`) is not among the simulated vectors. */
export class UnknownVectorError extends Error {
  constructor(wanted: string, available: string[]) {
    super(`no vector named '${wanted}' in this result; available: ${available.join(', ') || '(none)'}`);
    this.name = 'UnknownVectorError';
  }
}

export class AnalysisResult {
  readonly kind: AnalysisKind;

  constructor(readonly plot: Plot) {
    this.kind = Private.kindOf(plot.name);
  }

  /** Analysis name as ngspice writes it: 'Transient Analysis', 'AC Analysis', ... */
  get name(): string {
    return this.plot.name;
  }

  get title(): string {
    return this.plot.title;
  }

  get complex(): boolean {
    return this.plot.complex;
  }

  /** Names of all vectors, scale first. */
  get names(): string[] {
    return this.plot.vectors.map((v) => v.name);
  }

  /** Number of points (1 for an operating point). */
  get length(): number {
    return this.plot.vectors[0]?.real.length ?? 0;
  }

  /** The scale vector (time, frequency, swept source); undefined for `.op`. */
  get scale(): Vector | undefined {
    return this.kind === 'op' ? undefined : this.plot.vectors[0];
  }

  /** Time points of a transient analysis. */
  get time(): Float64Array {
    return this.scaleOf('tran', 'time');
  }

  /** Frequencies of an AC analysis. */
  get frequency(): Float64Array {
    return this.scaleOf('ac', 'frequency');
  }

  /** Swept values of a DC analysis. */
  get sweep(): Float64Array {
    return this.scaleOf('dc', 'sweep');
  }

  /**
   * The raw vector by name, case-insensitive. `out` and `v(out)` both find the node voltage, `v1`,
   * `i(v1)` and `v1#branch` the source current.
   */
  vector(name: string): Vector {
    const found = Private.find(this.plot.vectors, name);
    if (!found) throw new UnknownVectorError(name, this.names);
    return found;
  }

  /** Whether a vector with this name exists. */
  has(name: string): boolean {
    return Private.find(this.plot.vectors, name) !== undefined;
  }

  /**
   * Node voltage `v(node)`, or `v(node) - v(reference)`. Real analyses give the values; AC gives the
   * magnitude (use `phase`, `db`, `re`, `im` for the rest).
   */
  v(node: string, reference?: string): Float64Array {
    const a = this.values(this.voltageVector(node));
    if (reference === undefined) return a;
    if (this.complex) {
      const x = this.voltageVector(node);
      const y = this.voltageVector(reference);
      const re = x.real.map((r, k) => r - y.real[k]);
      const im = (x.imag ?? new Float64Array(re.length)).map((q, k) => q - (y.imag?.[k] ?? 0));
      return re.map((r, k) => Math.hypot(r, im[k]));
    }
    const b = this.values(this.voltageVector(reference));
    return a.map((value, k) => value - b[k]);
  }

  /** Branch current through a voltage source or inductor (`i(v1)`); AC gives the magnitude. */
  i(element: string): Float64Array {
    const wanted = element.toLowerCase();
    const candidates = [wanted, `i(${wanted})`, `${wanted}#branch`];
    const found = candidates
      .map((c) => Private.find(this.plot.vectors, c))
      .find((v) => v && v.type === 'current');
    if (!found) throw new UnknownVectorError(`i(${element})`, this.names);
    return this.values(found);
  }

  /** Real part of a vector (any name `vector()` accepts). */
  re(name: string): Float64Array {
    return this.vector(name).real;
  }

  /** Imaginary part (zeros for real analyses). */
  im(name: string): Float64Array {
    const v = this.vector(name);
    return v.imag ?? new Float64Array(v.real.length);
  }

  /** Magnitude |x|. */
  mag(name: string): Float64Array {
    const v = this.vector(name);
    return v.real.map((r, k) => Math.hypot(r, v.imag?.[k] ?? 0));
  }

  /** Magnitude in dB, 20 log10 |x|. */
  db(name: string): Float64Array {
    return this.mag(name).map((m) => 20 * Math.log10(m));
  }

  /** Phase in degrees, atan2(im, re). */
  phase(name: string): Float64Array {
    const v = this.vector(name);
    return v.real.map((r, k) => (Math.atan2(v.imag?.[k] ?? 0, r) * 180) / Math.PI);
  }

  /** The single value of an operating point (or the first point of any analysis): `op.value('out')`. */
  value(name: string): number {
    return this.values(this.vector(name))[0];
  }

  /** Node voltages and source currents of an operating point as a plain object. */
  table(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const v of this.plot.vectors) out[v.name] = v.real[0];
    return out;
  }

  /** CSV text (header = vector names; complex vectors as name.re/name.im columns). */
  toCSV(names?: string[]): string {
    return toCsv(this.plot, names);
  }

  /** The waveform MIME bundle of this result (see kernel/README.md). */
  toBundle(options: BundleOptions = {}): WaveformBundle {
    return toBundle(this.plot, options);
  }

  [inspect.custom](): string {
    return Private.describe(this);
  }

  toString(): string {
    return Private.describe(this);
  }

  private voltageVector(node: string): Vector {
    const lower = node.toLowerCase();
    const found =
      Private.find(this.plot.vectors, lower.startsWith('v(') ? lower : `v(${lower})`) ??
      Private.find(this.plot.vectors, lower);
    if (!found || found.type === 'current') throw new UnknownVectorError(`v(${node})`, this.names);
    return found;
  }

  private values(vector: Vector): Float64Array {
    if (!this.complex || !vector.imag) return vector.real;
    const imag = vector.imag;
    return vector.real.map((r, k) => Math.hypot(r, imag[k]));
  }

  private scaleOf(kind: AnalysisKind, what: string): Float64Array {
    if (this.kind !== kind) {
      throw new Error(
        `this is a ${this.name} result; it has no ${what} (its scale is ${this.plot.vectors[0]?.name ?? 'empty'})`,
      );
    }
    return this.plot.vectors[0].real;
  }
}

/** Everything one netlist run produced: one result per analysis, in the order they ran. */
export class Simulation {
  readonly analyses: AnalysisResult[];

  constructor(readonly result: SimulationResult) {
    this.analyses = result.plots.map((p) => new AnalysisResult(p));
  }

  get title(): string {
    return this.result.title;
  }

  /** Solver warnings (floating nodes, defaults used ...). */
  get diagnostics(): SimulationResult['diagnostics'] {
    return this.result.diagnostics;
  }

  get op(): AnalysisResult {
    return this.get('op');
  }
  get dc(): AnalysisResult {
    return this.get('dc');
  }
  get ac(): AnalysisResult {
    return this.get('ac');
  }
  get tran(): AnalysisResult {
    return this.get('tran');
  }

  get(kind: AnalysisKind): AnalysisResult {
    const found = this.analyses.find((a) => a.kind === kind);
    if (!found) {
      throw new Error(
        `the netlist ran no ${kind} analysis (it ran: ${this.analyses.map((a) => a.name).join(', ') || 'nothing'}); add a .${kind} card`,
      );
    }
    return found;
  }

  [inspect.custom](): string {
    return [`Simulation "${this.title}"`, ...this.analyses.map((a) => '  ' + Private.describe(a))].join('\n');
  }
}

namespace Private {
  export function kindOf(plotName: string): AnalysisKind {
    const name = plotName.toLowerCase();
    if (name.startsWith('operating point')) return 'op';
    if (name.startsWith('dc')) return 'dc';
    if (name.startsWith('ac')) return 'ac';
    if (name.startsWith('transient')) return 'tran';
    return 'other';
  }

  export function find(vectors: Vector[], name: string): Vector | undefined {
    const wanted = name.toLowerCase();
    const bare = /^i\((.*)\)$/.exec(wanted)?.[1];
    return (
      vectors.find((v) => v.name.toLowerCase() === wanted) ??
      vectors.find((v) => v.name.toLowerCase() === `v(${wanted})`) ??
      (bare ? vectors.find((v) => v.name.toLowerCase() === `${bare}#branch`) : undefined)
    );
  }

  export function describe(result: AnalysisResult): string {
    if (result.kind === 'op') {
      const rows = result.plot.vectors.map(
        (v) => `${v.name} = ${formatSI(v.real[0], v.type === 'current' ? 'A' : 'V', 5)}`,
      );
      return `${result.name}: ${rows.join(', ')}`;
    }
    const scale = result.plot.vectors[0];
    const n = result.length;
    const range = scale && n > 0 ? ` ${scale.name} ${scale.real[0]}..${scale.real[n - 1]}` : '';
    return `${result.name}: ${n} points,${range}; vectors ${result.names.slice(1).join(', ')}`;
  }
}
