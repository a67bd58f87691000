/**
 * EKV 2.6 extrinsic elements. The EKV 2.6 report defines the intrinsic transistor only and leaves the
 * source/drain junctions and the gate overlaps to the simulator; the simulators that ship EKV 2.6 (Eldo, Smash,
 * the EPFL Verilog-A code) add them in the SPICE MOS way, and so do we:
 *   - overlap capacitances CGSO·Weff, CGDO·Weff (F/m of width) and CGBO·Leff (F/m of length), linear;
 *   - bulk-source and bulk-drain diodes Is·(exp(V/(N·Vt)) − 1) with Is = JS·A + JSW·P (IS when both are zero),
 *     the SPICE diode temperature law (XTI, EG), and bottom + sidewall depletion charges CJ·A, CJSW·P
 *     (MJ, MJSW, PB, PBSW, FC-linearised above FC·PB), PB and CJ scaled with temperature as SPICE's MOS models;
 *   - default areas/perimeters from HDIF as the EKV Verilog-A code does: AS = AD = 2·HDIF·Weff and
 *     PS = PD = 4·HDIF + 2·Weff when the instance does not give them.
 */
import { depletionCharge, junctionAtTemperature, thermalVoltage } from '../semiconductor';

export interface EkvExtrinsicParameters {
  cgso: number;
  cgdo: number;
  cgbo: number;
  hdif: number;
  js: number;
  jsw: number;
  is: number;
  n: number;
  xti: number;
  eg: number;
  cj: number;
  cjsw: number;
  mj: number;
  mjsw: number;
  pb: number;
  pbsw: number;
  fc: number;
}

/** The card's extrinsic parameters with their defaults (no overlaps; a 1e-14 A junction without areas, as SPICE). */
export function ekvExtrinsicParameters(p: Readonly<Record<string, number>>): EkvExtrinsicParameters {
  const pb = p.pb ?? 0.8;
  return {
    cgso: p.cgso ?? 0,
    cgdo: p.cgdo ?? 0,
    cgbo: p.cgbo ?? 0,
    hdif: p.hdif ?? 0,
    js: p.js ?? 0,
    jsw: p.jsw ?? 0,
    is: p.is ?? 1e-14,
    n: p.n ?? 1,
    xti: p.xti ?? 3,
    eg: p.eg ?? 1.11,
    cj: p.cj ?? 0,
    cjsw: p.cjsw ?? 0,
    mj: p.mj ?? 0.5,
    mjsw: p.mjsw ?? 0.33,
    pb,
    pbsw: p.pbsw ?? pb,
    fc: p.fc ?? 0.5,
  };
}

/** One junction at one temperature. */
export interface EkvJunction {
  isat: number;
  nvt: number;
  /** pnjlim's critical voltage N·Vt·ln(N·Vt/(√2·Is)). */
  vcrit: number;
  czb: number;
  czsw: number;
  pb: number;
  pbsw: number;
  mj: number;
  mjsw: number;
  fc: number;
}

export interface EkvExtrinsic {
  source: EkvJunction;
  drain: EkvJunction;
  /** Overlap capacitances of the device (one of M). */
  cgs: number;
  cgd: number;
  cgb: number;
}

export interface EkvDiffusions {
  ad?: number;
  as?: number;
  pd?: number;
  ps?: number;
}

/** Junctions and overlaps of one device with effective width/length `weff`/`leff` at `kelvin`. */
export function ekvExtrinsic(
  x: EkvExtrinsicParameters,
  weff: number,
  leff: number,
  diffusions: EkvDiffusions,
  kelvin: number,
  nominal: number,
): EkvExtrinsic {
  const area = x.hdif > 0 ? 2 * x.hdif * weff : 0;
  const perimeter = x.hdif > 0 ? 4 * x.hdif + 2 * weff : 0;
  const vt = thermalVoltage(kelvin);
  const ratio = kelvin / nominal;
  // SPICE diode saturation-current temperature law: (T/Tnom)^(XTI/N)·exp((T/Tnom − 1)·EG/(N·Vt)).
  const isFactor = Math.exp(((ratio - 1) * x.eg) / (x.n * vt) + (x.xti / x.n) * Math.log(ratio));
  const bottom = junctionAtTemperature(x.pb, x.cj, x.mj, kelvin, nominal);
  const side = junctionAtTemperature(x.pbsw, x.cjsw, x.mjsw, kelvin, nominal);
  const junction = (a: number, p: number): EkvJunction => {
    const js = x.js * a + x.jsw * p;
    const isat = (js > 0 ? js : x.is) * isFactor;
    const nvt = x.n * vt;
    return {
      isat,
      nvt,
      vcrit: nvt * Math.log(nvt / (Math.SQRT2 * isat)),
      czb: bottom.capacitance * a,
      czsw: side.capacitance * p,
      pb: bottom.potential,
      pbsw: side.potential,
      mj: x.mj,
      mjsw: x.mjsw,
      fc: x.fc,
    };
  };
  return {
    source: junction(diffusions.as ?? area, diffusions.ps ?? perimeter),
    drain: junction(diffusions.ad ?? area, diffusions.pd ?? perimeter),
    cgs: x.cgso * weff,
    cgd: x.cgdo * weff,
    cgb: x.cgbo * leff,
  };
}

/** Junction current and conductance at bulk-to-diffusion voltage `v`, with gmin across it. */
export function junctionCurrent(
  j: EkvJunction,
  v: number,
  gmin: number,
  out: { i: number; g: number },
): void {
  const x = v / j.nvt;
  // Reverse beyond −40·N·Vt the exponential is gone (Is·(e^x − 1) → −Is): the SPICE MOS form.
  const e = x > -40 ? Math.exp(x) : 0;
  out.i = j.isat * (e - 1) + gmin * v;
  out.g = (j.isat * e) / j.nvt + gmin;
}

const scratch = { charge: 0, capacitance: 0 };

/** Depletion charge and capacitance of a junction: bottom plus sidewall. */
export function junctionCharge(
  j: EkvJunction,
  v: number,
  out: { charge: number; capacitance: number },
): void {
  depletionCharge(v, j.czb, j.pb, j.mj, j.fc, scratch);
  out.charge = scratch.charge;
  out.capacitance = scratch.capacitance;
  depletionCharge(v, j.czsw, j.pbsw, j.mjsw, j.fc, scratch);
  out.charge += scratch.charge;
  out.capacitance += scratch.capacitance;
}
