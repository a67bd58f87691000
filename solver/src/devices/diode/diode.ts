/**
 * Junction diode: D n+ n- model [area] [off] [ic=vd] [m=] [temp=|dtemp=].
 * The SPICE2 / ngspice level-1 diode (ngspice manual ch. 7.1; Nagel, "SPICE2", ch. 3):
 *   forward and weak reverse   i = IS·(exp(vd/(N·vt)) − 1)
 *   reverse (vd < −3·N·vt)     i = −IS·(1 + (3·N·vt/(e·vd))³)
 *   breakdown (vd < −BV)       i = −IS·exp(−(BV + vd)/(NBV·vt)), BV adjusted so that i(−BV) = −IBV
 * plus GMIN in parallel, a series resistance RS (an internal node), the depletion charge (CJO, VJ, M, FC)
 * and the diffusion charge TT·i. IS, VJ and CJO scale with temperature as ngspice's diotemp.c.
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
  junctionAtTemperature,
  param,
  limitJunction,
  predictedVoltage,
  thermalVoltage,
  withinTolerance,
} from '../semiconductor';

export interface DiodeModel {
  is: number;
  n: number;
  rs: number;
  cjo: number;
  vj: number;
  m: number;
  fc: number;
  tt: number;
  /** Breakdown voltage (positive), or undefined for none. */
  bv: number | undefined;
  ibv: number;
  nbv: number;
  eg: number;
  xti: number;
  kf: number;
  af: number;
  /** High-injection knee currents (forward, reverse), 0 when not given. */
  ikf: number;
  ikr: number;
  /** Recombination current ISR with emission coefficient NR (0 when ISR is not given). */
  isr: number;
  nr: number;
  /** Nominal temperature, kelvin. */
  tnom: number;
}

export function diodeModel(params: Record<string, number>, defaultTnom: number): DiodeModel {
  const n = param(params, 1, 'n');
  const bv = param(params, NaN, 'bv', 'vb', 'vrb');
  return {
    is: param(params, 1e-14, 'is', 'js'),
    n,
    rs: param(params, 0, 'rs'),
    cjo: param(params, 0, 'cjo', 'cj0', 'cj'),
    vj: param(params, 1, 'vj', 'pb'),
    m: param(params, 0.5, 'm', 'mj'),
    fc: param(params, 0.5, 'fc'),
    tt: param(params, 0, 'tt'),
    bv: Number.isNaN(bv) || bv === 0 ? undefined : Math.abs(bv),
    ibv: param(params, 1e-3, 'ibv', 'ib'),
    nbv: param(params, n, 'nbv'),
    eg: param(params, 1.11, 'eg'),
    xti: param(params, 3, 'xti'),
    kf: param(params, 0, 'kf'),
    af: param(params, 1, 'af'),
    ikf: param(params, 0, 'ikf', 'ik'),
    ikr: param(params, 0, 'ikr'),
    isr: param(params, 0, 'isr'),
    nr: param(params, 2, 'nr'),
    tnom: (params.tnom ?? defaultTnom) + CELSIUS_TO_KELVIN,
  };
}

/** Temperature-dependent values of a diode junction (ngspice diotemp.c). */
export interface DiodeTemperature {
  vt: number;
  /** Saturation current, area included. */
  isat: number;
  vcrit: number;
  potential: number;
  /** Zero-bias depletion capacitance, area included. */
  cjo: number;
  /** Breakdown voltage adjusted so that the current at −bv is −IBV. */
  bv: number;
  /** Recombination saturation current (area included), its emission coefficient and the grading M. */
  recSat: number;
  nr: number;
  grading: number;
  /** Knee currents, area included (0: no high-injection roll-off). */
  ikf: number;
  ikr: number;
}

