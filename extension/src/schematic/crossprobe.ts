/**
 * Cross-probing between schematics and waveform plots: a tiny event bus every view in the page shares
 * (one module instance per extension bundle; also provided as the ICrossProbe token for other extensions).
 * A schematic emits `{net}` when a wire is hovered or clicked; a waveform view emits `{trace}` when a trace is
 * hovered or clicked. Each side maps the other's event with netOfTrace / traceOfNet and highlights.
 */
import { Token } from '@lumino/coreutils';
import { Signal, type ISignal } from '@lumino/signaling';

export interface CrossProbeEvent {
  /** Who emitted it (a view id), so a view ignores its own events. */
  source: string;
  kind: 'hover' | 'select' | 'clear';
  /** Net name as the schematic names it (`out`, `0`, `N001`). */
  net?: string;
  /** Solver vector name (`v(out)`, `i(vprobe_r1_p)`). */
  trace?: string;
}

export interface ICrossProbe {
  readonly events: ISignal<ICrossProbe, CrossProbeEvent>;
  emit(event: CrossProbeEvent): void;
}

export const ICrossProbe = new Token<ICrossProbe>(
  '@spicesim/extension:cross-probe',
  'Net/trace highlight events shared by schematics and waveform views.',
);

class CrossProbeBus implements ICrossProbe {
  private readonly _events = new Signal<ICrossProbe, CrossProbeEvent>(this);

  get events(): ISignal<ICrossProbe, CrossProbeEvent> {
    return this._events;
  }

  emit(event: CrossProbeEvent): void {
    this._events.emit(event);
  }
}

/** The page-wide bus. */
export const crossProbe: ICrossProbe = new CrossProbeBus();

/** `v(out)` -> `out`; differential voltages and currents have no single net. */
export function netOfTrace(trace: string): string | undefined {
  const match = /^v\(([^,()]+)\)$/i.exec(trace.trim());
  return match ? match[1] : undefined;
}

export function traceOfNet(net: string): string {
  return `v(${net.toLowerCase()})`;
}
