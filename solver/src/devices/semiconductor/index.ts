/**
 * Shared physics and numerics of the semiconductor devices (diode, BJT, JFET, MOSFET):
 * physical constants as ngspice 39's const.h, the silicon band gap and junction-potential temperature
 * laws (ngspice's diotemp.c / bjttemp.c / mos1temp.c all use the same ones), junction voltage limiting
 * (pnjlim, fetlim, limvds: Nagel, "SPICE2", ch. 4; ngspice devsup.c), the depletion charge of a graded
 * junction with the FC linearisation (Nagel ch. 3), and a small local stamping helper.
 */
import type { Handle, SetupContext, Unknown } from '../device';

export const CHARGE = 1.6021766208e-19;
export const BOLTZMANN = 1.38064852e-23;
export const K_OVER_Q = BOLTZMANN / CHARGE;
/** 27 °C in kelvin: the reference temperature of the band-gap law. */
export const REFERENCE_TEMPERATURE = 300.15;
export const SQRT2 = Math.SQRT2;
/** Permittivity of SiO2 and Si (F/m), as ngspice's mos models. */
export const EPS_OX = 3.9 * 8.854214871e-12;
export const EPS_SI = 11.7 * 8.854214871e-12;
/** Intrinsic carrier density of silicon (1/m³), as ngspice's mos models. */
export const NI = 1.45e16;

export function thermalVoltage(kelvin: number): number {
  return K_OVER_Q * kelvin;
}

/** Silicon band gap (eV) at `kelvin`: 1.16 − 7.02e-4·T²/(T + 1108). */
export function energyGap(kelvin: number): number {
  return 1.16 - (7.02e-4 * kelvin * kelvin) / (kelvin + 1108);
}

/**
 * The band-gap term of the junction-potential temperature law: pbfact = −2·vt·(1.5·ln(T/Tref) + q·arg)
 * with arg = −Eg(T)/(2kT) + Eg(Tref)/(2k·Tref) (ngspice uses 1.1150877 eV for Eg(300.15 K)).
 */
export function potentialFactor(kelvin: number): number {
  const vt = thermalVoltage(kelvin);
  const arg =
    -energyGap(kelvin) / (2 * BOLTZMANN * kelvin) + 1.1150877 / (BOLTZMANN * 2 * REFERENCE_TEMPERATURE);
  return -2 * vt * (1.5 * Math.log(kelvin / REFERENCE_TEMPERATURE) + CHARGE * arg);
}

/** Junction potential and zero-bias capacitance scaled from the nominal temperature to `kelvin`. */
export function junctionAtTemperature(
  potential: number,
  capacitance: number,
  grading: number,
  kelvin: number,
  nominal: number,
): { potential: number; capacitance: number } {
  const fact1 = nominal / REFERENCE_TEMPERATURE;
  const fact2 = kelvin / REFERENCE_TEMPERATURE;
  const pbo = (potential - potentialFactor(nominal)) / fact1;
  const gmaOld = (potential - pbo) / pbo;
  let cap = capacitance / (1 + grading * (4e-4 * (nominal - REFERENCE_TEMPERATURE) - gmaOld));
  const newPotential = potentialFactor(kelvin) + fact2 * pbo;
  const gmaNew = (newPotential - pbo) / pbo;
  cap *= 1 + grading * (4e-4 * (kelvin - REFERENCE_TEMPERATURE) - gmaNew);
  return { potential: newPotential, capacitance: cap };
}

/**
 * pn-junction voltage limiting (ngspice DEVpnjlim): above vcrit a large forward step is replaced by
 * the step that changes the junction current by the same factor as linear extrapolation would, i.e.
 * logarithmically; large reverse steps are bounded too. `limited` reports whether the value changed.
 */
export function pnjlim(
  vnew: number,
  vold: number,
  vt: number,
  vcrit: number,
): { value: number; limited: boolean } {
  if (vnew > vcrit && Math.abs(vnew - vold) > vt + vt) {
    if (vold > 0) {
      const arg = 1 + (vnew - vold) / vt;
      return { value: arg > 0 ? vold + vt * Math.log(arg) : vcrit, limited: true };
    }
    return { value: vt * Math.log(vnew / vt), limited: true };
  }
  if (vnew < 0) {
    const arg = vold > 0 ? -vold - 1 : 2 * vold - 1;
    if (vnew < arg) return { value: arg, limited: true };
  }
  return { value: vnew, limited: false };
}

/**
 * pnjlim for the load loops: returns the limited voltage and calls `ctx.nonConvergence()` when it limited,
 * without allocating a result object per call.
 */
