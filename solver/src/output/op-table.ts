/**
 * The operating point printed the way `ngspice -b` prints it for a `.op` without `.print`: a node voltage
 * table, then a source (branch) current table, each in the reverse of the plot's (rawfile) order as ngspice
 * prints them, names as ngspice shows them (`out`, `V(2)`, `v1#branch`).
 */
import type { Plot } from './plot';

/** `%e` with ngspice's 7-character mantissa for positives and one digit less for negatives (`-3.33333e-03`). */
function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const text = value.toExponential(value < 0 ? 5 : 6);
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** ngspice shows a node whose name starts with a digit as `V(1)`, `V(2.5)`, `V(1a)`, and others bare (`out`). */
function nodeName(vectorName: string): string {
  const m = /^v\((.*)\)$/i.exec(vectorName);
  const name = m ? m[1] : vectorName;
  return /^[0-9]/.test(name) ? `V(${name})` : name;
}

function branchName(vectorName: string): string {
  const m = /^i\((.*)\)$/i.exec(vectorName);
  return m ? `${m[1]}#branch` : vectorName;
}

/** Node voltages and source currents of an operating-point plot (its first point), as text ending in `\n`. */
export function formatOperatingPoint(plot: Plot): string {
  const vectors = plot.printVectors ?? plot.vectors;
  const voltages = vectors.filter((v) => v.type !== 'current').reverse();
  const currents = vectors.filter((v) => v.type === 'current').reverse();
  const row = (name: string, value: number) => `\t${name.padEnd(32)} ${formatValue(value)}`;
  const lines = [
    '\tNode                                  Voltage',
    '\t----                                  -------',
    // ngspice 39 prints this short rule too, before the first node (its listing's own header).
    '\t----\t-------',
  ];
  for (const v of voltages) lines.push(row(nodeName(v.name), v.real[0]));
  if (currents.length) {
    lines.push('', '\tSource\tCurrent', '\t------\t-------', '');
    for (const v of currents) lines.push(row(branchName(v.name), v.real[0]));
  }
  return lines.join('\n') + '\n';
}
