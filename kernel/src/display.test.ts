import { plot, showTable } from './display';
import { AnalysisResult, Simulation } from './results';
import { WAVEFORM_MIME } from './waveform/schema';
import { rcAc, rcOp, rcTransient } from './test-utils/plots';

const writes: Array<{ data: Record<string, unknown>; update: boolean }> = [];
// tslab keeps the running cell's display writer in tslab/dist/jupyter; stand in for it.
jest.mock('tslab/dist/jupyter', () => ({
  lastWriteDisplayData: (content: { data: Record<string, unknown> }, update: boolean) =>
    writes.push({ data: content.data, update }),
}));

beforeEach(() => {
  writes.length = 0;
});

describe('display through tslab', () => {
  it('a transient result goes out as one display_data with the bundle, SVG and text', () => {
    plot(new AnalysisResult(rcTransient()), { traces: ['out'] });
    expect(writes).toHaveLength(1);
    expect(writes[0].update).toBe(false);
    expect(Object.keys(writes[0].data).sort()).toEqual([WAVEFORM_MIME, 'image/svg+xml', 'text/plain'].sort());
    expect(
      (writes[0].data[WAVEFORM_MIME] as { traces: Array<{ name: string }> }).traces.map((t) => t.name),
    ).toEqual(['v(out)']);
  });

  it('a whole simulation plots each analysis; the operating point as a table', () => {
    plot(
      new Simulation({ title: 'RC', plots: [rcOp(), rcTransient(), rcAc()], circuit: {}, diagnostics: [] }),
    );
    expect(writes.map((w) => Object.keys(w.data).sort().join(' '))).toEqual([
      'text/html text/plain',
      `${WAVEFORM_MIME} image/svg+xml text/plain`,
      `${WAVEFORM_MIME} image/svg+xml text/plain`,
    ]);
    expect(writes[0].data['text/plain']).toBe(
      'Operating Point\nv(in)      1 V\nv(out)     1 V\nv1#branch  0 A',
    );
  });

  it('tables escape HTML', () => {
    showTable({ '<b>': 1 }, 'x & y');
    expect(writes[0].data['text/html']).toBe(
      '<table class="spicesim-table"><caption>x &#38; y</caption><tr><th>&#60;b&#62;</th><td>1</td></tr></table>',
    );
  });
});
