/**
 * Turns a waveform bundle and the viewer's state (hidden traces, log axes, visible x range, pixel width,
 * theme) into a plotly figure. Pure, so it is unit tested without a browser; the data handed to plotly is
 * already min/max-decimated to the visible pixel width (recomputed on every zoom/pan by the viewer).
 */
import { decimateMinMax } from '@spicesim/kernel/dist/waveform/decimate';
import { TRACE_COLORS } from '@spicesim/kernel/dist/waveform/svg';
import {
  paneLabel,
  paneValues,
  type WaveformBundle,
  type WaveformPane,
} from '@spicesim/kernel/dist/waveform/schema';
import type { SpectrumWindow } from './spectrum';

export interface ThemeColors {
  background: string;
  foreground: string;
  grid: string;
}

export interface ViewState {
  /** Trace names the user switched off. */
  hidden: Set<string>;
  xLog: boolean;
  /** One entry per pane. */
  yLog: boolean[];
  /** Visible x range in data units; undefined = everything. */
  xRange?: [number, number];
  /** Width of the plotting area in pixels: the decimation's column count. */
  pixelWidth: number;
  /** Cursor positions (x, data units): none, A, or A and B. */
  cursors?: number[];
  /** WebGL traces (`scattergl`); SVG `scatter` when the browser has no WebGL. */
  webgl: boolean;
  theme: ThemeColors;
  /** What the plot shows: the waveforms over x, a Nyquist diagram (AC), or an FFT (transient). */
  mode: ViewMode;
  /** Window of the FFT view. */
  fftWindow: SpectrumWindow;
  /** Visible frequency range of the FFT view (undefined = all bins). */
  fftRange?: [number, number];
  /** Trace emphasised by cross-probing (drawn thicker, the others dimmed). */
  emphasis?: string;
}

export type ViewMode = 'waveform' | 'nyquist' | 'fft';

/** A WebGL renderer string (WEBGL_debug_renderer_info) that names a CPU rasteriser rather than a GPU. */
export function isSoftwareRenderer(renderer: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i.test(renderer);
}

/** Line width of a trace: thicker when cross-probing emphasises it. */
export function lineWidth(state: ViewState, name: string): number {
  return state.emphasis === undefined ? 1.5 : state.emphasis === name ? 3.5 : 1.5;
}

/** Opacity of a trace: the others fade while one is emphasised. */
export function traceOpacity(state: ViewState, name: string): number {
  return state.emphasis === undefined || state.emphasis === name ? 1 : 0.45;
}

export interface PlotlyTrace {
  type: 'scatter' | 'scattergl';
  mode: 'lines';
  name: string;
  x: Float64Array;
  y: Float64Array;
  xaxis: string;
  yaxis: string;
  legendgroup: string;
  showlegend: boolean;
  visible: boolean | 'legendonly';
  line: { color: string; width: number; dash?: string };
  opacity?: number;
  hovertemplate: string;
}

export interface Figure {
  data: PlotlyTrace[];
  layout: Record<string, unknown>;
}

/** Columns of a bundle converted once to Float64Array (JSON nulls become NaN). */
export class BundleColumns {
  readonly x: Float64Array;
  private readonly cache = new Map<string, Float64Array>();

  constructor(readonly bundle: WaveformBundle) {
    this.x = Float64Array.from(bundle.x.values, (v) => (v === null ? NaN : v));
  }

  /**
   * Min/max decimation of a trace for a visible range and pixel width, remembering the last result per
   * trace and view: a redraw that does not move the x axis (cursor, theme, cross-probe emphasis) reuses it.
   */
  decimated(
    traceName: string,
    view: WaveformPane['view'],
    options: { xMin: number; xMax: number; columns: number; log: boolean },
  ) {
    const key = `${view}\u0000${traceName}`;
    const signature = `${options.xMin}|${options.xMax}|${options.columns}|${options.log}`;
    const last = this.decimations.get(key);
    if (last && last.signature === signature) return last.result;
    const result = decimateMinMax(this.x, this.y(traceName, view), options);
    this.decimations.set(key, { signature, result });
    return result;
  }

