import {
  MeasurementError,
  average,
  bandwidth,
  crossing,
  fallTime,
  integral,
  overshoot,
  peak,
  riseTime,
  rms,
  settlingTime,
  trough,
  valueAt,
} from './measure';

/** Samples f on n+1 points of [a, b]; `warp` makes the spacing non-uniform like an adaptive timestep. */
function sample(f: (t: number) => number, a: number, b: number, n: number, warp = false) {
  const t = new Float64Array(n + 1);
  const y = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) {
    const u = k / n;
    t[k] = a + (b - a) * (warp ? u * u : u);
    y[k] = f(t[k]);
  }
  return { t, y };
}

describe('crossing', () => {
  it('interpolates linearly and honours edge and occurrence', () => {
    const { t, y } = sample((x) => Math.sin(2 * Math.PI * x), 0, 2, 4000);
    expect(crossing(t, y, 0.5, { edge: 'rise' })).toBeCloseTo(1 / 12, 5);
    expect(crossing(t, y, 0.5, { edge: 'fall' })).toBeCloseTo(5 / 12, 5);
    expect(crossing(t, y, 0.5, { edge: 'rise', occurrence: 2 })).toBeCloseTo(1 + 1 / 12, 5);
  });
  it('says the range when the level is never reached', () => {
    const { t, y } = sample((x) => x, 0, 1, 10);
    expect(() => crossing(t, y, 2)).toThrow(/never crosses 2.*range is 0\.000..1\.000/);
  });
});

describe('rise and fall time', () => {
  const tau = 1e-3;
  it('is tau ln 9 for a first-order step, also on a non-uniform grid', () => {
    const { t, y } = sample((x) => 1 - Math.exp(-x / tau), 0, 10 * tau, 20000, true);
    expect(riseTime(t, y, { final: 1 })).toBeCloseTo(tau * Math.log(9), 7);
    // 20 % to 80 %: tau ln 4
    expect(riseTime(t, y, { low: 0.2, high: 0.8, final: 1 })).toBeCloseTo(tau * Math.log(4), 7);
  });
  it('fall time of a decaying exponential is tau ln 9', () => {
    const { t, y } = sample((x) => 5 * Math.exp(-x / tau), 0, 12 * tau, 20000);
    expect(fallTime(t, y, { final: 0 })).toBeCloseTo(tau * Math.log(9), 7);
  });
  it('rejects a step in the wrong direction with a hint', () => {
    const { t, y } = sample((x) => -x, 0, 1, 10);
    expect(() => riseTime(t, y)).toThrow(/not a rising step.*fallTime/);
  });
});

describe('overshoot and settling of an underdamped second-order step', () => {
  // Step response of wn^2 / (s^2 + 2 zeta wn s + wn^2): peak overshoot exp(-zeta pi / sqrt(1 - zeta^2)).
  const zeta = 0.3;
  const wn = 2 * Math.PI * 1000;
  const wd = wn * Math.sqrt(1 - zeta * zeta);
  const phi = Math.acos(zeta);
  const step = (t: number) =>
    1 - (Math.exp(-zeta * wn * t) / Math.sqrt(1 - zeta * zeta)) * Math.sin(wd * t + phi);
  const { t, y } = sample(step, 0, 0.01, 40000);
  it('matches the analytic percent overshoot', () => {
    const expected = 100 * Math.exp((-zeta * Math.PI) / Math.sqrt(1 - zeta * zeta));
    expect(overshoot(y, { initial: 0, final: 1 })).toBeCloseTo(expected, 2);
  });
  it('is zero for a monotonic step', () => {
    const first = sample((x) => 1 - Math.exp(-x), 0, 5, 100);
    expect(overshoot(first.y, { initial: 0, final: 1 })).toBe(0);
  });
  it('settling time to 2 % lies where the envelope allows it', () => {
    const ts = settlingTime(t, y, { initial: 0, final: 1, tolerance: 0.02 });
    // The envelope exp(-zeta wn t)/sqrt(1-zeta^2) reaches 2 % at this time; the waveform settles no later.
    const envelope = Math.log(0.02 * Math.sqrt(1 - zeta * zeta)) / (-zeta * wn);
    expect(ts).toBeLessThanOrEqual(envelope);
    expect(ts).toBeGreaterThan(envelope - Math.PI / wd);
    expect(Math.abs(valueAt(t, y, ts) - 1)).toBeCloseTo(0.02, 4);
  });
});

describe('bandwidth', () => {
  it('finds the corner of a first-order low-pass within 0.1 %', () => {
    const fc = 1591.55;
    const n = 200;
    const f = new Float64Array(n);
    const mag = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      f[k] = Math.pow(10, 1 + (5 * k) / (n - 1)); // 10 Hz .. 1 MHz, 40 points per decade
      mag[k] = 1 / Math.sqrt(1 + (f[k] / fc) ** 2);
    }
    expect(Math.abs(bandwidth(f, mag) / fc - 1)).toBeLessThan(1e-3);
  });
  it('uses the given reference (an amplifier with gain 10)', () => {
    const f = Float64Array.from([1, 10, 100, 1000]);
    const mag = Float64Array.from([10, 10, 10 / Math.SQRT2, 1]);
    expect(bandwidth(f, mag, { reference: 10 })).toBeCloseTo(100, 6);
  });
  it('asks for a wider sweep when the response never drops', () => {
    const f = Float64Array.from([1, 10]);
    expect(() => bandwidth(f, Float64Array.from([1, 0.9]))).toThrow(MeasurementError);
  });
});

describe('peak, average, rms, integral', () => {
  it('peak and trough of a sine', () => {
    const { t, y } = sample((x) => 3 * Math.sin(2 * Math.PI * x), 0, 1, 1000);
    expect(peak(t, y).value).toBeCloseTo(3, 6);
    expect(peak(t, y).at).toBeCloseTo(0.25, 6);
    expect(trough(t, y).at).toBeCloseTo(0.75, 6);
  });
  it('average and RMS of an offset sine over whole periods', () => {
    const { t, y } = sample((x) => 1 + 2 * Math.sin(2 * Math.PI * 50 * x), 0, 0.1, 20000, true);
    expect(average(t, y)).toBeCloseTo(1, 4);
    // RMS^2 = offset^2 + A^2/2
    expect(rms(t, y)).toBeCloseTo(Math.sqrt(1 + 2), 4);
  });
  it('RMS of a sine over a sub-window with interpolated ends', () => {
    const { t, y } = sample((x) => Math.sin(2 * Math.PI * x), 0, 3, 30000);
    expect(rms(t, y, { from: 0.5, to: 2.5 })).toBeCloseTo(Math.SQRT1_2, 5);
  });
  it('integral of a ramp is its triangle area', () => {
    const { t, y } = sample((x) => 2 * x, 0, 3, 7);
    expect(integral(t, y)).toBeCloseTo(9, 12);
    expect(integral(t, y, { from: 1, to: 2 })).toBeCloseTo(3, 12);
  });
  it('reports mismatched columns', () => {
    expect(() => average(Float64Array.from([0, 1]), Float64Array.from([0]))).toThrow(
      /2 points but values has 1/,
    );
  });
});
