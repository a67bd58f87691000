import { timeFunction } from './waveform';

describe('PWL repeat (r=) and delay (td=)', () => {
  // 0 V at 0, 1 V at 1 us, 1 V at 2 us, 0 V at 3 us; from 3 us the part from 1 us repeats (period 2 us),
  // so every period end jumps from 0 V back to 1 V; td shifts it all by 1 us.
  const pwl = timeFunction(
    { type: 'pwl', args: [0, 0, 1e-6, 1, 2e-6, 1, 3e-6, 0], options: { r: 1e-6, td: 1e-6 } },
    { step: 1e-8, stop: 30e-6 },
  );

  it('gives the restart value at every period end, whatever the rounding of the time', () => {
    for (let k = 0; k < 12; k++) {
      const end = 1e-6 + 3e-6 + k * 2e-6;
      expect(pwl.value(end)).toBe(1);
      expect(pwl.value(end * (1 + 2e-16))).toBe(1);
      expect(pwl.value(end - 1e-9)).toBeCloseTo(0.001, 9);
    }
  });

  it('follows the repeated segment inside a period and puts breakpoints on its corners', () => {
    expect(pwl.value(0.5e-6)).toBe(0);
    expect(pwl.value(2e-6)).toBe(1);
    expect(pwl.value(5.5e-6)).toBeCloseTo(0.5, 9);
    expect(pwl.value(6.5e-6)).toBeCloseTo(1, 12);
    const corners: number[] = [];
    pwl.breakpoints(3.5e-6, 8.5e-6, (t) => corners.push(t));
    expect(corners.map((t) => Math.round(t * 1e9))).toEqual(
      expect.arrayContaining([4000, 5000, 6000, 7000, 8000]),
    );
  });
});