export function diodeTemperature(
  model: DiodeModel,
  kelvin: number,
  area: number,
  reltol: number,
): DiodeTemperature {
  const vt = thermalVoltage(kelvin);
  const ratio = kelvin / model.tnom;
  const isat =
    model.is *
    area *
    Math.exp(((ratio - 1) * model.eg) / (model.n * vt) + (model.xti / model.n) * Math.log(ratio));
  const junction = junctionAtTemperature(model.vj, model.cjo, model.m, kelvin, model.tnom);
  const vte = model.n * vt;
  const vcrit = vte * Math.log(vte / (SQRT2 * isat));
  let bv = Infinity;
  if (model.bv !== undefined) {
    // Solve IS·(exp((BV − xbv)/(NBV·vt)) − 1 + xbv/vt) = IBV for xbv by fixed-point iteration (diotemp.c).
    const breakdown = model.bv;
    const vtb = model.nbv * vt;
    // ngspice 39 does not scale IBV by the area.
    let cbv = model.ibv;
    if (cbv < (isat * breakdown) / vt) {
      cbv = (isat * breakdown) / vt;
      bv = breakdown;
    } else {
      const tolerance = reltol * cbv;
      let xbv = breakdown - vtb * Math.log(1 + cbv / isat);
      for (let iteration = 0; iteration < 25; iteration++) {
        xbv = breakdown - vtb * Math.log(cbv / isat + 1 - xbv / vt);
        const xcbv = isat * (Math.exp((breakdown - xbv) / vtb) - 1 + xbv / vt);
        if (Math.abs(xcbv - cbv) <= tolerance) break;
      }
      bv = xbv;
    }
  }
  const recSat =
    model.isr > 0
      ? model.isr *
        area *
        Math.exp(((ratio - 1) * model.eg) / (model.nr * vt) + (model.xti / model.nr) * Math.log(ratio))
      : 0;
  return {
    vt,
    isat,
    vcrit,
    potential: junction.potential,
    cjo: junction.capacitance * area,
    bv,
    recSat,
    nr: model.nr,
    grading: model.m,
    ikf: model.ikf * area,
    ikr: model.ikr * area,
  };
}

/**
 * Static current and conductance of the junction at vd (without GMIN), as ngspice 39's dioload.c: the
 * ideal exponential, in forward bias plus the recombination current ISR·(exp(vd/(NR·vt)) − 1)·((1 − vd/VJ)² +
 * 0.005)^(M/2) and the high-injection roll-off i/(1 + sqrt(i/IKF)); in reverse the SPICE2 cubic tail and the
 * IKR roll-off; below −BV the breakdown exponential.
 */
export function diodeCurrent(
  vd: number,
  t: DiodeTemperature,
  n: number,
  nbv: number,
  out: { current: number; conductance: number } = { current: 0, conductance: 0 },
): { current: number; conductance: number } {
  const vte = n * t.vt;
  let current: number;
  let conductance: number;
  if (vd >= -3 * vte) {
    const evd = Math.exp(vd / vte);
    current = t.isat * (evd - 1);
    conductance = (t.isat * evd) / vte;
    if (t.recSat > 0) {
      const vterec = t.nr * t.vt;
      const evdRec = Math.exp(vd / vterec);
      const base = 1 - vd / t.potential;
      const t1 = base * base + 0.005;
      const generation = Math.pow(t1, t.grading / 2);
      const dGeneration = (-t.grading * base * Math.pow(t1, t.grading / 2 - 1)) / t.potential;
      const recombination = t.recSat * (evdRec - 1);
      current += recombination * generation;
      conductance += ((t.recSat * evdRec) / vterec) * generation + recombination * dGeneration;
    }
    if (t.ikf > 0 && current > 1e-18) {
      const root = Math.sqrt(current / t.ikf);
      conductance =
        ((1 + root) * conductance - (current * conductance) / (2 * root * t.ikf)) /
        (1 + 2 * root + current / t.ikf);
      current /= 1 + root;
    }
    out.current = current;
    out.conductance = conductance;
    return out;
  }
  if (vd >= -t.bv) {
    let arg = (3 * vte) / (vd * Math.E);
    arg = arg * arg * arg;
    current = -t.isat * (1 + arg);
    conductance = (t.isat * 3 * arg) / vd;
  } else {
    const vtb = nbv * t.vt;
    const evrev = Math.exp(-(t.bv + vd) / vtb);
    current = -t.isat * evrev;
    conductance = (t.isat * evrev) / vtb;
  }
  if (t.ikr > 0 && current < -1e-18) {
    const root = Math.sqrt(-current / t.ikr);
    conductance =
      ((1 + root) * conductance + (current * conductance) / (2 * root * t.ikr)) /
      (1 + 2 * root - current / t.ikr);
    current /= 1 + root;
  }
  out.current = current;
  out.conductance = conductance;
  return out;
}

// State slots: junction voltage, current, conductance, charge, charge current.
const VD = 0;
const CD = 1;
const GD = 2;
const QD = 3;

export class Diode implements Device {
  readonly nonlinear = true;
  private stamp!: LocalStamp;
  private state = 0;
  private t!: DiodeTemperature;
  private readonly conductanceRs: number;
  /** Small-signal values at the last load (for AC). */
  private gd = 0;
  private capacitance = 0;
  /** Device temperature, kelvin (thermal noise of RS). */
  private kelvin = 300.15;
  /** Scratch results of the last load (no allocation per load). */
  private readonly dc = { current: 0, conductance: 0 };
  private readonly depletion = { charge: 0, capacitance: 0 };

