/**
 * EKV 2.6 (EPFL-EKV MOSFET model, version 2.6: M. Bucher, C. Lallement, C. Enz, F. Théodoloz,
 * F. Krummenacher, "The EPFL-EKV MOSFET Model Equations for Simulation", EPFL, 1998) — the static model
 * with velocity saturation, channel-length modulation, the short- and narrow-channel charge-sharing
 * corrections of the effective body factor, THETA mobility reduction, temperature, and the quasi-static
 * charge model of section 3 (charges of drain, source, gate and bulk as functions of the normalised
 * forward/reverse currents).
 *
 * The model is written in bulk-referred voltages VG, VS, VD and is symmetric in S and D by construction:
 * there is no mode switch (section 2.1 of the report). Equation numbers are the report's.
 */
import type { ModelCard } from '../../circuit/flat';
import { BOLTZMANN, CHARGE } from '../semiconductor';

/** Permittivity of silicon as the EKV report uses it (F/m). */
const EPS_SI = 104.5e-12;
const EPS_OX = 34.5e-12;

export interface EkvParameters {
  type: 1 | -1;
  cox: number;
  xj: number;
  vto: number;
  gamma: number;
  phi: number;
  kp: number;
  theta: number;
  ucrit: number;
  lambda: number;
  weta: number;
  leta: number;
  dl: number;
  dw: number;
  tcv: number;
  bex: number;
  ucex: number;
  /** Flicker noise coefficient and exponent (report section 5: S = KF·gm²/(Weff·Leff·COX·f^AF)). */
  kf: number;
  af: number;
  tnom: number;
}

/** Model-card parameters with the report's defaults (table 1); NSUB/TOX/UO/VMAX derive the electrical ones. */
export function ekvParameters(card: ModelCard, defaultTnom: number): EkvParameters {
  const p = card.params;
  const type = card.type === 'pmos' ? -1 : 1;
  const tnom = (p.tnom ?? defaultTnom) + 273.15;
  const cox = p.cox ?? (p.tox !== undefined ? EPS_OX / p.tox : 0.7e-3);
  const vt = (BOLTZMANN * tnom) / CHARGE;
  const ni = 1.45e16;
  const nsub = p.nsub;
  const gamma = p.gamma ?? (nsub !== undefined ? Math.sqrt(2 * CHARGE * EPS_SI * nsub * 1e6) / cox : 1.0);
  const phi = p.phi ?? (nsub !== undefined ? 2 * vt * Math.log((nsub * 1e6) / ni) : 0.7);
  const vto = p.vto ?? (p.vfb !== undefined ? p.vfb + phi + gamma * Math.sqrt(phi) : 0.5 * type);
  const kp = p.kp ?? (p.uo !== undefined ? p.uo * 1e-4 * cox : 50e-6);
  const ucrit = p.ucrit ?? (p.vmax !== undefined && p.uo !== undefined ? p.vmax / (p.uo * 1e-4) : 2e6);
  // THETA, or E0 converted to the equivalent first-order THETA (report eq. 49 simplified).
  const theta = p.theta ?? 0;
  return {
    type,
    cox,
    xj: p.xj ?? 0.1e-6,
    vto,
    gamma,
    phi,
    kp,
    theta,
    ucrit,
    lambda: p.lambda ?? 0.5,
    weta: p.weta ?? 0.25,
    leta: p.leta ?? 0.1,
    dl: p.dl ?? 0,
    dw: p.dw ?? 0,
    tcv: p.tcv ?? 1e-3,
    bex: p.bex ?? -1.5,
    ucex: p.ucex ?? 0.8,
    kf: p.kf ?? 0,
    af: p.af ?? 1,
    tnom,
  };
}

/** Values fixed for one instance at one temperature (report section 2.2 and 2.4). */
export interface EkvSized {
  type: number;
  vt: number;
  weff: number;
  leff: number;
  vto: number;
  kp: number;
  ucrit: number;
  phi: number;
  gamma: number;
  cox: number;
  theta: number;
  lambda: number;
  weta: number;
  leta: number;
  lc: number;
  /** Cox·Weff·Leff·Vt: the charge unit of the normalised charges. */
  chargeScale: number;
}

