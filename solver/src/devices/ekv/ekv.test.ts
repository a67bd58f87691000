/**
 * EKV 2.6 validated against its own equations (ngspice has no EKV): the weak-inversion exponential and
 * strong-inversion square-law limits, continuity of the current and of its first derivatives across
 * weak/moderate/strong inversion and across VDS = 0, source-drain symmetry, and charge conservation
 * (terminal charges sum to zero; the gate current integrates to zero over a closed bias cycle in transient).
 */
import type { ModelCard } from '../../circuit/flat';
import { Circuit } from '../../circuit/circuit';
import { parseAndElaborate } from '../../netlist';
import { simulateNetlist } from '../../simulate';
import { Ekv, EkvPoint, ekvEvaluate, ekvParameters, ekvSized } from './index';
import { junctionCharge } from './extrinsic';

const loc = { file: 'test', line: 1, column: 1 };
const card = (params: Record<string, number>, type = 'nmos'): ModelCard => ({
  name: 'ekv',
  type,
  params: { level: 44, ...params },
  loc,
});

/** A long-channel card: no velocity saturation, CLM or charge sharing, so the limits are exact. */
const LONG = {
  cox: 3.45e-3,
  vto: 0.5,
  gamma: 0.6,
  phi: 0.8,
  kp: 150e-6,
  ucrit: 1e12,
  lambda: 0,
  leta: 0,
  weta: 0,
  theta: 0,
};
/** A short-channel card with every extension on. */
const SHORT = {
  cox: 3.45e-3,
  vto: 0.5,
  gamma: 0.6,
  phi: 0.8,
  kp: 150e-6,
  ucrit: 4e6,
  lambda: 0.4,
  xj: 0.15e-6,
  leta: 0.1,
  weta: 0.2,
  theta: 0.1,
};

function sized(params: Record<string, number>, l = 10e-6, w = 10e-6, type = 'nmos') {
  return ekvSized(ekvParameters(card(params, type), 27), l, w, 300.15);
}

