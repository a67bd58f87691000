/**
 * Lines to cards to tokens. A card is one logical SPICE line: a physical line plus its `+`
 * continuation lines, comments removed (`*` lines, inline `;`, and HSPICE `$` when it starts a
 * word). The card keeps a map from its offsets back to file/line/column for every token.
 * Hand-written scanning, linear in the input.
 */
import { ParseError, type SourceLocation } from '../errors';

interface Segment {
  /** Offset in the card text where this physical line's text starts. */
  offset: number;
  line: number;
  column: number;
}

export class Card {
  readonly segments: Segment[];

  constructor(
    public text: string,
    readonly file: string,
    line: number,
    column: number,
  ) {
    this.segments = [{ offset: 0, line, column }];
  }

  /** Appends a continuation line's text (which starts at `column` of `line`). */
  append(text: string, line: number, column: number): void {
    this.text += ' ';
    this.segments.push({ offset: this.text.length, line, column });
    this.text += text;
  }

  /** The source location of `offset` in the card text. */
  locate(offset: number): SourceLocation {
    const segments = this.segments;
    let low = 0;
    let high = segments.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (segments[mid].offset <= offset) low = mid;
      else high = mid - 1;
    }
    const segment = segments[low];
    return {
      file: this.file,
      line: segment.line,
      column: segment.column + Math.max(0, offset - segment.offset),
    };
  }

  get loc(): SourceLocation {
    return this.locate(firstNonBlank(this.text));
  }
}

function firstNonBlank(text: string): number {
  let pos = 0;
  while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t')) pos++;
  return pos;
}

function isBlank(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\f' || ch === '\v';
}

/**
 * Removes inline comments: `;` anywhere and `$` at the start of a word (HSPICE), but not inside
 * `{...}`, `'...'` or `"..."`.
 */
function stripInlineComment(line: string): string {
  if (line.indexOf(';') < 0 && line.indexOf('$') < 0) return line;
  let braces = 0;
  let quote = '';
  for (let pos = 0; pos < line.length; pos++) {
    const ch = line[pos];
    if (quote) {
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '{') braces++;
    else if (ch === '}') braces = Math.max(0, braces - 1);
    else if (braces === 0 && (ch === ';' || (ch === '$' && (pos === 0 || isBlank(line[pos - 1]))))) {
      return line.slice(0, pos);
    }
  }
  return line;
}

/** Is the line exactly `.end` (any case, blanks around)? Checked without allocating per line. */
function isEndCard(content: string): boolean {
  const start = firstNonBlank(content);
  if (content.charCodeAt(start) !== 46 /* . */) return false;
  let end = content.length;
  while (end > start && isBlank(content[end - 1])) end--;
  return end - start === 4 && content.slice(start, end).toLowerCase() === '.end';
}

export interface SourceText {
  /** The first line when the text is a deck's main file (SPICE always reads it as the title). */
  title?: { text: string; loc: SourceLocation };
  cards: Card[];
}

/**
 * Splits a file into cards. With `hasTitle`, the first line is the title whatever it contains.
 * Continuation lines may follow comment and blank lines, as ngspice allows.
 */
export function readCards(text: string, file: string, hasTitle: boolean): SourceText {
  const result: SourceText = { cards: [] };
  // A UTF-8 byte order mark is not part of the first line (editors on Windows write one).
  let lineStart = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNumber = 0;
  let current: Card | undefined;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    let raw = text.slice(lineStart, lineEnd);
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    // DOS files may end with Ctrl-Z (0x1A), its end-of-file mark: read it as blank.
    if (raw.includes('\x1a')) raw = raw.replace(/\x1a/g, ' ');
    lineNumber++;
    const atEnd = lineEnd >= text.length;
    lineStart = lineEnd + 1;
    if (hasTitle && lineNumber === 1) {
      result.title = { text: raw.trim(), loc: { file, line: 1, column: 1 } };
      if (atEnd) break;
      continue;
    }
    const first = firstNonBlank(raw);
    if (first < raw.length && raw[first] !== '*') {
      const content = stripInlineComment(raw);
      if (firstNonBlank(content) < content.length) {
        if (content[first] === '+') {
          if (!current) {
            throw new ParseError(
              "continuation line '+' has no line to continue",
              { file, line: lineNumber, column: first + 1 },
              "remove the '+' or join the text to the previous statement",
            );
          }
          current.append(content.slice(first + 1), lineNumber, first + 2);
        } else {
          // `.end` ends the deck: anything after it is not read (SPICE3 behaviour).
          if (isEndCard(content)) break;
          current = new Card(content, file, lineNumber, 1);
          result.cards.push(current);
        }
      }
    }
    if (atEnd) break;
  }
  return result;
}

export type TokenKind = 'word' | '=' | '(' | ')' | ',' | 'brace' | 'quote' | 'string';

export interface Token {
  kind: TokenKind;
  /** Words lower-cased; for brace/quote/string the inner text as written. */
  text: string;
  /** Offsets in the card text (for brace/quote, including the delimiters). */
  start: number;
  end: number;
}

/** Character codes that end a word (a table: this loop runs once per character of the deck). */
const DELIMITER = new Uint8Array(128);
for (const ch of ' \t\f\v=(),{}\'"') DELIMITER[ch.charCodeAt(0)] = 1;

function isDelimiter(code: number): boolean {
  return code < 128 && DELIMITER[code] === 1;
}

/** Splits a card into tokens. Braces may nest; quotes run to the matching quote on the card. */
export function tokenize(card: Card): Token[] {
  const text = card.text;
  const tokens: Token[] = [];
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    const ch = text[pos];
    if (isBlank(ch)) {
      pos++;
      continue;
    }
    const start = pos;
    if (ch === '=' || ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch, text: ch, start, end: pos + 1 });
      pos++;
    } else if (ch === '{') {
      let depth = 0;
      while (pos < n) {
        if (text[pos] === '{') depth++;
        else if (text[pos] === '}' && --depth === 0) break;
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
      tokens.push({ kind: 'brace', text: text.slice(start + 1, pos - 1), start, end: pos });
    } else if (ch === "'" || ch === '"') {
      const close = text.indexOf(ch, pos + 1);
      if (close < 0) {
        throw new ParseError(
          `unterminated ${ch}: no matching ${ch}`,
          card.locate(start),
          `close the text with ${ch}`,
        );
      }
      pos = close + 1;
      tokens.push({
        kind: ch === "'" ? 'quote' : 'string',
        text: text.slice(start + 1, close),
        start,
        end: pos,
      });
    } else if (ch === '}') {
      throw new ParseError(
        "unexpected '}' without a matching '{'",
        card.locate(start),
        "remove the '}' or add '{'",
      );
    } else {
      while (pos < n && !isDelimiter(text.charCodeAt(pos))) pos++;
      tokens.push({ kind: 'word', text: text.slice(start, pos).toLowerCase(), start, end: pos });
    }
  }
  return tokens;
}
