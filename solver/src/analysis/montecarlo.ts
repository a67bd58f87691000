/**
 * Monte Carlo: the deck's random parameter functions, as HSPICE and ngspice define them (ngspice manual
 * ch. 2.8.6 "agauss, gauss, aunif, unif"), sampled afresh for every run:
 *   agauss(nom, avar, sigma)  nom + avar/sigma · N(0,1)          (absolute deviation avar at `sigma` sigmas)
 *   gauss(nom, rvar, sigma)   nom · (1 + rvar/sigma · N(0,1))    (relative deviation)
 *   aunif(nom, avar)          nom + avar · U(−1,1)
 *   unif(nom, rvar)           nom · (1 + rvar · U(−1,1))
 * Every textual occurrence is an independent random variable; an occurrence inside a .param is one value shared
 * by all its uses (a "lot" variation), one inside an element's value varies that element alone.
 *
 * Runs are reproducible and independent of scheduling: run k draws from a generator seeded by (seed, k), so
 * runs can be spread over worker threads in any order (see montecarlo-pool.ts) with identical results.
 * This module is pure (no Node imports): it turns a deck into the deck of run k, and summarises results.
 */
import { CircuitError } from '../errors';

/** The random functions and how many arguments each takes. */
const RANDOM_FUNCTIONS: Record<string, { min: number; max: number }> = {
  agauss: { min: 2, max: 3 },
  gauss: { min: 2, max: 3 },
  aunif: { min: 2, max: 2 },
  unif: { min: 2, max: 2 },
};

/** A small, fast, well-distributed PRNG (xoshiro128**, Blackman & Vigna 2018), seeded through splitmix32. */
export class RandomSource {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  constructor(seed: number, stream = 0) {
    let x = (Math.trunc(seed) ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
    const next = (): number => {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3 >>> 0, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result / 4294967296;
  }

  /** Standard normal, by the Marsaglia polar method. */
  normal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const factor = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * factor;
        return u * factor;
      }
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** One random function call found in a deck: where it is and its argument texts. */
interface RandomCall {
  name: string;
  start: number;
  end: number;
  args: string[];
  line: number;
  /** Inside `{...}` or `'...'` already. */
  inExpression: boolean;
}

/** Every gauss/agauss/unif/aunif call in the deck text (comment lines skipped), in order. */
export function findRandomCalls(text: string, fileName = '<netlist>'): RandomCall[] {
  const calls: RandomCall[] = [];
  const pattern = /\b(agauss|gauss|aunif|unif)\s*\(/gi;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const lineStart = text.lastIndexOf('\n', match.index) + 1;
    const line = text.slice(0, match.index).split('\n').length;
    if (/^\s*\*/.test(text.slice(lineStart, match.index + 1))) continue;
    let depth = 0;
    let argStart = pattern.lastIndex;
    const args: string[] = [];
    let end = -1;
    for (let k = pattern.lastIndex; k < text.length; k++) {
      const c = text[k];
      if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0) {
          args.push(text.slice(argStart, k).trim());
          end = k + 1;
          break;
        }
        depth--;
      } else if (c === ',' && depth === 0) {
        args.push(text.slice(argStart, k).trim());
        argStart = k + 1;
      } else if (c === '\n' && !/^\n\s*\+/.test(text.slice(k, k + 40))) {
        break;
      }
    }
    const name = match[1].toLowerCase();
    const arity = RANDOM_FUNCTIONS[name];
    if (end < 0 || args.length < arity.min || args.length > arity.max || args.some((a) => a === '')) {
      throw new MonteCarloError(
        `${name}() needs ${arity.min === arity.max ? arity.min : `${arity.min} or ${arity.max}`} arguments`,
        { file: fileName, line, column: match.index - text.lastIndexOf('\n', match.index - 1) },
        name.startsWith('a')
          ? `write ${name}(nominal, absolute deviation${arity.max === 3 ? ', sigmas' : ''})`
          : `write ${name}(nominal, relative deviation${arity.max === 3 ? ', sigmas' : ''})`,
      );
    }
    calls.push({
      name,
      start: match.index,
      end,
      args,
      line,
      inExpression: insideExpression(text, match.index),
    });
    pattern.lastIndex = end;
  }
  return calls;
}

/** Whether `position` is inside braces or single quotes on its card (continuation lines included). */
function insideExpression(text: string, position: number): boolean {
  let start = text.lastIndexOf('\n', position - 1) + 1;
  // Back up over continuation lines (`+ ...`) to the start of the card.
  while (start > 0 && /^\s*\+/.test(text.slice(start, position)))
    start = text.lastIndexOf('\n', start - 2) + 1;
  let depth = 0;
  let quoted = false;
  for (let k = start; k < position; k++) {
    const c = text[k];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '{') depth++;
    else if (!quoted && c === '}') depth--;
  }
  return quoted || depth > 0;
}

/** A malformed random function call, at its line (a CircuitError, so the CLI prints it as bad input). */
export class MonteCarloError extends CircuitError {
  override name = 'MonteCarloError';
}

/**
 * The deck of one run: every random call replaced by an expression of its arguments and a fresh sample.
 * `random` undefined gives the nominal deck (every call replaced by its nominal value).
 */
export function sampleDeck(text: string, random: RandomSource | undefined, fileName?: string): string {
  const calls = findRandomCalls(text, fileName);
  let result = '';
  let position = 0;
  for (const call of calls) {
    const [nominal, deviation, sigmas = '1'] = call.args;
    let replacement: string;
    if (!random) {
      replacement = `(${nominal})`;
    } else if (call.name === 'agauss' || call.name === 'gauss') {
      const z = random.normal();
      const spread = `(${deviation})*(${z})/(${sigmas})`;
      replacement = call.name === 'agauss' ? `((${nominal})+${spread})` : `((${nominal})*(1+${spread}))`;
    } else {
      const u = 2 * random.uniform() - 1;
      replacement =
        call.name === 'aunif'
          ? `((${nominal})+(${deviation})*(${u}))`
          : `((${nominal})*(1+(${deviation})*(${u})))`;
    }
    // Outside braces or quotes (`.param r = agauss(...)`, HSPICE style) the expression needs braces.
    if (!call.inExpression) replacement = `{${replacement}}`;
    result += text.slice(position, call.start) + replacement;
    position = call.end;
  }
  return result + text.slice(position);
}

/** The deck of Monte Carlo run `run` (0-based) for `seed`: reproducible whatever order runs are made in. */
export function monteCarloDeck(text: string, seed: number, run: number): string {
  return sampleDeck(text, new RandomSource(seed, run));
}

export interface Statistics {
  count: number;
  mean: number;
  /** Sample standard deviation (n − 1). */
  std: number;
  min: number;
  max: number;
}

/** Mean, sample standard deviation, min and max of the finite values. */
export function statistics(values: ArrayLike<number>): Statistics {
  let count = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < values.length; k++) {
    const x = values[k];
    if (!Number.isFinite(x)) continue;
    // Welford's update: stable for many runs.
    count++;
    const delta = x - mean;
    mean += delta / count;
    m2 += delta * (x - mean);
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { count, mean: count ? mean : NaN, std: count > 1 ? Math.sqrt(m2 / (count - 1)) : NaN, min, max };
}
