/**
 * SPICE netlist parser (ngspice/SPICE3 and HSPICE syntax) producing the typed AST of ./ast.ts.
 * Three passes over the deck, all linear:
 *   1. files to cards (./lexer.ts; dot-commands tokenized), `.include`/`.lib` expanded, `.control` skipped;
 *   2. the names of all `.model` cards (needed to read `Q c b e [s] model` the way ngspice does);
 *   3. cards to statements (element cards tokenized now, one at a time), `.subckt` ... `.ends` nested.
 * References: SPICE3f5 user's manual (Quarles), ngspice manual chapters 2-4 (netlist, elements,
 * sources), HSPICE reference for `$` comments, `'expr'` values and `.lib` sections.
 */
import { ParseError, type SourceLocation } from '../errors';
import type {
  AnalysisStatement,
  DcSweepSpec,
  DeferredElement,
  ElementStatement,
  NameRef,
  Netlist,
  ParamAssignment,
  ParseDiagnostic,
  SourceSpec,
  Statement,
  SubcircuitDefinition,
  Value,
} from './ast';
import { isBuiltinFunction, parseExpressionAt, type Expr } from './expression';
import { Card, isDotCard, plainWords, readCards, tokenize, wordNumber, wordText, type Token } from './lexer';
import { strayValueHint, unknownStatementMessage } from './suggest';

export interface ParseOptions {
  /** Name of the deck in messages; default `<netlist>`. */
  fileName?: string;
  /**
   * Reads an included file. The parser passes the path resolved relative to the including file's
   * directory. Throws if the file is missing. Without it, `.include` and `.lib file` are errors.
   */
  readFile?: (path: string) => string;
  /**
   * Leaves top-level element cards unread (`DeferredElement` statements, read by `Netlist.readElement`): what
   * `parseAndElaborate` does, so that each element's syntax tree lives only until it is elaborated.
   */
  deferElements?: boolean;
}

const MAX_INCLUDE_DEPTH = 16;
const MAX_SUBCKT_NESTING = 64;

// ---------------------------------------------------------------------------------------------
// Paths (no node imports: the solver also runs in a browser worker)

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

function directoryOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash < 0 ? '' : path.slice(0, slash + 1);
}

/** Joins and normalises `a/./b/../c` segments; keeps a leading `..` that cannot be resolved. */
export function resolveIncludePath(includingFile: string, path: string): string {
  const joined = isAbsolute(path) ? path : directoryOf(includingFile) + path;
  const absolute = joined.startsWith('/');
  const parts: string[] = [];
  for (const part of joined.split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (part === '..' && absolute) continue;
    else parts.push(part);
  }
  return (absolute ? '/' : '') + parts.join('/');
}

// ---------------------------------------------------------------------------------------------
// Pass 1: cards, includes and library sections

/**
 * A card and, for dot-commands, its tokens. The first two passes look only at dot-commands, so element cards
 * are tokenized when pass 3 reads them: their tokens then live for one statement instead of the whole parse.
 */
interface CardWithTokens {
  card: Card;
  tokens: Token[] | undefined;
}

interface SourceFile {
  /** Cards outside `.lib name` ... `.endl` blocks. */
  body: CardWithTokens[];
  /** Library sections by lower-case name. */
  sections: Map<string, { cards: CardWithTokens[]; loc: SourceLocation; used: boolean }>;
}

function firstWord(tokens: Token[] | undefined): string {
  return tokens !== undefined && tokens.length > 0 && tokens[0].kind === 'word' ? tokens[0].text : '';
}

/** Is the token a word that reads as a SPICE number (`10k`, `1e-3`)? The tokenizer has its value. */
function isNumber(token: Token): token is Token & { value: number } {
  return token.kind === 'word' && token.value !== undefined;
}

/** The raw (case-preserved) text of a path token. */
function pathText(card: Card, token: Token): string {
  if (token.kind === 'string' || token.kind === 'quote') return token.text;
  return card.text.slice(token.start, token.end);
}

class CardReader {
  private readonly files = new Map<string, SourceFile>();
  private readonly active: string[] = [];
  /** Files read by `.include` (their `.lib` sections are reported when unused). */
  private readonly included = new Set<string>();

  constructor(
    private readonly options: ParseOptions,
    private readonly diagnostics: ParseDiagnostic[],
  ) {}

  /** Splits a file into its body and its `.lib` sections (dot-commands tokenized here, elements in pass 3). */
  split(
    text: string,
    file: string,
    hasTitle: boolean,
  ): { title?: { text: string; loc: SourceLocation }; source: SourceFile } {
    const read = readCards(text, file, hasTitle);
    const source: SourceFile = { body: [], sections: new Map() };
    let section: { name: string; cards: CardWithTokens[]; loc: SourceLocation } | undefined;
    let control: SourceLocation | undefined;
    for (const card of read.cards) {
      const tokens = isDotCard(card) ? tokenize(card) : undefined;
      const word = firstWord(tokens);
      if (control) {
        if (word === '.endc') control = undefined;
        continue;
      }
      if (word === '.control') {
        control = card.loc;
        this.diagnostics.push({
          severity: 'warning',
          message:
            '.control ... .endc block ignored: SpiceSim runs the analyses of the netlist, not ngspice scripts',
          loc: card.loc,
        });
        continue;
      }
      if (word === '.lib' && tokens?.length === 2) {
        if (section) {
          throw new ParseError(
            `.lib section '${section.name}' is not closed before the next .lib section starts`,
            card.loc,
            "end each library section with '.endl'",
          );
        }
        section = { name: tokens[1].text.toLowerCase(), cards: [], loc: card.loc };
        continue;
      }
      if (word === '.endl') {
        if (!section) {
          throw new ParseError(
            "'.endl' without a '.lib name' section",
            card.loc,
            "remove it or open the section with '.lib name'",
          );
        }
        source.sections.set(section.name, { cards: section.cards, loc: section.loc, used: false });
        section = undefined;
        continue;
      }
      (section ? section.cards : source.body).push({ card, tokens });
    }
    if (control) throw new ParseError("'.control' block without '.endc'", control, "close it with '.endc'");
    if (section) {
      throw new ParseError(
        `.lib section '${section.name}' has no '.endl'`,
        section.loc,
        `end the section with '.endl'; to load a library file write '.lib ${section.name} <section>'`,
      );
    }
    return { title: read.title, source };
  }

  registerMain(file: string, source: SourceFile): void {
    this.files.set(file, source);
    this.active.push(file);
  }

  /** Expands `.include` and `.lib file section` references of `cards` (read from `file`). */
  expand(cards: CardWithTokens[], file: string, depth: number, out: CardWithTokens[]): void {
    for (const entry of cards) {
      const { card } = entry;
      const word = firstWord(entry.tokens);
      const tokens = entry.tokens ?? [];
      if (word === '.include' || word === '.inc' || word === '.incl') {
        if (tokens.length < 2)
          throw new ParseError(`${word} needs a file name`, card.loc, `write '${word} path/to/file'`);
        const path = resolveIncludePath(file, pathText(card, tokens[1]));
        const source = this.load(path, card, tokens[1], depth);
        this.included.add(path);
        this.active.push(path);
        this.expand(source.body, path, depth + 1, out);
        this.active.pop();
      } else if (word === '.lib') {
        if (tokens.length < 3) {
          throw new ParseError(
            '.lib needs a file and a section name',
            card.loc,
            "write '.lib path/to/models.lib section' (a '.lib name' ... '.endl' block defines a section)",
          );
        }
        const path = resolveIncludePath(file, pathText(card, tokens[1]));
        const sectionName = tokens[2].text.toLowerCase();
        const source = path === file ? this.files.get(file)! : this.load(path, card, tokens[1], depth);
        const section = source.sections.get(sectionName);
        if (!section) {
          const known = [...source.sections.keys()];
          throw new ParseError(
            `library '${path}' has no section '${sectionName}'`,
            card.locate(tokens[2].start),
            known.length > 0
              ? `sections defined there: ${known.join(', ')}`
              : "the file defines no '.lib name' ... '.endl' sections",
          );
        }
        if (depth >= MAX_INCLUDE_DEPTH) this.tooDeep(card);
        section.used = true;
        const key = `${path}#${sectionName}`;
        if (this.active.includes(key)) {
          throw new ParseError(
            `library section '${sectionName}' of '${path}' includes itself`,
            card.loc,
            'remove the recursive .lib reference',
          );
        }
        this.active.push(key);
        this.expand(section.cards, path, depth + 1, out);
        this.active.pop();
      } else {
        out.push(entry);
      }
    }
  }

