/**
 * MOSFET level 3: the semi-empirical short-channel model of SPICE2 (Vladimirescu & Liu, "The Simulation
 * of MOS Integrated Circuits Using SPICE2", UCB/ERL M80/7; ngspice manual ch. 11.2; mos3load.c):
 * threshold with short-channel (XJ, LD) and narrow-width (DELTA) body-effect corrections and static
 * feedback ETA, mobility degradation THETA, velocity saturation VMAX, channel-length modulation KAPPA
 * (Baum-Beneking when VMAX > 0), punch-through limit, weak inversion with NFS.
 */
import { CHARGE, EPS_SI } from '../semiconductor';
import type { ChannelModel, ChannelResult, MosGeometry, MosModel, MosTemperature } from '../mos1/mosfet';

const COEFF0 = 0.0631353;
const COEFF1 = 0.8013292;
const COEFF2 = -0.01110777;

export class Level3Channel implements ChannelModel {
  private readonly eta: number;
  private readonly theta: number;
  private readonly vmax: number;
  private readonly kappa: number;
  private readonly nfs: number;
  private readonly xj: number;
  /** 2·εSi/(q·NSUB) and its square root (0 without NSUB). */
  private readonly alpha: number;
  private readonly xd: number;
  private readonly narrowFactor: number;
  private betaScale = 0;
  private surfaceMobility = 0;
  private readonly result: ChannelResult = { cdrain: 0, gm: 0, gds: 0, gmbs: 0, von: 0, vdsat: 0 };

  constructor(
    private readonly model: MosModel,
    private readonly geometry: MosGeometry,
  ) {
    const p = model.params;
    const leff = geometry.leff;
    this.eta = ((p.eta ?? 0) * 8.15e-22) / (model.cox * leff * leff * leff);
    this.theta = p.theta ?? 0;
    this.vmax = p.vmax ?? 0;
    this.kappa = p.kappa ?? 0.2;
    this.nfs = p.nfs ?? 0;
    this.xj = p.xj ?? 0;
    this.alpha =
      model.nsub !== undefined && model.nsub > 0 ? (EPS_SI + EPS_SI) / (CHARGE * model.nsub * 1e6) : 0;
    this.xd = Math.sqrt(this.alpha);
    this.narrowFactor = ((p.delta ?? 0) * 0.5 * Math.PI * EPS_SI) / model.cox;
  }

  temperature(t: MosTemperature): void {
    this.betaScale = (t.kp * this.geometry.m * this.geometry.w) / this.geometry.leff;
    this.surfaceMobility = t.uo;
  }

