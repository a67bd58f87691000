/**
 * BSIM4 (4.8) model cards: parameter defaults, binning and ngspice-style parameter checks.
 *
 * Names are the model-card names of the Berkeley BSIM4.8.0 manual (appendix A, "Complete parameter list"),
 * as ngspice reads them (`pdiblc1`, `u0`, `toxe`, ...), with the defaults the manual gives. Binnable
 * parameters P take the manual's eq. (A.1) form P = P0 + PL/Leff + PW/Weff + PP/(Leff·Weff), with Leff and
 * Weff in micrometres when BINUNIT = 1.
 */
import type { ModelCard } from '../../circuit/flat';

export type Defaulter = number | ((card: CardValues) => number);

/** The card's values by lower-case name, with the type and mobility model the defaults depend on. */
export interface CardValues {
  readonly type: 1 | -1;
  readonly params: Readonly<Record<string, number>>;
  readonly mobMod: number;
}

/**
 * Binnable parameters and their defaults (manual appendix A). Defaults marked "computed" in the manual
 * (vth0, k1/k2 from the doping, vfb, dsub = drout, ...) are handled where they are used.
 */
export const BINNED_DEFAULTS: Record<string, Defaulter> = {
  cdsc: 2.4e-4,
  cdscb: 0,
  cdscd: 0,
  cit: 0,
  nfactor: 1,
  tnfactor: 0,
  xj: 1.5e-7,
  vsat: 8e4,
  at: 3.3e4,
  a0: 1,
  ags: 0,
  a1: 0,
  a2: 1,
  keta: -0.047,
  nsub: 6e16,
  ndep: 1.7e17,
  nsd: 1e20,
  phin: 0,
  ngate: 0,
  gamma1: NaN,
  gamma2: NaN,
  vbx: NaN,
  vbm: -3,
  xt: 1.55e-7,
  vfb: NaN,
  k1: 0.53,
  kt1: -0.11,
  kt1l: 0,
  k2: -0.0186,
  kt2: 0.022,
  k3: 80,
  k3b: 0,
  w0: 2.5e-6,
  lpe0: 1.74e-7,
  lpeb: 0,
  dvtp0: 0,
  dvtp1: 0,
  dvtp2: 0,
  dvtp3: 0,
  dvtp4: 0,
  dvtp5: 0,
  dvt0: 2.2,
  dvt1: 0.53,
  dvt2: -0.032,
  dvt0w: 0,
  dvt1w: 5.3e6,
  dvt2w: -0.032,
  drout: 0.56,
  dsub: (c) => c.params.drout ?? 0.56,
  vth0: NaN,
  ua: (c) => (c.mobMod === 2 ? 1e-15 : 1e-9),
  ua1: 1e-9,
  ub: 1e-19,
  ub1: -1e-18,
  uc: (c) => (c.mobMod === 1 ? -0.0465 : -0.0465e-9),
  uc1: (c) => (c.mobMod === 1 ? -0.056 : -0.056e-9),
  ud: 0,
  ud1: 0,
  up: 0,
  lp: 1e-8,
  eu: (c) => (c.type === 1 ? 1.67 : 1.0),
  u0: (c) => (c.type === 1 ? 0.067 : 0.025),
  ute: -1.5,
  voff: -0.08,
  tvoff: 0,
  minv: 0,
  minvcv: 0,
  fprout: 0,
  pdits: 0,
  pditsd: 0,
  delta: 0.01,
  rdsw: 200,
  rdw: 100,
  rsw: 100,
  prwg: 1,
  prwb: 0,
  prt: 0,
  eta0: 0.08,
  teta0: 0,
  etab: -0.07,
  pclm: 1.3,
  pdiblc1: 0.39,
  pdiblc2: 0.0086,
  pdiblcb: 0,
  pscbe1: 4.24e8,
  pscbe2: 1e-5,
  pvag: 0,
  wr: 1,
  dwg: 0,
  dwb: 0,
  b0: 0,
  b1: 0,
  alpha0: 0,
  alpha1: 0,
  beta0: 0,
  agidl: 0,
  bgidl: 2.3e9,
  cgidl: 0.5,
  egidl: 0.8,
  // Gate tunnelling (manual ch. 9; NMOS / PMOS defaults).
  aigc: (c) => (c.type === 1 ? 1.36e-2 : 9.8e-3),
  bigc: (c) => (c.type === 1 ? 1.71e-3 : 7.59e-4),
  cigc: (c) => (c.type === 1 ? 0.075 : 0.03),
  aigs: (c) => c.params.aigsd ?? (c.type === 1 ? 1.36e-2 : 9.8e-3),
  bigs: (c) => c.params.bigsd ?? (c.type === 1 ? 1.71e-3 : 7.59e-4),
  cigs: (c) => c.params.cigsd ?? (c.type === 1 ? 0.075 : 0.03),
  aigd: (c) => c.params.aigsd ?? (c.type === 1 ? 1.36e-2 : 9.8e-3),
  bigd: (c) => c.params.bigsd ?? (c.type === 1 ? 1.71e-3 : 7.59e-4),
  cigd: (c) => c.params.cigsd ?? (c.type === 1 ? 0.075 : 0.03),
  nigc: 1,
  pigcd: 1,
  poxedge: 1,
  ntox: 1,
  aigbacc: 1.36e-2,
  bigbacc: 1.71e-3,
  cigbacc: 0.075,
  nigbacc: 1,
  aigbinv: 1.11e-2,
  bigbinv: 9.49e-4,
  cigbinv: 0.006,
  eigbinv: 1.1,
  nigbinv: 3,
  vfbsdoff: 0,
  tvfbsdoff: 0,
  rgidl: 1,
  kgidl: 0,
  fgidl: 1,
  rgisl: (c) => c.params.rgidl ?? 1,
  kgisl: (c) => c.params.kgidl ?? 0,
  fgisl: (c) => c.params.fgidl ?? 1,
  agisl: (c) => c.params.agidl ?? 0,
  bgisl: (c) => c.params.bgidl ?? 2.3e9,
  cgisl: (c) => c.params.cgidl ?? 0.5,
  egisl: (c) => c.params.egidl ?? 0.8,
  cgsl: 0,
  cgdl: 0,
  ckappas: 0.6,
  ckappad: (c) => c.params.ckappas ?? 0.6,
  cf: NaN,
  clc: 1e-7,
  cle: 0.6,
  vfbcv: -1,
  acde: 1,
  moin: 15,
  noff: 1,
  voffcv: 0,
  tvoffcv: 0,
  lambda: 0,
  vtl: 2e5,
  xrcrg1: 12,
  xrcrg2: 1,
  xn: 3,
};