export function limitJunction(
  vnew: number,
  vold: number,
  vt: number,
  vcrit: number,
  ctx: { nonConvergence(): void },
): number {
  if (vnew > vcrit && Math.abs(vnew - vold) > vt + vt) {
    ctx.nonConvergence();
    if (vold > 0) {
      const arg = 1 + (vnew - vold) / vt;
      return arg > 0 ? vold + vt * Math.log(arg) : vcrit;
    }
    return vt * Math.log(vnew / vt);
  }
  if (vnew < 0) {
    const arg = vold > 0 ? -vold - 1 : 2 * vold - 1;
    if (vnew < arg) {
      ctx.nonConvergence();
      return arg;
    }
  }
  return vnew;
}

/** FET gate-voltage limiting around the threshold `vto` (ngspice DEVfetlim). */
export function fetlim(vnew: number, vold: number, vto: number): number {
  const vtsthi = Math.abs(2 * (vold - vto)) + 2;
  const vtstlo = Math.abs(vold - vto) + 1;
  const vtox = vto + 3.5;
  const delv = vnew - vold;
  if (vold >= vto) {
    if (vold >= vtox) {
      if (delv <= 0) {
        if (vnew >= vtox) {
          if (-delv > vtstlo) return vold - vtstlo;
        } else {
          return Math.max(vnew, vto + 2);
        }
      } else if (delv >= vtsthi) {
        return vold + vtsthi;
      }
    } else {
      return delv <= 0 ? Math.max(vnew, vto - 0.5) : Math.min(vnew, vto + 4);
    }
  } else if (delv <= 0) {
    if (-delv > vtsthi) return vold - vtsthi;
  } else {
    const vtemp = vto + 0.5;
    if (vnew <= vtemp) {
      if (delv > vtstlo) return vold + vtstlo;
    } else {
      return vtemp;
    }
  }
  return vnew;
}

/** Drain-source voltage limiting (ngspice DEVlimvds). */
export function limvds(vnew: number, vold: number): number {
  if (vold >= 3.5) {
    if (vnew > vold) return Math.min(vnew, 3 * vold + 2);
    if (vnew < 3.5) return Math.max(vnew, 2);
    return vnew;
  }
  return vnew > vold ? Math.min(vnew, 4) : Math.max(vnew, -0.5);
}

/**
 * ngspice's gate and drain limiting of a FET's n-type voltages (mos1load.c, b4ld.c): in the forward direction
 * (old vds >= 0) fetlim on vgs then limvds on vds; in reverse, fetlim on vgd and limvds on -vds, keeping vgd. The
 * limited values replace `v.vgs` and `v.vds` (in place: nothing is returned, so nothing is boxed on this hot path).
 */
export function limitFetVoltages(
  v: { vgs: number; vds: number },
  vgsOld: number,
  vdsOld: number,
  von: number,
): void {
  let vgs = v.vgs;
  let vds = v.vds;
  const vgdNew = vgs - vds;
  if (vdsOld >= 0) {
    vgs = fetlim(vgs, vgsOld, von);
    vds = limvds(vgs - vgdNew, vdsOld);
  } else {
    const vgd = fetlim(vgdNew, vgsOld - vdsOld, von);
    vds = -limvds(vgd - vgs, -vdsOld);
    vgs = vgd + vds;
  }
  v.vgs = vgs;
  v.vds = vds;
}

/**
 * Depletion charge and capacitance of a junction with zero-bias capacitance `czero`, potential `pb`
 * and grading `m`; above fc·pb the capacitance continues linearly (Nagel, SPICE2 eq. 3.26).
 */
export function depletionCharge(
  v: number,
  czero: number,
  pb: number,
  m: number,
  fc: number,
  out: { charge: number; capacitance: number } = { charge: 0, capacitance: 0 },
): { charge: number; capacitance: number } {
  if (czero === 0) {
    out.charge = 0;
    out.capacitance = 0;
    return out;
  }
  const vdep = fc * pb;
  if (v < vdep) {
    const arg = 1 - v / pb;
    // arg^-m; the common grading 0.5 by a square root instead of exp(log) (as ngspice's MOS loads do).
    const sarg = m === 0.5 ? 1 / Math.sqrt(arg) : Math.exp(-m * Math.log(arg));
    out.charge = m === 1 ? -pb * czero * Math.log(arg) : (pb * czero * (1 - arg * sarg)) / (1 - m);
    out.capacitance = czero * sarg;
    return out;
  }
  const xfc = Math.log(1 - fc);
  const f1 = m === 1 ? -pb * xfc : (pb * (1 - Math.exp((1 - m) * xfc))) / (1 - m);
  const f2 = Math.exp((1 + m) * xfc);
  const f3 = 1 - fc * (1 + m);
  const czof2 = czero / f2;
  out.charge = czero * f1 + czof2 * (f3 * (v - vdep) + (m / (2 * pb)) * (v * v - vdep * vdep));
  out.capacitance = czof2 * (f3 + (m * v) / pb);
  return out;
}

