/**
 * JFET level 1: J d g s model [area] [off] [ic=vds,vgs] [temp=|dtemp=] (ngspice manual ch. 9.1; jfetload.c).
 * Shichman-Hodges channel with the Sydney University doping-tail extension B (B = 1 is the square law):
 *   saturation  id = β·(1 + λ·vds)·vgst²·(B + (1−B)·vgst/(PB − VTO))
 *   linear      id = β·(1 + λ·vds)·vds·(vds·((1−B)/(PB−VTO)·vds − B) + vgst·(2B + 3·(1−B)/(PB−VTO)·(vgst − vds)))
 * gate-source and gate-drain diodes (IS, N), depletion charges with grading 1/2 (CGS, CGD, PB, FC),
 * RD/RS (internal nodes), source/drain interchange when vds < 0, pnjlim + fetlim limiting.
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
  depletionCharge,
  fetlim,
  junctionAtTemperature,
  param,
  limitJunction,
  predictedVoltage,
  thermalVoltage,
  withinTolerance,
} from '../semiconductor';

export interface JfetModel {
  type: 1 | -1;
  vto: number;
  beta: number;
  lambda: number;
  rd: number;
  rs: number;
  cgs: number;
  cgd: number;
  pb: number;
  is: number;
  n: number;
  b: number;
  fc: number;
  eg: number;
  xti: number | undefined;
  tnom: number;
  /** Flicker noise coefficient and exponent. */
  kf: number;
  af: number;
}

// Local terminals and state slots.
const D = 0;
const G = 1;
const S = 2;
const DP = 3;
const SP = 4;
const VGS = 0;
const VGD = 1;
const QGS = 2;
const QGD = 4;

export class Jfet implements Device {
  readonly nonlinear = true;
  private st!: LocalStamp;
  private s = 0;
  private readonly gdpr: number;
  private readonly gspr: number;
  private readonly bFactor: number;
  private vt = 0;
  private csat = 0;
  private vcrit = 0;
  private potential = 0;
  private czgs = 0;
  private czgd = 0;
  private threshold = 0;
  // Last load.
  private mode = 1;
  private cd = 0;
  private cg = 0;
  private cgd = 0;
  private gm = 0;
  private gds = 0;
  private ggs = 0;
  private ggd = 0;
  private capgs = 0;
  private capgd = 0;
  /** Device temperature, kelvin (thermal noise). */
  private kelvin = 300.15;

  constructor(
    readonly name: string,
    private readonly nodes: string[],
    readonly model: JfetModel,
    private readonly area: number,
    private readonly off: boolean,
    private readonly initial: { vds?: number; vgs?: number },
    private readonly instanceTemperature: number | undefined,
    private readonly deltaTemperature: number,
    private readonly reltol: number,
    private readonly abstol: number,
  ) {
    this.gdpr = model.rd > 0 ? area / model.rd : 0;
    this.gspr = model.rs > 0 ? area / model.rs : 0;
    this.bFactor = (1 - model.b) / (model.pb - model.vto);
  }

  /**
   * Noise (ngspice jfetnoise.c): thermal noise of RD and RS, channel thermal noise 4kT·(2/3)·|gm|, flicker
   * noise KF·|Id|^AF/f.
   */
  noise(ctx: NoiseContext): void {
    const u = this.st.unknowns;
    const thermal = 4 * ctx.boltzmann * this.kelvin;
    if (this.gdpr > 0) ctx.source(`${this.name} rd`, u[D], u[DP], thermal * this.gdpr);
    if (this.gspr > 0) ctx.source(`${this.name} rs`, u[S], u[SP], thermal * this.gspr);
    ctx.source(`${this.name} id`, u[DP], u[SP], (thermal * 2 * Math.abs(this.gm)) / 3);
    const flicker =
      (this.model.kf * Math.exp(this.model.af * Math.log(Math.max(Math.abs(this.cd), 1e-38)))) /
      ctx.frequency;
    ctx.source(`${this.name} flicker`, u[DP], u[SP], flicker);
  }

  setup(ctx: SetupContext): void {
    const [d, g, s] = this.nodes.map((n) => ctx.node(n));
    const dp = this.gdpr > 0 ? ctx.node(`${this.name}#drain`) : d;
    const sp = this.gspr > 0 ? ctx.node(`${this.name}#source`) : s;
    this.st = new LocalStamp(ctx, [d, g, s, dp, sp]);
    this.s = ctx.states(6);
  }

