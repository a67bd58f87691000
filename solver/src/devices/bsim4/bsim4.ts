/**
 * The BSIM4 MOSFET device (level = 54 or 14, version 4.8), in the shape of our device contract:
 *   M d g s b model [L= W= NF= AD= AS= PD= PS= NRD= NRS= SA= SB= SD= MULU0= DELVTO= M=] [off] [ic=vds,vgs,vbs]
 *
 * `temperature()` computes the size/temperature-dependent parameters once (core.ts `sizeDependent`); `load()`
 * limits the junction voltages as ngspice (fetlim around the threshold, limvds, pnjlim on the bulk
 * junctions), evaluates the channel current and the capMod = 0 terminal charges at the bias point and at
 * three nearby points, and stamps the channel with its full Jacobian (gm, gds, gmbs) and the charges with
 * their full, non-reciprocal capacitance matrix (∂q_i/∂v_j, i ∈ g d b, j ∈ g d b, source as reference).
 *
 * Derivatives are forward differences of the closed-form equations with a 1e-7 V step (relative accuracy
 * about 2e-6 in weak inversion, better elsewhere) instead of ngspice's hand-written chain rule: the same
 * Jacobian to that accuracy, and the code stays the equations of the manual. Charges are integrated as
 * charges (not as capacitances), so transient conserves charge.
 */
import type { ElementCard, ModelCard } from '../../circuit/flat';
import { CircuitError } from '../../errors';
import type {
  AcLoadContext,
  Device,
  DeviceBuildContext,
  LoadContext,
  NoiseContext,
  SetupContext,
  TruncateContext,
} from '../device';
import { CELSIUS_TO_KELVIN } from '../device';
import { BOLTZMANN, CHARGE, LocalStamp, currentConverged, limitFetVoltages, pnjlim } from '../semiconductor';
import {
  diffusionResistance,
  ChannelPoint,
  EXP_THRESHOLD,
  MAX_EXP,
  MIN_EXP,
  edgeTunnelling,
  externalConductance,
  gidlCurrents,
  type Bsim4Geometry,
  type Bsim4Sized,
  type JunctionSide,
  evaluateChannel,
  sizeDependent,
  wellProximity,
} from './core';
import { Bsim4Card } from './params';
import { checkModel } from './check';
import { bsim4Noise } from './noise';

// Local terminals: the intrinsic drain and source are the internal nodes behind RSH·NRD / RSH·NRS when the
// instance has them (ngspice's dNodePrime/sNodePrime), else the external terminals themselves.
const D = 0;
const G = 1;
const S = 2;
const B = 3;
const D_EXTERNAL = 4;
const S_EXTERNAL = 5;
/**
 * The external gate terminal; the intrinsic gate G is an internal node (ngspice's gNodePrime) behind RGELTD
 * when rgateMod = 1, behind RGELTD in series with the intrinsic-input resistance when rgateMod = 2.
 */
const G_EXTERNAL = 6;
/**
 * rbodyMod = 1: B is the internal body node (bNodePrime), DB/SB the drain/source junction body nodes and
 * B_EXTERNAL the bulk terminal, joined by RBPB, RBPD, RBPS, RBDB, RBSB; otherwise all four are the bulk terminal.
 */
const DB = 7;
const SB = 8;
const B_EXTERNAL = 9;
/**
 * rgateMod = 3: the mid gate node (ngspice's gNodeMid) between RGELTD and the intrinsic-input resistance; the
 * overlap capacitances hang on it. Otherwise the same node as G.
 */
const G_MID = 10;
/** The voltage columns of the Jacobians (vgs, vds, vbs), the source being the reference. */
const COLUMNS = [G, D, B];
/** trnqsMod = 1: the charge-deficit node (ngspice's qNode, `m1#charge`), its voltage type·Qdef/1e-9. */
const Q_NODE = 11;
/** ngspice's ScalingFactor: the NQS node carries Qdef in units of 1e-9 C, so it is a sensible "voltage". */
const NQS_SCALE = 1e-9;

// State slots: limited n-type voltages, then charges each followed by its current.
const VBS = 0;
const VGS = 1;
const VDS = 2;
const QG = 3;
const QD = 5;
const QB = 7;
const QBS = 9;
const QBD = 11;
/** Junction voltages vsbs and vdbs (rbodyMod = 1), limited separately. */
const VSBS = 13;
const VDBS = 14;
/** rgateMod = 3: overlap charges of the mid gate node to source, drain and bulk, each followed by its current. */
const QGSO = 15;
const QGDO = 17;
const QGBO = 19;
/** trnqsMod = 1: the scaled deficit charge 1e-9·Qdef and the equilibrium channel charge Qcheq, each with its current. */
const QDEF = 21;
const QCHEQ = 23;
const STATE_SIZE = 25;

/** Forward-difference step for the Jacobian (volts). */
const STEP = 1e-7;

/** ngspice's CONSTvt0 (kT/q at 27 °C) and the BSIM4 model's vcrit for pnjlim. */
const VT0 = (BOLTZMANN * 300.15) / CHARGE;
const VCRIT = VT0 * Math.log(VT0 / (Math.SQRT2 * 1e-14));

/** Terminal quantities at one bias point, n-type, real (not oriented) drain and source. */
export class TerminalPoint {
  id = 0;
  /** Gate tunnelling currents from the gate into the real source, drain and bulk. */
  igs = 0;
  igd = 0;
  igb = 0;
  /** GIDL (drain to bulk) and GISL (source to bulk) currents. */
  igidl = 0;
  igisl = 0;
  /** Intrinsic-input conductance (rgateMod 2/3, NQS). */
  gcrg = 0;
  /** Intrinsic (channel, no overlap) charges of gate, real drain and bulk, and Qcheq = −(qgi + qbi). */
  qgi = 0;
  qdi = 0;
  qbi = 0;
  qcheq = 0;
  qg = 0;
  qd = 0;
  qb = 0;
  mode = 1;
  vth = 0;
  vdsat = 0;
}

export class Bsim4 implements Device {
  readonly nonlinear = true;
  private stamp!: LocalStamp;
  private s = 0;
  private p!: Bsim4Sized;
  private source!: JunctionSide;
  private drain!: JunctionSide;
  private readonly channel = new ChannelPoint();
  private readonly base = new TerminalPoint();
  private readonly shifted = new TerminalPoint();
  /** vgs/vds of a load while they are limited (reused: no allocation per load). */
  private readonly fetVoltages = { vgs: 0, vds: 0 };
  // Jacobian of the last load (n-type): channel current and charges by vgs, vds, vbs.
  private gmG = 0;
  private gmD = 0;
  private gmB = 0;
  /** ∂q/∂v: rows g, d, b; columns vgs, vds, vbs. */
  private readonly cap = new Float64Array(9);
  /** ∂Igidl, ∂Igisl by vgs, vds, vbs. */
  private readonly gidlJacobian = new Float64Array(6);
  private gidl = false;
  private tunnelling = false;
  /** ∂(Igs, Igd, Igb)/∂(vgs, vds, vbs). */
  private readonly gateJacobian = new Float64Array(9);
  private readonly gateCurrents = new Float64Array(3);
  private igidl = 0;
  private id = 0;
  private cbs = 0;
  private cbd = 0;
  private gbs = 0;
  private gbd = 0;
  private capbs = 0;
  private capbd = 0;
  private von = 0;
  private vbsLast = 0;
  private vgsLast = 0;
  private vdsLast = 0;
  /** Operating-point values for reports and tests. */
  readonly op = { id: 0, vth: 0, vdsat: 0, gm: 0, gds: 0, gmbs: 0, mode: 1 };

  constructor(
    readonly name: string,
    private readonly nodes: string[],
    readonly card: Bsim4Card,
    readonly geometry: Bsim4Geometry,
    private readonly multiplier: number,
    private readonly off: boolean,
    private readonly initial: { vds?: number; vgs?: number; vbs?: number },
    private readonly instanceTemperature: number | undefined,
    private readonly deltaTemperature: number,
    private readonly tnom: number,
    private readonly reltol: number,
    private readonly abstol: number,
    private readonly loc: ElementCard['loc'],
    /** Fixed source/drain series conductances RSH·NRS, RSH·NRD (rdsMod = 0), 0 when absent. */
    private readonly drainConductance = 0,
    private readonly sourceConductance = 0,
    /** RGATEMOD 0-3 (instance or model): 1-3 add the internal gate node, 3 also the mid gate node. */
    private readonly rgateMod = 0,
    /** rbodyMod = 1: conductances of RBPB, RBPD, RBPS, RBDB, RBSB. */
    private readonly bodyResistances?: { pb: number; pd: number; ps: number; db: number; sb: number },
  ) {}

