/** Small waveform helpers of the BSIM4/EKV tests. */

/** Times at which `values` crosses `level` in the given direction (linear interpolation). */
export function crossingTimes(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  level: number,
  direction: 'rising' | 'falling',
): number[] {
  const result: number[] = [];
  for (let k = 1; k < times.length; k++) {
    const a = values[k - 1] - level;
    const b = values[k] - level;
    const crosses = direction === 'rising' ? a < 0 && b >= 0 : a > 0 && b <= 0;
    if (crosses) result.push(times[k - 1] + ((times[k] - times[k - 1]) * a) / (a - b));
  }
  return result;
}
