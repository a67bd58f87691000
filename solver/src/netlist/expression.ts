/**
 * Expressions of `.param`, `{expr}`/`'expr'` values and behavioural sources (B, E/G VALUE=, TABLE).
 * A hand-written precedence-climbing parser (lowest to highest): `? :`, `||`, `&&`, `== !=`,
 * `< <= > >=`, `+ -`, `* /`, unary `- + !`, `**`/`^` (left associative as in ngspice; `-2**2` is -4,
 * `2**-1` is 0.5). Numbers take SPICE scale factors (`2k*3`). `pi` and `e` are constants, read as
 * numbers when the whole identifier is `pi` or `e` (`1e3` stays a number, `exp` a function).
 * `v(node)`, `v(a,b)` and `i(vsrc)` keep their arguments as raw names (`var` nodes) so that the
 * elaboration can flatten them.
 */
import { ParseError, CircuitError, type SourceLocation } from '../errors';
import { lookalikeHint } from './suggest';
import type { Expr } from '../circuit/flat';
import { scaledNumber, scanLetters, scanNumber } from './values';

export type { Expr };

/**
 * Where each `var`/`call` node was written, kept in a non-enumerable symbol property so that it
 * stays out of deep equality and JSON. (A WeakMap side table doubled the parse time through GC.)
 */
const LOCATION = Symbol('location');

/** The source location of an expression node, when the parser recorded one. */
export function expressionLocation(expr: Expr): SourceLocation | undefined {
  return (expr as { [LOCATION]?: SourceLocation })[LOCATION];
}

/** Records `loc` for `expr` (used when the elaboration rebuilds nodes). */
export function setExpressionLocation(expr: Expr, loc: SourceLocation | undefined): void {
  if (loc) Object.defineProperty(expr, LOCATION, { value: loc, enumerable: false });
}

/** Functions with their number of arguments ([min, max]; max -1 for any). */
const FUNCTIONS: Record<string, [number, number]> = {
  sqrt: [1, 1],
  exp: [1, 1],
  ln: [1, 1],
  log: [1, 1],
  log10: [1, 1],
  abs: [1, 1],
  min: [1, -1],
  max: [1, -1],
  pow: [2, 2],
  pwr: [2, 2],
  sin: [1, 1],
  cos: [1, 1],
  tan: [1, 1],
  asin: [1, 1],
  acos: [1, 1],
  atan: [1, 1],
  atan2: [2, 2],
  sinh: [1, 1],
  cosh: [1, 1],
  tanh: [1, 1],
  floor: [1, 1],
  ceil: [1, 1],
  int: [1, 1],
  nint: [1, 1],
  round: [1, 1],
  sgn: [1, 1],
  sign: [1, 1],
  u: [1, 1],
  limit: [3, 3],
  if: [3, 3],
  // Monte Carlo distributions of ngspice/HSPICE: nominal value (see evaluateCall).
  agauss: [3, 3],
  gauss: [3, 3],
  aunif: [2, 2],
  unif: [2, 2],
  v: [1, 2],
  i: [1, 1],
};

/** Names of the built-in functions (for documentation and tests). */
export const BUILTIN_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS).filter(
  (f) => f !== 'v' && f !== 'i',
);

/** Is `name` a built-in function (or v/i)? */
export function isBuiltinFunction(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, name);
}

const MAX_DEPTH = 200;

/** Binary operator precedence, higher binds tighter (`? :` is below all of them). */
const BINARY_PRECEDENCE = new Map<string, number>([
  ['||', 1],
  ['&&', 2],
  ['==', 3],
  ['!=', 3],
  ['<', 4],
  ['<=', 4],
  ['>', 4],
  ['>=', 4],
  ['+', 5],
  ['-', 5],
  ['*', 6],
  ['/', 6],
  // Remainder as C's fmod (sign of the dividend), same precedence as * and /: ngspice 39 .param gives
  // 7%3 = 1, -7%3 = -1, 7.5%2 = 1.5 and 2*7%4 = 2.
  ['%', 6],
]);
/**
 * Chains such as `1+1+1+...` are parsed by loops, not recursion, but they still give deep trees;
 * evaluation and elaboration recurse over the tree, so its depth is bounded too.
 */
const MAX_TREE_DEPTH = 1000;

