import { SpectrumError, amplitudeSpectrum, fftInPlace, resampleUniform, windowFunction } from './spectrum';

/** Reference DFT, O(N^2). */
function dft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      re[k] += x[j] * Math.cos((-2 * Math.PI * k * j) / n);
      im[k] += x[j] * Math.sin((-2 * Math.PI * k * j) / n);
    }
  }
  return { re, im };
}

/** Deterministic pseudo-random numbers (LCG), so failures reproduce. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (1664525 * s + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Non-uniform timesteps like a SPICE transient: steps between 0.3 and 1.7 of the mean. */
function spiceTime(end: number, mean: number, seed = 1): Float64Array {
  const next = random(seed);
  const t = [0];
  while (t[t.length - 1] < end) t.push(Math.min(end, t[t.length - 1] + mean * (0.3 + 1.4 * next())));
  return Float64Array.from(t);
}

function peakBin(values: Float64Array): number {
  let best = 1;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

describe('resampleUniform', () => {
  it('is exact for a piecewise-linear waveform on non-uniform steps', () => {
    const time = Float64Array.from([0, 0.1, 0.15, 0.6, 1]);
    const values = time.map((t) => 3 * t - 1);
    const out = resampleUniform(time, values, 0, 1, 8);
    out.forEach((v, k) => expect(v).toBeCloseTo(3 * (k / 8) - 1, 12));
  });

  it('interpolates a sine on non-uniform steps to within the linear-interpolation error', () => {
    const time = spiceTime(1e-3, 1e-7);
    const values = time.map((t) => Math.sin(2 * Math.PI * 1e3 * t));
    const out = resampleUniform(time, values, 0, 1e-3, 4096);
    // Error bound of linear interpolation: h^2/8 max|f''| with h <= 1.7e-7.
    const bound = (1.7e-7 ** 2 / 8) * (2 * Math.PI * 1e3) ** 2;
    out.forEach((v, k) => expect(Math.abs(v - Math.sin((2 * Math.PI * k) / 4096))).toBeLessThan(bound));
  });

  it('names bad input', () => {
    expect(() => resampleUniform([0, 1], [0, 1], 0.5, 0.5, 4)).toThrow(/empty/);
    expect(() => resampleUniform([0, 1], [0, 1], 0, 2, 4)).toThrow(/outside the simulated 0..1/);
    expect(() => resampleUniform([0, 1, 2], [0, NaN, 1], 0, 2, 4)).toThrow(/not finite near t = 0.5/);
    expect(() => resampleUniform([0, 1], [0], 0, 1, 4)).toThrow(SpectrumError);
  });
});

describe('windowFunction', () => {
  it('periodic windows with the coherent gains of Harris (1978)', () => {
    const gain = (w: Float64Array) => w.reduce((a, b) => a + b, 0) / w.length;
    expect(gain(windowFunction('rectangular', 64))).toBeCloseTo(1, 12);
    expect(gain(windowFunction('hann', 64))).toBeCloseTo(0.5, 12);
    expect(gain(windowFunction('hamming', 64))).toBeCloseTo(0.54, 12);
    expect(gain(windowFunction('blackman-harris', 64))).toBeCloseTo(0.35875, 12);
    const hann = windowFunction('hann', 8);
    expect(hann[0]).toBe(0);
    expect(hann[4]).toBeCloseTo(1, 15); // peak at N/2, not at (N-1)/2: DFT-even
    expect(windowFunction('blackman-harris', 8)[0]).toBeCloseTo(0.00006, 12);
    expect(() => windowFunction('kaiser' as never, 8)).toThrow(/unknown window 'kaiser'/);
  });
});

describe('fftInPlace', () => {
  it('matches the direct DFT', () => {
    const next = random(7);
    for (const n of [1, 2, 8, 64, 256]) {
      const x = Float64Array.from({ length: n }, () => next() - 0.5);
      const re = x.slice();
      const im = new Float64Array(n);
      fftInPlace(re, im);
      const ref = dft(x);
      for (let k = 0; k < n; k++) {
        expect(re[k]).toBeCloseTo(ref.re[k], 10);
        expect(im[k]).toBeCloseTo(ref.im[k], 10);
      }
    }
  });

  it('rejects lengths that are not powers of two', () => {
    expect(() => fftInPlace(new Float64Array(12), new Float64Array(12))).toThrow(/power of two, got 12/);
  });
});

describe('amplitudeSpectrum', () => {
  it('a sine on a bin reads its amplitude with every window (coherent gain corrected)', () => {
    const time = Float64Array.from({ length: 1025 }, (_, k) => k / 1024); // 1 s, 1024 uniform steps
    const values = time.map((t) => 0.7 * Math.sin(2 * Math.PI * 50 * t) + 0.2);
    for (const window of ['rectangular', 'hann', 'hamming', 'blackman-harris'] as const) {
      const s = amplitudeSpectrum(time, values, { window, points: 1024 });
      expect(s.frequency[50]).toBeCloseTo(50, 12);
      expect(s.resolution).toBeCloseTo(1, 12);
      expect(peakBin(s.magnitude)).toBe(50);
      expect(s.magnitude[50]).toBeCloseTo(0.7, 9);
      expect(s.magnitude[0]).toBeCloseTo(0.2, 9); // DC
      expect(s.magnitudeDb[50]).toBeCloseTo(20 * Math.log10(0.7), 7);
    }
  });

  it('scalloping loss half a bin off: rectangular 3.92 dB, Hann 1.42 dB, Hamming 1.75 dB, Blackman-Harris 0.83 dB', () => {
    const time = Float64Array.from({ length: 4097 }, (_, k) => k / 4096);
    const values = time.map((t) => Math.sin(2 * Math.PI * 100.5 * t));
    const expected = { rectangular: 3.92, hann: 1.42, hamming: 1.75, 'blackman-harris': 0.83 };
    for (const [window, loss] of Object.entries(expected)) {
      const s = amplitudeSpectrum(time, values, { window: window as keyof typeof expected, points: 4096 });
      const top = Math.max(s.magnitudeDb[100], s.magnitudeDb[101]);
      expect(-top).toBeCloseTo(loss, 1);
    }
  });

  it('Blackman-Harris keeps leakage of an off-bin tone below -90 dB far from it, rectangular does not', () => {
    const time = Float64Array.from({ length: 4097 }, (_, k) => k / 4096);
    const values = time.map((t) => Math.sin(2 * Math.PI * 200.37 * t));
    const far = (window: 'rectangular' | 'blackman-harris') => {
      const s = amplitudeSpectrum(time, values, { window, points: 4096 });
      let worst = -Infinity;
      for (let k = 0; k < s.frequency.length; k++)
        if (Math.abs(k - 200.37) > 20) worst = Math.max(worst, s.magnitudeDb[k]);
      return worst;
    };
    expect(far('blackman-harris')).toBeLessThan(-90);
    expect(far('rectangular')).toBeGreaterThan(-50);
  });

  it('non-uniform SPICE timesteps: resampled, the tone and its harmonic land on their bins with their amplitudes', () => {
    const time = spiceTime(10e-3, 2e-7, 3);
    const values = time.map(
      (t) => 2 * Math.sin(2 * Math.PI * 1e3 * t) + 0.1 * Math.sin(2 * Math.PI * 3e3 * t),
    );
    const s = amplitudeSpectrum(time, values, { window: 'blackman-harris' });
    expect(s.points).toBe(65536); // next power of two above ~50k samples
    expect(s.resolution).toBeCloseTo(100, 6);
    expect(s.frequency[10]).toBeCloseTo(1e3, 6);
    expect(peakBin(s.magnitude)).toBe(10);
    expect(s.magnitude[10]).toBeCloseTo(2, 4);
    expect(s.magnitude[30]).toBeCloseTo(0.1, 4);
    expect(s.magnitudeDb[20]).toBeLessThan(-80); // no second harmonic
  });

  it('a window of the trace: [from, to], the size cap and mean removal', () => {
    const time = Float64Array.from({ length: 100_001 }, (_, k) => k * 1e-5); // 1 s
    const values = time.map((t) => 5 + Math.cos(2 * Math.PI * 40 * t));
    const s = amplitudeSpectrum(time, values, {
      from: 0.5,
      to: 1,
      maxPoints: 4096,
      removeMean: true,
      window: 'hann',
    });
    expect(s.points).toBe(4096);
    expect(s.resolution).toBeCloseTo(2, 9);
    expect(s.magnitude[20]).toBeCloseTo(1, 5); // linear interpolation of 1e-5 s steps: ~8e-7
    expect(s.magnitude[0]).toBeLessThan(1e-9);
    expect(() => amplitudeSpectrum(time, values, { points: 1000 })).toThrow(/power of two >= 2, got 1000/);
  });
});