  /** Warns about library sections of the deck itself that nothing loaded. */
  /** Warns about `.lib` sections of the deck and of `.include`d files that nothing loaded. */
  reportUnusedSections(file: string): void {
    for (const path of [file, ...this.included]) {
      for (const [name, section] of this.files.get(path)?.sections ?? []) {
        if (!section.used) {
          this.diagnostics.push({
            severity: 'warning',
            message: `.lib section '${name}' is never loaded, so its contents are ignored (load it with '.lib ${path} ${name}')`,
            loc: section.loc,
          });
        }
      }
    }
  }

  private tooDeep(card: Card): never {
    throw new ParseError(
      `.include/.lib nesting deeper than ${MAX_INCLUDE_DEPTH} levels`,
      card.loc,
      'check for files that include each other',
    );
  }

  private load(path: string, card: Card, pathToken: Token, depth: number): SourceFile {
    const where = card.locate(pathToken.start);
    if (!this.options.readFile) {
      throw new ParseError(
        `cannot read '${path}': no file access here`,
        where,
        'pass a readFile function in the parse options, or paste the file contents into the netlist',
      );
    }
    if (depth >= MAX_INCLUDE_DEPTH) this.tooDeep(card);
    if (this.active.includes(path)) {
      throw new ParseError(`'${path}' includes itself`, where, 'remove the recursive .include/.lib');
    }
    const cached = this.files.get(path);
    if (cached) return cached;
    let text: string;
    try {
      text = this.options.readFile(path);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ParseError(
        `cannot read '${path}': ${reason}`,
        where,
        'check the file name and that it exists',
      );
    }
    if (typeof text !== 'string')
      throw new ParseError(`cannot read '${path}': readFile returned no text`, where);
    const { source } = this.split(text, path, false);
    this.files.set(path, source);
    return source;
  }
}

// ---------------------------------------------------------------------------------------------
// Pass 3: statements

const WAVEFORMS = new Set(['pulse', 'sin', 'exp', 'pwl', 'sffm', 'am']);
const OTHER_ANALYSES = new Set([
  '.noise',
  '.tf',
  '.sens',
  '.four',
  '.fourier',
  '.pz',
  '.disto',
  '.meas',
  '.measure',
  '.step',
  '.sp',
]);
const IGNORED_OUTPUT = new Set(['.plot', '.width', '.graph']);

/** A word that can only be an unquoted expression: starts like a number or contains * / ^. */
const BARE_EXPRESSION = /^[0-9.+-]|[*/^]/;

/**
 * The parameters and flags of the (many) elements that have none: one shared, frozen empty array each, so that a
 * large deck does not keep two empty arrays alive per element while it is parsed (see addParam / addFlag).
 */
const NO_PARAMS: ParamAssignment[] = Object.freeze([]) as unknown as ParamAssignment[];
const NO_FLAGS: NameRef[] = Object.freeze([]) as unknown as NameRef[];
/** Nodes of an element before `nodes()` reads them (X instances and K have none of their own). */
const NO_NODES: NameRef[] = Object.freeze([]) as unknown as NameRef[];

function addParam(element: ElementStatement, assignment: ParamAssignment): void {
  if (element.params === NO_PARAMS) element.params = [];
  element.params.push(assignment);
}

function addFlag(element: ElementStatement, flag: NameRef): void {
  if (element.flags === NO_FLAGS) element.flags = [];
  element.flags.push(flag);
}

const WORD_STARTS = new Int32Array(4);
const WORD_ENDS = new Int32Array(4);

/**
 * `R1 a b 10k`, `C2 b 0 1n`, `L3 c d 1u`: name, two nodes and a number, nothing else, in plain ASCII. Most lines
 * of a large deck look like this: they are read straight from the card text into exactly the statement that
 * `element()` makes of their tokens (see its r/c/l case), without making tokens. Undefined for any other line.
 */
function simpleElement(card: Card): ElementStatement | undefined {
  const text = card.text;
  if (plainWords(text, WORD_STARTS, WORD_ENDS) !== 4) return undefined;
  const kind = text[WORD_STARTS[0]].toLowerCase();
  if (kind !== 'r' && kind !== 'c' && kind !== 'l') return undefined;
  const value = wordNumber(text, WORD_STARTS[3], WORD_ENDS[3]);
  if (Number.isNaN(value)) return undefined;
  const s0 = WORD_STARTS[0];
  const s1 = WORD_STARTS[1];
  const s2 = WORD_STARTS[2];
  const s3 = WORD_STARTS[3];
  return {
    type: 'element',
    name: wordText(text, s0, WORD_ENDS[0]),
    kind,
    nodes: [
      { name: wordText(text, s1, WORD_ENDS[1]), loc: card.locate(s1) },
      { name: wordText(text, s2, WORD_ENDS[2]), loc: card.locate(s2) },
    ],
    model: undefined,
    value: { kind: 'number', value, loc: card.locate(s3) },
    params: NO_PARAMS,
    flags: NO_FLAGS,
    loc: card.locate(s0),
  };
}

/**
 * One element line as `parseNetlist` reads it (no models or functions known), e.g. to check that the tokenless
 * reading of simple lines (`simple: true`, the default) gives what the general reading (`simple: false`) does.
 */
export function parseElementLine(
  text: string,
  options: { simple?: boolean; fileName?: string } = {},
): ElementStatement {
  const card = new Card(text, options.fileName ?? '<line>', 1, 1);
  const simple = options.simple === false ? undefined : simpleElement(card);
  if (simple !== undefined) return simple;
  const parser = new StatementParser([], new Set(), new Set());
  return parser.element(new Cursor(card, tokenize(card)));
}

/** Reads one card's tokens with helpers that point errors at the offending token. */
class Cursor {
  index = 0;

