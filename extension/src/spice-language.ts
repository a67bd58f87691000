/**
 * A CodeMirror 6 stream language for SPICE netlists (ngspice dialect): the title line, `*` comment lines,
 * `;` and `$ ` end-of-line comments, dot commands, element names, numbers with SI suffixes
 * (`1k`, `10u`, `2.2meg`), `+` continuation lines, `{expressions}` and `'expressions'`, `name=value` parameters.
 */
import { StreamLanguage, type StreamParser } from '@codemirror/language';

interface SpiceState {
  /** The first line of a netlist is its title, whatever it contains. */
  line: number;
  /** Nesting depth inside `{...}`. */
  braces: number;
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?(?:meg|mil|[tgkmunpfa])?[a-z]*/i;

export const spiceParser: StreamParser<SpiceState> = {
  name: 'spice',
  startState: () => ({ line: 0, braces: 0 }),
  token(stream, state) {
    if (stream.sol()) state.line++;
    if (state.line === 1) {
      stream.skipToEnd();
      return 'heading';
    }
    if (stream.sol() && stream.match(/^\s*\*/)) {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.eatSpace()) return null;
    if (stream.match(/^(;|\$\s)/)) {
      stream.skipToEnd();
      return 'comment';
    }
    if (state.braces > 0) {
      if (stream.eat('}')) state.braces--;
      else if (stream.eat('{')) state.braces++;
      else stream.next();
      return 'string';
    }
    if (stream.eat('{')) {
      state.braces = 1;
      return 'string';
    }
    if (stream.match(/^'[^']*'?/)) return 'string';
    const atLineStart = stream.column() === stream.indentation();
    if (atLineStart && stream.eat('+')) return 'operator';
    if (atLineStart && stream.match(/^\.[a-z]+/i)) return 'keyword';
    if (atLineStart && stream.match(/^[a-z][\w.#:]*/i)) return 'typeName';
    if (stream.match(/^[a-z_][\w]*(?=\s*=)/i)) return 'propertyName';
    if (stream.match(NUMBER)) return 'number';
    if (stream.match(/^[=(),]/)) return 'punctuation';
    if (stream.match(/^[^\s=(),;{}']+/)) return 'variableName';
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '*' } },
};

export const spiceLanguage = StreamLanguage.define(spiceParser);