  setup(ctx: SetupContext): void {
    const [d, g, s, b] = this.nodes.map((n) => ctx.node(n));
    const dp = this.drainConductance > 0 ? ctx.node(`${this.name}#drain`) : d;
    const sp = this.sourceConductance > 0 ? ctx.node(`${this.name}#source`) : s;
    const gp = this.rgateMod > 0 ? ctx.node(`${this.name}#gate`) : g;
    const gm = this.rgateMod === 3 ? ctx.node(`${this.name}#midgate`) : gp;
    const body = this.bodyResistances !== undefined;
    const bp = body ? ctx.node(`${this.name}#body`) : b;
    const db = body ? ctx.node(`${this.name}#dbody`) : b;
    const sb = body ? ctx.node(`${this.name}#sbody`) : b;
    const q = this.geometry.trnqsMod === 1 ? ctx.node(`${this.name}#charge`) : 0;
    this.stamp = new LocalStamp(ctx, [dp, gp, sp, bp, d, s, g, db, sb, b, gm, q]);
    this.s = ctx.states(STATE_SIZE);
  }

  temperature(kelvin: number): void {
    const t =
      this.instanceTemperature !== undefined
        ? this.instanceTemperature + CELSIUS_TO_KELVIN
        : kelvin + this.deltaTemperature;
    const { sized, source, drain } = sizeDependent(this.card, this.geometry, t, this.tnom, {
      name: this.name,
      loc: this.loc,
    });
    this.p = sized;
    this.source = source;
    this.drain = drain;
    this.von = sized.type * sized.vth0;
    this.tunnelling = sized.igcMod !== 0 || sized.igbMod !== 0;
    // GIDL, GISL or substrate current present: the drain-bulk and source-bulk leakage stamps are needed.
    this.gidl =
      (sized.agidl > 0 && sized.bgidl > 0 && sized.cgidl >= 0) ||
      (sized.agisl > 0 && sized.bgisl > 0 && sized.cgisl >= 0) ||
      (sized.alpha0 + sized.alpha1 * sized.leff > 0 && sized.beta0 > 0);
  }

  /** The sized parameters at the present temperature (tests, reports). */
  get sized(): Bsim4Sized {
    return this.p;
  }

  /**
   * Channel current (drain to source) and terminal charges at n-type terminal voltages, with the drain and
   * source interchanged when vds < 0 (the model is evaluated with Vds >= 0), overlap charges added.
   */
  terminal(vgs: number, vds: number, vbs: number, out: TerminalPoint, withCharges: boolean): void {
    const p = this.p;
    const ch = this.channel;
    if (vds >= 0) {
      evaluateChannel(p, vgs, vds, vbs, ch, withCharges);
      out.mode = 1;
      out.id = ch.ids;
      if (withCharges) {
        out.qg = ch.qgate;
        out.qd = ch.qdrn;
        out.qb = ch.qbulk;
      }
    } else {
      evaluateChannel(p, vgs - vds, -vds, vbs - vds, ch, withCharges);
      out.mode = -1;
      out.id = -ch.ids;
      if (withCharges) {
        // The oriented drain is the real source: its charge is qdrn; the real drain takes the rest.
        out.qg = ch.qgate;
        out.qb = ch.qbulk;
        out.qd = -(ch.qgate + ch.qbulk + ch.qdrn);
      }
    }
    if (withCharges) {
      out.qgi = out.qg;
      out.qdi = out.qd;
      out.qbi = out.qb;
      out.qcheq = -(out.qg + out.qb);
    }
    out.vth = ch.vth;
    out.vdsat = ch.vdsat;
    out.gcrg = ch.gcrg;
    if (this.tunnelling) {
      // Igcs/Igcd belong to the oriented source/drain; Igs/Igd are the real overlap edges.
      const igcSource = vds >= 0 ? ch.igcs : ch.igcd;
      const igcDrain = vds >= 0 ? ch.igcd : ch.igcs;
      out.igs = igcSource + (p.igcMod !== 0 ? edgeTunnelling(p, vgs, true) : 0);
      out.igd = igcDrain + (p.igcMod !== 0 ? edgeTunnelling(p, vgs - vds, false) : 0);
      out.igb = ch.igb;
    }
    if (this.gidl) {
      // Currents into the bulk: GIDL/GISL, plus the substrate current at the oriented drain.
      [out.igidl, out.igisl] = gidlCurrents(p, vgs, vds, vbs);
      if (vds >= 0) out.igidl += ch.isub;
      else out.igisl += ch.isub;
    }
    if (withCharges && this.rgateMod !== 3) {
      // Overlaps (manual ch. 7) on the intrinsic gate; with rgateMod = 3 they sit on the mid gate node instead.
      const qgso = overlap(p, vgs, true);
      const qgdo = overlap(p, vgs - vds, false);
      const qgbo = p.cgbo * (vgs - vbs);
      out.qg += qgso + qgdo + qgbo;
      out.qd -= qgdo;
      out.qb -= qgbo;
    }
  }

  /**
   * Channel current and its derivatives at real terminal voltages, without limiting or junctions (reports,
   * tests): id drain to source, gm = ∂id/∂vgs, gds = ∂id/∂vds, gmbs = ∂id/∂vbs, for one device (M not applied).
   */
  smallSignal(
    vgs: number,
    vds: number,
    vbs: number,
  ): { id: number; gm: number; gds: number; gmbs: number; vth: number } {
    const type = this.p.type;
    const a = new TerminalPoint();
    const b = new TerminalPoint();
    this.terminal(type * vgs, type * vds, type * vbs, a, false);
    this.terminal(type * vgs + STEP, type * vds, type * vbs, b, false);
    const gm = (b.id - a.id) / STEP;
    this.terminal(type * vgs, type * vds + STEP, type * vbs, b, false);
    const gds = (b.id - a.id) / STEP;
    this.terminal(type * vgs, type * vds, type * vbs + STEP, b, false);
    const gmbs = (b.id - a.id) / STEP;
    return { id: type * a.id, gm, gds, gmbs, vth: type * a.vth };
  }

  /**
   * Bulk junction diode current and conductance (manual ch. 10): dioMod = 1 exponential, linear above IJTH;
   * dioMod = 0 with breakdown (XJBV, BV), no IJTH limit; dioMod = 2 breakdown with forward and reverse IJTH limits.
   */
  private junctionCurrent(j: JunctionSide, v: number, gmin: number): [number, number] {
    const [i, g] = this.diodeCurrent(j, v, gmin);
    // Trap-assisted tunnelling in reverse bias, subtracted (b4ld.c): Is·(exp(−V/(Nvtm)·VTS/(VTS − V)) − 1).
    const tat = j.tat;
    let current = i;
    let conductance = g;
    for (let k = 0; k < 3; k++) {
      const is = tat[3 * k];
      if (is === 0) continue;
      const nvtm = tat[3 * k + 1];
      const vts = tat[3 * k + 2];
      let e: number;
      let de: number;
      if (vts - v < vts * 1e-3) {
        const x = (-v / nvtm) * 1e3;
        e = expLimited(x);
        de = (expSlope(x) / nvtm) * 1e3;
      } else {
        const t9 = 1 / (vts - v);
        const x = (-v / nvtm) * vts * t9;
        e = expLimited(x);
        de = expSlope(x) * (vts / nvtm) * (t9 + v * t9 * t9);
      }
      current -= is * (e - 1);
      conductance += is * de;
    }
    return [current, conductance];
  }

  private diodeCurrent(j: JunctionSide, v: number, gmin: number): [number, number] {
    const isat = j.satCurrent;
    if (isat <= 0) return [gmin * v, gmin];
    const nvtm = j.nvtm;
    if (j.dioMod === 0) {
      const e = Math.exp(v / nvtm);
      const t1 = j.xjbv * Math.exp(-(j.bv + v) / nvtm);
      return [isat * (e + j.xExpBV - t1 - 1) + gmin * v, (isat * (e + t1)) / nvtm + gmin];
    }
    if (j.dioMod === 2) {
      if (v < j.vjmRev) {
        const x = v / nvtm;
        const e = x < -EXP_THRESHOLD ? MIN_EXP : Math.exp(x);
        const de = x < -EXP_THRESHOLD ? 0 : e / nvtm;
        const t2 = j.ivjmRev + j.slpRev * (v - j.vjmRev);
        return [(e - 1) * t2 + gmin * v, de * t2 + (e - 1) * j.slpRev + gmin];
      }
      if (v <= j.vjmFwd) {
        const x = v / nvtm;
        const e = x < -EXP_THRESHOLD ? MIN_EXP : Math.exp(x);
        const de = x < -EXP_THRESHOLD ? 0 : e / nvtm;
        const t1 = (j.bv + v) / nvtm;
        const t2 = t1 > EXP_THRESHOLD ? MIN_EXP : Math.exp(-t1);
        const t3 = t1 > EXP_THRESHOLD ? 0 : -t2 / nvtm;
        return [isat * (e + j.xExpBV - 1 - j.xjbv * t2) + gmin * v, isat * (de - j.xjbv * t3) + gmin];
      }
      return [j.ivjmFwd + j.slpFwd * (v - j.vjmFwd) + gmin * v, j.slpFwd + gmin];
    }
    const x = v / nvtm;
    if (x < -EXP_THRESHOLD) return [isat * (MIN_EXP - 1) + gmin * v, gmin];
    if (v <= j.vjmFwd) {
      const e = Math.exp(x);
      return [isat * (e - 1) + gmin * v, (isat * e) / nvtm + gmin];
    }
    const g = j.ivjmFwd / nvtm;
    return [j.ivjmFwd - isat + g * (v - j.vjmFwd) + gmin * v, g + gmin];
  }

