/**
 * The viewer's automatic measurement panel and cursor readout, computed from the bundle's full-resolution
 * columns with the kernel's measurement functions (the same ones notebooks call). Pure, unit tested.
 */
import {
  bandwidth,
  overshoot,
  peak,
  riseTime,
  settlingTime,
  trough,
  valueAt,
  fallTime,
} from '@spicesim/kernel/dist/measure';
import { stabilityMargins, type Margins } from '@spicesim/kernel/dist/spectral';
import { formatSI } from '@spicesim/kernel/dist/waveform/format';
import type { BundleColumns } from './plotly-model';

export interface MeasurementRow {
  trace: string;
  /** Label -> formatted value ('—' when the measurement does not apply to this waveform). */
  values: Record<string, string>;
}

/** One row per trace of every pane: what an engineer reads off first for this kind of plot. */
export function measurementRows(columns: BundleColumns): MeasurementRow[] {
  const bundle = columns.bundle;
  const x = columns.x;
  const xUnit = bundle.x.unit;
  const rows: MeasurementRow[] = [];
  for (const pane of bundle.panes) {
    for (const name of pane.traces) {
      const unit = bundle.traces.find((t) => t.name === name)?.unit ?? '';
      const y = columns.y(name, pane.view);
      const values: Record<string, string> = {};
      const attempt = (label: string, f: () => string) => {
        try {
          values[label] = f();
        } catch {
          values[label] = '—';
        }
      };
      if (pane.view === 'magnitude-db' || pane.view === 'magnitude') {
        const linear = pane.view === 'magnitude-db' ? y.map((v) => 10 ** (v / 20)) : y;
        const top = peak(x, y);
        attempt(
          'peak',
          () =>
            `${formatSI(top.value, pane.view === 'magnitude-db' ? 'dB' : unit, 4)} at ${formatSI(top.at, xUnit, 4)}`,
        );
        attempt('-3 dB bandwidth', () => formatSI(bandwidth(x, linear), xUnit, 4));
        const margins = loopGainMargins(columns, name);
        values['unity-gain frequency'] = margins ? formatSI(margins.unityGainFrequency, xUnit, 4) : '—';
        values['phase margin'] = margins ? `${margins.phaseMargin.toFixed(1)}°` : '—';
        values['gain margin'] = !margins
          ? '—'
          : Number.isFinite(margins.gainMargin)
            ? `${margins.gainMargin.toFixed(1)} dB at ${formatSI(margins.phaseCrossoverFrequency, xUnit, 4)}`
            : '∞ (phase never reaches -180°)';
      } else if (pane.view === 'phase') {
        continue;
      } else {
        const hi = peak(x, y);
        const lo = trough(x, y);
        values.max = formatSI(hi.value, unit, 4);
        values.min = formatSI(lo.value, unit, 4);
        // Step measurements only mean something when the trace ends far from where it started
        // (a step), not for pulses or ringing around zero: then they show '—'.
        const swing = Math.abs(y[y.length - 1] - y[0]);
        const isStep = swing > 0.1 * (hi.value - lo.value) && swing > 0;
        if (bundle.x.name === 'time' && !isStep) {
          for (const label of ['rise time', 'overshoot', 'settling (2 %)']) values[label] = '—';
        } else if (bundle.x.name === 'time') {
          const rising = y[y.length - 1] >= y[0];
          attempt(rising ? 'rise time' : 'fall time', () =>
            formatSI(rising ? riseTime(x, y) : fallTime(x, y), 's', 4),
          );
          attempt('overshoot', () => `${overshoot(y).toFixed(1)} %`);
          attempt('settling (2 %)', () => formatSI(settlingTime(x, y), 's', 4));
        }
      }
      rows.push({ trace: pane.view === 'value' ? name : `${name} (${pane.view})`, values });
    }
  }
  return rows;
}

/**
 * Stability margins when a complex (AC) trace reads as a loop gain T(jw): |T| starts above 1 and falls
 * through 1 (0 dB) in the sweep; undefined otherwise (a filter's response, a node voltage below 1 V).
 * Phase margin = 180° + arg T at the unity-gain frequency, gain margin = -|T| in dB where arg T = -180°,
 * both from the kernel's `stabilityMargins` (phase unwrapped, log-frequency interpolation).
 */
export function loopGainMargins(columns: BundleColumns, name: string): Margins | undefined {
  const trace = columns.bundle.traces.find((t) => t.name === name);
  if (!trace || trace.format === 'real' || columns.bundle.x.unit !== 'Hz') return undefined;
  const magnitude = columns.y(name, 'magnitude');
  if (!(magnitude[0] > 1)) return undefined;
  try {
    return stabilityMargins(columns.x, magnitude, columns.y(name, 'phase'));
  } catch {
    return undefined; // never falls through 0 dB in the sweep
  }
}

export interface CursorReadout {
  /** Header line: x of each cursor, dx and 1/dx. */
  header: string;
  /** One line per trace: y at each cursor and dy. */
  lines: string[];
}

/** Values of every pane trace at the cursors (1 or 2 x positions), with differences for two cursors. */
export function cursorReadout(columns: BundleColumns, cursors: number[]): CursorReadout {
  const bundle = columns.bundle;
  const xUnit = bundle.x.unit;
  const [a, b] = cursors;
  let header = `A: ${formatSI(a, xUnit, 5)}`;
  if (b !== undefined) {
    const dx = b - a;
    header += `   B: ${formatSI(b, xUnit, 5)}   Δx: ${formatSI(dx, xUnit, 4)}   1/Δx: ${formatSI(1 / Math.abs(dx), xUnit === 's' ? 'Hz' : '', 4)}`;
  }
  const lines: string[] = [];
  for (const pane of bundle.panes) {
    const unit = pane.view === 'magnitude-db' ? 'dB' : pane.view === 'phase' ? '°' : undefined;
    for (const name of pane.traces) {
      const traceUnit = unit ?? bundle.traces.find((t) => t.name === name)?.unit ?? '';
      const y = columns.y(name, pane.view);
      const at = (v: number) => {
        try {
          return valueAt(columns.x, y, v);
        } catch {
          return NaN;
        }
      };
      const ya = at(a);
      let line = `${name}${pane.view === 'value' ? '' : ` ${pane.view}`}: A ${formatSI(ya, traceUnit, 5)}`;
      if (b !== undefined) {
        const yb = at(b);
        line += `   B ${formatSI(yb, traceUnit, 5)}   Δy ${formatSI(yb - ya, traceUnit, 4)}`;
      }
      lines.push(line);
    }
  }
  return { header, lines };
}
