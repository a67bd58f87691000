/** Netlists and polling helpers shared by the job tests. */
import type { TestApp } from '../test-support/app';

export const RC_NETLIST = `rc low-pass
v1 in 0 pulse(0 1 0 1u 1u 1m 2m)
r1 in out {rval}
c1 out 0 100n
.param rval=1k
.tran 10u 2m
.end
`;

/** An RC ladder: `stages` nodes, transient long enough to take a while (used for cancel and kill tests). */
export function ladderNetlist(
  stages: number,
  stop: string,
  step = '10n',
  options: { diodes?: boolean } = {},
): string {
  const lines = ['rc ladder', 'v1 n0 0 pulse(0 1 0 1n 1n 5u 10u)'];
  for (let i = 1; i <= stages; i++) {
    lines.push(`r${i} n${i - 1} n${i} 100`, `c${i} n${i} 0 1n`);
    // A diode across each capacitor makes every time point a Newton solve: the same output, ~2.5x the work.
    if (options.diodes) lines.push(`d${i} n${i} 0 dj`);
  }
  if (options.diodes) lines.push('.model dj d is=1e-14');
  lines.push(`.tran ${step} ${stop}`, '.end');
  return lines.join('\n');
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export async function waitForStatus(
  t: TestApp,
  token: string,
  id: string,
  statuses: string[],
  timeoutMs = 30_000,
): Promise<any> {
  return waitFor(
    `simulation ${id} to reach ${statuses.join('/')}`,
    async () => {
      const res = await t.call('GET', `/api/v1/simulations/${id}`, { token });
      return statuses.includes(res.body.status) ? res.body : undefined;
    },
    timeoutMs,
  );
}

/** Reads a Server-Sent Events stream to its end: [{event, data}]. */
export async function readEvents(url: string, token: string): Promise<{ event: string; data: any }[]> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
  });
  if (response.status !== 200) throw new Error(`SSE ${response.status}: ${await response.text()}`);
  const text = await response.text(); // the server ends the stream when the simulation finishes
  const events: { event: string; data: any }[] = [];
  for (const block of text.split('\n\n')) {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (event && data) events.push({ event, data: JSON.parse(data) });
  }
  return events;
}

/** An RC low-pass whose R (absolute, 10 %) and C (relative, 5 %) vary from run to run. */
export const MC_NETLIST = `rc monte carlo
v1 in 0 pulse(0 1 0 1u 1u 1m 2m)
r1 in out {agauss(1k, 100, 1)}
c1 out 0 {gauss(100n, 0.05, 1)}
.tran 10u 1m
.meas tran vhalf FIND v(out) AT=0.1m
.end
`;