  private readonly decimations = new Map<
    string,
    { signature: string; result: { x: Float64Array; y: Float64Array } }
  >();

  y(traceName: string, view: WaveformPane['view']): Float64Array {
    const key = `${view}\u0000${traceName}`;
    let values = this.cache.get(key);
    if (!values) {
      const trace = this.bundle.traces.find((t) => t.name === traceName);
      values = trace ? paneValues(trace, view) : new Float64Array(this.x.length).fill(NaN);
      this.cache.set(key, values);
    }
    return values;
  }

  /** [first, last] finite x value (x is monotonic). */
  xExtent(): [number, number] {
    let lo = 0;
    let hi = this.x.length - 1;
    while (lo < hi && !Number.isFinite(this.x[lo])) lo++;
    while (hi > lo && !Number.isFinite(this.x[hi])) hi--;
    return [this.x[lo], this.x[hi]];
  }
}

export function initialState(bundle: WaveformBundle, theme: ThemeColors, webgl: boolean): ViewState {
  return {
    hidden: new Set(),
    xLog: bundle.x.log,
    yLog: bundle.panes.map((p) => p.yLog),
    pixelWidth: 800,
    webgl,
    theme,
    mode: 'waveform',
    fftWindow: 'hann',
  };
}

const PANE_GAP = 0.07;

/** The plotly figure for the current state: one y axis per pane, x axes matched so panes zoom together. */
export function buildFigure(columns: BundleColumns, state: ViewState): Figure {
  const bundle = columns.bundle;
  const panes = bundle.panes;
  const [first, last] = columns.xExtent();
  const [xMin, xMax] = state.xRange ?? [first, last];
  const data: PlotlyTrace[] = [];
  const legendShown = new Set<string>();
  panes.forEach((pane, k) => {
    const suffix = k === 0 ? '' : String(k + 1);
    for (const name of pane.traces) {
      const colorIndex = bundle.traces.findIndex((t) => t.name === name);
      const decimated = columns.decimated(name, pane.view, {
        xMin,
        xMax,
        columns: Math.max(50, Math.round(state.pixelWidth)),
        log: state.xLog,
      });
      data.push({
        type: state.webgl ? 'scattergl' : 'scatter',
        mode: 'lines',
        name,
        x: decimated.x,
        y: decimated.y,
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
        legendgroup: name,
        showlegend: !legendShown.has(name),
        visible: state.hidden.has(name) ? 'legendonly' : true,
        line: {
          color: TRACE_COLORS[Math.max(0, colorIndex) % TRACE_COLORS.length],
          width: lineWidth(state, name),
        },
        opacity: traceOpacity(state, name),
        hovertemplate: `${name}: %{y:.4~s}${unitOf(bundle, pane)}<br>${bundle.x.name}: %{x:.4~s}${bundle.x.unit}<extra></extra>`,
      });
      legendShown.add(name);
    }
  });

  const { foreground, background, grid } = state.theme;
  const height = (1 - PANE_GAP * (panes.length - 1)) / panes.length;
  const layout: Record<string, unknown> = {
    title: { text: bundle.title, font: { size: 14 } },
    paper_bgcolor: background,
    plot_bgcolor: background,
    font: { color: foreground, size: 11 },
    margin: { l: 70, r: 20, t: 40, b: 45 },
    showlegend: true,
    legend: { orientation: 'h', y: -0.12 / panes.length - 0.06, x: 0 },
    hovermode: 'x',
    uirevision: 'spicesim',
    // Cursors: dashed vertical lines across all panes.
    shapes: (state.cursors ?? []).map((x, k) => ({
      type: 'line',
      xref: 'x',
      yref: 'paper',
      x0: x,
      x1: x,
      y0: 0,
      y1: 1,
      line: { color: foreground, width: 1, dash: k === 0 ? 'dash' : 'dot' },
    })),
  };
  panes.forEach((pane, k) => {
    const suffix = k === 0 ? '' : String(k + 1);
    const top = 1 - k * (height + PANE_GAP);
    const isBottom = k === panes.length - 1;
    layout[`xaxis${suffix}`] = {
      type: state.xLog ? 'log' : 'linear',
      anchor: `y${suffix}`,
      ...(k === 0 ? {} : { matches: 'x' }),
      showticklabels: isBottom,
      title: isBottom ? { text: `${bundle.x.name}${bundle.x.unit ? ` (${bundle.x.unit})` : ''}` } : undefined,
      gridcolor: grid,
      linecolor: grid,
      zeroline: false,
      // SI-prefixed ticks (`500µ`, `2m`, `10k`) like the SVG fallback; log axes keep plotly's decade labels.
      ...(state.xLog ? { exponentformat: 'SI' } : { tickformat: '~s' }),
      ...(state.xRange
        ? { range: axisRange(state.xRange, state.xLog), autorange: false }
        : { autorange: true }),
    };
    layout[`yaxis${suffix}`] = {
      type: state.yLog[k] ? 'log' : 'linear',
      anchor: `x${suffix}`,
      domain: [Math.max(0, top - height), Math.min(1, top)],
      title: { text: paneLabel(pane, bundle) },
      gridcolor: grid,
      linecolor: grid,
      zeroline: false,
      ...(state.yLog[k] ? { exponentformat: 'SI' } : { tickformat: '~s' }),
    };
  });
  return { data, layout };
}

