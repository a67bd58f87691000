/**
 * Analytic checks of the four analyses, including the product spec's validation benchmarks 1-3
 * (divider 6.6667 V; RC charge 3.1606 V at RC and 4.9663 V at 5RC; series RLC f0 50.33 kHz, Q 6.32,
 * BW 7.96 kHz), and the typed errors for circuits that cannot be solved.
 */
import { ConvergenceError, SingularMatrixError } from '../errors';
import { findVector, type Plot } from '../output/plot';
import { simulateNetlist } from '../simulate';

function vector(plot: Plot, name: string): Float64Array {
  const v = findVector(plot, name);
  if (!v) throw new Error(`no vector ${name} in ${plot.vectors.map((x) => x.name).join(', ')}`);
  return v.real;
}

/** Linear interpolation of y(x) on a monotonic grid. */
function at(x: Float64Array, y: Float64Array, value: number): number {
  let k = 0;
  while (k < x.length - 2 && x[k + 1] < value) k++;
  return y[k] + ((y[k + 1] - y[k]) * (value - x[k])) / (x[k + 1] - x[k]);
}

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('operating point', () => {
  test('benchmark 1: resistive divider gives 6.6667 V within 0.001 %', () => {
    const { plots } = simulateNetlist('divider\nV1 in 0 10\nR1 in a 1k\nR2 a 0 2k\n.op\n.end\n');
    expect(plots[0].name).toBe('Operating Point');
    expect(relativeError(vector(plots[0], 'v(a)')[0], 20 / 3)).toBeLessThan(1e-5);
    // The source delivers 10 V / 3 kΩ; SPICE reports it flowing into the + terminal, so negative.
    expect(vector(plots[0], 'i(v1)')[0]).toBeCloseTo(-10 / 3000, 12);
  });

  test('controlled sources E, F, G, H follow their gains', () => {
    const { plots } = simulateNetlist(
      [
        'controlled',
        'V1 in 0 2',
        'R1 in 0 1k',
        'E1 e 0 in 0 3',
        'RE e 0 1k',
        'G1 0 g in 0 1m',
        'RG g 0 1k',
        'Vs in s 0',
        'Rs s 0 500',
        'F1 0 f Vs 2',
        'RF f 0 100',
        'H1 h 0 Vs 1k',
        'RH h 0 1k',
        '.op',
        '.end',
      ].join('\n'),
    );
    const p = plots[0];
    expect(vector(p, 'v(e)')[0]).toBeCloseTo(6, 9);
    expect(vector(p, 'v(g)')[0]).toBeCloseTo(2, 9); // 1 mS · 2 V into 1 kΩ
    const sensed = 2 / 500;
    expect(vector(p, 'i(vs)')[0]).toBeCloseTo(sensed, 12);
    expect(vector(p, 'v(f)')[0]).toBeCloseTo(2 * sensed * 100, 9);
    expect(vector(p, 'v(h)')[0]).toBeCloseTo(1000 * sensed, 9);
  });

  test('resistor temperature coefficients scale with .temp', () => {
    const { plots } = simulateNetlist('tc\nI1 0 a 1m\nR1 a 0 1k tc1=0.01 tc2=1e-4\n.temp 77\n.op\n.end\n');
    const dt = 50;
    expect(vector(plots[0], 'v(a)')[0]).toBeCloseTo(1 * (1 + 0.01 * dt + 1e-4 * dt * dt), 9);
  });

  test('a floating node is named in a SingularMatrixError', () => {
    const run = (): unknown =>
      simulateNetlist('floating\nV1 in 0 1\nR1 in 0 1k\nC1 in island 1u\n.op\n.end\n');
    expect(run).toThrow(SingularMatrixError);
    try {
      run();
    } catch (error) {
      expect((error as SingularMatrixError).node).toBe('island');
      expect((error as SingularMatrixError).hint).toMatch(/floating/);
    }
  });

  test('a loop of voltage sources is reported as singular', () => {
    expect(() => simulateNetlist('loop\nV1 a 0 1\nV2 a 0 2\nR1 a 0 1\n.op\n.end\n')).toThrow(
      SingularMatrixError,
    );
  });

  test('ConvergenceError is a typed error with suggestions', () => {
    const error = new ConvergenceError('did not converge', ['out'], ['add .nodeset']);
    expect(error.format()).toMatch(/add .nodeset/);
  });
});

