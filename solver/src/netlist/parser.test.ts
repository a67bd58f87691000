import { ParseError, SpiceError } from '../errors';
import type { ElementStatement, Netlist, Statement } from './ast';
import { parseNetlist, resolveIncludePath } from './parser';

const parse = (body: string, options = {}): Netlist => parseNetlist(`title\n${body}`, options);
const elements = (netlist: Netlist): ElementStatement[] =>
  netlist.statements.filter((s): s is ElementStatement => s.type === 'element');
const only = (body: string): ElementStatement => {
  const list = elements(parse(body));
  expect(list).toHaveLength(1);
  return list[0];
};
const num = (value: number) => expect.objectContaining({ kind: 'number', value });

/** Runs `fn` and returns the SpiceError it throws. */
function errorOf(fn: () => unknown): SpiceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SpiceError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('locations', () => {
  it('every AST node carries a location inside the deck', () => {
    const deck = [
      'title',
      '.param a=1 b={a*2}',
      '.func f(x) {x+1}',
      '.subckt s in out params: g=2',
      '.model dm d (is=1e-14)',
      'R1 in out {g} tc=1,2',
      'D1 out 0 dm 2 off',
      '.ends',
      'X1 1 2 s g=3',
      'V1 1 0 DC 1 AC 1 0 PWL(0 0 1 1) r=0',
      'I1 1 0',
      'E1 2 0 POLY(1) 1 0 0 1',
      'G1 2 0 TABLE {v(1)} = (0,0) (1,1)',
      'B1 3 0 V=v(1)*2',
      'F1 3 0 V1 2',
      'K1 L1 L2 0.5',
      'Q1 c b e qm',
      '.options reltol=1e-3 method=gear post',
      '.temp 27',
      '.ic v(1)=0',
      '.global vdd',
      '.save v(1)',
      '.print tran v(1)',
      '.op',
      '.dc V1 0 1 0.1',
      '.ac dec 10 1 1k',
      '.tran 1n 1u',
      '.noise v(1) v1 dec 10 1 1k',
    ].join('\n');
    const netlist = parseNetlist(deck, { fileName: 'deck.cir' });
    const expressionTypes = new Set(['num', 'var', 'call', 'unary', 'binary', 'ternary']);
    let checked = 0;
    const visit = (value: unknown, path: string): void => {
      if (Array.isArray(value)) {
        value.forEach((item, index) => visit(item, `${path}[${index}]`));
        return;
      }
      if (value === null || typeof value !== 'object') return;
      const node = value as Record<string, unknown>;
      if (typeof node.type === 'string' && expressionTypes.has(node.type)) return;
      if ('line' in node && 'column' in node && 'file' in node) return;
      const loc = node.loc as { file: string; line: number; column: number } | undefined;
      if (path !== 'netlist.diagnostics') {
        expect({ path, hasLoc: loc !== undefined }).toEqual({ path, hasLoc: true });
        expect(loc!.file).toBe('deck.cir');
        expect(loc!.line).toBeGreaterThanOrEqual(1);
        expect(loc!.line).toBeLessThanOrEqual(28);
        expect(loc!.column).toBeGreaterThanOrEqual(1);
        checked++;
      }
      for (const [key, child] of Object.entries(node))
        if (key !== 'loc' && key !== 'expr') visit(child, `${path}.${key}`);
    };
    visit(netlist.statements, 'netlist.statements');
    expect(checked).toBeGreaterThan(100);
  });
});

