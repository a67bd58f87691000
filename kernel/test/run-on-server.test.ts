/**
 * `runOnServer` against a real SpiceSim service (embedded PostgreSQL, or SPICESIM_TEST_DATABASE_URL's
 * server; jobs on the service's local worker-thread pool), signed in as a fresh user the way the
 * JupyterLab extension shares its session with the kernel.
 */
import { databaseTargets } from '../../server/src/test-support/databases';
import { startTestApp, type TestApp } from '../../server/src/test-support/app';
import { ladderNetlist } from '../../server/src/jobs/test-helpers';
import { netlist } from '../src/circuit';
import { SimulationInterrupted } from '../src/errors';
import { inlineIncludes, runOnServer } from '../src/server-run';
import { ServiceCallError } from '../src/session';
import type { RunProgress } from '../src/background';

const KEY = Symbol.for('spicesim.session');
const setSession = (value: unknown) => ((globalThis as Record<symbol, unknown>)[KEY] = value);

// One database target is enough here (the service's own tests cover both): the real server when configured.
const target = databaseTargets().slice(-1)[0];

describe(`runOnServer against the service (${target.name} PostgreSQL)`, () => {
  let t: TestApp;
  let token = '';
  beforeAll(async () => {
    t = await startTestApp(target);
    token = (await t.signUp('Kernel user')).token;
  }, 60_000);
  afterAll(async () => {
    setSession(undefined);
    await t?.close();
  });
  beforeEach(() => setSession({ serverUrl: t.url, accessToken: token, user: null }));

  test('same Simulation as a local run, includes sent inline, progress from the event stream', async () => {
    const files: Record<string, string> = {
      'parts/filter.lib':
        '* filter parts\n.lib rc\nR1 in out 1k\n.include cap.inc\n.endl rc\n.lib other\nR9 x 0 1\n.endl other\n',
      'parts/cap.inc': 'C1 out 0 100n\n',
    };
    const circuit = netlist(
      'RC from a library\nV1 in 0 PULSE(0 1 0 1u 1u 1m 2m) AC 1\n.lib parts/filter.lib rc\n.tran 10u 2m\n.ac dec 10 10 100k\n.end',
      {
        readFile: (p) =>
          files[p] ??
          (() => {
            throw new Error(`no ${p}`);
          })(),
      },
    );
    const seen: RunProgress[] = [];
    const remote = await runOnServer(circuit, { progress: (p) => seen.push(p) });
    const local = circuit.run();
    expect(remote.analyses.map((a) => a.kind)).toEqual(['tran', 'ac']);
    expect(remote.tran.names).toEqual(local.tran.names);
    expect(Array.from(remote.tran.v('out'))).toEqual(Array.from(local.tran.v('out')));
    expect(Array.from(remote.ac.v('out'))).toEqual(Array.from(local.ac.v('out')));
    expect(Array.from(remote.ac.phase('out'))).toEqual(Array.from(local.ac.phase('out')));
    expect(remote.title).toBe('RC from a library');
    // Progress went through the service's states and ended at 1.
    expect(seen[0].kind).toBe('submitting');
    expect(seen.some((p) => p.kind === 'completed' || p.kind === 'running')).toBe(true);
    expect(seen[seen.length - 1].fraction).toBe(1);
    // The method on Circuit is the same call.
    expect(Array.from((await circuit.runOnServer({ progress: false })).tran.time)).toEqual(
      Array.from(local.tran.time),
    );
  }, 60_000);

  test('an interrupt cancels the server job and rejects with SimulationInterrupted', async () => {
    let interruptedAt = 0;
    const error = await runOnServer(ladderNetlist(200, '20m', '10n'), {
      progress: (p) => {
        if (p.kind === 'running' && p.fraction > 0 && !interruptedAt) {
          interruptedAt = Date.now();
          process.listeners('SIGINT').slice(-1)[0].call(process, 'SIGINT');
        }
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimulationInterrupted);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^server simulation ([0-9a-f-]{36}) interrupted at \d+% .* the server job was cancelled; the kernel is ready/,
    );
    expect(Date.now() - interruptedAt).toBeLessThan(2000);
    const id = /simulation ([0-9a-f-]{36})/.exec(message)![1];
    const view = await t.call('GET', `/api/v1/simulations/${id}`, { token });
    expect(view.body.status).toBe('cancelled');
  }, 60_000);

  test('errors: a netlist the service rejects, and no session', async () => {
    const bad = await runOnServer('bad\nR1 a 0 1k\n.end', { progress: false }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ServiceCallError);
    expect(bad).toMatchObject({ status: 422 });
    setSession(undefined);
    const saved = { url: process.env.SPICESIM_SERVER_URL, token: process.env.SPICESIM_ACCESS_TOKEN };
    delete process.env.SPICESIM_SERVER_URL;
    delete process.env.SPICESIM_ACCESS_TOKEN;
    try {
      await expect(runOnServer('rc\nR1 a 0 1\n.op\n.end', { progress: false })).rejects.toThrow(
        /Not signed in to SpiceSim/,
      );
    } finally {
      if (saved.url !== undefined) process.env.SPICESIM_SERVER_URL = saved.url;
      if (saved.token !== undefined) process.env.SPICESIM_ACCESS_TOKEN = saved.token;
    }
  });
});

describe('inlineIncludes', () => {
  test('nested includes and library sections resolve relative to the including file', () => {
    const files: Record<string, string> = {
      'a/models.lib': '.lib typ\n.include sub/m.inc\n.endl\n',
      'a/sub/m.inc': '.model d1 d is=1e-14\n',
    };
    const text = inlineIncludes('t\n.lib "a/models.lib" typ\nD1 x 0 d1\n.end', '<notebook>', (p) => files[p]);
    expect(text).toBe(
      't\n* .lib "a/models.lib" typ (inlined for the server)\n* .include sub/m.inc (inlined for the server)\n.model d1 d is=1e-14\n\nD1 x 0 d1\n.end',
    );
    expect(() => inlineIncludes('t\n.lib a/models.lib fast\n.end', 'deck.cir', (p) => files[p])).toThrow(
      "deck.cir:2: library 'a/models.lib' has no section 'fast'",
    );
    expect(() =>
      inlineIncludes('t\n.include nope.inc\n.end', 'deck.cir', () => {
        throw Object.assign(new Error('x'), { code: 'ENOENT' });
      }),
    ).toThrow("deck.cir:2: cannot read 'nope.inc' to send it to the server (ENOENT)");
  });
});