  evaluate(vgs: number, vds: number, vbs: number, t: MosTemperature): ChannelResult {
    const r = this.result;
    const { gamma, type } = this.model;
    const w = this.geometry.w;
    const leff = this.geometry.leff;
    const oneoverxl = 1 / leff;
    const vt = t.vt;
    const alpha = this.alpha;
    let beta = this.betaScale;

    // Square root term.
    let phibs: number;
    let sqphbs: number;
    let dsqdvb: number;
    if (vbs <= 0) {
      phibs = t.phi - vbs;
      sqphbs = Math.sqrt(phibs);
      dsqdvb = -0.5 / sqphbs;
    } else {
      const sqphis = Math.sqrt(t.phi);
      const sqphs3 = t.phi * sqphis;
      sqphbs = sqphis / (1 + vbs / (t.phi + t.phi));
      phibs = sqphbs * sqphbs;
      dsqdvb = -phibs / (sqphs3 + sqphs3);
    }
    // Short-channel effect factor.
    let fshort = 1;
    let dfsdvb = 0;
    if (this.xj !== 0 && this.xd !== 0) {
      const wps = this.xd * sqphbs;
      const oneoverxj = 1 / this.xj;
      const xjonxl = this.xj * oneoverxl;
      const djonxj = this.model.ld * oneoverxj;
      const wponxj = wps * oneoverxj;
      const wconxj = COEFF0 + COEFF1 * wponxj + COEFF2 * wponxj * wponxj;
      const arga = wconxj + djonxj;
      const argc = wponxj / (1 + wponxj);
      const argb = Math.sqrt(1 - argc * argc);
      fshort = 1 - xjonxl * (arga * argb - djonxj);
      const dwpdvb = this.xd * dsqdvb;
      const dadvb = (COEFF1 + COEFF2 * (wponxj + wponxj)) * dwpdvb * oneoverxj;
      const dbdvb = (-argc * argc * (1 - argc) * dwpdvb) / (argb * wps);
      dfsdvb = -xjonxl * (dadvb * argb + arga * dbdvb);
    }
    // Body effect.
    const gammas = gamma * fshort;
    const fbodys = (0.5 * gammas) / (sqphbs + sqphbs);
    const fbody = fbodys + this.narrowFactor / w;
    const onfbdy = 1 / (1 + fbody);
    const dfbdvb = (-fbodys * dsqdvb) / sqphbs + (fbodys * dfsdvb) / fshort;
    const qbonco = gammas * sqphbs + (this.narrowFactor * phibs) / w;
    const dqbdvb = gammas * dsqdvb + gamma * dfsdvb * sqphbs - this.narrowFactor / w;
    // Static feedback and threshold.
    const vbix = t.vbi * type - this.eta * vds;
    const vth = vbix + qbonco;
    const dvtdvd = -this.eta;
    const dvtdvb = dqbdvb;
    let von = vth;
    let xn = 1;
    let dxndvb = 0;
    let dvodvd = 0;
    let dvodvb = 0;
    if (this.nfs !== 0) {
      const csonco = (CHARGE * this.nfs * 1e4) / this.model.cox;
      const cdonco = qbonco / (phibs + phibs);
      xn = 1 + csonco + cdonco;
      von = vth + vt * xn;
      dxndvb = dqbdvb / (phibs + phibs) - (qbonco * dsqdvb) / (phibs * sqphbs);
      dvodvd = dvtdvd;
      dvodvb = dvtdvb + vt * dxndvb;
    } else if (vgs <= von) {
      r.cdrain = 0;
      r.gm = 0;
      r.gds = 0;
      r.gmbs = 0;
      r.von = von;
      r.vdsat = 0;
      return r;
    }

    const vgsx = Math.max(vgs, von);
    // Mobility modulation by the gate.
    const onfg = 1 + this.theta * (vgsx - vth);
    const fgate = 1 / onfg;
    const us = this.surfaceMobility * 1e-4 * fgate;
    const dfgdvg = -this.theta * fgate * fgate;
    const dfgdvd = -dfgdvg * dvtdvd;
    const dfgdvb = -dfgdvg * dvtdvb;
    // Saturation voltage.
    let vdsat = (vgsx - vth) * onfbdy;
    let dvsdvg: number;
    let dvsdvd: number;
    let dvsdvb: number;
    let onvdsc = 0;
    if (this.vmax <= 0) {
      dvsdvg = onfbdy;
      dvsdvd = -dvsdvg * dvtdvd;
      dvsdvb = -dvsdvg * dvtdvb - vdsat * dfbdvb * onfbdy;
    } else {
      const vdsc = (leff * this.vmax) / us;
      onvdsc = 1 / vdsc;
      const arga = (vgsx - vth) * onfbdy;
      const argb = Math.sqrt(arga * arga + vdsc * vdsc);
      vdsat = arga + vdsc - argb;
      const dvsdga = (1 - arga / argb) * onfbdy;
      dvsdvg = dvsdga - (1 - vdsc / argb) * vdsc * dfgdvg * onfg;
      dvsdvd = -dvsdvg * dvtdvd;
      dvsdvb = -dvsdvg * dvtdvb - arga * dvsdga * dfbdvb;
    }
    r.von = von;
    r.vdsat = vdsat;

    const vdsx = Math.min(vds, vdsat);
    if (vdsx === 0) {
      // vds = 0: no current, only the output conductance.
      beta *= fgate;
      r.cdrain = 0;
      r.gm = 0;
      r.gds = beta * (vgsx - vth);
      r.gmbs = 0;
      if (this.nfs !== 0 && vgs < von) r.gds *= Math.exp((vgs - von) / (vt * xn));
      return r;
    }
    // Current factors in the linear region.
    const cdo = vgsx - vth - 0.5 * (1 + fbody) * vdsx;
    const dcodvb = -dvtdvb - 0.5 * dfbdvb * vdsx;
    const cdnorm = cdo * vdsx;
    let gm = vdsx;
    let gds = vds > vdsat ? -dvtdvd * vdsx : vgsx - vth - (1 + fbody + dvtdvd) * vdsx;
    let gmbs = dcodvb * vdsx;
    // Drain current without velocity saturation.
    let cd1 = beta * cdnorm;
    beta *= fgate;
    let cdrain = beta * cdnorm;
    gm = beta * gm + dfgdvg * cd1;
    gds = beta * gds + dfgdvd * cd1;
    gmbs = beta * gmbs + dfgdvb * cd1;
    // Velocity saturation factor.
    let fdrain = 1;
    let dfddvg = 0;
    let dfddvd = 0;
    let dfddvb = 0;
    if (this.vmax > 0) {
      fdrain = 1 / (1 + vdsx * onvdsc);
      const fd2 = fdrain * fdrain;
      const arga = fd2 * vdsx * onvdsc * onfg;
      dfddvg = -dfgdvg * arga;
      dfddvd = vds > vdsat ? -dfgdvd * arga : -dfgdvd * arga - fd2 * onvdsc;
      dfddvb = -dfgdvb * arga;
      gm = fdrain * gm + dfddvg * cdrain;
      gds = fdrain * gds + dfddvd * cdrain;
      gmbs = fdrain * gmbs + dfddvb * cdrain;
      cdrain *= fdrain;
      beta *= fdrain;
    }
    // Channel-length modulation.
    let gds0 = 0;
    let delxl = 0;
    let dldvd = 0;
    let ddldvg = 0;
    let ddldvd = 0;
    let ddldvb = 0;
    let modulate = true;
    if (vds <= vdsat) {
      if (this.vmax > 0 || alpha === 0) {
        modulate = false;
      } else {
        let arga = vds / vdsat;
        delxl = Math.sqrt((this.kappa * alpha * vdsat) / 8);
        dldvd = (4 * delxl * arga * arga * arga) / vdsat;
        arga *= arga;
        arga *= arga;
        delxl *= arga;
        ddldvg = 0;
        ddldvd = -dldvd;
        ddldvb = 0;
      }
    } else if (this.vmax <= 0) {
      // ngspice's continuous form (vdsat/8 offset), matching the linear-region expression at vds = vdsat.
      delxl = Math.sqrt(this.kappa * alpha * (vds - vdsat + vdsat / 8));
      dldvd = (0.5 * delxl) / (vds - vdsat + vdsat / 8);
      ddldvg = 0;
      ddldvd = -dldvd;
      ddldvb = 0;
    } else if (alpha === 0) {
      modulate = false;
    } else {
      const cdsat = cdrain;
      const gdsat = Math.max(1e-12, cdsat * (1 - fdrain) * onvdsc);
      const gdoncd = gdsat / cdsat;
      const gdonfd = gdsat / (1 - fdrain);
      const gdonfg = gdsat * onfg;
      const dgdvg = gdoncd * gm - gdonfd * dfddvg + gdonfg * dfgdvg;
      const dgdvd = gdoncd * gds - gdonfd * dfddvd + gdonfg * dfgdvd;
      const dgdvb = gdoncd * gmbs - gdonfd * dfddvb + gdonfg * dfgdvb;
      const emax = (this.kappa * cdsat * oneoverxl) / gdsat;
      const emoncd = emax / cdsat;
      const emongd = emax / gdsat;
      const demdvg = emoncd * gm - emongd * dgdvg;
      const demdvd = emoncd * gds - emongd * dgdvd;
      const demdvb = emoncd * gmbs - emongd * dgdvb;
      const arga = 0.5 * emax * alpha;
      const argc = this.kappa * alpha;
      const argb = Math.sqrt(arga * arga + argc * (vds - vdsat));
      delxl = argb - arga;
      dldvd = argb !== 0 ? argc / (argb + argb) : 0;
      const dldem = argb !== 0 ? 0.5 * (arga / argb - 1) * alpha : 0;
      ddldvg = dldem * demdvg;
      ddldvd = dldem * demdvd - dldvd;
      ddldvb = dldem * demdvb;
    }
    if (modulate) {
      // Punch-through approximation.
      if (delxl > 0.5 * leff) {
        delxl = leff - (leff * leff) / (4 * delxl);
        const arga = (4 * (leff - delxl) * (leff - delxl)) / (leff * leff);
        ddldvg *= arga;
        ddldvd *= arga;
        ddldvb *= arga;
        dldvd *= arga;
      }
      const dlonxl = delxl * oneoverxl;
      const xlfact = 1 / (1 - dlonxl);
      cd1 = cdrain;
      cdrain *= xlfact;
      const diddl = cdrain / (leff - delxl);
      gm = gm * xlfact + diddl * ddldvg;
      gmbs = gmbs * xlfact + diddl * ddldvb;
      // The length change acts through vdsat as well (ngspice 39's form of the saturation derivatives).
      gds0 = diddl * ddldvd;
      gm += gds0 * dvsdvg;
      gmbs += gds0 * dvsdvb;
      gds = gds * xlfact + diddl * dldvd + gds0 * dvsdvd;
    }
    // Weak inversion.
    if (vgs < von) {
      const onxn = 1 / xn;
      const ondvt = onxn / vt;
      const wfact = Math.exp((vgs - von) * ondvt);
      cdrain *= wfact;
      const gms = gm * wfact;
      const gmw = cdrain * ondvt;
      gm = gmw;
      if (vds > vdsat) gm += gds0 * dvsdvg * wfact;
      gds = gds * wfact + (gms - gmw) * dvodvd;
      gmbs = gmbs * wfact + (gms - gmw) * dvodvb - gmw * (vgs - von) * onxn * dxndvb;
    }
    r.cdrain = cdrain;
    r.gm = gm;
    r.gds = gds;
    r.gmbs = gmbs;
    return r;
  }
}
