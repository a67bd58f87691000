/**
 * The schematic editor view (a Lumino widget): parts palette, SVG sheet with one DOM group per item (updated
 * incrementally from the model's change records, so a 500-part sheet redraws only what an edit touched),
 * selection / move / rubber-band, wiring, probes, property editor, undo/redo, copy/paste, and live
 * simulation in a Web Worker after every edit, with node voltages, errors and probe waveforms drawn back on
 * the sheet.
 */
import { Widget } from '@lumino/widgets';
import { Signal, type ISignal } from '@lumino/signaling';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { WAVEFORM_MIME, type WaveformBundle } from '@spicesim/kernel/dist/waveform/schema';
import { WaveformViewer } from '../waveform-viewer';
import { type CrossProbeEvent, crossProbe, netOfTrace, traceOfNet } from './crossprobe';
import { type Point, snapPoint } from './geometry';
import {
  type LibraryModelSummary,
  PICKER_KINDS,
  SchematicService,
  bundlesFromPreview,
  libraryRef,
  placementFor,
} from './library';
import {
  type Change,
  type Clipboard,
  type Item,
  type LibraryModelRef,
  type PartItem,
  Schematic,
  SchematicError,
} from './model';
import { type GeneratedNetlist, generateNetlist, importNetlist, isAnalysisCard } from './netlist';
import { GRID, PALETTE_TYPES, PARTS, type PartType } from './parts';
import { type SchematicJSON, loadSchematic, toJSON } from './serialize';
import { formatSI } from './si';
import { type SimulationReply, type SimulationRequest, runSimulation } from './simulation';
import { SCHEMATIC_CSS, itemMarkup, renderStaticSVG } from './symbols';

type Mode =
  | { kind: 'select' }
  | { kind: 'wire'; start?: Point }
  | { kind: 'place'; type: PartType; library?: LibraryModelRef; pinNames?: string[] }
  | { kind: 'probe'; probe: 'voltage' | 'current' };

const SVG_NS = 'http://www.w3.org/2000/svg';
let editorCount = 0;

export class SchematicEditor extends Widget {
  readonly schematic = new Schematic();
  /** Simulation replies (tests and the cell read `lastReply`). */
  lastReply: SimulationReply | undefined;
  /** Milliseconds the last model change took to draw. */
  lastRenderMs = 0;

  constructor(options: SchematicEditor.IOptions = {}) {
    super();
    this._id = `schematic-${++editorCount}`;
    this._nodeLimit = options.nodeLimit ?? 500;
    this._useWorker = options.worker ?? true;
    this._service = options.service ?? new SchematicService(null);
    this.addClass('jp-SpiceSimSchematic');
    this.node.tabIndex = 0;
    this.node.innerHTML = Private.SKELETON;
    this._svg = this.node.querySelector('svg.sch-sheet') as SVGSVGElement;
    this._layers = {
      wires: this._svg.querySelector('.sch-layer-wires')!,
      parts: this._svg.querySelector('.sch-layer-parts')!,
      probes: this._svg.querySelector('.sch-layer-probes')!,
      overlay: this._svg.querySelector('.sch-layer-overlay')!,
      selection: this._svg.querySelector('.sch-layer-selection')!,
    };
    this._status = this.node.querySelector('.jp-SpiceSimSchematic-status')!;
    this._props = this.node.querySelector('.jp-SpiceSimSchematic-props')!;
    this._plots = this.node.querySelector('.jp-SpiceSimSchematic-plots')!;
    this._buildPalette();
    this.schematic.onChange((change) => this._onModelChange(change));
    if (options.json) loadSchematic(options.json, this.schematic);
    for (const type of ['pointerdown', 'pointermove', 'pointerup', 'wheel', 'dblclick'] as const) {
      this._svg.addEventListener(type, this, type === 'wheel' ? { passive: false } : undefined);
    }
    this.node.addEventListener('keydown', this);
    crossProbe.events.connect(this._onCrossProbe, this);
    this._renderAll();
    this._updateProps();
    this._scheduleSimulation(0);
    if (options.service && options.nodeLimit === undefined) {
      // The plan's node limit (GET /usage) when signed in; live simulation starts with the default meanwhile.
      void options.service.nodeLimit().then((limit) => {
        if (this.isDisposed || limit === this._nodeLimit) return;
        this._nodeLimit = limit;
        this.node.dataset.nodeLimit = String(limit);
        this._scheduleSimulation(0);
      });
    }
    this.node.dataset.nodeLimit = String(this._nodeLimit);
  }

  /** Nodes simulated live in the browser; larger circuits are offered to the server. */
  get nodeLimit(): number {
    return this._nodeLimit;
  }

  set nodeLimit(limit: number) {
    this._nodeLimit = limit;
    this.node.dataset.nodeLimit = String(limit);
    this._scheduleSimulation(0);
  }

  /** Emitted (debounced by the caller) after every change of the document. */
  get contentChanged(): ISignal<this, void> {
    return this._contentChanged;
  }

  toJSON(): SchematicJSON {
    return toJSON(this.schematic);
  }

  /** The static drawing with the current annotations (the notebook's fallback image). */
  toSVG(): string {
    return renderStaticSVG(this.schematic, this._annotations);
  }

  netlist(): GeneratedNetlist {
    return generateNetlist(this.schematic);
  }

  /** Replaces the sheet with a netlist's circuit (automatic placement). */
  importNetlist(text: string): void {
    const { items, sheet } = importNetlist(text);
    this.schematic.load(items, sheet);
    this.fit();
  }

  setMode(mode: Mode): void {
    this._mode = mode;
    this._layers.overlay.querySelector('.sch-wire-preview')?.remove();
    for (const button of this.node.querySelectorAll<HTMLButtonElement>(
      '.jp-SpiceSimSchematic-palette button[data-mode]',
    )) {
      const current =
        mode.kind === 'place'
          ? `place:${mode.type}`
          : mode.kind === 'probe'
            ? `probe:${mode.probe}`
            : mode.kind;
      button.classList.toggle('jp-mod-active', button.dataset.mode === current);
    }
    this.node.dataset.mode = mode.kind;
  }

  select(ids: string[]): void {
    this._selection = new Set(ids.filter((id) => this.schematic.get(id)));
    this._drawSelection();
    this._updateProps();
  }

