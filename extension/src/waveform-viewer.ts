/**
 * The interactive waveform viewer: a MIME renderer for `application/vnd.spicesim.waveform.v1+json`.
 * plotly.js (loaded on first use, WebGL `scattergl` traces when the browser has WebGL), stacked panes
 * sharing the x axis, trace toggles (legend and toolbar), log axes, CSV/PNG export, JupyterLab theme colours.
 * Data reaching plotly is min/max-decimated to the plot's pixel width and recomputed on every zoom/pan,
 * so long transients stay responsive. Other views of the same result: Nyquist (AC) and FFT (transient),
 * built by analysis-views.ts. Hovering/clicking a trace cross-probes to schematics (viewer-crossprobe.ts).
 * Every redraw dispatches a `spicesim-redraw` event with its timings (the frame-rate benchmark reads them).
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { WAVEFORM_MIME, validateBundle, type WaveformBundle } from '@spicesim/kernel/dist/waveform/schema';
import {
  SpectrumCache,
  buildFftFigure,
  buildNyquistFigure,
  complexTraceNames,
  nearestTrace,
  spectrumTraceNames,
} from './analysis-views';
import { cursorReadout, measurementRows } from './measurements';
import {
  BundleColumns,
  buildFigure,
  bundleToCsv,
  initialState,
  isSoftwareRenderer,
  xRangeFromRelayout,
  type Figure,
  type ThemeColors,
  type ViewMode,
  type ViewState,
} from './plotly-model';
import { crossProbe } from './schematic/crossprobe';
import { SPECTRUM_WINDOWS, type SpectrumWindow } from './spectrum';
import { TraceCrossProbe } from './viewer-crossprobe';

type PlotlyModule = typeof import('plotly.js-dist-min');

export class WaveformViewer extends Widget implements IRenderMime.IRenderer {
  constructor(options: WaveformViewer.IOptions) {
    super();
    this._mimeType = options.mimeType;
    this.addClass('jp-SpiceSimWaveform');
    this._toolbar = document.createElement('div');
    this._toolbar.className = 'jp-SpiceSimWaveform-toolbar';
    this._plot = document.createElement('div');
    this._plot.className = 'jp-SpiceSimWaveform-plot';
    this._cursorPanel = document.createElement('div');
    this._cursorPanel.className = 'jp-SpiceSimWaveform-cursors';
    this._measurePanel = document.createElement('div');
    this._measurePanel.className = 'jp-SpiceSimWaveform-measurements';
    this._measurePanel.hidden = true;
    this._status = document.createElement('div');
    this._status.className = 'jp-SpiceSimWaveform-status';
    this.node.append(this._toolbar, this._status, this._plot, this._cursorPanel, this._measurePanel);
    this._probe = new TraceCrossProbe(
      crossProbe,
      Private.nextViewerId(),
      () => (this._columns ? this._columns.bundle.traces.map((t) => t.name) : []),
      (trace) => {
        if (!this._state) return;
        this._state.emphasis = trace;
        this.node.dataset.emphasis = trace ?? '';
        void this._redraw();
      },
    );
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const bundle = model.data[this._mimeType] as unknown as WaveformBundle;
    const problems = validateBundle(bundle);
    if (problems.length > 0) {
      this._plot.textContent = `Cannot show this waveform (${WAVEFORM_MIME}): ${problems.join('; ')}`;
      this.addClass('jp-SpiceSimWaveform-error');
      return;
    }
    this._columns = new BundleColumns(bundle);
    this._state = initialState(bundle, Private.themeColors(), Private.hasWebGL());
    this._plot.style.height = `${Math.max(280, 230 * bundle.panes.length + 90)}px`;
    this._buildToolbar(bundle);
    const plotly = await Private.loadPlotly();
    this._plotly = plotly;
    this._state.pixelWidth = this._pixelWidth();
    const figure = buildFigure(this._columns, this._state);
    const element = await plotly.newPlot(this._plot, figure.data, figure.layout, Private.CONFIG);
    element.on('plotly_relayout', (event: Record<string, unknown>) => this._onRelayout(event));
    element.on('plotly_hover', (event: Private.HoverEvent) => {
      const trace = this._hoveredTrace(event);
      if (trace) this._probe.hover(trace);
    });
    element.on('plotly_unhover', () => this._probe.clear());
    // Clicks place cursor A, then B; a third click starts again with A.
    element.on('plotly_click', (event: Private.HoverEvent) => {
      const trace = this._hoveredTrace(event);
      if (trace) this._probe.select(trace);
      const x = event.points?.[0]?.x;
      if (!this._state || this._state.mode !== 'waveform' || typeof x !== 'number') return;
      const cursors = this._state.cursors ?? [];
      this._state.cursors = cursors.length >= 2 ? [x] : [...cursors, x];
      this._showCursors();
      void this._redraw();
    });
    element.on('plotly_legendclick', (event: { data: Array<{ name: string }>; curveNumber: number }) => {
      this._toggle(event.data[event.curveNumber].name);
      return false;
    });
    this._themeObserver = new MutationObserver(() => {
      if (!this._state) return;
      this._state.theme = Private.themeColors();
      void this._redraw();
    });
    this._themeObserver.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name'],
    });
    this.node.dataset.traces = String(figure.data.length);
    this.node.dataset.renderer = this._state.webgl ? 'webgl' : 'svg';
    this.node.dataset.mode = this._state.mode;
    // Browser tests and benchmarks reach the viewer from its node, as schematic tests reach the editor.
    (this.node as HTMLElement & { spicesimViewer?: WaveformViewer }).spicesimViewer = this;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this._themeObserver?.disconnect();
    this._probe.dispose();
    this._plotly?.purge(this._plot);
    super.dispose();
  }

  protected override onResize(): void {
    if (!this._plotly || !this._state) return;
    void this._plotly.Plots.resize(this._plot).then(() => this._redraw());
  }

  /**
   * Shows [from, to] of the x axis (undefined: everything), re-decimated; resolves once plotly has drawn it.
   * The programmatic counterpart of a zoom or pan (the frame-rate benchmark drives the viewer with it).
   */
  async setXRange(range: [number, number] | undefined): Promise<void> {
    if (!this._state) return;
    this._state.xRange = range;
    await this._redraw();
  }

  /** Switches between the waveforms, the Nyquist diagram and the FFT. */
  setMode(mode: ViewMode): void {
    if (!this._state || this._state.mode === mode) return;
    this._state.mode = mode;
    this._state.fftRange = undefined;
    this.node.dataset.mode = mode;
    for (const b of this._toolbar.querySelectorAll<HTMLButtonElement>('button[data-mode]')) {
      b.setAttribute('aria-pressed', String(b.dataset.mode === mode));
    }
    void this._redraw();
  }

  /**
   * Re-decimates for the new visible range; ignores relayouts that do not move the x axis. In the FFT view the
   * range is a frequency range (the time range analysed stays the one zoomed to in the waveform view).
   */
  private _onRelayout(event: Record<string, unknown>): void {
    if (!this._state || this._reacting || this._state.mode === 'nyquist') return;
    const fft = this._state.mode === 'fft';
    const range = xRangeFromRelayout(event, fft ? true : this._state.xLog);
    if (range === null) return;
    if (fft) this._state.fftRange = range === 'auto' ? undefined : range;
    else this._state.xRange = range === 'auto' ? undefined : range;
    void this._redraw();
  }

  /** Which trace a plotly hover/click is about (the nearest to the pointer among the hovered subplot's). */
  private _hoveredTrace(event: Private.HoverEvent): string | undefined {
    const axis = event.yaxes?.[0];
    const points = (event.points ?? [])
      .filter((p) => !axis || !p.yaxis || p.yaxis === axis)
      .filter((p) => this._columns?.bundle.traces.some((t) => t.name === p.data?.name))
      .map((p) => ({ name: p.data!.name, y: p.y }));
    return nearestTrace(points, event.yvals?.[0], axis?.type === 'log');
  }

  private _toggle(name: string): void {
    if (!this._state) return;
    if (this._state.hidden.has(name)) this._state.hidden.delete(name);
    else this._state.hidden.add(name);
    for (const box of this._toolbar.querySelectorAll<HTMLInputElement>('input[data-trace]')) {
      box.checked = !this._state.hidden.has(box.dataset.trace ?? '');
    }
    void this._redraw();
  }

  /** Rebuilds the figure for the current state and hands it to plotly; resolves once plotly has drawn it. */
  private async _redraw(): Promise<void> {
    if (!this._plotly || !this._state || !this._columns) return;
    const started = performance.now();
    this._state.pixelWidth = this._pixelWidth();
    let figure: Figure;
    try {
      figure = this._figure();
      this._status.textContent = '';
    } catch (error) {
      this._status.textContent = String((error as Error).message ?? error);
      return;
    }
    const built = performance.now();
    this._reacting = true;
    try {
      await this._plotly.react(this._plot, figure.data, figure.layout, Private.CONFIG);
    } finally {
      this._reacting = false;
    }
    const points = figure.data.reduce((n, t) => n + (t.x?.length ?? 0), 0);
    const timing = {
      mode: this._state.mode,
      figureMs: built - started,
      plotlyMs: performance.now() - built,
      points,
    };
    this.node.dataset.points = String(points);
    this.node.dataset.lastRedrawMs = (timing.figureMs + timing.plotlyMs).toFixed(1);
    this.node.dispatchEvent(new CustomEvent('spicesim-redraw', { detail: timing }));
  }

  private _figure(): Figure {
    const state = this._state!;
    const columns = this._columns!;
    if (state.mode === 'nyquist') return buildNyquistFigure(columns, state);
    if (state.mode === 'fft') return buildFftFigure(columns, state, this._spectra);
    return buildFigure(columns, state);
  }

  private _showCursors(): void {
    const cursors = this._state?.cursors ?? [];
    this._cursorPanel.replaceChildren();
    if (!this._columns || cursors.length === 0) return;
    const readout = cursorReadout(this._columns, cursors);
    for (const text of [readout.header, ...readout.lines]) {
      const line = document.createElement('div');
      line.textContent = text;
      this._cursorPanel.append(line);
    }
  }

  private _pixelWidth(): number {
    const size = this._plotly
      ? (this._plot as unknown as { _fullLayout?: { _size?: { w: number } } })._fullLayout?._size
      : undefined;
    return size?.w ?? Math.max(300, this._plot.clientWidth - 90);
  }

  private _buildToolbar(bundle: WaveformBundle): void {
    const bar = this._toolbar;
    bar.replaceChildren();
    const names = [...new Set(bundle.panes.flatMap((p) => p.traces))];
    for (const name of names) {
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = true;
      box.dataset.trace = name;
      box.addEventListener('change', () => this._toggle(name));
      label.append(box, document.createTextNode(name));
      bar.append(label);
    }
    const button = (text: string, title: string, onClick: () => void) => {
      const b = document.createElement('button');
      b.textContent = text;
      b.title = title;
      b.className = 'jp-SpiceSimWaveform-button';
      b.addEventListener('click', onClick);
      bar.append(b);
      return b;
    };
    const modes: Array<[ViewMode, string, string]> = [
      ['waveform', 'waveforms', 'The traces over ' + bundle.x.name],
    ];
    if (complexTraceNames(this._columns!).length > 0) {
      modes.push([
        'nyquist',
        'Nyquist',
        'Nyquist diagram: Im over Re of the complex traces, unit circle and the -1 point',
      ]);
    }
    if (spectrumTraceNames(this._columns!).length > 0) {
      modes.push([
        'fft',
        'FFT',
        'Amplitude spectrum (dB) of the visible time range, resampled to a uniform grid',
      ]);
    }
    if (modes.length > 1) {
      for (const [mode, text, title] of modes) {
        const b = button(text, title, () => this.setMode(mode));
        b.dataset.mode = mode;
        b.setAttribute('aria-pressed', String(mode === 'waveform'));
      }
    }
    if (spectrumTraceNames(this._columns!).length > 0) {
      const select = document.createElement('select');
      select.className = 'jp-SpiceSimWaveform-window';
      select.title = 'FFT window';
      for (const name of SPECTRUM_WINDOWS)
        select.append(new Option(name, name, name === 'hann', name === 'hann'));
      select.addEventListener('change', () => {
        if (!this._state) return;
        this._state.fftWindow = select.value as SpectrumWindow;
        if (this._state.mode === 'fft') void this._redraw();
      });
      bar.append(select);
    }
    button('log x', 'Toggle a logarithmic x axis', () => {
      if (!this._state) return;
      this._state.xLog = !this._state.xLog;
      void this._redraw();
    });
    button('log y', 'Toggle logarithmic y axes', () => {
      if (!this._state) return;
      const anyLinear = this._state.yLog.some((v) => !v);
      this._state.yLog = this._state.yLog.map(() => anyLinear);
      void this._redraw();
    });
    button('reset', 'Show the whole simulation', () => {
      if (!this._state) return;
      this._state.xRange = undefined;
      this._state.fftRange = undefined;
      void this._redraw();
    });
    button('measure', 'Show automatic measurements of every trace', () => {
      if (!this._columns) return;
      this._measurePanel.hidden = !this._measurePanel.hidden;
      if (!this._measurePanel.hidden)
        Private.renderMeasurements(this._measurePanel, measurementRows(this._columns));
    });
    button('clear cursors', 'Remove cursors A and B (click the plot to place them)', () => {
      if (!this._state) return;
      this._state.cursors = [];
      this._showCursors();
      void this._redraw();
    });
    button('CSV', 'Download the full-resolution data as CSV', () => {
      if (!this._columns) return;
      Private.download(`${Private.fileName(bundle)}.csv`, bundleToCsv(this._columns), 'text/csv');
    });
    button('PNG', 'Download the plot as PNG', () => {
      void this._plotly?.downloadImage(this._plot, { format: 'png', filename: Private.fileName(bundle) });
    });
  }

  private readonly _mimeType: string;
  private readonly _toolbar: HTMLDivElement;
  private readonly _plot: HTMLDivElement;
  private readonly _cursorPanel: HTMLDivElement;
  private readonly _measurePanel: HTMLDivElement;
  private readonly _status: HTMLDivElement;
  private readonly _probe: TraceCrossProbe;
  private readonly _spectra = new SpectrumCache();
  private _columns?: BundleColumns;
  private _state?: ViewState;
  private _plotly?: PlotlyModule;
  private _themeObserver?: MutationObserver;
  private _reacting = false;
}