describe('EKV 2.6 equations', () => {
  const point = new EkvPoint();

  it('weak inversion: Id = 2nβVt²·exp((VP − VS)/Vt), slope 1/(n·Vt) per volt of VG', () => {
    const p = sized(LONG);
    const beta = (p.kp * p.weff) / p.leff;
    for (const vg of [-0.15, -0.1, -0.05, 0]) {
      ekvEvaluate(p, vg, 0, 1.0, point);
      // F(v) = ln²(1 + e^{v/2}) = e^v·(1 − e^{v/2} + ...): the exponential law holds to e^{v/2} < 1 %.
      expect(point.vp / p.vt).toBeLessThan(-10);
      const expected = 2 * point.n * beta * p.vt * p.vt * Math.exp(point.vp / p.vt);
      expect(Math.abs(point.id / expected - 1)).toBeLessThan(0.01);
      const h = 1e-4;
      // The slope of ln Id equals the slope of the exponential law's logarithm, ln n + VP/Vt.
      const law = () => Math.log(point.n) + point.vp / p.vt;
      ekvEvaluate(p, vg + h, 0, 1.0, point);
      const upper = Math.log(point.id);
      const lawUpper = law();
      ekvEvaluate(p, vg - h, 0, 1.0, point);
      const slope = (upper - Math.log(point.id)) / (2 * h);
      const lawSlope = (lawUpper - law()) / (2 * h);
      ekvEvaluate(p, vg, 0, 1.0, point);
      expect(Math.abs(slope / lawSlope - 1)).toBeLessThan(0.01);
      // dVP/dVG ≈ 1/n (n is taken at VP + PHI + 4·Vt, eq. 21, hence only to a few %): ~n·Vt·ln 10 per decade.
      expect(Math.abs(slope * point.n * p.vt - 1)).toBeLessThan(0.08);
    }
  });

  it('strong inversion: saturation Id → nβ(VP − VS)²/2 and the linear region nβ[(VP−VS)² − (VP−VD)²]/2', () => {
    const p = sized(LONG);
    const beta = (p.kp * p.weff) / p.leff;
    ekvEvaluate(p, 3, 0, 3, point);
    const sat = (point.n * beta * point.vp * point.vp) / 2;
    expect(point.vp / p.vt).toBeGreaterThan(40);
    expect(Math.abs(point.id / sat - 1)).toBeLessThan(0.02);
    ekvEvaluate(p, 3, 0, 0.3, point);
    const lin = (point.n * beta * (point.vp * point.vp - (point.vp - 0.3) * (point.vp - 0.3))) / 2;
    expect(Math.abs(point.id / lin - 1)).toBeLessThan(0.02);
  });

  it('is continuous with continuous gm and gds from weak to strong inversion and through VDS = 0', () => {
    const jumps: string[] = [];
    for (const params of [LONG, SHORT]) {
      const p = sized(params, 0.5e-6, 5e-6);
      const h = 1e-6;
      const current = (vg: number, vs: number, vd: number) => {
        ekvEvaluate(p, vg, vs, vd, point);
        return point.id;
      };
      for (const vd of [0.05, 1.0]) {
        let previousGm = NaN;
        let previousId = NaN;
        for (let vg = -0.3; vg <= 2; vg += 1e-3) {
          const id = current(vg, 0, vd);
          const gm = (current(vg + h, 0, vd) - current(vg - h, 0, vd)) / (2 * h);
          // Over 1 mV no quantity may change by more than 4 % (a jump would show as a single large step).
          if (!Number.isNaN(previousGm)) {
            if (Math.abs(id - previousId) > 0.04 * Math.abs(id) + 1e-15)
              jumps.push(`Id at vg=${vg}, vd=${vd}`);
            if (Math.abs(gm - previousGm) > 0.04 * Math.abs(gm) + 1e-13)
              jumps.push(`gm at vg=${vg}, vd=${vd}`);
          }
          previousGm = gm;
          previousId = id;
        }
      }
      for (const vg of [0.3, 0.8, 1.5]) {
        let previousGds = NaN;
        for (let vd = -0.5; vd <= 0.5; vd += 1e-3) {
          const gds = (current(vg, 0.5, 0.5 + vd + h) - current(vg, 0.5, 0.5 + vd - h)) / (2 * h);
          if (!Number.isNaN(previousGds) && Math.abs(gds - previousGds) > 0.04 * Math.abs(gds) + 1e-12)
            jumps.push(`gds at vg=${vg}, vds=${vd}`);
          previousGds = gds;
        }
      }
    }
    expect(jumps).toEqual([]);
  });

  it('is symmetric: swapping source and drain negates the current and swaps their charges', () => {
    const p = sized(SHORT, 0.35e-6, 2e-6);
    const other = new EkvPoint();
    for (const [vg, vs, vd] of [
      [1.2, 0.3, 0.7],
      [0.4, 0, 1.8],
      [1.8, 0.9, 0.1],
      [0.1, 0.2, 0.25],
    ]) {
      ekvEvaluate(p, vg, vs, vd, point);
      ekvEvaluate(p, vg, vd, vs, other);
      expect(other.id).toBeCloseTo(-point.id, 18);
      expect(other.qd).toBe(point.qs);
      expect(other.qs).toBe(point.qd);
      expect(other.qg).toBe(point.qg);
    }
  });

  it('conserves charge: QG + QD + QS + QB = 0 at every bias', () => {
    const p = sized(SHORT, 1e-6, 5e-6);
    for (let vg = -0.5; vg <= 2; vg += 0.25) {
      for (let vd = 0; vd <= 1.8; vd += 0.3) {
        ekvEvaluate(p, vg, 0.1, vd, point);
        const scale = Math.abs(point.qg) + Math.abs(point.qb) + Math.abs(point.qd) + Math.abs(point.qs);
        expect(Math.abs(point.qg + point.qd + point.qs + point.qb)).toBeLessThanOrEqual(1e-12 * scale);
      }
    }
  });

  it('PMOS cards mirror NMOS ones', () => {
    const n = sized({ ...SHORT }, 1e-6, 5e-6);
    const pm = sized({ ...SHORT, vto: -0.5 }, 1e-6, 5e-6, 'pmos');
    const a = new EkvPoint();
    ekvEvaluate(n, 1.2, 0, 1, a);
    ekvEvaluate(pm, 1.2, 0, 1, point);
    expect(point.id).toBeCloseTo(a.id, 15);
    expect(pm.type).toBe(-1);
  });
});

