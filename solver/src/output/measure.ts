/**
 * .meas / .measure: measurements on the plots of a finished simulation, as ngspice defines them
 * (ngspice manual ch. 15.6; com_measure2.c) and HSPICE spells them (TRIG/TARG, FIND ... WHEN|AT, WHEN,
 * AVG, RMS, MIN, MAX, PP, INTEG, DERIV, PARAM).
 *
 * Conventions matched with ngspice 39:
 *   - a crossing of level L rises when one point is below L and the next at or above it (falls: above, then
 *     at or below); its position is interpolated linearly between the two points; points before TD are
 *     skipped; RISE/FALL/CROSS=n takes the n-th crossing, =LAST the last one;
 *   - on AC plots `v(x)` is the real part, `vm` the magnitude, `vdb` 20·log10|v|, `vp` the phase in radians,
 *     `vr`/`vi` real and imaginary parts (and the same for `i`);
 *   - MIN/MAX look at the points within [FROM, TO] and report where (`at`); AVG, RMS and INTEG integrate the
 *     linear interpolant (its square for RMS) exactly over [FROM, TO], AVG and RMS divide by its width.
 *     ngspice agrees on transient and DC plots; on AC plots its AVG over a logarithmic sweep and its INTEG
 *     over a linear one differ from the integral over frequency (see test/ngspice/analyses.test.ts);
 *   - PARAM expressions see the .param values and the measurements made so far (evaluated after the others).
 * DERIV is ngspice's DERIVATIVE, which ngspice 39 itself fails to evaluate: here the slope of the linear
 * interpolant (the average of the two neighbouring slopes at a data point).
 * A measurement that cannot be made (the level is never crossed, an unknown vector) gives NaN and an error
 * message, printed like ngspice's "measure failed" lines, and never stops the others.
 */
import type { SourceLocation } from '../errors';
import { evaluateExpression } from '../netlist/expression';
import type { MeasureCard, MeasureCondition, MeasureSignal } from '../netlist/analysis-cards';
import type { Plot, Vector } from './plot';

export interface Measurement {
  name: string;
  /** NaN when the measurement failed (see `error`). */
  value: number;
  analysis: 'tran' | 'ac' | 'dc';
  loc: SourceLocation;
  /** Extra values ngspice prints beside the result: `at`, `from`, `to`, `trig`, `targ`. */
  details: Record<string, number>;
  error?: string;
  /** With `.step`: the stepped values of the run this measurement belongs to. */
  step?: Record<string, number>;
}

/** The plot each analysis kind measures on (the last one of that kind, as ngspice's current plot). */
const PLOT_NAMES: Record<Measurement['analysis'], string> = {
  tran: 'Transient Analysis',
  ac: 'AC Analysis',
  dc: 'DC transfer characteristic',
};

class MeasureError extends Error {}

/** Evaluate every card against the plots; PARAM cards last, results in card order. */
export function evaluateMeasurements(
  cards: readonly MeasureCard[],
  plots: readonly Plot[],
  parameters: ReadonlyMap<string, number> = new Map(),
): Measurement[] {
  const results = new Map<MeasureCard, Measurement>();
  const known = new Map<string, number>();
  const ordered = [...cards.filter((c) => c.type !== 'param'), ...cards.filter((c) => c.type === 'param')];
  for (const card of ordered) {
    const details: Record<string, number> = {};
    let value = NaN;
    let error: string | undefined;
    try {
      if (card.type === 'param') {
        value = evaluateExpression(card.expr, (name) => known.get(name) ?? parameters.get(name));
      } else {
        const plot = [...plots].reverse().find((p) => p.name === PLOT_NAMES[card.analysis]);
        if (!plot) throw new MeasureError(`there is no ${card.analysis} analysis to measure on`);
        value = measure(card, new PlotReader(plot, parameters), details);
      }
      if (!Number.isFinite(value)) throw new MeasureError('the result is not a finite number');
    } catch (caught) {
      error = (caught as Error).message;
      value = NaN;
    }
    if (!error) known.set(card.name, value);
    results.set(card, {
      name: card.name,
      value,
      analysis: card.analysis,
      loc: card.loc,
      details,
      ...(error ? { error } : {}),
    });
  }
  return cards.map((card) => results.get(card)!);
}

