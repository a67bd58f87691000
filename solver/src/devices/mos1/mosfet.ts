/**
 * MOSFET framework shared by levels 1, 2 and 3 (ngspice mos1load.c / mos2load.c / mos3load.c share it):
 *   M d g s b model [L= W= AD= AS= PD= PS= NRD= NRS= M=] [off] [ic=vds,vgs,vbs] [temp=|dtemp=]
 * drain and source series resistances (RD/RS, or RSH·NRD/NRS; internal nodes), the bulk-drain and
 * bulk-source junction diodes with depletion charges (CBD/CBS or CJ·AD + CJSW·PD, graded, FC-linearised),
 * Meyer's gate capacitances (Meyer 1971, as DEVqmeyer: the half-capacitances stored per point and
 * averaged over two points in transient) plus overlap capacitances CGSO/CGDO/CGBO, fetlim/limvds/pnjlim
 * limiting, and source/drain interchange when vds < 0. The level supplies the channel current and its
 * derivatives (`ChannelModel`); everything here works in "n-type" voltages (multiplied by `type`).
 */
import type { ElementCard, ModelCard } from '../../circuit/flat';
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
  CHARGE,
  EPS_OX,
  EPS_SI,
  K_OVER_Q,
  LocalStamp,
  REFERENCE_TEMPERATURE,
  SQRT2,
  currentConverged,
  energyGap,
  param,
  limitFetVoltages,
  limitJunction,
  potentialFactor,
  predictedVoltage,
  thermalVoltage,
  withinTolerance,
} from '../semiconductor';

/** Channel current of one MOSFET level, in n-type voltages with vds >= 0 (normal mode). */
export interface ChannelResult {
  cdrain: number;
  gm: number;
  gds: number;
  gmbs: number;
  von: number;
  vdsat: number;
}

export interface ChannelModel {
  /** Temperature update (kelvin) from the shared temperature values. */
  temperature(t: MosTemperature): void;
  evaluate(vgs: number, vds: number, vbs: number, t: MosTemperature): ChannelResult;
}

/** Model parameters common to the three levels (ngspice names, defaults as mos1/2/3). */
export interface MosModel {
  type: 1 | -1;
  level: number;
  vto: number;
  kp: number;
  gamma: number;
  phi: number;
  lambda: number;
  rd: number;
  rs: number;
  rsh: number;
  cbd: number | undefined;
  cbs: number | undefined;
  is: number;
  js: number;
  pb: number;
  cj: number;
  mj: number;
  cjsw: number;
  mjsw: number;
  cgso: number;
  cgdo: number;
  cgbo: number;
  fc: number;
  /** Oxide capacitance per area (F/m²), 0 when TOX is not given. */
  cox: number;
  tox: number | undefined;
  ld: number;
  uo: number;
  nsub: number | undefined;
  tnom: number;
  params: Record<string, number>;
}

export function mosModel(card: ModelCard, defaultTnom: number, level: number): MosModel {
  const p = card.params;
  const type = card.type === 'pmos' ? -1 : 1;
  const tnom = (p.tnom ?? defaultTnom) + CELSIUS_TO_KELVIN;
  const tox = level === 1 ? p.tox : param(p, 1e-7, 'tox');
  const cox = tox !== undefined && tox > 0 ? EPS_OX / tox : 0;
  const uo = param(p, 600, 'uo', 'u0');
  let kp = param(p, NaN, 'kp');
  if (Number.isNaN(kp)) kp = cox > 0 ? uo * 1e-4 * cox : 2e-5;
  let phi = param(p, NaN, 'phi');
  let gamma = param(p, NaN, 'gamma');
  let vto = param(p, NaN, 'vto', 'vt0');
  const nsub = p.nsub;
  if (nsub !== undefined && cox > 0 && nsub * 1e6 > 1.45e16) {
    // Process parameters -> electrical ones (ngspice mos1temp.c, SPICE2 ch. 4).
    const vtnom = thermalVoltage(tnom);
    const egfet1 = energyGap(tnom);
    // Levels 1 and 2 take ni = 1.45e10 cm^-3 as is; level 3 scales it from 300 K to TNOM (ngspice mos3temp.c).
    const ni =
      level !== 3
        ? 1.45e16
        : 1.45e16 * Math.pow(tnom / 300, 1.5) * Math.exp((egfet1 / (2 * K_OVER_Q)) * (1 / 300 - 1 / tnom));
    if (Number.isNaN(phi)) phi = Math.max(0.1, 2 * vtnom * Math.log((nsub * 1e6) / ni));
    const fermis = type * 0.5 * phi;
    let wkfng = 3.2;
    const tpg = param(p, 1, 'tpg');
    if (tpg !== 0) {
      const fermig = type * tpg * 0.5 * egfet1;
      wkfng = 3.25 + 0.5 * egfet1 - fermig;
    }
    const wkfngs = wkfng - (3.25 + 0.5 * egfet1 + fermis);
    if (Number.isNaN(gamma)) gamma = Math.sqrt(2 * EPS_SI * CHARGE * nsub * 1e6) / cox;
    if (Number.isNaN(vto)) {
      const vfb = wkfngs - (param(p, 0, 'nss') * 1e4 * CHARGE) / cox;
      vto = vfb + type * (gamma * Math.sqrt(phi) + phi);
    }
  }
  return {
    type,
    level,
    vto: Number.isNaN(vto) ? 0 : vto,
    kp,
    gamma: Number.isNaN(gamma) ? 0 : gamma,
    phi: Number.isNaN(phi) ? 0.6 : phi,
    lambda: param(p, 0, 'lambda'),
    rd: param(p, 0, 'rd'),
    rs: param(p, 0, 'rs'),
    rsh: param(p, 0, 'rsh'),
    cbd: p.cbd,
    cbs: p.cbs,
    is: param(p, 1e-14, 'is'),
    js: param(p, 0, 'js'),
    pb: param(p, 0.8, 'pb'),
    cj: param(p, 0, 'cj'),
    mj: param(p, 0.5, 'mj'),
    cjsw: param(p, 0, 'cjsw'),
    mjsw: param(p, level === 1 ? 0.5 : 0.33, 'mjsw'),
    cgso: param(p, 0, 'cgso'),
    cgdo: param(p, 0, 'cgdo'),
    cgbo: param(p, 0, 'cgbo'),
    fc: param(p, 0.5, 'fc'),
    cox,
    tox,
    ld: param(p, 0, 'ld'),
    uo,
    nsub,
    tnom,
    params: p,
  };
}

