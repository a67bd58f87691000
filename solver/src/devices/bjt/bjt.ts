/**
 * Bipolar junction transistor, Gummel-Poon model as SPICE2/ngspice (ngspice manual ch. 8; bjtload.c;
 * Getreu, "Modeling the Bipolar Transistor"):
 *   Q c b e [s] model [area] [off] [ic=vbe,vce] [m=] [temp=|dtemp=]
 * Transport currents IS·(exp(v/(NF|NR·vt)) − 1) divided by the base charge qb (Early effect VAF/VAR,
 * high injection IKF/IKR), non-ideal base currents ISE/NE and ISC/NC, bias-dependent base resistance
 * (RB, RBM, IRB), RC and RE (internal nodes), base-emitter charge TF·(1 + XTF·...)·ibe/qb + depletion
 * (CJE/VJE/MJE), base-collector charge TR·ibc + depletion split XCJC between the internal and external base,
 * substrate junction capacitance (CJS/VJS/MJS, to the internal collector: vertical transistor), excess
 * phase PTF (Weil's second-order filter on the forward current), temperature scaling XTB/EG/XTI.
 */
import type { ElementCard } from '../../circuit/flat';
import { CircuitError } from '../../errors';
import {
  type AcLoadContext,
  CELSIUS_TO_KELVIN,
  type Device,
  type DeviceBuildContext,
  type LoadContext,
  type NoiseContext,
  type SetupContext,
  type TruncateContext,
} from '../device';
import {
  LocalStamp,
  SQRT2,
  currentConverged,
  junctionAtTemperature,
  param,
  limitJunction,
  predictedVoltage,
  thermalVoltage,
  withinTolerance,
} from '../semiconductor';

export interface BjtModel {
  type: 1 | -1;
  is: number;
  bf: number;
  nf: number;
  /** Inverse Early voltages and knee currents (0 when not given: infinite). */
  invVaf: number;
  invVar: number;
  invIkf: number;
  invIkr: number;
  ise: number;
  ne: number;
  br: number;
  nr: number;
  isc: number;
  nc: number;
  rb: number;
  irb: number;
  rbm: number;
  re: number;
  rc: number;
  cje: number;
  vje: number;
  mje: number;
  tf: number;
  xtf: number;
  /** 1/(1.44·VTF), 0 when VTF is not given. */
  ovtf: number;
  itf: number;
  ptf: number;
  cjc: number;
  vjc: number;
  mjc: number;
  xcjc: number;
  tr: number;
  cjs: number;
  vjs: number;
  mjs: number;
  xtb: number;
  eg: number;
  xti: number;
  fc: number;
  tnom: number;
  /** Flicker noise coefficient and exponent. */
  kf: number;
  af: number;
}

const inverse = (p: Record<string, number>, name: string): number => {
  const value = p[name];
  return value === undefined || value === 0 ? 0 : 1 / value;
};