/**
 * The visible x range after a plotly relayout event, in data units, or null when the event did not
 * touch the x axes; `'auto'` when the user reset the zoom.
 */
export function xRangeFromRelayout(
  event: Record<string, unknown>,
  xLog: boolean,
): [number, number] | 'auto' | null {
  for (const [key, value] of Object.entries(event)) {
    if (/^xaxis\d*\.autorange$/.test(key) && value === true) return 'auto';
    if (/^xaxis\d*\.range$/.test(key) && Array.isArray(value))
      return fromAxis([Number(value[0]), Number(value[1])], xLog);
    const m = /^(xaxis\d*)\.range\[0\]$/.exec(key);
    if (m) {
      const other = event[`${m[1]}.range[1]`];
      if (other !== undefined) return fromAxis([Number(value), Number(other)], xLog);
    }
  }
  return null;
}

/** Plotly's log axes take their range in log10 units. */
function axisRange(range: [number, number], log: boolean): [number, number] {
  return log ? [Math.log10(range[0]), Math.log10(range[1])] : range;
}

function fromAxis(range: [number, number], log: boolean): [number, number] {
  return log ? [10 ** range[0], 10 ** range[1]] : range;
}

function unitOf(bundle: WaveformBundle, pane: WaveformPane): string {
  if (pane.view === 'magnitude-db') return ' dB';
  if (pane.view === 'phase') return '°';
  const unit = bundle.traces.find((t) => t.name === pane.traces[0])?.unit;
  return unit ? ` ${unit}` : '';
}

/** CSV of the full-resolution bundle data (x plus every pane's view of every trace). */
export function bundleToCsv(columns: BundleColumns): string {
  const bundle = columns.bundle;
  const headers = [bundle.x.name];
  const series: Float64Array[] = [columns.x];
  for (const pane of bundle.panes) {
    for (const name of pane.traces) {
      headers.push(pane.view === 'value' ? name : `${name} ${pane.view}`);
      series.push(columns.y(name, pane.view));
    }
  }
  const lines = [headers.map((h) => (/[",\n]/.test(h) ? `"${h.replace(/"/g, '""')}"` : h)).join(',')];
  for (let k = 0; k < columns.x.length; k++) lines.push(series.map((s) => String(s[k])).join(','));
  return lines.join('\n') + '\n';
}