/** Temperature-dependent values shared by all levels (ngspice mos1temp.c). */
export interface MosTemperature {
  kelvin: number;
  vt: number;
  /** KP and UO scaled by (T/Tnom)^-1.5. */
  kp: number;
  uo: number;
  phi: number;
  vbi: number;
  vto: number;
  bulkPotential: number;
  depletionPotential: number;
  /** Junction saturation currents (M included). */
  drainSatCur: number;
  sourceSatCur: number;
  drainVcrit: number;
  sourceVcrit: number;
  /** Zero-bias bottom and sidewall capacitances of the drain and source junctions (M included). */
  czbd: number;
  czbdsw: number;
  czbs: number;
  czbssw: number;
}

export interface MosGeometry {
  l: number;
  w: number;
  ad: number;
  as: number;
  pd: number;
  ps: number;
  nrd: number;
  nrs: number;
  m: number;
  /** L − 2·LD. */
  leff: number;
}

export function mosTemperature(model: MosModel, geometry: MosGeometry, kelvin: number): MosTemperature {
  const vt = thermalVoltage(kelvin);
  const ratio = kelvin / model.tnom;
  const fact1 = model.tnom / REFERENCE_TEMPERATURE;
  const fact2 = kelvin / REFERENCE_TEMPERATURE;
  const egfet = energyGap(kelvin);
  const egfet1 = energyGap(model.tnom);
  const vtnom = thermalVoltage(model.tnom);
  const pbfact = potentialFactor(kelvin);
  const pbfact1 = potentialFactor(model.tnom);
  const ratio4 = ratio * Math.sqrt(ratio);
  const phio = (model.phi - pbfact1) / fact1;
  const phi = fact2 * phio + pbfact;
  const type = model.type;
  const vbi =
    model.vto -
    type * (model.gamma * Math.sqrt(model.phi)) +
    0.5 * (egfet1 - egfet) +
    type * 0.5 * (phi - model.phi);
  const vto = vbi + type * model.gamma * Math.sqrt(phi);
  const satFactor = Math.exp(-egfet / vt + egfet1 / vtnom);
  const pbo = (model.pb - pbfact1) / fact1;
  const gmaOld = (model.pb - pbo) / pbo;
  const bulkPotential = fact2 * pbo + pbfact;
  const gmaNew = (bulkPotential - pbo) / pbo;
  const capScale = (grading: number): number =>
    (1 + grading * (4e-4 * (kelvin - REFERENCE_TEMPERATURE) - gmaNew)) /
    (1 + grading * (4e-4 * (model.tnom - REFERENCE_TEMPERATURE) - gmaOld));
  const m = geometry.m;
  const density = model.js * satFactor;
  const isat = model.is * satFactor;
  const drainSatCur = m * (density === 0 || geometry.ad === 0 ? isat : density * geometry.ad);
  const sourceSatCur = m * (density === 0 || geometry.as === 0 ? isat : density * geometry.as);
  const vcrit = (i: number): number => vt * Math.log(vt / (SQRT2 * i));
  const cjScale = capScale(model.mj);
  const swScale = capScale(model.mjsw);
  const bottom = (given: number | undefined, area: number): number =>
    m * (given !== undefined ? given * cjScale : model.cj * cjScale * area);
  return {
    kelvin,
    vt,
    kp: model.kp / ratio4,
    uo: model.uo / ratio4,
    phi,
    vbi,
    vto,
    bulkPotential,
    depletionPotential: model.fc * bulkPotential,
    drainSatCur,
    sourceSatCur,
    drainVcrit: vcrit(drainSatCur / m),
    sourceVcrit: vcrit(sourceSatCur / m),
    czbd: bottom(model.cbd, geometry.ad),
    czbdsw: m * model.cjsw * swScale * geometry.pd,
    czbs: bottom(model.cbs, geometry.as),
    czbssw: m * model.cjsw * swScale * geometry.ps,
  };
}

/** Charge and capacitance of a junction, filled in place (no allocation per load). */
interface JunctionCharge {
  charge: number;
  capacitance: number;
}

