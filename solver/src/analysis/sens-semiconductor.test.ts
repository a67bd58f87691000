/**
 * Sensitivities to semiconductor model and instance parameters (`d1:is`, `q1:bf`, `m1:vto`, `d1_area`, `q1_temp`,
 * `m1_w` ...) against finite differences of whole simulations: the deck is written again with one parameter moved
 * by ±1e-4 relative and simulated, and (v(out)₊ − v(out)₋)/(2δ) must match what .sens reports (DC; AC at every
 * frequency for the charge-storage parameters, since AC sensitivities hold the operating point fixed). ngspice 39 crashes on .sens with a BJT, and reports some diode parameters wrongly (see
 * test/ngspice/sens-semiconductor.test.ts), so whole simulations are the reference here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plot } from '../output/plot';
import { simulateNetlist } from '../simulate';

interface Case {
  title: string;
  deck: (model: Record<string, number>, instance: Record<string, number>, analysis: string) => string;
  model: Record<string, number>;
  instance: Record<string, number>;
  device: string;
  /** Parameters .sens must report (at least). */
  expected: string[];
  /** Charge-storage parameters (no effect on the operating point). */
  charges: string[];
}

const format = (values: Record<string, number>): string =>
  Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

const CASES: Case[] = [
  {
    title: 'diode with series resistance',
    deck: (model, instance, analysis) =>
      [
        '* diode',
        'v1 in 0 dc 2 ac 1',
        'r1 in out 1k',
        `d1 out 0 dmod ${format(instance)}`,
        `.model dmod d ${format(model)}`,
        analysis,
        '.end',
      ].join('\n'),
    model: { is: 1e-14, n: 1.5, rs: 10, cjo: 2e-12, tt: 1e-9, isr: 1e-12, nr: 2.2, ikf: 0.05 },
    instance: { area: 2, temp: 50 },
    device: 'd1',
    expected: [
      'd1:is',
      'd1:n',
      'd1:rs',
      'd1:isr',
      'd1:nr',
      'd1:ikf',
      'd1:eg',
      'd1:xti',
      'd1_area',
      'd1_m',
      'd1_temp',
    ],
    charges: ['d1:cjo', 'd1:tt'],
  },
  {
    title: 'Gummel-Poon BJT common emitter',
    deck: (model, instance, analysis) =>
      [
        '* bjt',
        'vcc vcc 0 5',
        'vin in 0 dc 0.7 ac 1',
        'rb in b 10k',
        'rc vcc out 2k',
        `q1 out b e npnmod ${format(instance)}`,
        're e 0 100',
        `.model npnmod npn ${format(model)}`,
        analysis,
        '.end',
      ].join('\n'),
    model: {
      is: 1e-15,
      bf: 150,
      nf: 1.02,
      vaf: 60,
      ikf: 0.02,
      ise: 1e-14,
      ne: 1.6,
      br: 3,
      rb: 50,
      re: 2,
      rc: 20,
      cje: 1e-12,
      cjc: 0.5e-12,
      tf: 0.3e-9,
    },
    instance: { area: 1.5 },
    device: 'q1',
    expected: [
      'q1:is',
      'q1:bf',
      'q1:vaf',
      'q1:ikf',
      'q1:ise',
      'q1:rb',
      'q1:re',
      'q1:rc',
      'q1_area',
      'q1_temp',
    ],
    charges: ['q1:cje', 'q1:cjc', 'q1:tf'],
  },
  {
    title: 'MOS level 1 common source',
    deck: (model, instance, analysis) =>
      [
        '* mos1',
        'vdd vdd 0 5',
        'vg g 0 dc 2 ac 1',
        'rd vdd out 10k',
        `m1 out g 0 0 nm ${format(instance)}`,
        `.model nm nmos level=1 ${format(model)}`,
        analysis,
        '.end',
      ].join('\n'),
    model: {
      vto: 0.8,
      kp: 50e-6,
      lambda: 0.02,
      gamma: 0.4,
      phi: 0.65,
      rd: 5,
      rs: 5,
      cbd: 20e-15,
      cgso: 1e-10,
    },
    instance: { w: 20e-6, l: 2e-6 },
    device: 'm1',
    expected: [
      'm1:vto',
      'm1:kp',
      'm1:gamma',
      'm1:phi',
      'm1:lambda',
      'm1:rd',
      'm1:rs',
      'm1_l',
      'm1_w',
      'm1_m',
    ],
    charges: ['m1:cbd', 'm1:cgso'],
  },
];