  get selection(): string[] {
    return [...this._selection];
  }

  /** Fits the view box to the drawing. */
  override fit(): void {
    const items = this.schematic.all();
    const box =
      items.length > 0 ? this.schematic.boxOf(items) : { minX: -200, minY: -150, maxX: 200, maxY: 150 };
    const margin = 60;
    const width = Math.max(400, box.maxX - box.minX + 2 * margin);
    const height = Math.max(260, box.maxY - box.minY + 2 * margin);
    this._view = {
      x: (box.minX + box.maxX) / 2 - width / 2,
      y: (box.minY + box.maxY) / 2 - height / 2,
      width,
      height,
    };
    this._applyView();
  }

  /** Sheet coordinates of a client (mouse) position. */
  toSheet(clientX: number, clientY: number): Point {
    const matrix = this._svg.getScreenCTM();
    if (!matrix) return { x: clientX, y: clientY };
    const p = new DOMPoint(clientX, clientY).matrixTransform(matrix.inverse());
    return { x: p.x, y: p.y };
  }

  /** Client coordinates of a sheet point (tests drive the mouse with this). */
  toClient(p: Point): Point {
    const matrix = this._svg.getScreenCTM();
    if (!matrix) return p;
    const q = new DOMPoint(p.x, p.y).matrixTransform(matrix);
    return { x: q.x, y: q.y };
  }

  undo(): void {
    this.schematic.undo();
  }

  redo(): void {
    this.schematic.redo();
  }

  copy(): void {
    if (this._selection.size === 0) return;
    Private.clipboard = this.schematic.copy([...this._selection]);
  }

  paste(at?: Point): void {
    if (!Private.clipboard) return;
    const target = at ?? { x: this._view.x + this._view.width / 3, y: this._view.y + this._view.height / 3 };
    this._try(() => this.select(this.schematic.paste(Private.clipboard!, target)));
  }

  deleteSelection(): void {
    this.schematic.delete([...this._selection]);
    this.select([]);
  }

