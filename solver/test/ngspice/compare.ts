/**
 * Vector-by-vector comparison of two plots (ours against ngspice's), with stated tolerances.
 *
 * A value agrees when |ours - ngspice| <= reltol * max(|ours|, |ngspice|) + abstol, abstol by vector type
 * (volts, amperes, other). Transient results are compared at ngspice's time points, ours interpolated
 * linearly between our own points (the two simulators choose different timesteps); transient tolerances add
 * a term proportional to the vector's swing, because a timestep-controlled integration is only accurate to
 * a fraction of the signal's range, not of its instantaneous value near a zero crossing.
 * AC results are compared on magnitude (as above) and on phase in degrees where the magnitude is not
 * negligible (the phase of a vanishing value is noise).
 */
import type { Plot, Vector } from '../../src/output/plot';

export type AnalysisKind = 'op' | 'dc' | 'ac' | 'tran';

export interface Tolerance {
  reltol: number;
  abstol: { voltage: number; current: number; other: number };
  /** Transient: extra allowance, a fraction of the ngspice vector's peak-to-peak swing. */
  swing?: number;
  /** AC: allowed phase difference in degrees. */
  phaseDegrees?: number;
}

/**
 * Linear circuits: op, dc and ac are one exact linear solve in both simulators, so they must agree to
 * rounding. Transient: both run trapezoidal/Gear with reltol=1e-3 and LTE control; 1 % of the value plus
 * 0.5 % of the swing is what ngspice itself moves between default and tightened tolerances (checked in
 * harness.test.ts).
 */
export const DEFAULT_TOLERANCES: Record<AnalysisKind, Tolerance> = {
  op: { reltol: 1e-6, abstol: { voltage: 1e-9, current: 1e-12, other: 1e-9 } },
  dc: { reltol: 1e-6, abstol: { voltage: 1e-9, current: 1e-12, other: 1e-9 } },
  ac: { reltol: 1e-5, abstol: { voltage: 1e-9, current: 1e-12, other: 1e-9 }, phaseDegrees: 1e-2 },
  tran: { reltol: 1e-2, abstol: { voltage: 1e-6, current: 1e-9, other: 1e-6 }, swing: 5e-3 },
};

export function analysisKind(plotName: string): AnalysisKind {
  switch (plotName) {
    case 'Operating Point':
      return 'op';
    case 'DC transfer characteristic':
      return 'dc';
    case 'AC Analysis':
      return 'ac';
    case 'Transient Analysis':
      return 'tran';
    default:
      throw new Error(`no comparison rule for plot '${plotName}'`);
  }
}

/**
 * One spelling for a vector name whichever way it was written: `v(out)` and `out` are `out`,
 * `i(v1)` and `v1#branch` are `v1#branch`, `v(v-sweep)` is `v-sweep`.
 */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  const voltage = /^v\(([^,()]+)\)$/.exec(lower);
  if (voltage) return voltage[1];
  const current = /^i\(([^,()]+)\)$/.exec(lower);
  if (current) return current[1].endsWith('-sweep') ? current[1] : `${current[1]}#branch`;
  return lower;
}

export interface Mismatch {
  vector: string;
  message: string;
}

function abstolFor(v: Vector, tol: Tolerance): number {
  if (v.type === 'voltage') return tol.abstol.voltage;
  if (v.type === 'current') return tol.abstol.current;
  return tol.abstol.other;
}

/** Our vector's value at time `t`, linear between our points. `times` ascending (equal times allowed at breakpoints). */
export function interpolate(times: Float64Array, values: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  if (t <= times[0]) return values[0];
  if (t >= times[hi]) return values[hi];
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) lo = mid;
    else hi = mid;
  }
  const span = times[hi] - times[lo];
  if (span <= 0) return values[hi];
  return values[lo] + ((values[hi] - values[lo]) * (t - times[lo])) / span;
}