  /** Junction depletion charge and capacitance: bottom, sidewall and gate-edge parts (manual ch. 10). */
  private junctionCharge(j: JunctionSide, v: number): [number, number] {
    if (v === 0) return [0, j.czb + j.czbsw + j.czbswg];
    if (v < 0) {
      let q = 0;
      let c = 0;
      const part = (cz: number, pb: number, mj: number) => {
        if (cz <= 0) return;
        const arg = 1 - v / pb;
        const sarg = mj === 0.5 ? 1 / Math.sqrt(arg) : Math.exp(-mj * Math.log(arg));
        q += (pb * cz * (1 - arg * sarg)) / (1 - mj);
        c += cz * sarg;
      };
      part(j.czb, j.pb, j.mj);
      part(j.czbsw, j.pbsw, j.mjsw);
      part(j.czbswg, j.pbswg, j.mjswg);
      return [q, c];
    }
    const c0 = j.czb + j.czbsw + j.czbswg;
    const c1 = v * ((j.czb * j.mj) / j.pb + (j.czbsw * j.mjsw) / j.pbsw + (j.czbswg * j.mjswg) / j.pbswg);
    return [v * (c0 + 0.5 * c1), c0 + c1];
  }

  private voltages(solution: Float64Array): [number, number, number] {
    const type = this.p.type;
    const st = this.stamp;
    return [
      type * st.voltage(solution, B, S),
      type * st.voltage(solution, G, S),
      type * st.voltage(solution, D, S),
    ];
  }

  load(ctx: LoadContext): void {
    const p = this.p;
    const type = p.type;
    const s = this.s;
    const state = ctx.state[0];
    const old = ctx.firstIteration && ctx.mode === 'tran' ? ctx.state[1] : state;
    let vbs: number;
    let vgs: number;
    let vds: number;
    if (ctx.initJunctions) {
      const ic = this.initial;
      if (this.off) {
        vbs = vgs = vds = 0;
      } else if (ctx.mode === 'tranop' && (ic.vds || ic.vgs || ic.vbs)) {
        vds = type * (ic.vds ?? 0);
        vgs = type * (ic.vgs ?? 0);
        vbs = type * (ic.vbs ?? 0);
      } else {
        // ngspice's BSIM4 MODEINITJCT start: vds = 0.1, vgs = vth0 + 0.1, vbs = 0.
        vds = 0.1;
        vgs = type * p.vth0 + 0.1;
        vbs = 0;
      }
    } else {
      const fet = this.fetVoltages;
      [vbs, fet.vgs, fet.vds] = this.voltages(ctx.solution);
      limitFetVoltages(fet, old[s + VGS], old[s + VDS], this.von);
      vgs = fet.vgs;
      vds = fet.vds;
      let limited: boolean;
      if (vds >= 0) {
        const r = pnjlim(vbs, old[s + VBS], VT0, VCRIT);
        vbs = r.value;
        limited = r.limited;
      } else {
        const r = pnjlim(vbs - vds, old[s + VBS] - old[s + VDS], VT0, VCRIT);
        vbs = r.value + vds;
        limited = r.limited;
      }
      if (limited) ctx.nonConvergence();
    }
    state[s + VBS] = vbs;
    state[s + VGS] = vgs;
    state[s + VDS] = vds;
    this.vbsLast = vbs;
    this.vgsLast = vgs;
    this.vdsLast = vds;

    // Junction voltages: the channel's vbs/vbd, or with rbodyMod = 1 those of the junction body nodes, each
    // limited by pnjlim (b4ld.c's vsbs/vdbs).
    let vsbs = vbs;
    let vdbs = vbs;
    if (this.bodyResistances) {
      if (ctx.initJunctions) {
        vsbs = vdbs = vbs;
      } else {
        const st0 = this.stamp;
        vsbs = type * st0.voltage(ctx.solution, SB, S);
        vdbs = type * st0.voltage(ctx.solution, DB, S);
        const a = pnjlim(vsbs, old[s + VSBS], VT0, VCRIT);
        const c =
          vds >= 0
            ? pnjlim(vdbs, old[s + VDBS], VT0, VCRIT)
            : pnjlim(vdbs - vds, old[s + VDBS] - old[s + VDS], VT0, VCRIT);
        vsbs = a.value;
        vdbs = vds >= 0 ? c.value : c.value + vds;
        if (a.limited || c.limited) ctx.nonConvergence();
      }
    }
    state[s + VSBS] = vsbs;
    state[s + VDBS] = vdbs;
    const vbd = vdbs - vds;
    const vbsJ = vsbs;

    // Junctions.
    [this.cbs, this.gbs] = this.junctionCurrent(this.source, vbsJ, ctx.gmin);
    [this.cbd, this.gbd] = this.junctionCurrent(this.drain, vbd, ctx.gmin);
    const [qbs, capbs] = this.junctionCharge(this.source, vbsJ);
    const [qbd, capbd] = this.junctionCharge(this.drain, vbd);
    this.capbs = capbs;
    this.capbd = capbd;

    // Channel and intrinsic charges with their Jacobian.
    const base = this.base;
    const sh = this.shifted;
    // DC iterations need no charges (the NQS node aside): AC computes the capacitances once, at its start.
    const charges = ctx.mode === 'tran' || this.geometry.trnqsMod === 1;
    this.capacitancesStale = !charges;
    this.terminal(vgs, vds, vbs, base, charges);
    const gj = this.gidlJacobian;
    this.terminal(vgs + STEP, vds, vbs, sh, charges);
    if (this.tunnelling) {
      this.gateJacobian[0] = (sh.igs - base.igs) / STEP;
      this.gateJacobian[3] = (sh.igd - base.igd) / STEP;
      this.gateJacobian[6] = (sh.igb - base.igb) / STEP;
    }
    gj[0] = (sh.igidl - base.igidl) / STEP;
    gj[3] = (sh.igisl - base.igisl) / STEP;
    this.gmG = (sh.id - base.id) / STEP;
    const gcrgJ = this.gcrgJacobian;
    gcrgJ[0] = base.gcrg;
    gcrgJ[1] = (sh.gcrg - base.gcrg) / STEP;
    if (charges) this.capacitanceColumn(0, base, sh);
    this.terminal(vgs, vds + STEP, vbs, sh, charges);
    if (this.tunnelling) {
      this.gateJacobian[1] = (sh.igs - base.igs) / STEP;
      this.gateJacobian[4] = (sh.igd - base.igd) / STEP;
      this.gateJacobian[7] = (sh.igb - base.igb) / STEP;
    }
    gj[1] = (sh.igidl - base.igidl) / STEP;
    gj[4] = (sh.igisl - base.igisl) / STEP;
    this.gmD = (sh.id - base.id) / STEP;
    gcrgJ[2] = (sh.gcrg - base.gcrg) / STEP;
    if (charges) this.capacitanceColumn(1, base, sh);
    this.terminal(vgs, vds, vbs + STEP, sh, charges);
    if (this.tunnelling) {
      this.gateJacobian[2] = (sh.igs - base.igs) / STEP;
      this.gateJacobian[5] = (sh.igd - base.igd) / STEP;
      this.gateJacobian[8] = (sh.igb - base.igb) / STEP;
    }
    gj[2] = (sh.igidl - base.igidl) / STEP;
    gj[5] = (sh.igisl - base.igisl) / STEP;
    this.gmB = (sh.id - base.id) / STEP;
    gcrgJ[3] = (sh.gcrg - base.gcrg) / STEP;
    if (charges) {
      this.capacitanceColumn(2, base, sh);
      this.drainShareBase = this.drainShare(base);
    }
    this.id = base.id;
    this.von = base.vth;
    this.op.id = type * base.id * this.multiplier;
    this.op.vth = type * base.vth;
    this.op.vdsat = type * base.vdsat;
    this.op.mode = base.mode;
    this.op.gm = this.gmG * this.multiplier;
    this.op.gds = this.gmD * this.multiplier;
    this.op.gmbs = this.gmB * this.multiplier;

    // Stamps (n-type quantities, currents turned back with `type`; M multiplies everything).
    const mult = this.multiplier;
    const m = ctx.matrix;
    const rhs = ctx.rhs;
    const st = this.stamp;
    let gbs = this.gbs;
    let gbd = this.gbd;
    let ibs = this.cbs;
    let ibd = this.cbd;
    if (ctx.mode === 'tran') {
      state[s + QBS] = qbs;
      state[s + QBD] = qbd;
      ibs += ctx.integrate(s + QBS);
      ibd += ctx.integrate(s + QBD);
      gbs += ctx.ag0 * capbs;
      gbd += ctx.ag0 * capbd;
    }
    if (this.rgateMod === 1) st.conductance(m, G_EXTERNAL, G, mult * p.gateConductance);
    else if (this.rgateMod === 3) st.conductance(m, G_EXTERNAL, G_MID, mult * p.gateConductance);
    if (this.rgateMod > 1) this.stampIntrinsicInput(m, rhs, ctx.solution, vgs, vds, vbs, mult, type);
    if (p.rdsMod === 1) {
      this.stampExternalResistances(m, rhs, ctx.solution, vgs, vds, vbs, mult, type);
    } else {
      if (this.drainConductance > 0) st.conductance(m, D_EXTERNAL, D, mult * this.drainConductance);
      if (this.sourceConductance > 0) st.conductance(m, S_EXTERNAL, S, mult * this.sourceConductance);
    }
    st.conductance(m, SB, S, mult * gbs);
    st.conductance(m, DB, D, mult * gbd);
    st.current(rhs, SB, S, mult * type * (ibs - gbs * vbsJ));
    st.current(rhs, DB, D, mult * type * (ibd - gbd * vbd));
    const rb = this.bodyResistances;
    if (rb) {
      st.conductance(m, B, B_EXTERNAL, mult * rb.pb);
      st.conductance(m, B, DB, mult * rb.pd);
      st.conductance(m, B, SB, mult * rb.ps);
      st.conductance(m, DB, B_EXTERNAL, mult * rb.db);
      st.conductance(m, SB, B_EXTERNAL, mult * rb.sb);
    }

    st.transconductance(m, D, S, G, S, mult * this.gmG);
    st.transconductance(m, D, S, D, S, mult * this.gmD);
    st.transconductance(m, D, S, B, S, mult * this.gmB);
    st.current(rhs, D, S, mult * type * (base.id - this.gmG * vgs - this.gmD * vds - this.gmB * vbs));

    if (this.gidl) {
      // GIDL from drain to bulk and GISL from source to bulk, linearised in vgs, vds, vbs.
      st.transconductance(m, D, B, G, S, mult * gj[0]);
      st.transconductance(m, D, B, D, S, mult * gj[1]);
      st.transconductance(m, D, B, B, S, mult * gj[2]);
      st.current(rhs, D, B, mult * type * (base.igidl - gj[0] * vgs - gj[1] * vds - gj[2] * vbs));
      st.transconductance(m, S, B, G, S, mult * gj[3]);
      st.transconductance(m, S, B, D, S, mult * gj[4]);
      st.transconductance(m, S, B, B, S, mult * gj[5]);
      st.current(rhs, S, B, mult * type * (base.igisl - gj[3] * vgs - gj[4] * vds - gj[5] * vbs));
    }
    this.igidl = base.igidl;
    if (this.tunnelling) {
      // Gate currents into the source, drain and bulk, linearised in vgs, vds, vbs.
      const gg = this.gateJacobian;
      const targets = [S, D, B];
      const currents = [base.igs, base.igd, base.igb];
      for (let r = 0; r < 3; r++) {
        const to = targets[r];
        st.transconductance(m, G, to, G, S, mult * gg[3 * r]);
        st.transconductance(m, G, to, D, S, mult * gg[3 * r + 1]);
        st.transconductance(m, G, to, B, S, mult * gg[3 * r + 2]);
        st.current(
          rhs,
          G,
          to,
          mult * type * (currents[r] - gg[3 * r] * vgs - gg[3 * r + 1] * vds - gg[3 * r + 2] * vbs),
        );
        this.gateCurrents[r] = currents[r];
      }
    }

    if (this.rgateMod === 3) this.stampMidGateOverlaps(ctx, m, rhs, mult, type);
    const nqs = this.geometry.trnqsMod === 1;
    if (nqs) this.stampChargeDeficit(ctx, m, rhs, vgs, vds, vbs, mult, type);
    if (ctx.mode === 'tran') {
      // With trnqsMod the channel charge reaches the terminals through the deficit node: only overlaps here.
      const capacitance = nqs ? this.overlapCap : this.cap;
      if (nqs) for (let k = 0; k < 9; k++) capacitance[k] = this.cap[k] - this.intrinsicCap[k];
      state[s + QG] = nqs ? base.qg - base.qgi : base.qg;
      state[s + QD] = nqs ? base.qd - base.qdi : base.qd;
      state[s + QB] = nqs ? base.qb - base.qbi : base.qb;
      const ig = ctx.integrate(s + QG);
      const idq = ctx.integrate(s + QD);
      const ib = ctx.integrate(s + QB);
      const ag0 = ctx.ag0 * mult;
      this.stampCharge(m, rhs, G, ig * mult, ag0, 0, vgs, vds, vbs, type, capacitance);
      this.stampCharge(m, rhs, D, idq * mult, ag0, 3, vgs, vds, vbs, type, capacitance);
      this.stampCharge(m, rhs, B, ib * mult, ag0, 6, vgs, vds, vbs, type, capacitance);
    }
  }