/** The measurements as ngspice prints them after each analysis (per `.step` run, headed as LTspice does). */
export function formatMeasurements(measurements: readonly Measurement[]): string {
  const lines: string[] = [];
  const runs = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = m.step
      ? Object.entries(m.step)
          .map(([name, value]) => `${name}=${formatValue(value)}`)
          .join(' ')
      : '';
    runs.set(key, [...(runs.get(key) ?? []), m]);
  }
  for (const [step, group] of runs) {
    if (step) lines.push('', `.step ${step}`);
    lines.push(...formatRun(group));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function formatRun(measurements: readonly Measurement[]): string[] {
  const lines: string[] = [];
  for (const analysis of ['dc', 'ac', 'tran'] as const) {
    const group = measurements.filter((m) => m.analysis === analysis);
    if (group.length === 0) continue;
    const title = { dc: 'DC Analysis', ac: 'AC Analysis', tran: 'Transient Analysis' }[analysis];
    lines.push('', `  Measurements for ${title}`, '');
    for (const m of group) {
      if (m.error) {
        lines.push(`Error: measure  ${m.name} failed: ${m.error}`);
        continue;
      }
      const extras = Object.entries(m.details).map(([key, value]) => ` ${key}=  ${formatValue(value)}`);
      lines.push(`${m.name.padEnd(20)}=  ${formatValue(m.value)}${extras.join('')}`);
    }
  }
  return lines;
}

/** C's `%e`: six digits after the point, a two-digit exponent. */
function formatValue(value: number): string {
  const text = value.toExponential(6);
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Reads signals out of one plot as real Float64Arrays over its scale. */
class PlotReader {
  readonly scale: Float64Array;

  constructor(
    readonly plot: Plot,
    private readonly parameters: ReadonlyMap<string, number>,
  ) {
    this.scale = plot.vectors[0].real;
  }

  private vector(name: string): Vector {
    const wanted = name.toLowerCase();
    const alternatives = [wanted];
    const current = /^i\((.*)\)$/.exec(wanted);
    if (current) alternatives.push(`${current[1]}#branch`);
    const found = this.plot.vectors.find((v) => alternatives.includes(v.name.toLowerCase()));
    if (!found) throw new MeasureError(`no such vector as ${name}`);
    return found;
  }

  /** The complex values of `v(a)`, `v(a,b)`, `i(x)`. */
  private complex(kind: 'v' | 'i', args: string[]): { re: Float64Array; im: Float64Array } {
    const length = this.scale.length;
    const zero = new Float64Array(length);
    const one = (name: string): { re: Float64Array; im: Float64Array } => {
      if (kind === 'v' && (name === '0' || name === 'gnd')) return { re: zero, im: zero };
      const v = this.vector(`${kind}(${name})`);
      return { re: v.real, im: v.imag ?? zero };
    };
    const first = one(args[0]);
    if (args.length < 2) return first;
    const second = one(args[1]);
    return {
      re: first.re.map((x, k) => x - second.re[k]),
      im: first.im.map((x, k) => x - second.im[k]),
    };
  }

  signal(signal: MeasureSignal): Float64Array {
    if (signal.func === 'par') return this.expression(signal);
    const kind = signal.func[0] as 'v' | 'i';
    const { re, im } = this.complex(kind, signal.args);
    switch (signal.func.slice(1)) {
      case '':
      case 'r':
        return re;
      case 'i':
        return im;
      case 'm':
        return re.map((x, k) => Math.hypot(x, im[k]));
      case 'db':
        return re.map((x, k) => 20 * Math.log10(Math.hypot(x, im[k])));
      case 'p':
        return re.map((x, k) => Math.atan2(im[k], x));
      default:
        throw new MeasureError(`unknown signal ${signal.text}`);
    }
  }

  private expression(signal: MeasureSignal): Float64Array {
    const result = new Float64Array(this.scale.length);
    const cache = new Map<string, Float64Array>();
    for (let k = 0; k < result.length; k++) {
      result[k] = evaluateExpression(signal.expr!, (name) => {
        const parameter = this.parameters.get(name);
        if (parameter !== undefined) return parameter;
        if (['time', 'frequency', 'hertz'].includes(name) || name === this.plot.vectors[0].name)
          return this.scale[k];
        let values = cache.get(name);
        if (!values) {
          const match = /^([vi])\((.*)\)$/.exec(name);
          if (!match) return undefined;
          values = this.signal({ func: match[1], args: match[2].split(','), text: name });
          cache.set(name, values);
        }
        return values[k];
      });
    }
    return result;
  }
}

/** Linear interpolation of `values` at scale value `x` (scale ascending, or descending for a reversed sweep). */
export function interpolateAt(scale: Float64Array, values: Float64Array, x: number): number {
  const n = scale.length;
  if (n === 0) throw new MeasureError('the plot is empty');
  const ascending = scale[n - 1] >= scale[0];
  const lo = ascending ? scale[0] : scale[n - 1];
  const hi = ascending ? scale[n - 1] : scale[0];
  if (x < lo - 1e-12 * Math.abs(lo) || x > hi + 1e-12 * Math.abs(hi)) {
    throw new MeasureError(`${x} is outside the analysis range [${lo}, ${hi}]`);
  }
  for (let k = 1; k < n; k++) {
    const a = scale[k - 1];
    const b = scale[k];
    if ((x >= a && x <= b) || (x <= a && x >= b)) {
      if (b === a) return values[k];
      return values[k - 1] + ((values[k] - values[k - 1]) * (x - a)) / (b - a);
    }
  }
  return values[n - 1];
}

/** Slope of the linear interpolant at x (the mean of both neighbouring slopes at a data point). */
export function derivativeAt(scale: Float64Array, values: Float64Array, x: number): number {
  interpolateAt(scale, values, x);
  const slope = (k: number): number => (values[k] - values[k - 1]) / (scale[k] - scale[k - 1]);
  const n = scale.length;
  for (let k = 1; k < n; k++) {
    if (scale[k] === scale[k - 1]) continue;
    if (x === scale[k - 1] && k > 1 && scale[k - 1] !== scale[k - 2]) return (slope(k - 1) + slope(k)) / 2;
    if ((x >= scale[k - 1] && x < scale[k]) || (x <= scale[k - 1] && x > scale[k])) return slope(k);
  }
  return slope(n - 1);
}

/** Scale value where `values` crosses `level` as the condition asks, or a MeasureError. */
export function crossing(
  scale: Float64Array,
  values: Float64Array,
  level: number | Float64Array,
  condition: Pick<MeasureCondition, 'edge' | 'count' | 'td'>,
): number {
  let seen = 0;
  let found = NaN;
  let previous = -1;
  const levelAt = (k: number): number => (typeof level === 'number' ? level : level[k]);
  for (let k = 0; k < scale.length; k++) {
    if (scale[k] < condition.td) continue;
    if (previous < 0) {
      previous = k;
      continue;
    }
    const a = values[previous] - levelAt(previous);
    const b = values[k] - levelAt(k);
    const rises = a < 0 && b >= 0;
    const falls = a > 0 && b <= 0;
    const counts = condition.edge === 'rise' ? rises : condition.edge === 'fall' ? falls : rises || falls;
    if (counts) {
      seen++;
      const at = scale[previous] + ((scale[k] - scale[previous]) * -a) / (b - a);
      if (condition.count === 'last') {
        found = at;
      } else if (seen === condition.count) {
        return at;
      }
    }
    previous = k;
  }
  if (Number.isNaN(found)) {
    const which = condition.count === 'last' ? 'any' : `${seen} of ${condition.count}`;
    throw new MeasureError(
      `the ${condition.edge} crossing was not found (${which} ${condition.edge} crossings seen)`,
    );
  }
  return found;
}

function conditionPoint(reader: PlotReader, condition: MeasureCondition): number {
  if (condition.at !== undefined) return condition.at;
  const values = reader.signal(condition.signal!);
  const level = typeof condition.level === 'object' ? reader.signal(condition.level) : condition.level!;
  return crossing(reader.scale, values, level, condition);
}

/** The window [from, to] as indices and interpolated ends. */
function windowOf(
  scale: Float64Array,
  from: number | undefined,
  to: number | undefined,
): { from: number; to: number } {
  const first = scale[0];
  const last = scale[scale.length - 1];
  const lo = from ?? Math.min(first, last);
  const hi = to ?? Math.max(first, last);
  if (!(hi >= lo)) throw new MeasureError(`FROM=${lo} is after TO=${hi}`);
  return { from: lo, to: hi };
}

/** Integral of the linear interpolant of values (or of its square) over [from, to], ends interpolated. */
function integrate(
  scale: Float64Array,
  values: Float64Array,
  from: number,
  to: number,
  square: boolean,
): number {
  const points: Array<[number, number]> = [[from, interpolateAt(scale, values, from)]];
  for (let k = 0; k < scale.length; k++)
    if (scale[k] > from && scale[k] < to) points.push([scale[k], values[k]]);
  points.push([to, interpolateAt(scale, values, to)]);
  points.sort((a, b) => a[0] - b[0]);
  let sum = 0;
  for (let k = 1; k < points.length; k++) {
    const a = points[k - 1][1];
    const b = points[k][1];
    const width = points[k][0] - points[k - 1][0];
    // The exact integral of the linear interpolant (of its square, for RMS).
    sum += square ? ((a * a + a * b + b * b) / 3) * width : ((a + b) / 2) * width;
  }
  return sum;
}

function measure(
  card: Exclude<MeasureCard, { type: 'param' }>,
  reader: PlotReader,
  details: Record<string, number>,
): number {
  const scale = reader.scale;
  switch (card.type) {
    case 'trigtarg': {
      const trig = conditionPoint(reader, card.trig);
      const targ = conditionPoint(reader, card.targ);
      details.targ = targ;
      details.trig = trig;
      return targ - trig;
    }
    case 'when':
      return conditionPoint(reader, card.when);
    case 'find':
    case 'deriv': {
      const values = reader.signal(card.signal);
      const at = card.at ?? conditionPoint(reader, card.when!);
      return card.type === 'find' ? interpolateAt(scale, values, at) : derivativeAt(scale, values, at);
    }
    case 'function': {
      const values = reader.signal(card.signal);
      const { from, to } = windowOf(scale, card.from, card.to);
      if (card.func === 'min' || card.func === 'max' || card.func === 'pp') {
        let min = Infinity;
        let max = -Infinity;
        let minAt = NaN;
        let maxAt = NaN;
        for (let k = 0; k < scale.length; k++) {
          if (scale[k] < from || scale[k] > to) continue;
          if (values[k] < min) [min, minAt] = [values[k], scale[k]];
          if (values[k] > max) [max, maxAt] = [values[k], scale[k]];
        }
        if (Number.isNaN(minAt)) throw new MeasureError(`no points between FROM=${from} and TO=${to}`);
        if (card.func === 'pp') {
          details.from = from;
          details.to = to;
          return max - min;
        }
        details.at = card.func === 'min' ? minAt : maxAt;
        return card.func === 'min' ? min : max;
      }
      details.from = from;
      details.to = to;
      if (card.func === 'integ') return integrate(scale, values, from, to, false);
      if (!(to > from)) throw new MeasureError(`${card.func.toUpperCase()} needs FROM < TO`);
      if (card.func === 'avg') return integrate(scale, values, from, to, false) / (to - from);
      return Math.sqrt(integrate(scale, values, from, to, true) / (to - from));
    }
  }
}