function range(values: Float64Array): number {
  let min = Infinity;
  let max = -Infinity;
  for (const x of values) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return values.length ? max - min : 0;
}

interface Worst {
  index: number;
  excess: number;
  ours: number;
  theirs: number;
  allowed: number;
}

function describe(plot: Plot, w: Worst, what = ''): string {
  const scale = plot.vectors[0];
  const at =
    scale && scale.type !== 'voltage' && plot.name !== 'Operating Point'
      ? ` at ${scale.name}=${scale.real[w.index]}`
      : '';
  return `${what}point ${w.index}${at}: ours ${w.ours}, ngspice ${w.theirs}, |diff| ${Math.abs(w.ours - w.theirs).toExponential(3)} > allowed ${w.allowed.toExponential(3)}`;
}

/** Compare our plot with ngspice's plot of the same analysis. An empty list means they agree. */
export function comparePlots(ours: Plot, ngspice: Plot, tolerance?: Tolerance): Mismatch[] {
  const kind = analysisKind(ngspice.name);
  const tol = tolerance ?? DEFAULT_TOLERANCES[kind];
  const mismatches: Mismatch[] = [];
  if (ours.name !== ngspice.name)
    mismatches.push({ vector: '', message: `plot name '${ours.name}', ngspice '${ngspice.name}'` });
  if (ours.complex !== ngspice.complex)
    mismatches.push({ vector: '', message: `complex=${ours.complex}, ngspice complex=${ngspice.complex}` });

  const byName = new Map(ours.vectors.map((v) => [canonicalName(v.name), v]));
  const theirNames = new Set(ngspice.vectors.map((v) => canonicalName(v.name)));
  for (const v of ours.vectors) {
    if (!theirNames.has(canonicalName(v.name)))
      mismatches.push({ vector: v.name, message: 'we output this vector, ngspice does not' });
  }

  const ourScale = ours.vectors[0];
  const theirScale = ngspice.vectors[0];
  const theirPoints = theirScale ? theirScale.real.length : 0;
  const ourPoints = ourScale ? ourScale.real.length : 0;
  if (kind !== 'tran' && ourPoints !== theirPoints) {
    mismatches.push({ vector: '', message: `${ourPoints} points, ngspice ${theirPoints}` });
    return mismatches;
  }
  // Transient: ngspice's first point after a nonzero tstart is its first step past tstart, not tstart
  // itself; so the starts may differ by up to ngspice's first interval, and only ngspice's points inside
  // our time range are compared. The ends must agree (both stop at tstop).
  let firstCompared = 0;
  if (kind === 'tran') {
    const ourTimes = ourScale.real;
    const theirTimes = theirScale.real;
    const first = theirTimes[0];
    const last = theirTimes[theirPoints - 1];
    const slack = 1e-9 * Math.max(Math.abs(last), 1e-30);
    const startGap = theirPoints > 1 ? theirTimes[1] - theirTimes[0] : 0;
    if (
      Math.abs(ourTimes[0] - first) > slack + startGap ||
      Math.abs(ourTimes[ourPoints - 1] - last) > slack
    ) {
      mismatches.push({
        vector: 'time',
        message: `time runs ${ourTimes[0]}..${ourTimes[ourPoints - 1]}, ngspice ${first}..${last}`,
      });
      return mismatches;
    }
    while (firstCompared < theirPoints && theirTimes[firstCompared] < ourTimes[0] - slack) firstCompared++;
  }

  for (const theirs of ngspice.vectors) {
    const name = canonicalName(theirs.name);
    const mine = byName.get(name);
    if (!mine) {
      mismatches.push({ vector: theirs.name, message: 'ngspice outputs this vector, we do not' });
      continue;
    }
    if (kind === 'tran' && theirs === theirScale) continue;
    const abstol = abstolFor(theirs, tol);
    const swingAllowance = (tol.swing ?? 0) * range(theirs.real);
    let worst: Worst | undefined;
    let worstPhase: Worst | undefined;
    for (let p = firstCompared; p < theirPoints; p++) {
      let a: number;
      let b: number;
      if (kind === 'tran') {
        a = interpolate(ourScale.real, mine.real, theirScale.real[p]);
        b = theirs.real[p];
      } else if (kind === 'ac' && theirs !== theirScale) {
        a = Math.hypot(mine.real[p], mine.imag ? mine.imag[p] : 0);
        b = Math.hypot(theirs.real[p], theirs.imag ? theirs.imag[p] : 0);
      } else {
        // The AC scale is compared on its real part only: ngspice leaves the frequency's imaginary part unset.
        a = mine.real[p];
        b = theirs.real[p];
      }
      const allowed = tol.reltol * Math.max(Math.abs(a), Math.abs(b)) + abstol + swingAllowance;
      const excess = Math.abs(a - b) - allowed;
      if (!(excess <= 0) && (!worst || excess > worst.excess || Number.isNaN(excess))) {
        worst = { index: p, excess, ours: a, theirs: b, allowed };
      }
      if (
        kind === 'ac' &&
        theirs !== theirScale &&
        tol.phaseDegrees !== undefined &&
        Math.max(a, b) > 1e3 * abstol
      ) {
        const phaseOurs = (Math.atan2(mine.imag ? mine.imag[p] : 0, mine.real[p]) * 180) / Math.PI;
        const phaseTheirs = (Math.atan2(theirs.imag ? theirs.imag[p] : 0, theirs.real[p]) * 180) / Math.PI;
        let diff = Math.abs(phaseOurs - phaseTheirs) % 360;
        if (diff > 180) diff = 360 - diff;
        const phaseExcess = diff - tol.phaseDegrees;
        if (!(phaseExcess <= 0) && (!worstPhase || phaseExcess > worstPhase.excess)) {
          worstPhase = {
            index: p,
            excess: phaseExcess,
            ours: phaseOurs,
            theirs: phaseTheirs,
            allowed: tol.phaseDegrees,
          };
        }
      }
    }
    if (worst)
      mismatches.push({
        vector: theirs.name,
        message: describe(ngspice, worst, kind === 'ac' ? 'magnitude, ' : ''),
      });
    if (worstPhase)
      mismatches.push({ vector: theirs.name, message: describe(ngspice, worstPhase, 'phase (degrees), ') });
  }
  return mismatches;
}

