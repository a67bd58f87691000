/**
 * Time functions of independent sources, with ngspice's defaults for omitted arguments
 * (ngspice manual, section "Independent Sources for Voltage or Current"): missing rise/fall times
 * default to the transient step, missing periods and pulse widths to the stop time.
 */
import type { Waveform } from '../../circuit/flat';

/** The transient analysis' step and stop time, which several defaults depend on. */
export interface TransientSpan {
  step: number;
  stop: number;
}

export interface TimeFunction {
  value(time: number): number;
  /** Corners in [from, to] where the timestep must land exactly. */
  breakpoints(from: number, to: number, add: (time: number) => void): void;
}

const TWO_PI = 2 * Math.PI;
const DEG = Math.PI / 180;

function arg(args: number[], index: number, fallback: number): number {
  const v = args[index];
  return v === undefined || Number.isNaN(v) ? fallback : v;
}

export function timeFunction(waveform: Waveform, span: TransientSpan): TimeFunction {
  const a = waveform.args;
  switch (waveform.type) {
    case 'pulse':
      return pulse(a, span);
    case 'sin':
      return sine(a, span);
    case 'exp':
      return exponential(a, span);
    case 'pwl':
      return piecewiseLinear(a, waveform.options ?? {});
    case 'sffm':
      return sffm(a, span);
    case 'am':
      return amplitudeModulated(a, span);
  }
}

function pulse(a: number[], span: TransientSpan): TimeFunction {
  const v1 = arg(a, 0, 0);
  const v2 = arg(a, 1, 0);
  const delay = arg(a, 2, 0);
  let rise = arg(a, 3, 0);
  let fall = arg(a, 4, 0);
  if (rise <= 0) rise = span.step;
  if (fall <= 0) fall = span.step;
  let width = arg(a, 5, 0);
  if (width <= 0) width = span.stop;
  let period = arg(a, 6, 0);
  if (period <= 0) period = span.stop;
  const pulses = arg(a, 7, 0);
  const lastCycle = pulses > 0 ? pulses - 1 : Infinity;
  return {
    value(time) {
      let t = time - delay;
      if (t <= 0) return v1;
      // As ngspice's vsrcload.c: the period wraps only once t is past it, so at t = period exactly (e.g. tstop
      // with the default period = tstop, and a pulse whose width fills the period) the pulse is still high.
      if (t > period) {
        const cycle = Math.floor(t / period);
        if (cycle > lastCycle) return v1;
        t -= cycle * period;
      }
      if (t <= 0 || t >= rise + width + fall) return v1;
      if (t < rise) return v1 + ((v2 - v1) * t) / rise;
      if (t <= rise + width) return v2;
      return v2 + ((v1 - v2) * (t - rise - width)) / fall;
    },
    breakpoints(from, to, add) {
      const corners = [0, rise, rise + width, rise + width + fall];
      const firstCycle = Math.max(0, Math.floor((from - delay) / period));
      for (let cycle = firstCycle; cycle <= lastCycle; cycle++) {
        const base = delay + cycle * period;
        if (base > to) break;
        for (const c of corners) {
          const t = base + c;
          if (t >= from && t <= to) add(t);
        }
      }
    },
  };
}

function sine(a: number[], span: TransientSpan): TimeFunction {
  const offset = arg(a, 0, 0);
  const amplitude = arg(a, 1, 0);
  // A frequency of 0 is also replaced by 1/tstop (ngspice vsrcload.c: `coeffs[2] != 0.0 ? ... : 1/finalTime`).
  const frequency = arg(a, 2, 0) || (span.stop > 0 ? 1 / span.stop : 0);
  const delay = arg(a, 3, 0);
  const damping = arg(a, 4, 0);
  const phase = arg(a, 5, 0) * DEG;
  return {
    value(time) {
      if (time <= delay) return offset + amplitude * Math.sin(phase);
      const t = time - delay;
      return offset + amplitude * Math.sin(TWO_PI * frequency * t + phase) * Math.exp(-t * damping);
    },
    breakpoints(from, to, add) {
      if (delay >= from && delay <= to && delay > 0) add(delay);
    },
  };
}

function exponential(a: number[], span: TransientSpan): TimeFunction {
  const v1 = arg(a, 0, 0);
  const v2 = arg(a, 1, 0);
  // ngspice replaces an omitted or zero rise delay by the transient step (vsrcload.c: `TD1 = coeffs[2] != 0.0
  // ? coeffs[2] : CKTstep`), so EXP(0 1) and EXP(0 1 0 ...) start rising one step after t = 0.
  const riseDelay = arg(a, 2, 0) || span.step;
  const riseTau = arg(a, 3, span.step) || span.step;
  const fallDelay = arg(a, 4, riseDelay + span.step) || riseDelay + span.step;
  const fallTau = arg(a, 5, span.step) || span.step;
  return {
    value(time) {
      if (time <= riseDelay) return v1;
      let v = v1 + (v2 - v1) * (1 - Math.exp(-(time - riseDelay) / riseTau));
      if (time > fallDelay) v += (v1 - v2) * (1 - Math.exp(-(time - fallDelay) / fallTau));
      return v;
    },
    breakpoints(from, to, add) {
      for (const t of [riseDelay, fallDelay]) if (t >= from && t <= to) add(t);
    },
  };
}