describe('DC sweep', () => {
  test('nested sweep covers every point with the inner source as scale', () => {
    const { plots } = simulateNetlist(
      'sweep\nV1 a 0 0\nV2 b 0 0\nR1 a c 1k\nR2 b c 1k\nR3 c 0 1k\n.dc V1 0 1 0.25 V2 0 2 1\n.end\n',
    );
    const p = plots[0];
    expect(p.name).toBe('DC transfer characteristic');
    const scale = vector(p, 'v(v-sweep)');
    const c = vector(p, 'v(c)');
    expect(scale.length).toBe(15);
    for (let k = 0; k < 15; k++) {
      const v1 = (k % 5) * 0.25;
      const v2 = Math.floor(k / 5);
      expect(scale[k]).toBeCloseTo(v1, 12);
      expect(c[k]).toBeCloseTo((v1 + v2) / 3, 9);
    }
  });

  test('temperature sweep', () => {
    const { plots } = simulateNetlist('t\nI1 0 a 1m\nR1 a 0 1k tc1=0.01\n.dc temp 27 127 50\n.end\n');
    expect(Array.from(vector(plots[0], 'v(a)'))).toEqual([1, 1.5, 2].map((v) => expect.closeTo(v, 9)));
  });
});

describe('AC analysis', () => {
  test('benchmark 3: series RLC resonance, Q and bandwidth', () => {
    const { plots } = simulateNetlist(
      'rlc\nV1 in 0 AC 1\nR1 in a 50\nL1 a b 1m\nC1 b 0 10n\n.ac lin 20001 40k 60k\n.end\n',
    );
    const p = plots[0];
    expect(p.complex).toBe(true);
    const f = vector(p, 'frequency');
    const current = findVector(p, 'i(v1)')!;
    const magnitude = f.map((_, k) => Math.hypot(current.real[k], current.imag![k]));
    let peak = 0;
    for (let k = 1; k < f.length; k++) if (magnitude[k] > magnitude[peak]) peak = k;
    const f0 = 1 / (2 * Math.PI * Math.sqrt(1e-3 * 10e-9));
    expect(relativeError(f[peak], f0)).toBeLessThan(1e-3);
    expect(magnitude[peak]).toBeCloseTo(1 / 50, 6);
    // -3 dB points: where |I| falls to peak/√2 on each side.
    const half = magnitude[peak] / Math.SQRT2;
    let low = peak;
    while (magnitude[low] > half) low--;
    let high = peak;
    while (magnitude[high] > half) high++;
    const bandwidth = f[high] - f[low];
    const q = f[peak] / bandwidth;
    expect(relativeError(bandwidth, 50 / (2 * Math.PI * 1e-3))).toBeLessThan(0.02);
    expect(relativeError(q, Math.sqrt(1e-3 / 10e-9) / 50)).toBeLessThan(0.01);
  });

  test('decade sweep visits n points per decade including fstop', () => {
    const { plots } = simulateNetlist(
      'rc\nV1 in 0 AC 1\nR1 in out 1k\nC1 out 0 1u\n.ac dec 10 1 1meg\n.end\n',
    );
    const f = vector(plots[0], 'frequency');
    expect(f.length).toBe(61);
    expect(f[60]).toBeCloseTo(1e6, 3);
    // The RC low-pass: |H| = 1/sqrt(1 + (ωRC)²), phase −atan(ωRC).
    const out = findVector(plots[0], 'v(out)')!;
    for (let k = 0; k < f.length; k++) {
      const wrc = 2 * Math.PI * f[k] * 1e-3;
      expect(Math.hypot(out.real[k], out.imag![k])).toBeCloseTo(1 / Math.sqrt(1 + wrc * wrc), 9);
      expect(Math.atan2(out.imag![k], out.real[k])).toBeCloseTo(-Math.atan(wrc), 9);
    }
  });

  test('coupled inductors form an ideal-ish transformer', () => {
    const { plots } = simulateNetlist(
      'xfmr\nV1 in 0 AC 1\nRs in p 1\nL1 p 0 1m\nL2 out 0 4m\nK1 L1 L2 1\nR2 out 0 1meg\n.ac lin 1 1k 1k\n.end\n',
    );
    const out = findVector(plots[0], 'v(out)')!;
    const primary = findVector(plots[0], 'v(p)')!;
    // Turns ratio √(L2/L1) = 2 with unity coupling and a light load.
    const ratio = Math.hypot(out.real[0], out.imag![0]) / Math.hypot(primary.real[0], primary.imag![0]);
    expect(ratio).toBeCloseTo(2, 4);
  });
});

