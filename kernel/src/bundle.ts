/** Builds the waveform MIME bundle (kernel/README.md, "Waveform bundle v1") from a solver plot. */
import type { Plot, Vector, VectorType } from './solver-contract';
import { toJsonColumn, type WaveformBundle, type WaveformPane, type WaveformTrace } from './waveform/schema';

export interface BundleOptions {
  /** Vectors to show, as the user writes them (`out`, `v(out)`, `i(v1)`); default: every node voltage. */
  traces?: string[];
  /** Group traces into panes sharing the x axis, e.g. `[['in', 'out'], ['i(v1)']]`; overrides `traces`. */
  panes?: string[][];
  title?: string;
  /** Logarithmic x axis (default: on for AC sweeps spanning a decade or more). */
  xLog?: boolean;
  /** Logarithmic y axis (real analyses only). */
  yLog?: boolean;
  /** How complex (AC) data is shown: Bode magnitude (dB) and phase panes (default), or re/im panes. */
  complexView?: 'bode' | 'magnitude' | 'reim';
}

export function toBundle(plot: Plot, options: BundleOptions = {}): WaveformBundle {
  if (plot.name.toLowerCase().startsWith('operating point') || plot.vectors.length < 2) {
    throw new Error(`${plot.name} has no sweep to plot; show its values with result.table() instead`);
  }
  const [scaleVector, ...rest] = plot.vectors;
  const groups = options.panes ?? [options.traces ?? defaultTraces(rest).map((v) => v.name)];
  const selected = new Map<string, Vector>();
  const paneNames = groups.map((group) =>
    group.map((name) => {
      const v = findVector(rest, name);
      if (!v) {
        throw new Error(
          `cannot plot '${name}': no such vector; available: ${rest.map((x) => x.name).join(', ')}`,
        );
      }
      selected.set(v.name, v);
      return v.name;
    }),
  );
  const traces: WaveformTrace[] = [...selected.values()].map((v) => {
    const unit = unitOf(v.type);
    if (!plot.complex) return { name: v.name, unit, format: 'real', values: toJsonColumn(v.real) };
    const imag = v.imag ?? new Float64Array(v.real.length);
    if (options.complexView === 'reim') {
      return { name: v.name, unit, format: 'reim', re: toJsonColumn(v.real), im: toJsonColumn(imag) };
    }
    return {
      name: v.name,
      unit,
      format: 'magphase',
      magnitude: toJsonColumn(v.real.map((r, k) => Math.hypot(r, imag[k]))),
      phase: toJsonColumn(v.real.map((r, k) => (Math.atan2(imag[k], r) * 180) / Math.PI)),
    };
  });
  const panes: WaveformPane[] = [];
  for (const names of paneNames) {
    if (!plot.complex) {
      panes.push({ view: 'value', traces: names, yLog: options.yLog ?? false });
    } else if (options.complexView === 'reim') {
      panes.push({ title: 'Real part', view: 're', traces: names, yLog: false });
      panes.push({ title: 'Imaginary part', view: 'im', traces: names, yLog: false });
    } else if (options.complexView === 'magnitude') {
      panes.push({ title: 'Magnitude', view: 'magnitude', traces: names, yLog: true });
    } else {
      panes.push({
        title: 'Magnitude',
        view: 'magnitude-db',
        traces: names,
        yLog: false,
        yLabel: 'Magnitude (dB)',
      });
      panes.push({ title: 'Phase', view: 'phase', traces: names, yLog: false, yLabel: 'Phase (°)' });
    }
  }
  const scale = scaleVector.real;
  const n = scale.length;
  const decadeOrMore = n > 1 && scale[0] > 0 && scale[n - 1] / scale[0] >= 10;
  return {
    version: 1,
    title: options.title ?? (plot.title ? `${plot.title}: ${plot.name}` : plot.name),
    analysis: plot.name,
    x: {
      name: scaleVector.name,
      unit: unitOf(scaleVector.type),
      log: options.xLog ?? (scaleVector.type === 'frequency' && decadeOrMore),
      values: toJsonColumn(scale),
    },
    traces,
    panes,
  };
}

function defaultTraces(vectors: Vector[]): Vector[] {
  const voltages = vectors.filter((v) => v.type === 'voltage');
  return voltages.length > 0 ? voltages : vectors;
}

function findVector(vectors: Vector[], name: string): Vector | undefined {
  const wanted = name.toLowerCase();
  const bare = /^i\((.*)\)$/.exec(wanted)?.[1];
  return (
    vectors.find((v) => v.name.toLowerCase() === wanted) ??
    vectors.find((v) => v.name.toLowerCase() === `v(${wanted})`) ??
    (bare ? vectors.find((v) => v.name.toLowerCase() === `${bare}#branch`) : undefined)
  );
}

export function unitOf(type: VectorType): string {
  switch (type) {
    case 'time':
      return 's';
    case 'frequency':
      return 'Hz';
    case 'voltage':
      return 'V';
    case 'current':
      return 'A';
    case 'temperature':
      return '°C';
    default:
      return '';
  }
}

export interface ColumnSpec {
  name: string;
  unit?: string;
  values: ArrayLike<number>;
}

/**
 * A waveform bundle from plain columns (sweep results, Monte Carlo statistics, several runs overlaid):
 * `sim.plot(sim.columnsBundle({name: 'C', unit: 'F', values: cs}, [{name: 'fc', unit: 'Hz', values: fcs}]))`.
 * All traces go into one pane; each must have as many values as x.
 */
export function columnsBundle(
  x: ColumnSpec & { log?: boolean },
  traces: ColumnSpec[],
  options: { title?: string; yLog?: boolean; yLabel?: string } = {},
): WaveformBundle {
  for (const t of traces) {
    if (t.values.length !== x.values.length) {
      throw new Error(
        `columnsBundle: trace '${t.name}' has ${t.values.length} values but x '${x.name}' has ${x.values.length}`,
      );
    }
  }
  return {
    version: 1,
    title: options.title ?? traces.map((t) => t.name).join(', '),
    analysis: 'columns',
    x: { name: x.name, unit: x.unit ?? '', log: x.log ?? false, values: toJsonColumn(x.values) },
    traces: traces.map((t) => ({
      name: t.name,
      unit: t.unit ?? '',
      format: 'real',
      values: toJsonColumn(t.values),
    })),
    panes: [
      {
        view: 'value',
        traces: traces.map((t) => t.name),
        yLog: options.yLog ?? false,
        yLabel: options.yLabel,
      },
    ],
  };
}
