/**
 * Robustness: random text and mutated valid decks must either parse and elaborate or throw a
 * SpiceError (ParseError/CircuitError), never another exception, never hang.
 */
import fc from 'fast-check';
import { SpiceError } from '../errors';
import { parseAndElaborate } from './index';

const VALID_DECK = `fuzz base deck
.param r0=1k c0={1n*2} g='r0/10'
.global vdd
.subckt stage in out params: gain=2 rl={r0}
.model dl d is=1e-14
R1 in mid {rl}
E1 out 0 mid 0 {gain}
D1 mid 0 dl
.ends stage
.lib sec
.model qn npn(bf=100)
.endl
.lib <netlist> sec
V1 in 0 DC 1 AC 1 PULSE(0 1 1n 1n 1n 5u 10u)
Vdd vdd 0 5
X1 in a stage gain=3
X2 a b stage
C1 b 0 c0 ic=0
L1 b c 1u
L2 c 0 1u
K1 L1 L2 0.5
F1 c 0 V1 2
B1 d 0 V={v(b)*2 + i(v1) > 1 ? sin(time) : -1}
G1 d 0 TABLE {v(b)} = (0,0) (1,1m)
Q1 c b 0 qn 2
M1 d g 0 0 nmod w=1u l=1u
.model nmod nmos level=1
S1 a 0 b 0 sm on
.model sm sw vt=1
.op
.dc V1 0 1 0.1
.ac dec 10 1 1meg
.tran 1n 10u 0 1n uic
.options reltol=1e-3 method=gear
.temp 27
.ic v(b)=0
.save v(b)
.four 1k v(b)
.end
`;

const FILES: Record<string, string> = {
  'a.inc': '.include b.inc\n.model da d\n',
  'b.inc': '.include a.inc\n',
  'lib.l': '.lib x\n.lib lib.l x\n.endl\n',
};
const readFile = (path: string): string => {
  const text = FILES[path];
  if (text === undefined) throw new Error('missing');
  return text;
};

function check(text: string): void {
  try {
    parseAndElaborate(text, { readFile });
  } catch (error) {
    if (!(error instanceof SpiceError)) throw error;
    expect(error.loc === undefined || (error.loc.line >= 1 && error.loc.column >= 1)).toBe(true);
  }
}

const SPICE_CHARS = 'abcdefgilmnpqrsuvwxyz0123456789 .+-*/^(){}\'",=;$:?<>!&|\n\t'.split('');
const TOKENS = [
  '.subckt',
  '.ends',
  '.include a.inc',
  '.lib lib.l x',
  '.lib',
  '.endl',
  '.model',
  '.param',
  '{',
  '}',
  "'",
  '(',
  ')',
  'x1',
  'v(',
  'i(',
  'PULSE(',
  'POLY(2)',
  'TABLE',
  'value=',
  'params:',
  '\n+',
  '\n',
  '1meg',
  '**',
  '?',
  ':',
  '.end',
  '.control',
  '.endc',
  '.func f(x) {x*f(x)}',
  '.func g(a,b) {a+b}',
  'g(1,2)',
  'f(1)',
  'X1 a b stage',
  'X9 a stage',
  '=',
  ',',
  '0',
  'gnd',
  '1e999',
  '1/0',
  'sqrt(-1)',
];