/**
 * Matrix handles between every pair of a device's terminals (local indices), so the device stamps by
 * local index without keeping a handle per conductance. Reserved once at setup.
 */
export class LocalStamp {
  readonly unknowns: Unknown[];
  private readonly handles: Handle[];

  constructor(ctx: SetupContext, unknowns: Unknown[]) {
    this.unknowns = unknowns;
    const n = unknowns.length;
    this.handles = new Array<Handle>(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) this.handles[i * n + j] = ctx.entry(unknowns[i], unknowns[j]);
    }
  }

  /** The handle of entry (row of local i, column of local j). */
  handle(i: number, j: number): Handle {
    return this.handles[i * this.unknowns.length + j];
  }

  /** Add `value` at (row of local i, column of local j). */
  add(values: Float64Array, i: number, j: number, value: number): void {
    values[this.handles[i * this.unknowns.length + j]] += value;
  }

  /** A conductance between local terminals a and b. */
  conductance(values: Float64Array, a: number, b: number, g: number): void {
    const n = this.unknowns.length;
    values[this.handles[a * n + a]] += g;
    values[this.handles[a * n + b]] -= g;
    values[this.handles[b * n + a]] -= g;
    values[this.handles[b * n + b]] += g;
  }

  /** A current a -> b controlled by v(c) − v(d) with transconductance gm. */
  transconductance(values: Float64Array, a: number, b: number, c: number, d: number, gm: number): void {
    const n = this.unknowns.length;
    values[this.handles[a * n + c]] += gm;
    values[this.handles[a * n + d]] -= gm;
    values[this.handles[b * n + c]] -= gm;
    values[this.handles[b * n + d]] += gm;
  }

  /** An equivalent current `current` flowing from local a to local b through the device. */
  current(rhs: Float64Array, a: number, b: number, current: number): void {
    rhs[this.unknowns[a]] -= current;
    rhs[this.unknowns[b]] += current;
  }

  /** Add a current entering local terminal i (right-hand side). */
  inject(rhs: Float64Array, i: number, current: number): void {
    rhs[this.unknowns[i]] += current;
  }

  voltage(solution: Float64Array, a: number, b: number): number {
    return solution[this.unknowns[a]] - solution[this.unknowns[b]];
  }
}

/**
 * The junction voltage a device linearises at on the first Newton iteration of a transient step: the
 * value at the last accepted point extrapolated linearly over the new step (ngspice's MODEINITPRED with
 * its default device-level predictor; on the first step after the operating point, where both stored
 * points are equal, this is the initial value, as MODEINITTRAN).
 */
export function predictedVoltage(
  state: readonly Float64Array[],
  timesteps: Float64Array,
  offset: number,
): number {
  const previous = state[1][offset];
  const before = state[2][offset];
  const ratio = timesteps[1] > 0 ? timesteps[0] / timesteps[1] : 0;
  return previous + ratio * (previous - before);
}

/** ngspice's current convergence test for one branch: |predicted − actual| ≤ reltol·max + abstol. */
export function currentConverged(predicted: number, actual: number, reltol: number, abstol: number): boolean {
  return Math.abs(predicted - actual) <= reltol * Math.max(Math.abs(predicted), Math.abs(actual)) + abstol;
}

/**
 * SPICE's tolerance test for bypass: |next − previous| < reltol·max(|next|, |previous|) + tol, tol being
 * vntol for a voltage, abstol for a current (ngspice's bypass tests in dioload.c, bjtload.c, mos1load.c).
 */
export function withinTolerance(next: number, previous: number, reltol: number, tol: number): boolean {
  const a = next < 0 ? -next : next;
  const b = previous < 0 ? -previous : previous;
  const d = next - previous;
  return (d < 0 ? -d : d) < reltol * (a > b ? a : b) + tol;
}

/** A model parameter with its ngspice default; aliases are alternative names read in order. */
export function param(params: Record<string, number>, fallback: number, ...names: string[]): number {
  for (const name of names) {
    const value = params[name];
    if (value !== undefined) return value;
  }
  return fallback;
}