  constructor(
    readonly card: Card,
    readonly tokens: Token[],
    /** Names of the deck's `.func` functions. */
    readonly functions: ReadonlySet<string> = new Set(),
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  next(): Token | undefined {
    return this.tokens[this.index++];
  }

  atEnd(): boolean {
    return this.index >= this.tokens.length;
  }

  loc(token?: Token): SourceLocation {
    return token ? this.card.locate(token.start) : this.endLoc();
  }

  endLoc(): SourceLocation {
    return this.card.locate(this.card.text.trimEnd().length);
  }

  fail(message: string, token: Token | undefined, hint?: string): never {
    throw new ParseError(message, this.loc(token), hint);
  }

  isWord(offset = 0, text?: string): boolean {
    const token = this.peek(offset);
    return token !== undefined && token.kind === 'word' && (text === undefined || token.text === text);
  }

  isKind(kind: Token['kind'], offset = 0): boolean {
    return this.peek(offset)?.kind === kind;
  }

  /** True when the next tokens are `name =`. */
  atAssignment(): boolean {
    return this.isWord() && this.isKind('=', 1);
  }

  /** Could the next token be a value (number, `{expr}`, `'expr'`)? Bare words only when numeric. */
  atValue(): boolean {
    const token = this.peek();
    if (!token) return false;
    if (token.kind === 'brace' || token.kind === 'quote') return true;
    return isNumber(token);
  }

  /** Is the token at `offset` a number, `{expr}` or `'expr'`? */
  valueAt(offset: number): boolean {
    const token = this.peek(offset);
    if (!token) return false;
    if (token.kind === 'brace' || token.kind === 'quote') return true;
    return isNumber(token);
  }

  /**
   * Is the next token a value, counting unquoted HSPICE expressions such as `2*rload` or
   * `sqrt(2)` (a word with operators, or followed by '(' without a space)?
   */
  atValueOrBareExpression(): boolean {
    if (this.atValue()) return true;
    const token = this.peek();
    if (!token || token.kind !== 'word' || this.isKind('=', 1)) return false;
    if (BARE_EXPRESSION.test(token.text)) return true;
    const following = this.peek(1);
    return following !== undefined && following.kind === '(' && following.start === token.end;
  }

  /**
   * Reads a value: a number, `{expr}`, `'expr'`, or (HSPICE style) an unquoted expression written
   * without spaces such as `2*wmin` or `max(1,w)`.
   */
  value(what: string): Value {
    const token = this.peek();
    if (!token) this.fail(`missing ${what}`, undefined, `add the ${what} at the end of the line`);
    if (token.kind === 'brace' || token.kind === 'quote') {
      this.index++;
      return this.expressionValue(token.start + 1, token.end - 1, token.start);
    }
    if (token.kind === 'word') {
      // Glue an unquoted expression such as `max(1,w)` whose parentheses the tokenizer split off.
      let end = token.end;
      let last = this.index;
      let depth = 0;
      for (let look = this.index + 1; look < this.tokens.length; look++) {
        const following = this.tokens[look];
        if (following.start !== this.tokens[look - 1].end) break;
        if (following.kind === '(') depth++;
        else if (following.kind === ')') {
          if (depth === 0) break;
          depth--;
        } else if (following.kind === '=' || following.kind === 'string') break;
        else if (following.kind === ',' && depth === 0) break;
        last = look;
        end = following.end;
      }
      if (depth !== 0) {
        // Unbalanced: take the word alone and let the caller complain about what follows.
        last = this.index;
        end = token.end;
      }
      if (last === this.index && isNumber(token)) {
        this.index++;
        return { kind: 'number', value: token.value, loc: this.card.locate(token.start) };
      }
      this.index = last + 1;
      return this.expressionValue(token.start, end, token.start);
    }
    this.fail(`expected ${what}, found '${token.text}'`, token);
  }

  expressionValue(start: number, end: number, locStart: number): Value {
    const text = this.card.text;
    const { expr } = parseExpressionAt(text, start, end, {
      locate: (offset) => this.card.locate(offset),
      userFunctions: this.functions,
    });
    const loc = this.card.locate(locStart);
    if (expr.type === 'num') return { kind: 'number', value: expr.value, loc };
    return { kind: 'expr', expr, text: text.slice(start, end), loc };
  }

  name(what: string): NameRef {
    const token = this.peek();
    if (!token || token.kind !== 'word') {
      this.fail(token ? `expected ${what}, found '${token.text}'` : `missing ${what}`, token);
    }
    this.index++;
    return { name: token.text, loc: this.card.locate(token.start) };
  }

  /** Reads `name=value[,value...]` pairs until the end (commas and parentheses between pairs allowed). */
  assignments(context: string, skipParens = false): ParamAssignment[] {
    const result: ParamAssignment[] = [];
    while (!this.atEnd()) {
      const token = this.peek()!;
      if (token.kind === ',' || (skipParens && (token.kind === '(' || token.kind === ')'))) {
        this.index++;
        continue;
      }
      if (!this.atAssignment()) {
        this.fail(
          `unexpected '${token.kind === 'brace' ? `{${token.text}}` : token.text}' in ${context}: expected name=value`,
          token,
          strayValueHint(token, this.peek(-1), context),
        );
      }
      result.push(this.assignment());
    }
    return result;
  }

  /** `.model` parameters: parentheses and commas skipped, bare words warned about and ignored. */
  assignmentsLenient(diagnostics: ParseDiagnostic[], context: string): ParamAssignment[] {
    const result: ParamAssignment[] = [];
    while (!this.atEnd()) {
      const token = this.peek()!;
      if (token.kind === ',' || token.kind === '(' || token.kind === ')') {
        this.index++;
      } else if (this.atAssignment()) {
        const valueToken = this.peek(2);
        if (valueToken?.kind === 'word' && /^\d+(\.\d+){2,}$/.test(valueToken.text)) {
          // Version strings such as `version=4.8.1`: the model code reads the number 4.8.
          const nameToken = this.next()!;
          this.index += 2;
          const value = Number(valueToken.text.split('.').slice(0, 2).join('.'));
          result.push({
            name: nameToken.text,
            value: { kind: 'number', value, loc: this.loc(valueToken) },
            loc: this.loc(nameToken),
          });
          diagnostics.push({
            severity: 'warning',
            message: `${context}: '${nameToken.text}=${valueToken.text}' read as ${value}`,
            loc: this.loc(valueToken),
          });
        } else {
          result.push(this.assignment());
        }
      } else if (token.kind === 'word' && !isNumber(token) && this.valueAt(1)) {
        // SPICE2 style without '=': `.MODEL Q1 NPN BF 20 RB 100` (as in the SPICE3 manual's examples).
        const nameToken = this.next()!;
        result.push({
          name: nameToken.text,
          value: this.value(`value of '${nameToken.text}'`),
          loc: this.loc(nameToken),
        });
      } else {
        diagnostics.push({
          severity: 'warning',
          message: `'${token.text}' in ${context} is not a name=value parameter and is ignored`,
          loc: this.loc(token),
        });
        this.index++;
      }
    }
    return result;
  }

  assignment(): ParamAssignment {
    const nameToken = this.next()!;
    if (nameToken.text === '__proto__') {
      this.fail("'__proto__' cannot be a parameter name", nameToken, 'rename the parameter');
    }
    this.index++; // '='
    const value = this.value(`value of '${nameToken.text}'`);
    const assignment: ParamAssignment = {
      name: nameToken.text,
      value,
      loc: this.card.locate(nameToken.start),
    };
    while (
      this.isKind(',') &&
      !(this.isWord(1) && this.isKind('=', 2)) &&
      this.peek(1) &&
      this.peek(1)!.kind !== ')'
    ) {
      this.index++;
      (assignment.rest ??= []).push(this.value(`value of '${nameToken.text}'`));
    }
    return assignment;
  }
}

class StatementParser {
  readonly diagnostics: ParseDiagnostic[];
  private readonly modelNames: Set<string>;
  private readonly functions: ReadonlySet<string>;

  constructor(
    diagnostics: ParseDiagnostic[],
    modelNames: Set<string>,
    functions: ReadonlySet<string>,
    private readonly deferElements = false,
  ) {
    this.diagnostics = diagnostics;
    this.modelNames = modelNames;
    this.functions = functions;
  }

  private warn(message: string, loc: SourceLocation): void {
    this.diagnostics.push({ severity: 'warning', message, loc });
  }