  handleEvent(event: Event): void {
    switch (event.type) {
      case 'pointerdown':
        this._onPointerDown(event as PointerEvent);
        break;
      case 'pointermove':
        this._onPointerMove(event as PointerEvent);
        break;
      case 'pointerup':
        this._onPointerUp(event as PointerEvent);
        break;
      case 'wheel':
        this._onWheel(event as WheelEvent);
        break;
      case 'dblclick':
        if (this._mode.kind === 'wire') this.setMode({ kind: 'select' });
        break;
      case 'keydown':
        this._onKeyDown(event as KeyboardEvent);
        break;
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this._worker?.terminate();
    this._serverRun?.abort();
    window.clearTimeout(this._simTimer);
    window.clearTimeout(this._searchTimer);
    crossProbe.events.disconnect(this._onCrossProbe, this);
    for (const viewer of this._viewers) viewer.dispose();
    Signal.clearData(this);
    super.dispose();
  }

  protected override onAfterAttach(): void {
    if (this._pendingBundles) this._showPlots(this._pendingBundles);
    if (!this._fitted) {
      this._fitted = true;
      requestAnimationFrame(() => this.fit());
    }
  }

  // ---- drawing ----------------------------------------------------------------------------------------

  private _renderAll(): void {
    const started = performance.now();
    for (const layer of [this._layers.wires, this._layers.parts, this._layers.probes])
      layer.replaceChildren();
    this._nodes.clear();
    for (const item of this.schematic.all()) this._drawItem(item.id);
    this._drawOverlay();
    this.lastRenderMs = performance.now() - started;
  }

  private _drawItem(id: string): void {
    const item = this.schematic.get(id);
    let group = this._nodes.get(id);
    if (!item) {
      group?.remove();
      this._nodes.delete(id);
      return;
    }
    if (!group) {
      group = document.createElementNS(SVG_NS, 'g');
      group.dataset.id = id;
      this._nodes.set(id, group);
      this._layerOf(item).appendChild(group);
    }
    group.setAttribute(
      'class',
      `sch-item sch-${item.kind}${item.kind === 'part' ? ` sch-part-${item.type}` : ''}`,
    );
    if (item.kind === 'part') group.dataset.name = item.name || item.value;
    group.removeAttribute('transform');
    group.innerHTML = itemMarkup(this.schematic, item);
  }

  private _layerOf(item: Item): SVGGElement {
    return item.kind === 'wire' || item.kind === 'junction'
      ? this._layers.wires
      : item.kind === 'probe'
        ? this._layers.probes
        : this._layers.parts;
  }

  private _onModelChange(change: Change): void {
    const started = performance.now();
    if (change.items.length === 0 && !change.sheet) this._renderAll();
    else for (const { id } of change.items) this._drawItem(id);
    for (const id of [...this._selection]) if (!this.schematic.get(id)) this._selection.delete(id);
    this._netlist = undefined;
    this._annotations.clear();
    this._drawOverlay();
    this._drawSelection();
    this._updateProps();
    this.lastRenderMs = performance.now() - started;
    this.node.dataset.renderMs = this.lastRenderMs.toFixed(2);
    this._contentChanged.emit();
    if (this._serverRun) {
      // The circuit changed under a server run: its result would describe another circuit.
      this._serverRun.abort();
      this._serverRun = undefined;
    }
    this._scheduleSimulation(120);
  }

  /** Junction dots, node-voltage annotations, error and cross-probe highlights. */
  private _drawOverlay(): void {
    const parts: string[] = [];
    const netlist = this._currentNetlist();
    for (const dot of netlist.connectivity.dots)
      parts.push(`<circle class="sch-dot" cx="${dot.x}" cy="${dot.y}" r="3"/>`);
    for (const [net, a] of this._annotations) {
      parts.push(
        `<text class="sch-annotation" data-net="${Private.attr(net)}" x="${a.x + 4}" y="${a.y - 4}">${Private.attr(a.text)}</text>`,
      );
    }
    const highlight = (nets: Set<string>, cls: string) => {
      for (const net of netlist.connectivity.nets) {
        if (!nets.has(net.name.toLowerCase())) continue;
        for (const id of net.wires) {
          const wire = this.schematic.get(id);
          if (wire?.kind === 'wire')
            parts.push(
              `<polyline class="${cls}" data-net="${Private.attr(net.name)}" points="${wire.points.map((p) => `${p.x},${p.y}`).join(' ')}"/>`,
            );
        }
        for (const key of net.points) {
          const [x, y] = key.split(',');
          parts.push(
            `<circle class="${cls}-point" data-net="${Private.attr(net.name)}" cx="${x}" cy="${y}" r="5"/>`,
          );
        }
      }
    };
    highlight(this._errorNets, 'sch-error-net');
    highlight(this._probedNets, 'sch-probe-net');
    for (const id of this._probedParts) {
      const item = this.schematic.get(id);
      if (!item) continue;
      const b = this.schematic.boxOfItem(item);
      parts.push(
        `<rect class="sch-probe-part" data-id="${id}" x="${b.minX - 4}" y="${b.minY - 4}" width="${b.maxX - b.minX + 8}" height="${b.maxY - b.minY + 8}"/>`,
      );
    }
    for (const id of this._errorParts) {
      const item = this.schematic.get(id);
      if (!item) continue;
      const b = this.schematic.boxOfItem(item);
      parts.push(
        `<rect class="sch-error-part" x="${b.minX - 4}" y="${b.minY - 4}" width="${b.maxX - b.minX + 8}" height="${b.maxY - b.minY + 8}"/>`,
      );
    }
    for (const pin of netlist.connectivity.unconnectedPins) {
      const part = this.schematic.get(pin.partId) as PartItem | undefined;
      if (!part) continue;
      const p = this.schematic.pinPositions(part)[pin.pin];
      parts.push(`<path class="sch-unconnected" d="M${p.x - 3} ${p.y - 3}l6 6m0 -6l-6 6"/>`);
    }
    if (this._mode.kind === 'wire' && this._mode.start) {
      parts.push(
        `<circle class="sch-wire-start" cx="${this._mode.start.x}" cy="${this._mode.start.y}" r="4"/>`,
      );
    }
    this._layers.overlay.innerHTML = parts.join('');
  }

  private _drawSelection(): void {
    const parts: string[] = [];
    for (const id of this._selection) {
      const item = this.schematic.get(id);
      if (!item) continue;
      const b = this.schematic.boxOfItem(item);
      parts.push(
        `<rect class="sch-selected" x="${b.minX - 3}" y="${b.minY - 3}" width="${b.maxX - b.minX + 6}" height="${b.maxY - b.minY + 6}"/>`,
      );
    }
    this._layers.selection.innerHTML = parts.join('');
    this.node.dataset.selected = String(this._selection.size);
  }

  private _applyView(): void {
    const v = this._view;
    this._svg.setAttribute('viewBox', `${v.x} ${v.y} ${v.width} ${v.height}`);
    // The grid covers the view box and what `meet` scaling shows beside it.
    const grid = this._svg.querySelector('.sch-grid-rect');
    grid?.setAttribute('x', String(v.x - 2 * v.width));
    grid?.setAttribute('y', String(v.y - 2 * v.height));
    grid?.setAttribute('width', String(5 * v.width));
    grid?.setAttribute('height', String(5 * v.height));
  }

  // ---- interaction ------------------------------------------------------------------------------------

  private _onPointerDown(event: PointerEvent): void {
    if (event.button !== 0) return;
    this.node.focus({ preventScroll: true });
    const at = this.toSheet(event.clientX, event.clientY);
    const p = snapPoint(at);
    const mode = this._mode;
    event.preventDefault();
    event.stopPropagation();
    if (mode.kind === 'place') {
      this._try(() => {
        const id = mode.library
          ? this.schematic.addPart(mode.type, p, {
              model: mode.library.name,
              library: mode.library,
              value: '',
              ...(mode.pinNames ? { pinNames: mode.pinNames } : {}),
            })
          : this.schematic.addPart(mode.type, p);
        this.setMode({ kind: 'select' });
        this.select([id]);
      });
      return;
    }
    if (mode.kind === 'wire') {
      if (!mode.start) {
        this._mode = { kind: 'wire', start: p };
        this._drawOverlay();
      } else {
        const start = mode.start;
        this._mode = { kind: 'wire' };
        if (start.x !== p.x || start.y !== p.y) this._try(() => this.schematic.connect(start, p));
        else this._drawOverlay();
      }
      return;
    }
    if (mode.kind === 'probe') {
      this._try(() => {
        if (mode.probe === 'voltage') this.schematic.addVoltageProbe(p);
        else {
          const hit = this.schematic.hitTest(at);
          if (hit?.kind !== 'part')
            throw new SchematicError('click on a part to put a current probe on its nearest pin');
          const pins = this.schematic.pinPositions(hit);
          let nearest = 0;
          pins.forEach((pin, k) => {
            if (
              Math.hypot(pin.x - at.x, pin.y - at.y) <
              Math.hypot(pins[nearest].x - at.x, pins[nearest].y - at.y)
            )
              nearest = k;
          });
          this.schematic.addCurrentProbe(hit.id, nearest);
        }
        this.setMode({ kind: 'select' });
      });
      return;
    }
    const hit = this.schematic.hitTest(
      at,
      6 * (this._view.width / Math.max(1, this._svg.clientWidth || this._view.width)),
    );
    if (hit) {
      if (event.shiftKey) {
        const next = new Set(this._selection);
        if (next.has(hit.id)) next.delete(hit.id);
        else next.add(hit.id);
        this.select([...next]);
      } else if (!this._selection.has(hit.id)) {
        this.select([hit.id]);
      }
      if (hit.kind === 'wire') this._emitNet(at, 'select');
      this._drag = { kind: 'move', start: at, offset: { x: 0, y: 0 } };
    } else {
      if (!event.shiftKey) this.select([]);
      this._drag = { kind: 'box', start: at, offset: { x: 0, y: 0 } };
    }
    this._svg.setPointerCapture?.(event.pointerId);
  }

  private _onPointerMove(event: PointerEvent): void {
    const at = this.toSheet(event.clientX, event.clientY);
    const drag = this._drag;
    if (!drag) {
      this._hover(at);
      if (this._mode.kind === 'wire' && this._mode.start) {
        const p = snapPoint(at);
        const s = this._mode.start;
        let preview = this._layers.overlay.querySelector('.sch-wire-preview');
        if (!preview) {
          preview = document.createElementNS(SVG_NS, 'polyline');
          preview.setAttribute('class', 'sch-wire-preview');
          this._layers.overlay.appendChild(preview);
        }
        preview.setAttribute('points', `${s.x},${s.y} ${p.x},${s.y} ${p.x},${p.y}`);
      }
      return;
    }
    if (drag.kind === 'move') {
      const offset = snapPoint({ x: at.x - drag.start.x, y: at.y - drag.start.y });
      drag.offset = offset;
      // Preview by moving the DOM groups; the model changes once, on release.
      for (const id of this._selection)
        this._nodes.get(id)?.setAttribute('transform', `translate(${offset.x} ${offset.y})`);
      this._layers.selection.setAttribute('transform', `translate(${offset.x} ${offset.y})`);
    } else {
      drag.offset = { x: at.x - drag.start.x, y: at.y - drag.start.y };
      let rect = this._layers.overlay.querySelector('.sch-rubber-band');
      if (!rect) {
        rect = document.createElementNS(SVG_NS, 'rect');
        rect.setAttribute('class', 'sch-rubber-band');
        this._layers.overlay.appendChild(rect);
      }
      rect.setAttribute('x', String(Math.min(drag.start.x, at.x)));
      rect.setAttribute('y', String(Math.min(drag.start.y, at.y)));
      rect.setAttribute('width', String(Math.abs(drag.offset.x)));
      rect.setAttribute('height', String(Math.abs(drag.offset.y)));
    }
  }

  private _onPointerUp(event: PointerEvent): void {
    const drag = this._drag;
    this._drag = undefined;
    this._svg.releasePointerCapture?.(event.pointerId);
    if (!drag) return;
    if (drag.kind === 'move') {
      this._layers.selection.removeAttribute('transform');
      if (drag.offset.x !== 0 || drag.offset.y !== 0)
        this._try(() => this.schematic.move([...this._selection], drag.offset.x, drag.offset.y));
      else for (const id of this._selection) this._nodes.get(id)?.removeAttribute('transform');
    } else {
      this._layers.overlay.querySelector('.sch-rubber-band')?.remove();
      const x0 = Math.min(drag.start.x, drag.start.x + drag.offset.x);
      const y0 = Math.min(drag.start.y, drag.start.y + drag.offset.y);
      if (Math.abs(drag.offset.x) > 2 || Math.abs(drag.offset.y) > 2) {
        const ids = this.schematic.itemsInBox({
          minX: x0,
          minY: y0,
          maxX: x0 + Math.abs(drag.offset.x),
          maxY: y0 + Math.abs(drag.offset.y),
        });
        this.select(event.shiftKey ? [...this._selection, ...ids] : ids);
      } else {
        crossProbe.emit({ source: this._id, kind: 'clear' });
      }
    }
  }

  private _onWheel(event: WheelEvent): void {
    event.preventDefault();
    const at = this.toSheet(event.clientX, event.clientY);
    const factor = Math.exp(Math.max(-0.5, Math.min(0.5, event.deltaY * 0.002)));
    const v = this._view;
    this._view = {
      x: at.x - (at.x - v.x) * factor,
      y: at.y - (at.y - v.y) * factor,
      width: v.width * factor,
      height: v.height * factor,
    };
    this._applyView();
  }

  private _onKeyDown(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (target.closest('.jp-SpiceSimSchematic-props')) {
      event.stopPropagation(); // typing in the property editor: no notebook shortcuts
      return;
    }
    const ctrl = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    let handled = true;
    if (ctrl && key === 'z' && !event.shiftKey) this.undo();
    else if (ctrl && (key === 'y' || (key === 'z' && event.shiftKey))) this.redo();
    else if (ctrl && key === 'c') this.copy();
    else if (ctrl && key === 'v') this.paste();
    else if (ctrl && key === 'a') this.select(this.schematic.all().map((i) => i.id));
    else if (ctrl) handled = false;
    else if (key === 'delete' || key === 'backspace') this.deleteSelection();
    else if (key === 'r') this._try(() => this.schematic.rotate([...this._selection]));
    else if (key === 'x') this._try(() => this.schematic.flip([...this._selection]));
    else if (key === 'w') this.setMode({ kind: 'wire' });
    else if (key === 'escape') {
      this.setMode({ kind: 'select' });
      this._drawOverlay();
    } else handled = false;
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    } else if (!ctrl && key.length === 1) {
      event.stopPropagation(); // single letters are notebook shortcuts (a, b, m, y, d d ...)
    }
  }

