import { CircuitError, ParseError } from '../errors';
import { evaluateExpression, parseExpression, expressionLocation } from './expression';

const evaluate = (text: string, params: Record<string, number> = {}): number =>
  evaluateExpression(parseExpression(text), (name) => params[name]);

describe('expressions', () => {
  it.each([
    ['1+2*3', 7],
    ['(1+2)*3', 9],
    ['2**3', 8],
    ['2^3', 8],
    ['2**3**2', 64],
    ['2^3^2', 64],
    ['2**-1**2', 0.25],
    ['-2**2', -4],
    ['2**-1', 0.5],
    ['10/4', 2.5],
    ['1-2-3', -4],
    ['8/2/2', 2],
    ['-(-3)', 3],
    ['+4', 4],
    ['!0', 1],
    ['!3', 0],
    ['1<2', 1],
    ['2<=1', 0],
    ['3>2', 1],
    ['3>=3', 1],
    ['2==2', 1],
    ['2!=2', 0],
    ['1&&0', 0],
    ['1||0', 1],
    ['1 ? 10 : 20', 10],
    ['0 ? 10 : 1 ? 30 : 40', 30],
    ['1+1 > 1 ? 5 : 6', 5],
    ['2k*3', 6000],
    ['1meg/1k', 1000],
    ['1e3+1', 1001],
    ['sqrt(16)', 4],
    ['exp(0)', 1],
    ['ln(e)', 1],
    ['log(e)', 1],
    ['log10(1000)', 3],
    ['abs(-2)', 2],
    ['min(3,1,2)', 1],
    ['max(3,1,2)', 3],
    ['pow(2,10)', 1024],
    ['pwr(-2,2)', -4],
    ['sin(0)', 0],
    ['cos(0)', 1],
    ['tan(0)', 0],
    ['atan(1)*4', Math.PI],
    ['sinh(0)', 0],
    ['cosh(0)', 1],
    ['tanh(0)', 0],
    ['floor(-1.5)', -2],
    ['ceil(1.2)', 2],
    ['int(-1.7)', -1],
    ['int(1.7)', 1],
    ['pi', Math.PI],
    ['2*PI', 2 * Math.PI],
    ['e', Math.E],
    ['if(1, 2, 3)', 2],
    ['limit(5, 0, 1)', 1],
    ['agauss(1k, 100, 3)', 1000],
    ['gauss(2, 0.1, 3)', 2],
    ['aunif(5, 1)', 5],
    ['unif(5, 0.1)', 5],
  ])('%s = %d', (text, expected) => {
    expect(evaluate(text)).toBeCloseTo(expected, 10);
  });

  it('reads parameters and keeps exp/e apart', () => {
    expect(evaluate('rval*2 + exp(x)', { rval: 3, x: 0 })).toBe(7);
    expect(evaluate('E1+1', { e1: 2 })).toBe(3);
  });

  it('reports an undefined parameter with its column', () => {
    const expr = parseExpression('1 + width', { file: 'f.cir', line: 4, column: 10 });
    expect(() => evaluateExpression(expr, () => undefined)).toThrow(CircuitError);
    try {
      evaluateExpression(expr, () => undefined);
    } catch (error) {
      expect((error as CircuitError).loc).toEqual({ file: 'f.cir', line: 4, column: 14 });
      expect((error as CircuitError).message).toContain("'width'");
    }
  });

  it('keeps v() and i() arguments as raw names', () => {
    const expr = parseExpression('v(x1.out, 0) * i(Vdd) + v(3)');
    expect(expr).toEqual({
      type: 'binary',
      op: '+',
      left: {
        type: 'binary',
        op: '*',
        left: {
          type: 'call',
          name: 'v',
          args: [
            { type: 'var', name: 'x1.out' },
            { type: 'var', name: '0' },
          ],
        },
        right: { type: 'call', name: 'i', args: [{ type: 'var', name: 'vdd' }] },
      },
      right: { type: 'call', name: 'v', args: [{ type: 'var', name: '3' }] },
    });
    expect(expressionLocation(expr)).toBeUndefined();
    const scope: Record<string, number> = { 'v(x1.out)': 2, 'i(vdd)': 3, 'v(3)': 1 };
    expect(evaluateExpression(expr, (name) => scope[name])).toBe(7);
    expect(() => evaluateExpression(parseExpression('v(a)'), () => undefined)).toThrow(/cannot be evaluated/);
  });

  it.each([
    ['1 +', 4],
    ['(1', 3],
    ['foo(1)', 1],
    ['constructor(1)', 1],
    ['__proto__(1)', 1],
    ['sqrt(1,2)', 1],
    ['1 2', 3],
    ['2 * # 3', 5],
    ['', 1],
    ['1 ? 2', 6],
  ])('syntax error in %p at column %d', (text, column) => {
    try {
      parseExpression(text);
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).column).toBe(column);
    }
  });

  it('limits nesting depth instead of overflowing the stack', () => {
    expect(() => parseExpression('('.repeat(5000) + '1' + ')'.repeat(5000))).toThrow(ParseError);
    expect(() => parseExpression('-'.repeat(5000) + '1')).toThrow(ParseError);
    expect(() => parseExpression('2**'.repeat(5000) + '1')).toThrow(ParseError);
    expect(() => parseExpression('1+'.repeat(50000) + '1')).toThrow(/too long/);
    expect(evaluateExpression(parseExpression('1+'.repeat(500) + '1'), () => undefined)).toBe(501);
  });
});
