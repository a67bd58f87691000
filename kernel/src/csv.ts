/** CSV export of a result plot: RFC 4180 text, one column per vector, full float precision. */
import type { Plot, Vector } from './solver-contract';

export function toCsv(plot: Plot, names?: string[]): string {
  const vectors: Vector[] = names
    ? names.map((n) => {
        const v = plot.vectors.find(
          (x) => x.name.toLowerCase() === n.toLowerCase() || x.name.toLowerCase() === `v(${n.toLowerCase()})`,
        );
        if (!v)
          throw new Error(
            `toCSV: no vector named '${n}'; available: ${plot.vectors.map((x) => x.name).join(', ')}`,
          );
        return v;
      })
    : plot.vectors;
  const columns: Array<{ header: string; data: Float64Array }> = [];
  for (const v of vectors) {
    if (plot.complex && v.imag) {
      columns.push({ header: `${v.name}.re`, data: v.real }, { header: `${v.name}.im`, data: v.imag });
    } else {
      columns.push({ header: v.name, data: v.real });
    }
  }
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [columns.map((c) => quote(c.header)).join(',')];
  const n = Math.max(0, ...columns.map((c) => c.data.length));
  for (let k = 0; k < n; k++) lines.push(columns.map((c) => String(c.data[k])).join(','));
  return lines.join('\n') + '\n';
}