function piecewiseLinear(a: number[], options: Record<string, number>): TimeFunction {
  const count = Math.floor(a.length / 2);
  const times = new Float64Array(count);
  const values = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    times[k] = a[2 * k];
    values[k] = a[2 * k + 1];
  }
  const delay = options.td ?? 0;
  // r=T repeats the part of the waveform from time T to the last point (ngspice's PWL repeat).
  const repeatFrom = options.r;
  const last = count > 0 ? times[count - 1] : 0;
  const repeatLength = repeatFrom !== undefined ? last - repeatFrom : 0;
  let cursor = 0;
  const local = (time: number): number => {
    let t = time - delay;
    // At the end time itself ngspice already gives the repeat's first value (vsrcload.c matches t against
    // each corner shifted by the repeat time before it interpolates), so the wrap starts at t = last.
    // A time within rounding of a period's end (ngspice compares with AlmostEqualUlps) is the next period's
    // start: `%` alone gives 9e-6 - 1e-6 = 7.999...e-6, one ulp short of 4 periods of 2e-6, and so the
    // value before the jump at one period end and after it at the next.
    if (repeatFrom !== undefined && repeatLength > 0 && t >= last) {
      const periods = (t - repeatFrom) / repeatLength;
      let whole = Math.floor(periods);
      if (periods - whole > 1 - 1e-9) whole += 1;
      t = Math.max(repeatFrom, t - whole * repeatLength);
    }
    if (count === 0) return 0;
    if (t <= times[0]) return values[0];
    if (t >= last) return values[count - 1];
    // Time advances monotonically in transient: start the search where the last one ended.
    if (cursor >= count - 1 || times[cursor] > t) cursor = 0;
    while (cursor < count - 2 && times[cursor + 1] < t) cursor++;
    const t0 = times[cursor];
    const t1 = times[cursor + 1];
    if (t1 === t0) return values[cursor + 1];
    return values[cursor] + ((values[cursor + 1] - values[cursor]) * (t - t0)) / (t1 - t0);
  };
  return {
    value: local,
    breakpoints(from, to, add) {
      const cycles =
        repeatFrom !== undefined && repeatLength > 0 ? Math.ceil((to - delay - last) / repeatLength) : 0;
      for (let k = 0; k < count; k++) {
        const t = times[k] + delay;
        if (t >= from && t <= to) add(t);
      }
      for (let c = 1; c <= cycles; c++) {
        for (let k = 0; k < count; k++) {
          if (times[k] < repeatFrom!) continue;
          const t = delay + last + (c - 1) * repeatLength + (times[k] - repeatFrom!);
          if (t >= from && t <= to) add(t);
        }
      }
    },
  };
}

function sffm(a: number[], span: TransientSpan): TimeFunction {
  const offset = arg(a, 0, 0);
  const amplitude = arg(a, 1, 0);
  // Zero frequencies are replaced by 1/tstop as omitted ones are (ngspice vsrcload.c).
  const carrier = arg(a, 2, 0) || (span.stop > 0 ? 1 / span.stop : 0);
  const index = arg(a, 3, 0);
  const signal = arg(a, 4, 0) || (span.stop > 0 ? 1 / span.stop : 0);
  const carrierPhase = arg(a, 5, 0) * DEG;
  const signalPhase = arg(a, 6, 0) * DEG;
  return {
    value(time) {
      return (
        offset +
        amplitude *
          Math.sin(
            TWO_PI * carrier * time + carrierPhase + index * Math.sin(TWO_PI * signal * time + signalPhase),
          )
      );
    },
    breakpoints() {},
  };
}

function amplitudeModulated(a: number[], span: TransientSpan): TimeFunction {
  // ngspice 39 vsrcload.c, AM(VA VO MF FC TD PHASEC PHASES): the carrier frequency defaults to 0, only a
  // missing or zero modulating frequency becomes 1/tstop, and PHASES shifts both sines (PHASEC is read but
  // not used there); we follow it so decks give the same waveform in both simulators.
  const amplitude = arg(a, 0, 0);
  const offset = arg(a, 1, 0);
  const modulation = arg(a, 2, 0) || (span.stop > 0 ? 1 / span.stop : 0);
  const carrier = arg(a, 3, 0);
  const delay = arg(a, 4, 0);
  const phase = arg(a, 6, 0) * DEG;
  return {
    value(time) {
      if (time <= delay) return 0;
      const t = time - delay;
      return (
        amplitude *
        (offset + Math.sin(TWO_PI * modulation * t + phase)) *
        Math.sin(TWO_PI * carrier * t + phase)
      );
    },
    breakpoints(from, to, add) {
      if (delay > 0 && delay >= from && delay <= to) add(delay);
    },
  };
}
