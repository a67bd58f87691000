/**
 * The SpiceSim 0.18 um-class BSIM4 card pair (NMOS `nch`, PMOS `pch`) as text, for examples, notebook
 * templates and generated benchmark decks. Identical to solver/test/fixtures/bsim4/cmos018.lib (a test checks).
 */
export const CMOS018_MODELS = `* SpiceSim 0.18 um-class BSIM4 (v4.8) model cards, NMOS and PMOS, 1.8 V core devices.
* Written for SpiceSim's examples and its differential tests against ngspice; not from any foundry.
* How the values were chosen (see solver/README.md, "BSIM4 / EKV"):
*  - oxide: TOXE = 4.1 nm (Coxe = 8.4 fF/um^2), the usual 1.8 V gate oxide;
*  - threshold: VTH0 +0.42 / -0.43 V, K1/K2 for a ~0.2 V body effect at VSB = 1 V, DVT0/DVT1 for a
*    ~60 mV roll-off at L = 0.18 um, ETA0 for ~30 mV/V DIBL, NFACTOR for ~85-90 mV/decade;
*  - mobility: U0 = 350 / 85 cm^2/Vs with UA/UB/UC vertical-field degradation, VSAT 1e5 / 8e4 m/s,
*    so Idsat(VGS = VDS = 1.8 V) is ~0.55 mA/um (NMOS) and ~0.22 mA/um (PMOS);
*  - output conductance: PCLM/PDIBLC for an early voltage of a few volts at minimum length;
*  - capacitances: CAPMOD = 0 intrinsic charge (40/60 partition), 0.3 fF/um overlap, S/D junctions with
*    CJS = 1 fF/um^2 and sidewalls; RDSW = 150 / 350 ohm·um internal source/drain resistance.
* Switches: GIDL and gate tunnelling are off (IGCMOD = IGBMOD = 0, AGIDL = 0), RDSMOD = RBODYMOD = 0.
.model nch nmos level=54 version=4.8
+ binunit=1 paramchk=1 mobmod=0 capmod=0 igcmod=0 igbmod=0 geomod=0 diomod=1 rdsmod=0
+ rbodymod=0 rgatemod=0 permod=1 acnqsmod=0 trnqsmod=0 tempmod=0
+ tnom=27 toxe=4.1e-9 toxp=4.1e-9 toxm=4.1e-9 epsrox=3.9 xj=1.5e-7 ndep=2.8e17 nsd=1e20 ngate=0
+ vth0=0.42 k1=0.58 k2=-0.02 k3=1e-3 k3b=0 w0=1e-7 lpe0=1.2e-7 lpeb=0
+ dvt0=1.2 dvt1=0.45 dvt2=-0.03 dvt0w=0 dvt1w=5.3e6 dvt2w=-0.032 dsub=0.5 eta0=0.01 etab=-0.05
+ cdsc=2.4e-4 cdscb=0 cdscd=0 cit=0 nfactor=1.2 voff=-0.09 minv=0
+ u0=0.035 ua=-0.6e-9 ub=1.6e-18 uc=5e-11 vsat=1e5 a0=1.6 ags=0.35 b0=0 b1=0 keta=-0.01 a1=0 a2=1
+ rdsw=150 prwg=0.4 prwb=-0.1 wr=1 lint=1e-8 wint=5e-9 dwg=0 dwb=0 delta=0.01
+ pclm=0.8 pdiblc1=0.2 pdiblc2=3e-3 pdiblcb=-0.1 drout=0.5 pscbe1=6e8 pscbe2=1e-5 pvag=0.5
+ alpha0=0 beta0=30 agidl=0
+ kt1=-0.22 kt1l=0 kt2=0.022 ute=-1.5 ua1=4e-9 ub1=-6e-18 uc1=-5.6e-11 at=3.3e4 prt=0
+ cgso=3e-10 cgdo=3e-10 cgbo=1e-12 cf=0 xpart=0 vfbcv=-1 clc=1e-7 cle=0.6 dlc=1e-8 dwc=5e-9
+ jss=1e-6 jsws=1e-12 jswgs=1e-12 njs=1 ijthsfwd=0.1 ijthsrev=0.1 bvs=10 xjbvs=1
+ cjs=1e-3 mjs=0.4 pbs=0.8 cjsws=2e-10 mjsws=0.3 pbsws=0.8 cjswgs=3e-10 mjswgs=0.3 pbswgs=0.8
.model pch pmos level=54 version=4.8
+ binunit=1 paramchk=1 mobmod=0 capmod=0 igcmod=0 igbmod=0 geomod=0 diomod=1 rdsmod=0
+ rbodymod=0 rgatemod=0 permod=1 acnqsmod=0 trnqsmod=0 tempmod=0
+ tnom=27 toxe=4.1e-9 toxp=4.1e-9 toxm=4.1e-9 epsrox=3.9 xj=1.5e-7 ndep=3.5e17 nsd=1e20 ngate=0
+ vth0=-0.43 k1=0.56 k2=-0.01 k3=1e-3 k3b=0 w0=1e-7 lpe0=1.0e-7 lpeb=0
+ dvt0=1.0 dvt1=0.5 dvt2=-0.03 dvt0w=0 dvt1w=5.3e6 dvt2w=-0.032 dsub=0.6 eta0=0.015 etab=-0.05
+ cdsc=2.4e-4 cdscb=0 cdscd=0 cit=0 nfactor=1.3 voff=-0.1 minv=0
+ u0=0.0085 ua=0.8e-9 ub=1e-19 uc=-4e-11 vsat=8e4 a0=1.2 ags=0.3 b0=0 b1=0 keta=-0.02 a1=0 a2=1
+ rdsw=350 prwg=0.3 prwb=-0.1 wr=1 lint=1e-8 wint=5e-9 dwg=0 dwb=0 delta=0.01
+ pclm=1.2 pdiblc1=0.1 pdiblc2=2e-3 pdiblcb=-0.1 drout=0.5 pscbe1=6e8 pscbe2=1e-5 pvag=0.5
+ alpha0=0 beta0=30 agidl=0
+ kt1=-0.24 kt1l=0 kt2=0.022 ute=-1.3 ua1=4e-9 ub1=-6e-18 uc1=-5.6e-11 at=3.3e4 prt=0
+ cgso=3e-10 cgdo=3e-10 cgbo=1e-12 cf=0 xpart=0 vfbcv=-1 clc=1e-7 cle=0.6 dlc=1e-8 dwc=5e-9
+ jss=1e-6 jsws=1e-12 jswgs=1e-12 njs=1 ijthsfwd=0.1 ijthsrev=0.1 bvs=10 xjbvs=1
+ cjs=1.1e-3 mjs=0.4 pbs=0.8 cjsws=2.2e-10 mjsws=0.3 pbsws=0.8 cjswgs=3e-10 mjswgs=0.3 pbswgs=0.8
`;