/** Bulk junction charge and capacitance with bottom and sidewall parts (mos1load.c's f2/f3/f4 form). */
function bulkCharge(
  v: number,
  czb: number,
  czbsw: number,
  mj: number,
  mjsw: number,
  fc: number,
  pb: number,
  out: JunctionCharge,
): JunctionCharge {
  out.charge = 0;
  out.capacitance = 0;
  if (czb === 0 && czbsw === 0) return out;
  const depCap = fc * pb;
  if (v < depCap) {
    const arg = 1 - v / pb;
    let charge = 0;
    let capacitance = 0;
    if (czb !== 0) {
      const sarg = mj === 0.5 ? 1 / Math.sqrt(arg) : Math.exp(-mj * Math.log(arg));
      charge += (pb * czb * (1 - arg * sarg)) / (1 - mj);
      capacitance += czb * sarg;
    }
    if (czbsw !== 0) {
      const sarg = mjsw === 0.5 ? 1 / Math.sqrt(arg) : Math.exp(-mjsw * Math.log(arg));
      charge += (pb * czbsw * (1 - arg * sarg)) / (1 - mjsw);
      capacitance += czbsw * sarg;
    }
    out.charge = charge;
    out.capacitance = capacitance;
    return out;
  }
  const arg = 1 - fc;
  const sarg = Math.exp(-mj * Math.log(arg));
  const sargsw = Math.exp(-mjsw * Math.log(arg));
  const f2 = (czb * (1 - fc * (1 + mj)) * sarg) / arg + (czbsw * (1 - fc * (1 + mjsw)) * sargsw) / arg;
  const f3 = (czb * mj * sarg) / arg / pb + (czbsw * mjsw * sargsw) / arg / pb;
  const f4 =
    (czb * pb * (1 - arg * sarg)) / (1 - mj) +
    (czbsw * pb * (1 - arg * sargsw)) / (1 - mjsw) -
    (f3 / 2) * depCap * depCap -
    depCap * f2;
  out.charge = f4 + v * (f2 + (v * f3) / 2);
  out.capacitance = f2 + f3 * v;
  return out;
}

/**
 * Meyer's gate capacitances (half values, as DEVqmeyer) for the normal orientation (vgs, vgd, with
 * vds = vgs − vgd >= 0), written into `out` as [gate-source, gate-drain, gate-bulk]; `swap` writes the
 * first two the other way round (the device is operated with drain and source interchanged).
 */
function meyer(
  vgs: number,
  vgd: number,
  von: number,
  vdsat: number,
  phi: number,
  cox: number,
  out: Float64Array,
  swap: boolean,
): void {
  const vds = vgs - vgd;
  const vgst = vgs - von;
  let gs = 0;
  let gd = 0;
  let gb = 0;
  if (vgst <= -phi) {
    gb = cox / 2;
  } else if (vgst <= -phi / 2) {
    gb = (-vgst * cox) / (2 * phi);
  } else if (vgst <= 0) {
    gs = (vgst * cox) / (1.5 * phi) + cox / 3;
    gb = (-vgst * cox) / (2 * phi);
  } else if (vdsat <= vds) {
    gs = cox / 3;
  } else {
    const vddif = 2 * vdsat - vds;
    const vddif1 = vdsat - vds - 1e-12;
    const vddif2 = vddif * vddif;
    gs = (cox * (1 - (vddif1 * vddif1) / vddif2)) / 3;
    gd = (cox * (1 - (vdsat * vdsat) / vddif2)) / 3;
  }
  out[0] = swap ? gd : gs;
  out[1] = swap ? gs : gd;
  out[2] = gb;
}

// Local terminals.
const D = 0;
const G = 1;
const S = 2;
const B = 3;
const DP = 4;
const SP = 5;

// State slots (n-type voltages, half Meyer capacitances, charges with their currents).
const VBD = 0;
const VBS = 1;
const VGS = 2;
const VDS = 3;
const CAPGS = 4;
const QGS = 5;
const CAPGD = 7;
const QGD = 8;
const CAPGB = 10;
const QGB = 11;
const QBD = 13;
const QBS = 15;
const STATE_SIZE = 17;

export class Mosfet implements Device {
  readonly nonlinear = true;
  private stamp!: LocalStamp;
  private s = 0;
  private t!: MosTemperature;
  private readonly drainConductance: number;
  private readonly sourceConductance: number;
  private readonly beta0: number;
  private readonly oxideCap: number;
  // Values of the last load, for the convergence test and AC.
  private mode = 1;
  private von = 0;
  private vdsat = 0;
  private cd = 0;
  private cbs = 0;
  private cbd = 0;
  private gm = 0;
  private gds = 0;
  private gmbs = 0;
  private gbd = 0;
  private gbs = 0;
  private capbd = 0;
  private capbs = 0;
  private capgs = 0;
  private capgd = 0;
  private capgb = 0;
  // The stamped linearisation of the last evaluation (re-stamped as is when bypassed).
  private gbdStamp = 0;
  private gbsStamp = 0;
  /** Junction currents and drain current with the junctions' charge currents (ngspice's MOS1cbd/cbs/cd). */
  private cbdTotal = 0;
  private cbsTotal = 0;
  private cdTotal = 0;
  /** Whether the bulk junctions have any capacitance (set with the temperature). */
  private drainJunctionCharged = true;
  private sourceJunctionCharged = true;
  private ceqbd = 0;
  private ceqbs = 0;
  private gcgs = 0;
  private gcgd = 0;
  private gcgb = 0;
  private ceqgs = 0;
  private ceqgd = 0;
  private ceqgb = 0;
  private cdreq = 0;
  private readonly terminal = { vbs: 0, vgs: 0, vds: 0 };
  private readonly drainJunction: JunctionCharge = { charge: 0, capacitance: 0 };
  private readonly sourceJunction: JunctionCharge = { charge: 0, capacitance: 0 };
  /** Meyer half-capacitances of the present evaluation (reused, no allocation per load). */
  private readonly meyerHalf = new Float64Array(3);
  /** Device temperature, kelvin (thermal noise). */
  private kelvin = 300.15;