  temperature(kelvin: number): void {
    const m = this.model;
    const t =
      this.instanceTemperature !== undefined
        ? this.instanceTemperature + CELSIUS_TO_KELVIN
        : kelvin + this.deltaTemperature;
    this.kelvin = t;
    const vt = thermalVoltage(t);
    const ratio1 = t / m.tnom - 1;
    let isat = m.is * Math.exp((ratio1 * m.eg) / vt);
    if (m.xti !== undefined) isat *= Math.pow(ratio1 + 1, m.xti);
    const gs = junctionAtTemperature(m.pb, m.cgs, 0.5, t, m.tnom);
    const gd = junctionAtTemperature(m.pb, m.cgd, 0.5, t, m.tnom);
    this.vt = vt * m.n;
    this.csat = isat * this.area;
    this.vcrit = vt * Math.log(vt / (SQRT2 * isat));
    this.potential = gs.potential;
    this.czgs = gs.capacitance * this.area;
    this.czgd = gd.capacitance * this.area;
    this.threshold = m.vto;
  }

  private voltages(solution: Float64Array): { vgs: number; vgd: number } {
    const type = this.model.type;
    return { vgs: type * this.st.voltage(solution, G, SP), vgd: type * this.st.voltage(solution, G, DP) };
  }

  // Results of gateDiode/channel (fields, not tuples: no allocation per load).
  private diodeCurrent = 0;
  private diodeConductance = 0;
  private channelCurrent = 0;
  private channelGm = 0;
  private channelGds = 0;

  /** Gate junction current and conductance at v (GMIN included), into diodeCurrent/diodeConductance. */
  private gateDiode(v: number, gmin: number): void {
    const vt = this.vt;
    if (v < -3 * vt) {
      let arg = (3 * vt) / (v * Math.E);
      arg = arg * arg * arg;
      this.diodeCurrent = -this.csat * (1 + arg) + gmin * v;
      this.diodeConductance = (this.csat * 3 * arg) / v + gmin;
      return;
    }
    const e = Math.exp(v / vt);
    this.diodeCurrent = this.csat * (e - 1) + gmin * v;
    this.diodeConductance = (this.csat * e) / vt + gmin;
  }

  /** Channel current in normal orientation (vds >= 0), into channelCurrent/channelGm/channelGds. */
  private channel(vgs: number, vds: number): void {
    const { lambda, b } = this.model;
    const beta = this.model.beta * this.area;
    const vgst = vgs - this.threshold;
    if (vgst <= 0) {
      this.channelCurrent = 0;
      this.channelGm = 0;
      this.channelGds = 0;
      return;
    }
    const betap = beta * (1 + lambda * vds);
    const bf = this.bFactor;
    if (vgst >= vds) {
      const apart = 2 * b + 3 * bf * (vgst - vds);
      const cpart = vds * (vds * (bf * vds - b) + vgst * apart);
      this.channelCurrent = betap * cpart;
      this.channelGm = betap * vds * (apart + 3 * bf * vgst);
      this.channelGds = betap * (vgst - vds) * apart + beta * lambda * cpart;
      return;
    }
    const bfv = vgst * bf;
    const cpart = vgst * vgst * (b + bfv);
    this.channelCurrent = betap * cpart;
    this.channelGm = betap * vgst * (2 * b + 3 * bfv);
    this.channelGds = lambda * beta * cpart;
  }

