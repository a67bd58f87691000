import { toBundle } from '@spicesim/kernel/dist/bundle';
import type { Plot } from '@spicesim/kernel';
import { BundleColumns } from './plotly-model';
import { cursorReadout, loopGainMargins, measurementRows } from './measurements';
import { formatSI } from '@spicesim/kernel/dist/waveform/format';

function rcStep(): Plot {
  const tau = 1e-3;
  const time = Float64Array.from({ length: 5001 }, (_, k) => k * 1e-6);
  return {
    title: 'rc',
    name: 'Transient Analysis',
    date: '',
    complex: false,
    vectors: [
      { name: 'time', type: 'time', real: time },
      { name: 'v(out)', type: 'voltage', real: time.map((t) => 1 - Math.exp(-t / tau)) },
    ],
  };
}

function lowPassAc(): Plot {
  const f = Float64Array.from({ length: 121 }, (_, k) => 10 ** (k / 20));
  const fc = 1591.55;
  return {
    title: 'rc',
    name: 'AC Analysis',
    date: '',
    complex: true,
    vectors: [
      { name: 'frequency', type: 'frequency', real: f, imag: new Float64Array(121) },
      {
        name: 'v(out)',
        type: 'voltage',
        real: f.map((x) => 1 / (1 + (x / fc) ** 2)),
        imag: f.map((x) => -(x / fc) / (1 + (x / fc) ** 2)),
      },
    ],
  };
}

describe('measurement panel', () => {
  it('transient: extremes, rise time of the simulated swing, overshoot, settling', () => {
    const [row] = measurementRows(new BundleColumns(toBundle(rcStep())));
    expect(row.trace).toBe('v(out)');
    expect(row.values).toEqual({
      max: '993.3 mV',
      min: '0 V',
      // 10 % to 90 % of the swing actually simulated (the last sample is 1 - e^-5, not 1).
      'rise time': formatSI(
        1e-3 * (Math.log(1 - 0.1 * (1 - Math.exp(-5))) - Math.log(1 - 0.9 * (1 - Math.exp(-5)))),
        's',
        4,
      ),
      overshoot: '0.0 %',
      'settling (2 %)': expect.stringMatching(/^3\.\d+ ms$/),
    });
  });

  it('no step measurements for a waveform that ends where it started (ringing, a sine)', () => {
    const plot = rcStep();
    plot.vectors.push({
      name: 'i(v1)',
      type: 'current',
      real: plot.vectors[0].real.map((t) => 1e-3 * Math.sin(2 * Math.PI * 1e3 * t)),
    });
    const rows = measurementRows(new BundleColumns(toBundle(plot, { panes: [['i(v1)']] })));
    expect(rows[0].values).toEqual({
      max: '1 mA',
      min: '-1 mA',
      'rise time': '—',
      overshoot: '—',
      'settling (2 %)': '—',
    });
  });

  it('AC: -3 dB bandwidth of the magnitude pane, phase pane skipped, unity gain not reached', () => {
    const rows = measurementRows(new BundleColumns(toBundle(lowPassAc())));
    expect(rows).toHaveLength(1);
    expect(rows[0].trace).toBe('v(out) (magnitude-db)');
    expect(rows[0].values['-3 dB bandwidth']).toMatch(/^1\.59[12] kHz$/); // fc = 1.5916 kHz, 20 points/decade
    expect(rows[0].values['unity-gain frequency']).toBe('—');
    expect(rows[0].values['phase margin']).toBe('—');
  });
});

/** An AC plot of H(f) on `perDecade` log-spaced points over [f0, f1]. */
function acPlot(h: (f: number) => [number, number], f0: number, f1: number, perDecade = 200): Plot {
  const decades = Math.log10(f1 / f0);
  const n = Math.round(decades * perDecade) + 1;
  const f = Float64Array.from({ length: n }, (_, k) => f0 * 10 ** (k / perDecade));
  const values = Array.from(f, h);
  return {
    title: 'loop',
    name: 'AC Analysis',
    date: '',
    complex: true,
    vectors: [
      { name: 'frequency', type: 'frequency', real: f, imag: new Float64Array(n) },
      {
        name: 'v(loop)',
        type: 'voltage',
        real: Float64Array.from(values, (v) => v[0]),
        imag: Float64Array.from(values, (v) => v[1]),
      },
    ],
  };
}

