/**
 * Lines to cards to tokens. A card is one logical SPICE line: a physical line plus its `+`
 * continuation lines, comments removed (`*` lines, inline `;`, and HSPICE `$` when it starts a
 * word). The card keeps a map from its offsets back to file/line/column for every token.
 * Hand-written scanning, linear in the input.
 */
import { ParseError, type SourceLocation } from '../errors';
import { numberAt } from './values';

/** Where a `+` continuation line's text starts in the card text. */
interface Continuation {
  /** Offset in the card text where this physical line's text starts. */
  offset: number;
  line: number;
  column: number;
}

export class Card {
  /** Continuation lines, in order; undefined for the (usual) one-line card. */
  private continuations: Continuation[] | undefined;

  constructor(
    public text: string,
    readonly file: string,
    /** Line and column where the card's first line starts. */
    readonly line: number,
    readonly column: number,
  ) {}

  /** Appends a continuation line's text (which starts at `column` of `line`). */
  append(text: string, line: number, column: number): void {
    this.text += ' ';
    (this.continuations ??= []).push({ offset: this.text.length, line, column });
    this.text += text;
  }

  /** The source location of `offset` in the card text. */
  locate(offset: number): SourceLocation {
    let line = this.line;
    let column = this.column;
    let lineOffset = 0;
    const continuations = this.continuations;
    if (continuations !== undefined && offset >= continuations[0].offset) {
      let low = 0;
      let high = continuations.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if (continuations[mid].offset <= offset) low = mid;
        else high = mid - 1;
      }
      ({ line, column, offset: lineOffset } = continuations[low]);
    }
    return { file: this.file, line, column: column + Math.max(0, offset - lineOffset) };
  }

  get loc(): SourceLocation {
    return this.locate(firstNonBlank(this.text, 0, this.text.length));
  }
}

const SPACE = 32;
const TAB = 9;

/** First offset in [start, end) that is not a space or tab (end when there is none). */
function firstNonBlank(text: string, start: number, end: number): number {
  let pos = start;
  while (pos < end) {
    const code = text.charCodeAt(pos);
    if (code !== SPACE && code !== TAB) break;
    pos++;
  }
  return pos;
}

/** Space, tab, form feed, vertical tab: what separates tokens. */
function isBlankCode(code: number): boolean {
  return code === SPACE || code === TAB || code === 12 || code === 11;
}

/** Does the card start with '.' (after blanks)? Only such cards are dot-commands. */
export function isDotCard(card: Card): boolean {
  const text = card.text;
  let pos = 0;
  while (pos < text.length && isBlankCode(text.charCodeAt(pos))) pos++;
  return text.charCodeAt(pos) === 46; /* . */
}

/**
 * Removes inline comments: `;` anywhere and `$` at the start of a word (HSPICE), but not inside
 * `{...}`, `'...'` or `"..."`.
 */
function stripInlineComment(line: string): string {
  let braces = 0;
  let quote = 0;
  for (let pos = 0; pos < line.length; pos++) {
    const code = line.charCodeAt(pos);
    if (quote !== 0) {
      if (code === quote) quote = 0;
      continue;
    }
    if (code === 39 /* ' */ || code === 34 /* " */) quote = code;
    else if (code === 123 /* { */) braces++;
    else if (code === 125 /* } */) braces = Math.max(0, braces - 1);
    else if (
      braces === 0 &&
      (code === 59 /* ; */ || (code === 36 /* $ */ && (pos === 0 || isBlankCode(line.charCodeAt(pos - 1)))))
    ) {
      return line.slice(0, pos);
    }
  }
  return line;
}

/** Is the line exactly `.end` (any case, blanks around)? Checked without allocating per line. */
function isEndCard(content: string): boolean {
  const start = firstNonBlank(content, 0, content.length);
  if (content.charCodeAt(start) !== 46 /* . */) return false;
  let end = content.length;
  while (end > start && isBlankCode(content.charCodeAt(end - 1))) end--;
  return end - start === 4 && content.slice(start, end).toLowerCase() === '.end';
}

/** Line marks: a `;` or `$` (an inline comment may start there) and a Ctrl-Z (DOS end-of-file, read as blank). */
const COMMENT_MARK = 1;
const CONTROL_Z = 2;
const LINE_MARK = new Uint8Array(64);
LINE_MARK[59 /* ; */] = COMMENT_MARK;
LINE_MARK[36 /* $ */] = COMMENT_MARK;
LINE_MARK[26 /* Ctrl-Z */] = CONTROL_Z;

