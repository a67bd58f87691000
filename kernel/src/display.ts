/**
 * Rich output in the notebook. Every waveform goes out as one Jupyter display_data message carrying the
 * interactive bundle (`application/vnd.spicesim.waveform.v1+json`), a static SVG and a text summary, so
 * nbconvert, GitHub and a JupyterLab without the extension still show something useful.
 */
import { AnalysisResult, Simulation } from './results';
import type { BundleOptions } from './bundle';
import { WAVEFORM_MIME, paneValues, validateBundle, type WaveformBundle } from './waveform/schema';
import { renderSvg, escapeXml } from './waveform/svg';
import { formatSI } from './waveform/format';

export type MimeBundle = Record<string, unknown>;

/** The full MIME bundle for a waveform: interactive JSON + SVG fallback + text. */
export function waveformMimeBundle(bundle: WaveformBundle): MimeBundle {
  const problems = validateBundle(bundle);
  if (problems.length > 0) throw new Error(`invalid waveform bundle: ${problems.join('; ')}`);
  return {
    [WAVEFORM_MIME]: bundle,
    'image/svg+xml': renderSvg(bundle),
    'text/plain': describeBundle(bundle),
  };
}

/** One line per trace: name, range, point count. */
export function describeBundle(bundle: WaveformBundle): string {
  const n = bundle.x.values.length;
  const first = bundle.x.values[0];
  const last = bundle.x.values[n - 1];
  const lines = [
    `${bundle.title} (${n} points, ${bundle.x.name} ${formatSI(first ?? NaN, bundle.x.unit)} .. ${formatSI(last ?? NaN, bundle.x.unit)})`,
  ];
  for (const pane of bundle.panes) {
    for (const name of pane.traces) {
      const trace = bundle.traces.find((t) => t.name === name);
      if (!trace) continue;
      const values = paneValues(trace, pane.view).filter(Number.isFinite);
      const unit = pane.view === 'magnitude-db' ? 'dB' : pane.view === 'phase' ? '°' : trace.unit;
      const lo = values.reduce((a, b) => Math.min(a, b), Infinity);
      const hi = values.reduce((a, b) => Math.max(a, b), -Infinity);
      const view = pane.view === 'value' ? '' : ` ${pane.view}`;
      // dB and degrees read badly with SI prefixes (`171 µdB`): plain numbers for those.
      const show = (v: number) =>
        unit === 'dB' || unit === '°' ? `${Number(v.toPrecision(4))} ${unit}` : formatSI(v, unit);
      lines.push(`  ${name}${view}: ${show(lo)} .. ${show(hi)}`);
    }
  }
  return lines.join('\n');
}

/**
 * Sends a MIME bundle to the notebook through tslab's display channel. Outside a kernel (plain Node,
 * tests) it prints the text/plain part instead.
 */
export function display(data: MimeBundle): void {
  const write = tslabWriter();
  if (!write) {
    const text = data['text/plain'];
    process.stdout.write(`${typeof text === 'string' ? text : JSON.stringify(data)}\n`);
    return;
  }
  write({ data, metadata: {}, transient: {} }, false);
}

/**
 * Plots a result: `plot(sim.tran)`, `plot(run, {traces: ['in', 'out']})`, `plot(ac, {complexView: 'reim'})`.
 * An operating point shows as a table.
 */
export function plot(what: AnalysisResult | Simulation | WaveformBundle, options: BundleOptions = {}): void {
  if (what instanceof Simulation) {
    for (const analysis of what.analyses) plot(analysis, options);
    return;
  }
  if (what instanceof AnalysisResult) {
    if (what.kind === 'op') {
      showTable(what.table(), what.name);
      return;
    }
    display(waveformMimeBundle(what.toBundle(options)));
    return;
  }
  display(waveformMimeBundle(what));
}

/** A name -> value table (operating points, measurements) as HTML with a text fallback. */
export function showTable(rows: Record<string, number | string>, caption = ''): void {
  display(tableMimeBundle(rows, caption));
}

export function tableMimeBundle(rows: Record<string, number | string>, caption = ''): MimeBundle {
  const cell = (name: string, v: number | string) =>
    typeof v === 'number'
      ? formatSI(
          v,
          name.startsWith('i(') || name.endsWith('#branch') ? 'A' : name.startsWith('v(') ? 'V' : '',
          6,
        )
      : v;
  const entries = Object.entries(rows);
  const width = Math.max(4, ...entries.map(([k]) => k.length));
  const text = [caption, ...entries.map(([k, v]) => `${k.padEnd(width)}  ${cell(k, v)}`)]
    .filter(Boolean)
    .join('\n');
  const html =
    `<table class="spicesim-table">${caption ? `<caption>${escapeXml(caption)}</caption>` : ''}` +
    entries
      .map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(String(cell(k, v)))}</td></tr>`)
      .join('') +
    `</table>`;
  return { 'text/html': html, 'text/plain': text };
}

export type DisplayWriter = (
  content: { data: MimeBundle; metadata: object; transient: object },
  update: boolean,
) => void;

/** tslab keeps the current cell's display writer in a module variable (tslab/dist/jupyter.js); null outside a kernel. */
export function tslabWriter(): DisplayWriter | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData?: DisplayWriter | null };
    return jupyter.lastWriteDisplayData ?? null;
  } catch {
    return null;
  }
}