export function bjtModel(type: string, p: Record<string, number>, defaultTnom: number): BjtModel {
  const rb = param(p, 0, 'rb');
  const vtf = p.vtf;
  return {
    type: type === 'pnp' ? -1 : 1,
    is: param(p, 1e-16, 'is'),
    bf: param(p, 100, 'bf'),
    nf: param(p, 1, 'nf'),
    invVaf: inverse(p, 'vaf') || inverse(p, 'va'),
    invVar: inverse(p, 'var') || inverse(p, 'vb'),
    invIkf: inverse(p, 'ikf') || inverse(p, 'ik'),
    invIkr: inverse(p, 'ikr'),
    ise: param(p, 0, 'ise'),
    ne: param(p, 1.5, 'ne'),
    br: param(p, 1, 'br'),
    nr: param(p, 1, 'nr'),
    isc: param(p, 0, 'isc'),
    nc: param(p, 2, 'nc'),
    rb,
    irb: param(p, 0, 'irb'),
    rbm: param(p, rb, 'rbm'),
    re: param(p, 0, 're'),
    rc: param(p, 0, 'rc'),
    cje: param(p, 0, 'cje'),
    vje: param(p, 0.75, 'vje', 'pe'),
    mje: param(p, 0.33, 'mje', 'me'),
    tf: param(p, 0, 'tf'),
    xtf: param(p, 0, 'xtf'),
    ovtf: vtf === undefined || vtf === 0 ? 0 : 1 / (vtf * 1.44),
    itf: param(p, 0, 'itf'),
    ptf: param(p, 0, 'ptf'),
    cjc: param(p, 0, 'cjc'),
    vjc: param(p, 0.75, 'vjc', 'pc'),
    mjc: param(p, 0.33, 'mjc', 'mc'),
    xcjc: param(p, 1, 'xcjc'),
    tr: param(p, 0, 'tr'),
    cjs: param(p, 0, 'cjs', 'ccs'),
    vjs: param(p, 0.75, 'vjs', 'ps'),
    mjs: param(p, 0, 'mjs', 'ms'),
    xtb: param(p, 0, 'xtb'),
    eg: param(p, 1.11, 'eg'),
    xti: param(p, 3, 'xti', 'pt'),
    fc: Math.min(param(p, 0.5, 'fc'), 0.9999),
    tnom: (p.tnom ?? defaultTnom) + CELSIUS_TO_KELVIN,
    kf: p.kf ?? 0,
    af: p.af ?? 1,
  };
}

interface BjtTemperature {
  vt: number;
  /** Area-scaled saturation and leakage currents. */
  csat: number;
  c2: number;
  c4: number;
  betaF: number;
  betaR: number;
  vcrit: number;
  bePotential: number;
  beCap: number;
  bcPotential: number;
  bcCap: number;
  subPotential: number;
  subCap: number;
}

/** A graded junction's depletion charge with the FC linearisation (bjtload.c's f1/f2/f3 form). */
function junction(v: number, czero: number, pb: number, m: number, fc: number): [number, number] {
  if (czero === 0) return [0, 0];
  const fcp = fc * pb;
  if (v < fcp) {
    const arg = 1 - v / pb;
    const sarg = Math.exp(-m * Math.log(arg));
    return [(pb * czero * (1 - arg * sarg)) / (1 - m), czero * sarg];
  }
  const xfc = Math.log(1 - fc);
  const f1 = (pb * (1 - Math.exp((1 - m) * xfc))) / (1 - m);
  const f2 = Math.exp((1 + m) * xfc);
  const f3 = 1 - fc * (1 + m);
  const czf2 = czero / f2;
  return [
    czero * f1 + czf2 * (f3 * (v - fcp) + (m / (pb + pb)) * (v * v - fcp * fcp)),
    czf2 * (f3 + (m * v) / pb),
  ];
}

// Local terminals.
const C = 0;
const B = 1;
const E = 2;
const S = 3;
const CP = 4;
const BP = 5;
const EP = 6;

// State slots.
const VBE = 0;
const VBC = 1;
const QBE = 2;
const QBC = 4;
const QCS = 6;
const QBX = 8;
const CEXBC = 10;
const STATE_SIZE = 11;

export class Bjt implements Device {
  readonly nonlinear = true;
  private st!: LocalStamp;
  private s = 0;
  private t!: BjtTemperature;
  private readonly gcpr: number;
  private readonly gepr: number;
  private readonly rbpr: number;
  private readonly rbpi: number;
  private readonly excessPhase: number;
  // Last load, for the convergence test and AC.
  private cc = 0;
  private cb = 0;
  private gpi = 0;
  private gmu = 0;
  private gm = 0;
  private go = 0;
  private gx = 0;
  private capbe = 0;
  private capbc = 0;
  private capbx = 0;
  private capcs = 0;
  private geqcbAc = 0;
  /** Device temperature, kelvin (thermal noise of RB, RC, RE). */
  private kelvin = 300.15;