  /** Column `column` (vgs, vds, vbs) of the capacitance matrices from the base and a shifted evaluation. */
  private capacitanceColumn(column: number, base: TerminalPoint, shifted: TerminalPoint): void {
    const cap = this.cap;
    cap[column] = (shifted.qg - base.qg) / STEP;
    cap[3 + column] = (shifted.qd - base.qd) / STEP;
    cap[6 + column] = (shifted.qb - base.qb) / STEP;
    this.intrinsicDerivatives(column, base, shifted);
  }

  /** True when the last load was a DC iteration that skipped the charges. */
  private capacitancesStale = false;

  /** The capacitance matrices at the last load's (limited) bias, for AC after a DC operating point. */
  private refreshCapacitances(): void {
    const base = this.base;
    const sh = this.shifted;
    const vgs = this.vgsLast;
    const vds = this.vdsLast;
    const vbs = this.vbsLast;
    this.terminal(vgs, vds, vbs, base, true);
    this.terminal(vgs + STEP, vds, vbs, sh, true);
    this.capacitanceColumn(0, base, sh);
    this.terminal(vgs, vds + STEP, vbs, sh, true);
    this.capacitanceColumn(1, base, sh);
    this.terminal(vgs, vds, vbs + STEP, sh, true);
    this.capacitanceColumn(2, base, sh);
    this.capacitancesStale = false;
  }

  /** ∂(qgi, qdi, qbi)/∂v_column (rows g, d, b) and the drain share at the shifted point. */
  private intrinsicDerivatives(column: number, base: TerminalPoint, shifted: TerminalPoint): void {
    const c = this.intrinsicCap;
    c[column] = (shifted.qgi - base.qgi) / STEP;
    c[3 + column] = (shifted.qdi - base.qdi) / STEP;
    c[6 + column] = (shifted.qbi - base.qbi) / STEP;
    if (this.geometry.trnqsMod === 1) this.drainShareShifted[column] = this.drainShare(shifted);
  }

  /** ∂q_intrinsic/∂v: rows g, d, b; columns vgs, vds, vbs (the channel part of `cap`). */
  private readonly intrinsicCap = new Float64Array(9);
  private readonly overlapCap = new Float64Array(9);
  private drainShareBase = 0;
  private readonly drainShareShifted = new Float64Array(3);

  /**
   * NQS drain share of the channel charge (b4ld.c dxpart): Qd/Qcheq, or the XPART partition (40/60, 0/100,
   * 50/50 of the oriented drain) while the channel charge is below 1e-5·CoxWL.
   */
  private drainShare(t: TerminalPoint): number {
    const p = this.p;
    const coxwl = p.coxe * p.weffCV * p.leffCV * p.nf;
    if (Math.abs(t.qcheq) <= 1e-5 * coxwl) {
      const x = p.xpart < 0.5 ? 0.4 : p.xpart > 0.5 ? 0 : 0.5;
      return t.mode > 0 ? x : 1 - x;
    }
    return t.qdi / t.qcheq;
  }