describe('parser fuzzing', () => {
  it('survives the base deck (which is valid)', () => {
    const circuit = parseAndElaborate(VALID_DECK, { readFile });
    expect(circuit.elements.length).toBe(18);
    expect(circuit.diagnostics.map((d) => d.loc?.line)).toEqual([38]);
  });

  it('random SPICE-like text', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SPICE_CHARS), { maxLength: 300 }), (chars) => {
        check(`title\n${chars.join('')}`);
      }),
      { numRuns: 400 },
    );
  });

  it('random unicode text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => check(text)),
      { numRuns: 200 },
    );
  });

  it('mutated valid decks', () => {
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('delete' as const),
        at: fc.nat(),
        length: fc.integer({ min: 1, max: 8 }),
      }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        text: fc.constantFrom(...TOKENS, ...SPICE_CHARS),
      }),
      fc.record({ kind: fc.constant('duplicateLine' as const), at: fc.nat(), length: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => {
        let text = VALID_DECK;
        for (const m of mutations) {
          const at = m.at % (text.length + 1);
          if (m.kind === 'delete') text = text.slice(0, at) + text.slice(at + m.length);
          else if (m.kind === 'insert') text = text.slice(0, at) + m.text + text.slice(at);
          else {
            const lines = text.split('\n');
            const line = at % lines.length;
            lines.splice(line, 0, lines[line]);
            text = lines.join('\n');
          }
        }
        check(text);
      }),
      { numRuns: 600 },
    );
  });

  it('decks assembled from random valid and invalid statements', () => {
    const node = fc.constantFrom('0', 'gnd', 'a', 'b', 'vdd', 'x1.a', 'out');
    const value = fc.constantFrom(
      '1',
      '1k',
      '{p}',
      "'p*2'",
      '2*p',
      '{f(1)}',
      '{1/0}',
      '{q}',
      '-1',
      'sqrt(p)',
      '{v(a)}',
    );
    const index = fc.constantFrom('1', '2', 'a');
    const line = fc.oneof(
      fc
        .tuple(fc.constantFrom('R', 'C', 'L'), index, node, node, value)
        .map(([k, i, a, b, v]) => `${k}${i} ${a} ${b} ${v}`),
      fc
        .tuple(index, node, value, fc.constantFrom('', 'AC 1', 'SIN(0 1 1k)', 'PULSE(0 1)', 'PWL(0 0 1 1)'))
        .map(([i, a, v, w]) => `V${i} ${a} 0 ${v} ${w}`),
      fc.tuple(index, node, node, value).map(([i, a, b, v]) => `E${i} ${a} 0 ${b} 0 ${v}`),
      fc.tuple(index, node, fc.constantFrom('v1', 'v2', 'va')).map(([i, a, c]) => `F${i} ${a} 0 ${c} 2`),
      fc
        .tuple(index, node, fc.constantFrom('{v(a)*2}', '{i(v1)}', 'v(a)+time', '{p}'))
        .map(([i, a, e]) => `B${i} ${a} 0 V=${e}`),
      fc
        .tuple(index, node, node, fc.constantFrom('dm', 'qm', 'nope'))
        .map(([i, a, b, m]) => `Q${i} ${a} ${b} 0 ${m}`),
      fc
        .tuple(
          index,
          node,
          fc.constantFrom('s', 't', 'nope'),
          fc.constantFrom('', 'p=2', 'm=2', 'params: p={q}'),
        )
        .map(([i, a, sub, p]) => `X${i} ${a} 0 ${sub} ${p}`),
      fc.constantFrom(
        '.param p=1',
        '.param q={p+1}',
        '.param p={q}',
        '.func f(x) {x+p}',
        '.model dm d',
        '.model qm npn bf 50',
        '.subckt s a b params: p=3',
        '.subckt t a b',
        '.ends',
        '.global vdd',
        '.ic v(a)=1',
        '.op',
        '.tran 1n 1u',
        '.dc v1 0 1 0.1',
        '.ac dec 10 1 1k',
        '.noise v(a) v1 dec 1 1 2',
        '.options reltol=1e-3 gear',
        '.lib x',
        '.endl',
        '.include a.inc',
        'K1 L1 La 0.5',
      ),
    );
    let elaborated = 0;
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        check(`title\n${lines.join('\n')}`);
        try {
          parseAndElaborate(`title\n${lines.join('\n')}`, { readFile });
          elaborated++;
        } catch {
          // counted by check() above
        }
      }),
      { numRuns: 400, seed: 1 },
    );
    // The generator reaches the success paths too, not only errors.
    expect(elaborated).toBeGreaterThan(20);
  });

  it('line shuffles of the valid deck', () => {
    const lines = VALID_DECK.split('\n');
    fc.assert(
      fc.property(fc.shuffledSubarray(lines.slice(1)), (subset) =>
        check(`${lines[0]}\n${subset.join('\n')}`),
      ),
      { numRuns: 300 },
    );
  });

  it('bounds pathological input', () => {
    const deep =
      'title\n' +
      Array.from({ length: 100 }, (_, i) => `.subckt s${i} a\nX1 a s${i + 1}\n`).join('') +
      '.subckt s100 a\nR1 a 0 1\n.ends\n' +
      '.ends\n'.repeat(100);
    check(deep);
    const chain =
      'title\n' +
      Array.from({ length: 80 }, (_, i) => `.subckt c${i} a\nX1 a c${i + 1}\n.ends\n`).join('') +
      '.subckt c80 a\nR1 a 0 1\n.ends\nX1 n c0\n';
    expect(() => parseAndElaborate(chain)).toThrow(/nested more than/);
    // 2^40 instances of empty subcircuits: must stop at the instance limit, not hang.
    const doubling =
      'title\n' +
      Array.from({ length: 40 }, (_, i) => `.subckt d${i} a\nX1 a d${i + 1}\nX2 a d${i + 1}\n.ends\n`).join(
        '',
      ) +
      '.subckt d40 a\n.ends\nX1 n d0\n';
    expect(() => parseAndElaborate(doubling)).toThrow(/more than 100000 subcircuit instances/);
    check('title\n.include a.inc\n');
    check('title\n.lib lib.l x\n');
    check(`title\nR1 a 0 {${'('.repeat(100000)}}`);
    check(`title\nB1 a 0 V=${'-'.repeat(100000)}1`);
    check(`title\nR1 a 0 {${'1+'.repeat(100000)}1}`);
    check(`title\nB1 a 0 V=${'v(a)*'.repeat(20000)}1`);
  });
});
