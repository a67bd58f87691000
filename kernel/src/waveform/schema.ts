/**
 * The waveform MIME bundle, version 1: `application/vnd.spicesim.waveform.v1+json`.
 * Columnar JSON, one shared x axis per bundle, any number of panes stacked over it.
 * Documented in kernel/README.md; the JupyterLab extension renders it, `renderSvg` draws the static fallback.
 * This folder has no Node dependencies so the browser extension can import it.
 */

export const WAVEFORM_MIME = 'application/vnd.spicesim.waveform.v1+json';

/** A JSON number column; non-finite values (NaN, +-Infinity) are written as null. */
export type JsonColumn = Array<number | null>;

export interface WaveformAxis {
  /** Vector name as the solver writes it: `time`, `frequency`, `v-sweep`... */
  name: string;
  /** SI unit without prefix: `s`, `Hz`, `V`, `A`, or '' when unknown. */
  unit: string;
  /** Display hint: logarithmic axis (AC sweeps by decade or octave). */
  log: boolean;
  /** Monotonic scale values. */
  values: JsonColumn;
}

/** A real-valued trace: one value per x sample. */
export interface RealTrace {
  name: string;
  unit: string;
  format: 'real';
  values: JsonColumn;
}

/** A complex trace as magnitude (linear, in `unit`) and phase (degrees). */
export interface MagPhaseTrace {
  name: string;
  unit: string;
  format: 'magphase';
  magnitude: JsonColumn;
  phase: JsonColumn;
}

/** A complex trace as real and imaginary parts. */
export interface ReImTrace {
  name: string;
  unit: string;
  format: 'reim';
  re: JsonColumn;
  im: JsonColumn;
}

export type WaveformTrace = RealTrace | MagPhaseTrace | ReImTrace;

/**
 * What a pane shows of each trace: `value` for real traces; for complex traces `magnitude`,
 * `magnitude-db` (20 log10 |x|), `phase` (degrees), `re` or `im`.
 */
export type PaneView = 'value' | 'magnitude' | 'magnitude-db' | 'phase' | 're' | 'im';

export interface WaveformPane {
  title?: string;
  view: PaneView;
  /** Names of the traces (from `traces`) drawn in this pane, in legend order. */
  traces: string[];
  /** Display hint: logarithmic y axis. */
  yLog: boolean;
  /** Axis label, e.g. `Voltage (V)`, `Magnitude (dB)`. */
  yLabel?: string;
}

export interface WaveformBundle {
  version: 1;
  title: string;
  /** The analysis the data comes from: `Transient Analysis`, `AC Analysis`, ... */
  analysis: string;
  x: WaveformAxis;
  traces: WaveformTrace[];
  panes: WaveformPane[];
}

/** The y values a pane shows for a trace (plain numbers; null becomes NaN). */
export function paneValues(trace: WaveformTrace, view: PaneView): Float64Array {
  const col = (c: JsonColumn) => Float64Array.from(c, (v) => (v === null ? NaN : v));
  switch (trace.format) {
    case 'real':
      if (view === 'magnitude-db') return col(trace.values).map((v) => 20 * Math.log10(Math.abs(v)));
      if (view === 'magnitude') return col(trace.values).map(Math.abs);
      return col(trace.values);
    case 'magphase': {
      if (view === 'phase') return col(trace.phase);
      const magnitude = col(trace.magnitude);
      if (view === 'magnitude-db') return magnitude.map((v) => 20 * Math.log10(v));
      if (view === 're' || view === 'im') {
        const phase = col(trace.phase);
        const f = view === 're' ? Math.cos : Math.sin;
        return magnitude.map((m, k) => m * f((phase[k] * Math.PI) / 180));
      }
      return magnitude;
    }
    case 'reim': {
      const re = col(trace.re);
      const im = col(trace.im);
      if (view === 're' || view === 'value') return re;
      if (view === 'im') return im;
      if (view === 'phase') return re.map((r, k) => (Math.atan2(im[k], r) * 180) / Math.PI);
      const magnitude = re.map((r, k) => Math.hypot(r, im[k]));
      return view === 'magnitude-db' ? magnitude.map((v) => 20 * Math.log10(v)) : magnitude;
    }
  }
}

/** Non-finite numbers become null so the bundle is valid JSON. */
export function toJsonColumn(values: ArrayLike<number>): JsonColumn {
  const out: JsonColumn = new Array(values.length);
  for (let k = 0; k < values.length; k++) out[k] = Number.isFinite(values[k]) ? values[k] : null;
  return out;
}

/** Checks the shape of a bundle (what a renderer may rely on); returns a list of problems, empty when valid. */
export function validateBundle(value: unknown): string[] {
  const problems: string[] = [];
  const b = value as Partial<WaveformBundle> | null;
  if (!b || typeof b !== 'object') return ['bundle is not an object'];
  if (b.version !== 1) problems.push(`version must be 1, got ${JSON.stringify(b.version)}`);
  if (!b.x || !Array.isArray(b.x.values)) problems.push('x.values must be an array');
  const n = b.x?.values?.length ?? 0;
  const names = new Set<string>();
  for (const t of b.traces ?? []) {
    names.add(t.name);
    const columns =
      t.format === 'real'
        ? [t.values]
        : t.format === 'magphase'
          ? [t.magnitude, t.phase]
          : t.format === 'reim'
            ? [t.re, t.im]
            : null;
    if (!columns)
      problems.push(`trace ${t.name}: unknown format ${JSON.stringify((t as { format?: unknown }).format)}`);
    else if (columns.some((c) => !Array.isArray(c) || c.length !== n))
      problems.push(`trace ${t.name}: columns must have ${n} values`);
  }
  if (!Array.isArray(b.panes) || b.panes.length === 0) problems.push('panes must be a non-empty array');
  for (const p of b.panes ?? [])
    for (const name of p.traces) if (!names.has(name)) problems.push(`pane refers to unknown trace ${name}`);
  return problems;
}

/** The y-axis label of a pane: its `yLabel`, or one derived from the view and the first trace's unit. */
export function paneLabel(pane: WaveformPane, bundle: WaveformBundle): string {
  if (pane.yLabel) return pane.yLabel;
  if (pane.view === 'magnitude-db') return 'Magnitude (dB)';
  if (pane.view === 'phase') return 'Phase (°)';
  const unit = bundle.traces.find((t) => t.name === pane.traces[0])?.unit ?? '';
  const quantity = unit === 'V' ? 'Voltage' : unit === 'A' ? 'Current' : '';
  const prefix =
    pane.view === 'magnitude'
      ? 'Magnitude'
      : pane.view === 're'
        ? 'Real part'
        : pane.view === 'im'
          ? 'Imaginary part'
          : quantity;
  return unit ? `${prefix || 'Value'} (${unit})` : prefix;
}