  load(ctx: LoadContext): void {
    const type = this.model.type;
    const s = this.s;
    const state = ctx.state[0];
    let vgs: number;
    let vgd: number;
    if (ctx.initJunctions) {
      const ic = this.initial;
      if (ctx.mode === 'tranop' && (ic.vds !== undefined || ic.vgs !== undefined)) {
        vgs = type * (ic.vgs ?? 0);
        vgd = vgs - type * (ic.vds ?? 0);
      } else if (this.off) {
        vgs = 0;
        vgd = 0;
      } else {
        vgs = -1;
        vgd = -1;
      }
    } else {
      const predicting = ctx.firstIteration && ctx.mode === 'tran';
      if (predicting) {
        vgs = predictedVoltage(ctx.state, ctx.timesteps, s + VGS);
        vgd = predictedVoltage(ctx.state, ctx.timesteps, s + VGD);
      } else {
        ({ vgs, vgd } = this.voltages(ctx.solution));
        if (ctx.bypass && this.canBypass(ctx, vgs, vgd)) {
          ctx.bypassed();
          this.stampLoad(ctx);
          return;
        }
      }
      const old = predicting ? ctx.state[1] : state;
      vgs = fetlim(limitJunction(vgs, old[s + VGS], this.vt, this.vcrit, ctx), old[s + VGS], this.threshold);
      vgd = fetlim(limitJunction(vgd, old[s + VGD], this.vt, this.vcrit, ctx), old[s + VGD], this.threshold);
    }
    const vds = vgs - vgd;
    const gmin = ctx.gmin;
    this.gateDiode(vgs, gmin);
    let cgs = this.diodeCurrent;
    let ggs = this.diodeConductance;
    this.gateDiode(vgd, gmin);
    let cgd = this.diodeCurrent;
    let ggd = this.diodeConductance;
    this.mode = vds >= 0 ? 1 : -1;
    if (this.mode === 1) this.channel(vgs, vds);
    else this.channel(vgd, -vds);
    const cdrain = this.channelCurrent;
    const gm = this.channelGm;
    const gds = this.channelGds;

    const qgs = depletionCharge(vgs, this.czgs, this.potential, 0.5, this.model.fc, this.chargeGs);
    const qgd = depletionCharge(vgd, this.czgd, this.potential, 0.5, this.model.fc, this.chargeGd);
    this.capgs = qgs.capacitance;
    this.capgd = qgd.capacitance;
    if (ctx.mode === 'tran') {
      state[s + QGS] = qgs.charge;
      state[s + QGD] = qgd.charge;
      cgs += ctx.integrate(s + QGS);
      cgd += ctx.integrate(s + QGD);
      ggs += ctx.ag0 * qgs.capacitance;
      ggd += ctx.ag0 * qgd.capacitance;
    }
    state[s + VGS] = vgs;
    state[s + VGD] = vgd;
    this.cg = cgs + cgd;
    this.cgd = cgd;
    this.cd = this.mode * cdrain - cgd;
    this.gm = gm;
    this.gds = gds;
    this.ggs = ggs;
    this.ggd = ggd;

    this.ceqgs = type * (cgs - ggs * vgs);
    this.ceqgd = type * (cgd - ggd * vgd);
    this.cdreq = type * (cdrain - gm * (this.mode === 1 ? vgs : vgd) - gds * this.mode * vds);
    this.stampLoad(ctx);
  }

  // The rest of the stamped linearisation of the last evaluation (re-stamped as is when bypassed).
  private ceqgs = 0;
  private ceqgd = 0;
  private cdreq = 0;
  private readonly chargeGs = { charge: 0, capacitance: 0 };
  private readonly chargeGd = { charge: 0, capacitance: 0 };

  /**
   * Bypass test (ngspice jfetload.c): vgs and vgd within reltol·max + vntol of the last evaluation, and the
   * gate and drain currents predicted from its linearisation within reltol·max + abstol.
   */
  private canBypass(ctx: LoadContext, vgs: number, vgd: number): boolean {
    const state = ctx.state[0];
    const s = this.s;
    const { reltol, vntol, abstol } = ctx;
    const vgsLast = state[s + VGS];
    const vgdLast = state[s + VGD];
    if (!withinTolerance(vgs, vgsLast, reltol, vntol) || !withinTolerance(vgd, vgdLast, reltol, vntol))
      return false;
    const delvgs = vgs - vgsLast;
    const delvgd = vgd - vgdLast;
    const delvds = delvgs - delvgd;
    const cghat = this.cg + this.ggd * delvgd + this.ggs * delvgs;
    const cdhat =
      this.mode >= 0
        ? this.cd - this.ggd * delvgd + this.gm * delvgs + this.gds * delvds
        : this.cd - (this.ggd - this.gm) * delvgd + this.gds * delvds;
    return withinTolerance(cghat, this.cg, reltol, abstol) && withinTolerance(cdhat, this.cd, reltol, abstol);
  }

  /** Stamp the linearisation of the last evaluation (fields set by load). */
  private stampLoad(ctx: LoadContext): void {
    const m = ctx.matrix;
    const st = this.st;
    if (this.gdpr > 0) st.conductance(m, D, DP, this.gdpr);
    if (this.gspr > 0) st.conductance(m, S, SP, this.gspr);
    st.conductance(m, G, SP, this.ggs);
    st.conductance(m, G, DP, this.ggd);
    st.current(ctx.rhs, G, SP, this.ceqgs);
    st.current(ctx.rhs, G, DP, this.ceqgd);
    const dd = this.mode === 1 ? DP : SP;
    const ss = this.mode === 1 ? SP : DP;
    st.transconductance(m, dd, ss, G, ss, this.gm);
    st.conductance(m, dd, ss, this.gds);
    st.current(ctx.rhs, dd, ss, this.cdreq);
  }

