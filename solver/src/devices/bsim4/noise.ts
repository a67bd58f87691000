/**
 * BSIM4 noise (BSIM4.8 manual ch. 9 "Noise modeling"; the generators and their order as ngspice's b4noi.c
 * reports them). At the operating point of the last load the device reports, as current sources with a
 * one-sided density in A²/Hz:
 *   rd, rs       thermal noise 4kT·G of the source/drain resistances: RSH·NRD/NRS (rdsMod = 0) or the
 *                bias-dependent Rd(V)/Rs(V) (rdsMod = 1); with tnoiMod = 1 the source side (drain side in
 *                reverse mode) is raised by (1 + θ²·G/(Ids/Vds)) for the induced gate noise (eq. 9.x)
 *   rg           gate electrode resistance RGELTD (rgateMod 1 and 3), RGELTD/(1 + RGELTD/gcrg)² (rgateMod 2)
 *   rbps rbpd rbpb rbsb rbdb   thermal noise of the substrate resistance network (rbodyMod = 1)
 *   id           channel thermal noise:
 *                  tnoiMod 0 (charge based)  4kT·NTNOI·µeff·|Qinv| / (Leff² + µeff·|Qinv|·Rds/NF)
 *                  tnoiMod 1 (holistic)      4kT·[(β*(gm + gmbs) + gds)² − θ²·(gm + gmbs + gds)²] / (Ids/Vds)
 *                                           β* = RNOIA·(1 + TNOIA·Leff·(Vgsteff/EsatL)²), θ likewise with
 *                                           RNOIB/TNOIB and capped at 0.9 and 0.9·β*
 *   1overf       flicker noise between drain and source:
 *                  fnoiMod 0 (SPICE2)        KF·|Id|^AF / (f^EF·Leff²·COXE)
 *                  fnoiMod 1 (unified)       Ssi·Swi/(Ssi + Swi), Ssi the inversion-region noise with the
 *                                           oxide-trap densities NOIA/NOIB/NOIC, N*, the CLM length ΔLclm (EM,
 *                                           LITL) and LINTNOI; Swi the subthreshold part NOIA·kT·Id²/(W·L·f^EF·N*²)
 *   igs igd igb  shot noise 2q·|I| of the gate tunnelling currents (gate to source, drain and bulk)
 *                  tnoiMod 2 (BSIM4.7)       an uncorrelated part 4kT·γ·Gd0·(1 − c²) between drain and source
 *                                           and, as `corl`, a drain source fully correlated with the induced gate
 *                                           noise (gate to source) leading by 90°, density 4kT·γ·Gd0·ω²σ²/(1+ω²σ²)
 *                                           (γ, δ, ε, c from RNOIA/B/C, TNOIA/B/C and the bias; ngspice's NevalSrc2)
 * All times the instance multiplier M. ngspice's BSIM4 has no junction shot noise, and neither has this.
 */
import type { NoiseContext, Unknown } from '../device';
import type { Bsim4, TerminalPoint } from './bsim4';
import { ChannelPoint, evaluateChannel, externalConductance } from './core';

// Local terminals of the device's stamp (bsim4.ts): intrinsic drain/gate/source/body, external drain/source/
// gate, drain-side and source-side body nodes, bulk terminal, mid gate.
const D = 0;
const G = 1;
const S = 2;
const B = 3;
const D_EXTERNAL = 4;
const S_EXTERNAL = 5;
const G_EXTERNAL = 6;
const DB = 7;
const SB = 8;
const B_EXTERNAL = 9;
const G_MID = 10;

/** ngspice's N_MINLOG: the floor of logarithms in the flicker model. */
const MIN_LOG = 1e-38;
/** The VdseffCV smoothing constant of the tnoiMod = 0 inversion charge (b4ld.c DELTA_4). */
const DELTA_4 = 0.02;

/** What the device hands over at noise time (its private state). */
export interface Bsim4NoiseState {
  unknowns: readonly Unknown[];
  multiplier: number;
  rgateMod: number;
  drainConductance: number;
  sourceConductance: number;
  body?: { pb: number; pd: number; ps: number; db: number; sb: number };
  /** A terminal point to evaluate the gate currents into. */
  scratch: TerminalPoint;
}