/** v(out) of every point of the first plot of a simulation. */
function out(plot: Plot): { re: Float64Array; im: Float64Array } {
  const v = plot.vectors.find((x) => x.name === 'v(out)')!;
  return { re: v.real, im: v.imag ?? new Float64Array(v.real.length) };
}

/** The deck with one parameter moved: model (`d1:is`) or instance (`d1_area`, `d1_temp` ...). */
function moved(
  c: Case,
  name: string,
  factor: number,
  analysis: string,
  step = 1e-4,
): { text: string; delta: number } {
  const model = { ...c.model };
  const instance = { ...c.instance };
  const [, param] = name.includes(':') ? name.split(':') : [name, name.slice(c.device.length + 1)];
  const target = name.includes(':') ? model : instance;
  const nominal =
    target[param] ?? (param === 'm' || param === 'area' ? 1 : param === 'temp' ? 27 : undefined);
  if (nominal === undefined) throw new Error(`no nominal value for ${name} in the test case`);
  const delta = step * Math.abs(nominal);
  target[param] = nominal + factor * delta;
  return { text: c.deck(model, instance, analysis), delta };
}

describe.each(CASES)('$title', (c) => {
  it('DC: every reported parameter matches finite differences of whole operating points', () => {
    const sens = simulateNetlist(c.deck(c.model, c.instance, '.sens v(out)')).plots[0];
    const names = sens.vectors.map((v) => v.name);
    for (const name of c.expected) expect(names).toContain(name);
    let compared = 0;
    for (const vector of sens.vectors) {
      const name = vector.name;
      if (!name.startsWith(`${c.device}:`) && !name.startsWith(`${c.device}_`)) continue;
      const param = name.slice(c.device.length + 1);
      const given = name.includes(':')
        ? param in c.model
        : param in c.instance || ['m', 'area', 'temp'].includes(param);
      if (!given) continue;
      const plus = moved(c, name, 1, '.op');
      const minus = moved(c, name, -1, '.op');
      const vPlus = out(simulateNetlist(plus.text).plots[0]).re[0];
      const vMinus = out(simulateNetlist(minus.text).plots[0]).re[0];
      const reference = (vPlus - vMinus) / (2 * plus.delta);
      const value = vector.real[0];
      const scale = Math.max(Math.abs(reference), Math.abs(value));
      // Both are derivatives by differences (whole simulations at ±1e-4, .sens at ±1e-6): agreement to 1e-4,
      // and parameters that move v(out) by less than 1e-9 of itself over their whole value count as equal.
      const nominal = plus.delta / 1e-4;
      const floor = (1e-9 * Math.abs(vPlus)) / nominal;
      expect({ name, value, ok: Math.abs(value - reference) <= 1e-4 * scale + floor }).toEqual({
        name,
        value,
        ok: true,
      });
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(c.expected.length - 2);
  });

  it('AC: capacitance and transit-time parameters match finite differences of two AC analyses', () => {
    // AC sensitivities are taken at a fixed operating point (as ngspice's): whole AC simulations measure the
    // same thing only for parameters that leave the operating point alone, the charge-storage ones.
    const analysis = '.sens v(out) ac dec 2 1k 1g';
    const sens = simulateNetlist(c.deck(c.model, c.instance, analysis)).plots[0];
    const ac = '.ac dec 2 1k 1g';
    let compared = 0;
    for (const name of c.charges) {
      const vector = sens.vectors.find((v) => v.name === name);
      expect(vector).toBeDefined();
      // A larger step than for DC: v(out) changes little with a femtofarad, and the difference must stay above
      // rounding (the response is smooth in a capacitance, so the central difference stays accurate).
      const plus = moved(c, name, 1, ac, 1e-3);
      const minus = moved(c, name, -1, ac, 1e-3);
      const p = out(simulateNetlist(plus.text).plots[0]);
      const m = out(simulateNetlist(minus.text).plots[0]);
      for (let k = 0; k < p.re.length; k++) {
        const re = (p.re[k] - m.re[k]) / (2 * plus.delta);
        const im = (p.im[k] - m.im[k]) / (2 * plus.delta);
        const scale = Math.max(Math.hypot(re, im), Math.hypot(vector!.real[k], vector!.imag![k]));
        const error = Math.hypot(vector!.real[k] - re, vector!.imag![k] - im);
        // At low frequency the real part of a capacitance's sensitivity is ~1e-4 of the imaginary one, at the edge
        // of what the difference of two whole AC runs resolves: 5e-4 of the magnitude.
        expect({ name, k, ok: error <= 5e-4 * scale + 1e-12 }).toEqual({ name, k, ok: true });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0);
  });
});

it('runs on a deck with every element kind and reports the semiconductor parameters among the others', () => {
  const deck = [
    '* every kind',
    'v1 in 0 dc 2 ac 1',
    'r1 in a 1k',
    'c1 a 0 1n',
    'l1 a b 1m',
    'l2 b 0 1m',
    'k1 l1 l2 0.5',
    'd1 b c dmod',
    'rc c 0 1k',
    'q1 c b 0 npn1',
    'j1 c b 0 jn',
    'm1 c b 0 0 nm',
    'e1 e 0 a 0 2',
    're e 0 1k',
    'f1 0 f v1 1',
    'rf f 0 1k',
    'g1 0 g a 0 1m',
    'rg g 0 1k',
    'h1 h 0 v1 100',
    'rh h 0 1k',
    'b1 bb 0 v=v(a)*2',
    'rb bb 0 1k',
    's1 a sw c 0 smod',
    'rsw sw 0 1k',
    '.model dmod d is=1e-14 rs=5',
    '.model npn1 npn bf=100 vaf=50',
    '.model jn njf vto=-2 beta=1e-4',
    '.model nm nmos level=1 vto=0.7 kp=2e-5',
    '.model smod sw vt=0.5 ron=1 roff=1e6',
    '.sens v(c)',
    '.end',
  ].join('\n');
  const names = simulateNetlist(deck).plots[0].vectors.map((v) => v.name);
  for (const name of [
    'r1',
    'e1_gain',
    'd1:is',
    'd1_area',
    'q1:bf',
    'q1:vaf',
    'j1:vto',
    'j1:beta',
    'm1:kp',
    'm1_temp',
  ])
    expect(names).toContain(name);
  // Parameters at 0 (IKF, ISR, RB ...) have no derivative to report.
  expect(names).not.toContain('q1:ikf');
  expect(names).not.toContain('d1:isr');
});

describe('BSIM4 and EKV cards: the parameters written on the card', () => {
  const lib = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'bsim4', 'cmos018.lib'), 'utf8');
  const nch = lib.slice(lib.indexOf('.model nch'), lib.indexOf('.model pch'));
  const ekv =
    '.model nch nmos level=44 cox=3.45e-3 vto=0.5 gamma=0.6 phi=0.8 kp=150e-6 ucrit=4e6 lambda=0.4 xj=0.15e-6 theta=0.1';
  const deck = (card: string, instance: string, analysis: string) =>
    ['* cs stage', card, 'vdd vdd 0 1.8', 'vin in 0 dc 0.7', 'rd vdd out 5k', `m1 out in 0 0 nch ${instance}`]
      .concat([analysis, '.end'])
      .join('\n');
  const vout = (text: string) => out(simulateNetlist(text).plots[0]).re[0];

  it.each([
    [
      'BSIM4',
      nch,
      'l=0.18u w=2u',
      ['vth0', 'k1', 'u0', 'vsat', 'eta0', 'pclm', 'rdsw', 'lint', 'delta', 'toxe'],
    ],
    ['EKV', ekv, 'l=1u w=10u', ['vto', 'gamma', 'kp', 'ucrit', 'lambda', 'theta', 'xj']],
  ])('%s: d v(out)/d p matches whole re-simulations', (_, card, instance, names) => {
    const sens = simulateNetlist(deck(card, instance, '.sens v(out)')).plots[0];
    for (const name of names) {
      const match = new RegExp(`\\b${name}=(\\S+)`).exec(card)!;
      const nominal = Number(match[1]);
      const h = 1e-3 * Math.abs(nominal);
      const at = (value: number) => deck(card.replace(match[0], `${name}=${value}`), instance, '.op');
      const reference = (vout(at(nominal + h)) - vout(at(nominal - h))) / (2 * h);
      const value = sens.vectors.find((v) => v.name === `m1:${name}`)?.real[0];
      expect({
        name,
        ok: value !== undefined && Math.abs(value - reference) <= 1e-4 * Math.abs(reference),
      }).toEqual({
        name,
        ok: true,
      });
    }
    // Switches are not parameters.
    expect(sens.vectors.some((v) => /^m1:\w*mod$/.test(v.name))).toBe(false);
  });
});
