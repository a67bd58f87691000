/**
 * The EKV 2.6 MOSFET as a device (LEVEL = 44, the number Eldo and the ADMS-era ngspice gave EKV; LEVEL = 55,
 * HSPICE's, is accepted too):  M d g s b model [L= W= M=] [ic=vds,vgs,vbs]
 *
 * The EKV 2.6 report defines the intrinsic transistor; the junction diodes and overlap capacitances that the
 * simulators shipping it add (SPICE MOS style: CGSO/CGDO/CGBO, JS/JSW/N/CJ/CJSW/MJ/MJSW/PB/PBSW/FC, HDIF default
 * areas) are in extrinsic.ts:  M d g s b model [L= W= AD= AS= PD= PS= M=] [ic=vds,vgs,vbs]
 * Like the BSIM4 device, the channel current and the terminal charges (intrinsic plus overlaps) are evaluated at
 * the bias point and at three nearby points; forward differences give gm/gds/gmbs and the non-reciprocal
 * capacitance matrix, and the charges (not capacitances) are integrated, so the model conserves charge in
 * transient. The junctions are diodes from the bulk to source and drain with their own depletion charges.
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
import { LocalStamp, currentConverged, limitFetVoltages, pnjlim } from '../semiconductor';
import {
  type EkvDiffusions,
  type EkvExtrinsic,
  type EkvExtrinsicParameters,
  ekvExtrinsic,
  ekvExtrinsicParameters,
  junctionCharge,
  junctionCurrent,
} from './extrinsic';
import { EkvPoint, type EkvParameters, type EkvSized, ekvEvaluate, ekvParameters, ekvSized } from './model';
import { ekvNoise } from './noise';

const D = 0;
const G = 1;
const S = 2;
const B = 3;
const VBS = 0;
const VGS = 1;
const VDS = 2;
const QG = 3;
const QD = 5;
const QB = 7;
/** Junction depletion charges (bulk-source, bulk-drain), each followed by its current. */
const QBS = 9;
const QBD = 11;
const STATE_SIZE = 13;
const STEP = 1e-7;

export class Ekv implements Device {
  readonly nonlinear = true;
  private stamp!: LocalStamp;
  private s = 0;
  private p!: EkvSized;
  private readonly base = new EkvPoint();
  private readonly shifted = new EkvPoint();
  private gmG = 0;
  private gmD = 0;
  private gmB = 0;
  /** ∂q/∂v: rows g, d, b; columns vgs, vds, vbs. */
  private readonly cap = new Float64Array(9);
  private id = 0;
  private last = [0, 0, 0];
  private von = 0;
  private x!: EkvExtrinsic;
  private readonly junctionPoint = { i: 0, g: 0 };
  /** vgs/vds of a load while they are limited (reused: no allocation per load). */
  private readonly fetVoltages = { vgs: 0, vds: 0 };
  private readonly chargePoint = { charge: 0, capacitance: 0 };
  /** Junction currents, conductances and capacitances at the last load (bulk-source, bulk-drain). */
  private cbs = 0;
  private cbd = 0;
  private gbs = 0;
  private gbd = 0;
  private capbs = 0;
  private capbd = 0;

  constructor(
    readonly name: string,
    private readonly nodes: string[],
    readonly model: EkvParameters,
    private readonly l: number,
    private readonly w: number,
    private readonly multiplier: number,
    private readonly initial: { vds?: number; vgs?: number; vbs?: number },
    private readonly instanceTemperature: number | undefined,
    private readonly deltaTemperature: number,
    private readonly reltol: number,
    private readonly abstol: number,
    readonly extrinsicParameters: EkvExtrinsicParameters = ekvExtrinsicParameters({}),
    private readonly diffusions: EkvDiffusions = {},
  ) {}

  setup(ctx: SetupContext): void {
    this.stamp = new LocalStamp(
      ctx,
      this.nodes.map((n) => ctx.node(n)),
    );
    this.s = ctx.states(STATE_SIZE);
  }

