/**
 * Regression: source corners that land a rounding error away from where accumulated time steps arrive
 * must not leave a sliver of a step (1e-24 s) that no Newton iteration survives.
 */
import { inverterChain } from '../devices/bsim4/bench';
import { simulateNetlist } from '../simulate';

test('a pulse corner reached by many tmax-sized steps is hit without a sliver step', () => {
  // tmax = 0.16 ps: 1562 steps of it reach the corner at 0.25 ns only to within rounding.
  const deck = inverterChain(2, 2000).text.replace(/^\.tran .*$/m, '.tran 1.6e-13 0.4n 0 1.6e-13');
  const plot = simulateNetlist(deck).plots[0];
  const time = plot.vectors[0].real;
  expect(time[time.length - 1]).toBeCloseTo(0.4e-9, 20);
  let smallest = Infinity;
  for (let k = 1; k < time.length; k++) smallest = Math.min(smallest, time[k] - time[k - 1]);
  expect(smallest).toBeGreaterThan(1e-18);
});