function energyGap(t: number): number {
  return 1.16 - (7.02e-4 * t * t) / (t + 1108);
}

/** Temperature and geometry (report eqs. 7-13). */
export function ekvSized(m: EkvParameters, l: number, w: number, kelvin: number): EkvSized {
  const weff = w + m.dw;
  const leff = l + m.dl;
  const ratio = kelvin / m.tnom;
  const vt = (BOLTZMANN * kelvin) / CHARGE;
  // In n-type terms: the threshold magnitude falls by TCV per kelvin (eq. 7).
  const vto = m.type * m.vto - m.tcv * (kelvin - m.tnom);
  const kp = m.kp * Math.pow(ratio, m.bex);
  const ucrit = m.ucrit * Math.pow(ratio, m.ucex);
  const phi = m.phi * ratio - 3 * vt * Math.log(ratio) - energyGap(m.tnom) * ratio + energyGap(kelvin);
  return {
    type: m.type,
    vt,
    weff,
    leff,
    vto,
    kp,
    ucrit,
    phi,
    gamma: m.gamma,
    cox: m.cox,
    theta: m.theta,
    lambda: m.lambda,
    weta: m.weta,
    leta: m.leta,
    lc: Math.sqrt((EPS_SI * m.xj) / m.cox),
    chargeScale: m.cox * weff * leff * vt,
  };
}

/** The interpolation function F(v) = ln²(1 + e^{v/2}) of the normalised current (eq. 23), overflow-safe. */
export function interpolation(v: number): number {
  const x = v / 2;
  const soft = x > 40 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
  return soft * soft;
}

/** One bias point in bulk-referred, n-type voltages. No allocation. */
export class EkvPoint {
  id = 0;
  vp = 0;
  n = 1;
  forward = 0;
  reverse = 0;
  /** Transconductance factor β (eq. 45, THETA form), A/V². */
  beta = 0;
  qg = 0;
  qd = 0;
  qs = 0;
  qb = 0;
}

/**
 * Drain current (drain to source) and terminal charges at bulk-referred VG, VS, VD (report section 2,
 * eqs. 14-45 static, 3 eqs. 62-70 charges).
 */
export function ekvEvaluate(p: EkvSized, vg: number, vs: number, vd: number, out: EkvPoint): void {
  // The long-channel part is symmetric by itself; velocity saturation and CLM (eqs. 24-35) are written
  // for VD >= VS, so the terminals are interchanged otherwise (as the report's reference code does). The
  // current is odd in VD − VS, hence continuous with its first derivative at VD = VS.
  if (vd < vs) {
    forward(p, vg, vd, vs, out);
    out.id = -out.id;
    const q = out.qd;
    out.qd = out.qs;
    out.qs = q;
    const f = out.forward;
    out.forward = out.reverse;
    out.reverse = f;
    return;
  }
  forward(p, vg, vs, vd, out);
}