  constructor(
    readonly name: string,
    private readonly nodes: string[],
    readonly model: BjtModel,
    private readonly area: number,
    private readonly off: boolean,
    private readonly initial: { vbe?: number; vce?: number },
    private readonly instanceTemperature: number | undefined,
    private readonly deltaTemperature: number,
    private readonly reltol: number,
    private readonly abstol: number,
  ) {
    this.gcpr = model.rc > 0 ? area / model.rc : 0;
    this.gepr = model.re > 0 ? area / model.re : 0;
    this.rbpr = model.rbm / area;
    this.rbpi = model.rb / area - this.rbpr;
    this.excessPhase = ((model.ptf * Math.PI) / 180) * model.tf;
  }

  setup(ctx: SetupContext): void {
    const [c, b, e] = this.nodes.slice(0, 3).map((n) => ctx.node(n));
    const sub = ctx.node(this.nodes[3] ?? '0');
    const cp = this.gcpr > 0 ? ctx.node(`${this.name}#collector`) : c;
    const bp = this.model.rb > 0 ? ctx.node(`${this.name}#base`) : b;
    const ep = this.gepr > 0 ? ctx.node(`${this.name}#emitter`) : e;
    this.st = new LocalStamp(ctx, [c, b, e, sub, cp, bp, ep]);
    this.s = ctx.states(STATE_SIZE);
  }

  temperature(kelvin: number): void {
    const m = this.model;
    const t =
      this.instanceTemperature !== undefined
        ? this.instanceTemperature + CELSIUS_TO_KELVIN
        : kelvin + this.deltaTemperature;
    this.kelvin = t;
    const vt = thermalVoltage(t);
    const ratlog = Math.log(t / m.tnom);
    const ratio1 = t / m.tnom - 1;
    const factlog = (ratio1 * m.eg) / vt + m.xti * ratlog;
    const factor = Math.exp(factlog);
    const bfactor = Math.exp(ratlog * m.xtb);
    const be = junctionAtTemperature(m.vje, m.cje, m.mje, t, m.tnom);
    const bc = junctionAtTemperature(m.vjc, m.cjc, m.mjc, t, m.tnom);
    const sub = junctionAtTemperature(m.vjs, m.cjs, m.mjs, t, m.tnom);
    const csat = m.is * factor * this.area;
    this.t = {
      vt,
      csat,
      c2: ((m.ise * Math.exp(factlog / m.ne)) / bfactor) * this.area,
      c4: ((m.isc * Math.exp(factlog / m.nc)) / bfactor) * this.area,
      betaF: m.bf * bfactor,
      betaR: m.br * bfactor,
      vcrit: vt * Math.log(vt / (SQRT2 * csat)),
      bePotential: be.potential,
      beCap: be.capacitance * this.area,
      bcPotential: bc.potential,
      bcCap: bc.capacitance * this.area,
      subPotential: sub.potential,
      subCap: sub.capacitance * this.area,
    };
  }

  private junctionVoltages(solution: Float64Array): { vbe: number; vbc: number } {
    const type = this.model.type;
    return { vbe: type * this.st.voltage(solution, BP, EP), vbc: type * this.st.voltage(solution, BP, CP) };
  }

