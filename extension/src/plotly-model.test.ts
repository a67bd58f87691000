import { toBundle } from '@spicesim/kernel/dist/bundle';
import type { Plot } from '@spicesim/kernel';
import {
  BundleColumns,
  buildFigure,
  bundleToCsv,
  initialState,
  isSoftwareRenderer,
  xRangeFromRelayout,
} from './plotly-model';

const theme = { background: '#111111', foreground: '#eeeeee', grid: '#333333' };

function transient(n: number): Plot {
  const time = Float64Array.from({ length: n }, (_, k) => k * 1e-6);
  return {
    title: 'test',
    name: 'Transient Analysis',
    date: '',
    complex: false,
    vectors: [
      { name: 'time', type: 'time', real: time },
      { name: 'v(in)', type: 'voltage', real: time.map((t) => Math.sin(2 * Math.PI * 1e3 * t)) },
      { name: 'v(out)', type: 'voltage', real: time.map((t) => Math.cos(2 * Math.PI * 1e3 * t)) },
      { name: 'i(v1)', type: 'current', real: time.map((t) => t) },
    ],
  };
}

function ac(): Plot {
  const f = Float64Array.from({ length: 61 }, (_, k) => 10 ** (k / 10));
  return {
    title: 'lp',
    name: 'AC Analysis',
    date: '',
    complex: true,
    vectors: [
      { name: 'frequency', type: 'frequency', real: f, imag: new Float64Array(61) },
      {
        name: 'v(out)',
        type: 'voltage',
        real: f.map((x) => 1 / (1 + (x / 1e3) ** 2)),
        imag: f.map((x) => -(x / 1e3) / (1 + (x / 1e3) ** 2)),
      },
    ],
  };
}

describe('buildFigure', () => {
  it('one WebGL trace per pane entry, decimated to the pixel width, shared x via matched axes', () => {
    const columns = new BundleColumns(toBundle(transient(1_000_000), { panes: [['in', 'out'], ['i(v1)']] }));
    const state = { ...initialState(columns.bundle, theme, true), pixelWidth: 600 };
    const { data, layout } = buildFigure(columns, state);
    expect(data.map((t) => [t.name, t.type, t.xaxis, t.yaxis])).toEqual([
      ['v(in)', 'scattergl', 'x', 'y'],
      ['v(out)', 'scattergl', 'x', 'y'],
      ['i(v1)', 'scattergl', 'x2', 'y2'],
    ]);
    for (const t of data) expect(t.x.length).toBeLessThanOrEqual(2 * 600 + 4);
    expect((layout.xaxis2 as { matches: string }).matches).toBe('x');
    expect((layout.xaxis as { showticklabels: boolean }).showticklabels).toBe(false);
    expect((layout.yaxis2 as { title: { text: string } }).title.text).toBe('Current (A)');
    expect(layout.paper_bgcolor).toBe('#111111');
  });

  it('zoomed range: only the visible samples (plus neighbours) at full detail', () => {
    const columns = new BundleColumns(toBundle(transient(1_000_000)));
    const state = {
      ...initialState(columns.bundle, theme, false),
      pixelWidth: 500,
      xRange: [0.1, 0.1002] as [number, number],
    };
    const { data, layout } = buildFigure(columns, state);
    expect(data[0].type).toBe('scatter');
    expect(data[0].x.length).toBe(202); // 201 samples inside + 1 neighbour each side; 1 us step
    expect((layout.xaxis as { range: number[] }).range).toEqual([0.1, 0.1002]);
  });

  it('Bode bundle: log x (range in decades), magnitude dB and phase panes, legend once per trace', () => {
    const columns = new BundleColumns(toBundle(ac()));
    const state = { ...initialState(columns.bundle, theme, true), xRange: [10, 1e4] as [number, number] };
    const { data, layout } = buildFigure(columns, state);
    expect((layout.xaxis as { type: string; range: number[] }).type).toBe('log');
    expect((layout.xaxis as { range: number[] }).range).toEqual([1, 4]);
    expect(data.map((t) => t.showlegend)).toEqual([true, false]);
    const k = Array.from(data[0].x).indexOf(1000);
    expect(data[0].y[k]).toBeCloseTo(-3.0103, 3);
    expect(data[1].y[k]).toBeCloseTo(-45, 6);
  });

  it('hidden traces stay in the legend', () => {
    const columns = new BundleColumns(toBundle(transient(100)));
    const state = initialState(columns.bundle, theme, true);
    state.hidden.add('v(in)');
    expect(buildFigure(columns, state).data.map((t) => t.visible)).toEqual(['legendonly', true]);
  });
});

describe('xRangeFromRelayout', () => {
  it('reads plotly relayout events from any matched x axis, log axes in decades', () => {
    expect(xRangeFromRelayout({ 'xaxis2.range[0]': 1, 'xaxis2.range[1]': 2 }, false)).toEqual([1, 2]);
    expect(xRangeFromRelayout({ 'xaxis.range': [1, 3] }, true)).toEqual([10, 1000]);
    expect(xRangeFromRelayout({ 'xaxis.autorange': true }, false)).toBe('auto');
    expect(xRangeFromRelayout({ 'yaxis.range[0]': 0, 'yaxis.range[1]': 1 }, false)).toBeNull();
  });
});

describe('bundleToCsv', () => {
  it('writes every pane view of every trace at full resolution', () => {
    const csv = bundleToCsv(new BundleColumns(toBundle(ac()))).split('\n');
    expect(csv[0]).toBe('frequency,v(out) magnitude-db,v(out) phase');
    expect(csv).toHaveLength(61 + 2);
  });
});

describe('isSoftwareRenderer', () => {
  it('CPU rasterisers get SVG traces, GPUs WebGL', () => {
    expect(
      isSoftwareRenderer(
        'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      ),
    ).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)')).toBe(
      false,
    );
    expect(isSoftwareRenderer('Apple M2')).toBe(false);
  });
});
