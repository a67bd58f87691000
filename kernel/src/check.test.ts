import { inspect } from 'util';
import { CheckError, check } from './check';

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
});
