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
  const e = numberText.search(/[eE]/);
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

/**
 * Parses a SPICE number: `10k` -> 1e4, `1meg` -> 1e6, `2.2uF` -> 2.2e-6, `10kOhm` -> 1e4,
 * `1mil` -> 2.54e-5, `-1.5e-3s` -> -1.5e-6... Returns undefined when `text` is not entirely a number.
 */
export function parseValue(text: string): number | undefined {
  const trimmed = text.trim();
  const numberLength = scanNumber(trimmed, 0, true);
  if (numberLength === 0) return undefined;
  const suffixLength = scanLetters(trimmed, numberLength);
  if (numberLength + suffixLength !== trimmed.length) return undefined;
  const value = scaledNumber(trimmed.slice(0, numberLength), trimmed.slice(numberLength));
  return Number.isFinite(value) ? value : undefined;
}
