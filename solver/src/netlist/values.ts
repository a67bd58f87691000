/**
 * SPICE number syntax: a plain decimal number with optional exponent, then an optional scale
 * factor, then any trailing unit letters that are ignored (SPICE3 manual, section 2.1 "General
 * structure and conventions"; ngspice manual section 2.1.3). As in SPICE, `m` is milli, `meg`
 * mega and `mil` 25.4 micrometres; case never matters.
 */

const CODE_0 = 48;
const CODE_9 = 57;

function isDigit(code: number): boolean {
  return code >= CODE_0 && code <= CODE_9;
}

function isLetter(code: number): boolean {
  const lower = code | 0x20;
  return lower >= 97 && lower <= 122;
}

/**
 * Decimal exponent of the scale factor written as the letters after a number, 0 when they are
 * only a unit (`V`, `Ohm`), or undefined for `mil` (not a power of ten).
 */
function scaleExponent(suffix: string): number | undefined {
  if (suffix.length === 0) return 0;
  const lower = suffix.toLowerCase();
  if (lower.startsWith('meg')) return 6;
  if (lower.startsWith('mil')) return undefined;
  switch (lower[0]) {
    case 'f':
      return -15;
    case 'p':
      return -12;
    case 'n':
      return -9;
    case 'u':
      return -6;
    case 'm':
      return -3;
    case 'k':
      return 3;
    case 'g':
      return 9;
    case 't':
      return 12;
    default:
      return 0;
  }
}

/**
 * The value of a literal (`numberText` from scanNumber) with its scale letters. The scale is added
 * to the decimal exponent before conversion, so `10u` is exactly the double nearest 1e-5 (as
 * `10e-6` would be), not 10 * 1e-6.
 */
export function scaledNumber(numberText: string, suffix: string): number {
  const exponent = scaleExponent(suffix);
  if (exponent === undefined) return Number(numberText) * 25.4e-6;
  if (exponent === 0) return Number(numberText);
  let e = numberText.indexOf('e');
  if (e < 0) e = numberText.indexOf('E');
  const mantissa = e < 0 ? numberText : numberText.slice(0, e);
  const written = e < 0 ? 0 : Number(numberText.slice(e + 1));
  return Number(`${mantissa}e${written + exponent}`);
}

/**
 * Length of the numeric literal (mantissa and exponent, no suffix) at `start` in `text`,
 * or 0 when there is none. A sign is accepted only when `allowSign`.
 */
export function scanNumber(text: string, start: number, allowSign: boolean): number {
  let pos = start;
  const n = text.length;
  if (allowSign && pos < n && (text[pos] === '+' || text[pos] === '-')) pos++;
  let digits = 0;
  while (pos < n && isDigit(text.charCodeAt(pos))) {
    pos++;
    digits++;
  }
  if (pos < n && text[pos] === '.') {
    pos++;
    while (pos < n && isDigit(text.charCodeAt(pos))) {
      pos++;
      digits++;
    }
  }
  if (digits === 0) return 0;
  // An exponent only when digits follow: `1e3` is 1000 but `2e` is 2 with the unit letter `e`.
  if (pos < n && (text[pos] === 'e' || text[pos] === 'E')) {
    let exp = pos + 1;
    if (exp < n && (text[exp] === '+' || text[exp] === '-')) exp++;
    if (exp < n && isDigit(text.charCodeAt(exp))) {
      while (exp < n && isDigit(text.charCodeAt(exp))) exp++;
      pos = exp;
    }
  }
  return pos - start;
}

/** Length of the run of letters (scale factor and unit) starting at `start`. */
export function scanLetters(text: string, start: number, end = text.length): number {
  let pos = start;
  while (pos < end && isLetter(text.charCodeAt(pos))) pos++;
  return pos - start;
}

/** 10^0 .. 10^22: every one is an exact double. */
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/** Digits that always fit in a double's 53-bit mantissa exactly. */
const MAX_EXACT_DIGITS = 15;