/** Depth of an expression tree, computed without recursion. */
function treeDepth(root: Expr): number {
  let deepest = 0;
  const stack: Array<[Expr, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    if (depth > MAX_TREE_DEPTH) break;
    switch (node.type) {
      case 'unary':
        stack.push([node.arg, depth + 1]);
        break;
      case 'binary':
        stack.push([node.left, depth + 1], [node.right, depth + 1]);
        break;
      case 'ternary':
        stack.push([node.cond, depth + 1], [node.then, depth + 1], [node.else, depth + 1]);
        break;
      case 'call':
        for (const arg of node.args) stack.push([arg, depth + 1]);
        break;
      default:
        break;
    }
  }
  return deepest;
}

export interface ExpressionParseOptions {
  /** Maps an offset in `text` to a source location (for errors and `var` locations). */
  locate: (offset: number) => SourceLocation;
  /**
   * When true the parser stops at the first token that cannot continue the expression and reports
   * where it stopped (used for unquoted `V=...` in B sources, followed by other parameters).
   */
  partial?: boolean;
  /** Names of user functions (`.func`), called like built-ins; their arity is checked later. */
  userFunctions?: ReadonlySet<string>;
}

export interface ExpressionParseResult {
  expr: Expr;
  /** Offset in `text` just after the expression. */
  end: number;
}

type TokenKind = 'num' | 'ident' | 'op' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  value: number;
  start: number;
  end: number;
}

class ExpressionParser {
  private pos: number;
  private token!: Token;
  private depth = 0;
  /** Operators and calls read so far (bounds the tree size cheaply). */
  private operators = 0;

  constructor(
    private readonly text: string,
    private readonly start: number,
    private readonly stop: number,
    private readonly options: ExpressionParseOptions,
  ) {
    this.pos = start;
    this.advance();
  }

  parse(): ExpressionParseResult {
    if (this.token.kind === 'end') this.fail('missing expression', this.token.start);
    const expr = this.ternary();
    // Only long expressions can be deep: count the operators first, measure the depth if needed.
    if (this.operators > MAX_TREE_DEPTH / 2 && treeDepth(expr) > MAX_TREE_DEPTH) {
      this.fail(`expression too long: more than ${MAX_TREE_DEPTH} operations chained`, this.start);
    }
    const next = this.current();
    if (next.kind !== 'end' && !this.options.partial) {
      this.fail(`unexpected '${next.text}' in expression`, next.start);
    }
    return { expr, end: next.kind === 'end' ? this.stop : next.start };
  }

  /** The current token (a method, so that TypeScript does not narrow it across `advance()`). */
  private current(): Token {
    return this.token;
  }

  private fail(message: string, offset: number): never {
    throw new ParseError(
      message,
      this.options.locate(offset),
      'check the expression syntax: operators + - * / ** ^ == != < <= > >= && || ?: and functions like sqrt(x)',
    );
  }

  private advance(): void {
    const text = this.text;
    while (this.pos < this.stop && (text[this.pos] === ' ' || text[this.pos] === '\t')) this.pos++;
    const start = this.pos;
    if (start >= this.stop) {
      this.token = { kind: 'end', text: '', value: 0, start, end: start };
      return;
    }
    const ch = text[start];
    const code = text.charCodeAt(start);
    if (
      (code >= 48 && code <= 57) ||
      (ch === '.' && start + 1 < this.stop && /[0-9]/.test(text[start + 1]))
    ) {
      const numberLength = scanNumber(text, start, false);
      const suffixLength = scanLetters(text, start + numberLength, this.stop);
      const value = scaledNumber(
        text.slice(start, start + numberLength),
        text.slice(start + numberLength, start + numberLength + suffixLength),
      );
      this.pos = start + numberLength + suffixLength;
      this.token = { kind: 'num', text: text.slice(start, this.pos), value, start, end: this.pos };
      return;
    }
    if (isIdentStart(code)) {
      let end = start + 1;
      while (end < this.stop && isIdentPart(text.charCodeAt(end))) end++;
      this.pos = end;
      this.token = { kind: 'ident', text: text.slice(start, end).toLowerCase(), value: 0, start, end };
      return;
    }
    const two = text.slice(start, Math.min(start + 2, this.stop));
    if (
      two === '**' ||
      two === '<=' ||
      two === '>=' ||
      two === '==' ||
      two === '!=' ||
      two === '&&' ||
      two === '||'
    ) {
      this.pos = start + 2;
      this.token = { kind: 'op', text: two, value: 0, start, end: this.pos };
      return;
    }
    if ('+-*/%^()<>!?:,{}='.includes(ch)) {
      this.pos = start + 1;
      this.token = { kind: 'op', text: ch, value: 0, start, end: this.pos };
      return;
    }
    if (this.options.partial) {
      this.token = { kind: 'op', text: ch, value: 0, start, end: start + 1 };
      this.pos = start + 1;
      return;
    }
    const lookalike = lookalikeHint(ch);
    if (lookalike)
      throw new ParseError(
        `unexpected character '${ch}' in expression`,
        this.options.locate(start),
        lookalike,
      );
    this.fail(`unexpected character '${ch}' in expression`, start);
  }

