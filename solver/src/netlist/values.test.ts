import { numberAt, parseValue } from './values';

describe('parseValue', () => {
  it.each([
    ['10', 10],
    ['-3.3', -3.3],
    ['+5', 5],
    ['.5', 0.5],
    ['1.', 1],
    ['1e3', 1e3],
    ['1E-3', 1e-3],
    ['2.5e+2', 250],
    ['1f', 1e-15],
    ['1p', 1e-12],
    ['1n', 1e-9],
    ['1u', 1e-6],
    ['1m', 1e-3],
    ['1M', 1e-3],
    ['10k', 1e4],
    ['10K', 1e4],
    ['1meg', 1e6],
    ['1MEG', 1e6],
    ['2g', 2e9],
    ['3t', 3e12],
    ['1mil', 25.4e-6],
    ['2.2uF', 2.2e-6],
    ['10kOhm', 1e4],
    ['1uF', 1e-6],
    ['5V', 5],
    ['1e-3s', 1e-3],
    ['100Hz', 100],
    ['3megohm', 3e6],
    ['2e', 2],
    ['1e3k', 1e6],
  ])('%s -> %d', (text, expected) => {
    expect(parseValue(text)! / expected).toBeCloseTo(1, 12);
  });

  it.each(['', 'k', 'abc', '1.2.3', '1k2', '--1', '1e400', 'e3', '.', '1_0'])('rejects %p', (text) => {
    expect(parseValue(text)).toBeUndefined();
  });
});

describe('parseValue exactness', () => {
  it('applies the scale to the decimal exponent (no 10 * 1e-6 rounding)', () => {
    expect(parseValue('10u')).toBe(1e-5);
    expect(parseValue('2.2u')).toBe(2.2e-6);
    expect(parseValue('1.5e-3k')).toBe(1.5);
    expect(parseValue('4.7n')).toBe(4.7e-9);
  });
});

describe('numberAt', () => {
  it('reads a number inside a longer text, between the given offsets', () => {
    expect(numberAt('R1 a b 4.7k c', 7, 11)).toBe(4700);
    expect(numberAt('x=-2e3meg', 2, 9)).toBe(-2e9);
    expect(numberAt('R1 a b 4.7k c', 7, 12)).toBeNaN();
  });

  it('gives the same double as Number() on the decimal text, fast path or not', () => {
    const cases: Array<[string, string]> = [
      ['0.1', '0.1'],
      ['123456789012345', '123456789012345'],
      ['1234567890123456789', '1234567890123456789'], // more digits than the fast path takes
      ['3.14159265358979323846', '3.14159265358979323846'],
      ['1.7976931348623157e308', '1.7976931348623157e308'],
      ['4.9e-324', '4.9e-324'],
      ['2.5e-30p', '2.5e-42'],
      ['7e22k', '7e25'],
      ['0.000001u', '1e-12'],
      ['12.5e+1', '125'],
    ];
    for (const [text, decimal] of cases) expect(numberAt(text, 0, text.length)).toBe(Number(decimal));
  });

  it('is NaN for numbers out of range and for text that is not a number', () => {
    for (const text of ['1e400', '-1e99999999999', '1e3.5', '', '+', '-.', 'e5', '1k 2']) {
      expect(numberAt(text, 0, text.length)).toBeNaN();
    }
    expect(numberAt('1e-400', 0, 6)).toBe(0);
  });
});