  private _hover(at: Point): void {
    const hit = this.schematic.hitTest(at, 4);
    const net =
      hit?.kind === 'wire' || hit?.kind === 'junction'
        ? this._currentNetlist().connectivity.netAt(snapPoint(at))
        : undefined;
    if (net === this._hoverNet) return;
    this._hoverNet = net;
    if (net) crossProbe.emit({ source: this._id, kind: 'hover', net, trace: traceOfNet(net) });
    this._highlightTraces(net ? traceOfNet(net) : undefined);
  }

  private _emitNet(at: Point, kind: 'hover' | 'select'): void {
    const net = this._currentNetlist().connectivity.netAt(snapPoint(at));
    if (net) crossProbe.emit({ source: this._id, kind, net, trace: traceOfNet(net) });
  }

  private _onCrossProbe(_: unknown, event: CrossProbeEvent): void {
    if (event.source === this._id) return;
    const net = event.net ?? (event.trace ? netOfTrace(event.trace) : undefined);
    this._probedNets = new Set(event.kind === 'clear' || !net ? [] : [net.toLowerCase()]);
    // A current probe's trace (`i(vprobe_r1_p)`) points at its part.
    this._probedParts = new Set();
    if (event.kind !== 'clear' && event.trace) {
      const trace = event.trace.toLowerCase();
      for (const [probeId, vector] of this._currentNetlist().probeVectors) {
        const probe = this.schematic.get(probeId);
        if (vector === trace && probe?.kind === 'probe' && probe.partId) this._probedParts.add(probe.partId);
      }
    }
    this._drawOverlay();
    this.node.dataset.probedNet = net ?? '';
  }

