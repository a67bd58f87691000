/**
 * The viewer's two other views of a result, as pure figure builders (unit tested without a browser):
 * - Nyquist (AC results): Im T(jw) over Re T(jw) for every complex trace, its mirror for negative frequencies,
 *   the unit circle and the critical point -1, and for a loop gain the unity-gain point with its phase margin.
 *   Reading stability: the curve must not encircle -1; its distance to -1 is the robustness margin.
 * - FFT (transient results): dB amplitude spectrum of every real trace over the visible time range, with a
 *   chosen window, after resampling the non-uniform SPICE timesteps (numerics in spectrum.ts).
 */
import { decimateMinMax } from '@spicesim/kernel/dist/waveform/decimate';
import { valueAt } from '@spicesim/kernel/dist/measure';
import { formatSI } from '@spicesim/kernel/dist/waveform/format';
import { TRACE_COLORS } from '@spicesim/kernel/dist/waveform/svg';
import { loopGainMargins } from './measurements';
import { lineWidth, traceOpacity, type BundleColumns, type Figure, type ViewState } from './plotly-model';
import { amplitudeSpectrum, type AmplitudeSpectrum, type SpectrumWindow } from './spectrum';

/** Traces with complex values (AC): the ones a Nyquist diagram can show. */
export function complexTraceNames(columns: BundleColumns): string[] {
  const shown = new Set(columns.bundle.panes.flatMap((p) => p.traces));
  return columns.bundle.traces.filter((t) => t.format !== 'real' && shown.has(t.name)).map((t) => t.name);
}

/** Real traces over time (transient): the ones an FFT view can show. */
export function spectrumTraceNames(columns: BundleColumns): string[] {
  if (columns.bundle.x.unit !== 's') return [];
  const shown = new Set(columns.bundle.panes.flatMap((p) => p.traces));
  return columns.bundle.traces.filter((t) => t.format === 'real' && shown.has(t.name)).map((t) => t.name);
}

/** Largest number of points per Nyquist curve handed to plotly (AC sweeps are rarely longer). */
const NYQUIST_MAX_POINTS = 20_000;