/** Model-level (not binned) parameters and their defaults. */
export const MODEL_DEFAULTS: Record<string, Defaulter> = {
  binunit: 1,
  paramchk: 1,
  mobmod: 0,
  capmod: 2,
  diomod: 1,
  rdsmod: 0,
  rbodymod: 0,
  rgatemod: 0,
  permod: 1,
  geomod: 0,
  rgeomod: 0,
  igcmod: 0,
  igbmod: 0,
  tempmod: 0,
  mtrlmod: 0,
  cvchargemod: 0,
  gidlmod: 0,
  trnqsmod: 0,
  acnqsmod: 0,
  ados: 1,
  bdos: 1,
  toxe: 3e-9,
  toxp: NaN,
  toxm: NaN,
  dtox: 0,
  epsrox: 3.9,
  toxref: 3e-9,
  voffl: 0,
  voffcvl: 0,
  pditsl: 0,
  lint: 0,
  ll: 0,
  lw: 0,
  lwl: 0,
  lln: 1,
  lwn: 1,
  wint: 0,
  wl: 0,
  ww: 0,
  wwl: 0,
  wln: 1,
  wwn: 1,
  llc: (c) => c.params.ll ?? 0,
  lwc: (c) => c.params.lw ?? 0,
  lwlc: (c) => c.params.lwl ?? 0,
  wlc: (c) => c.params.wl ?? 0,
  wwc: (c) => c.params.ww ?? 0,
  wwlc: (c) => c.params.wwl ?? 0,
  dlc: (c) => c.params.lint ?? 0,
  dwc: (c) => c.params.wint ?? 0,
  dwj: (c) => c.params.dwc ?? c.params.wint ?? 0,
  xl: 0,
  xw: 0,
  rdswmin: 0,
  rdwmin: 0,
  rswmin: 0,
  rsh: 0,
  xpart: 0,
  // Junctions: source side, drain side defaulting to the source side (manual section 10).
  jss: 1e-4,
  jsws: 0,
  jswgs: 0,
  njs: 1,
  xtis: 3,
  bvs: 10,
  xjbvs: 1,
  ijthsfwd: 0.1,
  ijthsrev: 0.1,
  cjs: 5e-4,
  mjs: 0.5,
  pbs: 1,
  cjsws: 5e-10,
  mjsws: 0.33,
  pbsws: 1,
  cjswgs: (c) => c.params.cjsws ?? 5e-10,
  mjswgs: (c) => c.params.mjsws ?? 0.33,
  pbswgs: (c) => c.params.pbsws ?? 1,
  jsd: (c) => c.params.jss ?? 1e-4,
  jswd: (c) => c.params.jsws ?? 0,
  jswgd: (c) => c.params.jswgs ?? 0,
  njd: (c) => c.params.njs ?? 1,
  xtid: (c) => c.params.xtis ?? 3,
  bvd: (c) => c.params.bvs ?? 10,
  xjbvd: (c) => c.params.xjbvs ?? 1,
  ijthdfwd: (c) => c.params.ijthsfwd ?? 0.1,
  ijthdrev: (c) => c.params.ijthsrev ?? 0.1,
  cjd: (c) => c.params.cjs ?? 5e-4,
  mjd: (c) => c.params.mjs ?? 0.5,
  pbd: (c) => c.params.pbs ?? 1,
  cjswd: (c) => c.params.cjsws ?? 5e-10,
  mjswd: (c) => c.params.mjsws ?? 0.33,
  pbswd: (c) => c.params.pbsws ?? 1,
  cjswgd: (c) => c.params.cjswgs ?? c.params.cjsws ?? 5e-10,
  mjswgd: (c) => c.params.mjswgs ?? c.params.mjsws ?? 0.33,
  pbswgd: (c) => c.params.pbswgs ?? c.params.pbsws ?? 1,
  // Trap-assisted tunnelling junction currents (manual ch. 10, BSIM4.6+).
  jtss: 0,
  jtsd: (c) => c.params.jtss ?? 0,
  jtssws: 0,
  jtsswd: (c) => c.params.jtssws ?? 0,
  jtsswgs: 0,
  jtsswgd: (c) => c.params.jtsswgs ?? 0,
  njts: 20,
  njtsd: (c) => c.params.njts ?? 20,
  njtssw: 20,
  njtsswd: (c) => c.params.njtssw ?? 20,
  njtsswg: 20,
  njtsswgd: (c) => c.params.njtsswg ?? 20,
  xtss: 0.02,
  xtsd: (c) => c.params.xtss ?? 0.02,
  xtssws: 0.02,
  xtsswd: (c) => c.params.xtssws ?? 0.02,
  xtsswgs: 0.02,
  xtsswgd: (c) => c.params.xtsswgs ?? 0.02,
  tnjts: 0,
  tnjtsd: (c) => c.params.tnjts ?? 0,
  tnjtssw: 0,
  tnjtsswd: (c) => c.params.tnjtssw ?? 0,
  tnjtsswg: 0,
  tnjtsswgd: (c) => c.params.tnjtsswg ?? 0,
  vtss: 10,
  vtsd: (c) => c.params.vtss ?? 10,
  vtssws: 10,
  vtsswd: (c) => c.params.vtssws ?? 10,
  vtsswgs: 10,
  vtsswgd: (c) => c.params.vtsswgs ?? 10,
  jtweff: 0,
  tpb: 0,
  tcj: 0,
  tpbsw: 0,
  tcjsw: 0,
  tpbswg: 0,
  tcjswg: 0,
  // Layout-dependent stress (manual section 12).
  saref: 1e-6,
  sbref: 1e-6,
  wlod: 0,
  ku0: 0,
  kvsat: 0,
  kvth0: 0,
  tku0: 0,
  llodku0: 0,
  wlodku0: 0,
  llodvth: 0,
  wlodvth: 0,
  lku0: 0,
  wku0: 0,
  pku0: 0,
  lkvth0: 0,
  wkvth0: 0,
  pkvth0: 0,
  stk2: 0,
  lodk2: 1,
  steta0: 0,
  lodeta0: 1,
  lc: 5e-9,
  dlcig: (c) => c.params.lint ?? 0,
  dlcigd: (c) => c.params.dlcig ?? c.params.lint ?? 0,
  gbmin: 1e-12,
  rbdb: 50,
  rbsb: 50,
  rbpb: 50,
  rbps: 50,
  rbpd: 50,
  rshg: 0.1,
  xgw: 0,
  xgl: 0,
  ngcon: 1,
  dmcg: 0,
  dmci: (c) => c.params.dmcg ?? 0,
  dmdg: 0,
  dmcgt: 0,
};

