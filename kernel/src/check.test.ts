import { inspect } from 'util';
import { CheckError, check, checkRange } from './check';

describe('check', () => {
  let log: jest.SpyInstance;
  beforeEach(() => {
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => log.mockRestore());

  it('prints a pass line inside the tolerance', () => {
    check('corner frequency', 1590, 1591.55, { unit: 'Hz' });
    expect(log.mock.calls).toEqual([['✓ corner frequency: 1.59 kHz (expected 1.592 kHz ±1 %)']]);
  });

  it('fails the cell with how far off the value is', () => {
    expect(() => check('rise time', 2.5e-3, 2.197e-3, { rel: 0.02, unit: 's' })).toThrow(CheckError);
    try {
      check('rise time', 2.5e-3, 2.197e-3, { rel: 0.02, unit: 's' });
    } catch (error) {
      expect(inspect(error)).toBe('CheckError: ✗ rise time: 2.5 ms (expected 2.197 ms ±2 %), off by 303 µs');
    }
  });

  it('absolute tolerance for values near zero, and NaN never passes', () => {
    check('offset', 1e-7, 0, { rel: 0, abs: 1e-6, unit: 'V' });
    expect(log.mock.calls).toEqual([['✓ offset: 100 nV (expected 0 V ±1 µV)']]);
    expect(() => check('nan', NaN, 1)).toThrow(/✗ nan/);
  });

  it('ranges: lower, upper or both bounds', () => {
    checkRange('gain magnitude', 23.7, { min: 20 });
    checkRange('overshoot', 0.09, { max: 0.18, unit: 'V' });
    checkRange('VM', 0.898, { min: 0.85, max: 0.95, unit: 'V' });
    expect(log.mock.calls).toEqual([
      ['✓ gain magnitude: 23.7 (expected ≥ 20)'],
      ['✓ overshoot: 90 mV (expected ≤ 180 mV)'],
      ['✓ VM: 898 mV (expected 850 mV .. 950 mV)'],
    ]);
    expect(() => checkRange('gain magnitude', 12, { min: 20 })).toThrow(
      '✗ gain magnitude: 12 (expected ≥ 20)',
    );
    expect(() => checkRange('nan', NaN, { min: 0 })).toThrow(CheckError);
    expect(() => checkRange('nothing', 1, {})).toThrow(/give min, max or both/);
  });
});