  constructor(
    readonly name: string,
    private readonly nodes: string[],
    readonly model: MosModel,
    readonly geometry: MosGeometry,
    private readonly channel: ChannelModel,
    private readonly off: boolean,
    private readonly initial: { vds?: number; vgs?: number; vbs?: number },
    private readonly instanceTemperature: number | undefined,
    private readonly deltaTemperature: number,
    private readonly reltol: number,
    private readonly abstol: number,
  ) {
    const m = geometry.m;
    this.drainConductance =
      model.rd > 0 ? m / model.rd : model.rsh > 0 && geometry.nrd > 0 ? m / (model.rsh * geometry.nrd) : 0;
    this.sourceConductance =
      model.rs > 0 ? m / model.rs : model.rsh > 0 && geometry.nrs > 0 ? m / (model.rsh * geometry.nrs) : 0;
    this.beta0 = (m * geometry.w) / geometry.leff;
    this.oxideCap = model.cox * geometry.leff * geometry.w * m;
  }

  /** β = KP(T)·M·W/Leff. */
  get beta(): number {
    return this.t.kp * this.beta0;
  }

  setup(ctx: SetupContext): void {
    const [d, g, s, b] = this.nodes.map((n) => ctx.node(n));
    const dp = this.drainConductance > 0 ? ctx.node(`${this.name}#drain`) : d;
    const sp = this.sourceConductance > 0 ? ctx.node(`${this.name}#source`) : s;
    this.stamp = new LocalStamp(ctx, [d, g, s, b, dp, sp]);
    this.s = ctx.states(STATE_SIZE);
    // The entries the load stamps, one handle each (as ngspice's MOS1*Ptr): no index arithmetic per load.
    const h = (i: number, j: number): number => this.stamp.handle(i, j);
    this.hDD = h(D, D);
    this.hGG = h(G, G);
    this.hSS = h(S, S);
    this.hBB = h(B, B);
    this.hDPDP = h(DP, DP);
    this.hSPSP = h(SP, SP);
    this.hDDP = h(D, DP);
    this.hGB = h(G, B);
    this.hGDP = h(G, DP);
    this.hGSP = h(G, SP);
    this.hSSP = h(S, SP);
    this.hBG = h(B, G);
    this.hBDP = h(B, DP);
    this.hBSP = h(B, SP);
    this.hDPD = h(DP, D);
    this.hDPG = h(DP, G);
    this.hDPB = h(DP, B);
    this.hDPSP = h(DP, SP);
    this.hSPG = h(SP, G);
    this.hSPS = h(SP, S);
    this.hSPB = h(SP, B);
    this.hSPDP = h(SP, DP);
    this.uG = g;
    this.uB = b;
    this.uDP = dp;
    this.uSP = sp;
  }

  // Matrix handles and unknowns of the stamp (set by setup).
  private hDD = 0;
  private hGG = 0;
  private hSS = 0;
  private hBB = 0;
  private hDPDP = 0;
  private hSPSP = 0;
  private hDDP = 0;
  private hGB = 0;
  private hGDP = 0;
  private hGSP = 0;
  private hSSP = 0;
  private hBG = 0;
  private hBDP = 0;
  private hBSP = 0;
  private hDPD = 0;
  private hDPG = 0;
  private hDPB = 0;
  private hDPSP = 0;
  private hSPG = 0;
  private hSPS = 0;
  private hSPB = 0;
  private hSPDP = 0;
  private uG = 0;
  private uB = 0;
  private uDP = 0;
  private uSP = 0;

  temperature(kelvin: number): void {
    const t =
      this.instanceTemperature !== undefined
        ? this.instanceTemperature + CELSIUS_TO_KELVIN
        : kelvin + this.deltaTemperature;
    this.kelvin = t;
    this.t = mosTemperature(this.model, this.geometry, t);
    this.drainJunctionCharged = this.t.czbd !== 0 || this.t.czbdsw !== 0;
    this.sourceJunctionCharged = this.t.czbs !== 0 || this.t.czbssw !== 0;
    this.channel.temperature(this.t);
  }

  /**
   * Noise (ngspice mos1noise.c, SPICE2 model): thermal noise of RD and RS, channel thermal noise 4kT·(2/3)·|gm|,
   * and flicker noise KF·|Id|^AF / (f·M·W·Leff·Cox²) as ngspice 39 writes it (SPICE2 had f·Cox·Leff²), Cox per
   * area from TOX (default 1e-7 m, as ngspice).
   */
  noise(ctx: NoiseContext): void {
    const [d, , s, , dp, sp] = this.stamp.unknowns;
    const thermal = 4 * ctx.boltzmann * this.kelvin;
    if (this.drainConductance > 0) ctx.source(`${this.name} rd`, d, dp, thermal * this.drainConductance);
    if (this.sourceConductance > 0) ctx.source(`${this.name} rs`, s, sp, thermal * this.sourceConductance);
    ctx.source(`${this.name} id`, dp, sp, (thermal * 2 * Math.abs(this.gm)) / 3);
    const kf = this.model.params.kf ?? 0;
    const af = this.model.params.af ?? 1;
    const cox = this.model.cox > 0 ? this.model.cox : EPS_OX / 1e-7;
    const { leff, w, m } = this.geometry;
    const flicker =
      (kf * Math.exp(af * Math.log(Math.max(Math.abs(this.cd), 1e-38)))) /
      (ctx.frequency * m * w * leff * cox * cox);
    ctx.source(`${this.name} flicker`, dp, sp, flicker);
  }

