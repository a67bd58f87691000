import { CircuitError, SpiceError } from '../errors';
import { evaluateExpression, parseAndElaborate } from '../netlist';
import type { ElementCard, FlatCircuit } from './flat';

const flat = (body: string, options = {}): FlatCircuit => parseAndElaborate(`title\n${body}`, options);
const byName = (circuit: FlatCircuit): Map<string, ElementCard> =>
  new Map(circuit.elements.map((e) => [e.name, e]));

function errorOf(fn: () => unknown): SpiceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SpiceError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('parameters', () => {
  it('evaluates .param chains and element expressions', () => {
    const circuit = flat(
      ".param r0=1k gain={r0/100} twice='2*r0'\nR1 a 0 {twice+gain}\nC1 a 0 1u\nR2 a 0 r0",
    );
    expect(circuit.parameters.get('gain')).toBe(10);
    const elements = byName(circuit);
    expect(elements.get('r1')?.value).toBe(2010);
    // HSPICE style: a bare parameter name as the value.
    expect(elements.get('r2')?.value).toBe(1000);
  });

  it('reports an undefined parameter at its line and column', () => {
    const error = errorOf(() => flat('\nR1 a 0 {1k + rx}'));
    expect(error).toBeInstanceOf(CircuitError);
    expect(error.message).toContain("'rx'");
    expect(error.loc).toEqual({ file: '<netlist>', line: 3, column: 14 });
  });

  it('lets .param refer to parameters written later, as ngspice does, and detects cycles', () => {
    expect(flat('.param a={b+1}\n.param b=2').parameters).toEqual(
      new Map([
        ['b', 2],
        ['a', 3],
      ]),
    );
    const cycle = errorOf(() => flat('.param a={b+1}\n.param b={a*2}'));
    expect(cycle.message).toMatch(/'a' depends on itself/);
    expect(cycle.loc).toMatchObject({ line: 2, column: 8 });
    const chain = Array.from({ length: 2000 }, (_, i) => `.param p${i}={p${i + 1}+1}`).join('\n');
    expect(() => flat(`${chain}\n.param p2000=0`)).toThrow(/more than 500 levels/);
    const redefined = flat('.param a=1\n.param a=2');
    expect(redefined.parameters.get('a')).toBe(2);
    expect(redefined.diagnostics[0]).toMatchObject({ loc: { line: 3 } });
  });

  it('looks names up through the enclosing instances (ngspice dynamic scoping)', () => {
    const circuit = flat(
      '.param g=5\n.subckt s a params: p=1\nR1 a 0 {p*g}\n.ends\n.subckt t a params: g=7\nX1 a s\n.ends\nX1 1 t\nX2 1 s',
    );
    expect(circuit.elements.map((e) => [e.name, e.value])).toEqual([
      ['r.x1.x1.r1', 7],
      ['r.x2.r1', 5],
    ]);
  });

  it('rejects non-finite values', () => {
    expect(errorOf(() => flat('R1 a 0 {1/0}')).message).toMatch(/evaluates to Infinity/);
    expect(() => flat('.param x={v(a)}')).toThrow(/cannot be evaluated/);
  });
});

