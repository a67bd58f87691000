import { CircuitError } from '../errors';
import { type MeasureCard, measureCard } from '../netlist/analysis-cards';
import { crossing, derivativeAt, evaluateMeasurements, formatMeasurements, interpolateAt } from './measure';
import type { Plot } from './plot';

const loc = { file: 'deck.cir', line: 7, column: 1 };

/** Tokens as the parser hands them over (lower-cased, punctuation separate). */
function card(text: string): MeasureCard {
  const args = text
    .toLowerCase()
    .replace(/([()=,])/g, ' $1 ')
    .trim()
    .split(/\s+/)
    .slice(1);
  return measureCard({ kind: 'other', name: 'meas', args, loc });
}

/** A transient plot of v(a) = sin(2π·1k·t) and v(b) = t·1000 over 2 ms, 2001 points. */
function sinePlot(): Plot {
  const n = 2001;
  const time = Float64Array.from({ length: n }, (_, k) => (k * 2e-3) / (n - 1));
  return {
    title: 't',
    name: 'Transient Analysis',
    date: '',
    complex: false,
    vectors: [
      { name: 'time', type: 'time', real: time },
      { name: 'v(a)', type: 'voltage', real: time.map((t) => Math.sin(2 * Math.PI * 1e3 * t)) },
      { name: 'v(b)', type: 'voltage', real: time.map((t) => t * 1000) },
    ],
  };
}

describe('measurement primitives', () => {
  const x = Float64Array.of(0, 1, 2, 3);
  const y = Float64Array.of(0, 2, 1, 3);

  it('interpolates linearly and refuses points outside the sweep', () => {
    expect(interpolateAt(x, y, 0.5)).toBe(1);
    expect(interpolateAt(x, y, 2.5)).toBe(2);
    expect(() => interpolateAt(x, y, 4)).toThrow(/outside the analysis range/);
  });

  it('takes slopes of the interpolant, averaging both sides at a data point', () => {
    expect(derivativeAt(x, y, 0.5)).toBe(2);
    expect(derivativeAt(x, y, 1)).toBe(0.5);
  });

  it('counts rise, fall, cross and last crossings after td', () => {
    expect(crossing(x, y, 1.5, { edge: 'rise', count: 1, td: 0 })).toBeCloseTo(0.75);
    expect(crossing(x, y, 1.5, { edge: 'fall', count: 1, td: 0 })).toBeCloseTo(1.5);
    expect(crossing(x, y, 1.5, { edge: 'cross', count: 3, td: 0 })).toBeCloseTo(2.25);
    expect(crossing(x, y, 1.5, { edge: 'rise', count: 'last', td: 0 })).toBeCloseTo(2.25);
    expect(crossing(x, y, 1.5, { edge: 'rise', count: 1, td: 1.6 })).toBeCloseTo(2.25);
    expect(() => crossing(x, y, 5, { edge: 'rise', count: 1, td: 0 })).toThrow(/not found/);
  });
});

describe('evaluateMeasurements', () => {
  it('measures a sine: DERIV, RMS, PP, INTEG, WHEN with LAST, TRIG/TARG, PARAM, HSPICE spellings', () => {
    const cards = [
      card('.meas tran slope derivative v(a) at=0.5m'),
      card('.meas tran slope0 deriv v(a) when v(b)=0.25'),
      card('.meas tran r rms v(a)'),
      card('.meas tran p pp v(a)'),
      card('.meas tran area integral v(a) from=0 to=0.5m'),
      card('.meas tran lastzero when v(a)=0 rise=last'),
      card('.meas tran period trig v(a) val=0.5 rise=1 targ v(a) val=0.5 rise=1 td=0.5m'),
      card(".meas tran ratio param='r*sqrt(2)'"),
      card('.meas tran half param = period/2'),
    ];
    const results = evaluateMeasurements(cards, [sinePlot()]);
    const value = (name: string): number => results.find((m) => m.name === name)!.value;
    expect(value('slope')).toBeCloseTo(-2 * Math.PI * 1e3, -1);
    expect(Math.abs(value('slope0') / (2 * Math.PI * 1e3))).toBeLessThan(1e-3);
    expect(value('r')).toBeCloseTo(Math.SQRT1_2, 5);
    expect(value('p')).toBeCloseTo(2, 5);
    expect(value('area')).toBeCloseTo(1 / (Math.PI * 1e3), 8);
    expect(results.filter((m) => m.error).map((m) => `${m.name}: ${m.error}`)).toEqual([]);
    expect(value('lastzero')).toBeCloseTo(1e-3, 8);
    expect(value('period')).toBeCloseTo(1e-3, 8);
    expect(value('ratio')).toBeCloseTo(1, 5);
    expect(value('half')).toBeCloseTo(0.5e-3, 8);
    expect(results.every((m) => m.error === undefined)).toBe(true);
  });

  it('reports a measurement that cannot be made as NaN with the reason, and carries on', () => {
    const results = evaluateMeasurements(
      [
        card('.meas tran never when v(a)=5'),
        card('.meas tran nope max v(zz)'),
        card('.meas tran ok max v(b)'),
      ],
      [sinePlot()],
    );
    expect(results.map((m) => Number.isNaN(m.value))).toEqual([true, true, false]);
    expect(results[0].error).toMatch(/crossing was not found/);
    expect(results[1].error).toMatch(/no such vector as v\(zz\)/);
    expect(formatMeasurements(results)).toMatch(/Error: measure {2}never failed/);
    expect(formatMeasurements(results)).toMatch(/^ok {18}= {2}2\.000000e\+00 at= {2}2\.000000e-03$/m);
  });

  it('needs a plot of the measured analysis', () => {
    const [result] = evaluateMeasurements([card('.meas ac g max vdb(out)')], [sinePlot()]);
    expect(result.error).toMatch(/no ac analysis/);
  });
});

describe('measureCard', () => {
  it('rejects bad cards with the line and an example', () => {
    const attempt = (text: string): CircuitError => {
      try {
        card(text);
      } catch (error) {
        return error as CircuitError;
      }
      throw new Error(`accepted: ${text}`);
    };
    expect(attempt('.meas op x max v(a)').message).toMatch(/'op' are not supported/);
    expect(attempt('.meas tran x median v(a)').message).toMatch(/unknown measurement 'median'/);
    expect(attempt('.meas tran x find v(a)').message).toMatch(/needs WHEN/);
    expect(attempt('.meas tran x trig v(a) rise=1 targ v(a) val=1').message).toMatch(/needs VAL=/);
    const error = attempt('.meas tran x max q(a)');
    expect(error.loc).toEqual(loc);
    expect(error.hint).toMatch(/\.meas tran/);
  });
});