  /**
   * trnqsMod = 1, the charge-deficit NQS model (manual ch. 7 "non-quasi-static model"; b4ld.c): the deficit
   * Qdef = Qcheq − Qch relaxes with tau = CoxWL/gcrg, dQdef/dt = dQcheq/dt − Qdef/tau (the row of the `#charge`
   * node, which holds 1e-9·Qdef), and the channel current Qdef/tau leaves the gate and enters the drain and source
   * split by the share Qd/Qcheq. Linearised in Qdef and, by forward differences, in vgs, vds, vbs.
   */
  private stampChargeDeficit(
    ctx: LoadContext,
    m: Float64Array,
    rhs: Float64Array,
    vgs: number,
    vds: number,
    vbs: number,
    mult: number,
    type: number,
  ): void {
    const p = this.p;
    const st = this.stamp;
    const state = ctx.state[0];
    const s = this.s;
    const coxwl = p.coxe * p.weffCV * p.leffCV * p.nf;
    const base = this.base;
    const qdef = (type * ctx.solution[st.unknowns[Q_NODE]]) / 1;
    const j = this.gcrgJacobian;
    // gtau = gcrg/CoxWL·1e-9 and its derivatives; Qcheq's derivatives −(∂qgi + ∂qbi).
    const gtau = (j[0] / coxwl) * NQS_SCALE;
    const dGtau = this.nqsScratch;
    dGtau[0] = (j[1] / coxwl) * NQS_SCALE;
    dGtau[1] = (j[2] / coxwl) * NQS_SCALE;
    dGtau[2] = (j[3] / coxwl) * NQS_SCALE;
    const ic = this.intrinsicCap;
    let iq = 0;
    let icheq = 0;
    const ag0 = ctx.mode === 'tran' ? ctx.ag0 : 0;
    if (ctx.mode === 'tran') {
      state[s + QDEF] = NQS_SCALE * qdef;
      state[s + QCHEQ] = base.qcheq;
      iq = ctx.integrate(s + QDEF);
      icheq = ctx.integrate(s + QCHEQ);
    }
    // The #charge row: 1e-9·dQdef/dt + gtau·Qdef − dQcheq/dt = 0.
    const gqq = NQS_SCALE * ag0 + gtau;
    st.add(m, Q_NODE, Q_NODE, mult * gqq);
    let constant = iq + gtau * qdef - icheq - gqq * qdef;
    for (let k = 0; k < 3; k++) {
      const dQcheq = -(ic[k] + ic[6 + k]);
      const a = qdef * dGtau[k] - ag0 * dQcheq;
      st.add(m, Q_NODE, COLUMNS[k], mult * a);
      st.add(m, Q_NODE, S, -mult * a);
      constant -= a * (k === 0 ? vgs : k === 1 ? vds : vbs);
    }
    st.inject(rhs, Q_NODE, -mult * type * constant);
    // Channel current Qdef/tau: all of it leaves the gate; the share dx enters the drain, 1 − dx the source.
    const dx = this.drainShareBase;
    for (let r = 0; r < 3; r++) {
      const row = r === 0 ? G : r === 1 ? D : S;
      const w = r === 0 ? -1 : r === 1 ? dx : 1 - dx;
      st.add(m, row, Q_NODE, mult * w * gtau);
      let c = 0;
      for (let k = 0; k < 3; k++) {
        const dw = r === 0 ? 0 : ((r === 1 ? 1 : -1) * (this.drainShareShifted[k] - dx)) / STEP;
        const a = qdef * (w * dGtau[k] + dw * gtau);
        st.add(m, row, COLUMNS[k], mult * a);
        st.add(m, row, S, -mult * a);
        c -= a * (k === 0 ? vgs : k === 1 ? vds : vbs);
      }
      st.inject(rhs, row, -mult * type * c);
    }
  }

  private readonly nqsScratch = new Float64Array(3);

  /**
   * The current i = dq/dt leaving terminal `row` into the device, linearised: ∂i/∂v_j = ag0·C_row,j for
   * v_j ∈ (vgs, vds, vbs); the source column takes minus their sum. The source row is implied (charge
   * neutrality makes it minus the sum of the others) and stamped too.
   */
  private stampCharge(
    m: Float64Array,
    rhs: Float64Array,
    row: number,
    current: number,
    ag0: number,
    capRow: number,
    vgs: number,
    vds: number,
    vbs: number,
    type: number,
    capacitance: Float64Array,
  ): void {
    const st = this.stamp;
    const cg = ag0 * capacitance[capRow];
    const cd = ag0 * capacitance[capRow + 1];
    const cb = ag0 * capacitance[capRow + 2];
    // Row `row` gets +, row S gets − (the current returns through the source).
    st.transconductance(m, row, S, G, S, cg);
    st.transconductance(m, row, S, D, S, cd);
    st.transconductance(m, row, S, B, S, cb);
    st.current(rhs, row, S, type * (current - cg * vgs - cd * vds - cb * vbs));
  }

  /** gcrg and its derivatives by vgs, vds, vbs at the last load, and the n-type voltage across it. */
  private readonly gcrgJacobian = new Float64Array(5);

  /**
   * rgateMod 2/3: the current gcrg(vgs, vds, vbs)·(v_X − v_G) from the external (2) or mid (3) gate node X into
   * the intrinsic gate, linearised in the voltage across it and (by forward differences) in the bias.
   */
  private stampIntrinsicInput(
    m: Float64Array,
    rhs: Float64Array,
    solution: Float64Array,
    vgs: number,
    vds: number,
    vbs: number,
    mult: number,
    type: number,
  ): void {
    const st = this.stamp;
    const j = this.gcrgJacobian;
    const from = this.rgateMod === 2 ? G_EXTERNAL : G_MID;
    const vx = type * st.voltage(solution, from, G);
    j[4] = vx;
    st.conductance(m, from, G, mult * j[0]);
    st.transconductance(m, from, G, G, S, mult * vx * j[1]);
    st.transconductance(m, from, G, D, S, mult * vx * j[2]);
    st.transconductance(m, from, G, B, S, mult * vx * j[3]);
    st.current(rhs, from, G, mult * type * -vx * (j[1] * vgs + j[2] * vds + j[3] * vbs));
  }

  /** rgateMod = 3 overlap capacitances at the last load (mid gate to source, drain, bulk). */
  private readonly midCaps = new Float64Array(3);

  /**
   * rgateMod = 3: the overlap charges qgso(vgms), qgdo(vgmd), CGBO·vgmb between the mid gate node and the
   * source, drain and bulk (b4ld.c's qgmid), each integrated as a two-terminal charge.
   */
  private stampMidGateOverlaps(
    ctx: LoadContext,
    m: Float64Array,
    rhs: Float64Array,
    mult: number,
    type: number,
  ): void {
    const p = this.p;
    const st = this.stamp;
    const state = ctx.state[0];
    const s = this.s;
    const terminals = [S, D, B];
    const slots = [QGSO, QGDO, QGBO];
    for (let k = 0; k < 3; k++) {
      const to = terminals[k];
      const v = type * st.voltage(ctx.solution, G_MID, to);
      const q = k === 2 ? p.cgbo * v : overlap(p, v, k === 0);
      const c = k === 2 ? p.cgbo : (overlap(p, v + STEP, k === 0) - q) / STEP;
      this.midCaps[k] = c;
      if (ctx.mode !== 'tran') continue;
      state[s + slots[k]] = q;
      const i = ctx.integrate(s + slots[k]);
      const g = ctx.ag0 * c;
      st.conductance(m, G_MID, to, mult * g);
      st.current(rhs, G_MID, to, mult * type * (i - g * v));
    }
  }

  /** Small-signal values of the rdsMod = 1 resistors at the last load: [gs, ∂/∂vgs, ∂/∂vbs, gd, ∂/∂vgs, ∂/∂vds, ∂/∂vbs]. */
  private readonly external = new Float64Array(7);