/** Alternative spellings ngspice accepts for a few parameters. */
const ALIASES: Record<string, string> = { tox: 'toxe', uo: 'u0', vtho: 'vth0', dlcig: 'dlcig', nch: 'ndep' };

/**
 * A model card with defaults resolved: `value(name)` for model parameters, `binned(name, ...)` for
 * binnable ones, `given(name)` as ngspice's "...Given" flags.
 */
export class Bsim4Card implements CardValues {
  readonly type: 1 | -1;
  readonly params: Record<string, number>;
  readonly mobMod: number;
  readonly name: string;

  constructor(card: ModelCard) {
    this.name = card.name;
    this.type = card.type === 'pmos' ? -1 : 1;
    const params: Record<string, number> = {};
    for (const [key, value] of Object.entries(card.params)) params[ALIASES[key] ?? key] = value;
    this.params = params;
    this.mobMod = params.mobmod ?? 0;
  }

  given(name: string): boolean {
    return this.params[name] !== undefined;
  }

  value(name: string): number {
    const v = this.params[name];
    if (v !== undefined) return v;
    const d = MODEL_DEFAULTS[name] ?? BINNED_DEFAULTS[name];
    if (d === undefined) throw new Error(`BSIM4: no default for parameter '${name}'`);
    return typeof d === 'function' ? d(this) : d;
  }

  /** P0 + PL·invL + PW·invW + PP·invLW (manual eq. A.1). */
  binned(name: string, invL: number, invW: number, invLW: number): number {
    const p = this.params;
    return (
      this.value(name) +
      (p[`l${name}`] ?? 0) * invL +
      (p[`w${name}`] ?? 0) * invW +
      (p[`p${name}`] ?? 0) * invLW
    );
  }

  /** Integer switch (mobMod, capMod, ...). */
  flag(name: string): number {
    return Math.round(this.value(name));
  }
}
