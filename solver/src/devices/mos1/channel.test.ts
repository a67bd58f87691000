import type { ModelCard } from '../../circuit/flat';
import { Level2Channel } from '../mos2/level2';
import { Level3Channel } from '../mos3/level3';
import { Level1Channel } from './level1';
import { type ChannelModel, type MosGeometry, mosModel, mosTemperature } from './mosfet';

const loc = { file: 'test', line: 1, column: 1 };
const geometry: MosGeometry = {
  l: 2e-6,
  w: 20e-6,
  ad: 0,
  as: 0,
  pd: 0,
  ps: 0,
  nrd: 1,
  nrs: 1,
  m: 1,
  leff: 1.8e-6,
};

function channel(
  level: number,
  params: Record<string, number>,
): {
  model: ChannelModel;
  evaluate: (vgs: number, vds: number, vbs: number) => ReturnType<ChannelModel['evaluate']>;
} {
  const card: ModelCard = { name: 'm', type: 'nmos', params: { level, ...params }, loc };
  const model = mosModel(card, 27, level);
  const t = mosTemperature(model, geometry, 300.15);
  const ch =
    level === 1
      ? new Level1Channel(model, geometry)
      : level === 2
        ? new Level2Channel(model, geometry)
        : new Level3Channel(model, geometry);
  ch.temperature(t);
  return { model: ch, evaluate: (vgs, vds, vbs) => ({ ...ch.evaluate(vgs, vds, vbs, t) }) };
}

/**
 * Analytic against central-difference derivatives. `relative` is the allowed error as a fraction of the
 * derivative: SPICE's level 2 and 3 equations keep a few small terms out of their derivatives (we follow
 * ngspice there, since AC results must agree), so they get 1 %; level 1 is exact.
 */
function expectDerivativesMatch(
  evaluate: (
    vgs: number,
    vds: number,
    vbs: number,
  ) => { cdrain: number; gm: number; gds: number; gmbs: number },
  points: number[][],
  relative = 1e-6,
) {
  for (const [vgs, vds, vbs] of points) {
    const r = evaluate(vgs, vds, vbs);
    const h = 1e-6;
    const f = (a: number, b: number, c: number) => evaluate(a, b, c).cdrain;
    const floor = 1e-9 * Math.abs(r.cdrain);
    const numeric = {
      gm: (f(vgs + h, vds, vbs) - f(vgs - h, vds, vbs)) / (2 * h),
      gds: (f(vgs, vds + h, vbs) - f(vgs, vds - h, vbs)) / (2 * h),
      gmbs: (f(vgs, vds, vbs + h) - f(vgs, vds, vbs - h)) / (2 * h),
    };
    for (const key of ['gm', 'gds', 'gmbs'] as const) {
      expect({
        point: [vgs, vds, vbs],
        key,
        ok: Math.abs(r[key] - numeric[key]) <= relative * Math.abs(numeric[key]) + floor + 1e-15,
      }).toEqual({
        point: [vgs, vds, vbs],
        key,
        ok: true,
      });
    }
  }
}

describe('MOSFET channel models: analytic derivatives equal numerical ones', () => {
  // vbs <= 0: with the bulk forward biased SPICE linearises sqrt(phi - vbs) and keeps gmbs approximate.
  const linearAndSaturation = [
    [2, 0.3, 0],
    [2, 3, -1],
    [1.2, 0.2, -0.5],
    [3, 4, -0.2],
  ];

  it('level 1 (square law with body effect and lambda)', () => {
    const { evaluate } = channel(1, { vto: 0.7, kp: 1e-4, gamma: 0.5, phi: 0.7, lambda: 0.05 });
    expectDerivativesMatch(evaluate, linearAndSaturation);
    expect(evaluate(0.5, 1, 0).cdrain).toBe(0);
  });

  it('level 2 (Grove-Frohman with XJ, UCRIT/UEXP, NSUB length modulation)', () => {
    const { evaluate } = channel(2, {
      tox: 30e-9,
      nsub: 1e16,
      vto: 0.8,
      uo: 600,
      ucrit: 5e4,
      uexp: 0.15,
      xj: 0.4e-6,
    });
    expectDerivativesMatch(
      evaluate,
      [
        [2, 0.3, 0],
        [1.5, 0.2, -1],
      ],
      1e-2,
    );
  });

  it('level 3 in the linear region (in saturation ngspice uses approximate derivatives, which we match)', () => {
    const { evaluate } = channel(3, {
      tox: 25e-9,
      nsub: 2e16,
      vto: 0.8,
      uo: 550,
      theta: 0.08,
      eta: 0.05,
      kappa: 0.3,
      xj: 0.25e-6,
    });
    expectDerivativesMatch(
      evaluate,
      [
        [2, 0.3, 0],
        [3, 0.5, -1],
      ],
      1e-2,
    );
  });
});
