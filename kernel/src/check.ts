/**
 * Checks for classroom notebooks and design reports: compare a measured value with the expected one,
 * print a readable pass line, and fail the cell (so headless runs fail) when it is out of tolerance.
 */
import { inspect } from 'util';
import { formatSI } from './waveform/format';

export interface Tolerance {
  /** Relative tolerance (default 0.01 = 1 %). */
  rel?: number;
  /** Absolute tolerance, added to the relative one (default 0). */
  abs?: number;
  /** Unit for the message (`Hz`, `s`, `V`). */
  unit?: string;
}

export class CheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckError';
  }

  [inspect.custom](): string {
    return `${this.name}: ${this.message}`;
  }
}

/**
 * Passes when |actual - expected| <= rel |expected| + abs and prints a ✓ line; otherwise throws CheckError.
 * Returns nothing, so a check as a cell's last line does not print twice.
 */
export function check(label: string, actual: number, expected: number, tolerance: Tolerance = {}): void {
  const rel = tolerance.rel ?? 0.01;
  const abs = tolerance.abs ?? 0;
  const unit = tolerance.unit ?? '';
  const allowed = rel * Math.abs(expected) + abs;
  const error = Math.abs(actual - expected);
  const band = abs > 0 && rel === 0 ? `±${formatSI(abs, unit)}` : `±${Number((rel * 100).toPrecision(3))} %`;
  const summary = `${label}: ${formatSI(actual, unit, 4)} (expected ${formatSI(expected, unit, 4)} ${band})`;
  if (!(error <= allowed)) {
    throw new CheckError(`✗ ${summary}, off by ${formatSI(error, unit, 3)}`);
  }
  console.log(`✓ ${summary}`);
}

/**
 * Passes when `min <= actual <= max` (either bound optional) and prints a ✓ line; otherwise throws
 * CheckError: `checkRange('gain at VM', Math.abs(gain), { min: 20 })`.
 */
export function checkRange(
  label: string,
  actual: number,
  bounds: { min?: number; max?: number; unit?: string },
): void {
  const { min, max } = bounds;
  if (min === undefined && max === undefined)
    throw new Error(`checkRange('${label}'): give min, max or both`);
  const unit = bounds.unit ?? '';
  const show = (v: number) => formatSI(v, unit, 4);
  const expected =
    min !== undefined && max !== undefined
      ? `${show(min)} .. ${show(max)}`
      : min !== undefined
        ? `≥ ${show(min)}`
        : `≤ ${show(max!)}`;
  const summary = `${label}: ${show(actual)} (expected ${expected})`;
  if (!((min === undefined || actual >= min) && (max === undefined || actual <= max)))
    throw new CheckError(`✗ ${summary}`);
  console.log(`✓ ${summary}`);
}