  load(ctx: LoadContext): void {
    const { model, t } = this;
    const type = model.type;
    const s = this.s;
    const state = ctx.state[0];
    const st = this.st;
    const solution = ctx.solution;
    let vbe: number;
    let vbc: number;
    if (ctx.initJunctions) {
      if (ctx.mode === 'tranop' && (this.initial.vbe !== undefined || this.initial.vce !== undefined)) {
        vbe = type * (this.initial.vbe ?? 0);
        vbc = vbe - type * (this.initial.vce ?? 0);
      } else if (this.off) {
        vbe = 0;
        vbc = 0;
      } else {
        vbe = t.vcrit;
        vbc = 0;
      }
    } else {
      const predicting = ctx.firstIteration && ctx.mode === 'tran';
      if (predicting) {
        vbe = predictedVoltage(ctx.state, ctx.timesteps, s + VBE);
        vbc = predictedVoltage(ctx.state, ctx.timesteps, s + VBC);
      } else {
        ({ vbe, vbc } = this.junctionVoltages(solution));
        if (ctx.bypass && this.canBypass(ctx, vbe, vbc)) {
          ctx.bypassed();
          this.stampLoad(ctx);
          return;
        }
      }
      const old = predicting ? ctx.state[1] : state;
      vbe = limitJunction(vbe, old[s + VBE], t.vt, t.vcrit, ctx);
      vbc = limitJunction(vbc, old[s + VBC], t.vt, t.vcrit, ctx);
    }
    const vbx = type * st.voltage(solution, B, CP);
    const vcs = type * st.voltage(solution, S, CP);
    const gmin = ctx.gmin;

    // DC currents and their derivatives.
    this.junctionDiode(vbe, t.csat, t.vt * model.nf);
    const cbe = this.diodeCurrent;
    const gbe = this.diodeConductance;
    this.junctionDiode(vbe, t.c2, t.vt * model.ne);
    const cben = this.diodeCurrent + gmin * vbe;
    const gben = this.diodeConductance + gmin;
    this.junctionDiode(vbc, t.csat, t.vt * model.nr);
    const cbc = this.diodeCurrent;
    const gbc = this.diodeConductance;
    this.junctionDiode(vbc, t.c4, t.vt * model.nc);
    const cbcn = this.diodeCurrent + gmin * vbc;
    const gbcn = this.diodeConductance + gmin;

    // Base charge: Early effect and high injection.
    const oik = model.invIkf / this.area;
    const oikr = model.invIkr / this.area;
    const q1 = 1 / (1 - model.invVaf * vbc - model.invVar * vbe);
    let qb: number;
    let dqbdve: number;
    let dqbdvc: number;
    if (oik === 0 && oikr === 0) {
      qb = q1;
      dqbdve = q1 * qb * model.invVar;
      dqbdvc = q1 * qb * model.invVaf;
    } else {
      const q2 = oik * cbe + oikr * cbc;
      const arg = Math.max(0, 1 + 4 * q2);
      const sqarg = arg !== 0 ? Math.sqrt(arg) : 1;
      qb = (q1 * (1 + sqarg)) / 2;
      dqbdve = q1 * (qb * model.invVar + (oik * gbe) / sqarg);
      dqbdvc = q1 * (qb * model.invVaf + (oikr * gbc) / sqarg);
    }

    // Excess phase: a second-order delay of the forward transport current (Weil's approximation).
    let cc = 0;
    let cex = cbe;
    let gex = gbe;
    const td = this.excessPhase;
    if (ctx.mode === 'tran' && td !== 0) {
      const delta = ctx.timesteps[0];
      const deltaOld = ctx.timesteps[1];
      let arg1 = delta / td;
      const arg2 = 3 * arg1;
      arg1 = arg2 * arg1;
      const denom = 1 + arg1 + arg2;
      const arg3 = arg1 / denom;
      const prev = ctx.state[1][s + CEXBC];
      const prev2 = ctx.state[2][s + CEXBC];
      cc = (prev * (1 + delta / deltaOld + arg2) - (prev2 * delta) / deltaOld) / denom;
      cex = cbe * arg3;
      gex = gbe * arg3;
      state[s + CEXBC] = cc + cex / qb;
    } else {
      state[s + CEXBC] = cbe / qb;
    }

    cc = cc + (cex - cbc) / qb - cbc / t.betaR - cbcn;
    let cb = cbe / t.betaF + cben + cbc / t.betaR + cbcn;
    let gx = this.rbpr + this.rbpi / qb;
    const xjrb = model.irb * this.area;
    if (xjrb !== 0) {
      // Base resistance falling from RB to RBM with current crowding (ngspice's IRB formula).
      let arg1 = Math.max(cb / xjrb, 1e-9);
      const arg2 = (-1 + Math.sqrt(1 + 14.59025 * arg1)) / 2.4317 / Math.sqrt(arg1);
      arg1 = Math.tan(arg2);
      gx = this.rbpr + (3 * this.rbpi * (arg1 - arg2)) / arg2 / arg1 / arg1;
    }
    if (gx !== 0) gx = 1 / gx;
    let gpi = gbe / t.betaF + gben;
    let gmu = gbc / t.betaR + gbcn;
    const go = (gbc + ((cex - cbc) * dqbdvc) / qb) / qb;
    const gm = (gex - ((cex - cbc) * dqbdve) / qb) / qb - go;

    // Charges (needed in transient; capacitances also for AC).
    let geqcb = 0;
    const tf = model.tf;
    let cbeCharge = cbe;
    let gbeCharge = gbe;
    if (tf !== 0 && vbe > 0) {
      let argtf = 0;
      let arg2 = 0;
      let arg3 = 0;
      if (model.xtf !== 0) {
        argtf = model.xtf;
        if (model.ovtf !== 0) argtf *= Math.exp(vbc * model.ovtf);
        arg2 = argtf;
        const xjtf = model.itf * this.area;
        if (xjtf !== 0) {
          const temp = cbe / (cbe + xjtf);
          argtf = argtf * temp * temp;
          arg2 = argtf * (3 - temp - temp);
        }
        arg3 = cbe * argtf * model.ovtf;
      }
      cbeCharge = (cbe * (1 + argtf)) / qb;
      gbeCharge = (gbe * (1 + arg2) - cbeCharge * dqbdve) / qb;
      geqcb = (tf * (arg3 - cbeCharge * dqbdvc)) / qb;
    }
    const [qbeDep, capbeDep] = junction(vbe, t.beCap, t.bePotential, model.mje, model.fc);
    const czbc = t.bcCap * model.xcjc;
    const czbx = t.bcCap - czbc;
    const [qbcDep, capbcDep] = junction(vbc, czbc, t.bcPotential, model.mjc, model.fc);
    const [qbx, capbx] = junction(vbx, czbx, t.bcPotential, model.mjc, model.fc);
    let qcs: number;
    let capcs: number;
    const czcs = t.subCap;
    if (vcs < 0) {
      const arg = 1 - vcs / t.subPotential;
      const sarg = Math.exp(-model.mjs * Math.log(arg));
      qcs = (t.subPotential * czcs * (1 - arg * sarg)) / (1 - model.mjs);
      capcs = czcs * sarg;
    } else {
      qcs = vcs * czcs * (1 + (model.mjs * vcs) / (2 * t.subPotential));
      capcs = czcs * (1 + (model.mjs * vcs) / t.subPotential);
    }
    const qbe = tf * cbeCharge + qbeDep;
    const capbe = tf * gbeCharge + capbeDep;
    const qbc = model.tr * cbc + qbcDep;
    const capbc = model.tr * gbc + capbcDep;
    this.capbe = capbe;
    this.capbc = capbc;
    this.capbx = capbx;
    this.capcs = capcs;
    this.geqcbAc = geqcb;

    let gccs = 0;
    let ceqcs = 0;
    let geqbx = 0;
    let ceqbx = 0;
    if (ctx.mode === 'tran') {
      state[s + QBE] = qbe;
      state[s + QBC] = qbc;
      state[s + QCS] = qcs;
      state[s + QBX] = qbx;
      const ag0 = ctx.ag0;
      geqcb *= ag0;
      const ibe = ctx.integrate(s + QBE);
      const ibc = ctx.integrate(s + QBC);
      gpi += ag0 * capbe;
      cb += ibe;
      gmu += ag0 * capbc;
      cb += ibc;
      cc -= ibc;
      const ics = ctx.integrate(s + QCS);
      gccs = ag0 * capcs;
      ceqcs = type * (ics - vcs * gccs);
      const ibx = ctx.integrate(s + QBX);
      geqbx = ag0 * capbx;
      ceqbx = type * (ibx - vbx * geqbx);
    } else {
      geqcb = 0;
    }

    state[s + VBE] = vbe;
    state[s + VBC] = vbc;
    this.cc = cc;
    this.cb = cb;
    this.gpi = gpi;
    this.gmu = gmu;
    this.gm = gm;
    this.go = go;
    this.gx = gx;

    this.ceqbe = type * (cc + cb - vbe * (gm + go + gpi) + vbc * (go - geqcb));
    this.ceqbc = type * (-cc + vbe * (gm + go) - vbc * (gmu + go));
    this.ceqcs = ceqcs;
    this.ceqbx = ceqbx;
    this.geqcb = geqcb;
    this.gccs = gccs;
    this.geqbx = geqbx;
    this.stampLoad(ctx);
  }

