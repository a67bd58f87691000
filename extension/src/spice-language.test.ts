import { StringStream } from '@codemirror/language';
import { spiceParser } from './spice-language';

/** Tokens of a netlist as [text, style] pairs, line by line, through the stream parser. */
function tokens(text: string): Array<[string, string | null]> {
  const state = spiceParser.startState!(2);
  const out: Array<[string, string | null]> = [];
  for (const line of text.split('\n')) {
    const stream = new StringStream(line, 2, 2);
    while (!stream.eol()) {
      const style = spiceParser.token(stream, state);
      const word = stream.current();
      if (word.trim()) out.push([word, style]);
      stream.start = stream.pos;
    }
    if (line === '') spiceParser.blankLine?.(state, 2);
  }
  return out;
}

describe('SPICE stream language', () => {
  it('styles title, comments, elements, numbers with suffixes, dot commands, parameters, continuations', () => {
    const t = tokens(
      [
        'RC low-pass .tran not a command',
        '* a comment line',
        'R1 in out 1k ; inline comment',
        'C1 out 0 {cval*2}',
        '.tran 1u 5m',
        '+ uic',
        'M1 d g s b nmos W=2u L=180n',
      ].join('\n'),
    );
    expect(t).toEqual([
      ['RC low-pass .tran not a command', 'heading'],
      ['* a comment line', 'comment'],
      ['R1', 'typeName'],
      ['in', 'variableName'],
      ['out', 'variableName'],
      ['1k', 'number'],
      ['; inline comment', 'comment'],
      ['C1', 'typeName'],
      ['out', 'variableName'],
      ['0', 'number'],
      ['{', 'string'],
      ...'cval*2'.split('').map((c): [string, string] => [c, 'string']),
      ['}', 'string'],
      ['.tran', 'keyword'],
      ['1u', 'number'],
      ['5m', 'number'],
      ['+', 'operator'],
      ['uic', 'variableName'],
      ['M1', 'typeName'],
      ['d', 'variableName'],
      ['g', 'variableName'],
      ['s', 'variableName'],
      ['b', 'variableName'],
      ['nmos', 'variableName'],
      ['W', 'propertyName'],
      ['=', 'punctuation'],
      ['2u', 'number'],
      ['L', 'propertyName'],
      ['=', 'punctuation'],
      ['180n', 'number'],
    ]);
  });
});