/** The noise model's card parameters with BSIM4.8 defaults (b4set.c). */
function noiseParameters(device: Bsim4): Record<string, number> {
  const given = device.card.params;
  const nmos = device.sized.type > 0;
  const value = (name: string, fallback: number): number => given[name] ?? fallback;
  let fnoiMod = Math.round(value('fnoimod', 1));
  if (fnoiMod !== 0 && fnoiMod !== 1) fnoiMod = 1;
  let tnoiMod = Math.round(value('tnoimod', 0));
  if (tnoiMod !== 0 && tnoiMod !== 1 && tnoiMod !== 2) tnoiMod = 0;
  return {
    fnoiMod,
    tnoiMod,
    kf: value('kf', 0),
    af: value('af', 1),
    ef: value('ef', 1),
    em: value('em', 4.1e7),
    noia: value('noia', nmos ? 6.25e41 : 6.188e40),
    noib: value('noib', nmos ? 3.125e26 : 1.5e25),
    noic: value('noic', 8.75e9),
    lintnoi: value('lintnoi', 0),
    ntnoi: value('ntnoi', 1),
    tnoia: Math.max(0, value('tnoia', 1.5)),
    tnoib: Math.max(0, value('tnoib', 3.5)),
    rnoia: Math.max(0, value('rnoia', 0.577)),
    rnoib: Math.max(0, value('rnoib', 0.5164)),
    tnoic: Math.max(0, value('tnoic', 0)),
    rnoic: Math.max(0, value('rnoic', 0.395)),
    idovvdsc: value('idovvdsc', 1e-9),
  };
}