describe('transient analysis', () => {
  const rc = (method: string): Plot =>
    simulateNetlist(
      `rc charge\nV1 in 0 PULSE(0 5 0 1n 1n 1 2)\nR1 in a 10k\nC1 a 0 1u\n.options method=${method}\n.tran 0.1m 50m\n.end\n`,
    ).plots[0];

  test.each(['trap', 'gear'])('benchmark 2: RC charging with %s within 0.5 %%', (method) => {
    const p = rc(method);
    const t = vector(p, 'time');
    const a = vector(p, 'v(a)');
    expect(t[0]).toBe(0);
    expect(t[t.length - 1]).toBeCloseTo(50e-3, 15);
    expect(relativeError(at(t, a, 10e-3), 5 * (1 - Math.exp(-1)))).toBeLessThan(5e-3);
    expect(relativeError(at(t, a, 50e-3), 5 * (1 - Math.exp(-5)))).toBeLessThan(5e-3);
    // The whole curve, not only two points.
    for (let k = 0; k < t.length; k++) {
      const expected = t[k] < 1e-9 ? 0 : 5 * (1 - Math.exp(-(t[k] - 0.5e-9) / 10e-3));
      expect(Math.abs(a[k] - expected)).toBeLessThan(5e-3 * 5);
    }
  });

  test('uic starts from IC= instead of the operating point', () => {
    const p = simulateNetlist('discharge\nR1 a 0 1k\nC1 a 0 1u ic=2\n.tran 10u 5m uic\n.end\n').plots[0];
    const t = vector(p, 'time');
    const a = vector(p, 'v(a)');
    // Like ngspice, no point at t = 0 with uic; the first step starts from IC=2.
    expect(t[0]).toBeGreaterThan(0);
    expect(a[0]).toBeCloseTo(2, 2);
    expect(relativeError(at(t, a, 1e-3), 2 * Math.exp(-1))).toBeLessThan(5e-3);
  });

  test('LC tank oscillates at 1/(2π√LC) and keeps its amplitude with trap', () => {
    const p = simulateNetlist('lc\nL1 a 0 1m ic=0\nC1 a 0 1u ic=1\n.tran 1u 2m uic\n.end\n').plots[0];
    const t = vector(p, 'time');
    const a = vector(p, 'v(a)');
    const period = 2 * Math.PI * Math.sqrt(1e-3 * 1e-6);
    for (const x of [0.25, 0.5, 1, 3, 5.5]) {
      expect(at(t, a, x * period)).toBeCloseTo(Math.cos(2 * Math.PI * x), 1);
    }
  });

  test('sine source output matches the source function at every point', () => {
    const p = simulateNetlist('sin\nV1 a 0 SIN(1 2 1k 0.2m 100 30)\nR1 a 0 1k\n.tran 10u 2m\n.end\n')
      .plots[0];
    const t = vector(p, 'time');
    const a = vector(p, 'v(a)');
    for (let k = 0; k < t.length; k++) {
      const expected =
        t[k] <= 0.2e-3
          ? 1 + 2 * Math.sin(Math.PI / 6)
          : 1 +
            2 *
              Math.sin(2 * Math.PI * 1e3 * (t[k] - 0.2e-3) + Math.PI / 6) *
              Math.exp(-(t[k] - 0.2e-3) * 100);
      expect(a[k]).toBeCloseTo(expected, 9);
    }
  });

  test('pulse corners are hit exactly (breakpoints)', () => {
    const p = simulateNetlist('pulse\nV1 a 0 PULSE(0 1 1u 2u 3u 4u 20u)\nR1 a 0 1k\n.tran 1u 30u\n.end\n')
      .plots[0];
    const t = Array.from(vector(p, 'time'));
    for (const corner of [1e-6, 3e-6, 7e-6, 10e-6, 21e-6, 23e-6, 27e-6]) {
      expect(t.some((x) => Math.abs(x - corner) < 1e-15)).toBe(true);
    }
  });

  test('tstart drops earlier points', () => {
    const p = simulateNetlist('rc\nV1 a 0 1\nR1 a b 1k\nC1 b 0 1u\n.tran 10u 1m 0.5m\n.end\n').plots[0];
    const t = vector(p, 'time');
    expect(t[0]).toBeGreaterThanOrEqual(0.5e-3 - 1e-12);
  });
});

describe('typed errors', () => {
  test('keep their class names in a minified bundle (names are literals)', () => {
    expect.assertions(2);
    try {
      simulateNetlist('floating\nV1 in 0 1\nR1 in 0 1k\nC1 in island 1u\n.op\n.end\n');
    } catch (error) {
      expect((error as Error).name).toBe('SingularMatrixError');
    }
    expect(new ConvergenceError('x', [], []).name).toBe('ConvergenceError');
  });
});