export namespace WaveformViewer {
  export interface IOptions {
    mimeType: string;
  }
}

namespace Private {
  let viewerCount = 0;

  /** A page-unique cross-probe source id, so a viewer ignores its own events. */
  export function nextViewerId(): string {
    return `waveform-${++viewerCount}`;
  }

  /** The parts of plotly's hover/click event data the viewer reads. */
  export interface HoverEvent {
    points?: Array<{ x: number; y?: number; data?: { name: string }; yaxis?: unknown }>;
    yaxes?: Array<{ type?: string }>;
    yvals?: number[];
  }

  export const CONFIG = {
    responsive: true,
    displaylogo: false,
    scrollZoom: true,
    modeBarButtonsToRemove: ['lasso2d', 'select2d'],
  };

  let plotly: Promise<PlotlyModule> | undefined;

  /** plotly.js is large: load it when the first waveform is shown, not at JupyterLab start. */
  export function loadPlotly(): Promise<PlotlyModule> {
    plotly ??= import('plotly.js-dist-min').then(
      (m) => ((m as { default?: PlotlyModule }).default ?? m) as PlotlyModule,
    );
    return plotly;
  }

  let webgl: boolean | undefined;

  /**
   * WebGL traces when the browser has a hardware WebGL context. A software rasteriser (SwiftShader, llvmpipe:
   * headless browsers, VMs, remote desktops) draws the decimated data (at most ~2 points per pixel column)
   * faster as SVG: measured 16-18 vs 4-5 redraws per second with 1M and 10M points (extension/README.md).
   * The localStorage key `spicesim.waveform.renderer` ('webgl' or 'svg') overrides the choice.
   */
  export function hasWebGL(): boolean {
    if (webgl === undefined) {
      let forced: string | null = null;
      try {
        forced = window.localStorage.getItem('spicesim.waveform.renderer');
      } catch {
        // storage disabled
      }
      try {
        const canvas = document.createElement('canvas');
        const gl = (canvas.getContext('webgl2') ??
          canvas.getContext('webgl')) as WebGLRenderingContext | null;
        const info = gl?.getExtension('WEBGL_debug_renderer_info');
        const name = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
        webgl = forced ? forced === 'webgl' && !!gl : !!gl && !isSoftwareRenderer(name);
      } catch {
        webgl = false;
      }
    }
    return webgl;
  }

  /** Colours from JupyterLab's theme variables, so light and dark themes both read well. */
  export function themeColors(): ThemeColors {
    const style = getComputedStyle(document.body);
    const get = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
    return {
      background: get('--jp-layout-color0', '#ffffff'),
      foreground: get('--jp-ui-font-color1', '#222222'),
      grid: get('--jp-border-color2', '#e0e0e0'),
    };
  }

  export function renderMeasurements(panel: HTMLElement, rows: ReturnType<typeof measurementRows>): void {
    const labels = [...new Set(rows.flatMap((r) => Object.keys(r.values)))];
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const text of ['trace', ...labels]) {
      const th = document.createElement('th');
      th.textContent = text;
      head.append(th);
    }
    const body = table.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      for (const text of [row.trace, ...labels.map((l) => row.values[l] ?? '')])
        tr.insertCell().textContent = text;
    }
    panel.replaceChildren(table);
  }

  export function fileName(bundle: WaveformBundle): string {
    return (bundle.title || 'waveform').replace(/[^\w.-]+/g, '_').slice(0, 80);
  }

  export function download(name: string, text: string, type: string): void {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
