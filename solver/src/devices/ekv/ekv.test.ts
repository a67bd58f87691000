/**
 * EKV 2.6 validated against its own equations (ngspice has no EKV): the weak-inversion exponential and
 * strong-inversion square-law limits, continuity of the current and of its first derivatives across
 * weak/moderate/strong inversion and across VDS = 0, source-drain symmetry, and charge conservation
 * (terminal charges sum to zero; the gate current integrates to zero over a closed bias cycle in transient).
 */
import type { ModelCard } from '../../circuit/flat';
import { simulateNetlist } from '../../simulate';
import { EkvPoint, ekvEvaluate, ekvParameters, ekvSized } from './index';

const loc = { file: 'test', line: 1, column: 1 };
const card = (params: Record<string, number>, type = 'nmos'): ModelCard => ({ name: 'ekv', type, params: { level: 44, ...params }, loc });

/** A long-channel card: no velocity saturation, CLM or charge sharing, so the limits are exact. */
const LONG = { cox: 3.45e-3, vto: 0.5, gamma: 0.6, phi: 0.8, kp: 150e-6, ucrit: 1e12, lambda: 0, leta: 0, weta: 0, theta: 0 };
/** A short-channel card with every extension on. */
const SHORT = { cox: 3.45e-3, vto: 0.5, gamma: 0.6, phi: 0.8, kp: 150e-6, ucrit: 4e6, lambda: 0.4, xj: 0.15e-6, leta: 0.1, weta: 0.2, theta: 0.1 };

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
            if (Math.abs(id - previousId) > 0.04 * Math.abs(id) + 1e-15) jumps.push(`Id at vg=${vg}, vd=${vd}`);
            if (Math.abs(gm - previousGm) > 0.04 * Math.abs(gm) + 1e-13) jumps.push(`gm at vg=${vg}, vd=${vd}`);
          }
          previousGm = gm;
          previousId = id;
        }
      }
      for (const vg of [0.3, 0.8, 1.5]) {
        let previousGds = NaN;
        for (let vd = -0.5; vd <= 0.5; vd += 1e-3) {
          const gds = (current(vg, 0.5, 0.5 + vd + h) - current(vg, 0.5, 0.5 + vd - h)) / (2 * h);
          if (!Number.isNaN(previousGds) && Math.abs(gds - previousGds) > 0.04 * Math.abs(gds) + 1e-12) jumps.push(`gds at vg=${vg}, vds=${vd}`);
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
    for (let k = 1; k < vin.length; k++) gain = Math.max(gain, Math.abs((vout[k] - vout[k - 1]) / (vin[k] - vin[k - 1])));
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