  private isOp(text: string): boolean {
    return this.token.kind === 'op' && this.token.text === text;
  }

  private expectOp(text: string, context: string): void {
    if (!this.isOp(text)) {
      const found = this.token.kind === 'end' ? 'the end of the expression' : `'${this.token.text}'`;
      this.fail(`expected '${text}' ${context}, found ${found}`, this.token.start);
    }
    this.advance();
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH)
      this.fail(`expression nested more than ${MAX_DEPTH} levels deep`, this.token.start);
  }

  private ternary(): Expr {
    this.enter();
    const cond = this.binary(1);
    let result = cond;
    if (this.isOp('?')) {
      this.advance();
      const then = this.ternary();
      this.expectOp(':', "in the conditional 'a ? b : c'");
      const otherwise = this.ternary();
      result = { type: 'ternary', cond, then, else: otherwise };
    }
    this.depth--;
    return result;
  }

  /**
   * Binary operators by precedence climbing: one call per operand instead of one per level.
   * All binary operators are left associative.
   */
  private binary(minimumPrecedence: number): Expr {
    let left = this.unary();
    for (;;) {
      const token = this.current();
      if (token.kind !== 'op') break;
      const precedence = BINARY_PRECEDENCE.get(token.text);
      if (precedence === undefined || precedence < minimumPrecedence) break;
      this.advance();
      this.operators++;
      const right = this.binary(precedence + 1);
      left = { type: 'binary', op: token.text as '+', left, right };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isOp('-') || this.isOp('+') || this.isOp('!')) {
      const op = this.token.text as '-' | '+' | '!';
      this.advance();
      this.enter();
      const arg = this.unary();
      this.depth--;
      return { type: 'unary', op, arg };
    }
    return this.power();
  }

  /**
   * `a ** b ** c` is `(a ** b) ** c`: ngspice 39 evaluates `2**3**2` and `2^3^2` to 64, both in
   * .param and in B sources. The exponent may carry a sign (`2**-1`).
   */
  private power(): Expr {
    let base = this.primary();
    while (this.isOp('**') || this.isOp('^')) {
      this.advance();
      this.operators++;
      base = { type: 'binary', op: '**', left: base, right: this.signedPrimary() };
    }
    return base;
  }

  private signedPrimary(): Expr {
    if (this.isOp('-') || this.isOp('+') || this.isOp('!')) {
      const op = this.token.text as '-' | '+' | '!';
      this.advance();
      this.enter();
      const arg = this.signedPrimary();
      this.depth--;
      return { type: 'unary', op, arg };
    }
    return this.primary();
  }

  private primary(): Expr {
    const token = this.token;
    if (token.kind === 'num') {
      this.advance();
      return { type: 'num', value: token.value };
    }
    if (token.kind === 'op' && (token.text === '(' || token.text === '{')) {
      const close = token.text === '(' ? ')' : '}';
      this.advance();
      const inner = this.ternary();
      this.expectOp(close, `to close the '${token.text}'`);
      return inner;
    }
    if (token.kind === 'ident') {
      this.advance();
      if (this.isOp('(')) return this.call(token);
      // `pi` and `e` stay names: a .param of that name shadows the constant (ngspice 39 gives
      // `.param e=3` precedence); evaluateExpression falls back to BUILTIN_CONSTANTS.
      const node: Expr = { type: 'var', name: token.text };
      setExpressionLocation(node, this.options.locate(token.start));
      return node;
    }
    if (token.kind === 'end') this.fail('the expression ends too early: a value is missing', token.start);
    this.fail(`unexpected '${token.text}' in expression: expected a number, a name or '('`, token.start);
  }

  private call(nameToken: Token): Expr {
    const name = nameToken.text;
    const arity: [number, number] | undefined = isBuiltinFunction(name)
      ? FUNCTIONS[name]
      : this.options.userFunctions?.has(name)
        ? [0, -1]
        : undefined;
    if (!arity) {
      this.fail(`unknown function '${name}'`, nameToken.start);
    }
    const args: Expr[] = [];
    if (name === 'v' || name === 'i') {
      // Node and source names are not expressions: read them raw (they may contain '.', '#', digits first).
      for (;;) {
        const argument = this.rawName();
        args.push(argument);
        if (this.isOp(',')) continue;
        break;
      }
      this.expectOp(')', `to close ${name}(...)`);
    } else {
      this.advance(); // '('
      if (!this.isOp(')')) {
        for (;;) {
          args.push(this.ternary());
          if (!this.isOp(',')) break;
          this.advance();
        }
      }
      this.expectOp(')', `to close ${name}(...)`);
    }
    const [min, max] = arity;
    if (args.length < min || (max >= 0 && args.length > max)) {
      const expected = max < 0 ? `at least ${min}` : min === max ? `${min}` : `${min} or ${max}`;
      this.fail(`${name}() takes ${expected} argument(s), got ${args.length}`, nameToken.start);
    }
    const node: Expr = { type: 'call', name, args };
    setExpressionLocation(node, this.options.locate(nameToken.start));
    return node;
  }

  /** Reads a node or source name inside v(...)/i(...); the current token is '(' or ','. */
  private rawName(): Expr {
    const text = this.text;
    let pos = this.token.end;
    while (pos < this.stop && (text[pos] === ' ' || text[pos] === '\t')) pos++;
    const start = pos;
    while (pos < this.stop && !' \t,()'.includes(text[pos])) pos++;
    if (pos === start) this.fail('expected a node or source name', start);
    const node: Expr = { type: 'var', name: text.slice(start, pos).toLowerCase() };
    setExpressionLocation(node, this.options.locate(start));
    this.pos = pos;
    this.advance();
    return node;
  }
}

