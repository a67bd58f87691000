import { toBundle } from '@spicesim/kernel/dist/bundle';
import type { Plot } from '@spicesim/kernel';
import {
  SpectrumCache,
  buildFftFigure,
  buildNyquistFigure,
  complexTraceNames,
  nearestTrace,
  spectrumTraceNames,
} from './analysis-views';
import { BundleColumns, buildFigure, initialState } from './plotly-model';

const theme = { background: '#ffffff', foreground: '#222222', grid: '#dddddd' };

/** Loop gain T = a0 / (1 + j f/p)^3 over 1 Hz..100 MHz. */
function loopGain(a0: number, p: number): Plot {
  const n = 801;
  const f = Float64Array.from({ length: n }, (_, k) => 10 ** (k / 100));
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  f.forEach((x, k) => {
    const magnitude = a0 / (1 + (x / p) ** 2) ** 1.5;
    const phase = -3 * Math.atan(x / p);
    re[k] = magnitude * Math.cos(phase);
    im[k] = magnitude * Math.sin(phase);
  });
  return {
    title: 'loop',
    name: 'AC Analysis',
    date: '',
    complex: true,
    vectors: [
      { name: 'frequency', type: 'frequency', real: f, imag: new Float64Array(n) },
      { name: 'v(loop)', type: 'voltage', real: re, imag: im },
    ],
  };
}

function transient(): Plot {
  const time: number[] = [0];
  // SPICE-like uneven steps: alternately 0.5 and 1.5 µs, 20 ms.
  while (time[time.length - 1] < 20e-3)
    time.push(time[time.length - 1] + (time.length % 2 ? 0.5e-6 : 1.5e-6));
  const t = Float64Array.from(time);
  return {
    title: 'osc',
    name: 'Transient Analysis',
    date: '',
    complex: false,
    vectors: [
      { name: 'time', type: 'time', real: t },
      { name: 'v(out)', type: 'voltage', real: t.map((x) => Math.sin(2 * Math.PI * 5e3 * x)) },
      { name: 'v(in)', type: 'voltage', real: t.map((x) => 0.01 * Math.sin(2 * Math.PI * 20e3 * x)) },
    ],
  };
}

describe('Nyquist view', () => {
  it('Im over Re of the loop gain, its mirror, the unit circle, the -1 point and the PM marker', () => {
    const columns = new BundleColumns(toBundle(loopGain(4, 1e4)));
    expect(complexTraceNames(columns)).toEqual(['v(loop)']);
    const state = initialState(columns.bundle, theme, true);
    const figure = buildNyquistFigure(columns, state);
    const byName = (name: string) =>
      figure.data.filter((t) => t.name === name) as unknown as Array<Record<string, any>>;
    const [curve, mirror] = byName('v(loop)');
    // The first point is T(1 Hz) ~ 4 + 0j; every point is (Re T, Im T), the mirror its conjugate.
    expect(curve.x[0]).toBeCloseTo(4, 6);
    expect(Math.abs(curve.y[0])).toBeLessThan(0.01);
    const k = 400; // 10 kHz = the pole: |T| = 4 / 2^1.5, phase -135°
    expect(Math.hypot(curve.x[k], curve.y[k])).toBeCloseTo(4 / 2 ** 1.5, 9);
    expect((Math.atan2(curve.y[k], curve.x[k]) * 180) / Math.PI).toBeCloseTo(-135, 9);
    expect(curve.customdata[k]).toBeCloseTo(1e4, 6);
    expect(Array.from(mirror.y as Float64Array)).toEqual(
      Array.from(curve.y as Float64Array, (v: number) => -v),
    );
    expect(mirror.showlegend).toBe(false);
    const [circle] = byName('unit circle');
    expect(circle.x.every((x: number, j: number) => Math.abs(Math.hypot(x, circle.y[j]) - 1) < 1e-12)).toBe(
      true,
    );
    const [critical] = byName('-1');
    expect([critical.x[0], critical.y[0]]).toEqual([-1, 0]);
    // The unity-gain point lies on the unit circle, at 180° - PM.
    const [unity] = byName('v(loop) |T| = 1');
    expect(Math.hypot(unity.x[0], unity.y[0])).toBeCloseTo(1, 3);
    const pm = 180 - 3 * Math.atan(Math.sqrt(4 ** (2 / 3) - 1)) * (180 / Math.PI);
    expect(180 + (Math.atan2(unity.y[0], unity.x[0]) * 180) / Math.PI).toBeCloseTo(pm, 1);
    const layout = figure.layout as Record<string, any>;
    expect(layout.annotations[0].text).toBe(`PM ${pm.toFixed(1)}°`);
    expect(layout.yaxis.scaleanchor).toBe('x'); // circles look like circles
    // The whole curve (|T| <= |T(1 Hz)| = 4) with a 10 % border.
    expect(layout.xaxis.range[0]).toBeCloseTo(-4.4, 6);
    expect(layout.xaxis.range[1]).toBeCloseTo(4.4, 6);
  });

  it('a large DC loop gain starts zoomed on the region around -1; emphasis thickens the probed trace', () => {
    const columns = new BundleColumns(toBundle(loopGain(1000, 1e3)));
    const state = { ...initialState(columns.bundle, theme, true), emphasis: 'v(loop)' };
    const figure = buildNyquistFigure(columns, state);
    expect((figure.layout as Record<string, any>).xaxis.range).toEqual([-3, 3]);
    expect(figure.data[0].line.width).toBeGreaterThan(2);
  });

  it('transient results have no Nyquist view', () => {
    const columns = new BundleColumns(toBundle(transient()));
    expect(complexTraceNames(columns)).toEqual([]);
    expect(() => buildNyquistFigure(columns, initialState(columns.bundle, theme, true))).toThrow(
      /no complex \(AC\) traces/,
    );
  });
});