/** A generated benchmark deck (the shape of src/bench/circuits.ts's GeneratedDeck). */
export interface Bsim4BenchDeck {
  name: string;
  text: string;
  nodes: number;
  points: number;
}

/** A chain of `stages` BSIM4 inverters driven by a pulse, `.tran` with `points` output points. */
export function inverterChain(stages: number, points: number): Bsim4BenchDeck {
  const lines = [
    `* ${stages}-stage BSIM4 inverter chain (0.18 um cards), ${points} points`,
    CMOS018_MODELS,
    'vdd vdd 0 1.8',
    'vin n0 0 pulse(0 1.8 0.2n 50p 50p 1n 2n)',
  ];
  for (let k = 0; k < stages; k++) {
    lines.push(`mp${k} n${k + 1} n${k} vdd vdd pch l=0.18u w=2u ad=1p as=1p pd=5u ps=5u`);
    lines.push(`mn${k} n${k + 1} n${k} 0 0 nch l=0.18u w=1u ad=0.5p as=0.5p pd=3u ps=3u`);
  }
  lines.push(`cl n${stages} 0 10f`);
  const stop = 4e-9;
  lines.push(`.tran ${stop / points} ${stop} 0 ${stop / points}`, `.save v(n${stages})`, '.end');
  return {
    name: `bsim4 inverter chain ${stages} tran ${points / 1000}k pts`,
    text: `${lines.join('\n')}\n`,
    nodes: stages + 2,
    points,
  };
}

const OPAMP = [
  'vdd vdd 0 1.8',
  'ib vdd bias 60u',
  'm8 bias bias 0 0 nch l=1u w=4u',
  'm5 tail bias 0 0 nch l=1u w=4u',
  'm1 x1 inn tail 0 nch l=0.5u w=10u',
  'm2 x2 inp tail 0 nch l=0.5u w=10u',
  'm3 x1 x1 vdd vdd pch l=1u w=4u',
  'm4 x2 x1 vdd vdd pch l=1u w=4u',
  'm6 out x2 vdd vdd pch l=1u w=60u',
  'm7 out bias 0 0 nch l=1u w=20u',
  'cc x2 z 1.5p',
  'rz z out 2k',
  'cl out 0 1p',
];

/** The spec's benchmark-5 two-stage Miller op-amp in open-loop AC (as solver/test/fixtures/bsim4/opamp_ac.cir). */
export function opampAc(pointsPerDecade: number): Bsim4BenchDeck {
  const lines = [
    '* BSIM4 two-stage Miller op-amp, open-loop AC',
    CMOS018_MODELS,
    'vcm inp 0 0.9 ac 1',
    ...OPAMP,
    'rfb out inn 1g',
    'cfb inn 0 1',
    `.ac dec ${pointsPerDecade} 10 1g`,
    '.end',
  ];
  return {
    name: `bsim4 op-amp ac ${pointsPerDecade}/dec`,
    text: `${lines.join('\n')}\n`,
    nodes: 9,
    points: 0,
  };
}

/** The op-amp as a unity-gain follower with input steps, `.tran` with `points` output points. */
export function opampStep(points: number): Bsim4BenchDeck {
  const stop = 400e-9;
  const lines = [
    '* BSIM4 two-stage Miller op-amp follower, step response',
    CMOS018_MODELS,
    'vin inp 0 pulse(0.6 1.2 10n 1n 1n 100n 200n)',
    ...OPAMP.map((line) => line.replace(' inn ', ' out ')),
    `.tran ${stop / points} ${stop} 0 ${stop / points}`,
    '.save v(out)',
    '.end',
  ];
  return {
    name: `bsim4 op-amp step tran ${points / 1000}k pts`,
    text: `${lines.join('\n')}\n`,
    nodes: 8,
    points,
  };
}

/** The BSIM4 cases of `npm run bench`. */
export function bsim4BenchDecks(quick: boolean): Bsim4BenchDeck[] {
  return quick
    ? [inverterChain(10, 2000), opampAc(20)]
    : [inverterChain(10, 2000), inverterChain(50, 2000), opampAc(20), opampStep(4000)];
}
