/** The card reader and tokenizer: line handling, comments, continuations, locations, token values. */
import { ParseError } from '../errors';
import { Card, readCards, tokenize } from './lexer';

function cardTexts(text: string, hasTitle = true): string[] {
  return readCards(text, 'deck.cir', hasTitle).cards.map((card) => card.text);
}

function words(text: string): string[] {
  return tokenize(new Card(text, 'deck.cir', 1, 1)).map((token) => token.text);
}

describe('readCards', () => {
  it('takes the first line as the title whatever it holds, without a byte order mark or CR', () => {
    const read = readCards('\ufeff* not a comment \r\nR1 a 0 1k\r\n', 'deck.cir', true);
    expect(read.title?.text).toBe('* not a comment');
    expect(read.cards.map((card) => card.text)).toEqual(['R1 a 0 1k']);
  });

  it('skips comment and blank lines, and reads a file without a title', () => {
    expect(cardTexts('* c\n\n   \t\n  * indented comment\nR1 a 0 1\n', false)).toEqual(['R1 a 0 1']);
  });

  it('removes ; comments and $ comments that start a word, but not inside braces or quotes', () => {
    expect(cardTexts("t\nR1 a 0 1k ; note\nR2 a 0 {1;2} $ note\nR3 a$b 0 1\nR4 a 0 'x;y' $c\n")).toEqual([
      'R1 a 0 1k ',
      'R2 a 0 {1;2} ',
      'R3 a$b 0 1',
      "R4 a 0 'x;y' ",
    ]);
    // A line that is only a comment after stripping is no card.
    expect(cardTexts('t\n; only a comment\n$ hspice comment\nR1 a 0 1\n')).toEqual(['R1 a 0 1']);
  });

  it('finds comment characters of later lines after lines without any (linear scan, no stale positions)', () => {
    const lines = Array.from({ length: 50 }, (_, k) => `R${k} a 0 ${k + 1}`);
    lines[40] += ' ; late comment';
    const cards = cardTexts(['t', ...lines].join('\n'));
    expect(cards).toHaveLength(50);
    expect(cards[40]).toBe('R40 a 0 41 ');
    expect(cards[41]).toBe('R41 a 0 42');
  });

  it('joins + continuations across comment and blank lines and locates their tokens', () => {
    const read = readCards('t\nR1 a\n* comment\n\n  + b ; c\n+ 1k\n', 'deck.cir', true);
    expect(read.cards).toHaveLength(1);
    const card = read.cards[0];
    expect(card.text).toBe('R1 a  b   1k');
    const tokens = tokenize(card);
    expect(tokens.map((t) => t.text)).toEqual(['r1', 'a', 'b', '1k']);
    expect(card.locate(tokens[0].start)).toEqual({ file: 'deck.cir', line: 2, column: 1 });
    expect(card.locate(tokens[1].start)).toEqual({ file: 'deck.cir', line: 2, column: 4 });
    expect(card.locate(tokens[2].start)).toEqual({ file: 'deck.cir', line: 5, column: 5 });
    expect(card.locate(tokens[3].start)).toEqual({ file: 'deck.cir', line: 6, column: 3 });
  });

  it('rejects a continuation with nothing to continue, naming its line and column', () => {
    expect(() => readCards('t\n  + 1k\n', 'deck.cir', true)).toThrow(ParseError);
    try {
      readCards('t\n  + 1k\n', 'deck.cir', true);
    } catch (error) {
      expect((error as ParseError).loc).toEqual({ file: 'deck.cir', line: 2, column: 3 });
    }
  });

  it('stops at .end (any case, blanks around) and reads Ctrl-Z as blank', () => {
    expect(cardTexts('t\nR1 a 0 1\n  .END \t\nR2 a 0 2\n')).toEqual(['R1 a 0 1']);
    expect(cardTexts('t\nR1 a 0 1\n.ends x\n')).toEqual(['R1 a 0 1', '.ends x']);
    expect(cardTexts('t\r\nR1 a 0 1\x1a\r\n\x1a\r\n\x1a+ 2\n')).toEqual(['R1 a 0 1   2']);
  });

  it('keeps the last line without a newline, and an empty file has no cards', () => {
    expect(cardTexts('t\nR1 a 0 1')).toEqual(['R1 a 0 1']);
    expect(cardTexts('')).toEqual([]);
    expect(readCards('only a title', 'deck.cir', true).title?.text).toBe('only a title');
  });
});

describe('tokenize', () => {
  it('splits at blanks and = ( ) , and lower-cases words (ASCII and beyond)', () => {
    expect(words('M1 D G S B NCH W=1U\tL=0.2u\fAD=(1,2)')).toEqual([
      'm1',
      'd',
      'g',
      's',
      'b',
      'nch',
      'w',
      '=',
      '1u',
      'l',
      '=',
      '0.2u',
      'ad',
      '=',
      '(',
      '1',
      ',',
      '2',
      ')',
    ]);
    expect(words('RÄ Ö 0 1')).toEqual(['rä', 'ö', '0', '1']);
  });

  it('keeps braces (nested) and quotes as one token with their inner text as written', () => {
    const tokens = tokenize(new Card('R1 a b {A*{B}} \'C+1\' "Path/File"', 'deck.cir', 1, 1));
    expect(tokens.slice(3).map((t) => [t.kind, t.text])).toEqual([
      ['brace', 'A*{B}'],
      ['quote', 'C+1'],
      ['string', 'Path/File'],
    ]);
  });

  it('gives the value of words that are SPICE numbers and undefined for everything else', () => {
    const tokens = tokenize(new Card('R1 n1 0 2.2K -1e-3 .5meg +3mil 1k2 {1} = 10uF', 'deck.cir', 1, 1));
    expect(tokens.map((t) => t.value)).toEqual([
      undefined,
      undefined,
      0,
      2200,
      -1e-3,
      5e5,
      3 * 25.4e-6,
      undefined,
      undefined,
      undefined,
      1e-5,
    ]);
  });

  it.each([
    ['R1 a b {1+2', "unterminated '{'"],
    ["R1 a b 'x", 'unterminated'],
    ['R1 a b 1}', "unexpected '}'"],
  ])('rejects %p with a located error', (text, message) => {
    expect(() => tokenize(new Card(text, 'deck.cir', 7, 1))).toThrow(message);
    try {
      tokenize(new Card(text, 'deck.cir', 7, 1));
    } catch (error) {
      expect((error as ParseError).loc?.line).toBe(7);
    }
  });
});