  temperature(kelvin: number): void {
    const t =
      this.instanceTemperature !== undefined
        ? this.instanceTemperature + CELSIUS_TO_KELVIN
        : kelvin + this.deltaTemperature;
    this.p = ekvSized(this.model, this.l, this.w, t);
    this.von = this.p.vto;
    this.x = ekvExtrinsic(
      this.extrinsicParameters,
      this.p.weff,
      this.p.leff,
      this.diffusions,
      t,
      this.model.tnom,
    );
  }

  get sized(): EkvSized {
    return this.p;
  }

  /** Junctions and overlaps at the present temperature (tests, reports). */
  get extrinsic(): EkvExtrinsic {
    return this.x;
  }

  /**
   * The model at source-referred n-type voltages (bulk-referred inside), the overlap charges added to the
   * gate, drain and bulk charges (CGSO·Weff·VGS, CGDO·Weff·VGD, CGBO·Leff·VGB).
   */
  evaluate(vgs: number, vds: number, vbs: number, out: EkvPoint): void {
    ekvEvaluate(this.p, vgs - vbs, -vbs, vds - vbs, out);
    const x = this.x;
    const qgd = x.cgd * (vgs - vds);
    const qgb = x.cgb * (vgs - vbs);
    out.qg += x.cgs * vgs + qgd + qgb;
    out.qd -= qgd;
    out.qb -= qgb;
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
    const type = this.p.type;
    const s = this.s;
    const state = ctx.state[0];
    const old = ctx.firstIteration && ctx.mode === 'tran' ? ctx.state[1] : state;
    let vbs: number;
    let vgs: number;
    let vds: number;
    if (ctx.initJunctions) {
      const ic = this.initial;
      vds = type * (ic.vds ?? 0);
      vgs = ic.vgs !== undefined ? type * ic.vgs : this.p.vto;
      vbs = type * (ic.vbs ?? 0);
    } else {
      // The same gate/drain limiting as the other MOSFETs (fetlim around VTO, limvds).
      const fet = this.fetVoltages;
      [vbs, fet.vgs, fet.vds] = this.voltages(ctx.solution);
      limitFetVoltages(fet, old[s + VGS], old[s + VDS], this.von);
      vgs = fet.vgs;
      vds = fet.vds;
    }
    if (!ctx.initJunctions) {
      // pnjlim on the junction that is forward biased more (vbs in normal mode, vbd reversed), as ngspice's MOSFETs.
      const x = this.x;
      if (vds >= 0) {
        const r = pnjlim(vbs, old[s + VBS], x.source.nvt, x.source.vcrit);
        vbs = r.value;
        if (r.limited) ctx.nonConvergence();
      } else {
        const r = pnjlim(vbs - vds, old[s + VBS] - old[s + VDS], x.drain.nvt, x.drain.vcrit);
        vbs = r.value + vds;
        if (r.limited) ctx.nonConvergence();
      }
    }
    state[s + VBS] = vbs;
    state[s + VGS] = vgs;
    state[s + VDS] = vds;
    this.last = [vbs, vgs, vds];
    const base = this.base;
    const sh = this.shifted;
    const cap = this.cap;
    this.evaluate(vgs, vds, vbs, base);
    this.evaluate(vgs + STEP, vds, vbs, sh);
    this.gmG = (sh.id - base.id) / STEP;
    cap[0] = (sh.qg - base.qg) / STEP;
    cap[3] = (sh.qd - base.qd) / STEP;
    cap[6] = (sh.qb - base.qb) / STEP;
    this.evaluate(vgs, vds + STEP, vbs, sh);
    this.gmD = (sh.id - base.id) / STEP;
    cap[1] = (sh.qg - base.qg) / STEP;
    cap[4] = (sh.qd - base.qd) / STEP;
    cap[7] = (sh.qb - base.qb) / STEP;
    this.evaluate(vgs, vds, vbs + STEP, sh);
    this.gmB = (sh.id - base.id) / STEP;
    cap[2] = (sh.qg - base.qg) / STEP;
    cap[5] = (sh.qd - base.qd) / STEP;
    cap[8] = (sh.qb - base.qb) / STEP;
    this.id = base.id;

    const mult = this.multiplier;
    const m = ctx.matrix;
    const rhs = ctx.rhs;
    const st = this.stamp;
    st.transconductance(m, D, S, G, S, mult * this.gmG);
    st.transconductance(m, D, S, D, S, mult * this.gmD);
    st.transconductance(m, D, S, B, S, mult * this.gmB);
    st.current(rhs, D, S, mult * type * (base.id - this.gmG * vgs - this.gmD * vds - this.gmB * vbs));
    // Junction diodes bulk→source and bulk→drain (gmin across each, as ngspice's MOSFETs), their depletion
    // charges integrated in transient.
    const jp = this.junctionPoint;
    const cp = this.chargePoint;
    const vbd = vbs - vds;
    junctionCurrent(this.x.source, vbs, ctx.gmin, jp);
    this.cbs = jp.i;
    this.gbs = jp.g;
    junctionCurrent(this.x.drain, vbd, ctx.gmin, jp);
    this.cbd = jp.i;
    this.gbd = jp.g;
    let ibs = this.cbs;
    let ibd = this.cbd;
    let gbs = this.gbs;
    let gbd = this.gbd;
    junctionCharge(this.x.source, vbs, cp);
    this.capbs = cp.capacitance;
    if (ctx.mode === 'tran') {
      state[s + QBS] = cp.charge;
      ibs += ctx.integrate(s + QBS);
      gbs += ctx.ag0 * cp.capacitance;
    }
    junctionCharge(this.x.drain, vbd, cp);
    this.capbd = cp.capacitance;
    if (ctx.mode === 'tran') {
      state[s + QBD] = cp.charge;
      ibd += ctx.integrate(s + QBD);
      gbd += ctx.ag0 * cp.capacitance;
    }
    st.conductance(m, B, S, mult * gbs);
    st.current(rhs, B, S, mult * type * (ibs - gbs * vbs));
    st.conductance(m, B, D, mult * gbd);
    st.current(rhs, B, D, mult * type * (ibd - gbd * vbd));
    if (ctx.mode === 'tran') {
      state[s + QG] = base.qg;
      state[s + QD] = base.qd;
      state[s + QB] = base.qb;
      const currents = [ctx.integrate(s + QG), ctx.integrate(s + QD), ctx.integrate(s + QB)];
      const rows = [G, D, B];
      const ag0 = ctx.ag0 * mult;
      for (let r = 0; r < 3; r++) {
        const cg = ag0 * cap[3 * r];
        const cd = ag0 * cap[3 * r + 1];
        const cb = ag0 * cap[3 * r + 2];
        st.transconductance(m, rows[r], S, G, S, cg);
        st.transconductance(m, rows[r], S, D, S, cd);
        st.transconductance(m, rows[r], S, B, S, cb);
        st.current(rhs, rows[r], S, type * (mult * currents[r] - cg * vgs - cd * vds - cb * vbs));
      }
    }
  }