function isIdentStart(code: number): boolean {
  const lower = code | 0x20;
  return (lower >= 97 && lower <= 122) || code === 95;
}

function isIdentPart(code: number): boolean {
  return isIdentStart(code) || (code >= 48 && code <= 57) || code === 36; /* $ */
}

/** Parses `text.slice(start, end)` as an expression. */
export function parseExpressionAt(
  text: string,
  start: number,
  end: number,
  options: ExpressionParseOptions,
): ExpressionParseResult {
  return new ExpressionParser(text, start, end, options).parse();
}

/** Parses a whole string as an expression; `loc` is where the string starts (same line). */
export function parseExpression(text: string, loc?: SourceLocation): Expr {
  const base = loc ?? { file: '<expression>', line: 1, column: 1 };
  return parseExpressionAt(text, 0, text.length, {
    locate: (offset) => ({ file: base.file, line: base.line, column: base.column + offset }),
  }).expr;
}

/** Names with a value when no parameter of that name is defined. */
export const BUILTIN_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['pi', Math.PI],
  ['e', Math.E],
]);

function truthy(value: number): boolean {
  return value !== 0 && !Number.isNaN(value);
}

/**
 * Evaluates an expression. `scope` returns the value of a name (parameter, `time`, `temper`, ...);
 * node voltages and branch currents are looked up as the names `v(node)`, `v(a,b)` (falling back to
 * `v(a)` - `v(b)`) and `i(vsrc)`. Throws a CircuitError naming the undefined name and where it was written.
 */