  /**
   * rdsMod = 1: the currents gstot(vgs, vbs)·vses and gdtot(vgd, vbd)·vded through the external resistors,
   * linearised in the resistor voltage and (by forward differences) in the bias they depend on.
   */
  private stampExternalResistances(
    m: Float64Array,
    rhs: Float64Array,
    solution: Float64Array,
    vgs: number,
    vds: number,
    vbs: number,
    mult: number,
    type: number,
  ): void {
    const p = this.p;
    const st = this.stamp;
    const e = this.external;
    const vses = type * st.voltage(solution, S_EXTERNAL, S);
    const vded = type * st.voltage(solution, D_EXTERNAL, D);
    const gs = externalConductance(p, this.sourceConductance, vgs, vbs, true);
    e[0] = gs;
    e[1] = (externalConductance(p, this.sourceConductance, vgs + STEP, vbs, true) - gs) / STEP;
    e[2] = (externalConductance(p, this.sourceConductance, vgs, vbs + STEP, true) - gs) / STEP;
    const vgd = vgs - vds;
    const vbd = vbs - vds;
    const gd = externalConductance(p, this.drainConductance, vgd, vbd, false);
    const dgdVg = (externalConductance(p, this.drainConductance, vgd + STEP, vbd, false) - gd) / STEP;
    const dgdVb = (externalConductance(p, this.drainConductance, vgd, vbd + STEP, false) - gd) / STEP;
    e[3] = gd;
    e[4] = dgdVg;
    e[5] = -(dgdVg + dgdVb);
    e[6] = dgdVb;
    // Source resistor: current from the external source into the internal one.
    st.conductance(m, S_EXTERNAL, S, mult * gs);
    st.transconductance(m, S_EXTERNAL, S, G, S, mult * vses * e[1]);
    st.transconductance(m, S_EXTERNAL, S, B, S, mult * vses * e[2]);
    st.current(rhs, S_EXTERNAL, S, mult * type * (-vses * e[1] * vgs - vses * e[2] * vbs));
    // Drain resistor: from the external drain into the internal one.
    st.conductance(m, D_EXTERNAL, D, mult * gd);
    st.transconductance(m, D_EXTERNAL, D, G, S, mult * vded * e[4]);
    st.transconductance(m, D_EXTERNAL, D, D, S, mult * vded * e[5]);
    st.transconductance(m, D_EXTERNAL, D, B, S, mult * vded * e[6]);
    st.current(
      rhs,
      D_EXTERNAL,
      D,
      mult * type * (-vded * e[4] * vgs - vded * e[5] * vds - vded * e[6] * vbs),
    );
    this.externalVoltages[0] = vses;
    this.externalVoltages[1] = vded;
  }

  private readonly externalVoltages = new Float64Array(2);

  converged(ctx: LoadContext): boolean {
    const [vbs, vgs, vds] = this.voltages(ctx.solution);
    const delvbs = vbs - this.vbsLast;
    const delvgs = vgs - this.vgsLast;
    const delvds = vds - this.vdsLast;
    const delvbd = delvbs - delvds;
    const gj = this.gidlJacobian;
    const cdhat =
      this.id +
      this.igidl -
      this.cbd +
      (this.gmG + gj[0]) * delvgs +
      (this.gmD + gj[1]) * delvds +
      (this.gmB + gj[2]) * delvbs -
      this.gbd * delvbd;
    const cbhat = this.cbs + this.cbd + this.gbd * delvbd + this.gbs * delvbs;
    return (
      currentConverged(cdhat, this.id + this.igidl - this.cbd, this.reltol, this.abstol) &&
      currentConverged(cbhat, this.cbs + this.cbd, this.reltol, this.abstol)
    );
  }

  /** Noise generators at the operating point (noise.ts, as ngspice's b4noi.c). */
  noise(ctx: NoiseContext): void {
    bsim4Noise(ctx, this, {
      unknowns: this.stamp.unknowns,
      multiplier: this.multiplier,
      rgateMod: this.rgateMod,
      drainConductance: this.drainConductance,
      sourceConductance: this.sourceConductance,
      body: this.bodyResistances,
      scratch: new TerminalPoint(),
    });
  }

  acLoad(ctx: AcLoadContext): void {
    if (this.capacitancesStale) this.refreshCapacitances();
    const st = this.stamp;
    const mult = this.multiplier;
    const re = ctx.re;
    const im = ctx.im;
    const w = ctx.omega * mult;
    if (this.rgateMod === 1) st.conductance(re, G_EXTERNAL, G, mult * this.p.gateConductance);
    else if (this.rgateMod === 3) st.conductance(re, G_EXTERNAL, G_MID, mult * this.p.gateConductance);
    if (this.rgateMod > 1) {
      const j = this.gcrgJacobian;
      const from = this.rgateMod === 2 ? G_EXTERNAL : G_MID;
      st.conductance(re, from, G, mult * j[0]);
      st.transconductance(re, from, G, G, S, mult * j[4] * j[1]);
      st.transconductance(re, from, G, D, S, mult * j[4] * j[2]);
      st.transconductance(re, from, G, B, S, mult * j[4] * j[3]);
    }
    if (this.rgateMod === 3) {
      const c = this.midCaps;
      st.conductance(im, G_MID, S, w * c[0]);
      st.conductance(im, G_MID, D, w * c[1]);
      st.conductance(im, G_MID, B, w * c[2]);
    }
    if (this.p.rdsMod === 1) {
      const e = this.external;
      const [vses, vded] = this.externalVoltages;
      st.conductance(re, S_EXTERNAL, S, mult * e[0]);
      st.transconductance(re, S_EXTERNAL, S, G, S, mult * vses * e[1]);
      st.transconductance(re, S_EXTERNAL, S, B, S, mult * vses * e[2]);
      st.conductance(re, D_EXTERNAL, D, mult * e[3]);
      st.transconductance(re, D_EXTERNAL, D, G, S, mult * vded * e[4]);
      st.transconductance(re, D_EXTERNAL, D, D, S, mult * vded * e[5]);
      st.transconductance(re, D_EXTERNAL, D, B, S, mult * vded * e[6]);
    } else {
      if (this.drainConductance > 0) st.conductance(re, D_EXTERNAL, D, mult * this.drainConductance);
      if (this.sourceConductance > 0) st.conductance(re, S_EXTERNAL, S, mult * this.sourceConductance);
    }
    st.conductance(re, SB, S, mult * this.gbs);
    st.conductance(re, DB, D, mult * this.gbd);
    st.conductance(im, SB, S, w * this.capbs);
    st.conductance(im, DB, D, w * this.capbd);
    const rb = this.bodyResistances;
    if (rb) {
      st.conductance(re, B, B_EXTERNAL, mult * rb.pb);
      st.conductance(re, B, DB, mult * rb.pd);
      st.conductance(re, B, SB, mult * rb.ps);
      st.conductance(re, DB, B_EXTERNAL, mult * rb.db);
      st.conductance(re, SB, B_EXTERNAL, mult * rb.sb);
    }
    // acnqsMod = 1 (b4acld.c): the channel responds through one pole, tau = CoxWL/gcrg: gm, gds, gmbs and the
    // intrinsic drain and source capacitances are multiplied by 1/(1 + jw·tau) = T2 − j·T3, the bulk's are not,
    // and the gate's follow from charge neutrality. trnqsMod alone leaves AC quasi-static (its node is isolated).
    let t2 = 1;
    let t3 = 0;
    if (this.geometry.acnqsMod === 1) {
      const p = this.p;
      const tau = (p.coxe * p.weffCV * p.leffCV * p.nf) / this.gcrgJacobian[0];
      const x = ctx.omega * tau;
      t2 = 1 / (1 + x * x);
      t3 = x * t2;
    }
    if (this.geometry.trnqsMod === 1) st.add(re, Q_NODE, Q_NODE, 1);
    const channel = [this.gmG, this.gmD, this.gmB];
    for (let k = 0; k < 3; k++) {
      st.transconductance(re, D, S, COLUMNS[k], S, mult * channel[k] * t2);
      if (t3 !== 0) st.transconductance(im, D, S, COLUMNS[k], S, -mult * channel[k] * t3);
    }
    if (this.tunnelling) {
      const gg = this.gateJacobian;
      const targets = [S, D, B];
      for (let r = 0; r < 3; r++) {
        st.transconductance(re, G, targets[r], G, S, mult * gg[3 * r]);
        st.transconductance(re, G, targets[r], D, S, mult * gg[3 * r + 1]);
        st.transconductance(re, G, targets[r], B, S, mult * gg[3 * r + 2]);
      }
    }
    if (this.gidl) {
      const gj = this.gidlJacobian;
      st.transconductance(re, D, B, G, S, mult * gj[0]);
      st.transconductance(re, D, B, D, S, mult * gj[1]);
      st.transconductance(re, D, B, B, S, mult * gj[2]);
      st.transconductance(re, S, B, G, S, mult * gj[3]);
      st.transconductance(re, S, B, D, S, mult * gj[4]);
      st.transconductance(re, S, B, B, S, mult * gj[5]);
    }
    const rows = [G, D, B];
    const c = this.cap;
    if (t3 === 0) {
      for (let r = 0; r < 3; r++) {
        for (let k = 0; k < 3; k++) st.transconductance(im, rows[r], S, COLUMNS[k], S, w * c[3 * r + k]);
      }
      return;
    }
    // Overlaps as they are; intrinsic rows: drain D·f, bulk B, gate (G + B)·f − B (the source row is implied).
    const ci = this.intrinsicCap;
    for (let k = 0; k < 3; k++) {
      const gi = ci[k];
      const di = ci[3 + k];
      const bi = ci[6 + k];
      const col = COLUMNS[k];
      st.transconductance(im, G, S, col, S, w * (c[k] - gi + (gi + bi) * t2 - bi));
      st.transconductance(re, G, S, col, S, w * (gi + bi) * t3);
      st.transconductance(im, D, S, col, S, w * (c[3 + k] - di + di * t2));
      st.transconductance(re, D, S, col, S, w * di * t3);
      st.transconductance(im, B, S, col, S, w * c[6 + k]);
    }
  }