  /** The n-type terminal voltages of `solution`, into `terminal` (reused, no allocation per load). */
  private voltages(solution: Float64Array): { vbs: number; vgs: number; vds: number } {
    const type = this.model.type;
    const v = this.terminal;
    const vsp = solution[this.uSP];
    v.vbs = type * (solution[this.uB] - vsp);
    v.vgs = type * (solution[this.uG] - vsp);
    v.vds = type * (solution[this.uDP] - vsp);
    return v;
  }

  /** The first iteration of a time point linearises at the voltages extrapolated from the last two points. */
  private predictVoltages(ctx: LoadContext, s: number): void {
    const v = this.terminal;
    v.vbs = predictedVoltage(ctx.state, ctx.timesteps, s + VBS);
    v.vgs = predictedVoltage(ctx.state, ctx.timesteps, s + VGS);
    v.vds = predictedVoltage(ctx.state, ctx.timesteps, s + VDS);
  }

  /**
   * fetlim/limvds/pnjlim limiting of the terminal voltages in `terminal` against `old` (mos1load.c), in
   * place. A method of its own (as integrateCharges): small enough for V8 to inline its helpers, which a
   * load of this size no longer gets, and it returns nothing (a returned double would be boxed).
   */
  private limitVoltages(ctx: LoadContext, old: Float64Array, s: number): void {
    const v = this.terminal;
    const t = this.t;
    limitFetVoltages(v, old[s + VGS], old[s + VDS], this.model.type * this.von);
    const vds = v.vds;
    v.vbs =
      vds >= 0
        ? limitJunction(v.vbs, old[s + VBS], t.vt, t.sourceVcrit, ctx)
        : limitJunction(v.vbs - vds, old[s + VBD], t.vt, t.drainVcrit, ctx) + vds;
  }

  /**
   * Transient: integrate the junction charges (set by load in state[0] from the drainJunction/sourceJunction
   * results) and the Meyer gate charges (capacitance now + at the last point + overlap, given as `capgs0`...
   * without the last point's half), into the stamped conductances and equivalent currents.
   */
  private integrateCharges(
    ctx: LoadContext,
    vgs: number,
    vgd: number,
    vgb: number,
    capgs0: number,
    capgd0: number,
    capgb0: number,
  ): void {
    const s = this.s;
    const state = ctx.state[0];
    const ag0 = ctx.ag0;
    // A junction without capacitance has no charge to integrate (its charge and current stay 0).
    if (this.drainJunctionCharged) {
      state[s + QBD] = this.drainJunction.charge;
      ctx.integrate(s + QBD);
      this.cbdTotal += state[s + QBD + 1];
      this.gbdStamp += ag0 * this.drainJunction.capacitance;
    }
    if (this.sourceJunctionCharged) {
      state[s + QBS] = this.sourceJunction.charge;
      ctx.integrate(s + QBS);
      this.cbsTotal += state[s + QBS + 1];
      this.gbsStamp += ag0 * this.sourceJunction.capacitance;
    }
    const prev = ctx.state[1];
    const capgs = capgs0 + prev[s + CAPGS];
    const capgd = capgd0 + prev[s + CAPGD];
    const capgb = capgb0 + prev[s + CAPGB];
    const vgs1 = prev[s + VGS];
    const vgd1 = vgs1 - prev[s + VDS];
    const vgb1 = vgs1 - prev[s + VBS];
    state[s + QGS] = (vgs - vgs1) * capgs + prev[s + QGS];
    state[s + QGD] = (vgd - vgd1) * capgd + prev[s + QGD];
    state[s + QGB] = (vgb - vgb1) * capgb + prev[s + QGB];
    ctx.integrate(s + QGS);
    ctx.integrate(s + QGD);
    ctx.integrate(s + QGB);
    const gcgs = ag0 * capgs;
    const gcgd = ag0 * capgd;
    const gcgb = ag0 * capgb;
    const type = this.model.type;
    this.gcgs = gcgs;
    this.gcgd = gcgd;
    this.gcgb = gcgb;
    this.ceqgs = type * (state[s + QGS + 1] - gcgs * vgs);
    this.ceqgd = type * (state[s + QGD + 1] - gcgd * vgd);
    this.ceqgb = type * (state[s + QGB + 1] - gcgb * vgb);
  }

