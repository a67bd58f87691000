/**
 * Issue 11 API evidence: a viewer can never write (by any route), editors can, public share links expose
 * that one project read-only and nothing else, the static HTML render is script-free, revisions restore
 * through If-Match, and CORS lets JupyterLab's origin read answers (including ETag) with bearer tokens.
 */
import { databaseTargets } from '../src/test-support/databases';
import { startTestApp, type TestApp } from '../src/test-support/app';

const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';
const NOTEBOOK = JSON.stringify({
  cells: [
    {
      cell_type: 'markdown',
      source: ['# RC low-pass\n', 'Corner at *1.59 kHz*. <script>alert(1)</script>'],
      metadata: {},
    },
    {
      cell_type: 'code',
      execution_count: 3,
      source: 'const r = sim.ac()',
      metadata: {},
      outputs: [
        { output_type: 'stream', name: 'stdout', text: ['f3db = 1591.5 <Hz>\n'] },
        {
          output_type: 'display_data',
          metadata: {},
          data: {
            'application/vnd.spicesim.waveform.v1+json': { traces: [] },
            'image/svg+xml': SVG,
            'text/plain': 'Waveform',
          },
        },
        {
          output_type: 'display_data',
          metadata: {},
          data: { 'text/html': '<b>bold</b><img src=x onerror="alert(2)"><script>alert(3)</script>' },
        },
        {
          output_type: 'error',
          ename: 'Error',
          evalue: 'x',
          traceback: ['\u001b[31mError\u001b[0m: singular at node out'],
        },
      ],
    },
  ],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5,
});