  converged(ctx: LoadContext): boolean {
    const [vbs, vgs, vds] = this.voltages(ctx.solution);
    const [vbs0, vgs0, vds0] = this.last;
    const predicted = this.id + this.gmG * (vgs - vgs0) + this.gmD * (vds - vds0) + this.gmB * (vbs - vbs0);
    const dvbs = vbs - vbs0;
    const dvbd = dvbs - (vds - vds0);
    const bulk = this.cbs + this.cbd;
    return (
      currentConverged(predicted, this.id, this.reltol, this.abstol) &&
      currentConverged(bulk + this.gbs * dvbs + this.gbd * dvbd, bulk, this.reltol, this.abstol)
    );
  }

  /** Channel thermal and flicker noise (noise.ts, EKV 2.6 report section 5). */
  noise(ctx: NoiseContext): void {
    ekvNoise(ctx, this.name, this.model, this.p, this.stamp.unknowns, this.multiplier);
  }

  acLoad(ctx: AcLoadContext): void {
    const st = this.stamp;
    const mult = this.multiplier;
    const w = ctx.omega * mult;
    st.transconductance(ctx.re, D, S, G, S, mult * this.gmG);
    st.transconductance(ctx.re, D, S, D, S, mult * this.gmD);
    st.transconductance(ctx.re, D, S, B, S, mult * this.gmB);
    st.conductance(ctx.re, B, S, mult * this.gbs);
    st.conductance(ctx.re, B, D, mult * this.gbd);
    st.conductance(ctx.im, B, S, w * this.capbs);
    st.conductance(ctx.im, B, D, w * this.capbd);
    const rows = [G, D, B];
    for (let r = 0; r < 3; r++) {
      st.transconductance(ctx.im, rows[r], S, G, S, w * this.cap[3 * r]);
      st.transconductance(ctx.im, rows[r], S, D, S, w * this.cap[3 * r + 1]);
      st.transconductance(ctx.im, rows[r], S, B, S, w * this.cap[3 * r + 2]);
    }
  }