describe('.func', () => {
  it('inlines user functions in parameters, values and B sources', () => {
    const circuit = flat(
      [
        '.func parallel(a, b) {a*b/(a+b)}',
        '.func twice(x) = 2*x',
        ".func vdiff(k) 'k*(v(p) - v(n))'",
        '.param rp={parallel(2k, 2k)}',
        'R1 p 0 {twice(rp)}',
        'B1 n 0 V={vdiff(twice(3)) + parallel(1, 1)}',
        '.subckt s a',
        '.func local(x) {x+1}',
        'R1 a 0 {local(1)*twice(1)}',
        '.ends',
        'X1 p s',
      ].join('\n'),
    );
    expect(circuit.parameters.get('rp')).toBe(1000);
    const elements = byName(circuit);
    expect(elements.get('r1')?.value).toBe(2000);
    expect(elements.get('r.x1.r1')?.value).toBe(4);
    const b = elements.get('b1')!.expression!.expr;
    const scope: Record<string, number> = { 'v(p)': 3, 'v(n)': 1 };
    expect(evaluateExpression(b, (name) => scope[name])).toBe(6 * 2 + 0.5);
  });

  it('reports wrong argument counts, recursion, undefined and built-in names', () => {
    expect(errorOf(() => flat('.func f(a) {a}\nR1 a 0 {f(1, 2)}')).message).toMatch(
      /takes 1 argument\(s\), got 2/,
    );
    expect(() => flat('.func f(a) {f(a)}\nR1 a 0 {f(1)}')).toThrow(/calls itself/);
    expect(() =>
      flat('.func f(a) {a+a}\n.func g(a) {f(f(f(f(a))))}\n.func h(a) {g(g(g(g(g(a)))))}\nR1 a 0 {h(h(1))}'),
    ).toThrow(/more than 100000/);
    expect(() => flat('.subckt s a\n.func f(x) {x}\n.ends\nR1 a 0 {f(1)}')).toThrow(
      /'f' is not defined here/,
    );
    expect(() => flat('.func sqrt(x) {x}')).toThrow(/built-in/);
    expect(() => flat('R1 a 0 {nofunc(1)}')).toThrow(/unknown function 'nofunc'/);
  });
});