  parseCards(cards: CardWithTokens[], title: { value: string }): Statement[] {
    const top: Statement[] = [];
    const open: SubcircuitDefinition[] = [];
    const body = (): Statement[] => (open.length > 0 ? open[open.length - 1].body : top);
    for (const entry of cards) {
      const card = entry.card;
      if (this.deferElements && entry.tokens === undefined && open.length === 0) {
        // An element card (dot-commands have their tokens): read when it is elaborated.
        top.push({ type: 'deferred', card });
        continue;
      }
      const tokens = entry.tokens ?? tokenize(card);
      if (tokens.length === 0) continue;
      // Typed explicitly: cursor.fail() (never) then narrows the variables it guards.
      const cursor: Cursor = this.statementCursor(card, tokens);
      const head = tokens[0];
      if (head.text.startsWith('.')) {
        if (head.text === '.alter') {
          // HSPICE reruns the deck with the statements after .alter changed; SpiceSim runs it once.
          this.warn(
            '.alter and everything after it are ignored: SpiceSim simulates the deck once, without alterations',
            card.loc,
          );
          break;
        }
        if (
          head.text === '.protect' ||
          head.text === '.unprotect' ||
          head.text === '.prot' ||
          head.text === '.unprot'
        ) {
          continue; // HSPICE listing-encryption markers: no meaning for the circuit
        }
        if (['.if', '.elseif', '.else', '.endif'].includes(head.text)) {
          cursor.fail(
            `${head.text} (conditional netlist blocks) is not supported`,
            head,
            'keep only the statements of the branch you want, or choose values with a ternary {cond ? a : b}',
          );
        }
        if (head.text === '.subckt') {
          if (open.length >= MAX_SUBCKT_NESTING) {
            cursor.fail(`subcircuit definitions nested more than ${MAX_SUBCKT_NESTING} deep`, head);
          }
          const definition = this.subckt(cursor);
          body().push(definition);
          open.push(definition);
        } else if (head.text === '.ends') {
          const definition = open.pop();
          if (!definition)
            cursor.fail("'.ends' without a matching '.subckt'", head, "remove it or add the '.subckt' line");
          const nameToken = tokens[1];
          if (nameToken && nameToken.text !== definition.name) {
            this.warn(
              `'.ends ${nameToken.text}' closes subcircuit '${definition.name}'`,
              cursor.loc(nameToken),
            );
          }
        } else if (head.text === '.title') {
          title.value = card.text.slice(head.end).trim();
        } else {
          const statement = this.dotCommand(cursor);
          if (statement) body().push(statement);
        }
      } else {
        body().push(simpleElement(card) ?? this.element(cursor));
      }
    }
    if (open.length > 0) {
      const definition = open[open.length - 1];
      throw new ParseError(
        `subcircuit '${definition.name}' has no '.ends'`,
        definition.loc,
        "close the definition with '.ends'",
      );
    }
    return top;
  }

  /**
   * Reads a card that `parseCards` deferred: the same checks and statement as reading it in place (undefined for
   * a card of blanks only, such as a form feed, which parseCards skips too).
   */
  readElement(statement: DeferredElement): ElementStatement | undefined {
    const card = statement.card as Card;
    const simple = simpleElement(card);
    if (simple !== undefined) return simple;
    const tokens = tokenize(card);
    if (tokens.length === 0) return undefined;
    return this.element(this.statementCursor(card, tokens));
  }

  /** A cursor over a statement's tokens (at least one), which must start with a word. */
  private statementCursor(card: Card, tokens: Token[]): Cursor {
    const cursor = new Cursor(card, tokens, this.functions);
    const head = tokens[0];
    if (head.kind !== 'word') {
      cursor.fail(
        `a statement cannot start with '${head.text}'`,
        head,
        'start the line with an element name or a dot-command',
      );
    }
    return cursor;
  }

  // ------------------------------------------------------------------------ dot-commands

  private subckt(cursor: Cursor): SubcircuitDefinition {
    const head = cursor.next()!;
    const name = cursor.name('subcircuit name after .subckt');
    const ports: NameRef[] = [];
    while (!cursor.atEnd() && !cursor.atAssignment() && !cursor.isWord(0, 'params:')) {
      ports.push(cursor.name('port node name'));
    }
    if (cursor.isWord(0, 'params:')) cursor.next();
    const params = cursor.assignments(`the parameters of subcircuit '${name.name}'`);
    return { type: 'subckt', name: name.name, ports, params, body: [], loc: cursor.loc(head) };
  }