export function evaluateExpression(expr: Expr, scope: (name: string) => number | undefined): number {
  switch (expr.type) {
    case 'num':
      return expr.value;
    case 'var': {
      const value = scope(expr.name) ?? BUILTIN_CONSTANTS.get(expr.name);
      if (value === undefined) {
        throw new CircuitError(
          `undefined parameter '${expr.name}'`,
          expressionLocation(expr),
          `define it with '.param ${expr.name}=...' or as a subcircuit parameter (params: ${expr.name}=...)`,
        );
      }
      return value;
    }
    case 'unary': {
      const arg = evaluateExpression(expr.arg, scope);
      return expr.op === '-' ? -arg : expr.op === '+' ? arg : truthy(arg) ? 0 : 1;
    }
    case 'binary': {
      if (expr.op === '&&') {
        return truthy(evaluateExpression(expr.left, scope)) && truthy(evaluateExpression(expr.right, scope))
          ? 1
          : 0;
      }
      if (expr.op === '||') {
        return truthy(evaluateExpression(expr.left, scope)) || truthy(evaluateExpression(expr.right, scope))
          ? 1
          : 0;
      }
      const left = evaluateExpression(expr.left, scope);
      const right = evaluateExpression(expr.right, scope);
      switch (expr.op) {
        case '+':
          return left + right;
        case '-':
          return left - right;
        case '*':
          return left * right;
        case '/':
          return left / right;
        case '%':
          return left % right;
        case '**':
          return Math.pow(left, right);
        case '==':
          return left === right ? 1 : 0;
        case '!=':
          return left !== right ? 1 : 0;
        case '<':
          return left < right ? 1 : 0;
        case '<=':
          return left <= right ? 1 : 0;
        case '>':
          return left > right ? 1 : 0;
        case '>=':
          return left >= right ? 1 : 0;
      }
      return NaN;
    }
    case 'ternary':
      return truthy(evaluateExpression(expr.cond, scope))
        ? evaluateExpression(expr.then, scope)
        : evaluateExpression(expr.else, scope);
    case 'call':
      return evaluateCall(expr, scope);
  }
}

function evaluateCall(
  expr: Extract<Expr, { type: 'call' }>,
  scope: (name: string) => number | undefined,
): number {
  if (expr.name === 'v' || expr.name === 'i') {
    const names = expr.args.map((arg) => (arg.type === 'var' ? arg.name : '?'));
    const key = `${expr.name}(${names.join(',')})`;
    const direct = scope(key);
    if (direct !== undefined) return direct;
    if (expr.name === 'v' && names.length === 2) {
      const a = names[0] === '0' ? 0 : scope(`v(${names[0]})`);
      const b = names[1] === '0' ? 0 : scope(`v(${names[1]})`);
      if (a !== undefined && b !== undefined) return a - b;
    }
    if (expr.name === 'v' && names.length === 1 && names[0] === '0') return 0;
    throw new CircuitError(
      `${key} cannot be evaluated here`,
      expressionLocation(expr),
      'node voltages and branch currents are only available in behavioural sources (B, E/G VALUE=), not in .param',
    );
  }
  const a = expr.args.map((arg) => evaluateExpression(arg, scope));
  const x = a[0];
  switch (expr.name) {
    case 'sqrt':
      return Math.sqrt(x);
    case 'exp':
      return Math.exp(x);
    case 'ln':
    case 'log': // ngspice and HSPICE: log is the natural logarithm
      return Math.log(x);
    case 'log10':
      return Math.log10(x);
    case 'abs':
      return Math.abs(x);
    case 'min':
      return a.reduce((least, value) => Math.min(least, value));
    case 'max':
      return a.reduce((most, value) => Math.max(most, value));
    case 'pow':
      return Math.pow(x, a[1]);
    case 'pwr': // ngspice: sign(x) * |x|^y
      return Math.sign(x) * Math.pow(Math.abs(x), a[1]);
    case 'sin':
      return Math.sin(x);
    case 'cos':
      return Math.cos(x);
    case 'tan':
      return Math.tan(x);
    case 'asin':
      return Math.asin(x);
    case 'acos':
      return Math.acos(x);
    case 'atan':
      return Math.atan(x);
    case 'atan2':
      return Math.atan2(x, a[1]);
    case 'sinh':
      return Math.sinh(x);
    case 'cosh':
      return Math.cosh(x);
    case 'tanh':
      return Math.tanh(x);
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'int':
      return Math.trunc(x);
    case 'nint':
    case 'round':
      return Math.round(x);
    case 'sgn':
    case 'sign':
      return Math.sign(x);
    case 'u':
      return x > 0 ? 1 : 0;
    case 'limit':
      return Math.min(Math.max(x, Math.min(a[1], a[2])), Math.max(a[1], a[2]));
    case 'if':
      return truthy(x) ? a[1] : a[2];
    // SpiceSim runs no Monte Carlo: the distributions give their nominal value (ngspice draws a
    // random number per evaluation).
    case 'agauss':
    case 'gauss':
    case 'aunif':
    case 'unif':
      return x;
  }
  throw new CircuitError(`unknown function '${expr.name}'`, expressionLocation(expr));
}
