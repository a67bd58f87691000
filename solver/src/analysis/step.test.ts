import { CircuitError } from '../errors';
import { simulateNetlist } from '../simulate';
import { deckVariants, parseStep, stepCombinations, withParameterOverrides } from './step';

const loc = { file: 'deck.cir', line: 3, column: 1 };
const step = (text: string) =>
  parseStep({
    kind: 'other',
    name: 'step',
    args: text
      .toLowerCase()
      .replace(/([()=,])/g, ' $1 ')
      .trim()
      .split(/\s+/),
    loc,
  });

describe('parseStep', () => {
  it('reads linear, list, decade, octave, temperature and source sweeps', () => {
    expect(step('param R 1k 3k 1k')).toMatchObject({ kind: 'param', name: 'r', values: [1000, 2000, 3000] });
    expect(step('lin param R 3 1 -1').values).toEqual([3, 2, 1]);
    expect(step('param R list 1k 2.2k 4.7k').values).toEqual([1000, 2200, 4700]);
    expect(step('dec param c 1n 100n 2').values.map((v) => Number(v.toPrecision(6)))).toEqual([
      1e-9, 3.16228e-9, 1e-8, 3.16228e-8, 1e-7,
    ]);
    expect(step('oct param f 1 8 1').values.map((v) => Number(v.toPrecision(6)))).toEqual([1, 2, 4, 8]);
    expect(step('temp -40 85 62.5')).toMatchObject({ kind: 'temp', values: [-40, 22.5, 85] });
    expect(step('V1 0 5 2.5')).toMatchObject({ kind: 'source', name: 'v1', values: [0, 2.5, 5] });
  });

  it('reads model parameters with and without the model type (LTspice)', () => {
    expect(step('NPN 2N2222(VAF) list 50 100')).toMatchObject({
      kind: 'model',
      name: '2n2222(vaf)',
      model: { name: '2n2222', type: 'npn', parameter: 'vaf' },
      values: [50, 100],
    });
    expect(step('D1(Is) list 1f 2f 3f')).toMatchObject({
      kind: 'model',
      name: 'd1(is)',
      model: { name: 'd1', type: undefined, parameter: 'is' },
      values: [1e-15, 2e-15, 3e-15],
    });
  });

  it('rejects what it cannot step, at the card', () => {
    expect(() => step('NPN 2N2222() 50 100 10')).toThrow(/cannot step 'npn'/);
    expect(() => step('Q1 0 1 2')).toThrow(/cannot step 'q1'/);
    expect(() => step('param R 1k 2k 0')).toThrow(/must not be 0/);
    expect(() => step('param R 1k 2k')).toThrow(CircuitError);
    expect(() => step('param R 1 1e9 1e-6')).toThrow(/more than/);
  });
});

describe('stepCombinations', () => {
  it('nests sweeps, the first varying fastest', () => {
    expect(stepCombinations([step('param a list 1 2'), step('param b list 10 20')])).toEqual([
      { a: 1, b: 10 },
      { a: 2, b: 10 },
      { a: 1, b: 20 },
      { a: 2, b: 20 },
    ]);
  });
});

it('puts parameter overrides before .end', () => {
  expect(withParameterOverrides('t\nr1 a 0 1\n.END\n', { r: 2 })).toBe('t\nr1 a 0 1\n.param r=2\n.END\n');
});

describe('stepped simulation', () => {
  const deck = [
    '* divider stepped',
    '.param rl=1k',
    'v1 in 0 dc 1',
    'r1 in out 1k tc1=0.01',
    'r2 out 0 {rl}',
    '.step param rl list 1k 3k',
    '.step temp 27 127 100',
    '.dc v1 2 2 1',
    '.meas dc vout find v(out) at=2',
    '.end',
  ].join('\n');

  it('runs every combination, each with its own plots and measurements', () => {
    const result = simulateNetlist(deck);
    expect(result.runs?.map((r) => r.values)).toEqual([
      { rl: 1000, temp: 27 },
      { rl: 3000, temp: 27 },
      { rl: 1000, temp: 127 },
      { rl: 3000, temp: 127 },
    ]);
    // r1 = 1k·(1 + 0.01·ΔT): 1k at 27 °C, 2k at 127 °C.
    const expected = [
      [1e3, 1e3],
      [1e3, 3e3],
      [2e3, 1e3],
      [2e3, 3e3],
    ].map(([r1, r2]) => (2 * r2) / (r1 + r2));
    expect(result.measurements.map((m) => m.value)).toEqual(expected.map((v) => expect.closeTo(v, 12)));
    expect(result.plots).toHaveLength(4);
    expect(result.diagnostics.filter((d) => /defined again|not supported/.test(d.message))).toEqual([]);
  });
});