  constructor(
    readonly name: string,
    private readonly nodes: [string, string],
    readonly model: DiodeModel,
    private readonly area: number,
    private readonly off: boolean,
    private readonly initialVoltage: number | undefined,
    private readonly instanceTemperature: number | undefined,
    private readonly deltaTemperature: number,
    private readonly reltol: number,
    private readonly abstol: number,
  ) {
    this.conductanceRs = model.rs > 0 ? area / model.rs : 0;
  }

  setup(ctx: SetupContext): void {
    const anode = ctx.node(this.nodes[0]);
    const cathode = ctx.node(this.nodes[1]);
    // Local terminals: 0 anode, 1 cathode, 2 the junction's anode side (behind RS).
    const inner = this.conductanceRs > 0 ? ctx.node(`${this.name}#internal`) : anode;
    this.stamp = new LocalStamp(ctx, [anode, cathode, inner]);
    this.state = ctx.states(5);
    this.hAA = this.stamp.handle(0, 0);
    this.hAI = this.stamp.handle(0, 2);
    this.hIA = this.stamp.handle(2, 0);
    this.hII = this.stamp.handle(2, 2);
    this.hIC = this.stamp.handle(2, 1);
    this.hCI = this.stamp.handle(1, 2);
    this.hCC = this.stamp.handle(1, 1);
    this.uInner = inner;
    this.uCathode = cathode;
  }

  // Matrix handles (anode A, cathode C, junction side I of RS) and unknowns of the stamp (set by setup).
  private hAA = 0;
  private hAI = 0;
  private hIA = 0;
  private hII = 0;
  private hIC = 0;
  private hCI = 0;
  private hCC = 0;
  private uInner = 0;
  private uCathode = 0;

  temperature(kelvin: number): void {
    const t =
      this.instanceTemperature !== undefined
        ? this.instanceTemperature + CELSIUS_TO_KELVIN
        : kelvin + this.deltaTemperature;
    this.kelvin = t;
    this.t = diodeTemperature(this.model, t, this.area, this.reltol);
  }

  private junctionVoltage(ctx: LoadContext): number {
    const s = this.state;
    if (ctx.initJunctions) {
      if (ctx.mode === 'tranop' && this.initialVoltage !== undefined) return this.initialVoltage;
      return this.off ? 0 : this.t.vcrit;
    }
    const predicting = ctx.firstIteration && ctx.mode === 'tran';
    const vd = predicting
      ? predictedVoltage(ctx.state, ctx.timesteps, s + VD)
      : ctx.solution[this.uInner] - ctx.solution[this.uCathode];
    const vold = predicting ? ctx.state[1][s + VD] : ctx.state[0][s + VD];
    const { model, t } = this;
    const vte = model.n * t.vt;
    if (model.bv !== undefined && vd < Math.min(0, -t.bv + 10 * model.nbv * t.vt)) {
      // Limit the step into breakdown as a forward junction mirrored at −BV.
      return -(limitJunction(-(vd + t.bv), -(vold + t.bv), model.nbv * t.vt, t.vcrit, ctx) + t.bv);
    }
    return limitJunction(vd, vold, vte, t.vcrit, ctx);
  }

  load(ctx: LoadContext): void {
    const s = this.state;
    const state = ctx.state[0];
    if (ctx.bypass) {
      // Bypass (ngspice dioload.c): the junction voltage and the current predicted from the last
      // evaluation both within tolerance: re-stamp that evaluation (state[0] still holds it).
      const vd = ctx.solution[this.uInner] - ctx.solution[this.uCathode];
      const vdLast = state[s + VD];
      if (withinTolerance(vd, vdLast, ctx.reltol, ctx.vntol)) {
        const cdLast = state[s + CD];
        const gdLast = state[s + GD];
        if (withinTolerance(cdLast + gdLast * (vd - vdLast), cdLast, ctx.reltol, ctx.abstol)) {
          ctx.bypassed();
          this.stampLoad(ctx, vdLast, cdLast, gdLast);
          return;
        }
      }
    }
    const vd = this.junctionVoltage(ctx);
    const { model, t } = this;
    const dc = diodeCurrent(vd, t, model.n, model.nbv, this.dc);
    let cd = dc.current + ctx.gmin * vd;
    let gd = dc.conductance + ctx.gmin;
    const depletion = depletionCharge(vd, t.cjo, t.potential, model.m, model.fc, this.depletion);
    this.capacitance = model.tt * dc.conductance + depletion.capacitance;
    this.gd = gd;
    if (ctx.mode === 'tran') {
      state[s + QD] = model.tt * dc.current + depletion.charge;
      // The charge current is read back from the state (a double returned by a call V8 does not inline
      // would be boxed).
      ctx.integrate(s + QD);
      gd += ctx.ag0 * this.capacitance;
      cd += state[s + QD + 1];
    }
    state[s + VD] = vd;
    state[s + CD] = cd;
    state[s + GD] = gd;
    this.stampLoad(ctx, vd, cd, gd);
  }

