/**
 * The waveform viewer's side of cross-probing (bus and event shape in schematic/crossprobe.ts): hovering or
 * clicking a trace emits `{trace, net}` so a schematic highlights the net; an event from anyone else (a
 * schematic's hovered wire, another plot) emphasises the matching trace here. No DOM: the viewer forwards
 * plotly's hover/click/unhover and applies `onEmphasis`.
 */
import { type CrossProbeEvent, type ICrossProbe, netOfTrace, traceOfNet } from './schematic/crossprobe';

export class TraceCrossProbe {
  /**
   * @param traceNames the traces this view shows (matched case-insensitively against events)
   * @param onEmphasis called with the trace to emphasise, or undefined to clear, whenever that changes
   */
  constructor(
    private readonly bus: ICrossProbe,
    readonly source: string,
    private readonly traceNames: () => string[],
    private readonly onEmphasis: (trace: string | undefined) => void,
  ) {
    bus.events.connect(this._onEvent, this);
  }

  /** The trace currently emphasised because of someone else's event. */
  get emphasis(): string | undefined {
    return this._emphasis;
  }

  hover(trace: string): void {
    if (trace === this._lastEmitted) return; // plotly fires hover on every mouse move
    this._emit('hover', trace);
  }

  select(trace: string): void {
    this._emit('select', trace);
  }

  clear(): void {
    if (this._lastEmitted === undefined) return;
    this._lastEmitted = undefined;
    this.bus.emit({ source: this.source, kind: 'clear' });
  }

  dispose(): void {
    this.bus.events.disconnect(this._onEvent, this);
  }

  /** The trace of this view an event refers to: by trace name, else the net's voltage `v(net)`. */
  match(event: CrossProbeEvent): string | undefined {
    if (event.kind === 'clear') return undefined;
    const names = this.traceNames();
    const find = (wanted: string) => names.find((n) => n.toLowerCase() === wanted.toLowerCase());
    return (
      (event.trace ? find(event.trace) : undefined) ?? (event.net ? find(traceOfNet(event.net)) : undefined)
    );
  }

  private _emit(kind: 'hover' | 'select', trace: string): void {
    this._lastEmitted = trace;
    const net = netOfTrace(trace);
    this.bus.emit({ source: this.source, kind, trace, ...(net ? { net } : {}) });
  }

  private _onEvent(_: ICrossProbe, event: CrossProbeEvent): void {
    if (event.source === this.source) return;
    const trace = this.match(event);
    if (trace === this._emphasis) return;
    this._emphasis = trace;
    this.onEmphasis(trace);
  }

  private _emphasis: string | undefined;
  private _lastEmitted: string | undefined;
}