  converged(ctx: LoadContext): boolean {
    const s = this.s;
    const state = ctx.state[0];
    const { vgs, vgd } = this.voltages(ctx.solution);
    const delvgs = vgs - state[s + VGS];
    const delvgd = vgd - state[s + VGD];
    const delvds = delvgs - delvgd;
    const cghat = this.cg + this.ggd * delvgd + this.ggs * delvgs;
    const cdhat =
      this.mode >= 0
        ? this.cd - this.ggd * delvgd + this.gm * delvgs + this.gds * delvds
        : this.cd - (this.ggd - this.gm) * delvgd + this.gds * delvds;
    return (
      currentConverged(cghat, this.cg, this.reltol, this.abstol) &&
      currentConverged(cdhat, this.cd, this.reltol, this.abstol)
    );
  }

  acLoad(ctx: AcLoadContext): void {
    const st = this.st;
    const re = ctx.re;
    if (this.gdpr > 0) st.conductance(re, D, DP, this.gdpr);
    if (this.gspr > 0) st.conductance(re, S, SP, this.gspr);
    st.conductance(re, G, SP, this.ggs);
    st.conductance(re, G, DP, this.ggd);
    st.conductance(ctx.im, G, SP, ctx.omega * this.capgs);
    st.conductance(ctx.im, G, DP, ctx.omega * this.capgd);
    const dd = this.mode === 1 ? DP : SP;
    const ss = this.mode === 1 ? SP : DP;
    st.transconductance(re, dd, ss, G, ss, this.gm);
    st.conductance(re, dd, ss, this.gds);
  }

  truncate(ctx: TruncateContext): number {
    return Math.min(ctx.chargeTimestep(this.s + QGS), ctx.chargeTimestep(this.s + QGD));
  }

  initialConditions(solution: Float64Array, state: Float64Array, useInitialConditions: boolean): void {
    const s = this.s;
    const type = this.model.type;
    let { vgs, vgd } = this.voltages(solution);
    if (useInitialConditions && (this.initial.vds !== undefined || this.initial.vgs !== undefined)) {
      vgs = type * (this.initial.vgs ?? 0);
      vgd = vgs - type * (this.initial.vds ?? 0);
    }
    state[s + VGS] = vgs;
    state[s + VGD] = vgd;
    state[s + QGS] = depletionCharge(vgs, this.czgs, this.potential, 0.5, this.model.fc).charge;
    state[s + QGD] = depletionCharge(vgd, this.czgd, this.potential, 0.5, this.model.fc).charge;
  }
}

export function createJfet(card: ElementCard, ctx: DeviceBuildContext): Jfet {
  const modelCard = ctx.model(card, ['njf', 'pjf']);
  const p = modelCard.params;
  const level = p.level ?? 1;
  if (level !== 1) {
    throw new CircuitError(
      `${card.name}: JFET level ${level} is not supported`,
      modelCard.loc,
      'use level 1 (the default)',
    );
  }
  const model: JfetModel = {
    type: modelCard.type === 'pjf' ? -1 : 1,
    vto: param(p, -2, 'vto', 'vt0'),
    beta: param(p, 1e-4, 'beta'),
    lambda: param(p, 0, 'lambda'),
    rd: param(p, 0, 'rd'),
    rs: param(p, 0, 'rs'),
    cgs: param(p, 0, 'cgs'),
    cgd: param(p, 0, 'cgd'),
    pb: param(p, 1, 'pb'),
    is: param(p, 1e-14, 'is'),
    n: param(p, 1, 'n'),
    b: param(p, 1, 'b'),
    fc: param(p, 0.5, 'fc'),
    eg: param(p, 1.11, 'eg'),
    kf: p.kf ?? 0,
    af: p.af ?? 1,
    xti: p.xti,
    tnom: (p.tnom ?? ctx.options.tnom) + CELSIUS_TO_KELVIN,
  };
  const q = card.params;
  const area = (q.area ?? 1) * (q.m ?? 1);
  if (!(area > 0)) throw new CircuitError(`${card.name}: area and m must be positive`, card.loc);
  return new Jfet(
    card.name,
    card.nodes.slice(0, 3),
    model,
    area,
    (q.off ?? 0) !== 0,
    { vds: q.ic, vgs: q.ic2 },
    q.temp,
    q.dtemp ?? 0,
    ctx.options.reltol,
    ctx.options.abstol,
  );
}