  private dotCommand(cursor: Cursor): Statement | undefined {
    const head = cursor.next()!;
    const loc = cursor.loc(head);
    const command = head.text;
    switch (command) {
      case '.model': {
        const name = cursor.name('model name after .model');
        const typeToken = cursor.peek();
        if (!typeToken || typeToken.kind !== 'word') {
          cursor.fail(
            `model '${name.name}' needs a type`,
            typeToken,
            "write '.model name type (param=value ...)', e.g. '.model d1 d (is=1e-14)'",
          );
        }
        cursor.next();
        const params = cursor.assignmentsLenient(this.diagnostics, `model '${name.name}'`);
        return { type: 'model', name: name.name, modelType: typeToken.text, params, loc };
      }
      case '.param':
      case '.params': {
        if (cursor.isWord() && cursor.isKind('(', 1)) {
          cursor.fail(
            'parameter functions (.param f(x)=...) are not supported',
            cursor.peek(),
            'write the expression out where it is used',
          );
        }
        const assignments = cursor.assignments('.param');
        if (assignments.length === 0) cursor.fail('.param needs name=value', undefined);
        return { type: 'param', assignments, loc };
      }
      case '.option':
      case '.options':
      case '.opt':
      case '.opts': {
        const options: Array<{ name: string; value: Value | string | true; loc: SourceLocation }> = [];
        while (!cursor.atEnd()) {
          const token = cursor.peek()!;
          if (token.kind === ',') {
            cursor.next();
            continue;
          }
          const name = cursor.name('option name');
          if (name.name === '__proto__')
            throw new ParseError("'__proto__' cannot be an option name", name.loc);
          if (cursor.isKind('=')) {
            cursor.next();
            const valueToken = cursor.peek();
            if (
              valueToken &&
              valueToken.kind === 'word' &&
              !isNumber(valueToken) &&
              /^[a-z_][a-z0-9_]*$/.test(valueToken.text)
            ) {
              cursor.next();
              options.push({ name: name.name, value: valueToken.text, loc: name.loc });
            } else {
              options.push({
                name: name.name,
                value: cursor.value(`value of option '${name.name}'`),
                loc: name.loc,
              });
            }
          } else {
            options.push({ name: name.name, value: true, loc: name.loc });
          }
        }
        return { type: 'options', options, loc };
      }
      case '.temp': {
        const values: Value[] = [];
        while (!cursor.atEnd()) {
          if (cursor.isKind(',') || cursor.isKind('=')) {
            cursor.next();
            continue;
          }
          values.push(cursor.value('temperature'));
        }
        if (values.length === 0)
          cursor.fail('.temp needs at least one temperature', undefined, "write e.g. '.temp 27 85'");
        return { type: 'temp', values, loc };
      }
      case '.ic':
      case '.nodeset': {
        const entries: Array<{ node: NameRef; value: Value; loc: SourceLocation }> = [];
        while (!cursor.atEnd()) {
          if (cursor.isKind(',')) {
            cursor.next();
            continue;
          }
          let node: NameRef;
          if (cursor.isWord(0, 'v') && cursor.isKind('(', 1)) {
            cursor.next();
            cursor.next();
            node = cursor.name('node name in v(...)');
            if (!cursor.isKind(')')) cursor.fail("expected ')' after the node name", cursor.peek());
            cursor.next();
          } else {
            cursor.fail(
              `expected v(node)=value in ${command}`,
              cursor.peek(),
              `write e.g. '${command} v(out)=0'`,
            );
          }
          if (!cursor.isKind('=')) cursor.fail(`expected '=' after v(${node.name})`, cursor.peek());
          cursor.next();
          entries.push({ node, value: cursor.value(`value of v(${node.name})`), loc: node.loc });
        }
        return { type: command === '.ic' ? 'ic' : 'nodeset', entries, loc };
      }
      case '.global': {
        const nodes: NameRef[] = [];
        while (!cursor.atEnd()) nodes.push(cursor.name('node name'));
        return { type: 'global', nodes, loc };
      }
      case '.save':
        return { type: 'save', vectors: vectorList(cursor.card.text.slice(head.end)), loc };
      case '.print': {
        const vectors = vectorList(cursor.card.text.slice(head.end));
        const analysis = vectors.shift() ?? '';
        if (!['op', 'dc', 'ac', 'tran', 'noise'].includes(analysis)) {
          cursor.fail(
            `.print needs the analysis first (op, dc, ac, tran), found '${analysis}'`,
            cursor.peek(),
            "write e.g. '.print tran v(out)'",
          );
        }
        return { type: 'print', analysis, vectors, loc };
      }
      case '.probe': {
        // HSPICE: .PROBE [antype] ov1 ov2 ...; without an analysis the vectors apply to every analysis.
        const vectors = vectorList(cursor.card.text.slice(head.end));
        const analysis = ['op', 'dc', 'ac', 'tran', 'noise'].includes(vectors[0] ?? '')
          ? vectors.shift()!
          : '';
        return { type: 'print', analysis, vectors, probe: true, loc };
      }
      case '.op':
        return { type: 'analysis', kind: 'op', loc };
      case '.dc':
        return this.dcAnalysis(cursor, loc);
      case '.ac': {
        const variationToken = cursor.name('dec, oct or lin after .ac');
        const variation = variationToken.name;
        if (variation !== 'dec' && variation !== 'oct' && variation !== 'lin') {
          throw new ParseError(
            `unknown .ac sweep '${variation}'`,
            variationToken.loc,
            "use '.ac dec|oct|lin points fstart fstop'",
          );
        }
        const points = cursor.value('number of points');
        const fstart = cursor.value('start frequency');
        const fstop = cursor.value('stop frequency');
        this.expectEnd(cursor, '.ac');
        return { type: 'analysis', kind: 'ac', variation, points, fstart, fstop, loc };
      }
      case '.tran': {
        const values: Value[] = [];
        let uic = false;
        while (!cursor.atEnd()) {
          if (cursor.isWord(0, 'uic')) {
            cursor.next();
            uic = true;
          } else if (values.length < 4) {
            values.push(cursor.value('time'));
          } else {
            cursor.fail(
              `unexpected '${cursor.peek()!.text}' in .tran`,
              cursor.peek(),
              "use '.tran tstep tstop [tstart [tmax]] [uic]'",
            );
          }
        }
        if (values.length < 2)
          cursor.fail(
            '.tran needs tstep and tstop',
            undefined,
            "use '.tran tstep tstop [tstart [tmax]] [uic]'",
          );
        return {
          type: 'analysis',
          kind: 'tran',
          tstep: values[0],
          tstop: values[1],
          tstart: values[2],
          tmax: values[3],
          uic,
          loc,
        };
      }
      default:
        break;
    }
    if (OTHER_ANALYSES.has(command)) {
      const name = command === '.measure' ? 'meas' : command === '.fourier' ? 'four' : command.slice(1);
      this.warn(`.${name} is not supported by the simulator yet: the line is kept but not run`, loc);
      const args = cursor.tokens
        .slice(1)
        .map((token) =>
          token.kind === 'word' ? token.text : cursor.card.text.slice(token.start, token.end),
        );
      return { type: 'analysis', kind: 'other', name, args, loc } satisfies AnalysisStatement;
    }
    if (IGNORED_OUTPUT.has(command)) {
      this.warn(`${command} is ignored (use .save to choose the vectors written to the output)`, loc);
      return undefined;
    }
    if (command === '.func') return this.userFunction(cursor, loc);
    if (command === '.endl' || command === '.endc') {
      cursor.fail(`'${command}' without its opening statement`, head);
    }
    this.warn(unknownStatementMessage(command), loc);
    return undefined;
  }

  /** `.func name(a, b) = {expr}` (the `=` is optional; the body may be braced, quoted or bare). */
  private userFunction(cursor: Cursor, loc: SourceLocation): Statement {
    const name = cursor.name('function name after .func');
    if (isBuiltinFunction(name.name)) {
      throw new ParseError(
        `.func cannot redefine the built-in function '${name.name}'`,
        name.loc,
        'choose another name',
      );
    }
    if (!cursor.isKind('('))
      cursor.fail(
        `expected '(' after .func ${name.name}`,
        cursor.peek(),
        "write '.func name(a, b) {expression}'",
      );
    cursor.next();
    const params: string[] = [];
    while (!cursor.isKind(')')) {
      if (cursor.isKind(',')) {
        cursor.next();
        continue;
      }
      if (!cursor.isWord())
        cursor.fail(`expected a parameter name or ')' in .func ${name.name}`, cursor.peek());
      params.push(cursor.next()!.text);
    }
    cursor.next();
    if (cursor.isKind('=')) cursor.next();
    const body = this.rawExpression(cursor, `.func ${name.name}`);
    this.expectEnd(cursor, `.func ${name.name}`);
    return { type: 'func', name: name.name, params, expr: body.expr, loc };
  }

  private dcAnalysis(cursor: Cursor, loc: SourceLocation): AnalysisStatement {
    const sweeps: DcSweepSpec[] = [];
    while (!cursor.atEnd()) {
      if (sweeps.length === 2)
        cursor.fail(
          '.dc takes at most two sweeps',
          cursor.peek(),
          "use '.dc src start stop step [src2 start2 stop2 step2]'",
        );
      if (cursor.isWord(0, 'lin')) cursor.next(); // HSPICE's optional sweep type
      const source = cursor.name('swept source name');
      const start = cursor.value('sweep start');
      const stop = cursor.value('sweep stop');
      const step = cursor.value('sweep step');
      sweeps.push({ source, start, stop, step, loc: source.loc });
    }
    if (sweeps.length === 0)
      cursor.fail('.dc needs a source to sweep', undefined, "use '.dc src start stop step'");
    return { type: 'analysis', kind: 'dc', sweeps, loc };
  }

  private expectEnd(cursor: Cursor, what: string): void {
    if (!cursor.atEnd())
      cursor.fail(`unexpected '${cursor.peek()!.text}' at the end of ${what}`, cursor.peek());
  }

  // ------------------------------------------------------------------------ elements