/** Report the BSIM4 noise generators (see the file comment). */
export function bsim4Noise(ctx: NoiseContext, device: Bsim4, st: Bsim4NoiseState): void {
  const p = device.sized;
  const n = noiseParameters(device);
  const u = st.unknowns;
  const m = st.multiplier;
  const name = device.name;
  const fourKT = 4 * ctx.boltzmann * ctx.temperature;
  const thermal = (label: string, a: number, b: number, conductance: number): void => {
    if (u[a] !== u[b]) ctx.source(`${name} ${label}`, u[a], u[b], fourKT * conductance * m);
  };
  const tnoiMod = n.tnoiMod;
  // n-type terminal voltages at the converged operating point (ngspice reloads the devices there before noise;
  // the stored state can lag the final Newton update).
  const sol = ctx.solution;
  const type = p.type;
  const voltage = (a: number, b: number): number => type * (sol[u[a]] - sol[u[b]]);
  const terminal = { vgs: voltage(G, S), vds: voltage(D, S), vbs: voltage(B, S) };

  // The channel in its own orientation (Vds >= 0), as b4ld.c evaluates it.
  const forward = terminal.vds >= 0;
  const vgs = forward ? terminal.vgs : terminal.vgs - terminal.vds;
  const vds = forward ? terminal.vds : -terminal.vds;
  const vbs = forward ? terminal.vbs : terminal.vbs - terminal.vds;
  const ch = new ChannelPoint();
  evaluateChannel(p, vgs, vds, vbs, ch, false);
  const cd = ch.ids;
  const idovVds = Math.max(ch.idovVds / p.nf, n.idovvdsc) * p.nf;

  // Source/drain resistances.
  let gspr: number;
  let gdpr: number;
  if (p.rdsMod === 0) {
    gspr = st.sourceConductance;
    gdpr = st.drainConductance;
  } else {
    gspr = externalConductance(p, st.sourceConductance, terminal.vgs, terminal.vbs, true);
    gdpr = externalConductance(
      p,
      st.drainConductance,
      terminal.vgs - terminal.vds,
      terminal.vbs - terminal.vds,
      false,
    );
  }
  let npartBeta = 0;
  let npartTheta = 0;
  if (tnoiMod === 1) {
    const t5 = (ch.vgsteff / ch.esatL) ** 2;
    npartBeta = n.rnoia * (1 + t5 * n.tnoia * p.leff);
    npartTheta = Math.min(n.rnoib * (1 + t5 * n.tnoib * p.leff), 0.9, 0.9 * npartBeta);
    if (forward) gspr *= 1 + (npartTheta * npartTheta * gspr) / idovVds;
    else gdpr *= 1 + (npartTheta * npartTheta * gdpr) / idovVds;
  }
  if (gdpr > 0) thermal('rd', D, D_EXTERNAL, gdpr);
  if (gspr > 0) thermal('rs', S, S_EXTERNAL, gspr);
  if (tnoiMod === 1 && (gspr === 0 || gdpr === 0)) {
    // With a .noise card, a tnoiMod = 1 instance has internal source/drain nodes even without resistance (1e3 S,
    // bsim4.ts, as ngspice's b4set.c), and the rs/rd noise above carries the θ² (induced gate) part. Without them
    // (noise run on a circuit built without a .noise card), the same series noise voltage v² = 4kT·g'/g² in the
    // lead is applied through the channel: (gm + gds + gmbs)·v at the (oriented) source, gds·v at the drain,
    // leaving out the capacitive currents it would also drive (exact at low frequency, 6e-4 at 1 GHz).
    const g = orientedConductances(p, vgs, vds, vbs, cd);
    const lead = (label: string, sourceSide: boolean): void => {
      const gVirtual = 1e3;
      const gNoise = sourceSide ? gVirtual * (1 + (npartTheta * npartTheta * gVirtual) / idovVds) : gVirtual;
      const transfer = sourceSide ? g.gm + g.gds + g.gmbs : g.gds;
      ctx.source(
        `${name} ${label}`,
        u[D],
        u[S],
        (fourKT * gNoise * transfer * transfer * m) / (gVirtual * gVirtual),
      );
    };
    // The oriented source is the real source in forward mode, the real drain in reverse mode.
    if (gspr === 0) lead('rs', forward);
    if (gdpr === 0) lead('rd', !forward);
  }

  // Gate electrode.
  const grgeltd = p.gateConductance;
  if (st.rgateMod === 1) thermal('rg', G, G_EXTERNAL, grgeltd);
  else if (st.rgateMod === 2) thermal('rg', G, G_EXTERNAL, grgeltd / (1 + grgeltd / ch.gcrg) ** 2);
  else if (st.rgateMod === 3) thermal('rg', G_MID, G_EXTERNAL, grgeltd);

  // Substrate resistance network.
  const body = st.body;
  if (body) {
    thermal('rbps', B, SB, body.ps);
    thermal('rbpd', B, DB, body.pd);
    thermal('rbpb', B, B_EXTERNAL, body.pb);
    thermal('rbsb', B_EXTERNAL, SB, body.sb);
    thermal('rbdb', B_EXTERNAL, DB, body.db);
  }

  // Channel thermal noise.
  if (tnoiMod === 0) {
    const tmp = p.rdsMod === 0 && ch.rds > 0 ? ch.rds / p.nf : 0;
    const qinv = tnoiMod0Charge(p, ch, vds);
    const t0 = ch.ueff * Math.abs(qinv);
    const t1 = t0 * tmp + p.leff * p.leff;
    ctx.source(`${name} id`, u[D], u[S], fourKT * (t0 / t1) * n.ntnoi * m);
  } else if (tnoiMod === 2) {
    const c = correlatedChannelNoise(p, ch, n);
    ctx.source(`${name} id`, u[D], u[S], fourKT * c.gammaGd0 * (1 - c.ctnoi * c.ctnoi) * m);
    const x = 2 * Math.PI * ctx.frequency * c.sigrat;
    const induced = (x * x) / (1 + x * x);
    // The correlated drain part (oriented drain to source) and the induced gate noise (gate to oriented source).
    const [drain, source] = forward ? [D, S] : [S, D];
    ctx.correlated?.(
      `${name} corl`,
      u[drain],
      u[source],
      fourKT * c.gammaGd0 * c.ctnoi * c.ctnoi * m,
      u[G],
      u[source],
      fourKT * c.gammaGd0 * induced * m,
      0.5 * Math.PI,
    );
  } else {
    const g = orientedConductances(p, vgs, vds, vbs, cd);
    const sum = g.gm + g.gmbs + g.gds;
    const igsquare = (npartTheta * npartTheta * sum * sum) / idovVds;
    const t1 = npartBeta * (g.gm + g.gmbs) + g.gds;
    ctx.source(`${name} id`, u[D], u[S], fourKT * ((t1 * t1) / idovVds - igsquare) * m);
  }

  // Flicker noise.
  const f = ctx.frequency;
  let flicker: number;
  if (n.fnoiMod === 0) {
    flicker =
      (m * n.kf * Math.exp(n.af * Math.log(Math.max(Math.abs(cd), MIN_LOG)))) /
      (Math.pow(f, n.ef) * p.leff * p.leff * p.coxe);
  } else {
    const ssi = unifiedFlicker(p, ch, n, vds, f, ctx.temperature, ctx.boltzmann, ctx.charge);
    const t10 = n.noia * ctx.boltzmann * ctx.temperature;
    const t11 = p.weff * p.nf * p.leff * Math.pow(f, n.ef) * 1e10 * ch.nstar * ch.nstar;
    const swi = (t10 / t11) * cd * cd;
    const t1 = swi + ssi;
    flicker = t1 > 0 ? (m * ssi * swi) / t1 : 0;
  }
  ctx.source(`${name} 1overf`, u[D], u[S], flicker);

  // Gate tunnelling shot noise (real source, drain, bulk sides).
  const point = st.scratch;
  device.terminal(terminal.vgs, terminal.vds, terminal.vbs, point, false);
  const shot = (label: string, to: number, current: number): void => {
    ctx.source(`${name} ${label}`, u[G], u[to], 2 * ctx.charge * Math.abs(m * current));
  };
  shot('igs', S, point.igs);
  shot('igd', D, point.igd);
  shot('igb', B, point.igb);
}

