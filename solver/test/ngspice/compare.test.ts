/** The comparison rules of the differential harness, on hand-made plots. */
import type { Plot, Vector } from '../../src/output/plot';
import { canonicalName, comparePlots, interpolate, pairPlots } from './compare';

const vec = (name: string, type: Vector['type'], values: number[], imag?: number[]): Vector => ({
  name,
  type,
  real: Float64Array.from(values),
  ...(imag ? { imag: Float64Array.from(imag) } : {}),
});
const plot = (name: string, vectors: Vector[], complex = false): Plot => ({
  title: 't',
  name,
  date: '',
  complex,
  vectors,
});

describe('canonicalName', () => {
  it('maps every spelling of a vector to one name', () => {
    expect(canonicalName('v(OUT)')).toBe('out');
    expect(canonicalName('out')).toBe('out');
    expect(canonicalName('i(V1)')).toBe('v1#branch');
    expect(canonicalName('v1#branch')).toBe('v1#branch');
    expect(canonicalName('v(v-sweep)')).toBe('v-sweep');
    expect(canonicalName('i(i-sweep)')).toBe('i-sweep');
    expect(canonicalName('i(e.x1.e1)')).toBe('e.x1.e1#branch');
  });
});

describe('interpolate', () => {
  it('is linear between points and clamps outside', () => {
    const t = Float64Array.from([0, 1, 1, 3]);
    const y = Float64Array.from([0, 2, 4, 8]);
    expect(interpolate(t, y, 0.5)).toBe(1);
    expect(interpolate(t, y, 2)).toBe(6);
    expect(interpolate(t, y, -1)).toBe(0);
    expect(interpolate(t, y, 5)).toBe(8);
  });
});

describe('pairPlots', () => {
  it('pairs same-kind plots against ngspice reverse order within the kind', () => {
    const tranA = plot('Transient Analysis', [vec('time', 'time', [0, 1])]);
    const tranB = plot('Transient Analysis', [vec('time', 'time', [0, 2])]);
    const op = plot('Operating Point', [vec('v(a)', 'voltage', [1])]);
    const theirsB = plot('Transient Analysis', [vec('time', 'time', [0, 2])]);
    const theirsA = plot('Transient Analysis', [vec('time', 'time', [0, 1])]);
    const theirsOp = plot('Operating Point', [vec('v(a)', 'voltage', [1])]);
    const pairs = pairPlots([tranA, op, tranB], [theirsOp, theirsB, theirsA]);
    expect(pairs).toEqual([
      [tranA, theirsA],
      [op, theirsOp],
      [tranB, theirsB],
    ]);
    expect(pairPlots([op], [theirsA])).toMatch(/differ/);
  });
});

describe('comparePlots', () => {
  it('accepts rounding, rejects real differences and reports missing or extra vectors', () => {
    const ngspice = plot('Operating Point', [vec('v(a)', 'voltage', [1]), vec('i(v1)', 'current', [-1e-3])]);
    expect(
      comparePlots(
        plot('Operating Point', [vec('a', 'voltage', [1 + 1e-9]), vec('v1#branch', 'current', [-1e-3])]),
        ngspice,
      ),
    ).toEqual([]);
    const off = comparePlots(
      plot('Operating Point', [vec('a', 'voltage', [1.001]), vec('i(v1)', 'current', [-1e-3])]),
      ngspice,
    );
    expect(off.map((m) => m.vector)).toEqual(['v(a)']);
    const missing = comparePlots(
      plot('Operating Point', [vec('v(a)', 'voltage', [1]), vec('v(b)', 'voltage', [0])]),
      ngspice,
    );
    expect(missing.map((m) => m.message)).toEqual([
      'we output this vector, ngspice does not',
      'ngspice outputs this vector, we do not',
    ]);
  });

  it('compares transients at ngspice time points through our interpolation, with a swing allowance', () => {
    const ngspice = plot('Transient Analysis', [
      vec('time', 'time', [0, 0.5, 1]),
      vec('v(a)', 'voltage', [0, 0.5, 1]),
    ]);
    const ours = plot('Transient Analysis', [vec('time', 'time', [0, 1]), vec('v(a)', 'voltage', [0, 1])]);
    expect(comparePlots(ours, ngspice)).toEqual([]);
    const wrong = plot('Transient Analysis', [vec('time', 'time', [0, 1]), vec('v(a)', 'voltage', [0, 1.1])]);
    expect(comparePlots(wrong, ngspice)[0].message).toMatch(/point 2 at time=1: ours 1.1, ngspice 1/);
    const short = plot('Transient Analysis', [vec('time', 'time', [0, 0.9]), vec('v(a)', 'voltage', [0, 1])]);
    expect(comparePlots(short, ngspice)[0].message).toMatch(/time runs 0..0.9/);
  });

  it('compares AC on magnitude and phase, ignoring the phase of negligible values', () => {
    const ngspice = plot(
      'AC Analysis',
      [vec('frequency', 'frequency', [1, 10], [0, 0]), vec('v(a)', 'voltage', [1, 1e-15], [0, 0])],
      true,
    );
    const rotated = plot(
      'AC Analysis',
      [vec('frequency', 'frequency', [1, 10], [0, 0]), vec('v(a)', 'voltage', [0, 0], [1, 1e-15])],
      true,
    );
    const found = comparePlots(rotated, ngspice);
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/^phase \(degrees\), point 0/);
  });
});
