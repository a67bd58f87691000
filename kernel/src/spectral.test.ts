import { delay } from './measure';
import {
  fft,
  fourier,
  stabilityMargins,
  thd,
  unityGainFrequency,
  unwrapPhase,
  windowFunction,
} from './spectral';

/** Loop gain A0 / prod(1 + j f/pole) as magnitude and phase (degrees) on a log grid, 100 points/decade. */
function loopGain(a0: number, poles: number[]) {
  const n = 901;
  const frequency = new Float64Array(n);
  const magnitude = new Float64Array(n);
  const phase = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const f = 10 ** (-1 + k / 100); // 0.1 Hz .. 100 MHz
    frequency[k] = f;
    magnitude[k] = a0 / poles.reduce((m, p) => m * Math.hypot(1, f / p), 1);
    const angle = -poles.reduce((s, p) => s + Math.atan(f / p), 0);
    // Wrapped like atan2 output, to exercise unwrapping.
    phase[k] = (Math.atan2(Math.sin(angle), Math.cos(angle)) * 180) / Math.PI;
  }
  return { frequency, magnitude, phase };
}

describe('stability margins', () => {
  it('two-pole loop: unity-gain frequency and phase margin', () => {
    const poles = [10, 1e6];
    const { frequency, magnitude, phase } = loopGain(1000, poles);
    // Reference crossover by bisection on the analytic magnitude.
    let lo = 1;
    let hi = 1e8;
    for (let i = 0; i < 200; i++) {
      const mid = Math.sqrt(lo * hi);
      if (1000 / poles.reduce((m, p) => m * Math.hypot(1, mid / p), 1) > 1) lo = mid;
      else hi = mid;
    }
    const fu = Math.sqrt(lo * hi);
    const expectedPm = 180 - (poles.reduce((s, p) => s + Math.atan(fu / p), 0) * 180) / Math.PI;
    const m = stabilityMargins(frequency, magnitude, phase);
    expect(Math.abs(m.unityGainFrequency / fu - 1)).toBeLessThan(2e-3);
    expect(m.phaseMargin).toBeCloseTo(expectedPm, 1);
    expect(m.gainMargin).toBe(Infinity);
    expect(m.phaseCrossoverFrequency).toBeNaN();
  });

  it('three equal poles: phase -180 at sqrt(3) p, gain margin 20 log10(8 / A0)', () => {
    const { frequency, magnitude, phase } = loopGain(4, [1e3, 1e3, 1e3]);
    const m = stabilityMargins(frequency, magnitude, phase);
    expect(m.phaseCrossoverFrequency / (1e3 * Math.sqrt(3))).toBeCloseTo(1, 3);
    expect(m.gainMargin).toBeCloseTo(20 * Math.log10(2), 2);
    expect(m.phaseMargin).toBeGreaterThan(0);
  });

  it('unwraps atan2 jumps and names a sweep that never crosses 0 dB', () => {
    expect(Array.from(unwrapPhase([-170, -179, 179, 170]))).toEqual([-170, -179, -181, -190]);
    expect(() => unityGainFrequency([1, 10], [0.5, 0.1])).toThrow(/never falls through 1/);
  });
});

describe('fft', () => {
  // 0.5 V DC + 2 V at 1 kHz, 10 whole periods, sampled on a non-uniform grid.
  const n = 4000;
  const time = Float64Array.from({ length: n + 1 }, (_, k) => 10e-3 * (k / n) ** 1.2);
  const values = time.map((t) => 0.5 + 2 * Math.sin(2 * Math.PI * 1e3 * t));

  it.each(['rectangular', 'hann', 'hamming', 'blackman'] as const)(
    'recovers DC and sine amplitude (%s window)',
    (window) => {
      const s = fft(time, values, { window, points: 4096 });
      expect(s.frequency[10]).toBeCloseTo(1000, 9); // bin spacing 1 / 10 ms = 100 Hz
      expect(s.magnitude[10]).toBeCloseTo(2, 2);
      if (window === 'rectangular') expect(s.magnitude[0]).toBeCloseTo(0.5, 3);
      // Far from the tone the spectrum is (interpolation-noise) small.
      expect(Math.max(...s.magnitude.slice(40, 400))).toBeLessThan(0.01);
    },
  );

  it('rejects a non power of two and unknown windows', () => {
    expect(() => fft(time, values, { points: 1000 })).toThrow(/power of two/);
    expect(() => windowFunction('kaiser' as never, 4)).toThrow(/unknown window 'kaiser'/);
  });
});

describe('fourier and THD', () => {
  const f0 = 1e3;
  const time = Float64Array.from({ length: 20001 }, (_, k) => (k / 20000) * 5e-3);
  const values = time.map(
    (t) =>
      0.2 +
      Math.sin(2 * Math.PI * f0 * t) +
      0.1 * Math.sin(3 * 2 * Math.PI * f0 * t) +
      0.05 * Math.cos(5 * 2 * Math.PI * f0 * t),
  );

  it('harmonic amplitudes, phases (sine reference), DC and THD of a known waveform', () => {
    const f = fourier(time, values, f0, { harmonics: 6, periods: 2 });
    expect(f.dc).toBeCloseTo(0.2, 5);
    expect(Array.from(f.amplitude).map((a) => Number(a.toFixed(4)))).toEqual([1, 0, 0.1, 0, 0.05, 0]);
    expect(f.phase[0]).toBeCloseTo(0, 3);
    expect(f.phase[4]).toBeCloseTo(90, 3);
    expect(thd(time, values, f0)).toBeCloseTo(100 * Math.sqrt(0.1 ** 2 + 0.05 ** 2), 3);
  });

  it('needs whole periods of the fundamental', () => {
    expect(() => fourier(time, values, 100, { periods: 1 })).toThrow(/simulate longer/);
  });
});

describe('delay', () => {
  it('measures the shift between an input edge and the output edge', () => {
    const time = Float64Array.from({ length: 5001 }, (_, k) => k * 1e-6);
    const ramp = (t: number) => Math.min(1, Math.max(0, (t - 1e-3) / 1e-5));
    const input = time.map(ramp);
    const output = time.map((t) => 5 * (1 - ramp(t - 3e-4))); // inverted, 5 V swing, 0.3 ms later
    expect(delay(time, input, output)).toBeCloseTo(3e-4, 9);
    expect(delay(time, input, output, { outputEdge: 'fall', outputLevel: 2.5 })).toBeCloseTo(3e-4, 9);
  });
});
