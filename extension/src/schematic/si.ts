/** SI-suffixed numbers as SPICE writes them (`4.7k`, `100n`, `2.2meg`); parsing is the solver's parseValue. */
const SUFFIXES: Array<[number, string]> = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'meg'],
  [1e3, 'k'],
  [1, ''],
  [1e-3, 'm'],
  [1e-6, 'u'],
  [1e-9, 'n'],
  [1e-12, 'p'],
  [1e-15, 'f'],
];

/** `value` with an SPICE suffix and `digits` significant digits, e.g. formatSI(0.0047) = '4.7m'. */
export function formatSI(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  for (const [scale, suffix] of SUFFIXES) {
    if (magnitude >= scale * 0.9995 || scale === 1e-15) {
      const scaled = value / scale;
      return `${Number(scaled.toPrecision(digits))}${suffix}`;
    }
  }
  return String(value);
}