describe('stepped model parameters', () => {
  const vector = (plot: { vectors: Array<{ name: string; real: Float64Array }> }, name: string): number =>
    plot.vectors.find((v) => v.name === name)!.real[0];
  /** The same deck with the value written into the model card: what each step must reproduce. */
  const fixed = (text: string, from: string, to: string): number[] => {
    const plots = simulateNetlist(text.replace(/^\.step.*$/m, '').replace(from, to)).plots;
    return plots.map((p) => vector(p, 'i(vc)'));
  };

  it('steps a BJT model parameter (.step NPN 2N2222(VAF) list ...) like cards with the value written in', () => {
    const deck = [
      'early voltage',
      'vc c 0 5',
      'vb b 0 0.65',
      'q1 c b 0 2n2222',
      '.model 2N2222 NPN(IS=1e-14 BF=200 VAF=1000)',
      '.step NPN 2N2222(VAF) list 20 50 100',
      '.op',
      '.end',
    ].join('\n');
    const result = simulateNetlist(deck);
    expect(result.runs!.map((r) => r.values)).toEqual([
      { '2n2222(vaf)': 20 },
      { '2n2222(vaf)': 50 },
      { '2n2222(vaf)': 100 },
    ]);
    const collector = result.runs!.map((r) => -vector(r.plots[0], 'i(vc)'));
    [20, 50, 100].forEach((vaf, k) => {
      expect(-fixed(deck, 'VAF=1000', `VAF=${vaf}`)[0]).toBeCloseTo(collector[k], 15);
    });
    // Forward active: Ic = IS·exp(Vbe/vt)·(1 + Vce/VAF) (Gummel-Poon, qb = 1/(1 − Vbc/VAF) ~ 1 + Vce/VAF...).
    const ratio = collector[0] / collector[2];
    expect(ratio).toBeGreaterThan(1.1);
    expect(ratio).toBeLessThan((1 + 5.65 / 20) / (1 + 5.65 / 100) + 0.01);
  });

  it('steps a diode parameter without the type, also inside subcircuits, and a .param used in a .model', () => {
    const deck = [
      'diode is',
      'vc a 0 0.6',
      'd1 a 0 dmod',
      'x1 a 0 cell',
      '.subckt cell p n',
      'd2 p n dmod',
      '.ends',
      '.param isat=1e-14',
      '.model dmod d(is={isat} n=1)',
      '.step D dmod(Is) list 1e-15 1e-14',
      '.op',
      '.end',
    ].join('\n');
    const stepped = simulateNetlist(deck).runs!.map((r) => vector(r.plots[0], 'i(vc)'));
    expect(stepped[1] / stepped[0]).toBeCloseTo(10, 6);
    expect(stepped[1]).toBeCloseTo(fixed(deck, '', '')[0], 18);
    const byParam = simulateNetlist(deck.replace(/^\.step.*$/m, '.step param isat list 1e-15 1e-14'));
    const viaParam = byParam.runs!.map((r) => vector(r.plots[0], 'i(vc)'));
    expect(viaParam[0]).toBeCloseTo(stepped[0], 18);
    expect(viaParam[1]).toBeCloseTo(stepped[1], 18);
  });

  it('names the missing model or the wrong type at the .step line', () => {
    const deck = (line: string) => `t\nv1 a 0 1\nd1 a 0 dm\n.model dm d\n${line}\n.op\n.end\n`;
    expect(() => simulateNetlist(deck('.step D nosuch(is) list 1 2'))).toThrow(/no model 'nosuch'/);
    expect(() => simulateNetlist(deck('.step NPN dm(is) list 1 2'))).toThrow(/'dm' is a D model, not NPN/);
  });
});

