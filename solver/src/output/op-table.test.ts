import { formatOperatingPoint } from './op-table';

describe('formatOperatingPoint', () => {
  it('prints node voltages and branch currents in the layout of ngspice -b', () => {
    const text = formatOperatingPoint({
      title: 'divider',
      name: 'Operating Point',
      date: '',
      complex: false,
      // In rawfile order (first-created node first); ngspice prints them last-created first.
      vectors: [
        { name: 'v(in)', type: 'voltage', real: Float64Array.from([10]) },
        { name: 'v(out)', type: 'voltage', real: Float64Array.from([20 / 3]) },
        { name: 'i(v1)', type: 'current', real: Float64Array.from([-1 / 300]) },
      ],
    });
    expect(text.split('\n')).toEqual([
      '\tNode                                  Voltage',
      '\t----                                  -------',
      '\t----\t-------',
      '\tout                              6.666667e+00',
      '\tin                               1.000000e+01',
      '',
      '\tSource\tCurrent',
      '\t------\t-------',
      '',
      '\tv1#branch                        -3.33333e-03',
      '',
    ]);
  });
});

describe('formatOperatingPoint node names', () => {
  it('writes nodes whose names start with a digit as V(name), like ngspice 39', () => {
    const vector = (name: string) => ({ name, type: 'voltage' as const, real: Float64Array.from([1]) });
    const text = formatOperatingPoint({
      title: 'numbers',
      name: 'Operating Point',
      date: '',
      complex: false,
      vectors: [vector('v(1)'), vector('v(2.5)'), vector('v(1a)'), vector('v(n1)'), vector('v(x1.7)')],
    });
    const names = text
      .split('\n')
      .slice(3)
      .filter(Boolean)
      .map((line) => line.trim().split(/\s+/)[0]);
    expect(names).toEqual(['x1.7', 'n1', 'V(1a)', 'V(2.5)', 'V(1)']);
  });
});

describe('formatOperatingPoint with .save', () => {
  it('prints every node and branch (printVectors), as ngspice -b does whatever .save keeps', () => {
    const vector = (name: string, value: number, type: 'voltage' | 'current' = 'voltage') => ({
      name,
      type,
      real: Float64Array.from([value]),
    });
    const text = formatOperatingPoint({
      title: 'saved',
      name: 'Operating Point',
      date: '',
      complex: false,
      vectors: [vector('v(out)', 2)],
      printVectors: [vector('v(in)', 5), vector('v(out)', 2), vector('i(v1)', -1e-3, 'current')],
    });
    expect(text).toContain('\tin                               5.000000e+00');
    expect(text).toContain('\tout                              2.000000e+00');
    expect(text).toContain('\tv1#branch                        -1.00000e-03');
  });
});