describe('subcircuit flattening', () => {
  const deck = [
    '.subckt inner in out',
    'R1 in mid 1k',
    'C1 mid out 1p',
    '.ends',
    '.subckt outer a b',
    'X1 a n1 inner',
    'R2 n1 b 2k',
    '.ends outer',
    'X2 top 0 outer',
    'X3 top gnd inner',
    'V1 top 0 1',
  ].join('\n');

  it('names elements and nodes as ngspice does', () => {
    const circuit = flat(deck);
    const elements = circuit.elements.map((e) => [e.name, e.nodes]);
    expect(elements).toEqual([
      ['r.x2.x1.r1', ['top', 'x2.x1.mid']],
      ['c.x2.x1.c1', ['x2.x1.mid', 'x2.n1']],
      ['r.x2.r2', ['x2.n1', '0']],
      ['r.x3.r1', ['top', 'x3.mid']],
      ['c.x3.c1', ['x3.mid', '0']],
      ['v1', ['top', '0']],
    ]);
    expect(circuit.elements[0].loc).toMatchObject({ line: 3, column: 1 });
  });

  it('evaluates parameters with numparam semantics', () => {
    const circuit = flat(
      [
        '.param scale=2',
        '.subckt res a b params: r=1k half={r/2}',
        '.param doubled={r*scale}',
        'R1 a b {doubled}',
        'R2 a b {half}',
        '.ends',
        '.subckt pair a params: rr=5',
        'X1 a 0 res r={rr*10}',
        '.ends',
        'X1 n 0 res',
        'X2 n 0 res r=4k',
        'X3 n pair rr=7',
      ].join('\n'),
    );
    const values = Object.fromEntries(circuit.elements.map((e) => [e.name, e.value]));
    expect(values).toEqual({
      'r.x1.r1': 2000,
      'r.x1.r2': 500,
      'r.x2.r1': 8000,
      'r.x2.r2': 2000,
      'r.x3.x1.r1': 140,
      'r.x3.x1.r2': 35,
    });
  });

  it('applies an instance multiplier m= to the elements inside, as ngspice does', () => {
    const circuit = flat(
      '.subckt s a\nR1 a 0 1k m=3\nC1 a 0 1p\nE1 a b a 0 2\nX1 a t m=2\n.ends\n.subckt t a\nR5 a 0 1\n.ends\n.subckt p a params: m=1\nR1 a 0 {m}\n.ends\nX1 n s m=2\nX2 n p m=5',
    );
    expect(circuit.elements.map((e) => [e.name, e.params.m])).toEqual([
      ['r.x1.r1', 6],
      ['c.x1.c1', 2],
      ['e.x1.e1', undefined],
      ['r.x1.x1.r5', 4],
      ['r.x2.r1', undefined],
    ]);
    expect(circuit.elements[4].value).toBe(5);
    expect(circuit.diagnostics).toEqual([]);
    expect(() => flat('.subckt s a\nR1 a 0 1\n.ends\nX1 n s m=0')).toThrow(/m must be positive/);
  });

  it('warns about instance parameters the subcircuit does not declare', () => {
    const circuit = flat('.subckt s a\nR1 a 0 1\n.ends\nX1 n s bogus=1');
    expect(circuit.diagnostics[0]).toMatchObject({ severity: 'warning', loc: { line: 5 } });
  });

  it('keeps definitions inside definitions local', () => {
    const local = [
      '.subckt outer a',
      '.subckt leaf x',
      'R1 x 0 1',
      '.ends',
      'X1 a leaf',
      '.ends',
      'X9 n outer',
    ].join('\n');
    // ngspice expands instances of local definitions inside the definition: the letter prefix appears twice.
    expect(flat(local).elements.map((e) => e.name)).toEqual(['r.x9.r.x1.r1']);
    const error = errorOf(() => flat(`${local}\nX2 n leaf`));
    expect(error.message).toMatch(/'leaf' used by x2 is not defined/);
    expect(error.loc).toMatchObject({ line: 9, column: 6 });
  });

  it('names elements of local definitions as ngspice 39 does (letter prefix twice)', () => {
    // Checked with `listing expand` in ngspice 39: d.x1.d.x3.d9, v.x1.v.x3.v9, d.x1.x3.x5.d1, nodes x1.x3.m.
    const circuit = flat(
      [
        '.subckt leaf a',
        'D1 a n dl',
        '.model dl d',
        '.ends',
        '.subckt mid a',
        '.subckt local x',
        'D9 x m dloc',
        '.model dloc d',
        'V9 m 0 0',
        'F9 x 0 V9 2',
        'X5 x leaf',
        '.ends',
        'X3 a local',
        '.ends',
        'X1 in mid',
      ].join('\n'),
    );
    expect(circuit.elements.map((e) => [e.name, e.nodes])).toEqual([
      ['d.x1.d.x3.d9', ['in', 'x1.x3.m']],
      ['v.x1.v.x3.v9', ['x1.x3.m', '0']],
      ['f.x1.f.x3.f9', ['in', '0']],
      ['d.x1.x3.x5.d1', ['in', 'x1.x3.x5.n']],
    ]);
    expect(circuit.elements[2].controls).toEqual(['v.x1.v.x3.v9']);
  });

  it('ground aliases and .global nodes are not prefixed', () => {
    const circuit = flat('.global vdd\n.subckt s a\nR1 vdd a 1\nR2 a GND 1\nR3 a 0 1\n.ends\nX1 n s');
    expect(circuit.elements.map((e) => e.nodes)).toEqual([
      ['vdd', 'n'],
      ['n', '0'],
      ['n', '0'],
    ]);
  });

  it('a port named like a .global node is the global node, with a warning (as ngspice)', () => {
    const circuit = flat('.global vdd\n.subckt s vdd out\nR1 vdd out 1k\n.ends\nX1 a o s\nX2 b p s');
    expect(circuit.elements.map((e) => e.nodes)).toEqual([
      ['vdd', 'o'],
      ['vdd', 'p'],
    ]);
    expect(circuit.diagnostics).toMatchObject([{ severity: 'warning', loc: { line: 3, column: 11 } }]);
  });

  it('scopes models to the instance that defines them', () => {
    const circuit = flat(
      [
        '.model dtop d is=1e-14',
        '.subckt s a params: n=1',
        '.model dloc d is=1e-15 n={n}',
        'D1 a 0 dloc',
        'D2 a 0 dtop',
        '.ends',
        'X1 p s n=2',
        'X2 p s',
        'D3 p 0 dtop',
      ].join('\n'),
    );
    expect([...circuit.models.keys()]).toEqual(['dtop', 'x1.dloc', 'x2.dloc']);
    expect(circuit.models.get('x1.dloc')).toMatchObject({ type: 'd', params: { is: 1e-15, n: 2 } });
    expect(circuit.models.get('x2.dloc')?.params.n).toBe(1);
    expect(circuit.elements.map((e) => e.model)).toEqual(['x1.dloc', 'dtop', 'x2.dloc', 'dtop', 'dtop']);
  });

  it('chooses model bins by l and w', () => {
    const models = [
      '.model nch.1 nmos level=1 lmin=0.1u lmax=1u wmin=0.1u wmax=10u vto=0.4',
      '.model nch.2 nmos level=1 lmin=1u lmax=10u wmin=0.1u wmax=10u vto=0.5',
    ].join('\n');
    const circuit = flat(
      `${models}\nM1 d g 0 0 nch l=0.5u w=1u\nM2 d g 0 0 nch l=1u w=1u\nM3 d g 0 0 nch l=10u w=10u`,
    );
    expect(circuit.elements.map((e) => e.model)).toEqual(['nch.1', 'nch.2', 'nch.2']);
    expect(() => flat(`${models}\nM1 d g 0 0 nch l=20u w=1u`)).toThrow(
      /no bin of model 'nch' covers l=0.00002/,
    );
    expect(() => flat(`${models}\nM1 d g 0 0 nch`)).toThrow(/does not give both l= and w=/);
  });

  it('flattens B-source expressions and F/H/W/K references', () => {
    const circuit = flat(
      [
        '.param k=3',
        '.subckt s in out',
        'Vs in mid 0',
        'L1 mid out 1u',
        'L2 out 0 1u',
        'K1 L1 L2 0.9',
        'F1 out 0 Vs 2',
        'B1 out 0 I={k*v(in,mid) + i(Vs) + v(0) + time}',
        '.ends',
        'X1 a b s',
      ].join('\n'),
    );
    const elements = byName(circuit);
    expect(elements.get('k.x1.k1')?.controls).toEqual(['l.x1.l1', 'l.x1.l2']);
    expect(elements.get('f.x1.f1')?.controls).toEqual(['v.x1.vs']);
    expect(elements.get('b.x1.b1')?.expression).toEqual({
      quantity: 'i',
      expr: {
        type: 'binary',
        op: '+',
        left: {
          type: 'binary',
          op: '+',
          left: {
            type: 'binary',
            op: '+',
            left: {
              type: 'binary',
              op: '*',
              left: { type: 'num', value: 3 },
              right: {
                type: 'call',
                name: 'v',
                args: [
                  { type: 'var', name: 'a' },
                  { type: 'var', name: 'x1.mid' },
                ],
              },
            },
            right: { type: 'call', name: 'i', args: [{ type: 'var', name: 'v.x1.vs' }] },
          },
          right: { type: 'call', name: 'v', args: [{ type: 'var', name: '0' }] },
        },
        right: { type: 'var', name: 'time' },
      },
    });
  });

  it('detects undefined subcircuits, wrong pin counts and recursion', () => {
    expect(errorOf(() => flat('X1 a b nosuch')).loc).toMatchObject({ line: 2, column: 8 });
    const pins = errorOf(() => flat('.subckt s a b\nR1 a b 1\n.ends\nX1 n s'));
    expect(pins.message).toMatch(/connects 1 node\(s\) but subcircuit 's' has 2 port/);
    expect(pins.loc).toMatchObject({ line: 5, column: 1 });
    const recursion = errorOf(() => flat('.subckt a n\nX1 n b\n.ends\n.subckt b n\nX1 n a\n.ends\nX1 0 a'));
    expect(recursion.message).toMatch(/instantiates itself/);
    expect(recursion.loc).toMatchObject({ line: 6 });
  });

  it('detects missing models and duplicate element names', () => {
    const model = errorOf(() => flat('D1 a 0 dnone'));
    expect(model.message).toMatch(/model 'dnone' used by d1 is not defined/);
    expect(model.loc).toMatchObject({ line: 2, column: 8 });
    const duplicate = errorOf(() => flat('R1 a 0 1\nr1 b 0 2'));
    expect(duplicate.message).toMatch(/'r1' is defined twice/);
    expect(duplicate.loc).toMatchObject({ line: 3 });
    expect(() => flat('.subckt s a\nR1 a 0 1\n.ends\nX1 a s\nX1 b s')).toThrow(/'r.x1.r1' is defined twice/);
  });

  it('checks controlling sources', () => {
    expect(() => flat('F1 a 0 vnone 2')).toThrow(/voltage source 'vnone', which does not exist/);
    expect(() => flat('R9 a 0 1\nH1 a 0 r9 2')).toThrow(/is not a voltage source/);
    expect(() => flat('L1 a 0 1u\nK1 L1 L2 0.5')).toThrow(/'l2', which does not exist/);
    expect(() => flat('B1 a 0 V={i(vx)}')).toThrow(/no element 'vx'/);
  });
});

