/**
 * Monte Carlo fan-out on the local worker-thread pool (the BullMQ variant is in bull.test.ts): the same seed
 * gives the same per-run results however the runs are split into jobs, and the same as the solver's own
 * `simulateMonteCarloRun`; progress is reported across the children; bad requests get 422s.
 */
import { parseRawfile, simulateMonteCarloRun } from '@spicesim/solver';
import { databaseTargets } from '../test-support/databases';
import { startTestApp, type TestApp } from '../test-support/app';
import { MC_NETLIST, readEvents, waitForStatus } from './test-helpers';
import { expectMonteCarloRuns } from '../test-support/montecarlo';

describe.each(databaseTargets())('Monte Carlo jobs, local thread pool ($name PostgreSQL)', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  }, 60_000);
  afterAll(() => t?.close());

  test('same seed, same runs: one job, one job per run, or uneven jobs; as the solver computes them', async () => {
    const alice = await t.signUp('Alice');
    const submit = (monteCarlo: Record<string, number | undefined>) =>
      t.call('POST', '/api/v1/simulations', {
        token: alice.token,
        body: { netlist: MC_NETLIST, monteCarlo },
      });
    const layouts = [{ runsPerJob: 6 }, { runsPerJob: 1 }, { runsPerJob: 4 }, {}];
    const created = await Promise.all(layouts.map((layout) => submit({ runs: 6, seed: 42, ...layout })));
    expect(created.map((c) => c.status)).toEqual([202, 202, 202, 202]);
    expect(created.map((c) => c.body.children.length)).toEqual([1, 6, 2, 6]); // default: ceil(6/16) = 1 per job
    expect(
      created[2].body.children.map((c: { firstRun: number; runs: number }) => [c.firstRun, c.runs]),
    ).toEqual([
      [0, 4],
      [4, 2],
    ]);
    expect(created[0].body.monteCarlo).toEqual({ runs: 6, seed: 42, runsPerJob: 6 });

    const done = await Promise.all(
      created.map((c) => waitForStatus(t, alice.token, c.body.id, ['completed', 'failed'], 120_000)),
    );
    for (const view of done) {
      expect(view).toMatchObject({ status: 'completed', progress: 1, error: null });
      expectMonteCarloRuns(view.summary, MC_NETLIST, 42, 6);
    }
    // Another seed, other values.
    const other = await submit({ runs: 6, seed: 43, runsPerJob: 3 });
    const otherDone = await waitForStatus(t, alice.token, other.body.id, ['completed'], 120_000);
    expect(otherDone.summary.runs[0].measurements[0].value).not.toBe(
      done[0].summary.runs[0].measurements[0].value,
    );
    expectMonteCarloRuns(otherDone.summary, MC_NETLIST, 43, 6);

    // The parent has no files; a job's rawfile holds its runs' plots in order, the solver's numbers exactly.
    const parentResult = await t.call('GET', `/api/v1/simulations/${done[2].id}/result?format=raw`, {
      token: alice.token,
    });
    expect([parentResult.status, parentResult.body.error.code]).toEqual([409, 'monte_carlo_has_no_files']);
    const secondJob = done[2].children[1];
    const raw = await fetch(`${t.url}/api/v1/simulations/${secondJob.id}/result?format=raw`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    const plots = parseRawfile(new Uint8Array(await raw.arrayBuffer()));
    expect(plots).toHaveLength(2); // runs 4 and 5
    for (const [k, plot] of plots.entries()) {
      const direct = simulateMonteCarloRun(MC_NETLIST, 42, 4 + k).plots[0];
      const name = (p: typeof plot) => p.vectors.find((v) => v.name === 'v(out)')!;
      expect(Array.from(name(plot).real)).toEqual(Array.from(name(direct).real));
    }
    const job = await t.call('GET', `/api/v1/simulations/${secondJob.id}`, { token: alice.token });
    expect(job.body.summary.plots.map((p: { name: string }) => p.name)).toEqual([
      'Transient Analysis (run 4)',
      'Transient Analysis (run 5)',
    ]);
  }, 180_000);

  test('progress rises across the children to 1, on GET and over Server-Sent Events', async () => {
    const bob = await t.signUp('Bob');
    const slow = MC_NETLIST.replace('.tran 10u 1m', '.tran 1u 5m');
    const created = await t.call('POST', '/api/v1/simulations', {
      token: bob.token,
      body: { netlist: slow, monteCarlo: { runs: 4, seed: 7, runsPerJob: 1 } },
    });
    const id = created.body.id as string;
    const eventsPromise = readEvents(`${t.url}/api/v1/simulations/${id}/events`, bob.token);
    const seen: number[] = [];
    for (;;) {
      const view = (await t.call('GET', `/api/v1/simulations/${id}`, { token: bob.token })).body;
      seen.push(view.progress);
      if (view.status === 'completed' || view.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(seen[seen.length - 1]).toBe(1);
    expect(seen.some((p) => p > 0 && p < 1)).toBe(true); // part-way, not just 0 then 1
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    const events = await eventsPromise;
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data.progress as number);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
    expect(progress.every((p) => p > 0 && p <= 1)).toBe(true);
    const last = events.filter((e) => e.event === 'status').pop()!;
    expect(last.data).toMatchObject({ status: 'completed', progress: 1 });
    expectMonteCarloRuns(last.data.summary, slow, 7, 4);
  }, 120_000);

  test('bad requests: no random values, sweep and Monte Carlo together, malformed agauss, run counts', async () => {
    const carol = await t.signUp('Carol');
    const submit = (body: Record<string, unknown>) =>
      t.call('POST', '/api/v1/simulations', { token: carol.token, body });
    const plain = MC_NETLIST.replace('{agauss(1k, 100, 1)}', '1k').replace('{gauss(100n, 0.05, 1)}', '100n');
    const noRandom = await submit({ netlist: plain, monteCarlo: { runs: 10 } });
    expect(noRandom.status).toBe(422);
    expect(noRandom.body.error.details[0]).toMatchObject({ field: 'body.netlist' });
    expect(noRandom.body.error.details[0].message).toMatch(/agauss/);
    const both = await submit({
      netlist: MC_NETLIST,
      monteCarlo: { runs: 10 },
      sweep: { parameter: 'x', values: [1] },
    });
    expect([both.status, both.body.error.details[0].field]).toEqual([422, 'body.monteCarlo']);
    const malformed = await submit({
      netlist: MC_NETLIST.replace('agauss(1k, 100, 1)', 'agauss(1k)'),
      monteCarlo: { runs: 10 },
    });
    expect([malformed.status, malformed.body.error.code]).toEqual([422, 'invalid_netlist']);
    expect(malformed.body.error.message).toMatch(/agauss\(\) takes 3 argument\(s\), got 1/);
    const tooMany = await submit({ netlist: MC_NETLIST, monteCarlo: { runs: 100_000 } });
    expect([tooMany.status, tooMany.body.error.details[0].field]).toEqual([422, 'body.monteCarlo.runs']);
    const zero = await submit({ netlist: MC_NETLIST, monteCarlo: { runs: 4, runsPerJob: 0 } });
    expect([zero.status, zero.body.error.details[0].field]).toEqual([422, 'body.monteCarlo.runsPerJob']);
  });
});