  load(ctx: LoadContext): void {
    const { model, t } = this;
    const type = model.type;
    const s = this.s;
    const state = ctx.state[0];
    const predicting = ctx.firstIteration && ctx.mode === 'tran';
    const old = predicting ? ctx.state[1] : state;
    let vbs: number;
    let vgs: number;
    let vds: number;
    if (ctx.initJunctions) {
      const ic = this.initial;
      if (this.off) {
        vbs = 0;
        vgs = 0;
        vds = 0;
      } else if (ctx.mode === 'tranop' && (ic.vds || ic.vgs || ic.vbs)) {
        vds = type * (ic.vds ?? 0);
        vgs = type * (ic.vgs ?? 0);
        vbs = type * (ic.vbs ?? 0);
      } else {
        // ngspice's MODEINITJCT: a turned-on device with the bulk junction reverse biased.
        vbs = -1;
        vgs = type * t.vto;
        vds = 0;
      }
    } else {
      const v = this.terminal;
      if (predicting) {
        this.predictVoltages(ctx, s);
      } else {
        this.voltages(ctx.solution);
        if (ctx.bypass && this.canBypass(ctx, v.vbs, v.vgs, v.vds)) {
          ctx.bypassed();
          this.stampLoad(ctx);
          return;
        }
      }
      this.limitVoltages(ctx, old, s);
      vbs = v.vbs;
      vgs = v.vgs;
      vds = v.vds;
    }
    const vbd = vbs - vds;
    const vgd = vgs - vds;
    const vgb = vgs - vbs;
    const gmin = ctx.gmin;

    // Bulk junction diodes.
    if (vbs <= -3 * t.vt) {
      this.gbs = gmin;
      this.cbs = gmin * vbs - t.sourceSatCur;
    } else {
      const e = Math.exp(Math.min(709, vbs / t.vt));
      this.gbs = (t.sourceSatCur * e) / t.vt + gmin;
      this.cbs = t.sourceSatCur * (e - 1) + gmin * vbs;
    }
    if (vbd <= -3 * t.vt) {
      this.gbd = gmin;
      this.cbd = gmin * vbd - t.drainSatCur;
    } else {
      const e = Math.exp(Math.min(709, vbd / t.vt));
      this.gbd = (t.drainSatCur * e) / t.vt + gmin;
      this.cbd = t.drainSatCur * (e - 1) + gmin * vbd;
    }

    // Channel, with drain and source interchanged when vds < 0.
    this.mode = vds >= 0 ? 1 : -1;
    const channel =
      this.mode === 1 ? this.channel.evaluate(vgs, vds, vbs, t) : this.channel.evaluate(vgd, -vds, vbd, t);
    this.gm = channel.gm;
    this.gds = channel.gds;
    this.gmbs = channel.gmbs;
    this.von = type * channel.von;
    this.vdsat = type * channel.vdsat;
    this.cd = this.mode * channel.cdrain - this.cbd;

    state[s + VBS] = vbs;
    state[s + VBD] = vbd;
    state[s + VGS] = vgs;
    state[s + VDS] = vds;

    // Charges: bulk junctions and Meyer gate capacitances (needed for transient and for AC).
    const junctionD = bulkCharge(
      vbd,
      t.czbd,
      t.czbdsw,
      model.mj,
      model.mjsw,
      model.fc,
      t.bulkPotential,
      this.drainJunction,
    );
    const junctionS = bulkCharge(
      vbs,
      t.czbs,
      t.czbssw,
      model.mj,
      model.mjsw,
      model.fc,
      t.bulkPotential,
      this.sourceJunction,
    );
    this.capbd = junctionD.capacitance;
    this.capbs = junctionS.capacitance;
    const half = this.meyerHalf;
    if (this.mode === 1) meyer(vgs, vgd, channel.von, channel.vdsat, t.phi, this.oxideCap, half, false);
    else meyer(vgd, vgs, channel.von, channel.vdsat, t.phi, this.oxideCap, half, true);
    const hgs = half[0];
    const hgd = half[1];
    const hgb = half[2];
    state[s + CAPGS] = hgs;
    state[s + CAPGD] = hgd;
    state[s + CAPGB] = hgb;
    const overlapGs = model.cgso * this.geometry.w * this.geometry.m;
    const overlapGd = model.cgdo * this.geometry.w * this.geometry.m;
    const overlapGb = model.cgbo * this.geometry.leff * this.geometry.m;

    this.gbdStamp = this.gbd;
    this.gbsStamp = this.gbs;
    this.cbdTotal = this.cbd;
    this.cbsTotal = this.cbs;
    this.gcgs = 0;
    this.gcgd = 0;
    this.gcgb = 0;
    this.ceqgs = 0;
    this.ceqgd = 0;
    this.ceqgb = 0;
    if (ctx.mode === 'tran') {
      this.integrateCharges(ctx, vgs, vgd, vgb, hgs + overlapGs, hgd + overlapGd, hgb + overlapGb);
    }
    this.capgs = 2 * hgs + overlapGs;
    this.capgd = 2 * hgd + overlapGd;
    this.capgb = 2 * hgb + overlapGb;

    // The linearisation to stamp (kept for bypass): n-type quantities, currents turned back with `type`.
    this.cdTotal = this.cd + this.cbd - this.cbdTotal;
    this.ceqbd = type * (this.cbdTotal - this.gbdStamp * vbd);
    this.ceqbs = type * (this.cbsTotal - this.gbsStamp * vbs);
    const vgsEff = this.mode === 1 ? vgs : vgd;
    const vdsEff = this.mode === 1 ? vds : -vds;
    const vbsEff = this.mode === 1 ? vbs : vbd;
    // ngspice's cdreq: the channel's equivalent current, drain to source of the device as connected.
    this.cdreq =
      this.mode *
      type *
      (channel.cdrain - channel.gm * vgsEff - channel.gds * vdsEff - channel.gmbs * vbsEff);
    this.stampLoad(ctx);
  }

