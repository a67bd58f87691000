/**
 * Simple element lines (`R1 a b 10k`) are read without tokens; whatever the line, that reading must give
 * exactly the statement the general reading gives, or leave the line to it.
 */
import fc from 'fast-check';
import { parseElementLine } from './parser';

const blank = fc.constantFrom(' ', '  ', '\t', ' \t ');
const letters = 'abcxyzABCXYZ_019.#$';
const word = fc
  .array(fc.constantFrom(...letters.split('')), { minLength: 1, maxLength: 6 })
  .map((chars) => chars.join(''));
const number = fc.oneof(
  fc.constantFrom(
    '10k',
    '1.5MEG',
    '2.2uF',
    '1e-3',
    '-4.7n',
    '100',
    '0',
    '1E3',
    '10kOhm',
    '5mil',
    '.5',
    '+3p',
    '1e',
    'k1',
  ),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).map(String),
);
const kind = fc.constantFrom('R', 'r', 'C', 'c', 'L', 'l', 'V', 'D', 'E');

describe('reading simple element lines without tokens', () => {
  it('gives the statement of the general reading, or defers to it', () => {
    fc.assert(
      fc.property(
        kind,
        word,
        fc.array(fc.tuple(blank, fc.oneof(word, number)), { minLength: 0, maxLength: 5 }),
        fc.option(blank),
        (letter, name, rest, trailing) => {
          const line = letter + name + rest.map(([b, w]) => b + w).join('') + (trailing ?? '');
          let general: unknown;
          try {
            general = parseElementLine(line, { simple: false });
          } catch (error) {
            general = { error: (error as Error).message };
          }
          let simple: unknown;
          try {
            simple = parseElementLine(line);
          } catch (error) {
            simple = { error: (error as Error).message };
          }
          expect(simple).toEqual(general);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reads the lines of a large deck with node locations', () => {
    expect(parseElementLine('R12 N1\tout 10kOhm')).toEqual({
      type: 'element',
      name: 'r12',
      kind: 'r',
      nodes: [
        { name: 'n1', loc: { file: '<line>', line: 1, column: 5 } },
        { name: 'out', loc: { file: '<line>', line: 1, column: 8 } },
      ],
      value: { kind: 'number', value: 10_000, loc: { file: '<line>', line: 1, column: 12 } },
      params: [],
      flags: [],
      loc: { file: '<line>', line: 1, column: 1 },
    });
  });
});
