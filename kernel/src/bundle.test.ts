import { columnsBundle, toBundle } from './bundle';
import { describeBundle, waveformMimeBundle } from './display';
import { WAVEFORM_MIME, paneValues, validateBundle } from './waveform/schema';
import { renderSvg } from './waveform/svg';
import { rcAc, rcOp, rcTransient } from './test-utils/plots';

describe('waveform bundle v1', () => {
  it('a transient plot: node voltages on one pane over time', () => {
    const b = toBundle(rcTransient());
    expect(b.version).toBe(1);
    expect(b.x).toMatchObject({ name: 'time', unit: 's', log: false });
    expect(b.traces.map((t) => t.name)).toEqual(['v(in)', 'v(out)']);
    expect(b.panes).toEqual([{ view: 'value', traces: ['v(in)', 'v(out)'], yLog: false }]);
    expect(validateBundle(b)).toEqual([]);
    // JSON round trip keeps the numbers exactly.
    const again = JSON.parse(JSON.stringify(b));
    expect(paneValues(again.traces[1], 'value')[500]).toBe(rcTransient().vectors[2].real[500]);
  });

  it('an AC plot: Bode panes over a log frequency axis, magnitude and phase columns', () => {
    const b = toBundle(rcAc(), { traces: ['out'] });
    expect(b.x).toMatchObject({ name: 'frequency', unit: 'Hz', log: true });
    expect(b.panes.map((p) => p.view)).toEqual(['magnitude-db', 'phase']);
    const trace = b.traces[0];
    expect(trace.format).toBe('magphase');
    const db = paneValues(trace, 'magnitude-db');
    expect(db[0]).toBeCloseTo(0, 3);
    expect(paneValues(trace, 'phase')[120]).toBeCloseTo(-90, 0);
    const reim = toBundle(rcAc(), { traces: ['out'], complexView: 'reim' });
    expect(reim.traces[0].format).toBe('reim');
    expect(paneValues(reim.traces[0], 'magnitude-db')[60]).toBeCloseTo(db[60], 9);
  });

  it('groups traces into panes and names missing vectors', () => {
    const b = toBundle(rcTransient(), { panes: [['in', 'out'], ['i(v1)']] });
    expect(b.panes.map((p) => p.traces)).toEqual([['v(in)', 'v(out)'], ['i(v1)']]);
    expect(b.traces.find((t) => t.name === 'i(v1)')?.unit).toBe('A');
    expect(() => toBundle(rcTransient(), { traces: ['x'] })).toThrow(
      /cannot plot 'x'.*available: v\(in\), v\(out\), i\(v1\)/,
    );
    expect(() => toBundle(rcOp())).toThrow(/no sweep to plot/);
  });

  it('writes NaN as null and the validator catches malformed bundles', () => {
    const plot = rcTransient(3);
    plot.vectors[2].real[1] = NaN;
    const b = toBundle(plot);
    expect((b.traces[1] as { values: unknown[] }).values[1]).toBeNull();
    expect(validateBundle({ ...b, version: 2 })).toEqual(['version must be 1, got 2']);
    expect(validateBundle({ ...b, panes: [{ view: 'value', traces: ['v(x)'], yLog: false }] })).toEqual([
      'pane refers to unknown trace v(x)',
    ]);
  });

  it('the MIME bundle always carries the SVG and text fallbacks', () => {
    const data = waveformMimeBundle(toBundle(rcTransient()));
    expect(Object.keys(data).sort()).toEqual([WAVEFORM_MIME, 'image/svg+xml', 'text/plain'].sort());
    expect(data['text/plain']).toBe(
      'RC low-pass: Transient Analysis (1001 points, time 0 s .. 5 ms)\n  v(in): 1 V .. 1 V\n  v(out): 0 V .. 993 mV',
    );
    expect(describeBundle(toBundle(rcAc()))).toContain(
      '  v(out) magnitude-db: -75.96 dB .. -0.0001714 dB\n  v(in) phase: 0 ° .. 0 °\n  v(out) phase: -89.99 ° .. -0.36 °',
    );
  });
});

describe('renderSvg', () => {
  it('draws one decimated path per trace with axes, ticks and legend', () => {
    const svg = renderSvg(toBundle(rcTransient(200_001)), { width: 600 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="600"')).toBe(true);
    const paths = [...svg.matchAll(/<path [^>]*d="([^"]*)"/g)].map((m) => m[1]);
    expect(paths).toHaveLength(2);
    // 510 px of plot: at most 2 points per pixel column (+ edges), not 200k.
    for (const d of paths) expect(d.split(/[ML]/).length - 1).toBeLessThanOrEqual(2 * 510 + 4);
    expect(svg).toContain('>v(out)</text>');
    expect(svg).toContain('>time (s)</text>');
    expect(svg).toContain('>5m</text>'); // last x tick, SI prefix
  });

  it('log axes get decade ticks, stacked panes share x and escape names', () => {
    const plot = rcAc();
    plot.vectors[2].name = 'v(a<b)';
    const svg = renderSvg(toBundle(plot));
    for (const t of ['1', '10', '100', '1k', '10k', '100k', '1M']) expect(svg).toContain(`>${t}</text>`);
    expect(svg.match(/class="pane"/g)).toHaveLength(2);
    expect(svg).toContain('v(a&#60;b)');
    expect(svg).not.toContain('NaN');
  });
});

describe('columnsBundle', () => {
  it('plots plain columns in one pane and checks their lengths', () => {
    const b = columnsBundle({ name: 'C', unit: 'F', values: [1e-9, 1e-8], log: true }, [
      { name: 'fc', unit: 'Hz', values: [159e3, 15.9e3] },
    ]);
    expect(validateBundle(b)).toEqual([]);
    expect(b.x).toEqual({ name: 'C', unit: 'F', log: true, values: [1e-9, 1e-8] });
    expect(b.panes).toEqual([{ view: 'value', traces: ['fc'], yLog: false, yLabel: undefined }]);
    expect(() => columnsBundle({ name: 'x', values: [1, 2] }, [{ name: 'y', values: [1] }])).toThrow(
      /'y' has 1 values but x 'x' has 2/,
    );
  });
});