export function buildNyquistFigure(columns: BundleColumns, state: ViewState): Figure {
  const bundle = columns.bundle;
  const names = complexTraceNames(columns);
  if (names.length === 0) throw new Error('Nyquist view: this result has no complex (AC) traces');
  const { foreground, background, grid } = state.theme;
  const data: Array<Record<string, unknown>> = [];
  let extent = 1;
  const annotations: Array<Record<string, unknown>> = [];
  for (const name of names) {
    const color = colorOf(columns, name);
    const re = columns.y(name, 're');
    const im = columns.y(name, 'im');
    const stride = Math.max(1, Math.ceil(re.length / NYQUIST_MAX_POINTS));
    const pick = (a: Float64Array) => (stride === 1 ? a : a.filter((_, k) => k % stride === 0));
    const [x, y, f] = [pick(re), pick(im), pick(columns.x)];
    for (let k = 0; k < x.length; k++)
      if (Number.isFinite(x[k]) && Number.isFinite(y[k])) extent = Math.max(extent, Math.hypot(x[k], y[k]));
    const visible = state.hidden.has(name) ? 'legendonly' : true;
    const common = {
      type: 'scatter',
      mode: 'lines',
      legendgroup: name,
      visible,
      opacity: traceOpacity(state, name),
    };
    data.push({
      ...common,
      name,
      x,
      y,
      customdata: f,
      line: { color, width: lineWidth(state, name) },
      hovertemplate: `${name}<br>f = %{customdata:.4~s}${bundle.x.unit}<br>Re %{x:.4~g}, Im %{y:.4~g}<extra></extra>`,
    });
    // Negative frequencies: the complex conjugate, closing the contour for the encirclement count.
    data.push({
      ...common,
      name,
      x,
      y: y.map((v) => -v),
      showlegend: false,
      hoverinfo: 'skip',
      line: { color, width: 1, dash: 'dot' },
    });
    const margins = loopGainMargins(columns, name);
    if (margins && visible === true) {
      const logF = columns.x.map(Math.log10);
      const at = Math.log10(margins.unityGainFrequency);
      const point = { x: valueAt(logF, re, at), y: valueAt(logF, im, at) };
      data.push({
        type: 'scatter',
        mode: 'markers',
        name: `${name} |T| = 1`,
        x: [point.x],
        y: [point.y],
        showlegend: false,
        marker: { color, size: 8, symbol: 'circle-open', line: { width: 2 } },
        hovertemplate: `${name}: |T| = 1 at ${formatSI(margins.unityGainFrequency, bundle.x.unit, 4)}, PM ${margins.phaseMargin.toFixed(1)}°<extra></extra>`,
      });
      annotations.push({
        x: point.x,
        y: point.y,
        text: `PM ${margins.phaseMargin.toFixed(1)}°`,
        showarrow: true,
        arrowhead: 0,
        ax: 30,
        ay: -25,
        font: { color, size: 11 },
      });
    }
  }
  const circle = Array.from({ length: 181 }, (_, k) => (2 * Math.PI * k) / 180);
  data.push({
    type: 'scatter',
    mode: 'lines',
    name: 'unit circle',
    x: circle.map(Math.cos),
    y: circle.map(Math.sin),
    showlegend: false,
    hoverinfo: 'skip',
    line: { color: foreground, width: 1, dash: 'dash' },
    opacity: 0.5,
  });
  data.push({
    type: 'scatter',
    mode: 'markers+text',
    name: '-1',
    x: [-1],
    y: [0],
    text: ['-1'],
    textposition: 'bottom left',
    showlegend: false,
    marker: { color: '#d62728', size: 10, symbol: 'x' },
    hovertemplate: 'critical point -1 + 0j<extra></extra>',
  });
  // A loop gain of 1000 at DC would shrink the unit circle to a dot: start zoomed on the region around -1
  // (double-click shows the whole curve).
  const half = extent > 4 ? 3 : Math.max(1.3, extent * 1.1);
  const axis = { gridcolor: grid, linecolor: grid, zerolinecolor: grid, zeroline: true };
  return {
    data: data as unknown as Figure['data'],
    layout: {
      title: { text: `${bundle.title}: Nyquist`, font: { size: 14 } },
      paper_bgcolor: background,
      plot_bgcolor: background,
      font: { color: foreground, size: 11 },
      margin: { l: 70, r: 20, t: 40, b: 45 },
      showlegend: true,
      legend: { orientation: 'h', y: -0.15, x: 0 },
      hovermode: 'closest',
      uirevision: 'spicesim-nyquist',
      annotations,
      xaxis: { ...axis, title: { text: 'Re' }, range: [-half, half], autorange: false },
      yaxis: {
        ...axis,
        title: { text: 'Im' },
        range: [-half, half],
        autorange: false,
        scaleanchor: 'x',
        scaleratio: 1,
      },
    },
  };
}

/** The last spectrum per trace, recomputed only when the window or the analysed time range changes. */
export class SpectrumCache {
  get(
    columns: BundleColumns,
    name: string,
    window: SpectrumWindow,
    from: number,
    to: number,
  ): AmplitudeSpectrum {
    const signature = `${window}|${from}|${to}`;
    const last = this._last.get(name);
    if (last && last.signature === signature) return last.spectrum;
    const spectrum = amplitudeSpectrum(columns.x, columns.y(name, 'value'), { window, from, to });
    this._last.set(name, { signature, spectrum });
    return spectrum;
  }

  private readonly _last = new Map<string, { signature: string; spectrum: AmplitudeSpectrum }>();
}

/**
 * dB amplitude spectra of the transient's real traces over the visible time range (`state.xRange`), on a
 * log frequency axis from the first bin to fs/2, min/max-decimated to the pixel width like the waveforms.
 */