/**
 * tnoiMod = 2 (manual ch. 9, "correlated thermal noise"): γ·Gd0, the correlation c of drain and induced gate
 * noise, and σ = C0/Gd0·√(δ/γ) that sets the induced gate noise's frequency dependence.
 */
function correlatedChannelNoise(
  p: Bsim4['sized'],
  ch: ChannelPoint,
  n: Record<string, number>,
): { gammaGd0: number; ctnoi: number; sigrat: number } {
  const eta = 1 - ch.vdseff * ch.abovVgst2Vtm;
  const t0 = 1 - eta;
  const t1 = 1 + eta;
  const t2 = t1 + (2 * ch.abulk * p.vtm) / ch.vgsteff;
  const leff = p.leff;
  const lvsat = leff * (1 + ch.vdseff / ch.esatL);
  const t6 = leff / lvsat;
  let gamma = t6 * (0.5 * t1 + (t0 * t0) / (6 * t2));
  const t3 = t2 * t2;
  const t4 = t0 * t0;
  const t5 = t3 * t3;
  let delta = (t1 / t3 - ((5 * t1 + t2) * t4) / (15 * t5) + (t4 * t4) / (9 * t5 * t2)) / (6 * t6 * t6 * t6);
  const t7 = t0 / t2;
  const epsilon = (t7 - (t7 * t7 * t7) / 3) / (6 * t6);
  const t8 = (ch.vgsteff / ch.esatL) ** 2;
  const npartC = n.rnoic * (1 + t8 * n.tnoic * leff);
  const ctnoi = (epsilon / Math.sqrt(gamma * delta)) * (2.5316 * npartC);
  const npartBeta = n.rnoia * (1 + t8 * n.tnoia * leff);
  const npartTheta = n.rnoib * (1 + t8 * n.tnoib * leff);
  gamma *= 3 * npartBeta * npartBeta;
  delta *= 3.75 * npartTheta * npartTheta;
  const c0 = ch.coxeff * p.weffCV * p.nf * p.leffCV;
  return {
    gammaGd0: gamma * ch.noiGd0,
    ctnoi,
    sigrat: (c0 / ch.noiGd0) * Math.sqrt(delta / gamma),
  };
}