  /**
   * Bypass test (ngspice mos1load.c): every controlling voltage within reltol·max + vntol of its value at the
   * last evaluation, and the drain and bulk currents predicted from that evaluation within reltol·max + abstol.
   */
  private canBypass(ctx: LoadContext, vbs: number, vgs: number, vds: number): boolean {
    const state = ctx.state[0];
    const s = this.s;
    const { reltol, vntol, abstol } = ctx;
    const vbsLast = state[s + VBS];
    const vbdLast = state[s + VBD];
    const vgsLast = state[s + VGS];
    const vdsLast = state[s + VDS];
    const vbd = vbs - vds;
    if (
      !withinTolerance(vbs, vbsLast, reltol, vntol) ||
      !withinTolerance(vbd, vbdLast, reltol, vntol) ||
      !withinTolerance(vgs, vgsLast, reltol, vntol) ||
      !withinTolerance(vds, vdsLast, reltol, vntol)
    ) {
      return false;
    }
    const delvbs = vbs - vbsLast;
    const delvbd = vbd - vbdLast;
    const delvgs = vgs - vgsLast;
    const delvds = vds - vdsLast;
    const delvgd = vgs - vds - (vgsLast - vdsLast);
    // As ngspice, with the bulk junctions' charge currents and conductances included (in transient a small
    // change of a junction voltage can move its charge current far more than its DC current).
    const gbd = this.gbdStamp;
    const gbs = this.gbsStamp;
    const cd = this.cdTotal;
    const cb = this.cbdTotal + this.cbsTotal;
    const cdhat =
      this.mode >= 0
        ? cd - gbd * delvbd + this.gmbs * delvbs + this.gm * delvgs + this.gds * delvds
        : cd - (gbd - this.gmbs) * delvbd - this.gm * delvgd + this.gds * delvds;
    const cbhat = cb + gbd * delvbd + gbs * delvbs;
    // The bulk current's tolerance is reltol·(max + abstol), abstol inside, exactly as mos1load.c writes it
    // (mos2load.c and mos3load.c too): with junction capacitances in transient (ag0·C ≫ the leakage) that
    // allows almost no junction-voltage change, so a MOSFET bypasses mainly while it is truly at rest.
    if (!withinTolerance(cdhat, cd, reltol, abstol) || !withinTolerance(cbhat, cb, reltol, reltol * abstol))
      return false;
    // A bypassed device keeps its last evaluation, so it must also pass the convergence test (converged(),
    // which uses the DC currents): otherwise Newton would wait for it forever (seen: itl4 exhausted, step cut).
    return this.currentsConverged(state, vbs, vgs, vds);
  }

  /** Stamp the linearisation of the last evaluation (fields set by load), entry by entry as mos1load.c. */
  private stampLoad(ctx: LoadContext): void {
    const m = ctx.matrix;
    const rhs = ctx.rhs;
    const gdpr = this.drainConductance;
    const gspr = this.sourceConductance;
    const gbd = this.gbdStamp;
    const gbs = this.gbsStamp;
    const gcgs = this.gcgs;
    const gcgd = this.gcgd;
    const gcgb = this.gcgb;
    const gm = this.gm;
    const gds = this.gds;
    const gmbs = this.gmbs;
    const ceqgs = this.ceqgs;
    const ceqgd = this.ceqgd;
    const ceqgb = this.ceqgb;
    const ceqbd = this.ceqbd;
    const ceqbs = this.ceqbs;
    const cdreq = this.cdreq;
    const normal = this.mode === 1;
    const xnrm = normal ? 1 : 0;
    const xrev = normal ? 0 : 1;
    const xdiff = xnrm - xrev;
    rhs[this.uG] -= ceqgs + ceqgb + ceqgd;
    rhs[this.uB] -= ceqbs + ceqbd - ceqgb;
    rhs[this.uDP] += ceqbd - cdreq + ceqgd;
    rhs[this.uSP] += cdreq + ceqbs + ceqgs;
    m[this.hDD] += gdpr;
    m[this.hGG] += gcgd + gcgs + gcgb;
    m[this.hSS] += gspr;
    m[this.hBB] += gbd + gbs + gcgb;
    m[this.hDPDP] += gdpr + gds + gbd + xrev * (gm + gmbs) + gcgd;
    m[this.hSPSP] += gspr + gds + gbs + xnrm * (gm + gmbs) + gcgs;
    m[this.hDDP] -= gdpr;
    m[this.hGB] -= gcgb;
    m[this.hGDP] -= gcgd;
    m[this.hGSP] -= gcgs;
    m[this.hSSP] -= gspr;
    m[this.hBG] -= gcgb;
    m[this.hBDP] -= gbd;
    m[this.hBSP] -= gbs;
    m[this.hDPD] -= gdpr;
    m[this.hDPG] += xdiff * gm - gcgd;
    m[this.hDPB] += -gbd + xdiff * gmbs;
    m[this.hDPSP] += -gds - xnrm * (gm + gmbs);
    m[this.hSPG] += -xdiff * gm - gcgs;
    m[this.hSPS] -= gspr;
    m[this.hSPB] += -gbs - xdiff * gmbs;
    m[this.hSPDP] += -gds - xrev * (gm + gmbs);
  }

  converged(ctx: LoadContext): boolean {
    const { vbs, vgs, vds } = this.voltages(ctx.solution);
    return this.currentsConverged(ctx.state[0], vbs, vgs, vds);
  }

  /** The convergence test: drain and bulk currents predicted at (vbs, vgs, vds) from the last evaluation. */
  private currentsConverged(state: Float64Array, vbs: number, vgs: number, vds: number): boolean {
    const s = this.s;
    const vbd = vbs - vds;
    const vgd = vgs - vds;
    const delvbs = vbs - state[s + VBS];
    const delvbd = vbd - state[s + VBD];
    const delvgs = vgs - state[s + VGS];
    const delvds = vds - state[s + VDS];
    const delvgd = vgd - (state[s + VGS] - state[s + VDS]);
    const cdhat =
      this.mode >= 0
        ? this.cd - this.gbd * delvbd + this.gmbs * delvbs + this.gm * delvgs + this.gds * delvds
        : this.cd - (this.gbd - this.gmbs) * delvbd - this.gm * delvgd + this.gds * delvds;
    const cbhat = this.cbs + this.cbd + this.gbd * delvbd + this.gbs * delvbs;
    return (
      currentConverged(cdhat, this.cd, this.reltol, this.abstol) &&
      currentConverged(cbhat, this.cbs + this.cbd, this.reltol, this.abstol)
    );
  }