  /** Thickens the matching trace in this editor's own probe plots. */
  private _highlightTraces(trace: string | undefined): void {
    for (const viewer of this._viewers) {
      const plot = viewer.node.querySelector('.jp-SpiceSimWaveform-plot') as
        (HTMLElement & { data?: Array<{ name: string }> }) | null;
      if (!plot?.data) continue;
      const widths = plot.data.map((t) => (trace && t.name.toLowerCase() === trace ? 4 : 1.5));
      void Private.loadPlotly().then((plotly) =>
        (plotly as unknown as Private.Restyle).restyle(plot, { 'line.width': widths }),
      );
    }
  }

  private _try(edit: () => void): void {
    try {
      edit();
    } catch (error) {
      if (!(error instanceof SchematicError)) throw error;
      this._setStatus(error.message, 'error');
      if (error.itemId) {
        this._errorParts = new Set([error.itemId]);
        this._drawOverlay();
      }
    }
  }

  // ---- palette and property editor --------------------------------------------------------------------

  private _buildPalette(): void {
    const palette = this.node.querySelector('.jp-SpiceSimSchematic-palette')!;
    const button = (label: string, title: string, action: () => void, mode?: string) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.title = title;
      if (mode) b.dataset.mode = mode;
      b.addEventListener('click', (e) => {
        e.stopPropagation();
        action();
        this.node.focus({ preventScroll: true });
      });
      palette.appendChild(b);
      return b;
    };
    button('Select', 'Select and move (Esc)', () => this.setMode({ kind: 'select' }), 'select');
    button('Wire', 'Draw a wire: click start, click end (W)', () => this.setMode({ kind: 'wire' }), 'wire');
    for (const type of PALETTE_TYPES) {
      button(
        PARTS[type].label,
        `Place a ${PARTS[type].label.toLowerCase()}`,
        () => this.setMode({ kind: 'place', type }),
        `place:${type}`,
      );
    }
    button(
      'Library…',
      'Search the SpiceSim model library and place a part with its model (diodes, BJTs, MOSFETs, JFETs, subcircuits)',
      () => this.toggleLibrary(),
      'library',
    );
    button(
      'V probe',
      'Voltage probe: click a net',
      () => this.setMode({ kind: 'probe', probe: 'voltage' }),
      'probe:voltage',
    );
    button(
      'I probe',
      'Current probe: click a part near a pin',
      () => this.setMode({ kind: 'probe', probe: 'current' }),
      'probe:current',
    );
    button('Rotate', 'Rotate the selection (R)', () =>
      this._try(() => this.schematic.rotate([...this._selection])),
    );
    button('Flip', 'Mirror the selection (X)', () =>
      this._try(() => this.schematic.flip([...this._selection])),
    );
    button('Delete', 'Delete the selection (Del)', () => this.deleteSelection());
    button('Undo', 'Undo (Ctrl+Z)', () => this.undo());
    button('Redo', 'Redo (Ctrl+Y)', () => this.redo());
    button('Copy', 'Copy (Ctrl+C)', () => this.copy());
    button('Paste', 'Paste (Ctrl+V)', () => this.paste());
    button('Fit', 'Fit the drawing in view', () => this.fit());
    this.setMode({ kind: 'select' });
  }

  private _updateProps(): void {
    const panel = this._props;
    panel.replaceChildren();
    const ids = [...this._selection];
    const part = ids.length === 1 ? this.schematic.get(ids[0]) : undefined;
    const field = (label: string, value: string, apply: (v: string) => void, multiline = false) => {
      const row = document.createElement('label');
      row.textContent = label;
      const input = document.createElement(multiline ? 'textarea' : 'input') as
        HTMLInputElement | HTMLTextAreaElement;
      input.value = value;
      input.dataset.field = label.toLowerCase();
      if (multiline) (input as HTMLTextAreaElement).rows = 3;
      input.addEventListener('change', () => this._try(() => apply(input.value)));
      input.addEventListener('keydown', (e) => {
        const k = e as KeyboardEvent;
        if (k.key === 'Enter' && !multiline) input.blur();
      });
      row.appendChild(input);
      panel.appendChild(row);
    };
    if (part?.kind === 'part') {
      const def = PARTS[part.type];
      const heading = document.createElement('div');
      heading.className = 'jp-SpiceSimSchematic-props-heading';
      heading.textContent = `${def.label} ${part.name}`;
      panel.appendChild(heading);
      if (def.prefix)
        field('Name', part.name, (v) => this.schematic.setProperties(part.id, { name: v.trim() }));
      if (
        part.type === 'label' ||
        def.numericValue ||
        part.type === 'vsource' ||
        part.type === 'isource' ||
        part.type === 'diode'
      ) {
        field(part.type === 'label' ? 'Net' : 'Value', part.value, (v) =>
          this.schematic.setProperties(part.id, { value: v }),
        );
      }
      if (def.defaultModel)
        field(part.type === 'opamp' ? 'Subcircuit' : 'Model', part.model ?? '', (v) =>
          this.schematic.setProperties(part.id, { model: v.trim() }),
        );
      if (part.library) {
        const note = document.createElement('div');
        note.className = 'jp-SpiceSimSchematic-props-library';
        note.textContent = `From the model library: ${part.library.name}${part.library.manufacturer ? ` (${part.library.manufacturer})` : ''}`;
        note.title = part.library.text;
        panel.appendChild(note);
      }
      if (def.prefix)
        field('Params', part.params ?? '', (v) => this.schematic.setProperties(part.id, { params: v }));
    } else if (ids.length > 1) {
      const heading = document.createElement('div');
      heading.className = 'jp-SpiceSimSchematic-props-heading';
      heading.textContent = `${ids.length} items selected`;
      panel.appendChild(heading);
    }
    const sheet = document.createElement('div');
    sheet.className = 'jp-SpiceSimSchematic-props-heading';
    sheet.textContent = 'Sheet';
    panel.appendChild(sheet);
    field('Title', this.schematic.sheet.title, (v) => this.schematic.setSheet({ title: v }));
    field(
      'Directives',
      this.schematic.sheet.directives,
      (v) => this.schematic.setSheet({ directives: v }),
      true,
    );
  }

  // ---- live simulation --------------------------------------------------------------------------------

  private _currentNetlist(): GeneratedNetlist {
    if (!this._netlist) this._netlist = generateNetlist(this.schematic);
    return this._netlist;
  }

  private _scheduleSimulation(delay: number): void {
    window.clearTimeout(this._simTimer);
    this._simTimer = window.setTimeout(() => this._simulate(), delay);
  }

  private _simulate(): void {
    const netlist = this._currentNetlist();
    const elements = this.schematic.parts().filter((p) => PARTS[p.type].prefix).length;
    if (elements === 0) {
      this._setStatus('Place parts from the palette; the circuit simulates after every edit.', 'info');
      return;
    }
    if (netlist.nodeCount > this._nodeLimit) {
      this._setStatus(
        `${netlist.nodeCount} nodes: more than the ${this._nodeLimit} simulated live in the browser. Run this circuit on the server instead.`,
        'warning',
      );
      this._addStatusButton('Run on server', 'jp-SpiceSimSchematic-runServer', () => void this.runOnServer());
      this.node.dataset.simulation = 'too-large';
      return;
    }
    const directives = this.schematic.sheet.directives;
    const hasAnalysis = directives.split('\n').some((l) => isAnalysisCard(l) && !/^\s*\.op\b/i.test(l));
    const request: SimulationRequest = {
      id: ++this._requestId,
      opNetlist: generateNetlist(this.schematic, { analyses: '.op', connectivity: netlist.connectivity })
        .text,
      probeVectors: [...netlist.probeVectors.values()],
      ...(hasAnalysis && netlist.probeVectors.size > 0 ? { analysisNetlist: netlist.text } : {}),
    };
    this.node.dataset.simulation = 'running';
    this._setStatus('Simulating…', 'info');
    const netlistAtRequest = netlist;
    if (this._useWorker && typeof Worker !== 'undefined') {
      try {
        if (this._busy && this._worker) {
          // The solver is synchronous inside the worker: a stale run is cancelled by ending the worker.
          this._worker.terminate();
          this._worker = undefined;
        }
        if (!this._worker) {
          this._worker = new Worker(new URL('./sim-worker.js', import.meta.url));
          this._worker.onmessage = (event: MessageEvent<SimulationReply>) => {
            this._busy = false;
            if (event.data.id === this._requestId)
              this._onReply(event.data, this._netlist ?? netlistAtRequest);
          };
          this._worker.onerror = (event) => {
            this._busy = false;
            this._setStatus(`simulation worker failed: ${event.message}`, 'error');
          };
        }
        this._busy = true;
        this._worker.postMessage(request);
        return;
      } catch (error) {
        this._useWorker = false;
        console.warn('SpiceSim schematic: Web Worker unavailable, simulating on the main thread', error);
      }
    }
    this._onReply(
      runSimulation(request, () => performance.now()),
      netlistAtRequest,
    );
  }

  private _onReply(reply: SimulationReply, netlist: GeneratedNetlist): void {
    this.lastReply = reply;
    this._errorNets = new Set();
    this._errorParts = new Set();
    this._annotations.clear();
    if (reply.operatingPoint) {
      for (const net of netlist.connectivity.nets) {
        const value = reply.operatingPoint[traceOfNet(net.name)];
        if (net.name === '0' || value === undefined || net.points.length === 0) continue;
        const [x, y] = Private.annotationPoint(net.points).split(',').map(Number);
        this._annotations.set(net.name, { x, y, text: `${formatSI(value, 4)}V` });
      }
    }
    if (reply.error) {
      const error = reply.error;
      const names: string[] = [];
      for (const node of error.nodes ?? []) {
        const net = netlist.connectivity.nets.find((n) => n.name.toLowerCase() === node.toLowerCase());
        if (net) {
          this._errorNets.add(net.name.toLowerCase());
          names.push(`net ${net.name}`);
        } else {
          // A branch current (`v1#branch`, `l1#branch`): point at the element.
          const part = this.schematic.partByName(node.split('#')[0]);
          if (part) {
            this._errorParts.add(part.id);
            names.push(part.name);
          }
        }
      }
      if (error.line !== undefined) {
        const partId = netlist.partOfLine.get(error.line);
        const part = partId ? (this.schematic.get(partId) as PartItem) : undefined;
        if (part) {
          this._errorParts.add(part.id);
          names.push(part.name);
        } else {
          names.push(`netlist line ${error.line} (sheet directives)`);
        }
      }
      const where = names.length > 0 ? ` at ${names.join(', ')}` : '';
      this._setStatus(
        `${error.kind}${where}: ${error.message}${error.hint ? ` (${error.hint})` : ''}`,
        'error',
      );
      this.node.dataset.simulation = 'error';
    } else {
      const extra = reply.messages.length > 0 ? ` ${reply.messages.join('; ')}` : '';
      this._setStatus(
        `Simulated in ${reply.elapsedMs.toFixed(0)} ms (${netlist.nodeCount} nodes).${extra}`,
        'ok',
      );
      this.node.dataset.simulation = 'done';
    }
    this._drawOverlay();
    this._showPlots(reply.bundles);
  }

  private _showPlots(bundles: WaveformBundle[]): void {
    if (!this.node.isConnected) {
      // Plots are attached to the page's DOM: wait until this editor is shown (onAfterAttach).
      this._pendingBundles = bundles;
      return;
    }
    this._pendingBundles = undefined;
    while (this._viewers.length > bundles.length) this._viewers.pop()!.dispose();
    bundles.forEach((bundle, k) => {
      let viewer = this._viewers[k];
      if (!viewer) {
        viewer = new WaveformViewer({ mimeType: WAVEFORM_MIME });
        this._viewers.push(viewer);
        Widget.attach(viewer, this._plots);
      }
      const model = {
        data: { [WAVEFORM_MIME]: bundle },
        metadata: {},
        trusted: true,
      } as unknown as IRenderMime.IMimeModel;
      void viewer.renderModel(model).then(() => this._hookPlot(viewer!));
    });
  }

  /** Schematic side of cross-probing for our own plots: hovering a trace highlights its net. */
  private _hookPlot(viewer: WaveformViewer): void {
    const plot = viewer.node.querySelector('.jp-SpiceSimWaveform-plot') as
      | (HTMLElement & {
          on?: (event: string, handler: (e: { points?: Array<{ data: { name: string } }> }) => void) => void;
          _spicesimHooked?: boolean;
        })
      | null;
    if (!plot?.on || plot._spicesimHooked) return;
    plot._spicesimHooked = true;
    const emit = (kind: 'hover' | 'select') => (e: { points?: Array<{ data: { name: string } }> }) => {
      const trace = e.points?.[0]?.data.name;
      if (!trace) return;
      const net = netOfTrace(trace);
      crossProbe.emit({ source: `${this._id}-plot`, kind, trace, ...(net ? { net } : {}) });
    };
    plot.on('plotly_hover', emit('hover'));
    plot.on('plotly_click', emit('select'));
    plot.on('plotly_unhover', () => crossProbe.emit({ source: `${this._id}-plot`, kind: 'clear' }));
  }

  private _setStatus(text: string, level: 'info' | 'ok' | 'warning' | 'error'): void {
    this._status.textContent = text;
    this._status.dataset.level = level;
  }

  private _addStatusButton(label: string, className: string, action: () => void): void {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = className;
    button.textContent = label;
    button.addEventListener('click', (e) => {
      e.stopPropagation();
      action();
    });
    this._status.append(' ', button);
  }

  // ---- server runs (circuits over the browser limit) ---------------------------------------------------

  /**
   * Runs the circuit on the SpiceSim service (POST /simulations), shows its progress from the SSE stream,
   * then plots the result preview (and annotates an operating point) as a live run would.
   */
  async runOnServer(): Promise<void> {
    const netlist = this._currentNetlist();
    this._serverRun?.abort();
    const run = new AbortController();
    this._serverRun = run;
    this.node.dataset.simulation = 'server-running';
    this.node.dataset.serverProgress = '0';
    this._setStatus(`Sending ${netlist.nodeCount} nodes to the server…`, 'info');
    try {
      const { view, preview, followedBy } = await this._service.runOnServer(
        netlist.text,
        ({ status, progress }) => {
          if (run.signal.aborted) return;
          this.node.dataset.serverProgress = progress.toFixed(3);
          this._setStatus(
            `Server simulation ${status}: ${Math.round(progress * 100)} % (${netlist.nodeCount} nodes)`,
            'info',
          );
        },
        run.signal,
      );
      if (run.signal.aborted) return;
      this.node.dataset.serverFollow = followedBy;
      this._annotations.clear();
      this._errorNets = new Set();
      this._errorParts = new Set();
      // An operating point comes back as one value per vector.
      const op = preview.plots.find((plot) => !plot.scale);
      for (const net of netlist.connectivity.nets) {
        const vector = op?.vectors.find((v) => v.name.toLowerCase() === traceOfNet(net.name));
        if (!vector || net.name === '0' || net.points.length === 0) continue;
        const [x, y] = Private.annotationPoint(net.points).split(',').map(Number);
        this._annotations.set(net.name, { x, y, text: `${formatSI(vector.y[0], 4)}V` });
      }
      const bundles = bundlesFromPreview(preview, [...netlist.probeVectors.values()]);
      const seconds =
        view.wallTimeMs !== undefined && view.wallTimeMs !== null
          ? ` in ${(view.wallTimeMs / 1000).toFixed(1)} s`
          : '';
      this._setStatus(
        `Simulated on the server${seconds} (${netlist.nodeCount} nodes, simulation ${view.id}).${bundles.length === 0 && netlist.probeVectors.size === 0 ? ' Place probes to plot waveforms.' : ''}`,
        'ok',
      );
      this.node.dataset.simulation = 'server-done';
      this._drawOverlay();
      this._showPlots(bundles);
    } catch (error) {
      if (run.signal.aborted) return;
      this._setStatus(error instanceof Error ? error.message : String(error), 'error');
      this._addStatusButton('Run on server', 'jp-SpiceSimSchematic-runServer', () => void this.runOnServer());
      this.node.dataset.simulation = 'server-error';
    } finally {
      if (this._serverRun === run) this._serverRun = undefined;
    }
  }

  // ---- model-library part picker ----------------------------------------------------------------------

  /** Shows or hides the model-library picker. */
  toggleLibrary(show = !this._libraryPanel): void {
    if (!show) {
      this._libraryPanel?.remove();
      this._libraryPanel = undefined;
      this.node
        .querySelector('.jp-SpiceSimSchematic-palette button[data-mode="library"]')
        ?.classList.remove('jp-mod-active');
      return;
    }
    if (this._libraryPanel) return;
    const panel = document.createElement('div');
    panel.className = 'jp-SpiceSimSchematic-library';
    panel.innerHTML =
      '<input type="search" class="jp-SpiceSimSchematic-library-query" placeholder="Search models: 1N4148, 2N3904, LM358…"/>' +
      `<select class="jp-SpiceSimSchematic-library-kind"><option value="">all kinds</option>${PICKER_KINDS.map((k) => `<option value="${k}">${k}</option>`).join('')}</select>` +
      '<div class="jp-SpiceSimSchematic-library-message"></div><ul class="jp-SpiceSimSchematic-library-results"></ul>';
    const query = panel.querySelector('input')!;
    const kind = panel.querySelector('select')!;
    const search = () => {
      window.clearTimeout(this._searchTimer);
      this._searchTimer = window.setTimeout(() => void this._searchLibrary(query.value, kind.value), 250);
    };
    query.addEventListener('input', search);
    kind.addEventListener('change', search);
    // Keys typed into the search box are not schematic shortcuts (R rotates, Del deletes...).
    panel.addEventListener('keydown', (e) => e.stopPropagation());
    this.node.querySelector('.jp-SpiceSimSchematic-palette')!.after(panel);
    this._libraryPanel = panel;
    this.node
      .querySelector('.jp-SpiceSimSchematic-palette button[data-mode="library"]')
      ?.classList.add('jp-mod-active');
    query.focus();
    void this._searchLibrary('', '');
  }

  private async _searchLibrary(query: string, kind: string): Promise<void> {
    const panel = this._libraryPanel;
    if (!panel) return;
    const message = panel.querySelector<HTMLElement>('.jp-SpiceSimSchematic-library-message')!;
    const list = panel.querySelector<HTMLElement>('.jp-SpiceSimSchematic-library-results')!;
    const search = ++this._searchId;
    message.textContent = 'Searching…';
    panel.dataset.state = 'searching';
    let items: LibraryModelSummary[];
    try {
      items = await this._service.searchModels(query, kind || undefined);
    } catch (error) {
      if (search !== this._searchId) return;
      list.replaceChildren();
      message.textContent = error instanceof Error ? error.message : String(error);
      panel.dataset.state = 'error';
      return;
    }
    if (search !== this._searchId) return;
    list.replaceChildren();
    message.textContent =
      items.length === 0
        ? `No model matches '${query}'.`
        : 'Choose a model, then click on the sheet to place it.';
    for (const item of items) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'jp-SpiceSimSchematic-library-item';
      b.dataset.id = item.id;
      b.dataset.name = item.name;
      b.textContent = `${item.name} · ${item.kind}${item.subcategory ? ` (${item.subcategory})` : ''}${item.manufacturer ? ` · ${item.manufacturer}` : ''}`;
      b.title = item.description ?? '';
      b.addEventListener('click', (e) => {
        e.stopPropagation();
        void this._pickModel(item);
      });
      li.appendChild(b);
      list.appendChild(li);
    }
    panel.dataset.state = 'results';
  }

  private async _pickModel(summary: LibraryModelSummary): Promise<void> {
    const panel = this._libraryPanel;
    const message = panel?.querySelector<HTMLElement>('.jp-SpiceSimSchematic-library-message');
    const early = placementFor(summary);
    if (early.type === undefined) {
      if (message) message.textContent = early.error;
      return;
    }
    try {
      const detail = await this._service.model(summary.id);
      const placement = placementFor(detail);
      if (placement.type === undefined) {
        if (message) message.textContent = placement.error;
        return;
      }
      this.toggleLibrary(false);
      this.setMode({
        kind: 'place',
        type: placement.type,
        library: libraryRef(detail),
        ...(placement.type === 'subckt' ? { pinNames: [...detail.pins] } : {}),
      });
      this._setStatus(`Click on the sheet to place ${detail.name} (${PARTS[placement.type].label}).`, 'info');
      this.node.focus({ preventScroll: true });
    } catch (error) {
      if (message) message.textContent = error instanceof Error ? error.message : String(error);
    }
  }

  private readonly _id: string;
  private _nodeLimit: number;
  private readonly _service: SchematicService;
  private _serverRun: AbortController | undefined;
  private _libraryPanel: HTMLElement | undefined;
  private _searchTimer = 0;
  private _searchId = 0;
  private _useWorker: boolean;
  private readonly _svg: SVGSVGElement;
  private readonly _layers: Record<'wires' | 'parts' | 'probes' | 'overlay' | 'selection', SVGGElement>;
  private readonly _status: HTMLElement;
  private readonly _props: HTMLElement;
  private readonly _plots: HTMLElement;
  private readonly _nodes = new Map<string, SVGGElement>();
  private readonly _contentChanged = new Signal<this, void>(this);
  private readonly _annotations = new Map<string, { x: number; y: number; text: string }>();
  private readonly _viewers: WaveformViewer[] = [];
  private _selection = new Set<string>();
  private _mode: Mode = { kind: 'select' };
  private _drag: { kind: 'move' | 'box'; start: Point; offset: Point } | undefined;
  private _view = { x: -300, y: -200, width: 600, height: 400 };
  private _fitted = false;
  private _netlist: GeneratedNetlist | undefined;
  private _errorNets = new Set<string>();
  private _errorParts = new Set<string>();
  private _probedNets = new Set<string>();
  private _probedParts = new Set<string>();
  private _pendingBundles: WaveformBundle[] | undefined;
  private _hoverNet: string | undefined;
  private _worker: Worker | undefined;
  private _busy = false;
  private _requestId = 0;
  private _simTimer = 0;
}

