/**
 * Real-time co-editing against a real service and PostgreSQL: JupyterLab's own shared notebook model
 * (@jupyter/ydoc YNotebook) on stock y-websocket providers, as the extension connects.
 */
import { YNotebook } from '@jupyter/ydoc';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { databaseTargets } from '../test-support/databases';
import { startTestApp, type TestApp } from '../test-support/app';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { MESSAGE_SAVE, SAVE_DEBOUNCE_MS } from './room';

const NOTEBOOK = JSON.stringify({
  cells: [
    { cell_type: 'markdown', source: '# RC low-pass', metadata: {} },
    {
      cell_type: 'code',
      source: 'const c = netlist`R1 in out 1k`',
      metadata: {},
      outputs: [],
      execution_count: null,
    },
  ],
  metadata: {
    kernelspec: { name: 'spicesim', display_name: 'SpiceSim (TypeScript)', language: 'typescript' },
  },
  nbformat: 4,
  nbformat_minor: 5,
});

interface Client {
  notebook: YNotebook;
  provider: WebsocketProvider;
  closed: Promise<{ code: number; reason: string }>;
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(databaseTargets())('real-time co-editing ($name PostgreSQL)', (target) => {
  let t: TestApp;
  let alice: Awaited<ReturnType<TestApp['signUp']>>;
  let bob: Awaited<ReturnType<TestApp['signUp']>>;
  let carol: Awaited<ReturnType<TestApp['signUp']>>;
  const clients: Client[] = [];

  beforeAll(async () => {
    t = await startTestApp(target);
    alice = await t.signUp('Alice');
    bob = await t.signUp('Bob');
    carol = await t.signUp('Carol');
  }, 60_000);
  afterEach(() => {
    for (const client of clients.splice(0)) {
      client.provider.destroy();
      client.notebook.dispose();
    }
  });
  afterAll(() => t?.close());

  async function sharedProject(): Promise<{ projectId: string; fileId: string }> {
    const project = await t.call('POST', '/api/v1/projects', { token: alice.token, body: { name: 'Lab' } });
    const file = await t.call('POST', `/api/v1/projects/${project.body.id}/files`, {
      token: alice.token,
      body: { path: 'rc.ipynb', kind: 'notebook', content: NOTEBOOK },
    });
    for (const [who, role] of [
      [bob, 'editor'],
      [carol, 'viewer'],
    ] as const) {
      const share = await t.call('POST', `/api/v1/projects/${project.body.id}/shares`, {
        token: alice.token,
        body: { email: who.email, role },
      });
      expect(share.status).toBe(201);
    }
    return { projectId: project.body.id, fileId: file.body.id };
  }

  function connect(token: string | undefined, projectId: string, fileId: string): Client {
    const notebook = new YNotebook(); // as JupyterLab creates a collaborative model: empty, filled by the sync
    const provider = new WebsocketProvider(
      `${t.url.replace(/^http/, 'ws')}/api/v1/collab`,
      `projects/${projectId}/files/${fileId}`,
      notebook.ydoc,
      {
        params: token ? { access_token: token } : {},
        WebSocketPolyfill: WebSocket as never,
        awareness: notebook.awareness,
        maxBackoffTime: 200,
        // Clients in one process would otherwise also talk over BroadcastChannel, around the service.
        disableBc: true,
      },
    );
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      provider.on('connection-close', (event) => {
        if (event) resolve({ code: event.code, reason: String(event.reason) });
      }),
    );
    const client = { notebook, provider, closed };
    clients.push(client);
    return client;
  }

  const synced = (client: Client) => until(() => client.provider.synced, 'the first sync');
  const sources = (client: Client) => client.notebook.cells.map((cell) => cell.getSource());
  async function stored(projectId: string, fileId: string): Promise<{ version: number; notebook: any }> {
    const res = await t.call('GET', `/api/v1/projects/${projectId}/files/${fileId}`, { token: alice.token });
    return { version: res.body.version, notebook: JSON.parse(res.body.content) };
  }

  test("two editors see each other's edits live, and the file is saved with both", async () => {
    const { projectId, fileId } = await sharedProject();
    const a = connect(alice.token, projectId, fileId);
    const b = connect(bob.token, projectId, fileId);
    await Promise.all([synced(a), synced(b)]);
    // The service loaded the file before anyone joined: both see it exactly once.
    expect(sources(a)).toEqual(['# RC low-pass', 'const c = netlist`R1 in out 1k`']);
    expect(sources(b)).toEqual(sources(a));

    a.notebook.cells[1].updateSource(0, 0, '// fc = 1/(2 pi R C)\n');
    b.notebook.insertCell(2, { cell_type: 'code', source: 'const op = await c.op();' });
    await until(
      () => sources(a).length === 3 && sources(b)[1].startsWith('// fc'),
      'both edits on both sides',
    );
    expect(sources(a)).toEqual(sources(b));
    expect(sources(a)[2]).toBe('const op = await c.op();');

    const before = (await stored(projectId, fileId)).version;
    await new Promise((resolve) => setTimeout(resolve, SAVE_DEBOUNCE_MS + 1000));
    const after = await stored(projectId, fileId);
    expect(after.version).toBeGreaterThan(before);
    expect(after.notebook.cells.map((c: { source: string }) => c.source)).toEqual(sources(a));
    expect(after.notebook.metadata.kernelspec.name).toBe('spicesim');
  }, 30_000);

  test('a viewer follows live but its changes are refused by the service', async () => {
    const { projectId, fileId } = await sharedProject();
    const a = connect(alice.token, projectId, fileId);
    const viewer = connect(carol.token, projectId, fileId);
    await Promise.all([synced(a), synced(viewer)]);
    viewer.notebook.cells[1].updateSource(0, 0, '// vandalised\n');
    a.notebook.cells[0].updateSource(0, 0, 'Lab 1: ');
    await until(() => sources(viewer)[0] === 'Lab 1: # RC low-pass', "the editor's change at the viewer");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sources(a)).toEqual(['Lab 1: # RC low-pass', 'const c = netlist`R1 in out 1k`']);
    expect(t.app.services.collab.room(fileId)!.dropped).toBeGreaterThan(0);

    const save = await t.call('POST', `/api/v1/projects/${projectId}/files/${fileId}/collab/save`, {
      token: carol.token,
    });
    expect(save.status).toBe(403);
    const saved = await t.call('POST', `/api/v1/projects/${projectId}/files/${fileId}/collab/save`, {
      token: alice.token,
    });
    expect(saved.status).toBe(200);
    expect(saved.body.open).toBe(true);
    const file = await stored(projectId, fileId);
    expect(file.version).toBe(saved.body.version);
    expect(file.notebook.cells.map((c: { source: string }) => c.source)).toEqual(sources(a));

    const status = await t.call('GET', `/api/v1/projects/${projectId}/files/${fileId}/collab`, {
      token: carol.token,
    });
    expect(status.body.participants).toEqual(
      expect.arrayContaining([
        { userId: alice.userId, canWrite: true },
        { userId: carol.userId, canWrite: false },
      ]),
    );
  }, 30_000);