export function buildFftFigure(columns: BundleColumns, state: ViewState, cache: SpectrumCache): Figure {
  const bundle = columns.bundle;
  const names = spectrumTraceNames(columns);
  if (names.length === 0)
    throw new Error('FFT view: only transient results (real traces over time) have a spectrum');
  const [first, last] = columns.xExtent();
  const [from, to] = state.xRange
    ? [Math.max(first, state.xRange[0]), Math.min(last, state.xRange[1])]
    : [first, last];
  const data: Figure['data'] = [];
  let info = '';
  for (const name of names) {
    const spectrum = cache.get(columns, name, state.fftWindow, from, to);
    const bins = spectrum.frequency.length;
    // Bin 0 (DC) has no place on a log axis.
    const f = spectrum.frequency.subarray(1, bins);
    const db = spectrum.magnitudeDb.subarray(1, bins);
    const [fMin, fMax] = state.fftRange ?? [f[0], f[f.length - 1]];
    const decimated = decimateMinMax(f, db, {
      xMin: fMin,
      xMax: fMax,
      columns: Math.max(50, Math.round(state.pixelWidth)),
      log: true,
    });
    const unit = bundle.traces.find((t) => t.name === name)?.unit ?? '';
    data.push({
      type: state.webgl ? 'scattergl' : 'scatter',
      mode: 'lines',
      name,
      x: decimated.x,
      y: decimated.y,
      xaxis: 'x',
      yaxis: 'y',
      legendgroup: name,
      showlegend: true,
      visible: state.hidden.has(name) ? 'legendonly' : true,
      line: { color: colorOf(columns, name), width: lineWidth(state, name) },
      opacity: traceOpacity(state, name),
      hovertemplate: `${name}: %{y:.1f} dB${unit}<br>f: %{x:.4~s}Hz<extra></extra>`,
    });
    info = `${state.fftWindow} window, N = ${spectrum.points}, Δf = ${formatSI(spectrum.resolution, 'Hz', 3)}, ${formatSI(from, 's', 4)} to ${formatSI(to, 's', 4)}`;
  }
  const { foreground, background, grid } = state.theme;
  const unit = bundle.traces.find((t) => t.name === names[0])?.unit ?? '';
  return {
    data,
    layout: {
      title: { text: `${bundle.title}: FFT (${info})`, font: { size: 14 } },
      paper_bgcolor: background,
      plot_bgcolor: background,
      font: { color: foreground, size: 11 },
      margin: { l: 70, r: 20, t: 40, b: 45 },
      showlegend: true,
      legend: { orientation: 'h', y: -0.18, x: 0 },
      hovermode: 'x',
      uirevision: 'spicesim-fft',
      xaxis: {
        type: 'log',
        title: { text: 'frequency (Hz)' },
        exponentformat: 'SI',
        gridcolor: grid,
        linecolor: grid,
        ...(state.fftRange
          ? { range: state.fftRange.map(Math.log10), autorange: false }
          : { autorange: true }),
      },
      yaxis: { title: { text: `Magnitude (dB${unit})` }, gridcolor: grid, linecolor: grid, zeroline: false },
    },
  };
}

/**
 * The trace a hover is about: among plotly's hover points (hovermode 'x' reports every trace at the cursor's
 * x), the one whose value is nearest the cursor's y (in log10 units on a log axis). A point without a finite
 * value (a gap, y <= 0 on a log axis, an event without values) only wins when no point has one.
 */
export function nearestTrace(
  points: Array<{ name: string; y?: number }>,
  cursorY: number | undefined,
  logAxis = false,
): string | undefined {
  const scale = (v: number | undefined) => (v === undefined ? NaN : logAxis ? Math.log10(v) : v);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const p of points) {
    const y = scale(p.y);
    const cursor = scale(cursorY);
    const distance = !Number.isFinite(y)
      ? Number.MAX_VALUE
      : Number.isFinite(cursor)
        ? Math.abs(y - cursor)
        : 0;
    if (distance < bestDistance) {
      best = p.name;
      bestDistance = distance;
    }
  }
  return best;
}

function colorOf(columns: BundleColumns, name: string): string {
  const index = columns.bundle.traces.findIndex((t) => t.name === name);
  return TRACE_COLORS[Math.max(0, index) % TRACE_COLORS.length];
}
