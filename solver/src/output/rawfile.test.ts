import {
  formatDouble,
  formatRawfileAscii,
  parseRawfile,
  rawfileDate,
  rawVariableName,
  writeRawfile,
} from './rawfile';
import type { Plot } from './plot';

const date = 'Wed Nov 25 15:44:17  2026';

function tranPlot(): Plot {
  return {
    title: 'rc charge',
    name: 'Transient Analysis',
    date,
    complex: false,
    vectors: [
      { name: 'time', type: 'time', real: Float64Array.from([0, 1e-3, 2e-3]) },
      { name: 'v(out)', type: 'voltage', real: Float64Array.from([0, 0.5, -0.75]) },
      { name: 'v1#branch', type: 'current', real: Float64Array.from([-1e-3, 2.5e-4, 1 / 3]) },
    ],
  };
}

function acPlot(): Plot {
  return {
    title: 'rc lowpass',
    name: 'AC Analysis',
    date,
    complex: true,
    vectors: [
      {
        name: 'frequency',
        type: 'frequency',
        real: Float64Array.from([1, 10, 100]),
        imag: new Float64Array(3),
      },
      {
        name: 'out',
        type: 'voltage',
        real: Float64Array.from([1, 0.9, 0.1]),
        imag: Float64Array.from([-0.01, -0.3, -0.29]),
      },
    ],
  };
}

describe('formatDouble', () => {
  it('prints like C %.15e with at least two exponent digits', () => {
    expect(formatDouble(1)).toBe('1.000000000000000e+00');
    expect(formatDouble(-1.333333333333333e-2)).toBe('-1.333333333333333e-02');
    expect(formatDouble(6.02e23)).toBe('6.020000000000000e+23');
    expect(formatDouble(1e-300)).toBe('1.000000000000000e-300');
    expect(formatDouble(0)).toBe('0.000000000000000e+00');
  });
});

describe('rawVariableName', () => {
  it('writes node voltages as v(node) and branch currents as i(source), as ngspice does', () => {
    expect(rawVariableName({ name: 'out', type: 'voltage', real: new Float64Array() })).toBe('v(out)');
    expect(rawVariableName({ name: 'v(out)', type: 'voltage', real: new Float64Array() })).toBe('v(out)');
    expect(rawVariableName({ name: 'v-sweep', type: 'voltage', real: new Float64Array() })).toBe(
      'v(v-sweep)',
    );
    expect(rawVariableName({ name: 'l1#branch', type: 'current', real: new Float64Array() })).toBe('i(l1)');
    expect(rawVariableName({ name: 'i(v1)', type: 'current', real: new Float64Array() })).toBe('i(v1)');
    expect(rawVariableName({ name: 'time', type: 'time', real: new Float64Array() })).toBe('time');
  });
});

describe('rawfileDate', () => {
  it('matches the ngspice header layout', () => {
    expect(rawfileDate(new Date(2026, 10, 5, 9, 4, 7))).toBe('Thu Nov 05 09:04:07  2026');
  });
});

describe('ASCII rawfile', () => {
  it('writes the ngspice header and value layout', () => {
    const text = formatRawfileAscii([tranPlot()]);
    expect(text).toBe(
      [
        'Title: rc charge',
        `Date: ${date}`,
        'Plotname: Transient Analysis',
        'Flags: real',
        'No. Variables: 3',
        'No. Points: 3       ',
        'Variables:',
        '\t0\ttime\ttime',
        '\t1\tv(out)\tvoltage',
        '\t2\ti(v1)\tcurrent',
        'Values:',
        '0\t\t0.000000000000000e+00',
        '\t0.000000000000000e+00',
        '\t-1.000000000000000e-03',
        '1\t\t1.000000000000000e-03',
        '\t5.000000000000000e-01',
        '\t2.500000000000000e-04',
        '2\t\t2.000000000000000e-03',
        '\t-7.500000000000000e-01',
        '\t3.333333333333333e-01',
        '',
      ].join('\n'),
    );
  });

  it('writes complex values as re,im and marks a logarithmic frequency scale grid=3', () => {
    const text = formatRawfileAscii([acPlot()]);
    expect(text).toContain('Flags: complex\n');
    expect(text).toContain('\t0\tfrequency\tfrequency\tgrid=3\n');
    expect(text).toContain('\t1\tv(out)\tvoltage\n');
    expect(text).toContain(
      '0\t\t1.000000000000000e+00,0.000000000000000e+00\n\t1.000000000000000e+00,-1.000000000000000e-02\n',
    );
  });

  it('does not mark a linear frequency sweep', () => {
    const plot = acPlot();
    plot.vectors[0].real = Float64Array.from([1, 2, 3]);
    expect(formatRawfileAscii([plot])).toContain('\t0\tfrequency\tfrequency\n');
  });

  it('rejects vectors of different lengths', () => {
    const plot = tranPlot();
    plot.vectors[1].real = new Float64Array(2);
    expect(() => formatRawfileAscii([plot])).toThrow(/'v\(out\)' has 2 points, the scale has 3/);
  });
});