/** Decimal exponent of the scale letters at text[start..end) (see scaleExponent); NaN for `mil`. */
function scaleExponentAt(text: string, start: number, end: number): number {
  if (start === end) return 0;
  const first = text.charCodeAt(start) | 0x20;
  if (first === 109 /* m */ && end - start >= 3) {
    const second = text.charCodeAt(start + 1) | 0x20;
    const third = text.charCodeAt(start + 2) | 0x20;
    if (second === 101 /* e */ && third === 103 /* g */) return 6;
    if (second === 105 /* i */ && third === 108 /* l */) return NaN;
  }
  switch (first) {
    case 102 /* f */:
      return -15;
    case 112 /* p */:
      return -12;
    case 110 /* n */:
      return -9;
    case 117 /* u */:
      return -6;
    case 109 /* m */:
      return -3;
    case 107 /* k */:
      return 3;
    case 103 /* g */:
      return 9;
    case 116 /* t */:
      return 12;
    default:
      return 0;
  }
}

/**
 * The SPICE number that is exactly text[start..end) (sign, digits, exponent, scale and unit letters), or NaN
 * when that text is not one or its value is not finite. Reads the digits in place: with at most 15 significant
 * digits and a total decimal exponent within ±22, m·10^e (or m/10^-e) of two exact doubles is one correctly
 * rounded operation, the same double Number() gives for the text (Clinger's fast path); other numbers go
 * through Number() on the text.
 */
export function numberAt(text: string, start: number, end: number): number {
  let pos = start;
  let negative = false;
  let code = pos < end ? text.charCodeAt(pos) : 0;
  if (code === 43 /* + */ || code === 45 /* - */) {
    negative = code === 45;
    pos++;
  }
  const mantissaStart = pos;
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  while (pos < end && isDigit((code = text.charCodeAt(pos)))) {
    mantissa = mantissa * 10 + (code - CODE_0);
    digits++;
    pos++;
  }
  if (pos < end && code === 46 /* . */) {
    pos++;
    while (pos < end && isDigit((code = text.charCodeAt(pos)))) {
      mantissa = mantissa * 10 + (code - CODE_0);
      digits++;
      fractionDigits++;
      pos++;
    }
  }
  if (digits === 0) return NaN;
  const mantissaEnd = pos;
  // An exponent only when digits follow: `1e3` is 1000 but `2e` is 2 with the unit letter `e`.
  let exponent = 0;
  if (pos < end && (code | 0x20) === 101 /* e */) {
    let look = pos + 1;
    let exponentNegative = false;
    code = look < end ? text.charCodeAt(look) : 0;
    if (code === 43 || code === 45) {
      exponentNegative = code === 45;
      look++;
    }
    if (look < end && isDigit(text.charCodeAt(look))) {
      while (look < end && isDigit((code = text.charCodeAt(look)))) {
        if (exponent < 100_000) exponent = exponent * 10 + (code - CODE_0);
        look++;
      }
      if (exponentNegative) exponent = -exponent;
      pos = look;
    }
  }
  const numberEnd = pos;
  while (pos < end && isLetter(text.charCodeAt(pos))) pos++;
  if (pos !== end) return NaN;
  const scale = scaleExponentAt(text, numberEnd, end);
  let value: number;
  const total = exponent + (Number.isNaN(scale) ? 0 : scale) - fractionDigits;
  if (digits <= MAX_EXACT_DIGITS && total >= -22 && total <= 22) {
    value = total >= 0 ? mantissa * EXACT_POWERS_OF_TEN[total] : mantissa / EXACT_POWERS_OF_TEN[-total];
  } else {
    // Long mantissas and large exponents: let Number() round the decimal text once.
    const written = text.slice(mantissaStart, mantissaEnd);
    value = Number(`${written}e${total + fractionDigits}`);
  }
  if (Number.isNaN(scale)) value *= 25.4e-6; // mil: a thousandth of an inch
  if (negative) value = -value;
  return Number.isFinite(value) ? value : NaN;
}

/**
 * Parses a SPICE number: `10k` -> 1e4, `1meg` -> 1e6, `2.2uF` -> 2.2e-6, `10kOhm` -> 1e4,
 * `1mil` -> 2.54e-5, `-1.5e-3s` -> -1.5e-6... Returns undefined when `text` is not entirely a number.
 */
export function parseValue(text: string): number | undefined {
  const n = text.length;
  // Words from the tokenizer never have white space around them: skip trim() for those.
  const plain = n > 0 && isVisibleAscii(text.charCodeAt(0)) && isVisibleAscii(text.charCodeAt(n - 1));
  const source = plain ? text : text.trim();
  const value = numberAt(source, 0, source.length);
  return Number.isNaN(value) ? undefined : value;
}

function isVisibleAscii(code: number): boolean {
  return code > 32 && code < 127;
}