  // The rest of the stamped linearisation of the last evaluation (re-stamped as is when bypassed).
  private ceqbe = 0;
  private ceqbc = 0;
  private ceqcs = 0;
  private ceqbx = 0;
  private geqcb = 0;
  private gccs = 0;
  private geqbx = 0;

  /**
   * Bypass test (ngspice bjtload.c): vbe and vbc within reltol·max + vntol of the last evaluation, and the
   * collector and base currents predicted from its linearisation within reltol·max + abstol.
   */
  private canBypass(ctx: LoadContext, vbe: number, vbc: number): boolean {
    const state = ctx.state[0];
    const s = this.s;
    const { reltol, vntol, abstol } = ctx;
    const vbeLast = state[s + VBE];
    const vbcLast = state[s + VBC];
    if (!withinTolerance(vbe, vbeLast, reltol, vntol) || !withinTolerance(vbc, vbcLast, reltol, vntol))
      return false;
    const delvbe = vbe - vbeLast;
    const delvbc = vbc - vbcLast;
    const cchat = this.cc + (this.gm + this.go) * delvbe - (this.go + this.gmu) * delvbc;
    const cbhat = this.cb + this.gpi * delvbe + this.gmu * delvbc;
    return withinTolerance(cchat, this.cc, reltol, abstol) && withinTolerance(cbhat, this.cb, reltol, abstol);
  }