  truncate(ctx: TruncateContext): number {
    const s = this.s;
    return Math.min(
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
      vds = type * (this.initial.vds ?? 0);
      vgs = type * (this.initial.vgs ?? 0);
      vbs = type * (this.initial.vbs ?? 0);
    }
    state[s + VBS] = vbs;
    state[s + VGS] = vgs;
    state[s + VDS] = vds;
    this.evaluate(vgs, vds, vbs, this.base);
    state[s + QG] = this.base.qg;
    state[s + QD] = this.base.qd;
    state[s + QB] = this.base.qb;
    junctionCharge(this.x.source, vbs, this.chargePoint);
    state[s + QBS] = this.chargePoint.charge;
    junctionCharge(this.x.drain, vbs - vds, this.chargePoint);
    state[s + QBD] = this.chargePoint.charge;
  }
}

/** Build an EKV 2.6 device from an M card whose model has LEVEL = 44 (or 55). */
export function createEkv(card: ElementCard, ctx: DeviceBuildContext, modelCard: ModelCard): Ekv {
  if (card.nodes.length < 4) {
    throw new CircuitError(
      `${card.name} needs 4 nodes (drain gate source bulk)`,
      card.loc,
      `write '${card.name} d g s b model'`,
    );
  }
  const model = ekvParameters(modelCard, ctx.options.tnom);
  const p = card.params;
  const l = p.l ?? 10e-6;
  const w = p.w ?? 10e-6;
  if (!(l + model.dl > 0) || !(w + model.dw > 0)) {
    throw new CircuitError(
      `${card.name}: effective length L + DL and width W + DW must be positive`,
      card.loc,
      'check L, W and the model DL/DW',
    );
  }
  if (!(model.cox > 0) || !(model.kp > 0) || !(model.ucrit > 0) || !(model.phi > 0)) {
    throw new CircuitError(
      `${card.name}: EKV model ${modelCard.name} needs positive COX, KP, UCRIT and PHI`,
      modelCard.loc,
      'check the model card',
    );
  }
  return new Ekv(
    card.name,
    card.nodes.slice(0, 4),
    model,
    l,
    w,
    p.m ?? 1,
    { vds: p.ic, vgs: p.ic2, vbs: p.ic3 },
    p.temp,
    p.dtemp ?? 0,
    ctx.options.reltol,
    ctx.options.abstol,
    ekvExtrinsicParameters(modelCard.params),
    { ad: p.ad, as: p.as, pd: p.pd, ps: p.ps },
  );
}