export interface SourceText {
  /** The first line when the text is a deck's main file (SPICE always reads it as the title). */
  title?: { text: string; loc: SourceLocation };
  cards: Card[];
}

/**
 * Splits a file into cards. With `hasTitle`, the first line is the title whatever it contains.
 * Continuation lines may follow comment and blank lines, as ngspice allows.
 * Comment and blank lines are skipped without copying them; a line is copied once, when it holds a statement.
 */
export function readCards(text: string, file: string, hasTitle: boolean): SourceText {
  const result: SourceText = { cards: [] };
  // A UTF-8 byte order mark is not part of the first line (editors on Windows write one).
  let lineStart = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNumber = 0;
  let current: Card | undefined;
  const length = text.length;
  while (lineStart <= length) {
    // One pass over the line finds its end and whether it holds ';', '$' or Ctrl-Z. (It was String.indexOf
    // cursors, linear in theory; but in some Node processes `--prof` showed readCards spending ~70 ms per
    // 30,000-line deck inside the C library's search, instead of ~2 ms: whole runs took 1.8x as long, at random.)
    let lineEnd = lineStart;
    let marks = 0;
    for (; lineEnd < length; lineEnd++) {
      const code = text.charCodeAt(lineEnd);
      if (code === 10 /* \n */) break;
      if (code < 64) marks |= LINE_MARK[code];
    }
    const atEnd = lineEnd >= length;
    const nextLine = lineEnd + 1;
    if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 13 /* \r */) lineEnd--;
    lineNumber++;
    if (hasTitle && lineNumber === 1) {
      result.title = {
        text: cleanLine(text, lineStart, lineEnd, marks).trim(),
        loc: { file, line: 1, column: 1 },
      };
    } else {
      // DOS files may end with Ctrl-Z (0x1A), its end-of-file mark: it reads as blank.
      const first =
        (marks & CONTROL_Z) !== 0
          ? firstNonBlank(cleanLine(text, lineStart, lineEnd, marks), 0, lineEnd - lineStart) + lineStart
          : firstNonBlank(text, lineStart, lineEnd);
      if (first < lineEnd && text.charCodeAt(first) !== 42 /* * */) {
        let content = cleanLine(text, lineStart, lineEnd, marks);
        if ((marks & COMMENT_MARK) !== 0) content = stripInlineComment(content);
        const column = first - lineStart;
        if (firstNonBlank(content, 0, content.length) < content.length) {
          if (content.charCodeAt(column) === 43 /* + */) {
            if (!current) {
              throw new ParseError(
                "continuation line '+' has no line to continue",
                { file, line: lineNumber, column: column + 1 },
                "remove the '+' or join the text to the previous statement",
              );
            }
            current.append(content.slice(column + 1), lineNumber, column + 2);
          } else {
            // `.end` ends the deck: anything after it is not read (SPICE3 behaviour).
            if (isEndCard(content)) break;
            current = new Card(content, file, lineNumber, 1);
            result.cards.push(current);
          }
        }
      }
    }
    if (atEnd) break;
    lineStart = nextLine;
  }
  return result;
}

/** text[start..end) with any Ctrl-Z read as a space (`marks` says whether the line has one). */
function cleanLine(text: string, start: number, end: number, marks: number): string {
  const line = text.slice(start, end);
  return (marks & CONTROL_Z) !== 0 ? line.replace(/\x1a/g, ' ') : line;
}

export type TokenKind = 'word' | '=' | '(' | ')' | ',' | 'brace' | 'quote' | 'string';

export interface Token {
  kind: TokenKind;
  /** Words lower-cased; for brace/quote/string the inner text as written. */
  text: string;
  /** Offsets in the card text (for brace/quote, including the delimiters). */
  start: number;
  end: number;
  /**
   * For a word that is a SPICE number (`10k`, `1e-3`, `2.2uF`), its value; undefined for every other token
   * (undefined rather than NaN: V8 then stores no boxed double in the tokens that are not numbers).
   */
  value: number | undefined;
}

/** Character codes that end a word (a table: this loop runs once per character of the deck). */
const DELIMITER = new Uint8Array(128);
for (const ch of ' \t\f\v=(),{}\'"') DELIMITER[ch.charCodeAt(0)] = 1;

