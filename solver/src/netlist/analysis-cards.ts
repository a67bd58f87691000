/**
 * Typed cards for the control statements the parser keeps as token lists (`kind: 'other'`):
 * `.tf`, `.sens`, `.noise` become AnalysisCards the simulator runs; `.meas`/`.measure` and `.four`/`.fourier`
 * become MeasureCard/FourierCard, evaluated on the plots afterwards. Both ngspice and HSPICE spellings are
 * accepted (ngspice manual ch. 15.4 "Analyses", 15.6 ".meas"; HSPICE Command Reference ".MEASURE").
 * Bad input gets a CircuitError at the card's line saying what was expected.
 */
import type { AnalysisCard, Expr, OutputVariable } from '../circuit/flat';
import { CircuitError, type SourceLocation } from '../errors';
import { evaluateExpression, parseExpression } from './expression';
import { parseValue } from './values';

type OtherCard = Extract<AnalysisCard, { kind: 'other' }>;

/** A signal as a measurement reads it: `v(a)`, `v(a,b)`, `i(v1)`, `vdb(out)`, `vm(out)`, `vp(out)`, `par('expr')`. */
export interface MeasureSignal {
  /** v i vm vdb vp vr vi im idb ip ir ii par */
  func: string;
  /** Node or source names (one or two), or the expression text for `par`. */
  args: string[];
  /** The expression of `par(...)`. */
  expr?: Expr;
  /** As written, for messages: `v(out)`. */
  text: string;
}

/** Where a TRIG, TARG or WHEN condition is met: a signal crossing a level (or another signal), or a fixed point. */
export interface MeasureCondition {
  signal?: MeasureSignal;
  /** Crossing level: a number, or another signal (`WHEN v(a)=v(b)`). */
  level?: number | MeasureSignal;
  /** A fixed scale value (`TRIG AT=1m`). */
  at?: number;
  edge: 'rise' | 'fall' | 'cross';
  /** Which crossing, from 1; 'last' for the last one. */
  count: number | 'last';
  /** Delay: crossings before this scale value are not counted. */
  td: number;
}

export type MeasureFunction = 'avg' | 'rms' | 'min' | 'max' | 'pp' | 'integ' | 'deriv';

export type MeasureCard = {
  analysis: 'tran' | 'ac' | 'dc';
  /** Result name, lower-cased. */
  name: string;
  loc: SourceLocation;
} & (
  | { type: 'trigtarg'; trig: MeasureCondition; targ: MeasureCondition }
  | { type: 'find'; signal: MeasureSignal; when?: MeasureCondition; at?: number }
  | { type: 'when'; when: MeasureCondition }
  | { type: 'deriv'; signal: MeasureSignal; when?: MeasureCondition; at?: number }
  | {
      type: 'function';
      func: Exclude<MeasureFunction, 'deriv'>;
      signal: MeasureSignal;
      from?: number;
      to?: number;
    }
  | { type: 'param'; expr: Expr }
);

export interface FourierCard {
  fundamental: number;
  signals: MeasureSignal[];
  loc: SourceLocation;
}

/** Reads one card's tokens, failing with the card's location. */
class TokenCursor {
  index = 0;

  constructor(
    readonly tokens: string[],
    readonly loc: SourceLocation,
    readonly statement: string,
    readonly usage: string,
    readonly parameters: ReadonlyMap<string, number> = new Map(),
  ) {}

  atEnd(): boolean {
    return this.index >= this.tokens.length;
  }

  peek(offset = 0): string | undefined {
    return this.tokens[this.index + offset];
  }

  next(what: string): string {
    const token = this.tokens[this.index];
    if (token === undefined) this.fail(`${this.statement}: missing ${what}`);
    this.index++;
    return token;
  }

  expect(token: string): void {
    const found = this.next(`'${token}'`);
    if (found !== token) this.fail(`${this.statement}: expected '${token}', found '${found}'`);
  }

  number(what: string): number {
    const token = this.next(what);
    return this.numberOf(token, what);
  }