describe('lines, comments, continuation', () => {
  it('reads the first line as the title whatever it contains', () => {
    const netlist = parseNetlist('R1 a b 1k\nR2 a 0 2k\n');
    expect(netlist.title).toBe('R1 a b 1k');
    expect(elements(netlist).map((e) => e.name)).toEqual(['r2']);
  });

  it('reads a DOS end-of-file mark (Ctrl-Z) as blank, as vendor model files end with one', () => {
    const netlist = parseNetlist('title\r\nR1 a 0 1k\r\n.ends\x1a'.replace('.ends', 'R2 a 0 2k'));
    expect(elements(netlist).map((e) => e.name)).toEqual(['r1', 'r2']);
    expect(elements(parseNetlist('title\nR1 a 0 1k\n\x1a\n')).map((e) => e.name)).toEqual(['r1']);
  });

  it('skips * lines, blank lines, ; and $ comments, joins + lines, stops at .end', () => {
    const netlist = parse(
      [
        '* a comment',
        '',
        '   * indented comment',
        'R1 a b 1k ; trailing',
        'R2 a b',
        '* between',
        '+ 2k $ hspice comment',
        'R3 a$b c 3k',
        '.END',
        'R4 ignored 0 1',
      ].join('\n'),
    );
    const list = elements(netlist);
    expect(list.map((e) => e.name)).toEqual(['r1', 'r2', 'r3']);
    expect(list[1].value).toEqual(num(2000));
    expect(list[1].value!.loc).toEqual({ file: '<netlist>', line: 8, column: 3 });
    expect(list[2].nodes.map((n) => n.name)).toEqual(['a$b', 'c']);
  });

  it('is case-insensitive and handles CRLF', () => {
    const list = elements(parseNetlist('t\r\nRLOAD OUT Gnd 1K\r\n.END\r\n'));
    expect(list[0].name).toBe('rload');
    expect(list[0].nodes.map((n) => n.name)).toEqual(['out', 'gnd']);
  });

  it('ignores a byte order mark in included files and decks', () => {
    const netlist = parseNetlist('\uFEFFtitle\n.include m.inc', { readFile: () => '\uFEFF.model d1 d\n' });
    expect(netlist.title).toBe('title');
    expect(netlist.statements).toMatchObject([{ type: 'model', name: 'd1', loc: { line: 1, column: 1 } }]);
  });

  it('rejects a continuation with nothing to continue', () => {
    const error = errorOf(() => parse('+ 1k'));
    expect(error).toBeInstanceOf(ParseError);
    expect(error.loc).toEqual({ file: '<netlist>', line: 2, column: 1 });
  });

  it('points at the token in continuation lines', () => {
    const error = errorOf(() => parse('R1 a b\n+ r=1k\n+   tc1=#'));
    expect(error.loc).toMatchObject({ line: 4, column: 9 });
  });
});

