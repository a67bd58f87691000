/**
 * "Did you mean" help for typos in a netlist: a misspelt dot-command, a unit suffix separated from its
 * number, a name that is close to one the deck defines.
 */

/** Dot-commands SpiceSim reads (or knowingly ignores), for suggestions. */
const DOT_COMMANDS = [
  '.ac',
  '.alter',
  '.control',
  '.data',
  '.dc',
  '.end',
  '.endc',
  '.enddata',
  '.endl',
  '.ends',
  '.four',
  '.func',
  '.global',
  '.ic',
  '.include',
  '.lib',
  '.meas',
  '.measure',
  '.model',
  '.nodeset',
  '.noise',
  '.op',
  '.options',
  '.param',
  '.print',
  '.probe',
  '.pz',
  '.save',
  '.sens',
  '.step',
  '.subckt',
  '.temp',
  '.tf',
  '.title',
  '.tran',
];

/** Levenshtein distance with adjacent transpositions counted as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...new Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** The candidate closest to `word` within a small number of edits, or undefined. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = word.length <= 4 ? 1 : 2;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** The warning for a dot-command SpiceSim does not know, with the likely intended one. */
export function unknownStatementMessage(command: string): string {
  const guess = closest(command.toLowerCase(), DOT_COMMANDS);
  return `unknown statement '${command}' ignored${guess ? ` (did you mean '${guess}'?)` : ''}`;
}

/** Unit suffixes that a space may have separated from their number (`5 meg`, `10 k`). */
const SUFFIX = /^(t|g|meg|k|m|mil|u|n|p|f)(ohms?|f|h|v|a|s|hz)?$/i;

/**
 * The hint for a model name that is not defined: a stray unit suffix (`R1 a b 5 meg`) says to join it to
 * the number, else where models come from.
 */
export function undefinedModelHint(model: string, modelNames: Iterable<string> = []): string {
  if (SUFFIX.test(model)) {
    return `'${model}' looks like a unit suffix separated from its number: write it without the space (e.g. 5${model})`;
  }
  const guess = closest(model.toLowerCase(), [...modelNames]);
  if (guess) return `did you mean '${guess}'? Otherwise define it with '.model ${model} <type> (...)'`;
  return `define it with '.model ${model} <type> (...)', or load it with .include / .lib`;
}

/**
 * Characters that word processors, PDFs and web pages put where SPICE wants plain ASCII, with what to
 * type instead. SPICE reads none of them as the user meant.
 */
const LOOKALIKES: Record<string, string> = {
  '\u00a0':
    'a non-breaking space: SPICE separates fields with plain spaces, so it joins the words around it; type a normal space',
  '\u00b5': 'the micro sign: write u for micro (4.7u, 10uF)',
  '\u03bc': 'the Greek letter mu: write u for micro (4.7u, 10uF)',
  '\u2126': "the ohm sign: write the resistance as a plain number (4.7k) or with 'ohm'",
  '\u03a9': "the Greek letter omega: write the resistance as a plain number (4.7k) or with 'ohm'",
  '\u2018': "a typographic quote: use the plain ASCII quote ' (or {braces}) around expressions",
  '\u2019': "a typographic quote: use the plain ASCII quote ' (or {braces}) around expressions",
  '\u201c': 'a typographic quote: use plain ASCII quotes " or {braces}',
  '\u201d': 'a typographic quote: use plain ASCII quotes " or {braces}',
  '\u2013': 'an en dash: use the ASCII minus sign -',
  '\u2014': 'an em dash: use the ASCII minus sign -',
  '\u2212': 'the Unicode minus sign: use the ASCII minus sign -',
  '\u00d7': 'the multiplication sign: use *',
  '\u00b7': 'a middle dot: use *',
};

/** What a character copied from a document is and what to type instead, or undefined for other characters. */
export function lookalikeHint(ch: string): string | undefined {
  return LOOKALIKES[ch];
}

/** Every lookalike character of `text`, with its 1-based line and column (for warnings on a whole deck). */
export function findLookalikes(
  text: string,
): Array<{ line: number; column: number; ch: string; hint: string }> {
  const found: Array<{ line: number; column: number; ch: string; hint: string }> = [];
  const pattern = /[\u00a0\u00b5\u03bc\u2126\u03a9\u2018\u2019\u201c\u201d\u2013\u2014\u2212\u00d7\u00b7]/g;
  for (const match of text.matchAll(pattern)) {
    const before = text.slice(0, match.index);
    const line = before.split('\n').length;
    const column = match.index - before.lastIndexOf('\n');
    found.push({ line, column, ch: match[0], hint: LOOKALIKES[match[0]] });
  }
  return found;
}

/**
 * The hint for a value where `name=value` was expected: `1,5k` (a decimal comma split the number) or a
 * second value after the element's one value (`R1 a b 1k 2k`). Undefined for anything else.
 */
export function strayValueHint(
  token: { kind: string; text: string },
  previous: { kind: string } | undefined,
  context: string,
): string | undefined {
  if (token.kind !== 'word' || !/^[0-9.]/.test(token.text)) return undefined;
  if (previous?.kind === ',') return 'SPICE writes decimals with a point (e.g. 1.5k, not 1,5k)';
  if (!context.startsWith('element')) return undefined;
  return 'the element takes one value; other settings are written name=value (e.g. tc1=0.001, m=2)';
}