/** b4ld.c's inversion charge for tnoiMod = 0: the CV Abulk and a VdseffCV-style Vdseff (DELTA_4). */
function tnoiMod0Charge(p: Bsim4['sized'], ch: ChannelPoint, vds: number): number {
  const abulk = ch.abulk0 * p.abulkCVfactor;
  const vdsat = ch.vgsteff / abulk;
  const t0 = vdsat - vds - DELTA_4;
  const t1 = Math.sqrt(t0 * t0 + 4 * DELTA_4 * vdsat);
  let vdseff = t0 >= 0 ? vdsat - 0.5 * (t0 + t1) : vdsat * (1 - (2 * DELTA_4) / (t1 - t0));
  if (vds === 0) vdseff = 0;
  const a = abulk * vdseff;
  const t2 = vdseff / (12 * (ch.vgsteff - 0.5 * a + 1e-20));
  return ch.coxeff * p.weffCV * p.nf * p.leffCV * (ch.vgsteff - 0.5 * a + abulk * a * t2);
}

/** gm, gds, gmbs of the oriented channel (NF included) by central differences. */
function orientedConductances(
  p: Bsim4['sized'],
  vgs: number,
  vds: number,
  vbs: number,
  id: number,
): { gm: number; gds: number; gmbs: number } {
  const h = 1e-6;
  const ch = new ChannelPoint();
  const at = (g: number, d: number, b: number): number => {
    evaluateChannel(p, g, d, b, ch, false);
    return ch.ids;
  };
  const gds =
    vds > h ? (at(vgs, vds + h, vbs) - at(vgs, vds - h, vbs)) / (2 * h) : (at(vgs, vds + h, vbs) - id) / h;
  return {
    gm: (at(vgs + h, vds, vbs) - at(vgs - h, vds, vbs)) / (2 * h),
    gds,
    gmbs: (at(vgs, vds, vbs + h) - at(vgs, vds, vbs - h)) / (2 * h),
  };
}

/** Ssi of fnoiMod = 1 (b4noi.c Eval1ovFNoise, manual eq. 9.x). */
function unifiedFlicker(
  p: Bsim4['sized'],
  ch: ChannelPoint,
  n: Record<string, number>,
  vds: number,
  frequency: number,
  temperature: number,
  boltzmann: number,
  charge: number,
): number {
  const cd = Math.abs(ch.ids);
  const leff = p.leff - 2 * n.lintnoi;
  const leffsq = leff * leff;
  const esat = (2 * p.vsattemp) / ch.ueff;
  let delClm = 0;
  if (n.em > 0) {
    const t0 = ((vds - ch.vdseff) / p.litl + n.em) / esat;
    delClm = Math.max(0, p.litl * Math.log(Math.max(t0, MIN_LOG)));
  }
  const effFreq = Math.pow(frequency, n.ef);
  const t1 = charge * charge * boltzmann * cd * temperature * ch.ueff;
  const t2 = 1e10 * effFreq * ch.abulk * p.coxe * leffsq;
  const n0 = (p.coxe * ch.vgsteff) / charge;
  const nl = (p.coxe * ch.vgsteff * (1 - ch.abovVgst2Vtm * ch.vdseff)) / charge;
  const nstar = ch.nstar;
  const t3 = n.noia * Math.log(Math.max((n0 + nstar) / (nl + nstar), MIN_LOG));
  const t4 = n.noib * (n0 - nl);
  const t5 = n.noic * 0.5 * (n0 * n0 - nl * nl);
  const t6 = boltzmann * temperature * cd * cd;
  const t7 = 1e10 * effFreq * leffsq * p.weff * p.nf;
  const t8 = n.noia + n.noib * nl + n.noic * nl * nl;
  const t9 = (nl + nstar) * (nl + nstar);
  return (t1 / t2) * (t3 + t4 + t5) + ((t6 / t7) * delClm * t8) / t9;
}