  truncate(ctx: TruncateContext): number {
    const s = this.s;
    let limit = this.geometry.trnqsMod === 1 ? ctx.chargeTimestep(s + QDEF) : Infinity;
    if (this.rgateMod === 3)
      limit = Math.min(
        ctx.chargeTimestep(s + QGSO),
        ctx.chargeTimestep(s + QGDO),
        ctx.chargeTimestep(s + QGBO),
      );
    return Math.min(
      limit,
      ctx.chargeTimestep(s + QG),
      ctx.chargeTimestep(s + QD),
      ctx.chargeTimestep(s + QB),
      ctx.chargeTimestep(s + QBS),
      ctx.chargeTimestep(s + QBD),
    );
  }

  initialConditions(solution: Float64Array, state: Float64Array, useInitialConditions: boolean): void {
    const s = this.s;
    const type = this.p.type;
    let [vbs, vgs, vds] = this.voltages(solution);
    if (useInitialConditions) {
      const ic = this.initial;
      vds = type * (ic.vds ?? 0);
      vgs = type * (ic.vgs ?? 0);
      vbs = type * (ic.vbs ?? 0);
    }
    state[s + VBS] = vbs;
    state[s + VGS] = vgs;
    state[s + VDS] = vds;
    const point = this.base;
    this.terminal(vgs, vds, vbs, point, true);
    const nqs = this.geometry.trnqsMod === 1;
    state[s + QG] = nqs ? point.qg - point.qgi : point.qg;
    state[s + QD] = nqs ? point.qd - point.qdi : point.qd;
    state[s + QB] = nqs ? point.qb - point.qbi : point.qb;
    if (nqs) {
      state[s + QDEF] = useInitialConditions ? 0 : NQS_SCALE * type * solution[this.stamp.unknowns[Q_NODE]];
      state[s + QCHEQ] = point.qcheq;
    }
    let vsbs = vbs;
    let vdbs = vbs;
    if (this.bodyResistances && !useInitialConditions) {
      vsbs = type * this.stamp.voltage(solution, SB, S);
      vdbs = type * this.stamp.voltage(solution, DB, S);
    }
    state[s + VSBS] = vsbs;
    state[s + VDBS] = vdbs;
    if (this.rgateMod === 3) {
      const st = this.stamp;
      const p = this.p;
      // With uic the mid gate sits at the gate's IC voltage.
      const vgms = useInitialConditions ? vgs : type * st.voltage(solution, G_MID, S);
      const vgmd = useInitialConditions ? vgs - vds : type * st.voltage(solution, G_MID, D);
      const vgmb = useInitialConditions ? vgs - vbs : type * st.voltage(solution, G_MID, B);
      state[s + QGSO] = overlap(p, vgms, true);
      state[s + QGDO] = overlap(p, vgmd, false);
      state[s + QGBO] = p.cgbo * vgmb;
      this.midCaps[0] = (overlap(p, vgms + STEP, true) - state[s + QGSO]) / STEP;
      this.midCaps[1] = (overlap(p, vgmd + STEP, false) - state[s + QGDO]) / STEP;
      this.midCaps[2] = p.cgbo;
    }
    state[s + QBS] = this.junctionCharge(this.source, vsbs)[0];
    state[s + QBD] = this.junctionCharge(this.drain, vdbs - vds)[0];
  }
}

/**
 * Body resistance network (manual ch. 6 "substrate resistance network"; b4temp.c), as conductances GBMIN + 1/R
 * (1e3 S below 1 mohm):
 *   rbodyMod = 1: instance RBDB RBSB RBPB RBPS RBPD or the model's (default 50 ohm);
 *   rbodyMod = 2: the scalable network R = R0·(Leff/1um)^L·(Weff/1um)^W·NF^NF (RBPS0/L/W/NF, RBPD0..., RBPB the
 *   parallel of its X and Y parts RBPBX0.. and RBPBY0.., RBSB/RBDB of RBSBX0/RBSBY0 and RBDBX0/RBDBY0 with the
 *   shared RBSDBXL.. and RBSDBYL.. exponents). As ngspice, the parts a card does not give switch branches off:
 *   without RBPS0 or RBPD0 only RBPB remains (RBPS, RBPD shorted at 1e3 S, RBSB, RBDB open at GBMIN); with them
 *   but without the RBSB/RBDB X or Y values, RBSB and RBDB are open (GBMIN).
 */
function bodyResistances(
  model: Bsim4Card,
  instance: Record<string, number>,
  mode: number,
  leff: number,
  weff: number,
  nf: number,
): { pb: number; pd: number; ps: number; db: number; sb: number } | undefined {
  if (mode !== 1 && mode !== 2) return undefined;
  const gbmin = model.value('gbmin');
  const conductance = (r: number) => (r < 1e-3 ? 1e3 : gbmin + 1 / r);
  if (mode === 1) {
    const g = (name: string) => conductance(instance[name] ?? model.value(name));
    return { pb: g('rbpb'), pd: g('rbpd'), ps: g('rbps'), db: g('rbdb'), sb: g('rbsb') };
  }
  const v = (name: string) => model.value(name);
  const lnl = Math.log(leff * 1e6);
  const lnw = Math.log(weff * 1e6);
  const lnnf = Math.log(nf);
  const scaled = (r0: number, l: string, w: string, f: string) =>
    r0 * Math.exp(v(l) * lnl + v(w) * lnw + v(f) * lnnf);
  const parallel = (a: number, b: number) => (a * b) / (a + b);
  const rbpb = parallel(
    scaled(v('rbpbx0'), 'rbpbxl', 'rbpbxw', 'rbpbxnf'),
    scaled(v('rbpby0'), 'rbpbyl', 'rbpbyw', 'rbpbynf'),
  );
  const given = (name: string) => model.given(name);
  if (!given('rbps0') || !given('rbpd0')) {
    return { pb: conductance(rbpb), pd: 1e3, ps: 1e3, db: gbmin, sb: gbmin };
  }
  const ps = conductance(scaled(v('rbps0'), 'rbpsl', 'rbpsw', 'rbpsnf'));
  const pd = conductance(scaled(v('rbpd0'), 'rbpdl', 'rbpdw', 'rbpdnf'));
  if ((!given('rbsbx0') && !given('rbsby0')) || (!given('rbdbx0') && !given('rbdby0'))) {
    return { pb: conductance(rbpb), pd, ps, db: gbmin, sb: gbmin };
  }
  const xy = (x0: string, y0: string) =>
    parallel(
      scaled(v(x0), 'rbsdbxl', 'rbsdbxw', 'rbsdbxnf'),
      scaled(v(y0), 'rbsdbyl', 'rbsdbyw', 'rbsdbynf'),
    );
  return {
    pb: conductance(rbpb),
    pd,
    ps,
    db: conductance(xy('rbdbx0', 'rbdby0')),
    sb: conductance(xy('rbsbx0', 'rbsby0')),
  };
}

/** ngspice's DEXP: exp(x) continued linearly above EXP_THRESHOLD, MIN_EXP below −EXP_THRESHOLD. */
function expLimited(x: number): number {
  return x > EXP_THRESHOLD ? MAX_EXP * (1 + x - EXP_THRESHOLD) : x < -EXP_THRESHOLD ? MIN_EXP : Math.exp(x);
}

function expSlope(x: number): number {
  return x > EXP_THRESHOLD ? MAX_EXP : x < -EXP_THRESHOLD ? 0 : Math.exp(x);
}

/**
 * Gate-source (or gate-drain) overlap charge at the n-type voltage v across it (manual ch. 7): linear CGSO/CGDO
 * for capMod = 0, else with the bias-dependent lightly-doped-drain part CGSL/CGDL and CKAPPAS/CKAPPAD. Per
 * finger, times NF.
 */
function overlap(p: Bsim4Sized, v: number, source: boolean): number {
  if (p.capMod === 0) return (source ? p.cgso : p.cgdo) * v * p.nf;
  return source
    ? overlapCharge(v, p.cgso, p.weffCV * p.cgsl, p.ckappas) * p.nf
    : overlapCharge(v, p.cgdo, p.weffCV * p.cgdl, p.ckappad) * p.nf;
}

/** Overlap charge of capMod 1/2 (b4ld.c's qgso/qgdo): Cgo·V plus the LDD part that saturates in accumulation. */
function overlapCharge(v: number, cgo: number, cgl: number, ckappa: number): number {
  const DELTA_1 = 0.02;
  const t0 = v + DELTA_1;
  const t1 = Math.sqrt(t0 * t0 + 4 * DELTA_1);
  const t2 = 0.5 * (t0 - t1);
  const t4 = Math.sqrt(1 - (4 * t2) / ckappa);
  return (cgo + cgl) * v - cgl * (t2 + 0.5 * ckappa * (t4 - 1));
}