/** Can a word starting with this character be a number (digit, sign or decimal point)? */
function mayStartNumber(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 46 || code === 43 || code === 45;
}

function numberOrUndefined(value: number): number | undefined {
  return Number.isNaN(value) ? undefined : value;
}

/**
 * Word boundaries of a card made only of plain words: ASCII text with no `=(),{}'"`, words separated by blanks.
 * Fills starts/ends and returns the number of words; -1 when the card has any other character or more words
 * than the arrays hold. Lets the parser read the common `R1 a b 10k` without making tokens.
 */
export function plainWords(text: string, starts: Int32Array, ends: Int32Array): number {
  let count = 0;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let code = text.charCodeAt(pos);
    if (isBlankCode(code)) {
      pos++;
      continue;
    }
    if (count === starts.length) return -1;
    starts[count] = pos;
    for (; pos < n; pos++) {
      code = text.charCodeAt(pos);
      if (code >= 128) return -1;
      if (DELIMITER[code] === 1) {
        if (!isBlankCode(code)) return -1;
        break;
      }
    }
    ends[count++] = pos;
  }
  return count;
}

/** The word text[start..end) as the tokenizer gives it: lower-cased, the number it reads as (NaN if none). */
export function wordText(text: string, start: number, end: number): string {
  const word = text.slice(start, end);
  for (let pos = start; pos < end; pos++) {
    const code = text.charCodeAt(pos);
    if (code >= 65 && code <= 90) return word.toLowerCase();
  }
  return word;
}

/** The value of a word that reads as a SPICE number, else NaN (as the tokenizer's `value`). */
export function wordNumber(text: string, start: number, end: number): number {
  return mayStartNumber(text.charCodeAt(start)) ? numberAt(text, start, end) : NaN;
}

/** Splits a card into tokens. Braces may nest; quotes run to the matching quote on the card. */
export function tokenize(card: Card): Token[] {
  const text = card.text;
  const tokens: Token[] = [];
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    const code = text.charCodeAt(pos);
    if (isBlankCode(code)) {
      pos++;
      continue;
    }
    const start = pos;
    if (code === 61 /* = */ || code === 40 /* ( */ || code === 41 /* ) */ || code === 44 /* , */) {
      const kind = code === 61 ? '=' : code === 40 ? '(' : code === 41 ? ')' : ',';
      tokens.push({ kind, text: kind, start, end: pos + 1, value: undefined });
      pos++;
    } else if (code === 123 /* { */) {
      let depth = 0;
      while (pos < n) {
        const inner = text.charCodeAt(pos);
        if (inner === 123) depth++;
        else if (inner === 125 /* } */ && --depth === 0) break;
        pos++;
      }
      if (pos >= n) {
        throw new ParseError(
          "unterminated '{': no matching '}'",
          card.locate(start),
          "close the expression with '}'",
        );
      }
      pos++;
      tokens.push({ kind: 'brace', text: text.slice(start + 1, pos - 1), start, end: pos, value: undefined });
    } else if (code === 39 /* ' */ || code === 34 /* " */) {
      const quote = code === 39 ? "'" : '"';
      const close = text.indexOf(quote, pos + 1);
      if (close < 0) {
        throw new ParseError(
          `unterminated ${quote}: no matching ${quote}`,
          card.locate(start),
          `close the text with ${quote}`,
        );
      }
      pos = close + 1;
      tokens.push({
        kind: code === 39 ? 'quote' : 'string',
        text: text.slice(start + 1, close),
        start,
        end: pos,
        value: undefined,
      });
    } else if (code === 125 /* } */) {
      throw new ParseError(
        "unexpected '}' without a matching '{'",
        card.locate(start),
        "remove the '}' or add '{'",
      );
    } else {
      // A word: lower-cased only when it has something to lower (most node names and values do not).
      let plain = true;
      for (; pos < n; pos++) {
        const inner = text.charCodeAt(pos);
        if (inner < 128) {
          if (DELIMITER[inner] === 1) break;
          if (inner >= 65 && inner <= 90) plain = false;
        } else {
          plain = false;
        }
      }
      const word = text.slice(start, pos);
      tokens.push({
        kind: 'word',
        text: plain ? word : word.toLowerCase(),
        start,
        end: pos,
        value: numberOrUndefined(wordNumber(text, start, pos)),
      });
    }
  }
  return tokens;
}