describe('round trips', () => {
  const names = (p: Plot) => p.vectors.map((v) => v.name);
  for (const format of ['ascii', 'binary'] as const) {
    it(`reads back several real and complex plots (${format})`, () => {
      const plots = [tranPlot(), acPlot()];
      const back = parseRawfile(writeRawfile(plots, { format }));
      expect(back).toHaveLength(2);
      expect(back[0].name).toBe('Transient Analysis');
      expect(back[0].title).toBe('rc charge');
      expect(back[0].date).toBe(date);
      expect(back[0].complex).toBe(false);
      expect(names(back[0])).toEqual(['time', 'v(out)', 'i(v1)']);
      expect(back[0].vectors.map((v) => v.type)).toEqual(['time', 'voltage', 'current']);
      expect(Array.from(back[0].vectors[2].real)).toEqual(Array.from(plots[0].vectors[2].real));
      expect(back[1].complex).toBe(true);
      expect(names(back[1])).toEqual(['frequency', 'v(out)']);
      expect(Array.from(back[1].vectors[1].imag ?? [])).toEqual([-0.01, -0.3, -0.29]);
      expect(Array.from(back[1].vectors[1].real)).toEqual([1, 0.9, 0.1]);
    });
  }

  it('writing what was read gives the same bytes', () => {
    for (const format of ['ascii', 'binary'] as const) {
      const bytes = writeRawfile([tranPlot(), acPlot()], { format });
      expect(writeRawfile(parseRawfile(bytes), { format })).toEqual(bytes);
    }
  });

  it('keeps an operating point plot without a scale and a notype scale', () => {
    const op: Plot = {
      title: 't',
      name: 'Operating Point',
      date,
      complex: false,
      vectors: [
        { name: 'v(in)', type: 'voltage', real: Float64Array.from([10]) },
        { name: 'i(v1)', type: 'current', real: Float64Array.from([-0.01]) },
      ],
    };
    const dc: Plot = {
      title: 't',
      name: 'DC transfer characteristic',
      date,
      complex: false,
      vectors: [
        { name: 'temp-sweep', type: 'notype', real: Float64Array.from([0, 25]) },
        { name: 'v(in)', type: 'voltage', real: Float64Array.from([10, 10]) },
      ],
    };
    const text = formatRawfileAscii([op, dc]);
    expect(text).toContain('\t0\ttemp-sweep\ttemp-sweep\n');
    const back = parseRawfile(text);
    expect(back.map((p) => p.vectors.length)).toEqual([2, 2]);
    expect(back[1].vectors[0].type).toBe('temperature');
  });
});

describe('reader errors', () => {
  it('names what is wrong', () => {
    expect(() => parseRawfile('hello\n')).toThrow(/not a rawfile/);
    expect(() => parseRawfile('')).toThrow(/empty rawfile/);
    const bytes = writeRawfile([tranPlot()], { format: 'binary' });
    expect(() => parseRawfile(bytes.slice(0, bytes.length - 5))).toThrow(/cut short/);
    const text = formatRawfileAscii([tranPlot()]);
    expect(() => parseRawfile(text.slice(0, text.length - 30))).toThrow(/ends/);
    expect(() => parseRawfile(text.replace('5.000000000000000e-01', 'x'))).toThrow(/'x' is not a number/);
  });
});
