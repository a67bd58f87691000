import { toBundle } from '@spicesim/kernel/dist/bundle';
import type { Plot } from '@spicesim/kernel';
import { BundleColumns } from './plotly-model';
import { cursorReadout, measurementRows } from './measurements';
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
      'rise time': formatSI(1e-3 * (Math.log(1 - 0.1 * (1 - Math.exp(-5))) - Math.log(1 - 0.9 * (1 - Math.exp(-5)))), 's', 4),
      overshoot: '0.0 %',
      'settling (2 %)': expect.stringMatching(/^3\.\d+ ms$/),
    });
  });

  it('no step measurements for a waveform that ends where it started (ringing, a sine)', () => {
    const plot = rcStep();
    plot.vectors.push({ name: 'i(v1)', type: 'current', real: plot.vectors[0].real.map((t) => 1e-3 * Math.sin(2 * Math.PI * 1e3 * t)) });
    const rows = measurementRows(new BundleColumns(toBundle(plot, { panes: [['i(v1)']] })));
    expect(rows[0].values).toEqual({ max: '1 mA', min: '-1 mA', 'rise time': '—', overshoot: '—', 'settling (2 %)': '—' });
  });

  it('AC: -3 dB bandwidth of the magnitude pane, phase pane skipped, unity gain not reached', () => {
    const rows = measurementRows(new BundleColumns(toBundle(lowPassAc())));
    expect(rows).toHaveLength(1);
    expect(rows[0].trace).toBe('v(out) (magnitude-db)');
    expect(rows[0].values['-3 dB bandwidth']).toMatch(/^1\.59[12] kHz$/); // fc = 1.5916 kHz, 20 points/decade
    expect(rows[0].values['unity gain']).toBe('—');
  });
});

describe('cursor readout', () => {
  it('x, y, dx, dy and 1/dx for two cursors', () => {
    const r = cursorReadout(new BundleColumns(toBundle(rcStep())), [1e-3, 2e-3]);
    expect(r.header).toBe('A: 1 ms   B: 2 ms   Δx: 1 ms   1/Δx: 1 kHz');
    expect(r.lines).toEqual([
      `v(out): A ${'632.12 mV'}   B ${'864.66 mV'}   Δy 232.5 mV`,
    ]);
  });

  it('one cursor shows values only', () => {
    const r = cursorReadout(new BundleColumns(toBundle(lowPassAc())), [1591.55]);
    expect(r.header).toBe('A: 1.5916 kHz');
    expect(r.lines[0]).toMatch(/^v\(out\) magnitude-db: A -3\.01\d* dB$/);
    expect(r.lines[1]).toMatch(/^v\(out\) phase: A -4[45]\.\d+ °$/);
  });
});