const SUPPORTED_SWITCHES: Record<string, number[]> = {
  capmod: [0, 1, 2],
  diomod: [0, 1, 2],
  rdsmod: [0, 1],
  rbodymod: [0, 1, 2],
  rgatemod: [0, 1, 2, 3],
  igcmod: [0, 1, 2],
  igbmod: [0, 1],
  trnqsmod: [0, 1],
  acnqsmod: [0, 1],
  mtrlmod: [0, 1],
  mtrlcompatmod: [0, 1],
  mobmod: [0, 1, 2],
  tempmod: [0, 1, 2, 3],
  geomod: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  permod: [0, 1],
  gidlmod: [0, 1],
};

/** Build a BSIM4 device from an M card whose model has LEVEL = 54 or 14. */
export function createBsim4(card: ElementCard, ctx: DeviceBuildContext, modelCard: ModelCard): Bsim4 {
  const model = new Bsim4Card(modelCard);
  for (const [name, values] of Object.entries(SUPPORTED_SWITCHES)) {
    const value = model.flag(name);
    if (!values.includes(value)) {
      throw new CircuitError(
        `${card.name}: BSIM4 model ${modelCard.name} sets ${name.toUpperCase()} = ${value}, which SpiceSim's BSIM4 does not implement yet`,
        modelCard.loc,
        `supported: ${name.toUpperCase()} = ${values.join(' or ')} (see the BSIM4 section of solver/README.md)`,
      );
    }
  }
  const version = modelCard.params.version;
  if (version !== undefined && !(version >= 4.8 && version < 4.9)) {
    ctx.circuit.diagnostics.push({
      severity: 'warning',
      message: `${modelCard.name}: BSIM4 version ${version} requested, version 4.8 is simulated (as ngspice 39)`,
      loc: modelCard.loc,
    });
  }
  const p = card.params;
  const o = ctx.circuit.options;
  // Instance model selectors override the model's; an out-of-range one falls back to the model's value with a
  // warning (b4set.c). ngspice accepts only 0 or 1 for an instance RGEOMOD (the model's RGEOMOD takes 0-8).
  const selector = (name: string, allowed: number[]): number => {
    const global = model.flag(name);
    const value = p[name];
    if (value === undefined) return global;
    if (allowed.includes(Math.round(value))) return Math.round(value);
    ctx.circuit.diagnostics.push({
      severity: 'warning',
      message: `${card.name}: instance ${name.toUpperCase()} = ${value} is not one of ${allowed.join(', ')}; the model's ${global} is used (as ngspice)`,
      loc: card.loc,
    });
    return global;
  };
  const geometry: Bsim4Geometry = {
    l: p.l ?? (typeof o.defl === 'number' ? o.defl : 5e-6),
    w: p.w ?? (typeof o.defw === 'number' ? o.defw : 5e-6),
    nf: p.nf ?? 1,
    ad: p.ad,
    as: p.as,
    pd: p.pd,
    ps: p.ps,
    sa: p.sa ?? 0,
    sb: p.sb ?? 0,
    // SD defaults to 2·DMCG (b4set.c).
    sd: p.sd ?? 2 * model.value('dmcg'),
    mulu0: p.mulu0 ?? 1,
    delvto: p.delvto ?? 0,
    sca: p.sca,
    scb: p.scb,
    scc: p.scc,
    sc: p.sc,
    geoMod: Math.round(p.geomod ?? model.value('geomod')),
    minSD: Math.round(p.min ?? 0),
    rgateMod: selector('rgatemod', [0, 1, 2, 3]),
    xgw: p.xgw,
    ngcon: p.ngcon,
    trnqsMod: selector('trnqsmod', [0, 1]),
    acnqsMod: selector('acnqsmod', [0, 1]),
  };
  if (!(geometry.nf >= 1) || geometry.nf !== Math.round(geometry.nf)) {
    throw new CircuitError(
      `${card.name}: NF = ${geometry.nf} must be a positive integer`,
      card.loc,
      'write nf=1, 2, ...',
    );
  }
  if (card.nodes.length < 4) {
    throw new CircuitError(
      `${card.name} needs 4 nodes (drain gate source bulk)`,
      card.loc,
      `write '${card.name} d g s b model'`,
    );
  }
  const tnom = (modelCard.params.tnom ?? ctx.options.tnom) + CELSIUS_TO_KELVIN;
  const kelvin = ctx.options.temp + CELSIUS_TO_KELVIN;
  const { sized } = sizeDependent(model, geometry, kelvin, tnom, { name: card.name, loc: card.loc });
  if (model.flag('wpemod') !== 0) {
    const messages = wellProximity(model, geometry).warnings;
    if (sized.wpeMobility <= 0) messages.push('KU0WE is negatively too high: negative mobility');
    for (const message of messages) {
      ctx.circuit.diagnostics.push({
        severity: 'warning',
        message: `${card.name} (${modelCard.name}): ${message}`,
        loc: card.loc,
      });
    }
  }
  // Source/drain series resistances (b4set.c creates the internal nodes when rdsMod = 1, or when RSH > 0 and
  // either the squares NRS/NRD are positive or, without them, RGEOMOD gives a positive layout resistance;
  // b4temp.c: RSH·NRS, else the RGEOMOD resistance, else 1e3 S on a created node).
  const rsh = model.value('rsh');
  const rdsMod = model.flag('rdsmod');
  // ngspice 39 quirk, matched: the model's RGEOMOD is read as a flag (any nonzero value becomes 1, `show` prints
  // rgeomod 1), so only RGEOMOD = 1 (wide contacts on both sides) is ever simulated; the manual's point-contact
  // variants 2-8 (diffusionResistance implements them) are not reachable from a card, as in ngspice.
  const modelRgeo = model.flag('rgeomod');
  if (!(modelRgeo >= 0 && modelRgeo <= 8)) {
    throw new CircuitError(
      `${card.name}: model ${modelCard.name} sets RGEOMOD = ${modelRgeo}, which is not one of 0-8`,
      modelCard.loc,
      'write rgeomod=0 (no layout resistance) to 8',
    );
  }
  const rgeoMod =
    p.rgeomod !== undefined && [0, 1].includes(Math.round(p.rgeomod))
      ? Math.round(p.rgeomod)
      : selector('rgeomod', [0, 1]) !== 0
        ? 1
        : 0;
  // tnoiMod = 1 in a deck with .noise: internal source/drain nodes even without resistance (1e3 S), as ngspice's
  // b4set.c makes them, so the holistic model's source-side noise (noise.ts) has its resistor.
  const noiseNodes =
    Math.round(modelCard.params.tnoimod ?? 0) === 1 &&
    ctx.circuit.analyses.some((a) => a.kind === 'noise' || (a.kind === 'other' && a.name === 'noise'));
  const series = (squares: number | undefined, source: boolean): number => {
    let r = 0;
    if (squares !== undefined) r = rsh * squares;
    else if (rgeoMod > 0) {
      r = diffusionResistance(
        geometry.nf,
        geometry.geoMod,
        rgeoMod,
        geometry.minSD,
        sized.weffCJ,
        rsh,
        model.value('dmcg') - model.value('dmcgt'),
        model.value('dmci'),
        model.value('dmdg') - model.value('dmcgt'),
        source,
      );
    }
    const node =
      rdsMod !== 0 ||
      noiseNodes ||
      (rsh > 0 && (squares !== undefined ? squares > 0 : rgeoMod !== 0 && r > 0));
    if (!node) return 0;
    return r > 0 ? 1 / r : 1e3;
  };
  const drainConductance = series(p.nrd, false);
  const sourceConductance = series(p.nrs, true);
  const device = new Bsim4(
    card.name,
    card.nodes.slice(0, 4),
    model,
    geometry,
    p.m ?? 1,
    (p.off ?? 0) !== 0,
    { vds: p.ic, vgs: p.ic2, vbs: p.ic3 },
    p.temp,
    p.dtemp ?? 0,
    tnom,
    ctx.options.reltol,
    ctx.options.abstol,
    card.loc,
    drainConductance,
    sourceConductance,
    geometry.rgateMod ?? 0,
    bodyResistances(model, p, selector('rbodymod', [0, 1, 2]), sized.leff, sized.weff, geometry.nf),
  );
  if (model.flag('paramchk') !== 0) {
    let messages: string[];
    try {
      messages = checkModel(model, sized);
    } catch (error) {
      throw new CircuitError(
        `${card.name} (${modelCard.name}): ${(error as Error).message}`,
        modelCard.loc,
        'fix the model card or the instance geometry',
      );
    }
    for (const message of messages) {
      ctx.circuit.diagnostics.push({
        severity: 'warning',
        message: `${card.name} (${modelCard.name}): ${message}`,
        loc: card.loc,
      });
    }
  }
  return device;
}
