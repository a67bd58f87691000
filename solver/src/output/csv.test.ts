import { formatCsv } from './csv';
import type { Plot } from './plot';

const ac: Plot = {
  title: 'rc',
  name: 'AC Analysis',
  date: '',
  complex: true,
  vectors: [
    { name: 'frequency', type: 'frequency', real: Float64Array.from([1, 10]), imag: new Float64Array(2) },
    {
      name: 'v(out)',
      type: 'voltage',
      real: Float64Array.from([0, 0.5]),
      imag: Float64Array.from([-1, 0.5]),
    },
  ],
};

describe('formatCsv', () => {
  it('writes the scale then one column per vector', () => {
    const tran: Plot = {
      title: 'rc',
      name: 'Transient Analysis',
      date: '',
      complex: false,
      vectors: [
        { name: 'time', type: 'time', real: Float64Array.from([0, 1e-3]) },
        { name: 'out', type: 'voltage', real: Float64Array.from([0, 1 / 3]) },
        { name: 'v1#branch', type: 'current', real: Float64Array.from([-2e-12, 0]) },
      ],
    };
    expect(formatCsv(tran)).toBe('time,v(out),i(v1)\n0,0,-2e-12\n0.001,0.333333333333333,0\n');
  });

  it('splits complex vectors into real and imaginary parts', () => {
    expect(formatCsv(ac)).toBe('frequency,re(v(out)),im(v(out))\n1,0,-1\n10,0.5,0.5\n');
  });

  it('or into magnitude and phase in degrees', () => {
    expect(formatCsv(ac, { complex: 'magphase', digits: 6 })).toBe(
      'frequency,mag(v(out)),ph(v(out))\n1,1,-90\n10,0.707107,45\n',
    );
  });

  it('quotes names holding the separator', () => {
    const plot: Plot = {
      ...ac,
      complex: false,
      vectors: [{ name: 'v(a,b)', type: 'notype', real: Float64Array.from([1]) }],
    };
    expect(formatCsv(plot)).toBe('"v(a,b)"\n1\n');
  });
});
