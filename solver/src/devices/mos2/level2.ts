/**
 * MOSFET level 2: the Grove-Frohman analytical model of SPICE2 (Vladimirescu & Liu, UCB/ERL M80/7;
 * ngspice manual ch. 11.2; the structure of ngspice's mos2load.c): bulk charge with the 3/2-power body
 * term, short-channel (XJ) and narrow-width (DELTA) threshold corrections, mobility degradation by the
 * critical field (UCRIT, UEXP), saturation voltage from Grove-Frohman or, with VMAX, from Baum's
 * velocity-saturation quartic, channel-length modulation (LAMBDA, or computed from NSUB/XD/NEFF),
 * punch-through limit, and weak inversion with NFS.
 */
import { CHARGE, EPS_SI } from '../semiconductor';
import type { ChannelModel, ChannelResult, MosGeometry, MosModel, MosTemperature } from '../mos1/mosfet';

const SIG1 = [1, -1, 1, -1];
const SIG2 = [1, 1, -1, -1];

export class Level2Channel implements ChannelModel {
  private readonly lambda: number;
  private readonly nfs: number;
  private readonly xj: number;
  private readonly vmax: number;
  private readonly neff: number;
  private readonly ucrit: number;
  private readonly uexp: number;
  private readonly xd: number;
  private readonly nsub: number;
  /** Narrow-width threshold factor 0.125·DELTA·2π·εSi·Leff/OxideCap (ngspice's form, M included). */
  private readonly factor: number;
  private readonly oxideCap: number;
  private readonly surfaceMobility: number;
  private beta = 0;
  private readonly result: ChannelResult = { cdrain: 0, gm: 0, gds: 0, gmbs: 0, von: 0, vdsat: 0 };
  private readonly x4 = new Float64Array(8);

  constructor(
    private readonly model: MosModel,
    private readonly geometry: MosGeometry,
  ) {
    const p = model.params;
    this.lambda = p.lambda ?? 0;
    this.nfs = p.nfs ?? 0;
    this.xj = p.xj ?? 0;
    this.vmax = p.vmax ?? 0;
    this.neff = p.neff ?? 1;
    this.ucrit = p.ucrit ?? 1e4;
    this.uexp = p.uexp ?? 0;
    this.nsub = model.nsub !== undefined && model.nsub * 1e6 > 1.45e16 ? model.nsub : 0;
    this.xd = this.nsub > 0 ? Math.sqrt((EPS_SI + EPS_SI) / (CHARGE * this.nsub * 1e6)) : 0;
    const leff = geometry.leff;
    this.oxideCap = model.cox * leff * geometry.m * geometry.w;
    this.factor = ((0.125 * (p.delta ?? 0) * 2 * Math.PI * EPS_SI) / this.oxideCap) * leff;
    // mos2load.c uses the model's UO for the effective mobility (not the temperature-scaled one).
    this.surfaceMobility = model.uo;
  }

  temperature(t: MosTemperature): void {
    this.beta = (t.kp * this.geometry.w * this.geometry.m) / this.geometry.leff;
  }