  test('connections without a valid token or access are closed with a reason', async () => {
    const { projectId, fileId } = await sharedProject();
    const stranger = await t.signUp('Mallory');
    const cases: [string | undefined, number][] = [
      [undefined, 4401],
      ['not-a-jwt', 4401],
      [stranger.token, 4404],
    ];
    for (const [token, code] of cases) {
      const client = connect(token, projectId, fileId);
      const closed = await client.closed;
      expect(closed.code).toBe(code);
      expect(closed.reason.length).toBeGreaterThan(10);
      expect(client.notebook.cells).toHaveLength(0);
    }
  }, 30_000);

  test('the last one to leave saves; the next session starts from the saved file', async () => {
    const { projectId, fileId } = await sharedProject();
    const a = connect(alice.token, projectId, fileId);
    await synced(a);
    a.notebook.insertCell(2, { cell_type: 'code', source: 'const tr = await c.tran(1e-6, 1e-3);' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    a.provider.destroy();
    await until(() => t.app.services.collab.room(fileId) === undefined, 'the room to close');
    const file = await stored(projectId, fileId);
    expect(file.notebook.cells).toHaveLength(3);

    const b = connect(bob.token, projectId, fileId);
    await synced(b);
    expect(sources(b)[2]).toBe('const tr = await c.tran(1e-6, 1e-3);');
  }, 30_000);

  /** Sends the room a save/overwrite/revert request the way the extension does; resolves with its answer. */
  function request(client: Client, mode: 0 | 1 | 2): Promise<{ status: number; version: number }> {
    const id = Math.floor(Math.random() * 1e6);
    return new Promise((resolve) => {
      client.provider.messageHandlers[MESSAGE_SAVE] = (_encoder, decoder) => {
        if (decoding.readVarUint(decoder) !== id) return;
        resolve({ status: decoding.readVarUint(decoder), version: decoding.readVarUint(decoder) });
      };
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SAVE);
      encoding.writeVarUint(encoder, id);
      encoding.writeVarUint(encoder, mode);
      client.provider.ws!.send(encoding.toUint8Array(encoder));
    });
  }

  async function saveOutside(projectId: string, fileId: string, heading: string): Promise<number> {
    const current = await t.call('GET', `/api/v1/projects/${projectId}/files/${fileId}`, {
      token: bob.token,
    });
    const replaced = JSON.parse(NOTEBOOK);
    replaced.cells[0].source = heading;
    const put = await t.call('PUT', `/api/v1/projects/${projectId}/files/${fileId}`, {
      token: bob.token,
      headers: { 'if-match': current.headers.get('etag')! },
      body: { content: JSON.stringify(replaced) },
    });
    expect(put.status).toBe(200);
    return put.body.version;
  }

  test('a save made outside the room is never overwritten silently: the room asks, then overwrites or reverts', async () => {
    const { projectId, fileId } = await sharedProject();
    const a = connect(alice.token, projectId, fileId);
    await synced(a);
    const outside = await saveOutside(projectId, fileId, '# Replaced by a script');
    a.notebook.cells[1].updateSource(0, 0, '// edited in the room\n');

    const viaRest = await t.call('POST', `/api/v1/projects/${projectId}/files/${fileId}/collab/save`, {
      token: alice.token,
    });
    expect(viaRest.status).toBe(409);
    expect(await request(a, 0)).toEqual({ status: 409, version: outside });
    expect((await stored(projectId, fileId)).notebook.cells[0].source).toBe('# Replaced by a script');

    // Overwrite: the room's document replaces exactly the version that was reported.
    const overwritten = await request(a, 1);
    expect(overwritten).toEqual({ status: 200, version: outside + 1 });
    const file = await stored(projectId, fileId);
    expect(file.notebook.cells.map((c: { source: string }) => c.source)).toEqual(sources(a));

    // Revert: everyone in the room gets the stored version.
    const b = connect(bob.token, projectId, fileId);
    await synced(b);
    await saveOutside(projectId, fileId, '# Replaced again');
    b.notebook.cells[1].updateSource(0, 0, '// to be discarded\n');
    expect((await request(b, 0)).status).toBe(409);
    expect((await request(b, 2)).status).toBe(200);
    await until(
      () => sources(a)[0] === '# Replaced again' && sources(b)[0] === '# Replaced again',
      'the revert',
    );
    expect(sources(b)[1]).toBe('const c = netlist`R1 in out 1k`');
  }, 30_000);
});