  /** Stamp the linearisation of the last evaluation (fields set by load). */
  private stampLoad(ctx: LoadContext): void {
    const st = this.st;
    const rhs = ctx.rhs;
    const ceqbx = this.ceqbx;
    const ceqcs = this.ceqcs;
    st.inject(rhs, B, -ceqbx);
    st.inject(rhs, CP, ceqcs + ceqbx + this.ceqbc);
    st.inject(rhs, BP, -this.ceqbe - this.ceqbc);
    st.inject(rhs, EP, this.ceqbe);
    st.inject(rhs, S, -ceqcs);
    this.stampMatrix(
      ctx.matrix,
      this.gpi,
      this.gmu,
      this.gm,
      this.go,
      this.gx,
      this.geqcb,
      this.gccs,
      this.geqbx,
    );
  }

  private diodeCurrent = 0;
  private diodeConductance = 0;

  /** Current and conductance of an ideal junction isat·(exp(v/vtn) − 1), into diodeCurrent/diodeConductance. */
  private junctionDiode(v: number, isat: number, vtn: number): void {
    if (isat === 0) {
      this.diodeCurrent = 0;
      this.diodeConductance = 0;
    } else if (v >= -3 * vtn) {
      const ev = Math.exp(v / vtn);
      this.diodeCurrent = isat * (ev - 1);
      this.diodeConductance = (isat * ev) / vtn;
    } else {
      let arg = (3 * vtn) / (v * Math.E);
      arg = arg * arg * arg;
      this.diodeCurrent = -isat * (1 + arg);
      this.diodeConductance = (isat * 3 * arg) / v;
    }
  }

  private stampMatrix(
    m: Float64Array,
    gpi: number,
    gmu: number,
    gm: number,
    go: number,
    gx: number,
    geqcb: number,
    gccs: number,
    geqbx: number,
  ): void {
    const st = this.st;
    if (this.gcpr > 0) st.conductance(m, C, CP, this.gcpr);
    if (this.gepr > 0) st.conductance(m, E, EP, this.gepr);
    if (gx > 0 && this.model.rb > 0) st.conductance(m, B, BP, gx);
    st.add(m, CP, CP, gmu + go);
    st.add(m, BP, BP, gpi + gmu + geqcb);
    st.add(m, EP, EP, gpi + gm + go);
    st.add(m, CP, BP, -gmu + gm);
    st.add(m, CP, EP, -gm - go);
    st.add(m, BP, CP, -gmu - geqcb);
    st.add(m, BP, EP, -gpi);
    st.add(m, EP, CP, -go + geqcb);
    st.add(m, EP, BP, -gpi - gm - geqcb);
    if (gccs !== 0) st.conductance(m, S, CP, gccs);
    if (geqbx !== 0) st.conductance(m, B, CP, geqbx);
  }

