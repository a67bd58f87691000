import { formatOperatingPoint } from './op-table';

describe('formatOperatingPoint', () => {
  it('prints node voltages and branch currents in the layout of ngspice -b', () => {
    const text = formatOperatingPoint({
      title: 'divider',
      name: 'Operating Point',
      date: '',
      complex: false,
      vectors: [
        { name: 'v(out)', type: 'voltage', real: Float64Array.from([20 / 3]) },
        { name: 'v(in)', type: 'voltage', real: Float64Array.from([10]) },
        { name: 'i(v1)', type: 'current', real: Float64Array.from([-1 / 300]) },
      ],
    });
    expect(text.split('\n')).toEqual([
      '\tNode                                  Voltage',
      '\t----                                  -------',
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