  element(cursor: Cursor): ElementStatement {
    const head = cursor.next()!;
    const name = head.text;
    const kind = name[0];
    const element: ElementStatement = {
      type: 'element',
      name,
      kind,
      nodes: NO_NODES,
      // Declared up front (undefined until read) so that the element keeps all its fields in the object itself:
      // set later, they would need a separate property array per element (a 30,000-line deck keeps them all).
      model: undefined,
      value: undefined,
      params: NO_PARAMS,
      flags: NO_FLAGS,
      loc: cursor.loc(head),
    };
    switch (kind) {
      case 'r':
      case 'c':
      case 'l': {
        this.nodes(cursor, element, 2);
        if (cursor.atValueOrBareExpression()) element.value = cursor.value('value');
        if (cursor.isWord() && !cursor.atAssignment() && !cursor.atValue()) {
          element.model = cursor.name('model name');
          if (!element.value && cursor.atValue()) element.value = cursor.value('value');
        }
        if (!cursor.atEnd()) element.params = cursor.assignments(`element ${name}`);
        if (!element.value && !element.model && !hasValueParameter(kind, element.params)) {
          const what = { r: 'resistance', c: 'capacitance', l: 'inductance' }[kind];
          cursor.fail(
            `${name} has no ${what} value`,
            head,
            `write e.g. '${name} ${element.nodes.map((node) => node.name).join(' ')} ${kind === 'r' ? '1k' : kind === 'c' ? '1p' : '1u'}'`,
          );
        }
        break;
      }
      case 'k': {
        const first = cursor.name('first coupled inductor');
        const second = cursor.name('second coupled inductor');
        for (const inductor of [first, second]) {
          if (!inductor.name.startsWith('l')) {
            throw new ParseError(
              `${name} couples '${inductor.name}', which is not an inductor`,
              inductor.loc,
              'K couples two inductors (names starting with L)',
            );
          }
        }
        element.controls = [first, second];
        if (!cursor.atValue() && !cursor.isWord())
          cursor.fail(
            `${name} has no coupling coefficient`,
            head,
            `write e.g. '${name} ${first.name} ${second.name} 0.99'`,
          );
        element.value = cursor.value('coupling coefficient');
        element.params = cursor.assignments(`element ${name}`);
        break;
      }
      case 'v':
      case 'i':
        this.nodes(cursor, element, 2);
        element.source = this.sourceSpec(cursor, element);
        break;
      case 'e':
      case 'g':
        this.nodes(cursor, element, 2);
        this.controlledSource(cursor, element, true);
        break;
      case 'f':
      case 'h':
        this.nodes(cursor, element, 2);
        this.controlledSource(cursor, element, false);
        break;
      case 'd':
        this.nodes(cursor, element, 2);
        this.semiconductor(cursor, element);
        break;
      case 'q': {
        // ngspice: Q c b e [s] model. With 5 words before the parameters, the 4th names the model
        // when a model of that name exists anywhere in the deck; otherwise it is the substrate node.
        this.nodes(cursor, element, 3);
        const fourth = cursor.peek();
        const fifth = cursor.peek(1);
        if (
          fourth?.kind === 'word' &&
          !cursor.isKind('=', 1) &&
          !this.modelNames.has(fourth.text) &&
          fifth?.kind === 'word' &&
          !cursor.isKind('=', 2) &&
          !isNumber(fifth) &&
          fifth.text !== 'off'
        ) {
          this.nodes(cursor, element, 1);
        }
        this.semiconductor(cursor, element);
        break;
      }
      case 'j':
        this.nodes(cursor, element, 3);
        this.semiconductor(cursor, element);
        break;
      case 'm':
        this.nodes(cursor, element, 4);
        this.semiconductor(cursor, element);
        break;
      case 's':
        this.nodes(cursor, element, 4);
        this.switchModel(cursor, element);
        break;
      case 'w':
        this.nodes(cursor, element, 2);
        element.controls = [cursor.name('controlling voltage source')];
        this.switchModel(cursor, element);
        break;
      case 'b':
        this.nodes(cursor, element, 2);
        this.behavioural(cursor, element);
        break;
      case 'x':
        this.instance(cursor, element);
        break;
      default:
        cursor.fail(
          `unsupported element '${name}': SpiceSim does not know element type '${kind.toUpperCase()}'`,
          head,
          'supported: R C L K V I E F G H D Q J M S W B X',
        );
    }
    return element;
  }

  /** Reads `count` node names of an element; a ParseError names how many were found. */
  private nodes(cursor: Cursor, element: ElementStatement, count: number): void {
    const head = cursor.tokens[0];
    const had = element.nodes.length;
    // Sized once: an array grown by push keeps room for 17 entries (a large deck keeps one per element).
    const nodes: NameRef[] = new Array<NameRef>(had + count);
    for (let n = 0; n < had; n++) nodes[n] = element.nodes[n];
    for (let n = 0; n < count; n++) {
      const token = cursor.peek();
      if (!token || token.kind !== 'word' || cursor.isKind('=', 1)) {
        const needed = had + count;
        cursor.fail(
          `${element.name} needs ${needed} node${needed > 1 ? 's' : ''}, found ${had + n}`,
          token && token.kind !== 'word' ? token : head,
          `write the ${needed} node names after '${element.name}'`,
        );
      }
      nodes[had + n] = cursor.name('node name');
    }
    element.nodes = nodes;
  }

  private semiconductor(cursor: Cursor, element: ElementStatement): void {
    if (!cursor.isWord() || cursor.atAssignment()) {
      cursor.fail(
        `missing model name: ${element.name} needs ${element.nodes.length} nodes and then a model`,
        cursor.peek() ?? cursor.tokens[0],
        `write '${element.name} ${element.nodes.map((node) => node.name).join(' ')} <model>' and define the model with .model`,
      );
    }
    element.model = cursor.name(`model name of ${element.name}`);
    let positional = 0;
    while (!cursor.atEnd()) {
      if (cursor.atAssignment()) {
        addParam(element, cursor.assignment());
      } else if (cursor.isWord(0, 'off')) {
        addFlag(element, cursor.name('flag'));
      } else if (cursor.atValue() && positional === 0 && element.kind !== 'm') {
        element.area = cursor.value('area');
        positional++;
      } else if (cursor.isKind(',')) {
        cursor.next();
      } else {
        const token = cursor.peek()!;
        cursor.fail(
          `unexpected '${token.text}' in ${element.name}`,
          token,
          'after the model come [area] [off] and name=value parameters',
        );
      }
    }
  }

  private switchModel(cursor: Cursor, element: ElementStatement): void {
    element.model = cursor.name(`model name of ${element.name}`);
    while (!cursor.atEnd()) {
      if (cursor.isWord(0, 'on') || cursor.isWord(0, 'off')) addFlag(element, cursor.name('flag'));
      else if (cursor.atAssignment()) addParam(element, cursor.assignment());
      else
        cursor.fail(
          `unexpected '${cursor.peek()!.text}' in ${element.name}`,
          cursor.peek(),
          'a switch takes its model and then ON or OFF',
        );
    }
  }

  private sourceSpec(cursor: Cursor, element: ElementStatement): SourceSpec {
    const spec: SourceSpec = { loc: cursor.loc(cursor.peek()) };
    while (!cursor.atEnd()) {
      const token = cursor.peek()!;
      if (token.kind === ',') {
        cursor.next();
      } else if (cursor.isWord(0, 'dc') && !cursor.isKind('=', 1)) {
        cursor.next();
        spec.dc = cursor.value('DC value');
      } else if (cursor.isWord(0, 'ac') && !cursor.isKind('=', 1)) {
        cursor.next();
        if (cursor.atValue() || atSourceParameter(cursor)) {
          spec.acMag = cursor.value('AC magnitude');
          if (cursor.atValue() || atSourceParameter(cursor)) spec.acPhase = cursor.value('AC phase');
        } else {
          spec.acMag = { kind: 'number', value: 1, loc: cursor.loc(token) };
        }
      } else if (token.kind === 'word' && WAVEFORMS.has(token.text) && !cursor.isKind('=', 1)) {
        if (spec.waveform)
          cursor.fail(
            `${element.name} has two waveforms`,
            token,
            'a source takes one of PULSE SIN EXP PWL SFFM AM',
          );
        spec.waveform = this.waveform(cursor, element);
      } else if (
        spec.dc === undefined &&
        !spec.waveform &&
        spec.acMag === undefined &&
        (cursor.atValue() || atSourceParameter(cursor))
      ) {
        // A number, {expr}, or (HSPICE) a bare parameter name such as `V1 vdd 0 vsupply`.
        spec.dc = cursor.value('DC value');
      } else if (cursor.atAssignment() && (cursor.isWord(0, 'dc') || cursor.isWord(0, 'ac'))) {
        // HSPICE: DC=value, AC=mag[,phase]
        const assignment = cursor.assignment();
        if (assignment.name === 'dc') spec.dc = assignment.value;
        else {
          spec.acMag = assignment.value;
          if (assignment.rest) spec.acPhase = assignment.rest[0];
        }
      } else if (cursor.atAssignment() && cursor.isWord(0, 'm')) {
        addParam(element, cursor.assignment());
      } else {
        cursor.fail(
          `unexpected '${token.kind === 'brace' ? `{${token.text}}` : token.text}' in source ${element.name}`,
          token,
          'a source takes [DC] value, AC [mag [phase]], and one of PULSE SIN EXP PWL SFFM AM',
        );
      }
    }
    if (spec.dc === undefined && spec.acMag === undefined && !spec.waveform) {
      this.warn(`${element.name} has no value: DC 0 assumed (as ngspice does)`, element.loc);
      spec.dc = { kind: 'number', value: 0, loc: element.loc };
    }
    return spec;
  }

