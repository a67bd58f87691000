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