describe.each(databaseTargets())('sharing, public links and revisions ($name PostgreSQL)', (target) => {
  let t: TestApp;
  let alice: Awaited<ReturnType<TestApp['signUp']>>;
  let bob: Awaited<ReturnType<TestApp['signUp']>>;
  let carol: Awaited<ReturnType<TestApp['signUp']>>;

  beforeAll(async () => {
    t = await startTestApp(target);
    [alice, bob, carol] = [await t.signUp('Alice'), await t.signUp('Bob'), await t.signUp('Carol')];
  }, 60_000);
  afterAll(() => t?.close());

  async function project(owner = alice, name = 'RC filter') {
    const p = await t.call('POST', '/api/v1/projects', { token: owner.token, body: { name } });
    expect(p.status).toBe(201);
    const f = await t.call('POST', `/api/v1/projects/${p.body.id}/files`, {
      token: owner.token,
      body: { path: 'rc.ipynb', kind: 'notebook', content: NOTEBOOK },
    });
    expect(f.status).toBe(201);
    return { projectId: p.body.id as string, fileId: f.body.id as string, etag: f.headers.get('etag')! };
  }

  test('a viewer reads but can never write, by any route; an editor writes but cannot manage', async () => {
    const { projectId, fileId, etag } = await project();
    const share = await t.call('POST', `/api/v1/projects/${projectId}/shares`, {
      token: alice.token,
      body: { email: bob.email.toUpperCase(), role: 'viewer' },
    });
    expect(share.status).toBe(201);
    expect(share.body).toMatchObject({ role: 'viewer', user: { email: bob.email } });

    const base = `/api/v1/projects/${projectId}`;
    // Reads work.
    expect((await t.call('GET', base, { token: bob.token })).body.access).toBe('read');
    expect((await t.call('GET', `${base}/files/${fileId}`, { token: bob.token })).body.content).toBe(
      NOTEBOOK,
    );
    const shared = await t.call('GET', '/api/v1/shared-with-me', { token: bob.token });
    expect(shared.body.items.map((p: { id: string }) => p.id)).toContain(projectId);
    const rev = await t.call('POST', `${base}/files/${fileId}/revisions`, { token: alice.token });
    expect(rev.status).toBe(201);

    const writes: [string, string, unknown?, Record<string, string>?][] = [
      ['PATCH', base, { name: 'renamed' }],
      ['PATCH', base, { isPublic: true }],
      ['DELETE', base],
      ['POST', `${base}/share-link`],
      ['DELETE', `${base}/share-link`],
      ['POST', `${base}/shares`, { email: carol.email, role: 'editor' }],
      ['GET', `${base}/shares`],
      ['DELETE', `${base}/shares/${share.body.id}`],
      ['POST', `${base}/files`, { path: 'evil.cir', kind: 'netlist', content: '* x' }],
      ['PUT', `${base}/files/${fileId}`, { content: 'overwritten' }, { 'if-match': etag }],
      ['PUT', `${base}/files/${fileId}`, { content: '{}', path: 'moved.ipynb' }, { 'if-match': etag }],
      ['DELETE', `${base}/files/${fileId}`],
      ['POST', `${base}/files/${fileId}/revisions`],
      ['POST', `${base}/files/${fileId}/revisions/${rev.body.id}/restore`, undefined, { 'if-match': etag }],
      ['DELETE', `${base}/files/${fileId}/revisions/${rev.body.id}`],
    ];
    for (const [method, path, body, headers] of writes) {
      const res = await t.call(method, path, { token: bob.token, body, headers });
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
    const after = await t.call('GET', `${base}/files/${fileId}`, { token: alice.token });
    expect(after.body).toMatchObject({ content: NOTEBOOK, version: 1, path: 'rc.ipynb' });
    expect((await t.call('GET', base, { token: alice.token })).body).toMatchObject({
      name: 'RC filter',
      isPublic: false,
    });
    expect((await t.call('GET', `${base}/shares`, { token: alice.token })).body.items).toHaveLength(1);

    // Promoted to editor: saves go through, sharing and deletion still do not.
    await t.call('POST', `${base}/shares`, {
      token: alice.token,
      body: { email: bob.email, role: 'editor' },
    });
    const save = await t.call('PUT', `${base}/files/${fileId}`, {
      token: bob.token,
      body: { content: NOTEBOOK.replace('RC low-pass', 'RC low-pass (Bob)') },
      headers: { 'if-match': etag },
    });
    expect(save.status).toBe(200);
    expect((await t.call('DELETE', base, { token: bob.token })).status).toBe(403);
    expect((await t.call('POST', `${base}/share-link`, { token: bob.token })).status).toBe(403);
    // Unshared: gone (404, as if it never existed).
    const shares = await t.call('GET', `${base}/shares`, { token: alice.token });
    await t.call('DELETE', `${base}/shares/${shares.body.items[0].id}`, { token: alice.token });
    expect((await t.call('GET', base, { token: bob.token })).status).toBe(404);
  });

  test('sharing with an organisation gives its members the share role; outsiders see nothing', async () => {
    const { projectId, fileId } = await project();
    const org = await t.call('POST', '/api/v1/orgs', {
      token: alice.token,
      body: { name: 'Lab', slug: `lab-${Date.now()}` },
    });
    expect(org.status).toBe(201);
    const invite = await t.call('POST', `/api/v1/orgs/${org.body.id}/invitations`, {
      token: alice.token,
      body: { email: bob.email, role: 'member' },
    });
    expect(
      (
        await t.call('POST', '/api/v1/invitations/accept', {
          token: bob.token,
          body: { token: invite.body.token },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await t.call('POST', `/api/v1/projects/${projectId}/shares`, {
          token: alice.token,
          body: { orgId: org.body.id, role: 'viewer' },
        })
      ).status,
    ).toBe(201);
    const url = `/api/v1/projects/${projectId}/files/${fileId}`;
    expect((await t.call('GET', url, { token: bob.token })).status).toBe(200);
    const put = await t.call('PUT', url, {
      token: bob.token,
      body: { content: 'x' },
      headers: { 'if-match': `"${fileId}.1"` },
    });
    expect(put.status).toBe(403);
    expect((await t.call('GET', url, { token: carol.token })).status).toBe(404);
    // Sharing needs both an e-mail or an org, not both, and a real account.
    const bad = await t.call('POST', `/api/v1/projects/${projectId}/shares`, {
      token: alice.token,
      body: { email: carol.email, orgId: org.body.id, role: 'viewer' },
    });
    expect(bad.status).toBe(422);
    const unknown = await t.call('POST', `/api/v1/projects/${projectId}/shares`, {
      token: alice.token,
      body: { email: 'nobody@example.com', role: 'viewer' },
    });
    expect(unknown.status).toBe(404);
  });

  test('a public link exposes that project read-only and nothing else', async () => {
    const { projectId, fileId } = await project();
    const other = await project(alice, 'Private other');
    const link = await t.call('POST', `/api/v1/projects/${projectId}/share-link`, { token: alice.token });
    const token = link.body.token as string;

    const listing = await t.call('GET', `/api/v1/shared/${token}`);
    expect(listing.status).toBe(200);
    expect(listing.body.project.id).toBe(projectId);
    expect(listing.body.project.hasShareLink).toBe(false); // no hint about link management
    expect(listing.body.files.map((f: { id: string }) => f.id)).toEqual([fileId]);
    // Another project's file through this token: 404, in JSON and HTML alike.
    expect((await t.call('GET', `/api/v1/shared/${token}/files/${other.fileId}`)).status).toBe(404);
    expect((await t.call('GET', `/api/v1/shared/${token}/render/${other.fileId}`)).status).toBe(404);
    // The token is not a credential for anything else.
    for (const [method, path] of [
      ['GET', `/api/v1/projects/${projectId}`],
      ['GET', '/api/v1/projects'],
      ['PUT', `/api/v1/projects/${projectId}/files/${fileId}`],
      ['GET', '/api/v1/me'],
    ]) {
      expect([401]).toContain(
        (
          await t.call(method, path, {
            headers: { authorization: `Bearer ${token}` },
            body: method === 'PUT' ? { content: 'x' } : undefined,
          })
        ).status,
      );
    }
    // No write verbs exist under /shared.
    for (const method of ['PUT', 'POST', 'DELETE', 'PATCH'])
      expect([404, 405]).toContain(
        (await t.call(method, `/api/v1/shared/${token}/files/${fileId}`, { body: { content: 'x' } })).status,
      );
    // Revoked: the old token is dead; a wrong token reveals nothing.
    await t.call('DELETE', `/api/v1/projects/${projectId}/share-link`, { token: alice.token });
    expect((await t.call('GET', `/api/v1/shared/${token}`)).status).toBe(404);
    expect((await t.call('GET', `/api/v1/shared/${token}/render/${fileId}`)).status).toBe(404);
  });

  test('the public HTML render shows markdown, code and static outputs with no script anywhere', async () => {
    const { projectId, fileId } = await project();
    const { body } = await t.call('POST', `/api/v1/projects/${projectId}/share-link`, { token: alice.token });
    const response = await fetch(`${t.url}/api/v1/shared/${body.token}/render/${fileId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src/);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await response.text();
    expect(html).toContain('<h1>RC low-pass</h1>');
    expect(html).toContain('<em>1.59 kHz</em>');
    expect(html).toContain('const r = sim.ac()');
    expect(html).toContain('[3]');
    expect(html).toContain('f3db = 1591.5 &#60;Hz&#62;');
    // The waveform bundle falls back to its SVG, embedded as an image data URI.
    expect(html).toContain(`data:image/svg+xml;base64,${Buffer.from(SVG).toString('base64')}`);
    expect(html).toContain('<b>bold</b>');
    expect(html).toContain('Error: singular at node out'); // ANSI colours stripped
    expect(html).not.toMatch(/<script|onerror|alert\(/i);
    const index = await (await fetch(`${t.url}/api/v1/shared/${body.token}/render`)).text();
    expect(index).toContain(`href="render/${fileId}"`);
  });

  test('revisions: checkpoint, restore with If-Match (stale refused), the replaced content kept', async () => {
    const { projectId, fileId, etag } = await project();
    const url = `/api/v1/projects/${projectId}/files/${fileId}`;
    const checkpoint = await t.call('POST', `${url}/revisions`, { token: alice.token });
    expect(checkpoint.body).toMatchObject({
      fileVersion: 1,
      path: 'rc.ipynb',
      size: Buffer.byteLength(NOTEBOOK),
    });
    const saved = await t.call('PUT', url, {
      token: alice.token,
      body: { content: '{"cells":[]}' },
      headers: { 'if-match': etag },
    });
    expect(saved.status).toBe(200);
    const stale = await t.call('POST', `${url}/revisions/${checkpoint.body.id}/restore`, {
      token: alice.token,
      headers: { 'if-match': etag },
    });
    expect(stale.status).toBe(412);
    const restored = await t.call('POST', `${url}/revisions/${checkpoint.body.id}/restore`, {
      token: alice.token,
      headers: { 'if-match': saved.headers.get('etag')! },
    });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ content: NOTEBOOK, version: 3 });
    const list = await t.call('GET', `${url}/revisions`, { token: alice.token });
    expect(list.body.items.map((r: { fileVersion: number }) => r.fileVersion)).toEqual([2, 1]);
    const replaced = await t.call('GET', `${url}/revisions/${list.body.items[0].id}`, { token: alice.token });
    expect(replaced.body.content).toBe('{"cells":[]}');
    // Someone without access learns nothing about revisions.
    expect((await t.call('GET', `${url}/revisions`, { token: carol.token })).status).toBe(404);
  });

  test('CORS: preflight allowed for bearer calls from another origin; ETag readable; no credentials', async () => {
    const pre = await fetch(`${t.url}/api/v1/projects`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:8888',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization,if-match',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/If-Match/);
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const { projectId, fileId } = await project();
    const res = await fetch(`${t.url}/api/v1/projects/${projectId}/files/${fileId}`, {
      headers: { origin: 'http://127.0.0.1:8888', authorization: `Bearer ${alice.token}` },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/ETag/);
    // Errors carry the headers too, so the app can read a 412/401 body.
    const denied = await fetch(`${t.url}/api/v1/me`, { headers: { origin: 'http://127.0.0.1:8888' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('*');
  });
});