  /** Stamp the linearisation at vd: junction current cd and conductance gd (charge current included). */
  private stampLoad(ctx: LoadContext, vd: number, cd: number, gd: number): void {
    const m = ctx.matrix;
    const grs = this.conductanceRs;
    if (grs > 0) {
      m[this.hAA] += grs;
      m[this.hAI] -= grs;
      m[this.hIA] -= grs;
      m[this.hII] += grs;
    }
    m[this.hII] += gd;
    m[this.hIC] -= gd;
    m[this.hCI] -= gd;
    m[this.hCC] += gd;
    const ceq = cd - gd * vd;
    const rhs = ctx.rhs;
    rhs[this.uInner] -= ceq;
    rhs[this.uCathode] += ceq;
  }

  converged(ctx: LoadContext): boolean {
    const s = this.state;
    const state = ctx.state[0];
    const vd = ctx.solution[this.uInner] - ctx.solution[this.uCathode];
    const predicted = state[s + CD] + state[s + GD] * (vd - state[s + VD]);
    return currentConverged(predicted, state[s + CD], this.reltol, this.abstol);
  }

  acLoad(ctx: AcLoadContext): void {
    if (this.conductanceRs > 0) this.stamp.conductance(ctx.re, 0, 2, this.conductanceRs);
    this.stamp.conductance(ctx.re, 2, 1, this.gd);
    this.stamp.conductance(ctx.im, 2, 1, ctx.omega * this.capacitance);
  }

  truncate(ctx: TruncateContext): number {
    return ctx.chargeTimestep(this.state + QD);
  }

  /**
   * Noise (ngspice dionoise.c): thermal noise of RS, shot noise 2·q·|Id| and flicker noise KF·|Id|^AF/f of the
   * junction, Id the junction current at the operating point.
   */
  noise(ctx: NoiseContext): void {
    const [anode, cathode, inner] = this.stamp.unknowns;
    if (this.conductanceRs > 0) {
      ctx.source(`${this.name} rs`, anode, inner, 4 * ctx.boltzmann * this.kelvin * this.conductanceRs);
    }
    const current = Math.abs(ctx.state[0][this.state + CD]);
    ctx.source(`${this.name} shot`, inner, cathode, 2 * ctx.charge * current);
    const flicker =
      (this.model.kf * Math.exp(this.model.af * Math.log(Math.max(current, 1e-38)))) / ctx.frequency;
    ctx.source(`${this.name} flicker`, inner, cathode, flicker);
  }

  initialConditions(solution: Float64Array, state: Float64Array, useInitialConditions: boolean): void {
    const s = this.state;
    const vd =
      useInitialConditions && this.initialVoltage !== undefined
        ? this.initialVoltage
        : this.stamp.voltage(solution, 2, 1);
    const dc = diodeCurrent(vd, this.t, this.model.n, this.model.nbv);
    state[s + VD] = vd;
    state[s + CD] = dc.current;
    state[s + GD] = dc.conductance;
    state[s + QD] =
      this.model.tt * dc.current +
      depletionCharge(vd, this.t.cjo, this.t.potential, this.model.m, this.model.fc).charge;
  }
}

export function createDiode(card: ElementCard, ctx: DeviceBuildContext): Diode {
  const model = ctx.model(card, ['d']);
  const p = card.params;
  const area = (p.area ?? 1) * (p.m ?? 1);
  if (!(area > 0)) {
    throw new CircuitError(
      `${card.name}: area and m must be positive`,
      card.loc,
      'remove the area factor or give a positive one',
    );
  }
  return new Diode(
    card.name,
    [card.nodes[0], card.nodes[1]],
    diodeModel(model.params, ctx.options.tnom),
    area,
    (p.off ?? 0) !== 0,
    p.ic,
    p.temp,
    p.dtemp ?? 0,
    ctx.options.reltol,
    ctx.options.abstol,
  );
}
