/**
 * EKV 2.6 noise against the report's equations (section 5; ngspice has no EKV): a common-source stage with a
 * resistive load, output at the drain. The output noise density is
 *   (S_thermal + S_flicker(f) + 4kT/RL)·|Z|²,  Z the drain node's impedance (from an AC run with a 1 A probe),
 * with S_thermal = 4kT·β·Vt·|q_I| and S_flicker = KF·gm²/(COX·W·L·f^AF), β, q_I, gm, gds evaluated here from the
 * model equations at the simulated operating point. The strong-inversion limit of the thermal noise is checked
 * against the textbook 4kT·(2/3)·β·(VP − VS)·nq.
 */
import { simulateNetlist } from '../../simulate';
import { findVector } from '../../output/plot';
import { EkvPoint, ekvEvaluate, ekvParameters, ekvSized } from './index';

const BOLTZMANN = 1.38064852e-23;

function deck(kf: number, af: number, vgs: number, multiplier = 1): string {
  return [
    'ekv noise',
    `.model nek nmos level=44 cox=3.45e-3 vto=0.5 gamma=0.6 phi=0.8 kp=150e-6 ucrit=4e6 lambda=0.4 xj=0.15e-6 theta=0.1 kf=${kf} af=${af}`,
    'vdd vdd 0 3',
    `vin g 0 dc ${vgs} ac 1`,
    'rl vdd d 20k',
    `m1 d g 0 0 nek l=2u w=20u m=${multiplier}`,
    '.noise v(d) vin dec 10 1 1k',
    '.end',
  ].join('\n');
}

/** The report's noise densities at the simulated operating point, and the low-frequency output transimpedance. */
function expected(kf: number, af: number, vd: number, vgs: number, multiplier: number) {
  const model = ekvParameters(
    {
      name: 'nek',
      type: 'nmos',
      params: {
        level: 44,
        cox: 3.45e-3,
        vto: 0.5,
        gamma: 0.6,
        phi: 0.8,
        kp: 150e-6,
        ucrit: 4e6,
        lambda: 0.4,
        xj: 0.15e-6,
        theta: 0.1,
        kf,
        af,
      },
      loc: { file: 't', line: 1, column: 1 },
    },
    27,
  );
  const p = ekvSized(model, 2e-6, 20e-6, 300.15);
  const point = new EkvPoint();
  const id = (g: number, d: number): number => {
    ekvEvaluate(p, g, 0, d, point);
    return point.id;
  };
  const h = 1e-6;
  const gm = (id(vgs + h, vd) - id(vgs - h, vd)) / (2 * h);
  const gds = (id(vgs, vd + h) - id(vgs, vd - h)) / (2 * h);
  ekvEvaluate(p, vgs, 0, vd, point);
  const kT = BOLTZMANN * 300.15;
  const qi = Math.abs(point.qs + point.qd) / p.chargeScale;
  return {
    thermal: 4 * kT * point.beta * p.vt * qi * multiplier,
    flicker: (f: number) => ((kf * gm * gm) / (p.cox * p.weff * p.leff * Math.pow(f, af))) * multiplier,
    load: (4 * kT) / 20e3,
    gds,
    point,
    p,
  };
}

describe('EKV 2.6 noise', () => {
  it.each([
    [0, 1, 0.9, 1],
    [1e-24, 1, 0.9, 1],
    [3e-25, 1.3, 1.2, 2],
  ])('KF=%p AF=%p at VGS=%p, M=%p: output noise = report equations', (kf, af, vgs, multiplier) => {
    const result = simulateNetlist(deck(kf, af, vgs, multiplier));
    const spectra = result.plots.find((p) => p.name === 'Noise Spectral Density Curves')!;
    const frequency = findVector(spectra, 'frequency')!.real;
    const onoise = findVector(spectra, 'onoise_spectrum')!.real;
    // The operating point, and the drain impedance at the same frequencies (a 1 A AC probe, input at 0).
    const probe = deck(kf, af, vgs, multiplier)
      .replace(/ac 1$/m, '')
      .replace(/^\.noise.*$/m, 'iz 0 d dc 0 ac 1\n.op\n.ac dec 10 1 1k');
    const [op, ac] = simulateNetlist(probe).plots;
    const vd = findVector(op, 'd')!.real[0];
    const z = findVector(ac, 'd')!;
    const e = expected(kf, af, vd, vgs, multiplier);
    let checked = 0;
    frequency.forEach((f, k) => {
      const z2 = z.real[k] ** 2 + z.imag![k] ** 2;
      const density = (e.thermal + e.flicker(f) + e.load) * z2;
      expect(Math.abs(onoise[k] / Math.sqrt(density) - 1)).toBeLessThan(1e-6);
      checked++;
    });
    expect(checked).toBe(31);
    if (kf > 0) {
      // Flicker noise is really there: at 1 Hz it dominates.
      expect(e.flicker(1)).toBeGreaterThan(10 * e.thermal);
    }
  });

  it('thermal noise in strong-inversion saturation approaches 4kT·(2/3)·β·(VP − VS)·nq', () => {
    const e = expected(0, 1, 3, 3, 1);
    const { point, p } = e;
    const nq = 1 + 0.6 / (2 * Math.sqrt(point.vp + p.phi + 1e-6));
    const textbook = 4 * BOLTZMANN * 300.15 * (2 / 3) * point.beta * point.vp * nq;
    expect(point.forward).toBeGreaterThan(1e3);
    expect(Math.abs(e.thermal / textbook - 1)).toBeLessThan(0.03);
  });
});