  private waveform(cursor: Cursor, element: ElementStatement): NonNullable<SourceSpec['waveform']> {
    const head = cursor.next()!;
    const type = head.text as NonNullable<SourceSpec['waveform']>['type'];
    const args: Value[] = [];
    const options: ParamAssignment[] = [];
    if (cursor.isKind('(')) {
      const open = cursor.next()!;
      // Nested parentheses (PWL pairs written as `(t, v)`) and commas only separate the values.
      let depth = 1;
      while (depth > 0) {
        const token = cursor.peek();
        if (!token)
          cursor.fail(`${type.toUpperCase()}( of ${element.name} has no closing ')'`, open, "add ')'");
        if (token.kind === '(' || token.kind === ')' || token.kind === ',') {
          cursor.next();
          if (token.kind === '(') depth++;
          if (token.kind === ')') depth--;
        } else if (cursor.atAssignment() && type === 'pwl') {
          options.push(cursor.assignment());
        } else {
          args.push(cursor.value(`${type.toUpperCase()} argument`));
        }
      }
    } else {
      while (cursor.atValue()) {
        args.push(cursor.value(`${type.toUpperCase()} argument`));
        if (cursor.isKind(',')) cursor.next();
      }
    }
    if (type === 'pwl') {
      while (cursor.atAssignment() && (cursor.isWord(0, 'r') || cursor.isWord(0, 'td')))
        options.push(cursor.assignment());
      if (args.length % 2 !== 0) {
        cursor.fail(
          `PWL of ${element.name} needs time-value pairs, found ${args.length} numbers`,
          head,
          'write PWL(t1 v1 t2 v2 ...)',
        );
      }
    }
    const minimum = { pulse: 2, sin: 3, exp: 2, pwl: 2, sffm: 2, am: 3 }[type];
    if (args.length < minimum) {
      cursor.fail(
        `${type.toUpperCase()} of ${element.name} needs at least ${minimum} arguments, found ${args.length}`,
        head,
      );
    }
    return { type, args, options, loc: cursor.loc(head) };
  }

  private controlledSource(cursor: Cursor, element: ElementStatement, voltageControlled: boolean): void {
    const head = cursor.peek();
    if (!head) {
      cursor.fail(
        `${element.name} is incomplete`,
        undefined,
        voltageControlled
          ? `write '${element.name} n+ n- nc+ nc- gain'`
          : `write '${element.name} n+ n- vcontrol gain'`,
      );
    }
    const word = head.kind === 'word' ? head.text : '';
    if (
      voltageControlled &&
      (word === 'value' || word === 'vol' || word === 'cur') &&
      (cursor.isKind('=', 1) || cursor.isKind('brace', 1))
    ) {
      cursor.next();
      if (cursor.isKind('=')) cursor.next();
      element.expression = {
        quantity: element.kind === 'e' ? 'v' : 'i',
        ...this.rawExpression(cursor, element.name),
      };
      element.params = cursor.assignments(`element ${element.name}`);
      return;
    }
    if (word === 'poly') {
      cursor.next();
      if (!cursor.isKind('('))
        cursor.fail(`expected '(' after POLY in ${element.name}`, cursor.peek(), 'write POLY(n)');
      cursor.next();
      const dimensionToken = cursor.peek();
      const dimension = dimensionToken && isNumber(dimensionToken) ? dimensionToken.value : undefined;
      if (dimension === undefined || !Number.isInteger(dimension) || dimension < 1 || dimension > 64) {
        cursor.fail(`POLY dimension of ${element.name} must be a whole number from 1 to 64`, dimensionToken);
      }
      cursor.next();
      if (!cursor.isKind(')')) cursor.fail(`expected ')' after POLY(${dimension}`, cursor.peek());
      cursor.next();
      // Controls may be grouped in parentheses, as PSpice vendor models write them: POLY(2) (3,0) (4,0) ...
      const skipGrouping = (): void => {
        while (cursor.isKind(',') || cursor.isKind('(') || cursor.isKind(')')) cursor.next();
      };
      if (voltageControlled) {
        for (let n = 0; n < 2 * dimension; n++) {
          skipGrouping();
          if (!cursor.isWord() || cursor.isKind('=', 1)) {
            cursor.fail(
              `POLY(${dimension}) of ${element.name} needs ${2 * dimension} controlling nodes, found ${n}`,
              cursor.peek() ?? head,
            );
          }
          element.nodes.push(cursor.name('controlling node'));
        }
      } else {
        element.controls = [];
        for (let n = 0; n < dimension; n++) {
          skipGrouping();
          if (!cursor.isWord() || isNumber(cursor.peek()!)) {
            cursor.fail(
              `POLY(${dimension}) of ${element.name} needs ${dimension} controlling sources, found ${n}`,
              cursor.peek() ?? head,
            );
          }
          element.controls.push(cursor.name('controlling source'));
        }
      }
      while (cursor.isKind(')')) cursor.next();
      const coefficients: Value[] = [];
      while (!cursor.atEnd() && !cursor.atAssignment()) {
        if (cursor.isKind(',')) {
          cursor.next();
          continue;
        }
        coefficients.push(cursor.value('POLY coefficient'));
      }
      if (coefficients.length === 0)
        cursor.fail(
          `POLY of ${element.name} has no coefficients`,
          undefined,
          'write the coefficients c0 c1 ... after the controls',
        );
      element.poly = { dimension, coefficients, loc: cursor.loc(head) };
      element.params = cursor.assignments(`element ${element.name}`);
      return;
    }
    if (voltageControlled && word === 'table') {
      cursor.next();
      const expression = this.rawExpression(cursor, element.name, true);
      if (!cursor.isKind('='))
        cursor.fail(
          `expected '=' after the TABLE expression of ${element.name}`,
          cursor.peek(),
          'write TABLE {expr} = (x1,y1) (x2,y2) ...',
        );
      cursor.next();
      const values: Value[] = [];
      while (!cursor.atEnd() && !cursor.atAssignment()) {
        if (cursor.isKind(',') || cursor.isKind('(') || cursor.isKind(')')) {
          cursor.next();
          continue;
        }
        values.push(cursor.value('TABLE point'));
      }
      if (values.length < 2 || values.length % 2 !== 0) {
        cursor.fail(`TABLE of ${element.name} needs (x, y) pairs, found ${values.length} numbers`, undefined);
      }
      const points: Array<[Value, Value]> = [];
      for (let n = 0; n < values.length; n += 2) points.push([values[n], values[n + 1]]);
      element.table = { expr: expression.expr, text: expression.text, points, loc: cursor.loc(head) };
      element.params = cursor.assignments(`element ${element.name}`);
      return;
    }
    if (['laplace', 'freq', 'ch'].includes(word) && !cursor.isKind('=', 1)) {
      cursor.fail(`${word.toUpperCase()} sources are not supported (${element.name})`, head);
    }
    if (voltageControlled) {
      for (let n = 0; n < 2; n++) {
        if (!cursor.isWord() || cursor.isKind('=', 1)) {
          cursor.fail(
            `${element.name} needs 4 nodes, found ${2 + n}`,
            cursor.peek() ?? head,
            `write '${element.name} n+ n- nc+ nc- gain'`,
          );
        }
        element.nodes.push(cursor.name('controlling node'));
      }
    } else {
      element.controls = [cursor.name('controlling voltage source')];
    }
    if (cursor.atEnd() || cursor.atAssignment()) {
      cursor.fail(`${element.name} has no gain value`, cursor.peek(), 'write the gain after the controls');
    }
    element.value = cursor.value('gain');
    element.params = cursor.assignments(`element ${element.name}`);
  }