describe('.param and values', () => {
  it('parses {expr}, quoted and bare expressions', () => {
    const netlist = parse(".param a=1k b={a*2} c='a+b' d = 3\nR1 1 0 {a*b}\nR2 1 0 'c'\nR3 1 0 r=2*a");
    const param = netlist.statements[0] as Extract<Statement, { type: 'param' }>;
    expect(param.assignments.map((a) => a.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(param.assignments[0].value).toEqual(num(1000));
    expect(param.assignments[1].value).toMatchObject({ kind: 'expr', text: 'a*2' });
    expect(param.assignments[1].value.loc).toMatchObject({ line: 2, column: 15 });
    const list = elements(netlist);
    expect(list[0].value).toMatchObject({ kind: 'expr', text: 'a*b' });
    expect(list[2].params[0]).toMatchObject({ name: 'r', value: { kind: 'expr', text: '2*a' } });
  });

  it('reports syntax errors inside braces at the exact column', () => {
    const error = errorOf(() => parse('R1 1 0 {2 * * 3}'));
    expect(error).toBeInstanceOf(ParseError);
    expect(error.loc).toMatchObject({ line: 2, column: 13 });
  });

  it('rejects unterminated braces and quotes', () => {
    expect(errorOf(() => parse('R1 1 0 {2*3')).loc).toMatchObject({ line: 2, column: 8 });
    expect(errorOf(() => parse("R1 1 0 '2*3")).loc).toMatchObject({ line: 2, column: 8 });
  });
});

describe('elements', () => {
  it('R with value, model, and parameters', () => {
    const r = only('R1 a b 10k tc1=0.001 tc2=1e-6 m=2 temp=50');
    expect(r.value).toEqual(num(1e4));
    expect(r.params.map((p) => p.name)).toEqual(['tc1', 'tc2', 'm', 'temp']);
    const r2 = only('R2 a b rmod l=10u w=1u');
    expect(r2.model?.name).toBe('rmod');
    expect(r2.value).toBeUndefined();
    const r3 = only('R3 a b r=5');
    expect(r3.params[0].name).toBe('r');
    const r4 = only('R4 a b 1k tc=0.1,0.01');
    expect(r4.params[0]).toMatchObject({ name: 'tc', value: num(0.1), rest: [num(0.01)] });
    expect(() => parse('R5 a b 1k 2k')).toThrow(/unexpected '2k'/);
    expect(only('R6 a b 2*rload').value).toMatchObject({ kind: 'expr', text: '2*rload' });
    expect(only('R7 a b sqrt(rload) m=2').value).toMatchObject({ kind: 'expr', text: 'sqrt(rload)' });
    expect(only('R8 a b my-model').model?.name).toBe('my-model');
  });

  it('R/C/L without a value is an error at the element', () => {
    const error = errorOf(() => parse('\nR1 a b'));
    expect(error).toBeInstanceOf(ParseError);
    expect(error.message).toMatch(/no resistance/);
    expect(error.loc).toMatchObject({ line: 3, column: 1 });
    expect(() => parse('C1 a b')).toThrow(/capacitance/);
    expect(() => parse('L1 a b')).toThrow(/inductance/);
  });

  it('wrong node counts give ParseErrors naming the line', () => {
    expect(errorOf(() => parse('R1 a')).message).toMatch(/needs 2 nodes, found 1/);
    expect(errorOf(() => parse('M1 d g s nch')).message).toMatch(/needs 4 nodes/);
    expect(errorOf(() => parse('E1 a b c')).message).toMatch(/needs 4 nodes, found 3/);
    expect(errorOf(() => parse('R1 a (3')).loc).toMatchObject({ line: 2, column: 6 });
    expect(errorOf(() => parse('R1 a = 3')).message).toMatch(/needs 2 nodes, found 0/);
  });

  it('C and L with initial conditions', () => {
    const c = only('C1 a b 1p ic=0.5 m=2');
    expect(c.value).toEqual(num(1e-12));
    expect(c.params.map((p) => [p.name, (p.value as { value: number }).value])).toEqual([
      ['ic', 0.5],
      ['m', 2],
    ]);
    expect(only('L1 a b 1u ic=1m').params[0]).toMatchObject({ name: 'ic', value: num(1e-3) });
  });

  it('K couples two inductors', () => {
    const k = only('K1 L1 L2 0.99');
    expect(k.controls?.map((c) => c.name)).toEqual(['l1', 'l2']);
    expect(k.value).toEqual(num(0.99));
    expect(() => parse('K1 L1 R2 0.9')).toThrow(/not an inductor/);
  });

  describe('independent sources', () => {
    it.each([
      ['V1 a 0 5', { dc: 5 }],
      ['V1 a 0 DC 5', { dc: 5 }],
      ['V1 a 0 dc=5', { dc: 5 }],
      ['V1 a 0 DC=5 AC=1,90', { dc: 5, acMag: 1, acPhase: 90 }],
      ['V1 a 0 5 6', null],
      ['V1 a 0 AC 1 2 3', null],
      ['V1 a 0 AC 1', { acMag: 1 }],
      ['V1 a 0 AC', { acMag: 1 }],
      ['V1 a 0 DC 1 AC 2 45', { dc: 1, acMag: 2, acPhase: 45 }],
      ['I1 a 0 1m AC 1 0', { dc: 1e-3, acMag: 1, acPhase: 0 }],
      ['V1 a 0 vsupply', { dc: undefined }],
      ['V1 a 0 AC acmag', { acMag: undefined }],
      ['V1 a 0 DC 1 AC acmag acphase', { dc: 1, acMag: undefined, acPhase: undefined }],
    ])('%s', (line, expected) => {
      if (expected === null) {
        expect(() => parse(line)).toThrow(ParseError);
        return;
      }
      const source = only(line).source!;
      for (const [key, value] of Object.entries(expected)) {
        const actual = (source as unknown as Record<string, { kind: string; value?: number }>)[key];
        if (value === undefined) expect(actual.kind).toBe('expr');
        else expect(actual.value).toBe(value);
      }
    });

    it.each([
      ['PULSE(0 5 1n 2n 3n 5u 10u)', 'pulse', [0, 5, 1e-9, 2e-9, 3e-9, 5e-6, 1e-5]],
      ['pulse 0 5 1n 2n 3n 5u 10u 3', 'pulse', [0, 5, 1e-9, 2e-9, 3e-9, 5e-6, 1e-5, 3]],
      ['PULSE(0, 5, 1n, 2n)', 'pulse', [0, 5, 1e-9, 2e-9]],
      ['SIN(0 1 1k 1m 10 90)', 'sin', [0, 1, 1e3, 1e-3, 10, 90]],
      ['sin 0 1 1k', 'sin', [0, 1, 1e3]],
      ['EXP(0 1 1u 1u 5u 1u)', 'exp', [0, 1, 1e-6, 1e-6, 5e-6, 1e-6]],
      ['PWL(0 0 1u 1 2u 0)', 'pwl', [0, 0, 1e-6, 1, 2e-6, 0]],
      ['PWL((0,0) (1u,1))', 'pwl', [0, 0, 1e-6, 1]],
      ['SFFM(0 1 1k 5 100)', 'sffm', [0, 1, 1e3, 5, 100]],
      ['AM(1 0 100 1k 0)', 'am', [1, 0, 100, 1e3, 0]],
    ])('waveform %s', (text, type, args) => {
      const waveform = only(`V1 a 0 ${text}`).source!.waveform!;
      expect(waveform.type).toBe(type);
      expect(waveform.args.map((arg) => (arg as { value: number }).value)).toEqual(args);
    });

    it('DC and AC with a waveform, PWL options, expression arguments', () => {
      const source = only('V1 a 0 DC 0 AC 1 SIN(0 {amp} 1k) ').source!;
      expect(source.dc).toEqual(num(0));
      expect(source.waveform!.args[1]).toMatchObject({ kind: 'expr', text: 'amp' });
      const pwl = only('V2 a 0 PWL(0 0 1 1) r=0 td=1m').source!.waveform!;
      expect(pwl.options.map((o) => o.name)).toEqual(['r', 'td']);
    });

    it('a source without value is DC 0 with a warning', () => {
      const netlist = parse('V1 a 0');
      expect(elements(netlist)[0].source!.dc).toEqual(num(0));
      expect(netlist.diagnostics[0]).toMatchObject({ severity: 'warning', loc: { line: 2 } });
    });

    it('bad waveforms are errors', () => {
      expect(() => parse('V1 a 0 PULSE(0 1')).toThrow(/no closing/);
      expect(() => parse('V1 a 0 PWL(0 0 1)')).toThrow(/pairs/);
      expect(() => parse('V1 a 0 SIN(0)')).toThrow(/at least 3/);
      expect(errorOf(() => parse('V1 a 0 5 junk')).loc).toMatchObject({ line: 2, column: 10 });
    });
  });

  describe('controlled sources', () => {
    it('linear E/G/F/H', () => {
      const e = only('E1 out 0 in 0 10');
      expect(e.nodes.map((n) => n.name)).toEqual(['out', '0', 'in', '0']);
      expect(e.value).toEqual(num(10));
      const g = only('G1 out 0 in 0 1m');
      expect(g.value).toEqual(num(1e-3));
      const f = only('F1 out 0 Vsense 2');
      expect(f.controls?.map((c) => c.name)).toEqual(['vsense']);
      expect(f.value).toEqual(num(2));
      expect(only('H1 out 0 vs 1k').value).toEqual(num(1e3));
    });

    it('VALUE expressions, braced and bare', () => {
      const e = only('E1 out 0 VALUE={v(in)*2}');
      expect(e.expression).toMatchObject({ quantity: 'v', text: 'v(in)*2' });
      const g = only("G1 out 0 value='v(a,b)/1k'");
      expect(g.expression?.quantity).toBe('i');
      const bare = only('E2 out 0 value = v(in) * 3');
      expect(bare.expression?.expr).toMatchObject({ type: 'binary', op: '*' });
    });

    it('POLY', () => {
      const e = only('E1 out 0 POLY(2) a 0 b 0 0 1 1');
      expect(e.nodes.map((n) => n.name)).toEqual(['out', '0', 'a', '0', 'b', '0']);
      expect(e.poly?.dimension).toBe(2);
      expect(e.poly?.coefficients.map((c) => (c as { value: number }).value)).toEqual([0, 1, 1]);
      const f = only('F1 out 0 POLY(2) v1 v2 0 1 0.5');
      expect(f.controls?.map((c) => c.name)).toEqual(['v1', 'v2']);
      expect(() => parse('E1 out 0 POLY(2) a 0 b')).toThrow(/needs 4 controlling nodes/);
      expect(() => parse('E1 out 0 POLY(x) a 0')).toThrow(/POLY dimension/);
    });

    it('POLY controls grouped in parentheses, as PSpice vendor models write them', () => {
      const e = only('EGND 99 0 POLY(2) (3,0) (4,0) 0 .5 .5');
      expect(e.nodes.map((n) => n.name)).toEqual(['99', '0', '3', '0', '4', '0']);
      expect(e.poly?.coefficients.map((c) => (c as { value: number }).value)).toEqual([0, 0.5, 0.5]);
      const f = only('FB 7 99 POLY(2) (VB) (VC) 0 1 -1');
      expect(f.controls?.map((c) => c.name)).toEqual(['vb', 'vc']);
    });

    it('TABLE', () => {
      const e = only('E1 out 0 TABLE {v(in)} = (0,0) (1, 2) (2,3)');
      expect(
        e.table?.points.map(([x, y]) => [(x as { value: number }).value, (y as { value: number }).value]),
      ).toEqual([
        [0, 0],
        [1, 2],
        [2, 3],
      ]);
      expect(() => parse('E1 out 0 TABLE {v(in)} = (0,0) (1)')).toThrow(/pairs/);
    });
  });

  it('semiconductors', () => {
    const d = only('D1 a k dmod 2 off ic=0.6');
    expect(d.model?.name).toBe('dmod');
    expect(d.area).toEqual(num(2));
    expect(d.flags.map((f) => f.name)).toEqual(['off']);
    const j = only('J1 d g s jmod');
    expect(j.nodes).toHaveLength(3);
    const m = only('M1 d g s b nch l=1u w=10u ad=1p as=1p pd=1u ps=1u nrd=1 nrs=1 m=2');
    expect(m.nodes).toHaveLength(4);
    expect(m.params.map((p) => p.name)).toEqual(['l', 'w', 'ad', 'as', 'pd', 'ps', 'nrd', 'nrs', 'm']);
    expect(() => parse('D1 a k')).toThrow(/missing model name/);
    expect(errorOf(() => parse('D1 a k')).loc).toMatchObject({ line: 2, column: 1 });
  });

  it('Q: the fourth word is the model when a model of that name exists (ngspice rule)', () => {
    const threeNodes = elements(parse('Q1 c b e sub\n.model sub npn'))[0];
    expect(threeNodes.nodes.map((n) => n.name)).toEqual(['c', 'b', 'e']);
    expect(threeNodes.model?.name).toBe('sub');
    const fourNodes = elements(parse('Q1 c b e sub qn 1.5\n.model qn npn'))[0];
    expect(fourNodes.nodes.map((n) => n.name)).toEqual(['c', 'b', 'e', 'sub']);
    expect(fourNodes.model?.name).toBe('qn');
    expect(fourNodes.area).toEqual(num(1.5));
    const area = elements(parse('Q1 c b e qn 2'))[0];
    expect(area.model?.name).toBe('qn');
    expect(area.area).toEqual(num(2));
  });

  it('switches', () => {
    const s = only('S1 a b c d swmod ON');
    expect(s.nodes).toHaveLength(4);
    expect(s.flags.map((f) => f.name)).toEqual(['on']);
    const w = only('W1 a b vctl wmod off');
    expect(w.controls?.map((c) => c.name)).toEqual(['vctl']);
    expect(w.model?.name).toBe('wmod');
  });

  it('B sources', () => {
    const b = only('B1 out 0 V={v(a)*sin(time)}');
    expect(b.expression).toMatchObject({ quantity: 'v', text: 'v(a)*sin(time)' });
    const i = only('B2 out 0 I=v(a)/1k + i(v1) tc1=0.1');
    expect(i.expression?.quantity).toBe('i');
    expect(i.params.map((p) => p.name)).toEqual(['tc1']);
    expect(() => parse('B1 a 0')).toThrow(/no V= or I=/);
    expect(errorOf(() => parse('B1 a 0 V={v(a) +}')).loc).toMatchObject({ line: 2, column: 17 });
  });

  it('X instances with and without params:', () => {
    const x = only('X1 in out mid amp params: gain=2 r={rr}');
    expect(x.nodes.map((n) => n.name)).toEqual(['in', 'out', 'mid']);
    expect(x.model?.name).toBe('amp');
    expect(x.params.map((p) => p.name)).toEqual(['gain', 'r']);
    expect(only('X2 a b inv w=2').params[0].name).toBe('w');
    expect(() => parse('X1 w=1')).toThrow(/names no subcircuit/);
  });

  it('unknown element letters are errors', () => {
    const error = errorOf(() => parse('T1 a 0 b 0 z0=50 td=1n'));
    expect(error.message).toMatch(/element type 'T'/);
    expect(error.loc).toMatchObject({ line: 2, column: 1 });
  });
});

describe('dot-commands', () => {
  it('.subckt with ports, params and nesting', () => {
    const netlist = parse(
      [
        '.subckt outer a b params: w=1 l=2',
        '.subckt inner x',
        'R1 x 0 1',
        '.ends inner',
        'X1 a inner',
        '.ends',
        'X1 1 2 outer',
      ].join('\n'),
    );
    const outer = netlist.statements[0] as Extract<Statement, { type: 'subckt' }>;
    expect(outer.name).toBe('outer');
    expect(outer.ports.map((p) => p.name)).toEqual(['a', 'b']);
    expect(outer.params.map((p) => p.name)).toEqual(['w', 'l']);
    expect(outer.body.map((s) => s.type)).toEqual(['subckt', 'element']);
    expect(netlist.statements).toHaveLength(2);
    const noKeyword = parse('.subckt s a b w=1\n.ends').statements[0] as Extract<
      Statement,
      { type: 'subckt' }
    >;
    expect(noKeyword.ports).toHaveLength(2);
    expect(noKeyword.params[0].name).toBe('w');
  });

  it('unbalanced .subckt/.ends', () => {
    expect(errorOf(() => parse('.subckt s a\nR1 a 0 1')).loc).toMatchObject({ line: 2 });
    expect(errorOf(() => parse('.ends')).loc).toMatchObject({ line: 2 });
  });

  it('.model in both spellings', () => {
    const netlist = parse(
      [
        '.model d1 D (is=1e-14 n=1.05)',
        '.model d2 d is=1e-15, rs=10',
        '.model nch NMOS level=1 vto=0.7 kp=50u',
        '.model sw1 sw(vt=1 vh=0.1)',
        '.model q1 npn(bf=100 +',
        '+ is=1e-16)',
      ].join('\n'),
    );
    const models = netlist.statements as Array<Extract<Statement, { type: 'model' }>>;
    expect(models.map((m) => [m.name, m.modelType, m.params.map((p) => p.name)])).toEqual([
      ['d1', 'd', ['is', 'n']],
      ['d2', 'd', ['is', 'rs']],
      ['nch', 'nmos', ['level', 'vto', 'kp']],
      ['sw1', 'sw', ['vt', 'vh']],
      ['q1', 'npn', ['bf', 'is']],
    ]);
    expect(netlist.diagnostics.some((d) => d.message.includes("'+'"))).toBe(true);
    expect(() => parse('.model x')).toThrow(/needs a type/);
    const spice2 = parse('.MODEL Q1 NPN BF 20 RB 100 TF .1NS CJC 2PF');
    expect(
      (spice2.statements[0] as Extract<Statement, { type: 'model' }>).params.map((p) => [
        p.name,
        (p.value as { value: number }).value,
      ]),
    ).toEqual([
      ['bf', 20],
      ['rb', 100],
      ['tf', 1e-10],
      ['cjc', 2e-12],
    ]);
    expect(spice2.diagnostics).toEqual([]);
    const version = parse('.model n1 nmos level=54 version=4.8.1');
    expect((version.statements[0] as Extract<Statement, { type: 'model' }>).params[1]).toMatchObject({
      name: 'version',
      value: num(4.8),
    });
    expect(version.diagnostics[0]).toMatchObject({ severity: 'warning', loc: { line: 2, column: 33 } });
  });

  it('analyses', () => {
    const netlist = parse(
      [
        '.op',
        '.dc V1 0 5 0.1 V2 0 1 0.5',
        '.dc temp -50 100 10',
        '.ac dec 10 1 1meg',
        '.ac lin 100 1k 2k',
        '.tran 1n 1u',
        '.tran 1n 1u 0.5u 1n uic',
      ].join('\n'),
    );
    const [op, dc, dcTemp, ac, acLin, tran, tranFull] = netlist.statements as Array<
      Extract<Statement, { type: 'analysis' }>
    >;
    expect(op.kind).toBe('op');
    expect(dc).toMatchObject({
      kind: 'dc',
      sweeps: [{ source: { name: 'v1' } }, { source: { name: 'v2' }, step: num(0.5) }],
    });
    expect(dcTemp).toMatchObject({ kind: 'dc', sweeps: [{ source: { name: 'temp' }, start: num(-50) }] });
    expect(ac).toMatchObject({ kind: 'ac', variation: 'dec', points: num(10), fstop: num(1e6) });
    expect(acLin).toMatchObject({ variation: 'lin' });
    expect(tran).toMatchObject({ kind: 'tran', tstep: num(1e-9), tstop: num(1e-6), uic: false });
    expect(tranFull).toMatchObject({ tstart: num(0.5e-6), tmax: num(1e-9), uic: true });
    expect(() => parse('.ac log 10 1 2')).toThrow(/unknown .ac sweep/);
    expect(() => parse('.tran 1n')).toThrow(/tstep and tstop/);
  });

  it('unsupported analyses become kind other with a warning', () => {
    const netlist = parse(
      '.noise v(out) v1 dec 10 1 1k\n.tf v(out) v1\n.meas tran t1 trig v(a) val=1 rise=1\n.step param r 1 2 1\n.four 1k v(out)',
    );
    const kinds = netlist.statements.map((s) => (s.type === 'analysis' && s.kind === 'other' ? s.name : '?'));
    expect(kinds).toEqual(['noise', 'tf', 'meas', 'step', 'four']);
    expect(netlist.diagnostics.map((d) => d.loc?.line)).toEqual([2, 3, 4, 5, 6]);
  });

  it('unknown dot-commands warn with the line', () => {
    const netlist = parse('.frobnicate 1 2\n.plot tran v(1)');
    expect(netlist.statements).toHaveLength(0);
    expect(netlist.diagnostics.map((d) => [d.severity, d.loc?.line])).toEqual([
      ['warning', 2],
      ['warning', 3],
    ]);
    expect(netlist.diagnostics[0].message).toContain('.frobnicate');
  });

  it('.options, .temp, .ic, .nodeset, .global, .save, .print, .title', () => {
    const netlist = parse(
      [
        '.options reltol=1e-4 method=gear noacct abstol={1p*10}',
        '.temp 27 85',
        '.ic v(out)=1 V(x1.n1) = {2*1}',
        '.nodeset v(a)=0.5',
        '.global vdd vss',
        '.save v(out) i(V1) all',
        '.print tran v(out) v(a, b)',
        '.title A new title',
      ].join('\n'),
    );
    const [options, temp, ic, nodeset, global, save, print] = netlist.statements;
    expect(options).toMatchObject({
      type: 'options',
      options: [
        { name: 'reltol', value: num(1e-4) },
        { name: 'method', value: 'gear' },
        { name: 'noacct', value: true },
        { name: 'abstol', value: { kind: 'expr' } },
      ],
    });
    expect(temp).toMatchObject({ values: [num(27), num(85)] });
    expect(ic).toMatchObject({
      type: 'ic',
      entries: [{ node: { name: 'out' }, value: num(1) }, { node: { name: 'x1.n1' } }],
    });
    expect(nodeset).toMatchObject({ type: 'nodeset' });
    expect(global).toMatchObject({ nodes: [{ name: 'vdd' }, { name: 'vss' }] });
    expect(save).toMatchObject({ vectors: ['v(out)', 'i(v1)', 'all'] });
    expect(print).toMatchObject({ analysis: 'tran', vectors: ['v(out)', 'v(a,b)'] });
    expect(netlist.title).toBe('A new title');
    expect(() => parse('.ic out=1')).toThrow(/v\(node\)=value/);
    expect(() => parse('.options __proto__=1')).toThrow(/option name/);
    expect(() => parse('R1 a 0 1 __proto__=1')).toThrow(/parameter name/);
  });

  it('.func definitions', () => {
    const netlist = parse(".func f(a, b) = {a*b}\n.func g(x) 'x+1'\n.func h() 3\nR1 a 0 {f(g(1), h())}");
    expect(netlist.statements.slice(0, 3)).toMatchObject([
      { type: 'func', name: 'f', params: ['a', 'b'], expr: { type: 'binary', op: '*' } },
      { type: 'func', name: 'g', params: ['x'] },
      { type: 'func', name: 'h', params: [], expr: { type: 'num', value: 3 } },
    ]);
    expect(() => parse('.func f {1}')).toThrow(/expected '\('/);
    expect(() => parse('.func max(a) {a}')).toThrow(/built-in/);
    expect(() => parse('.func f(a) {a} junk')).toThrow(/unexpected 'junk'/);
  });

  it('.alter stops the deck with a warning, .if is an error, .protect is ignored', () => {
    const altered = parse('R1 a 0 1\n.protect\n.model d1 d\n.unprotect\n.alter\nR1 a 0 2');
    expect(altered.statements.map((s) => s.type)).toEqual(['element', 'model']);
    expect(altered.diagnostics).toMatchObject([{ severity: 'warning', loc: { line: 6 } }]);
    expect(errorOf(() => parse('.if (a == 1)\nR1 a 0 1\n.endif')).loc).toMatchObject({ line: 2, column: 1 });
  });

  it('.control blocks are skipped with a warning', () => {
    const netlist = parse('.control\nrun\nplot v(1)\n.endc\nR1 1 0 1');
    expect(elements(netlist)).toHaveLength(1);
    expect(netlist.diagnostics[0].message).toMatch(/control/);
  });
});

describe('.include and .lib', () => {
  const files: Record<string, string> = {
    '/proj/models/diodes.inc': '* diode models\n.model dfast d is=1e-12\n.include sub/more.inc\n',
    '/proj/models/sub/more.inc': '.model dslow d is=1e-16\n',
    '/proj/lib/cmos.lib': [
      '* a library',
      '.lib tt',
      '.param corner=0',
      '.lib cmos.lib common',
      '.endl tt',
      '.lib ff',
      '.param corner=1',
      '.lib cmos.lib common',
      '.endl',
      '.lib common',
      '.model nch nmos level=1',
      '.endl',
    ].join('\n'),
    '/proj/self.inc': '.include self.inc\n',
  };
  const readFile = (path: string): string => {
    const text = files[path];
    if (text === undefined) throw new Error('no such file');
    return text;
  };
  const options = { fileName: '/proj/top.cir', readFile };

  it('resolves paths relative to the including file', () => {
    expect(resolveIncludePath('/proj/top.cir', 'models/a.inc')).toBe('/proj/models/a.inc');
    expect(resolveIncludePath('/proj/a/b.cir', '../c/./d.inc')).toBe('/proj/c/d.inc');
    expect(resolveIncludePath('/proj/a/b.cir', '/abs/x.lib')).toBe('/abs/x.lib');
    expect(resolveIncludePath('<netlist>', 'x.lib')).toBe('x.lib');
    expect(resolveIncludePath('dir\\deck.cir', 'm.lib')).toBe('dir/m.lib');
  });

  it('splices included files in place, nested, with their own locations', () => {
    const netlist = parse('.include "models/diodes.inc"\nD1 a 0 dfast', options);
    const models = netlist.statements.filter((s) => s.type === 'model');
    expect(models.map((m) => m.loc)).toEqual([
      { file: '/proj/models/diodes.inc', line: 2, column: 1 },
      { file: '/proj/models/sub/more.inc', line: 1, column: 1 },
    ]);
  });

  it('loads only the requested .lib section', () => {
    const netlist = parse('.lib lib/cmos.lib FF', options);
    expect(netlist.statements.map((s) => s.type)).toEqual(['param', 'model']);
    const param = netlist.statements[0] as Extract<Statement, { type: 'param' }>;
    expect(param.assignments[0].value).toEqual(num(1));
    expect(param.loc).toEqual({ file: '/proj/lib/cmos.lib', line: 7, column: 1 });
  });

  it('.lib name ... .endl in the deck itself', () => {
    const netlist = parse('.lib mine\n.model dx d\n.endl\n.lib /proj/top.cir mine\nD1 a 0 dx', options);
    expect(netlist.statements.map((s) => s.type)).toEqual(['model', 'element']);
    const unused = parse('.lib mine\n.model dx d\n.endl', options);
    expect(unused.statements).toHaveLength(0);
    expect(unused.diagnostics[0]).toMatchObject({ severity: 'warning', loc: { line: 2 } });
  });

  it('warns when an included file has library sections that nothing loads', () => {
    const netlist = parse('.include lib/cmos.lib', options);
    expect(netlist.statements).toHaveLength(0);
    expect(netlist.diagnostics.map((d) => [d.loc?.file, d.loc?.line])).toEqual([
      ['/proj/lib/cmos.lib', 2],
      ['/proj/lib/cmos.lib', 6],
      ['/proj/lib/cmos.lib', 10],
    ]);
  });

  it('errors name the line: missing file, missing section, no readFile, recursion', () => {
    expect(errorOf(() => parse('\n.include nothere.inc', options))).toMatchObject({
      loc: { file: '/proj/top.cir', line: 3, column: 10 },
    });
    expect(errorOf(() => parse('.lib lib/cmos.lib ss', options)).message).toMatch(/no section 'ss'/);
    expect(errorOf(() => parse('.include a.inc')).message).toMatch(/no file access/);
    expect(errorOf(() => parse('.include self.inc', options)).message).toMatch(/includes itself/);
    expect(() => parse('.lib onlyone\n.endl\n.lib', options)).toThrow(/file and a section/);
    expect(() => parse('.lib open\nR1 a 0 1', options)).toThrow(/no '.endl'/);
  });
});