describe('element cards', () => {
  it('carries source data, params and positional extras', () => {
    const circuit = flat(
      [
        'V1 a 0 DC 1 AC 2 PULSE(0 1 0 1n 1n 1u 2u)',
        'I1 a 0 SIN(0 1m 1k)',
        'V2 b 0 PWL(0 0 1m 1) r=0',
        'R1 a b r=2k tc=1m,2u',
        'C1 a 0 1p ic=2',
        'D1 a 0 dm 3 off',
        'Q1 c b e qm ic=0.6,5',
        'S1 a 0 c 0 sm on',
        'E1 a 0 POLY(1) b 0 0 2',
        'G1 a 0 TABLE {v(b)*2} = (0,0) (1,1m)',
        '.model dm d',
        '.model qm npn',
        '.model sm sw',
      ].join('\n'),
    );
    const elements = byName(circuit);
    expect(elements.get('v1')?.source).toEqual({
      dc: 1,
      acMag: 2,
      acPhase: 0,
      waveform: { type: 'pulse', args: [0, 1, 0, 1e-9, 1e-9, 1e-6, 2e-6] },
    });
    expect(elements.get('i1')?.source).toEqual({ waveform: { type: 'sin', args: [0, 1e-3, 1e3] } });
    expect(elements.get('v2')?.source?.waveform?.options).toEqual({ r: 0 });
    expect(elements.get('r1')).toMatchObject({ value: 2000, params: { tc1: 1e-3, tc2: 2e-6 } });
    expect(elements.get('c1')).toMatchObject({ value: 1e-12, params: { ic: 2 } });
    expect(elements.get('d1')).toMatchObject({ model: 'dm', params: { area: 3, off: 1 } });
    expect(elements.get('q1')?.params).toEqual({ ic: 0.6, ic2: 5 });
    expect(elements.get('s1')).toMatchObject({ nodes: ['a', '0', 'c', '0'], params: { on: 1 } });
    expect(elements.get('e1')).toMatchObject({
      nodes: ['a', '0', 'b', '0'],
      poly: { dimension: 1, coefficients: [0, 2] },
    });
    expect(elements.get('g1')?.table).toEqual({
      expr: {
        type: 'binary',
        op: '*',
        left: { type: 'call', name: 'v', args: [{ type: 'var', name: 'b' }] },
        right: { type: 'num', value: 2 },
      },
      points: [
        [0, 0],
        [1, 1e-3],
      ],
    });
  });
});