describe('EKV 2.6 in circuits (LEVEL = 44)', () => {
  const models = [
    '.model nekv nmos level=44 cox=3.45e-3 vto=0.5 gamma=0.6 phi=0.8 kp=150e-6 ucrit=4e6 lambda=0.4 xj=0.15e-6 leta=0.1 weta=0.2 theta=0.1',
    '.model pekv pmos level=44 cox=3.45e-3 vto=-0.55 gamma=0.5 phi=0.8 kp=50e-6 ucrit=8e6 lambda=0.4 xj=0.15e-6 leta=0.1 weta=0.2 theta=0.15',
  ];

  it('an inverter switches near mid-supply with a sharp transfer curve', () => {
    const deck = [
      'ekv inverter',
      ...models,
      'vdd vdd 0 1.8',
      'vin in 0 0',
      'mp out in vdd vdd pekv l=0.5u w=6u',
      'mn out in 0 0 nekv l=0.5u w=2u',
      '.dc vin 0 1.8 0.01',
      '.end',
    ].join('\n');
    const plot = simulateNetlist(deck).plots[0];
    const vin = plot.vectors.find((v) => v.name === 'v(in)')!.real;
    const vout = plot.vectors.find((v) => v.name === 'v(out)')!.real;
    expect(vout[0]).toBeGreaterThan(1.79);
    expect(vout[vout.length - 1]).toBeLessThan(0.01);
    let gain = 0;
    for (let k = 1; k < vin.length; k++)
      gain = Math.max(gain, Math.abs((vout[k] - vout[k - 1]) / (vin[k] - vin[k - 1])));
    expect(gain).toBeGreaterThan(5);
  });

  it('transient: the gate charge returns to its start over a closed (VG, VD) cycle while current flows', () => {
    const deck = [
      'ekv charge conservation',
      models[0],
      'vg g 0 pwl(0 0 10n 1.8 20n 1.8 30n 0 40n 0)',
      'vd d 0 pwl(0 0.2 5n 0.2 15n 1.5 35n 1.5 38n 0.2 40n 0.2)',
      'm1 d g 0 0 nekv l=1u w=10u',
      '.tran 0.05n 40n',
      '.end',
    ].join('\n');
    const plot = simulateNetlist(deck).plots[0];
    const t = plot.vectors[0].real;
    const ig = plot.vectors.find((v) => v.name === 'i(vg)')!.real;
    let charge = 0;
    let peak = 0;
    for (let k = 1; k < t.length; k++) {
      charge += 0.5 * (ig[k] + ig[k - 1]) * (t[k] - t[k - 1]);
      peak = Math.max(peak, Math.abs(charge));
    }
    expect(peak).toBeGreaterThan(1e-14);
    expect(Math.abs(charge)).toBeLessThan(1e-3 * peak);
  });
});

