/**
 * CSV export of one plot: a header row, then one row per point; the scale column first, then one column
 * per vector. Complex plots (AC) give two columns per vector: real and imaginary parts (`re(v(out))`,
 * `im(v(out))`) or magnitude and phase in degrees (`mag(v(out))`, `ph(v(out))`, ngspice's function names).
 * The scale of a complex plot (frequency) is real and gets one column.
 *
 * Pure TypeScript (no Node imports): returns a string.
 */
import type { Plot, Vector } from './plot';
import { rawVariableName } from './rawfile';

export interface CsvOptions {
  /** How complex vectors are split into columns. Default 'reim'. */
  complex?: 'reim' | 'magphase';
  /** Field separator, default ','. */
  separator?: string;
  /** Significant digits, default 15 (enough to round-trip through a double within 1 ulp or so). */
  digits?: number;
}

function quote(field: string, separator: string): string {
  return field.includes(separator) || field.includes('"') || /\s/.test(field)
    ? `"${field.replace(/"/g, '""')}"`
    : field;
}

function formatNumber(value: number, digits: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Inf' : '-Inf';
  if (value === 0) return '0';
  // Shortest form that is still exact to `digits` significant digits: 1e-3 stays 0.001, not 1.00000e-03.
  return String(Number(value.toPrecision(digits)));
}

/** A plot as CSV text (header + one line per point, `\n` line ends, trailing newline). */
export function formatCsv(plot: Plot, options: CsvOptions = {}): string {
  const separator = options.separator ?? ',';
  const digits = options.digits ?? 15;
  const mode = options.complex ?? 'reim';
  type Column = { title: string; value: (p: number) => number };
  const columns: Column[] = [];
  plot.vectors.forEach((v: Vector, index) => {
    const name = rawVariableName(v);
    const imag = v.imag;
    const isScale = index === 0 && (v.type === 'frequency' || v.type === 'time');
    if (!plot.complex || !imag || isScale) {
      columns.push({ title: name, value: (p) => v.real[p] });
    } else if (mode === 'reim') {
      columns.push({ title: `re(${name})`, value: (p) => v.real[p] });
      columns.push({ title: `im(${name})`, value: (p) => imag[p] });
    } else {
      columns.push({ title: `mag(${name})`, value: (p) => Math.hypot(v.real[p], imag[p]) });
      columns.push({ title: `ph(${name})`, value: (p) => (Math.atan2(imag[p], v.real[p]) * 180) / Math.PI });
    }
  });
  const points = plot.vectors.length ? plot.vectors[0].real.length : 0;
  const lines = [columns.map((c) => quote(c.title, separator)).join(separator)];
  for (let p = 0; p < points; p++) {
    lines.push(columns.map((c) => formatNumber(c.value(p), digits)).join(separator));
  }
  return lines.join('\n') + '\n';
}