  evaluate(lvgs: number, lvds: number, lvbs: number, t: MosTemperature): ChannelResult {
    const r = this.result;
    const { gamma, type } = this.model;
    const leff = this.geometry.leff;
    const vt = t.vt;
    const phi = t.phi;
    const xd = this.xd;
    const xj = this.xj;
    const oxideCap = this.oxideCap;
    const nfsOn = this.nfs !== 0 && oxideCap !== 0;
    const phiMinVbs = phi - lvbs;
    let xlamda = this.lambda;
    let cdrain = 0;
    let gm = 0;
    let gds = 0;
    let gmbs = 0;
    let vdsat = 0;

    let sarg: number;
    let dsrgdb: number;
    let d2sdb2: number;
    if (lvbs <= 0) {
      sarg = Math.sqrt(phiMinVbs);
      dsrgdb = -0.5 / sarg;
      d2sdb2 = (0.5 * dsrgdb) / phiMinVbs;
    } else {
      const sphi = Math.sqrt(phi);
      const sphi3 = phi * sphi;
      sarg = sphi / (1 + (0.5 * lvbs) / phi);
      const tmp = sarg / sphi3;
      dsrgdb = -0.5 * sarg * tmp;
      d2sdb2 = -dsrgdb * tmp;
    }
    let barg: number;
    let dbrgdb: number;
    let d2bdb2: number;
    if (lvbs - lvds <= 0) {
      barg = Math.sqrt(phiMinVbs + lvds);
      dbrgdb = -0.5 / barg;
      d2bdb2 = (0.5 * dbrgdb) / (phiMinVbs + lvds);
    } else {
      const sphi = Math.sqrt(phi);
      const sphi3 = phi * sphi;
      barg = sphi / (1 + (0.5 * (lvbs - lvds)) / phi);
      const tmp = barg / sphi3;
      dbrgdb = -0.5 * barg * tmp;
      d2bdb2 = -dbrgdb * tmp;
    }
    // Threshold: narrow-channel factor, short-channel charge sharing.
    const factor = this.factor;
    const eta = 1 + factor;
    const vbin = t.vbi * type + factor * phiMinVbs;
    let gamasd: number;
    let dgddvb = 0;
    let dgdvds = 0;
    let dgddb2 = 0;
    if (gamma > 0 || this.nsub > 0) {
      const xwd = xd * barg;
      const xws = xd * sarg;
      let argss = 0;
      let argsd = 0;
      let dbargs = 0;
      let dbargd = 0;
      let args = 0;
      let argd = 0;
      let argxs = 0;
      let argxd = 0;
      if (xj > 0) {
        let tmp = 2 / xj;
        argxs = 1 + xws * tmp;
        argxd = 1 + xwd * tmp;
        args = Math.sqrt(argxs);
        argd = Math.sqrt(argxd);
        tmp = (0.5 * xj) / leff;
        argss = tmp * (args - 1);
        argsd = tmp * (argd - 1);
      }
      gamasd = gamma * (1 - argss - argsd);
      const dbxwd = xd * dbrgdb;
      const dbxws = xd * dsrgdb;
      if (xj > 0) {
        const tmp = 0.5 / leff;
        dbargs = (tmp * dbxws) / args;
        dbargd = (tmp * dbxwd) / argd;
        const dasdb2 = (-xd * (d2sdb2 + (dsrgdb * dsrgdb * xd) / (xj * argxs))) / (leff * args);
        const daddb2 = (-xd * (d2bdb2 + (dbrgdb * dbrgdb * xd) / (xj * argxd))) / (leff * argd);
        dgddb2 = -0.5 * gamma * (dasdb2 + daddb2);
      }
      dgddvb = -gamma * (dbargs + dbargd);
      if (xj > 0) {
        const ddxwd = -dbxwd;
        dgdvds = (-gamma * 0.5 * ddxwd) / (leff * argd);
      }
    } else {
      gamasd = gamma;
    }
    let von = vbin + gamasd * sarg;
    let xn = 0;
    let argg = 0;
    let vgst: number;
    if (nfsOn) {
      const cfs = CHARGE * this.nfs * 1e4;
      const cdonco = -(gamasd * dsrgdb + dgddvb * sarg) + factor;
      xn = 1 + (cfs / oxideCap) * this.geometry.m * this.geometry.w * leff + cdonco;
      const tmp = vt * xn;
      von += tmp;
      argg = 1 / tmp;
      vgst = lvgs - von;
    } else {
      vgst = lvgs - von;
      if (lvgs <= vbin) return this.finish(r, 0, 0, 0, 0, von, vdsat);
    }

    const sarg3 = sarg * sarg * sarg;
    const sbiarg = Math.sqrt(t.bulkPotential);
    let gammad = gamasd;
    let dgdvbs = dgddvb;
    let body = barg * barg * barg - sarg3;
    let gdbdv = 2 * gammad * (barg * barg * dbrgdb - sarg * sarg * dsrgdb);
    let dodvbs = -factor + dgdvbs * sarg + gammad * dsrgdb;
    let dxndvb = 0;
    let dxndvd = 0;
    let dodvds = 0;
    if (nfsOn) {
      dxndvb = 2 * dgdvbs * dsrgdb + gammad * d2sdb2 + dgddb2 * sarg;
      dodvbs += vt * dxndvb;
      dxndvd = dgdvds * dsrgdb;
      dodvds = dgdvds * sarg + vt * dxndvd;
    }
    // Effective mobility (critical field).
    let ufact = 1;
    let ueff = this.surfaceMobility * 1e-4;
    let dudvgs = 0;
    const dudvds = 0;
    let dudvbs = 0;
    const critical = (this.ucrit * 100 * EPS_SI) / this.model.cox;
    if (oxideCap > 0 && vgst > critical) {
      ufact = Math.exp(this.uexp * Math.log(critical / vgst));
      ueff = this.surfaceMobility * 1e-4 * ufact;
      dudvgs = (-ufact * this.uexp) / vgst;
      dudvbs = (this.uexp * ufact * dodvbs) / vgst;
    }
    // Saturation voltage: Grove-Frohman.
    let vgsx = lvgs;
    gammad = gamasd / eta;
    dgdvbs = dgddvb;
    if (nfsOn) vgsx = Math.max(lvgs, von);
    let dsdvgs: number;
    let dsdvbs: number;
    if (gammad > 0) {
      const gammd2 = gammad * gammad;
      const argv = (vgsx - vbin) / eta + phiMinVbs;
      if (argv <= 0) {
        vdsat = 0;
        dsdvgs = 0;
        dsdvbs = 0;
      } else {
        const arg = Math.sqrt(1 + (4 * argv) / gammd2);
        vdsat = Math.max((vgsx - vbin) / eta + (gammd2 * (1 - arg)) / 2, 0);
        dsdvgs = (1 - 1 / arg) / eta;
        dsdvbs =
          ((gammad * (1 - arg) + (2 * argv) / (gammad * arg)) / eta) * dgdvbs + 1 / arg + factor * dsdvgs;
      }
    } else {
      vdsat = Math.max((vgsx - vbin) / eta, 0);
      dsdvgs = 1;
      dsdvbs = 0;
    }
    if (this.vmax > 0) {
      // Baum's velocity saturation: the smallest positive root of a quartic in sqrt(vdsat + phi - vbs).
      const gammd2 = gammad * gammad;
      const v1 = (vgsx - vbin) / eta + phiMinVbs;
      const v2 = phiMinVbs;
      const xv = (this.vmax * leff) / ueff;
      const a1 = gammad / 0.75;
      const b1 = -2 * (v1 + xv);
      const c1 = -2 * gammad * xv;
      const d1 = 2 * v1 * (v2 + xv) - v2 * v2 - (4 / 3) * gammad * sarg3;
      const a = -b1;
      const b = a1 * c1 - 4 * d1;
      const c = -d1 * (a1 * a1 - 4 * b1) - c1 * c1;
      const rr = (-a * a) / 3 + b;
      const s = (2 * a * a * a) / 27 - (a * b) / 3 + c;
      const r3 = rr * rr * rr;
      const s2 = s * s;
      const p = s2 / 4 + r3 / 27;
      const p0 = Math.abs(p);
      const p2 = Math.sqrt(p0);
      let y3: number;
      if (p < 0) {
        let ro = Math.sqrt(s2 / 4 + p0);
        ro = Math.exp(Math.log(ro) / 3);
        const fi = Math.atan((-2 * p2) / s);
        y3 = 2 * ro * Math.cos(fi / 3) - a / 3;
      } else {
        const p3 = Math.exp(Math.log(Math.abs(-s / 2 + p2)) / 3);
        const p4 = Math.exp(Math.log(Math.abs(-s / 2 - p2)) / 3);
        y3 = p3 + p4 - a / 3;
      }
      void gammd2;
      let count = 0;
      const a3 = Math.sqrt((a1 * a1) / 4 - b1 + y3);
      const b3 = Math.sqrt((y3 * y3) / 4 - d1);
      const x4 = this.x4;
      for (let i = 0; i < 4; i++) {
        const a4 = a1 / 2 + SIG1[i] * a3;
        const b4 = y3 / 2 + SIG2[i] * b3;
        const delta4 = (a4 * a4) / 4 - b4;
        if (delta4 < 0) continue;
        const tmp = Math.sqrt(delta4);
        x4[count++] = -a4 / 2 + tmp;
        x4[count++] = -a4 / 2 - tmp;
      }
      let found = 0;
      let xvalid = 0;
      for (let j = 0; j < count; j++) {
        const x = x4[j];
        if (x <= 0) continue;
        const poly = x * x * x * x + a1 * x * x * x + b1 * x * x + c1 * x + d1;
        if (Math.abs(poly) > 1e-6) continue;
        found++;
        if (found <= 1) xvalid = x;
        if (x > xvalid) continue;
        xvalid = x;
      }
      if (found > 0) vdsat = xvalid * xvalid - phiMinVbs;
    }
    // Effective channel length.
    let dldvgs = 0;
    let dldvds = 0;
    let dldvbs = 0;
    let bsarg = 0;
    let dbsrdb = 0;
    let bodys = 0;
    let gdbdvs = 0;
    if (lvds !== 0) {
      gammad = gamasd;
      if (lvbs - vdsat <= 0) {
        bsarg = Math.sqrt(vdsat + phiMinVbs);
        dbsrdb = -0.5 / bsarg;
      } else {
        const sphi = Math.sqrt(phi);
        const sphi3 = phi * sphi;
        bsarg = sphi / (1 + (0.5 * (lvbs - vdsat)) / phi);
        dbsrdb = (-0.5 * bsarg * bsarg) / sphi3;
      }
      bodys = bsarg * bsarg * bsarg - sarg3;
      gdbdvs = 2 * gammad * (bsarg * bsarg * dbsrdb - sarg * sarg * dsrgdb);
      let dldsat = 0;
      let computed = false;
      if (this.vmax <= 0) {
        if (this.nsub !== 0 && !(xlamda > 0)) {
          const argv = (lvds - vdsat) / 4;
          const sargv = Math.sqrt(1 + argv * argv);
          const arg = Math.sqrt(argv + sargv);
          const xlfact = xd / (leff * lvds);
          xlamda = xlfact * arg;
          dldsat = (lvds * xlamda) / (8 * sargv);
          computed = true;
        }
      } else {
        const argv0 = (vgsx - vbin) / eta - vdsat;
        const xdv = xd / Math.sqrt(this.neff);
        const xlv = (this.vmax * xdv) / (2 * ueff);
        const vqchan = argv0 - gammad * bsarg;
        const dqdsat = -1 + gammad * dbsrdb;
        const vl = this.vmax * leff;
        const dfunds = vl * dqdsat - ueff * vqchan;
        const dfundg = (vl - ueff * vdsat) / eta;
        const dfundb = -vl * (1 + dqdsat - factor / eta) + (ueff * (gdbdvs - (dgdvbs * bodys) / 1.5)) / eta;
        dsdvgs = -dfundg / dfunds;
        dsdvbs = -dfundb / dfunds;
        if (this.nsub !== 0 && !(xlamda > 0)) {
          const argv = Math.max(lvds - vdsat, 0);
          const xls = Math.sqrt(xlv * xlv + argv);
          dldsat = xdv / (2 * xls);
          const xlfact = xdv / (leff * lvds);
          xlamda = xlfact * (xls - xlv);
          dldsat /= leff;
          computed = true;
        }
      }
      if (computed) {
        dldvgs = dldsat * dsdvgs;
        dldvds = -xlamda + dldsat;
        dldvbs = dldsat * dsdvbs;
      }
    }
    // Limit channel shortening at punch-through.
    let xwb = xd * sbiarg;
    const xld = leff - xwb;
    let clfact = 1 - xlamda * lvds;
    dldvds = -xlamda - dldvds;
    let xleff = leff * clfact;
    const deltal = xlamda * lvds * leff;
    if (this.nsub === 0) xwb = 0.25e-6;
    if (xleff < xwb) {
      xleff = xwb / (1 + (deltal - xld) / xwb);
      clfact = xleff / leff;
      const dfact = (xleff * xleff) / (xwb * xwb);
      dldvgs *= dfact;
      dldvds *= dfact;
      dldvbs *= dfact;
    }
    const beta1 = (this.beta * ufact) / clfact;
    gammad = gamasd;
    dgdvbs = dgddvb;
    if (lvds <= 1e-10) {
      if (lvgs <= von) {
        gds = nfsOn ? beta1 * (von - vbin - gammad * sarg) * Math.exp(argg * (lvgs - von)) : 0;
      } else {
        gds = beta1 * (lvgs - vbin - gammad * sarg);
      }
      return this.finish(r, 0, 0, gds, 0, von, vdsat);
    }
    const strong = nfsOn ? lvgs > von : lvgs > vbin;
    if (!strong) {
      if (!nfsOn) return this.finish(r, 0, 0, 0, 0, von, vdsat);
      // Subthreshold: the current at von scaled by exp((vgs − von)/(n·vt)).
      if (vdsat <= 0) return this.finish(r, 0, 0, 0, 0, von, vdsat);
      const vdson = Math.min(vdsat, lvds);
      if (lvds > vdsat) {
        barg = bsarg;
        dbrgdb = dbsrdb;
        body = bodys;
        gdbdv = gdbdvs;
      }
      const cdson = beta1 * ((von - vbin - eta * vdson * 0.5) * vdson - (gammad * body) / 1.5);
      const didvds = beta1 * (von - vbin - eta * vdson - gammad * barg);
      let gdson = (-cdson * dldvds) / clfact - (beta1 * dgdvds * body) / 1.5;
      if (lvds < vdsat) gdson += didvds;
      let gbson =
        (-cdson * dldvbs) / clfact +
        beta1 * (dodvbs * vdson + factor * vdson - (dgdvbs * body) / 1.5 - gdbdv);
      if (lvds > vdsat) gbson += didvds * dsdvbs;
      const expg = Math.exp(argg * (lvgs - von));
      cdrain = cdson * expg;
      const gmw = cdrain * argg;
      gm = gmw;
      if (lvds > vdsat) gm = gmw + didvds * dsdvgs * expg;
      const tmp = (gmw * (lvgs - von)) / xn;
      gds = gdson * expg - gm * dodvds - tmp * dxndvd;
      gmbs = gbson * expg - gm * dodvbs - tmp * dxndvb;
      return this.finish(r, cdrain, gm, gds, gmbs, von, vdsat);
    }
    if (lvds <= vdsat) {
      cdrain = beta1 * ((lvgs - vbin - (eta * lvds) / 2) * lvds - (gammad * body) / 1.5);
      gm = cdrain * (dudvgs / ufact - dldvgs / clfact) + beta1 * lvds;
      gds =
        cdrain * (dudvds / ufact - dldvds / clfact) +
        beta1 * (lvgs - vbin - eta * lvds - gammad * barg - (dgdvds * body) / 1.5);
      gmbs =
        cdrain * (dudvbs / ufact - dldvbs / clfact) - beta1 * (gdbdv + (dgdvbs * body) / 1.5 - factor * lvds);
    } else {
      cdrain = beta1 * ((lvgs - vbin - (eta * vdsat) / 2) * vdsat - (gammad * bodys) / 1.5);
      gm =
        cdrain * (dudvgs / ufact - dldvgs / clfact) +
        beta1 * vdsat +
        beta1 * (lvgs - vbin - eta * vdsat - gammad * bsarg) * dsdvgs;
      gds = (-cdrain * dldvds) / clfact - (beta1 * dgdvds * bodys) / 1.5;
      gmbs =
        cdrain * (dudvbs / ufact - dldvbs / clfact) -
        beta1 * (gdbdvs + (dgdvbs * bodys) / 1.5 - factor * vdsat) +
        beta1 * (lvgs - vbin - eta * vdsat - gammad * bsarg) * dsdvbs;
    }
    return this.finish(r, cdrain, gm, gds, gmbs, von, vdsat);
  }

  private finish(
    r: ChannelResult,
    cdrain: number,
    gm: number,
    gds: number,
    gmbs: number,
    von: number,
    vdsat: number,
  ): ChannelResult {
    r.cdrain = cdrain;
    r.gm = gm;
    r.gds = gds;
    r.gmbs = gmbs;
    r.von = von;
    r.vdsat = vdsat;
    return r;
  }
}
