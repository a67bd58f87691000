import { diodeCurrent, diodeModel, diodeTemperature } from './diode';

describe('diode static model', () => {
  const model = diodeModel({ is: 1e-14, n: 1.2, bv: 5.6, ibv: 1e-3 }, 27);
  const t = diodeTemperature(model, 300.15, 1, 1e-3);

  it('is continuous where the forward, reverse and breakdown pieces meet, with matching conductance', () => {
    const vte = model.n * t.vt;
    for (const corner of [-3 * vte, -t.bv]) {
      const below = diodeCurrent(corner - 1e-9, t, model.n, model.nbv);
      const above = diodeCurrent(corner + 1e-9, t, model.n, model.nbv);
      expect(Math.abs(below.current - above.current)).toBeLessThan(1e-6 * Math.abs(above.current) + 1e-20);
    }
    for (const v of [0.7, 0.2, -0.05, -1, -5.5, -6]) {
      const h = 1e-7;
      const numeric =
        (diodeCurrent(v + h, t, model.n, model.nbv).current -
          diodeCurrent(v - h, t, model.n, model.nbv).current) /
        (2 * h);
      const analytic = diodeCurrent(v, t, model.n, model.nbv).conductance;
      expect(Math.abs(analytic - numeric)).toBeLessThan(1e-5 * Math.abs(numeric) + 1e-18);
    }
  });

  it('carries IBV at the breakdown voltage BV', () => {
    expect(diodeCurrent(-5.6, t, model.n, model.nbv).current).toBeCloseTo(-1e-3, 5);
  });

  it('scales IS with temperature by EG and XTI (ten times larger in about 20 K at N=1.2)', () => {
    const hot = diodeTemperature(model, 320.15, 1, 1e-3);
    expect(hot.isat / t.isat).toBeGreaterThan(5);
    expect(hot.vcrit).toBeLessThan(t.vcrit);
  });
});
