import { AnalysisResult, Simulation, UnknownVectorError } from './results';
import { bandwidth, riseTime } from './measure';
import { C, R, TAU, rcAc, rcOp, rcTransient } from './test-utils/plots';

describe('AnalysisResult', () => {
  const tran = new AnalysisResult(rcTransient());
  const ac = new AnalysisResult(rcAc());
  const op = new AnalysisResult(rcOp());

  it('classifies analyses and exposes their scale', () => {
    expect([tran.kind, ac.kind, op.kind]).toEqual(['tran', 'ac', 'op']);
    expect(tran.time).toBe(tran.plot.vectors[0].real);
    expect(ac.frequency[0]).toBe(1);
    expect(() => tran.frequency).toThrow(
      /Transient Analysis result; it has no frequency \(its scale is time\)/,
    );
  });

  it('finds node voltages and source currents by the names users write', () => {
    expect(tran.v('out')).toBe(tran.v('v(out)'));
    expect(tran.v('OUT')[tran.length - 1]).toBeCloseTo(1 - Math.exp(-5), 12);
    expect(tran.i('v1')[0]).toBeCloseTo(-1 / R, 12);
    expect(op.i('V1')[0]).toBe(0); // ngspice-style `v1#branch`
    expect(() => tran.v('nowhere')).toThrow(UnknownVectorError);
    expect(() => tran.v('nowhere')).toThrow(/available: time, v\(in\), v\(out\), i\(v1\)/);
  });

  it('differential voltage v(a, b)', () => {
    const diff = tran.v('in', 'out');
    expect(diff[0]).toBeCloseTo(1, 12);
    expect(diff[tran.length - 1]).toBeCloseTo(Math.exp(-5), 12);
  });

  it('AC: v() is the magnitude, phase/db/re/im the rest, and the corner is 1/(2 pi RC)', () => {
    const fc = 1 / (2 * Math.PI * R * C);
    expect(Math.abs(bandwidth(ac.frequency, ac.v('out')) / fc - 1)).toBeLessThan(0.01);
    const k = ac.frequency.findIndex((f) => f >= 1000);
    const wt = 2 * Math.PI * ac.frequency[k] * TAU;
    expect(ac.db('out')[k]).toBeCloseTo(-10 * Math.log10(1 + wt * wt), 9);
    expect(ac.phase('out')[k]).toBeCloseTo((-Math.atan(wt) * 180) / Math.PI, 9);
    expect(ac.re('out')[k] ** 2 + ac.im('out')[k] ** 2).toBeCloseTo(ac.v('out')[k] ** 2, 12);
  });

  it('measures the rise time of the RC step as RC ln 9', () => {
    expect(riseTime(tran.time, tran.v('out'), { final: 1 })).toBeCloseTo(TAU * Math.log(9), 8);
  });

  it('operating point values and table', () => {
    expect(op.value('out')).toBe(1);
    expect(op.table()).toEqual({ 'v(in)': 1, 'v(out)': 1, 'v1#branch': 0 });
    expect(String(op)).toBe('Operating Point: v(in) = 1 V, v(out) = 1 V, v1#branch = 0 A');
  });

  it('exports CSV with full precision and re/im columns for complex data', () => {
    const csv = tran.toCSV(['time', 'out']).split('\n');
    expect(csv[0]).toBe('time,v(out)');
    expect(csv[2]).toBe(`${tran.time[1]},${tran.v('out')[1]}`);
    expect(csv).toHaveLength(tran.length + 2); // header, rows, trailing newline
    expect(ac.toCSV(['frequency', 'out']).split('\n')[0]).toBe(
      'frequency.re,frequency.im,v(out).re,v(out).im',
    );
    expect(() => tran.toCSV(['nope'])).toThrow(/no vector named 'nope'/);
  });
});

describe('Simulation', () => {
  const run = new Simulation({ title: 'RC', plots: [rcOp(), rcTransient()], circuit: {}, diagnostics: [] });
  it('finds analyses by kind and says which ran when one is missing', () => {
    expect(run.tran.kind).toBe('tran');
    expect(run.op.value('in')).toBe(1);
    expect(() => run.ac).toThrow(
      /ran no ac analysis \(it ran: Operating Point, Transient Analysis\); add a \.ac card/,
    );
  });
});
