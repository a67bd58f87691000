/** Engineering notation with SI prefixes, the way a bench instrument labels a value: `1.59 kHz`, `-3.2 mV`. */

const PREFIXES: Array<[number, string]> = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
  [1, ''],
  [1e-3, 'm'],
  [1e-6, 'µ'],
  [1e-9, 'n'],
  [1e-12, 'p'],
  [1e-15, 'f'],
];

export function formatSI(value: number, unit = '', digits = 3): string {
  if (!Number.isFinite(value)) return unit ? `${value} ${unit}` : String(value);
  if (value === 0) return unit ? `0 ${unit}` : '0';
  const magnitude = Math.abs(value);
  const [scale, prefix] = PREFIXES.find(([s]) => magnitude >= s * 0.9995) ?? PREFIXES[PREFIXES.length - 1];
  const scaled = Number((value / scale).toPrecision(digits));
  // `1.5 kHz` with a unit, `1.5k` without (axis ticks).
  return unit ? `${scaled} ${prefix}${unit}` : `${scaled}${prefix}`;
}