describe('deckVariants (HSPICE .data and .alter)', () => {
  it('keeps a plain deck as it is', () => {
    const deck = '* t\nr1 a 0 1\n.op\n.end\n';
    expect(deckVariants(deck).variants).toEqual([{ values: {}, text: deck, redefined: [] }]);
  });

  it('turns .data rows into parameter overrides and drops SWEEP DATA=', () => {
    const deck = [
      '* t',
      '.param r=1',
      'r1 a 0 r',
      '.data t r',
      '+ 1k',
      '+ 2k',
      '.enddata',
      '.tran 1u 1m sweep data=t',
      '.end',
    ].join('\n');
    const { variants } = deckVariants(deck);
    expect(variants.map((v) => v.values)).toEqual([{ r: 1000 }, { r: 2000 }]);
    expect(variants[1].text.split('\n')).toEqual([
      '* t',
      '.param r=1',
      'r1 a 0 r',
      '* .data t r',
      '* + 1k',
      '* + 2k',
      '* .enddata',
      '.tran 1u 1m',
      '.param r=2000',
      '.end',
    ]);
  });

  it('reports bad tables at their line', () => {
    expect(() => deckVariants('* t\n.data t r c\n+ 1 2 3\n.enddata\n.op data=t\n.end')).toThrow(
      /3 values do not fill rows of 2/,
    );
    expect(() => deckVariants('* t\n.data t r\n+ 1\n.op\n.end')).toThrow(/no .enddata/);
    expect(() => deckVariants('* t\n.tran 1u 1m sweep data=nope\n.end')).toThrow(
      /no .data table named 'nope'/,
    );
  });

  it('accumulates .alter blocks, replacing elements and models by name, and reports .del by line', () => {
    const deck = [
      '* t',
      'r1 a 0 1',
      '.model m d is=1',
      '.op',
      '.alter',
      'r1 a 0 2',
      '.alter',
      '.model m d is=2',
      '.del lib x',
      '.end',
    ].join('\n');
    const { variants, diagnostics } = deckVariants(deck, 'deck.sp');
    const active = (text: string): string[] => text.split('\n').filter((l) => !l.startsWith('*'));
    expect(variants.map((v) => active(v.text))).toEqual([
      ['r1 a 0 1', '.model m d is=1', '.op', '.end'],
      ['.model m d is=1', '.op', 'r1 a 0 2', '.end'],
      ['.op', 'r1 a 0 2', '.model m d is=2', '.end'],
    ]);
    expect(diagnostics).toEqual([
      {
        severity: 'error',
        message: '.del lib in .alter is not supported: the line is ignored',
        loc: { file: 'deck.sp', line: 9, column: 1 },
      },
    ]);
  });
});

describe('HSPICE SWEEP MONTE=n', () => {
  const deck = [
    '* hspice monte carlo',
    'i1 0 out agauss(1m, 0.3m, 3)',
    'r1 out 0 1k',
    '.option seed=3',
    '.dc r1 1k 1k 1 sweep monte=50',
    '.measure dc vout find v(out) at=1k',
    '.end',
  ].join('\n');

  it('runs n samples, reproducibly, with the spread of the distribution', () => {
    const first = simulateNetlist(deck);
    expect(first.runs).toHaveLength(50);
    expect(first.runs?.[49].values).toEqual({ monte: 50 });
    const values = first.measurements.map((m) => m.value);
    expect(simulateNetlist(deck).measurements.map((m) => m.value)).toEqual(values);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    // σ = 0.1 V: the mean of 50 runs is within 4σ/√50 of 1 V.
    expect(Math.abs(mean - 1)).toBeLessThan((4 * 0.1) / Math.sqrt(50));
  });

  it('rejects a bad count at its line', () => {
    expect(() => deckVariants('* t\n.op sweep monte=0\n.end')).toThrow(/whole number from 1/);
  });
});
