import { depletionCharge, fetlim, junctionAtTemperature, limvds, pnjlim, thermalVoltage } from '.';

const vt = thermalVoltage(300.15);

describe('pnjlim', () => {
  it('leaves small steps alone', () => {
    expect(pnjlim(0.62, 0.6, vt, 0.6)).toEqual({ value: 0.62, limited: false });
    expect(pnjlim(-0.5, -0.4, vt, 0.6)).toEqual({ value: -0.5, limited: false });
  });

  it('turns a large forward step above vcrit into a logarithmic one', () => {
    const { value, limited } = pnjlim(5, 0.6, vt, 0.6);
    expect(limited).toBe(true);
    expect(value).toBeCloseTo(0.6 + vt * Math.log(1 + (5 - 0.6) / vt), 12);
    expect(value).toBeLessThan(0.8);
  });

  it('starts from vt·ln(v/vt) when the old value was reverse biased', () => {
    expect(pnjlim(3, -1, vt, 0.6).value).toBeCloseTo(vt * Math.log(3 / vt), 12);
  });

  it('bounds large reverse steps', () => {
    expect(pnjlim(-50, 0.7, vt, 0.6)).toEqual({ value: -1.7, limited: true });
    expect(pnjlim(-50, -2, vt, 0.6)).toEqual({ value: -5, limited: true });
  });
});

describe('fetlim and limvds', () => {
  it('keeps a device that is on from jumping far past threshold', () => {
    expect(fetlim(20, 5, 1)).toBeCloseTo(5 + (2 * 4 + 2), 12);
    expect(fetlim(5.5, 5, 1)).toBe(5.5);
  });

  it('turns an off device on only up to vto + 0.5', () => {
    expect(fetlim(10, 0, 1)).toBe(1.5);
  });

  it('limits vds growth', () => {
    expect(limvds(20, 1)).toBe(4);
    expect(limvds(20, 5)).toBe(17);
    expect(limvds(-5, 1)).toBe(-0.5);
  });
});

describe('depletionCharge', () => {
  it('has capacitance dq/dv on both sides of the fc·pb corner, continuous at the corner', () => {
    const [czero, pb, m, fc] = [1e-12, 0.8, 0.4, 0.5];
    for (const v of [-3, -0.5, 0, 0.3, 0.39, 0.41, 0.6, 1.2]) {
      const h = 1e-6;
      const numeric =
        (depletionCharge(v + h, czero, pb, m, fc).charge - depletionCharge(v - h, czero, pb, m, fc).charge) /
        (2 * h);
      expect(depletionCharge(v, czero, pb, m, fc).capacitance).toBeCloseTo(numeric, 20);
    }
    const below = depletionCharge(fc * pb - 1e-12, czero, pb, m, fc);
    const above = depletionCharge(fc * pb + 1e-12, czero, pb, m, fc);
    expect(Math.abs(below.charge - above.charge)).toBeLessThan(1e-22);
    expect(Math.abs(below.capacitance - above.capacitance) / below.capacitance).toBeLessThan(1e-9);
  });
});

describe('junctionAtTemperature', () => {
  it('is the identity at the nominal temperature', () => {
    const { potential, capacitance } = junctionAtTemperature(0.75, 2e-12, 0.33, 300.15, 300.15);
    expect(potential).toBeCloseTo(0.75, 12);
    expect(capacitance).toBeCloseTo(2e-12, 24);
  });

  it('lowers the junction potential and raises the capacitance when hot', () => {
    const hot = junctionAtTemperature(0.75, 2e-12, 0.33, 398.15, 300.15);
    expect(hot.potential).toBeLessThan(0.75);
    expect(hot.capacitance).toBeGreaterThan(2e-12);
  });
});