  /**
   * Noise (ngspice bjtnoise.c): thermal noise of RC, RB (its bias-dependent value) and RE; shot noise 2·q·|Ic|
   * (collector-emitter) and 2·q·|Ib| (base-emitter); flicker noise KF·|Ib|^AF/f (base-emitter).
   */
  noise(ctx: NoiseContext): void {
    const u = this.st.unknowns;
    const thermal = 4 * ctx.boltzmann * this.kelvin;
    if (this.gcpr > 0) ctx.source(`${this.name} rc`, u[C], u[CP], thermal * this.gcpr);
    if (this.model.rb > 0 && this.gx > 0) ctx.source(`${this.name} rb`, u[B], u[BP], thermal * this.gx);
    if (this.gepr > 0) ctx.source(`${this.name} re`, u[E], u[EP], thermal * this.gepr);
    ctx.source(`${this.name} ic`, u[CP], u[EP], 2 * ctx.charge * Math.abs(this.cc));
    ctx.source(`${this.name} ib`, u[BP], u[EP], 2 * ctx.charge * Math.abs(this.cb));
    const flicker =
      (this.model.kf * Math.exp(this.model.af * Math.log(Math.max(Math.abs(this.cb), 1e-38)))) /
      ctx.frequency;
    ctx.source(`${this.name} flicker`, u[BP], u[EP], flicker);
  }

  converged(ctx: LoadContext): boolean {
    const s = this.s;
    const state = ctx.state[0];
    const { vbe, vbc } = this.junctionVoltages(ctx.solution);
    const delvbe = vbe - state[s + VBE];
    const delvbc = vbc - state[s + VBC];
    const cchat = this.cc + (this.gm + this.go) * delvbe - (this.go + this.gmu) * delvbc;
    const cbhat = this.cb + this.gpi * delvbe + this.gmu * delvbc;
    return (
      currentConverged(cchat, this.cc, this.reltol, this.abstol) &&
      currentConverged(cbhat, this.cb, this.reltol, this.abstol)
    );
  }

  acLoad(ctx: AcLoadContext): void {
    const st = this.st;
    const re = ctx.re;
    const im = ctx.im;
    const omega = ctx.omega;
    let gm = this.gm;
    const go = this.go;
    let xgm = 0;
    const td = this.excessPhase;
    if (td !== 0) {
      const arg = td * omega;
      gm += go;
      xgm = -gm * Math.sin(arg);
      gm = gm * Math.cos(arg) - go;
    }
    this.stampMatrix(re, this.gpi, this.gmu, gm, go, this.gx, 0, 0, 0);
    const xcpi = this.capbe * omega;
    const xcmu = this.capbc * omega;
    const xcbx = this.capbx * omega;
    const xccs = this.capcs * omega;
    const xcmcb = this.geqcbAc * omega;
    st.add(im, B, B, xcbx);
    st.add(im, CP, CP, xcmu + xccs + xcbx);
    st.add(im, BP, BP, xcpi + xcmu + xcmcb);
    st.add(im, EP, EP, xcpi + xgm);
    st.add(im, CP, BP, -xcmu + xgm);
    st.add(im, CP, EP, -xgm);
    st.add(im, BP, CP, -xcmu - xcmcb);
    st.add(im, BP, EP, -xcpi);
    st.add(im, EP, CP, xcmcb);
    st.add(im, EP, BP, -xcpi - xgm - xcmcb);
    st.add(im, S, S, xccs);
    st.add(im, CP, S, -xccs);
    st.add(im, S, CP, -xccs);
    st.add(im, B, CP, -xcbx);
    st.add(im, CP, B, -xcbx);
  }

  truncate(ctx: TruncateContext): number {
    const s = this.s;
    return Math.min(
      ctx.chargeTimestep(s + QBE),
      ctx.chargeTimestep(s + QBC),
      ctx.chargeTimestep(s + QCS),
      ctx.chargeTimestep(s + QBX),
    );
  }