function forward(p: EkvSized, vg: number, vs: number, vd: number, out: EkvPoint): void {
  const vt = p.vt;
  const phi = p.phi;
  const gamma = p.gamma;
  // Effective gate voltage and pinch-off voltage of the long channel (eqs. 14-16).
  const vgPrime = vg - p.vto + phi + gamma * Math.sqrt(phi);
  const pinch = (g: number): number =>
    vgPrime > 0 ? vgPrime - phi - g * (Math.sqrt(vgPrime + (g / 2) * (g / 2)) - g / 2) : -phi;
  const vp0 = pinch(gamma);
  // Charge-sharing short/narrow-channel body factor (eqs. 17-20).
  const sPrime = (v: number) => 0.5 * (v + phi + Math.sqrt((v + phi) * (v + phi) + 16 * vt * vt));
  const vsPrime = sPrime(vs);
  const vdPrime = sPrime(vd);
  const gamma0 =
    gamma -
    (EPS_SI / p.cox) *
      ((p.leta / p.leff) * (Math.sqrt(vsPrime) + Math.sqrt(vdPrime)) -
        ((3 * p.weta) / p.weff) * Math.sqrt(Math.max(vp0 + phi, 0)));
  const gammaPrime = 0.5 * (gamma0 + Math.sqrt(gamma0 * gamma0 + 0.1 * vt));
  const vp = pinch(gammaPrime);
  // Slope factor (eq. 21).
  const n = 1 + gamma / (2 * Math.sqrt(vp + phi + 4 * vt));
  // Forward normalised current (eq. 22-23).
  const iff = interpolation((vp - vs) / vt);
  // Velocity saturation and channel-length modulation (eqs. 24-34).
  const vc = p.ucrit * p.leff;
  const sqrtIf = Math.sqrt(iff);
  const vdss = vc * (Math.sqrt(0.25 + (vt / vc) * sqrtIf) - 0.5);
  const vdssPrime =
    vc * (Math.sqrt(0.25 + (vt / vc) * (sqrtIf - 0.75 * Math.log(iff))) - 0.5) +
    vt * (Math.log(vc / (2 * vt)) - 0.6);
  const dv = 4 * vt * Math.sqrt(Math.max(p.lambda * (sqrtIf - vdss / vt), 0) + 1 / 64);
  const vds = (vd - vs) / 2;
  const vip = Math.sqrt(vdss * vdss + dv * dv) - Math.sqrt((vds - vdss) * (vds - vdss) + dv * dv);
  const deltaL = p.lambda * p.lc * Math.log(1 + (vds - vip) / (p.lc * p.ucrit));
  const lPrime = p.leff - deltaL + (vds + vip) / p.ucrit;
  const lmin = p.leff / 10;
  const leq = 0.5 * (lPrime + Math.sqrt(lPrime * lPrime + lmin * lmin));
  // Reverse current with the saturation voltage folded in (eq. 35).
  const irPrime = interpolation(
    (vp -
      vds -
      vs -
      Math.sqrt(vdssPrime * vdssPrime + dv * dv) +
      Math.sqrt((vds - vdssPrime) * (vds - vdssPrime) + dv * dv)) /
      vt,
  );
  // Transconductance factor with THETA mobility reduction (eqs. 39-45, the THETA form of version 2.6).
  const beta = (p.kp * p.weff) / leq / (1 + p.theta * Math.max(vp, 0));
  const ispec = 2 * n * beta * vt * vt;
  out.id = ispec * (iff - irPrime);
  out.vp = vp;
  out.n = n;
  out.beta = beta;
  out.forward = iff;
  // Quasi-static charges (section 3, eqs. 62-70), with the long-channel reverse current.
  const irr = interpolation((vp - vd) / vt);
  out.reverse = irr;
  const xf = Math.sqrt(0.25 + iff);
  const xr = Math.sqrt(0.25 + irr);
  const nq = 1 + gamma / (2 * Math.sqrt(vp + phi + 1e-6));
  const sum = xf + xr;
  const sum2 = sum * sum;
  const qd =
    -nq *
    ((4 / 15) * ((3 * xr * xr * xr + 6 * xr * xr * xf + 4 * xr * xf * xf + 2 * xf * xf * xf) / sum2) - 0.5);
  const qs =
    -nq *
    ((4 / 15) * ((3 * xf * xf * xf + 6 * xf * xf * xr + 4 * xf * xr * xr + 2 * xr * xr * xr) / sum2) - 0.5);
  const qi = qs + qd;
  const qb = vgPrime > 0 ? (-gamma * Math.sqrt(vp + phi + 1e-6)) / vt - ((nq - 1) / nq) * qi : -vgPrime / vt;
  const qg = -qi - qb;
  const scale = p.chargeScale;
  out.qd = scale * qd;
  out.qs = scale * qs;
  out.qb = scale * qb;
  out.qg = scale * qg;
}