describe('EKV 2.6 junctions and overlaps (extrinsic.ts)', () => {
  const base =
    '.model nx nmos level=44 cox=3.45e-3 vto=0.5 gamma=0.6 phi=0.8 kp=150e-6 ucrit=4e6 lambda=0.4 xj=0.15e-6 leta=0.1 weta=0.2 theta=0.1';
  const junctions = 'js=1e-4 jsw=1e-10 n=1.1 cj=1e-3 cjsw=3e-10 mj=0.45 mjsw=0.3 pb=0.85 pbsw=0.7 fc=0.5';
  const overlaps = 'cgso=3e-10 cgdo=2.5e-10 cgbo=1e-10';
  const vt = (1.38064852e-23 * 300.15) / 1.6021766208e-19;

  function column(plot: ReturnType<typeof simulateNetlist>['plots'][number], name: string) {
    return plot.vectors.find((v) => v.name === name)!;
  }

  it('forward junction current: the bulk takes (JS·A + JSW·P)·(exp(V/(N·Vt)) − 1) of both diffusions (HDIF areas)', () => {
    // W = 10 um, HDIF = 0.5 um: A = 2·HDIF·W = 1e-11 m², P = 4·HDIF + 2·W = 22e-6 m per diffusion.
    const deck = [
      't',
      `${base} ${junctions} hdif=0.5u`,
      'm1 0 0 0 b nx l=1u w=10u',
      'vb b 0 0',
      '.dc vb 0.3 0.6 0.1',
      '.end',
    ];
    const plot = simulateNetlist(deck.join('\n')).plots[0];
    const vb = column(plot, 'v(b)').real;
    const ib = column(plot, 'i(vb)').real;
    const isat = 1e-4 * 1e-11 + 1e-10 * 22e-6;
    for (let k = 0; k < vb.length; k++) {
      // Both diodes in parallel, plus gmin across each (1e-12 S); the source's current leaves the bulk.
      const expected = 2 * (isat * (Math.exp(vb[k] / (1.1 * vt)) - 1) + 1e-12 * vb[k]);
      expect(Math.abs(-ib[k] / expected - 1)).toBeLessThan(1e-9);
    }
  });

  it('overlap capacitances: the gate admittance grows by jw·(CGSO·W + CGDO·W + CGBO·L) exactly', () => {
    const deck = (card: string) =>
      [
        't',
        card,
        'm1 d g 0 0 nx l=2u w=8u',
        'vd d 0 0.6',
        'vg g 0 0.9 ac 1',
        '.ac lin 3 1e6 1e9',
        '.end',
      ].join('\n');
    const plain = column(simulateNetlist(deck(base)).plots[0], 'i(vg)');
    const plot = simulateNetlist(deck(`${base} ${overlaps}`)).plots[0];
    const withOverlaps = column(plot, 'i(vg)');
    const f = plot.vectors[0].real;
    const c = 3e-10 * 8e-6 + 2.5e-10 * 8e-6 + 1e-10 * 2e-6;
    for (let k = 0; k < f.length; k++) {
      const added = -(withOverlaps.imag![k] - plain.imag![k]);
      expect(Math.abs(added / (2 * Math.PI * f[k] * c) - 1)).toBeLessThan(1e-6);
      expect(Math.abs(withOverlaps.real[k] - plain.real[k])).toBeLessThan(
        1e-6 * Math.abs(withOverlaps.imag![k]),
      );
    }
  });

  it('junction capacitances: the bulk admittance is jw·ΣCJ·A/(1 − V/PB)^MJ + CJSW·P/(1 − V/PBSW)^MJSW (reverse bias)', () => {
    const deck = (card: string) =>
      [
        't',
        card,
        'm1 d 0 0 b nx l=1u w=10u ad=4p as=6p pd=9u ps=11u',
        'vd d 0 0.5',
        'vb b 0 -0.7 ac 1',
        '.ac lin 2 1e6 1e8',
        '.end',
      ].join('\n');
    const plain = column(simulateNetlist(deck(`${base} js=1e-4`)).plots[0], 'i(vb)');
    const plot = simulateNetlist(deck(`${base} ${junctions}`)).plots[0];
    const f = plot.vectors[0].real;
    const ib = column(plot, 'i(vb)');
    const depletion = (a: number, p: number, v: number) =>
      (1e-3 * a) / Math.pow(1 - v / 0.85, 0.45) + (3e-10 * p) / Math.pow(1 - v / 0.7, 0.3);
    const c = depletion(6e-12, 11e-6, -0.7) + depletion(4e-12, 9e-6, -1.2);
    for (let k = 0; k < f.length; k++) {
      const added = -(ib.imag![k] - plain.imag![k]);
      expect(Math.abs(added / (2 * Math.PI * f[k] * c) - 1)).toBeLessThan(1e-6);
    }
  });

  it('junction charge and capacitance are continuous through FC·PB into forward bias', () => {
    const circuit = new Circuit(
      parseAndElaborate(
        ['t', `${base} ${junctions}`, 'm1 d 0 0 0 nx l=1u w=10u ad=4p pd=9u', 'vd d 0 0', '.end'].join('\n'),
      ),
    );
    circuit.setTemperature(circuit.temperature);
    const device = circuit.devices.find((d) => d.name === 'm1') as Ekv;
    const j = device.extrinsic.drain;
    const at = (v: number) => {
      const out = { charge: 0, capacitance: 0 };
      junctionCharge(j, v, out);
      return out;
    };
    for (const corner of [j.fc * j.pb, j.fc * j.pbsw]) {
      const below = at(corner - 1e-9);
      const above = at(corner + 1e-9);
      expect(Math.abs(above.charge - below.charge)).toBeLessThan(1e-8 * below.capacitance + 1e-30);
      expect(Math.abs(above.capacitance / below.capacitance - 1)).toBeLessThan(1e-6);
      // dQ/dV equals the capacitance on both sides.
      const h = 1e-6;
      for (const v of [corner - 1e-3, corner + 1e-3]) {
        const slope = (at(v + h).charge - at(v - h).charge) / (2 * h);
        expect(Math.abs(slope / at(v).capacitance - 1)).toBeLessThan(1e-6);
      }
    }
  });

  it('transient: every terminal carries no net charge over a closed (VG, VD, VB) cycle, junctions and overlaps on', () => {
    const deck = [
      'ekv extrinsic charge conservation',
      `${base} ${junctions} ${overlaps} hdif=0.4u`,
      'vg g 0 pwl(0 0 10n 1.8 20n 1.8 30n 0 40n 0)',
      'vd d 0 pwl(0 0.2 5n 0.2 15n 1.5 35n 1.5 38n 0.2 40n 0.2)',
      'vb b 0 pwl(0 -0.2 8n -0.2 18n -1.5 28n -1.5 36n -0.2 40n -0.2)',
      'vs s 0 0',
      'm1 d g s b nx l=1u w=10u',
      '.tran 0.05n 40n',
      '.end',
    ].join('\n');
    const plot = simulateNetlist(deck).plots[0];
    const t = plot.vectors[0].real;
    const sums = new Float64Array(t.length);
    for (const name of ['i(vg)', 'i(vb)']) {
      // Gate and bulk carry no DC current (the junctions stay reverse biased: Is ~ 1e-15 A over 40 ns ~ 4e-23 C).
      const i = column(plot, name).real;
      let charge = 0;
      let peak = 0;
      for (let k = 1; k < t.length; k++) {
        charge += 0.5 * (i[k] + i[k - 1]) * (t[k] - t[k - 1]);
        peak = Math.max(peak, Math.abs(charge));
      }
      expect(peak).toBeGreaterThan(1e-14);
      expect(Math.abs(charge)).toBeLessThan(1e-3 * peak);
    }
    // Kirchhoff: the four terminal currents sum to zero at every time point.
    const names = ['i(vg)', 'i(vd)', 'i(vs)', 'i(vb)'];
    let largest = 0;
    for (const name of names) {
      const i = column(plot, name).real;
      for (let k = 0; k < t.length; k++) {
        sums[k] += i[k];
        largest = Math.max(largest, Math.abs(i[k]));
      }
    }
    expect(Math.max(...Array.from(sums, Math.abs))).toBeLessThan(1e-9 * largest);
  });
});