  acLoad(ctx: AcLoadContext): void {
    const st = this.stamp;
    const re = ctx.re;
    const im = ctx.im;
    const w = ctx.omega;
    if (this.drainConductance > 0) st.conductance(re, D, DP, this.drainConductance);
    if (this.sourceConductance > 0) st.conductance(re, S, SP, this.sourceConductance);
    st.conductance(re, B, DP, this.gbd);
    st.conductance(re, B, SP, this.gbs);
    st.conductance(im, B, DP, w * this.capbd);
    st.conductance(im, B, SP, w * this.capbs);
    st.conductance(im, G, SP, w * this.capgs);
    st.conductance(im, G, DP, w * this.capgd);
    st.conductance(im, G, B, w * this.capgb);
    const dd = this.mode === 1 ? DP : SP;
    const ss = this.mode === 1 ? SP : DP;
    st.transconductance(re, dd, ss, G, ss, this.gm);
    st.conductance(re, dd, ss, this.gds);
    st.transconductance(re, dd, ss, B, ss, this.gmbs);
  }

  /**
   * Timestep from the truncation error of the gate charges only, as ngspice's MOS1trunc/MOS2trunc/MOS3trunc:
   * the bulk junction charges are not checked (including them also made the step control react to the
   * frozen junction charges of bypassed devices).
   */
  truncate(ctx: TruncateContext): number {
    const s = this.s;
    const a = ctx.chargeTimestep(s + QGS);
    const b = ctx.chargeTimestep(s + QGD);
    const c = ctx.chargeTimestep(s + QGB);
    return a < b ? (a < c ? a : c) : b < c ? b : c;
  }

  initialConditions(solution: Float64Array, state: Float64Array, useInitialConditions: boolean): void {
    const s = this.s;
    const type = this.model.type;
    let { vbs, vgs, vds } = this.voltages(solution);
    if (useInitialConditions) {
      const ic = this.initial;
      vds = type * (ic.vds ?? 0);
      vgs = type * (ic.vgs ?? 0);
      vbs = type * (ic.vbs ?? 0);
    }
    const vbd = vbs - vds;
    const vgd = vgs - vds;
    const t = this.t;
    const model = this.model;
    state[s + VBS] = vbs;
    state[s + VBD] = vbd;
    state[s + VGS] = vgs;
    state[s + VDS] = vds;
    const mode = vds >= 0 ? 1 : -1;
    const channel =
      mode === 1 ? this.channel.evaluate(vgs, vds, vbs, t) : this.channel.evaluate(vgd, -vds, vbd, t);
    this.von = type * channel.von;
    const half = this.meyerHalf;
    if (mode === 1) meyer(vgs, vgd, channel.von, channel.vdsat, t.phi, this.oxideCap, half, false);
    else meyer(vgd, vgs, channel.von, channel.vdsat, t.phi, this.oxideCap, half, true);
    const hgs = half[0];
    const hgd = half[1];
    const hgb = half[2];
    state[s + CAPGS] = hgs;
    state[s + CAPGD] = hgd;
    state[s + CAPGB] = hgb;
    const g = this.geometry;
    // ngspice's tranop charges: q = v·(2·half + overlap).
    state[s + QGS] = vgs * (2 * hgs + model.cgso * g.w * g.m);
    state[s + QGD] = vgd * (2 * hgd + model.cgdo * g.w * g.m);
    state[s + QGB] = (vgs - vbs) * (2 * hgb + model.cgbo * g.leff * g.m);
    state[s + QBD] = bulkCharge(
      vbd,
      t.czbd,
      t.czbdsw,
      model.mj,
      model.mjsw,
      model.fc,
      t.bulkPotential,
      this.drainJunction,
    ).charge;
    state[s + QBS] = bulkCharge(
      vbs,
      t.czbs,
      t.czbssw,
      model.mj,
      model.mjsw,
      model.fc,
      t.bulkPotential,
      this.sourceJunction,
    ).charge;
  }
}

export function mosGeometry(card: ElementCard, model: MosModel, ctx: DeviceBuildContext): MosGeometry {
  const p = card.params;
  const o = ctx.circuit.options;
  const l = p.l ?? (typeof o.defl === 'number' ? o.defl : 100e-6);
  const w = p.w ?? (typeof o.defw === 'number' ? o.defw : 100e-6);
  const leff = l - 2 * model.ld;
  if (!(leff > 0) || !(w > 0)) {
    throw new CircuitError(
      `${card.name}: effective channel length L − 2·LD = ${leff} and width W = ${w} must be positive`,
      card.loc,
      'check L, W and the model LD',
    );
  }
  return {
    l,
    w,
    ad: p.ad ?? (typeof o.defad === 'number' ? o.defad : 0),
    as: p.as ?? (typeof o.defas === 'number' ? o.defas : 0),
    pd: p.pd ?? 0,
    ps: p.ps ?? 0,
    nrd: p.nrd ?? 1,
    nrs: p.nrs ?? 1,
    m: p.m ?? 1,
    leff,
  };
}

export function createMosfetWith(
  card: ElementCard,
  ctx: DeviceBuildContext,
  modelCard: ModelCard,
  level: number,
  channel: (model: MosModel, geometry: MosGeometry) => ChannelModel,
): Mosfet {
  const model = mosModel(modelCard, ctx.options.tnom, level);
  const geometry = mosGeometry(card, model, ctx);
  const p = card.params;
  return new Mosfet(
    card.name,
    card.nodes.slice(0, 4),
    model,
    geometry,
    channel(model, geometry),
    (p.off ?? 0) !== 0,
    { vds: p.ic, vgs: p.ic2, vbs: p.ic3 },
    p.temp,
    p.dtemp ?? 0,
    ctx.options.reltol,
    ctx.options.abstol,
  );
}