  initialConditions(solution: Float64Array, state: Float64Array, useInitialConditions: boolean): void {
    const s = this.s;
    const type = this.model.type;
    let { vbe, vbc } = this.junctionVoltages(solution);
    if (useInitialConditions && (this.initial.vbe !== undefined || this.initial.vce !== undefined)) {
      vbe = type * (this.initial.vbe ?? 0);
      vbc = vbe - type * (this.initial.vce ?? 0);
    }
    state[s + VBE] = vbe;
    state[s + VBC] = vbc;
    this.fillCharges(solution, state, vbe, vbc);
  }

  /** Charges at the given junction voltages (as `load` computes them), for the first transient point. */
  private fillCharges(solution: Float64Array, state: Float64Array, vbe: number, vbc: number): void {
    const { model, t } = this;
    const s = this.s;
    const type = model.type;
    const cbe = vbe >= -3 * t.vt * model.nf ? t.csat * (Math.exp(vbe / (t.vt * model.nf)) - 1) : -t.csat;
    const cbc = vbc >= -3 * t.vt * model.nr ? t.csat * (Math.exp(vbc / (t.vt * model.nr)) - 1) : -t.csat;
    const q1 = 1 / (1 - model.invVaf * vbc - model.invVar * vbe);
    const oik = model.invIkf / this.area;
    const oikr = model.invIkr / this.area;
    let qb = q1;
    if (oik !== 0 || oikr !== 0) {
      const arg = Math.max(0, 1 + 4 * (oik * cbe + oikr * cbc));
      qb = (q1 * (1 + (arg !== 0 ? Math.sqrt(arg) : 1))) / 2;
    }
    let cbeCharge = cbe;
    if (model.tf !== 0 && vbe > 0) {
      let argtf = 0;
      if (model.xtf !== 0) {
        argtf = model.xtf;
        if (model.ovtf !== 0) argtf *= Math.exp(vbc * model.ovtf);
        const xjtf = model.itf * this.area;
        if (xjtf !== 0) {
          const temp = cbe / (cbe + xjtf);
          argtf = argtf * temp * temp;
        }
      }
      cbeCharge = (cbe * (1 + argtf)) / qb;
    }
    const vbx = type * this.st.voltage(solution, B, CP);
    const vcs = type * this.st.voltage(solution, S, CP);
    const czbc = t.bcCap * model.xcjc;
    state[s + QBE] = model.tf * cbeCharge + junction(vbe, t.beCap, t.bePotential, model.mje, model.fc)[0];
    state[s + QBC] = model.tr * cbc + junction(vbc, czbc, t.bcPotential, model.mjc, model.fc)[0];
    state[s + QBX] = junction(vbx, t.bcCap - czbc, t.bcPotential, model.mjc, model.fc)[0];
    const czcs = t.subCap;
    if (vcs < 0) {
      const arg = 1 - vcs / t.subPotential;
      state[s + QCS] =
        (t.subPotential * czcs * (1 - arg * Math.exp(-model.mjs * Math.log(arg)))) / (1 - model.mjs);
    } else {
      state[s + QCS] = vcs * czcs * (1 + (model.mjs * vcs) / (2 * t.subPotential));
    }
    state[s + CEXBC] = cbe / qb;
  }
}

export function createBjt(card: ElementCard, ctx: DeviceBuildContext): Bjt {
  const model = ctx.model(card, ['npn', 'pnp']);
  const p = card.params;
  const area = (p.area ?? 1) * (p.m ?? 1);
  if (!(area > 0)) {
    throw new CircuitError(
      `${card.name}: area and m must be positive`,
      card.loc,
      'remove the area factor or give a positive one',
    );
  }
  return new Bjt(
    card.name,
    card.nodes,
    bjtModel(model.type, model.params, ctx.options.tnom),
    area,
    (p.off ?? 0) !== 0,
    { vbe: p.ic, vce: p.ic2 },
    p.temp,
    p.dtemp ?? 0,
    ctx.options.reltol,
    ctx.options.abstol,
  );
}
