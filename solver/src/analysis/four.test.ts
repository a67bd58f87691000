import { formatFourier, fourierAnalysis } from './four';

describe('fourierAnalysis', () => {
  // 1 + 2·sin(ωt) + 0.5·sin(3ωt + 45°) over 3 periods of 1 kHz, densely sampled.
  const n = 30001;
  const time = Float64Array.from({ length: n }, (_, k) => (k * 3e-3) / (n - 1));
  const omega = 2 * Math.PI * 1e3;
  const values = time.map((t) => 1 + 2 * Math.sin(omega * t) + 0.5 * Math.sin(3 * omega * t + Math.PI / 4));
  const result = fourierAnalysis('v(x)', time, values, 1e3);

  it('finds the DC value, the harmonics with their sine phases, and the THD', () => {
    expect(result.magnitude[0]).toBeCloseTo(1, 6);
    expect(result.magnitude[1]).toBeCloseTo(2, 4);
    expect(result.phase[1]).toBeCloseTo(0, 2);
    expect(result.magnitude[2]).toBeLessThan(1e-6);
    expect(result.magnitude[3]).toBeCloseTo(0.5, 4);
    expect(result.phase[3]).toBeCloseTo(45, 1);
    expect(result.normalizedMagnitude[3]).toBeCloseTo(0.25, 4);
    expect(result.thd).toBeCloseTo(25, 2);
    expect(result.frequency[9]).toBe(9000);
  });

  it('prints the table ngspice prints', () => {
    const text = formatFourier(result);
    expect(text).toMatch(
      /^Fourier analysis for v\(x\):\n {2}No\. Harmonics: 10, THD: 25(\.\d+)? %, Gridsize: 200/,
    );
    expect(text).toMatch(/^ 1 {7}1000 {8}2(\.\d+)? +-?\d/m);
  });

  it('refuses a transient shorter than one period', () => {
    expect(() => fourierAnalysis('v(x)', time, values, 100)).toThrow(/shorter than one period/);
  });
});