export namespace SchematicEditor {
  export interface IOptions {
    /** Saved schematic (cell metadata `spicesim.schematic`). */
    json?: unknown;
    /** Largest circuit simulated live (nodes other than ground); default 500. */
    nodeLimit?: number;
    /** Simulate in a Web Worker (default); false runs on the main thread. */
    worker?: boolean;
    /**
     * The SpiceSim service: model-library part picker, the plan's node limit, server runs. Without it the
     * picker and "Run on server" say that no service is configured.
     */
    service?: SchematicService;
  }
}

namespace Private {
  type PlotlyModule = typeof import('plotly.js-dist-min');
  /** Plotly.restyle (not in the viewer's plotly.d.ts). */
  export interface Restyle {
    restyle(root: HTMLElement, update: Record<string, unknown>): Promise<unknown>;
  }

  /** The same plotly.js chunk the waveform viewer loads. */
  export function loadPlotly(): Promise<PlotlyModule> {
    return import('plotly.js-dist-min').then(
      (m) => ((m as { default?: PlotlyModule }).default ?? m) as PlotlyModule,
    );
  }

  export let clipboard: Clipboard | undefined;

  export const SKELETON = `
<div class="jp-SpiceSimSchematic-palette"></div>
<div class="jp-SpiceSimSchematic-main">
  <svg class="sch-sheet" xmlns="${SVG_NS}" viewBox="-300 -200 600 400">
    <style>${SCHEMATIC_CSS}</style>
    <defs><pattern id="sch-grid" width="${GRID}" height="${GRID}" patternUnits="userSpaceOnUse">
      <circle cx="0" cy="0" r="0.8" class="sch-grid-dot"/></pattern></defs>
    <rect class="sch-grid-rect" x="-300" y="-200" width="600" height="400" fill="url(#sch-grid)"/>
    <g class="sch-layer-wires"></g><g class="sch-layer-parts"></g><g class="sch-layer-probes"></g>
    <g class="sch-layer-overlay"></g><g class="sch-layer-selection"></g>
  </svg>
  <div class="jp-SpiceSimSchematic-props"></div>
</div>
<div class="jp-SpiceSimSchematic-status" data-level="info"></div>
<div class="jp-SpiceSimSchematic-plots"></div>`;

  export function attr(text: string): string {
    return text.replace(
      /[<>&"']/g,
      (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!,
    );
  }

  /** Where a net's voltage is written: its top-left-most point. */
  export function annotationPoint(points: string[]): string {
    let best = points[0];
    let bestScore = Infinity;
    for (const key of points) {
      const [x, y] = key.split(',').map(Number);
      const score = y * 10_000 + x;
      if (score < bestScore) {
        bestScore = score;
        best = key;
      }
    }
    return best;
  }
}