/**
 * Pair our plots (netlist order) with ngspice's. ngspice runs analyses by type (AC, DC, OP, TRAN) and,
 * within a type, in reverse netlist order; so pair the k-th plot of a name in ours with the k-th from the
 * end among ngspice's plots of that name.
 */
export function pairPlots(ours: readonly Plot[], ngspice: readonly Plot[]): Array<[Plot, Plot]> | string {
  const groups = new Map<string, Plot[]>();
  for (const p of ngspice) groups.set(p.name, [...(groups.get(p.name) ?? []), p]);
  const ourNames = ours
    .map((p) => p.name)
    .sort()
    .join(', ');
  const theirNames = ngspice
    .map((p) => p.name)
    .sort()
    .join(', ');
  if (ourNames !== theirNames) return `our plots [${ourNames}] differ from ngspice's [${theirNames}]`;
  const seen = new Map<string, number>();
  return ours.map((p) => {
    const group = groups.get(p.name) as Plot[];
    const k = seen.get(p.name) ?? 0;
    seen.set(p.name, k + 1);
    return [p, group[group.length - 1 - k]];
  });
}

/** A readable report of mismatches, for test failure messages. */
export function formatMismatches(deck: string, plot: string, mismatches: readonly Mismatch[]): string {
  return [
    `${deck}: ${plot}: ${mismatches.length} mismatch(es)`,
    ...mismatches.map((m) => `  ${m.vector || '(plot)'}: ${m.message}`),
  ].join('\n');
}