describe('circuit-level statements', () => {
  it('analyses, options, temperatures, ic, nodeset, saves and prints', () => {
    const circuit = flat(
      [
        '.param tstop=1m',
        'V1 in 0 1',
        'R1 in out 1k',
        'C1 out 0 1u',
        '.op',
        '.dc V1 0 5 {5/50}',
        '.ac oct 5 10 1meg',
        '.tran 1u {tstop} 0 2u uic',
        '.noise v(out) v1 dec 10 1 1k',
        '.options reltol=1e-4 method=gear noacct',
        '.temp 0 27',
        '.ic v(out)=0.5',
        '.nodeset V(IN)=1',
        '.save v(out) i(v1)',
        '.print tran v(out)',
      ].join('\n'),
    );
    expect(circuit.analyses.map((a) => a.kind)).toEqual(['op', 'dc', 'ac', 'tran', 'other']);
    expect(circuit.analyses[1]).toMatchObject({ sweeps: [{ source: 'v1', start: 0, stop: 5, step: 0.1 }] });
    expect(circuit.analyses[2]).toMatchObject({ variation: 'oct', points: 5, fstart: 10, fstop: 1e6 });
    expect(circuit.analyses[3]).toMatchObject({ tstep: 1e-6, tstop: 1e-3, tstart: 0, tmax: 2e-6, uic: true });
    expect(circuit.analyses[4]).toMatchObject({
      name: 'noise',
      args: ['v', '(', 'out', ')', 'v1', 'dec', '10', '1', '1k'],
    });
    expect(circuit.options).toEqual({ reltol: 1e-4, method: 'gear', noacct: true });
    expect(circuit.temperatures).toEqual([0, 27]);
    expect(circuit.initialConditions).toEqual(new Map([['out', 0.5]]));
    expect(circuit.nodesets).toEqual(new Map([['in', 1]]));
    expect(circuit.saves).toEqual(['v(out)', 'i(v1)']);
    expect(circuit.prints).toMatchObject([{ analysis: 'tran', vectors: ['v(out)'] }]);
    // Line 12: `.temp 0 27` is kept as written but warned about (ngspice ignores a .temp list).
    expect(circuit.diagnostics.map((d) => d.loc?.line)).toEqual([10, 12]);
  });

  it('rejects analyses of things that do not exist or cannot run', () => {
    expect(errorOf(() => flat('R1 a 0 1\n.dc vx 0 1 0.1')).loc).toMatchObject({ line: 3, column: 5 });
    expect(() => flat('.ac dec 0 1 10')).toThrow(/at least 1 point/);
    expect(() => flat('.ac dec 10 0 10')).toThrow(/start frequency above 0/);
    expect(() => flat('.tran 0 1m')).toThrow(/step must be positive/);
  });

  it('flattens .ic inside subcircuits and warns about other statements there', () => {
    const circuit = flat('.subckt s a\nC1 a m 1p\nR1 m 0 1\n.ic v(m)=2\n.tran 1n 1u\n.ends\nX1 n s\nX2 n s');
    expect(circuit.initialConditions).toEqual(
      new Map([
        ['x1.m', 2],
        ['x2.m', 2],
      ]),
    );
    expect(circuit.analyses).toHaveLength(0);
    expect(circuit.diagnostics).toMatchObject([{ severity: 'warning', loc: { line: 6 } }]);
  });

  it('splits tc=a into tc1', () => {
    expect(flat('R1 a 0 1 tc=0.5').elements[0].params).toEqual({ tc1: 0.5 });
  });

  it('warns when .ic names an unknown node', () => {
    const circuit = flat('R1 a 0 1\n.ic v(b)=1');
    expect(circuit.diagnostics[0]).toMatchObject({ severity: 'warning', loc: { line: 3 } });
  });
});