/** Product of first-order poles A0 / prod(1 + j f / p). */
function poles(a0: number, ps: number[]): (f: number) => [number, number] {
  return (f) => {
    let re = a0;
    let im = 0;
    for (const p of ps) {
      // divide by (1 + j f/p)
      const d = 1 + (f / p) ** 2;
      const r = (re + im * (f / p)) / d;
      const i = (im - re * (f / p)) / d;
      re = r;
      im = i;
    }
    return [re, im];
  };
}

function transientPlot(end: number, n: number, y: (t: number) => number): Plot {
  const time = Float64Array.from({ length: n }, (_, k) => (k / (n - 1)) * end);
  return {
    title: 'step',
    name: 'Transient Analysis',
    date: '',
    complex: false,
    vectors: [
      { name: 'time', type: 'time', real: time },
      { name: 'v(out)', type: 'voltage', real: time.map(y) },
    ],
  };
}

describe('automatic measurements against analytic waveforms', () => {
  it('two-pole loop gain: unity-gain frequency and phase margin from the closed form, gain margin infinite', () => {
    const [a0, p1, p2] = [1000, 100, 1e6];
    // |T| = 1: u = f^2 solves u^2/(p1 p2)^2 + u (1/p1^2 + 1/p2^2) + 1 - a0^2 = 0.
    const a = 1 / (p1 * p2) ** 2;
    const b = 1 / p1 ** 2 + 1 / p2 ** 2;
    const fu = Math.sqrt((-b + Math.sqrt(b * b - 4 * a * (1 - a0 * a0))) / (2 * a));
    const pm = 180 - (Math.atan(fu / p1) + Math.atan(fu / p2)) * (180 / Math.PI);
    const columns = new BundleColumns(toBundle(acPlot(poles(a0, [p1, p2]), 1, 1e9)));
    const margins = loopGainMargins(columns, 'v(loop)')!;
    expect(margins.unityGainFrequency / fu - 1).toBeLessThan(1e-4);
    expect(Math.abs(margins.phaseMargin - pm)).toBeLessThan(0.02);
    expect(margins.gainMargin).toBe(Infinity);
    const [row] = measurementRows(columns);
    expect(row.values['phase margin']).toBe(`${pm.toFixed(1)}°`);
    expect(row.values['unity-gain frequency']).toBe(formatSI(fu, 'Hz', 4));
    expect(row.values['gain margin']).toBe('∞ (phase never reaches -180°)');
    // Above 1 at DC: the -3 dB bandwidth of the loop gain is its first pole.
    expect(row.values['-3 dB bandwidth']).toBe(formatSI(p1, 'Hz', 4));
  });

  it('three equal poles: phase crossover at p·√3, gain margin 20 log10(8/A0), phase margin 180 - 3 atan(fu/p)', () => {
    const [a0, p] = [4, 1e4];
    const fu = p * Math.sqrt(a0 ** (2 / 3) - 1);
    const pm = 180 - 3 * Math.atan(fu / p) * (180 / Math.PI);
    const margins = loopGainMargins(
      new BundleColumns(toBundle(acPlot(poles(a0, [p, p, p]), 10, 1e8))),
      'v(loop)',
    )!;
    expect(margins.unityGainFrequency / fu - 1).toBeLessThan(1e-4);
    expect(Math.abs(margins.phaseMargin - pm)).toBeLessThan(0.02);
    expect(margins.phaseCrossoverFrequency / (p * Math.sqrt(3)) - 1).toBeLessThan(1e-4);
    expect(Math.abs(margins.gainMargin - 20 * Math.log10(8 / a0))).toBeLessThan(1e-3);
    const [row] = measurementRows(new BundleColumns(toBundle(acPlot(poles(a0, [p, p, p]), 10, 1e8))));
    expect(row.values['gain margin']).toBe(
      `${(20 * Math.log10(8 / a0)).toFixed(1)} dB at ${formatSI(p * Math.sqrt(3), 'Hz', 4)}`,
    );
  });

  it('second-order Butterworth low-pass: -3 dB bandwidth at f0, no margins for a response below 1', () => {
    const f0 = 2e3;
    // H = 1 / (1 + j√2 f/f0 - (f/f0)^2)
    const h = (f: number): [number, number] => {
      const x = f / f0;
      const re = 1 - x * x;
      const im = Math.SQRT2 * x;
      const d = re * re + im * im;
      return [re / d, -im / d];
    };
    const columns = new BundleColumns(toBundle(acPlot(h, 10, 1e6)));
    const [row] = measurementRows(columns);
    expect(row.values['-3 dB bandwidth']).toBe(formatSI(f0, 'Hz', 4));
    expect(loopGainMargins(columns, 'v(loop)')).toBeUndefined();
  });

  it('first-order step: rise time τ ln 9, no overshoot, 2 % settling τ ln 50', () => {
    const tau = 1e-6;
    // Step of exactly 1 V: the trace ends at its final value (40 τ).
    const [row] = measurementRows(
      new BundleColumns(toBundle(transientPlot(40 * tau, 400_001, (t) => 1 - Math.exp(-t / tau)))),
    );
    expect(row.values['rise time']).toBe(formatSI(tau * Math.log(9), 's', 4));
    expect(row.values.overshoot).toBe('0.0 %');
    expect(row.values['settling (2 %)']).toBe(formatSI(tau * Math.log(50), 's', 4));
  });

  it('second-order step (ζ = 0.3): overshoot 100 exp(-πζ/√(1-ζ²)) and settling time from the analytic response', () => {
    const [zeta, wn] = [0.3, 2 * Math.PI * 1e3];
    const wd = wn * Math.sqrt(1 - zeta * zeta);
    const phi = Math.acos(zeta);
    const y = (t: number) =>
      1 - (Math.exp(-zeta * wn * t) / Math.sqrt(1 - zeta * zeta)) * Math.sin(wd * t + phi);
    const end = 20e-3;
    const [row] = measurementRows(new BundleColumns(toBundle(transientPlot(end, 200_001, y))));
    expect(row.values.overshoot).toBe(
      `${(100 * Math.exp((-Math.PI * zeta) / Math.sqrt(1 - zeta * zeta))).toFixed(1)} %`,
    );
    // Last time |y - 1| = 0.02 on the exact response: bisection between the last grid point outside the band and the next.
    const outside = (t: number) => Math.abs(y(t) - 1) > 0.02;
    let lo = 0;
    for (let t = 0; t < end; t += 1e-7) if (outside(t)) lo = t;
    let hi = lo + 1e-7;
    for (let k = 0; k < 60; k++) {
      const mid = (lo + hi) / 2;
      if (outside(mid)) lo = mid;
      else hi = mid;
    }
    expect(row.values['settling (2 %)']).toBe(formatSI(lo, 's', 4));
  });
});

describe('cursor readout', () => {
  it('x, y, dx, dy and 1/dx for two cursors', () => {
    const r = cursorReadout(new BundleColumns(toBundle(rcStep())), [1e-3, 2e-3]);
    expect(r.header).toBe('A: 1 ms   B: 2 ms   Δx: 1 ms   1/Δx: 1 kHz');
    expect(r.lines).toEqual([`v(out): A ${'632.12 mV'}   B ${'864.66 mV'}   Δy 232.5 mV`]);
  });

  it('one cursor shows values only', () => {
    const r = cursorReadout(new BundleColumns(toBundle(lowPassAc())), [1591.55]);
    expect(r.header).toBe('A: 1.5916 kHz');
    expect(r.lines[0]).toMatch(/^v\(out\) magnitude-db: A -3\.01\d* dB$/);
    expect(r.lines[1]).toMatch(/^v\(out\) phase: A -4[45]\.\d+ °$/);
  });
});