  /**
   * An expression after `V=`/`VALUE=`/`TABLE`: `{...}`, `'...'`, or the unquoted rest of the line
   * up to the first token that cannot continue it (ngspice accepts `B1 a b V=v(a)*2`).
   */
  private rawExpression(
    cursor: Cursor,
    owner: string,
    stopAtEquals = false,
  ): { expr: Expr; text: string; loc: SourceLocation } {
    const token = cursor.peek();
    if (!token)
      cursor.fail(`${owner} is missing its expression`, undefined, 'write the expression in {braces}');
    if (token.kind === 'brace' || token.kind === 'quote') {
      cursor.next();
      const value = cursor.expressionValue(token.start + 1, token.end - 1, token.start);
      const expr = value.kind === 'number' ? { type: 'num' as const, value: value.value } : value.expr;
      return { expr, text: token.text, loc: value.loc };
    }
    const text = cursor.card.text;
    const { expr, end } = parseExpressionAt(text, token.start, text.length, {
      locate: (offset) => cursor.card.locate(offset),
      partial: true,
      userFunctions: cursor.functions,
    });
    // Continue with the tokens after the expression.
    while (!cursor.atEnd() && cursor.peek()!.start < end) cursor.next();
    if (!stopAtEquals && !cursor.atEnd() && !cursor.atAssignment()) {
      cursor.fail(
        `unexpected '${cursor.peek()!.text}' after the expression of ${owner}`,
        cursor.peek(),
        'put the expression in {braces}',
      );
    }
    return { expr, text: text.slice(token.start, end).trim(), loc: cursor.loc(token) };
  }

  private behavioural(cursor: Cursor, element: ElementStatement): void {
    while (!cursor.atEnd()) {
      const token = cursor.peek()!;
      if ((cursor.isWord(0, 'v') || cursor.isWord(0, 'i')) && cursor.isKind('=', 1)) {
        if (element.expression)
          cursor.fail(`${element.name} has two expressions`, token, 'a B source takes one V= or I=');
        cursor.next();
        cursor.next();
        element.expression = {
          quantity: token.text as 'v' | 'i',
          ...this.rawExpression(cursor, element.name),
        };
      } else if (cursor.atAssignment()) {
        addParam(element, cursor.assignment());
      } else if (token.kind === ',') {
        cursor.next();
      } else {
        cursor.fail(
          `unexpected '${token.text}' in ${element.name}`,
          token,
          `write '${element.name} n+ n- V={expression}' or I={expression}`,
        );
      }
    }
    if (!element.expression) {
      throw new ParseError(
        `${element.name} has no V= or I= expression`,
        element.loc,
        `write '${element.name} n+ n- V={expression}'`,
      );
    }
  }

  private instance(cursor: Cursor, element: ElementStatement): void {
    const words: NameRef[] = [];
    while (!cursor.atEnd() && !cursor.atAssignment() && !cursor.isWord(0, 'params:')) {
      const token = cursor.peek()!;
      if (token.kind !== 'word')
        cursor.fail(
          `unexpected '${token.text}' in ${element.name}`,
          token,
          'write X name nodes... subcircuit [param=value ...]',
        );
      words.push(cursor.name('node'));
    }
    const subcircuit = words.pop();
    if (!subcircuit)
      cursor.fail(
        `${element.name} names no subcircuit`,
        cursor.peek(),
        `write '${element.name} node1 node2 ... subcircuit_name'`,
      );
    element.nodes = words;
    element.model = subcircuit;
    if (cursor.isWord(0, 'params:')) cursor.next();
    element.params = cursor.assignments(`instance ${element.name}`);
  }
}

/** Parameters that may give the value of R, C and L (`R1 a b r=1k`). */
const VALUE_PARAMETERS: Record<string, readonly string[] | undefined> = {
  r: ['r', 'resistance'],
  c: ['c', 'capacitance'],
  l: ['l', 'inductance'],
};

function hasValueParameter(kind: string, params: ParamAssignment[]): boolean {
  const names = VALUE_PARAMETERS[kind] ?? [];
  return params.some((param) => names.includes(param.name));
}

const SOURCE_KEYWORDS = new Set(['dc', 'ac', 'distof1', 'distof2', ...WAVEFORMS]);

/** A bare parameter name as a source value (HSPICE: `V1 a 0 vsupply`, `AC acmag`). */
function atSourceParameter(cursor: Cursor): boolean {
  const token = cursor.peek();
  return (
    token !== undefined &&
    token.kind === 'word' &&
    /^[a-z_][a-z0-9_]*$/.test(token.text) &&
    !SOURCE_KEYWORDS.has(token.text) &&
    !cursor.isKind('=', 1) &&
    !cursor.isKind('(', 1)
  );
}

/** Splits `.save`/`.print` arguments at whitespace and commas outside parentheses, lower-cased. */
function vectorList(text: string): string[] {
  const vectors: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (depth === 0 && (ch === ' ' || ch === '\t' || ch === ',')) {
      if (current) vectors.push(current.toLowerCase());
      current = '';
    } else if (!(depth > 0 && (ch === ' ' || ch === '\t'))) {
      current += ch;
    }
  }
  if (current) vectors.push(current.toLowerCase());
  return vectors;
}

/** Parses a netlist into the typed AST. The first line is the title, as in SPICE. */
export function parseNetlist(text: string, options: ParseOptions = {}): Netlist {
  const file = options.fileName ?? '<netlist>';
  const diagnostics: ParseDiagnostic[] = [];
  const reader = new CardReader(options, diagnostics);
  const { title, source } = reader.split(text, file, true);
  reader.registerMain(file, source);
  const cards: CardWithTokens[] = [];
  reader.expand(source.body, file, 0, cards);
  reader.reportUnusedSections(file);
  const modelNames = new Set<string>();
  for (const { tokens } of cards) {
    if (tokens && firstWord(tokens) === '.model' && tokens[1]?.kind === 'word')
      modelNames.add(tokens[1].text);
  }
  const functions = new Set<string>();
  for (const { tokens } of cards) {
    if (tokens && firstWord(tokens) === '.func' && tokens[1]?.kind === 'word') functions.add(tokens[1].text);
  }
  const titleValue = { value: title?.text ?? '' };
  const parser = new StatementParser(diagnostics, modelNames, functions, options.deferElements === true);
  const statements = parser.parseCards(cards, titleValue);
  const netlist: Netlist = {
    title: titleValue.value,
    statements,
    diagnostics,
    loc: { file, line: 1, column: 1 },
  };
  if (options.deferElements) netlist.readElement = (statement) => parser.readElement(statement);
  return netlist;
}