  /** A number, or a quoted/braced expression of numbers and `.param` values (HSPICE writes `val='vdd/2'`). */
  numberOf(token: string, what: string): number {
    const quoted = /^[{'"].*[}'"]$/.test(token);
    const text = quoted ? token.slice(1, -1) : token;
    let value = parseValue(text);
    if (value === undefined && quoted) {
      try {
        value = evaluateExpression(parseExpression(text, this.loc), (name) => this.parameters.get(name));
      } catch (error) {
        this.fail(`${this.statement}: ${what}: ${(error as Error).message}`);
      }
    }
    if (value === undefined || !Number.isFinite(value)) {
      this.fail(`${this.statement}: ${what} must be a number, found '${token}'`);
    }
    return value;
  }

  fail(message: string): never {
    throw new CircuitError(message, this.loc, this.usage);
  }
}

const TF_USAGE = "write e.g. '.tf v(out) vin' or '.tf i(vload) vin'";
const SENS_USAGE = "write e.g. '.sens v(out)' (DC) or '.sens v(out) ac dec 10 1 1meg'";
const NOISE_USAGE = "write e.g. '.noise v(out) vin dec 10 1 1meg'";
const FOUR_USAGE = "write e.g. '.four 1k v(out) v(in)'";
const MEAS_USAGE =
  "write e.g. '.meas tran tdelay TRIG v(in) VAL=0.5 RISE=1 TARG v(out) VAL=0.5 RISE=1' or '.meas ac gmax MAX vdb(out)'";

/** `v(a)`, `v(a,b)` or `i(vsrc)` from the tokens at the cursor. */
function outputVariable(cursor: TokenCursor): OutputVariable {
  const func = cursor.next('output variable');
  if (func !== 'v' && func !== 'i')
    cursor.fail(`${cursor.statement}: expected v(node) or i(source), found '${func}'`);
  cursor.expect('(');
  const first = cursor.next('node or source name');
  let second: string | undefined;
  if (cursor.peek() === ',') {
    cursor.next(',');
    second = cursor.next('reference node');
  }
  cursor.expect(')');
  if (func === 'i') {
    if (second !== undefined) cursor.fail(`${cursor.statement}: i() takes one voltage source`);
    return { kind: 'current', source: first };
  }
  return { kind: 'voltage', node: groundName(first), reference: groundName(second ?? '0') };
}

function groundName(node: string): string {
  return node === 'gnd' ? '0' : node;
}

/** Turn the parser's `.tf`/`.sens`/`.noise` token cards into typed analysis cards; others are returned unchanged. */
export function typedAnalysisCard(card: AnalysisCard): AnalysisCard {
  if (card.kind !== 'other') return card;
  switch (card.name) {
    case 'tf':
      return tfCard(card);
    case 'sens':
      return sensCard(card);
    case 'noise':
      return noiseCard(card);
    case 'pz':
      return poleZeroCard(card);
    default:
      return card;
  }
}

function tfCard(card: OtherCard): AnalysisCard {
  const cursor = new TokenCursor(card.args, card.loc, '.tf', TF_USAGE);
  const output = outputVariable(cursor);
  const source = cursor.next('input source');
  if (!/^[vi]/.test(source)) cursor.fail(`.tf: the input '${source}' must be an independent V or I source`);
  if (!cursor.atEnd()) cursor.fail(`.tf: unexpected '${cursor.peek()}'`);
  return { kind: 'tf', output, source, loc: card.loc };
}

function sensCard(card: OtherCard): AnalysisCard {
  const cursor = new TokenCursor(card.args, card.loc, '.sens', SENS_USAGE);
  const output = outputVariable(cursor);
  if (cursor.atEnd()) return { kind: 'sens', output, loc: card.loc };
  if (cursor.next('ac') !== 'ac') cursor.fail(`.sens: expected 'ac' after the output variable`);
  const variation = cursor.next('dec, oct or lin');
  if (variation !== 'dec' && variation !== 'oct' && variation !== 'lin') {
    return cursor.fail(`.sens: unknown sweep '${variation}' (use dec, oct or lin)`);
  }
  const points = cursor.number('number of points');
  const fstart = cursor.number('start frequency');
  const fstop = cursor.number('stop frequency');
  if (!cursor.atEnd()) cursor.fail(`.sens: unexpected '${cursor.peek()}'`);
  if (!(points >= 1) || !(fstart > 0) || !(fstop >= fstart)) {
    cursor.fail(`.sens ac: needs points >= 1 and 0 < fstart <= fstop (got ${points} ${fstart} ${fstop})`);
  }
  return { kind: 'sens', output, ac: { variation, points, fstart, fstop }, loc: card.loc };
}

function noiseCard(card: OtherCard): AnalysisCard {
  const cursor = new TokenCursor(card.args, card.loc, '.noise', NOISE_USAGE);
  const output = outputVariable(cursor);
  if (output.kind !== 'voltage')
    return cursor.fail('.noise: the output must be a node voltage v(out) or v(out,ref)');
  const source = cursor.next('input source');
  if (!/^[vi]/.test(source))
    cursor.fail(`.noise: the input '${source}' must be an independent V or I source`);
  const variation = cursor.next('dec, oct or lin');
  if (variation !== 'dec' && variation !== 'oct' && variation !== 'lin') {
    return cursor.fail(`.noise: unknown sweep '${variation}' (use dec, oct or lin)`);
  }
  const points = cursor.number('number of points');
  const fstart = cursor.number('start frequency');
  const fstop = cursor.number('stop frequency');
  const pointsPerSummary = cursor.atEnd() ? undefined : cursor.number('points per summary');
  if (!cursor.atEnd()) cursor.fail(`.noise: unexpected '${cursor.peek()}'`);
  if (!(points >= 1) || !(fstart > 0) || !(fstop >= fstart)) {
    cursor.fail(`.noise: needs points >= 1 and 0 < fstart <= fstop (got ${points} ${fstart} ${fstop})`);
  }
  return {
    kind: 'noise',
    output: { node: output.node, reference: output.reference },
    source,
    variation,
    points,
    fstart,
    fstop,
    pointsPerSummary,
    loc: card.loc,
  };
}

function poleZeroCard(card: OtherCard): AnalysisCard {
  const cursor = new TokenCursor(card.args, card.loc, '.pz', "write e.g. '.pz in 0 out 0 vol pz'");
  const nodes = [0, 1, 2, 3].map(() => groundName(cursor.next('node')));
  const transfer = cursor.next('vol or cur');
  if (transfer !== 'vol' && transfer !== 'cur')
    return cursor.fail(`.pz: expected vol or cur, found '${transfer}'`);
  const find = cursor.next('pol, zer or pz');
  if (find !== 'pol' && find !== 'zer' && find !== 'pz')
    return cursor.fail(`.pz: expected pol, zer or pz, found '${find}'`);
  if (!cursor.atEnd()) cursor.fail(`.pz: unexpected '${cursor.peek()}'`);
  return {
    kind: 'pz',
    input: [nodes[0], nodes[1]],
    output: [nodes[2], nodes[3]],
    transfer,
    find,
    loc: card.loc,
  };
}

/** `.four freq v(a) v(b) ...` */
export function fourierCard(
  card: OtherCard,
  parameters: ReadonlyMap<string, number> = new Map(),
): FourierCard {
  const cursor = new TokenCursor(card.args, card.loc, '.four', FOUR_USAGE, parameters);
  const fundamental = cursor.number('fundamental frequency');
  if (!(fundamental > 0)) cursor.fail('.four: the fundamental frequency must be positive');
  const signals: MeasureSignal[] = [];
  while (!cursor.atEnd()) signals.push(measureSignal(cursor));
  if (signals.length === 0) cursor.fail('.four: name at least one output vector');
  return { fundamental, signals, loc: card.loc };
}

const SIGNAL_FUNCTIONS = new Set([
  'v',
  'i',
  'vm',
  'vdb',
  'vp',
  'vr',
  'vi',
  'im',
  'idb',
  'ip',
  'ir',
  'ii',
  'par',
]);

/** A signal: `func(args)`, or a bare node name (read as `v(name)`). */
function measureSignal(cursor: TokenCursor): MeasureSignal {
  const head = cursor.next('signal');
  if (cursor.peek() !== '(') {
    if (/^[{'"]/.test(head)) return expressionSignal(cursor, head.slice(1, -1));
    return { func: 'v', args: [head], text: `v(${head})` };
  }
  if (!SIGNAL_FUNCTIONS.has(head)) {
    cursor.fail(
      `${cursor.statement}: unknown signal function '${head}' (use v, i, vdb, vm, vp, vr, vi or par)`,
    );
  }
  cursor.expect('(');
  if (head === 'par') {
    const text = cursor.next('expression');
    cursor.expect(')');
    return expressionSignal(cursor, text.replace(/^['{"]|['}"]$/g, ''));
  }
  const args = [groundName(cursor.next('node or source name'))];
  if (cursor.peek() === ',') {
    cursor.next(',');
    args.push(groundName(cursor.next('reference node')));
  }
  cursor.expect(')');
  return { func: head, args, text: `${head}(${args.join(',')})` };
}

function expressionSignal(cursor: TokenCursor, text: string): MeasureSignal {
  try {
    const expr = parseExpression(text, cursor.loc);
    return { func: 'par', args: [text], expr, text: `par('${text}')` };
  } catch (error) {
    return cursor.fail(
      `${cursor.statement}: cannot read the expression '${text}': ${(error as Error).message}`,
    );
  }
}

/** `KEY = value` pairs following a signal or keyword; keys lower-case. */
function keyValues(cursor: TokenCursor, keys: readonly string[]): Map<string, string> {
  const result = new Map<string, string>();
  while (!cursor.atEnd() && keys.includes(cursor.peek()!) && cursor.peek(1) === '=') {
    const key = cursor.next('key');
    cursor.next('=');
    result.set(key, cursor.next(`value of ${key}`));
  }
  return result;
}

function numberOf(cursor: TokenCursor, key: string, text: string): number {
  return cursor.numberOf(text, `${key}=`);
}

const CONDITION_KEYS = ['val', 'rise', 'fall', 'cross', 'td', 'at'] as const;

/** The rest of a TRIG/TARG: `v(x) VAL=.. RISE=n|FALL=n|CROSS=n TD=..` or `AT=..`. */
function trigTargCondition(cursor: TokenCursor, which: string): MeasureCondition {
  if (cursor.peek() === 'at' && cursor.peek(1) === '=') {
    const options = keyValues(cursor, CONDITION_KEYS);
    return { at: numberOf(cursor, 'at', options.get('at')!), edge: 'cross', count: 1, td: 0 };
  }
  const signal = measureSignal(cursor);
  const options = keyValues(cursor, CONDITION_KEYS);
  if (!options.has('val')) cursor.fail(`${cursor.statement}: ${which} ${signal.text} needs VAL=level`);
  return { signal, level: numberOf(cursor, 'val', options.get('val')!), ...edgeOf(cursor, options) };
}

function edgeOf(
  cursor: TokenCursor,
  options: Map<string, string>,
): Pick<MeasureCondition, 'edge' | 'count' | 'td'> {
  let edge: MeasureCondition['edge'] = 'cross';
  let count: number | 'last' = 1;
  for (const key of ['rise', 'fall', 'cross'] as const) {
    const text = options.get(key);
    if (text === undefined) continue;
    edge = key;
    count = text === 'last' ? 'last' : Math.round(numberOf(cursor, key, text));
    if (count !== 'last' && count < 1) cursor.fail(`${cursor.statement}: ${key}= counts from 1 (or 'last')`);
  }
  const td = options.has('td') ? numberOf(cursor, 'td', options.get('td')!) : 0;
  return { edge, count, td };
}

/** `WHEN v(x)=level` or `WHEN v(x)=v(y)`, then RISE/FALL/CROSS/TD. */
function whenCondition(cursor: TokenCursor): MeasureCondition {
  const signal = measureSignal(cursor);
  cursor.expect('=');
  let level: number | MeasureSignal;
  const next = cursor.peek();
  if (next !== undefined && cursor.peek(1) === '(') level = measureSignal(cursor);
  else level = cursor.number('level after =');
  const options = keyValues(cursor, CONDITION_KEYS);
  return { signal, level, ...edgeOf(cursor, options) };
}

const ANALYSES = new Set(['tran', 'ac', 'dc']);

/** `.meas[ure] tran|ac|dc name ...`, every form of the ngspice manual (ch. 15.6) and HSPICE's spellings. */
export function measureCard(
  card: OtherCard,
  parameters: ReadonlyMap<string, number> = new Map(),
): MeasureCard {
  const cursor = new TokenCursor(card.args, card.loc, '.meas', MEAS_USAGE, parameters);
  const analysis = cursor.next('analysis (tran, ac or dc)');
  if (!ANALYSES.has(analysis)) {
    cursor.fail(`.meas: measurements on '${analysis}' are not supported (use tran, ac or dc)`);
  }
  const name = cursor.next('result name');
  const base = { analysis: analysis as MeasureCard['analysis'], name, loc: card.loc };
  const keyword = cursor.next(
    'measurement keyword (TRIG, FIND, WHEN, AVG, RMS, MIN, MAX, PP, INTEG, DERIV, PARAM)',
  );
  const done = <T>(result: T): T => {
    if (!cursor.atEnd()) cursor.fail(`.meas ${name}: unexpected '${cursor.peek()}'`);
    return result;
  };
  switch (keyword) {
    case 'trig': {
      const trig = trigTargCondition(cursor, 'TRIG');
      cursor.expect('targ');
      const targ = trigTargCondition(cursor, 'TARG');
      return done({ ...base, type: 'trigtarg', trig, targ });
    }
    case 'find':
    case 'deriv':
    case 'derivative': {
      const signal = measureSignal(cursor);
      const type = keyword === 'find' ? 'find' : 'deriv';
      if (cursor.peek() === 'when') {
        cursor.next('when');
        return done({ ...base, type, signal, when: whenCondition(cursor) });
      }
      const options = keyValues(cursor, ['at']);
      if (!options.has('at'))
        cursor.fail(`.meas ${name}: ${keyword.toUpperCase()} needs WHEN ... or AT=value`);
      return done({ ...base, type, signal, at: numberOf(cursor, 'at', options.get('at')!) });
    }
    case 'when':
      return done({ ...base, type: 'when', when: whenCondition(cursor) });
    case 'avg':
    case 'rms':
    case 'min':
    case 'max':
    case 'pp':
    case 'integ':
    case 'integral': {
      const signal = measureSignal(cursor);
      const options = keyValues(cursor, ['from', 'to', 'td']);
      const func = keyword === 'integral' ? 'integ' : keyword;
      const from = options.has('from') ? numberOf(cursor, 'from', options.get('from')!) : undefined;
      const to = options.has('to') ? numberOf(cursor, 'to', options.get('to')!) : undefined;
      return done({ ...base, type: 'function', func, signal, from, to });
    }
    case 'param': {
      // ngspice: `param='expr'`; HSPICE also allows `PARAM expr` and `param={expr}`.
      if (cursor.peek() === '=') cursor.next('=');
      const text = cursor.tokens
        .slice(cursor.index)
        .join('')
        .replace(/^['{"]|['}"]$/g, '');
      cursor.index = cursor.tokens.length;
      if (!text) cursor.fail(`.meas ${name}: PARAM needs an expression, e.g. param='a*2'`);
      try {
        return { ...base, type: 'param', expr: parseExpression(text, card.loc) };
      } catch (error) {
        return cursor.fail(
          `.meas ${name}: cannot read the expression '${text}': ${(error as Error).message}`,
        );
      }
    }
    default:
      return cursor.fail(`.meas ${name}: unknown measurement '${keyword}'`);
  }
}
