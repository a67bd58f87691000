import {
  closest,
  editDistance,
  strayValueHint,
  undefinedModelHint,
  unknownStatementMessage,
} from './suggest';

describe('typo suggestions', () => {
  it('counts edits, a swap of neighbours as one', () => {
    expect(editDistance('.tran', '.tran')).toBe(0);
    expect(editDistance('.trna', '.tran')).toBe(1);
    expect(editDistance('.opp', '.op')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests the dot-command a typo was meant to be, and nothing for unrelated words', () => {
    expect(unknownStatementMessage('.opp')).toBe("unknown statement '.opp' ignored (did you mean '.op'?)");
    expect(unknownStatementMessage('.trna')).toBe(
      "unknown statement '.trna' ignored (did you mean '.tran'?)",
    );
    expect(unknownStatementMessage('.sbckt')).toMatch(/did you mean '\.subckt'/);
    expect(unknownStatementMessage('.hello')).toBe("unknown statement '.hello' ignored");
    expect(closest('xyz', ['abc'])).toBeUndefined();
  });

  it('tells a unit suffix separated from its number from a misspelt or missing model', () => {
    expect(undefinedModelHint('meg')).toMatch(/unit suffix .* without the space \(e\.g\. 5meg\)/);
    expect(undefinedModelHint('kOhm')).toMatch(/unit suffix/);
    expect(undefinedModelHint('nmos1')).not.toMatch(/unit suffix/);
    expect(undefinedModelHint('dmdo', ['dmod', 'qn'])).toBe(
      "did you mean 'dmod'? Otherwise define it with '.model dmdo <type> (...)'",
    );
    expect(undefinedModelHint('dmissing', ['qn'])).toBe(
      "define it with '.model dmissing <type> (...)', or load it with .include / .lib",
    );
  });

  it('explains a value where name=value was expected: a decimal comma, or a second value', () => {
    const word = (text: string) => ({ kind: 'word', text });
    expect(strayValueHint(word('5k'), { kind: ',' }, 'element r1')).toMatch(/decimals with a point/);
    expect(strayValueHint(word('2k'), word('1k'), 'element r1')).toMatch(/takes one value/);
    expect(strayValueHint(word('2'), word('a=1'), '.param')).toBeUndefined();
    expect(strayValueHint(word('foo'), word('1k'), 'element r1')).toBeUndefined();
  });
});