describe('FFT view', () => {
  it('dB spectra of the real traces on a log axis, peaks at the tones, decimated to the pixel width', () => {
    const columns = new BundleColumns(toBundle(transient()));
    expect(spectrumTraceNames(columns)).toEqual(['v(out)', 'v(in)']);
    const state = {
      ...initialState(columns.bundle, theme, true),
      pixelWidth: 400,
      fftWindow: 'blackman-harris' as const,
    };
    const figure = buildFftFigure(columns, state, new SpectrumCache());
    expect(figure.data.map((t) => t.name)).toEqual(['v(out)', 'v(in)']);
    for (const [k, f0, db] of [
      [0, 5e3, 0],
      [1, 20e3, -40],
    ] as const) {
      const trace = figure.data[k];
      expect(trace.x.length).toBeLessThanOrEqual(2 * 400 + 4);
      let top = 0;
      for (let j = 1; j < trace.y.length; j++) if (trace.y[j] > trace.y[top]) top = j;
      expect(trace.x[top]).toBeCloseTo(f0, -1); // 50 Hz bins
      expect(trace.y[top]).toBeCloseTo(db, 1);
    }
    const layout = figure.layout as Record<string, any>;
    expect(layout.xaxis.type).toBe('log');
    expect(layout.title.text).toMatch(/blackman-harris window, N = 32768, Δf = 50 Hz, 0 s to 20 ms/);
  });

  it('analyses the visible time range and reuses the spectrum until the window or range changes', () => {
    const columns = new BundleColumns(toBundle(transient()));
    const cache = new SpectrumCache();
    const state = {
      ...initialState(columns.bundle, theme, true),
      xRange: [10e-3, 12e-3] as [number, number],
    };
    const a = buildFftFigure(columns, state, cache);
    expect((a.layout as Record<string, any>).title.text).toMatch(
      /hann window, N = 2048, Δf = 500 Hz, 10 ms to 12 ms/,
    );
    const spectrum = cache.get(columns, 'v(out)', 'hann', 10e-3, 12e-3);
    expect(cache.get(columns, 'v(out)', 'hann', 10e-3, 12e-3)).toBe(spectrum);
    expect(cache.get(columns, 'v(out)', 'hamming', 10e-3, 12e-3)).not.toBe(spectrum);
    // A zoom into the spectrum only re-decimates: fewer bins fall into 4..6 kHz.
    const zoomed = buildFftFigure(columns, { ...state, fftRange: [4e3, 6e3] }, cache);
    expect(zoomed.data[0].x[0]).toBeLessThanOrEqual(4e3);
    expect(zoomed.data[0].x[zoomed.data[0].x.length - 1]).toBeGreaterThanOrEqual(6e3);
    expect(zoomed.data[0].x.length).toBeLessThan(10);
  });

  it('AC results have no FFT view', () => {
    const columns = new BundleColumns(toBundle(loopGain(4, 1e4)));
    expect(() =>
      buildFftFigure(columns, initialState(columns.bundle, theme, true), new SpectrumCache()),
    ).toThrow(/only transient results/);
  });
});

describe('hover and emphasis', () => {
  it('nearestTrace picks the trace closest to the pointer, in log units on a log axis', () => {
    const points = [
      { name: 'v(in)', y: 1 },
      { name: 'v(out)', y: 1.7 },
      { name: 'i(v1)', y: NaN },
    ];
    expect(nearestTrace(points, 1.6)).toBe('v(out)');
    expect(nearestTrace(points, 1.1)).toBe('v(in)');
    expect(nearestTrace(points, undefined)).toBe('v(in)');
    expect(
      nearestTrace(
        [
          { name: 'a', y: 1 },
          { name: 'b', y: 100 },
        ],
        20,
        true,
      ),
    ).toBe('b'); // log10 20 = 1.3
    expect(
      nearestTrace(
        [
          { name: 'a', y: 1 },
          { name: 'b', y: 100 },
        ],
        20,
        false,
      ),
    ).toBe('a');
    expect(nearestTrace([], 1)).toBeUndefined();
    // A synthetic hover without values (what a test or another extension may emit) still names its trace.
    expect(nearestTrace([{ name: 'v(out)' }], undefined)).toBe('v(out)');
    expect(
      nearestTrace(
        [
          { name: 'v(out)', y: NaN },
          { name: 'v(in)', y: 5 },
        ],
        0,
      ),
    ).toBe('v(in)');
  });

  it('the emphasised trace is drawn thicker and the others fade', () => {
    const columns = new BundleColumns(toBundle(transient()));
    const figure = buildFigure(columns, { ...initialState(columns.bundle, theme, true), emphasis: 'v(in)' });
    const byName = Object.fromEntries(figure.data.map((t) => [t.name, t]));
    expect(byName['v(in)'].line.width).toBe(3.5);
    expect(byName['v(in)'].opacity).toBe(1);
    expect(byName['v(out)'].line.width).toBe(1.5);
    expect(byName['v(out)'].opacity).toBeLessThan(1);
  });
});
