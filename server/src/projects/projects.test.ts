import { databaseTargets } from '../test-support/databases';
import { startTestApp, type TestApp } from '../test-support/app';

const NOTEBOOK = JSON.stringify({
  cells: [{ cell_type: 'code', source: 'const c = netlist`R1 in out 1k`' }],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5,
});

describe.each(databaseTargets())('projects and files ($name PostgreSQL)', (target) => {
  let t: TestApp;
  let alice: Awaited<ReturnType<TestApp['signUp']>>;
  let bob: Awaited<ReturnType<TestApp['signUp']>>;

  beforeAll(async () => {
    t = await startTestApp(target);
    alice = await t.signUp('Alice');
    bob = await t.signUp('Bob');
  }, 60_000);
  afterAll(() => t?.close());

  async function projectWithFile(owner = alice) {
    const project = await t.call('POST', '/api/v1/projects', {
      token: owner.token,
      body: { name: 'RC filter', description: 'first-order low-pass' },
    });
    expect(project.status).toBe(201);
    const file = await t.call('POST', `/api/v1/projects/${project.body.id}/files`, {
      token: owner.token,
      body: { path: 'labs/rc.ipynb', kind: 'notebook', content: NOTEBOOK },
    });
    expect(file.status).toBe(201);
    return {
      projectId: project.body.id as string,
      fileId: file.body.id as string,
      etag: file.headers.get('etag')!,
    };
  }

  test('another user can neither read nor change a private project, by any route', async () => {
    const { projectId, fileId, etag } = await projectWithFile();
    const base = `/api/v1/projects/${projectId}`;
    const attempts: [string, string, unknown?, Record<string, string>?][] = [
      ['GET', base],
      ['PATCH', base, { name: 'pwned' }],
      ['DELETE', base],
      ['POST', `${base}/fork`, {}],
      ['POST', `${base}/share-link`],
      ['DELETE', `${base}/share-link`],
      ['GET', `${base}/files`],
      ['POST', `${base}/files`, { path: 'evil.cir', kind: 'netlist', content: '* x' }],
      ['GET', `${base}/files/${fileId}`],
      ['PUT', `${base}/files/${fileId}`, { content: 'overwritten' }, { 'if-match': etag }],
      ['DELETE', `${base}/files/${fileId}`],
    ];
    for (const [method, path, body, headers] of attempts) {
      for (const token of [bob.token, undefined]) {
        const res = await t.call(method, path, { token, body, headers });
        // Signed in: 404 (existence is not revealed). Anonymous: 401 on routes that need sign-in, else 404.
        expect([method, path, token ? 'bob' : 'anonymous', res.status]).toEqual([
          method,
          path,
          token ? 'bob' : 'anonymous',
          token ? 404 : expect.any(Number),
        ]);
        expect([401, 404]).toContain(res.status);
      }
    }
    const bobsList = await t.call('GET', '/api/v1/projects', { token: bob.token });
    expect(bobsList.body.items.map((p: { id: string }) => p.id)).not.toContain(projectId);
    // Nothing changed.
    const file = await t.call('GET', `${base}/files/${fileId}`, { token: alice.token });
    expect(file.body).toMatchObject({ content: NOTEBOOK, version: 1, path: 'labs/rc.ipynb' });
    expect((await t.call('GET', base, { token: alice.token })).body.name).toBe('RC filter');
  });

  test('auto-save: If-Match required (428), stale ETag refused (412), racing saves: exactly one wins', async () => {
    const { projectId, fileId, etag } = await projectWithFile();
    const url = `/api/v1/projects/${projectId}/files/${fileId}`;
    const got = await t.call('GET', url, { token: alice.token });
    expect(got.headers.get('etag')).toBe(etag);

    expect((await t.call('PUT', url, { token: alice.token, body: { content: 'v2' } })).status).toBe(428);
    const saved = await t.call('PUT', url, {
      token: alice.token,
      body: { content: 'v2' },
      headers: { 'if-match': etag },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(2);
    const etag2 = saved.headers.get('etag')!;
    expect(etag2).not.toBe(etag);

    const stale = await t.call('PUT', url, {
      token: alice.token,
      body: { content: 'from an old tab' },
      headers: { 'if-match': etag },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({
      code: 'precondition_failed',
      details: { currentVersion: 2, etag: etag2 },
    });

    const racers = await Promise.all(
      ['tab A', 'tab B', 'tab C'].map((content) =>
        t.call('PUT', url, { token: alice.token, body: { content }, headers: { 'if-match': etag2 } }),
      ),
    );
    expect(racers.map((r) => r.status).sort()).toEqual([200, 412, 412]);
    const winner = racers.find((r) => r.status === 200)!;
    const final = await t.call('GET', url, { token: alice.token });
    expect(final.body).toMatchObject({ version: 3, content: winner.body.content });
  });

  test('file paths: duplicates are 409, unsafe paths 422', async () => {
    const { projectId } = await projectWithFile();
    const dup = await t.call('POST', `/api/v1/projects/${projectId}/files`, {
      token: alice.token,
      body: { path: 'labs/rc.ipynb', kind: 'notebook' },
    });
    expect(dup.status).toBe(409);
    for (const path of ['../etc/passwd', '/abs.cir', 'a/./b.cir', 'a/../b.cir']) {
      const res = await t.call('POST', `/api/v1/projects/${projectId}/files`, {
        token: alice.token,
        body: { path, kind: 'netlist' },
      });
      expect([path, res.status, res.body.error.details[0].field]).toEqual([path, 422, 'body.path']);
    }
    const badKind = await t.call('POST', `/api/v1/projects/${projectId}/files`, {
      token: alice.token,
      body: { path: 'x.xlsx', kind: 'spreadsheet' },
    });
    expect(badKind.body.error.details[0].field).toBe('body.kind');
  });

  test('share link: read-only access without an account, revocable', async () => {
    const { projectId, fileId } = await projectWithFile();
    const link = await t.call('POST', `/api/v1/projects/${projectId}/share-link`, { token: alice.token });
    expect(link.status).toBe(201);
    const shared = await t.call('GET', `/api/v1/shared/${link.body.token}`);
    expect(shared.status).toBe(200);
    expect(shared.body.project).toMatchObject({ id: projectId, access: 'read', hasShareLink: false });
    expect(shared.body.files.map((f: { path: string }) => f.path)).toEqual(['labs/rc.ipynb']);
    expect((await t.call('GET', `/api/v1/shared/${link.body.token}/files/${fileId}`)).body.content).toBe(
      NOTEBOOK,
    );
    // The link grants nothing on the regular routes.
    expect((await t.call('GET', `/api/v1/projects/${projectId}`, { token: bob.token })).status).toBe(404);
    expect(
      (await t.call('DELETE', `/api/v1/projects/${projectId}/share-link`, { token: alice.token })).status,
    ).toBe(204);
    expect((await t.call('GET', `/api/v1/shared/${link.body.token}`)).status).toBe(404);
  });

  test('sharing with an org: members write, viewers read, only managers change sharing or delete', async () => {
    const { projectId, fileId, etag } = await projectWithFile();
    const carol = await t.signUp('Carol');
    const org = (
      await t.call('POST', '/api/v1/orgs', {
        token: alice.token,
        body: { name: 'Team', slug: `team-${Date.now()}` },
      })
    ).body;
    for (const [user, role] of [
      [bob, 'member'],
      [carol, 'viewer'],
    ] as const) {
      const inv = await t.call('POST', `/api/v1/orgs/${org.id}/invitations`, {
        token: alice.token,
        body: { email: user.email, role },
      });
      await t.call('POST', '/api/v1/invitations/accept', {
        token: user.token,
        body: { token: inv.body.token },
      });
    }
    // Bob (a member) cannot move Alice's project into the org himself.
    expect(
      (await t.call('PATCH', `/api/v1/projects/${projectId}`, { token: bob.token, body: { orgId: org.id } }))
        .status,
    ).toBe(404);
    expect(
      (
        await t.call('PATCH', `/api/v1/projects/${projectId}`, {
          token: alice.token,
          body: { orgId: org.id },
        })
      ).body.orgId,
    ).toBe(org.id);

    const fileUrl = `/api/v1/projects/${projectId}/files/${fileId}`;
    expect((await t.call('GET', fileUrl, { token: carol.token })).status).toBe(200);
    expect(
      (
        await t.call('PUT', fileUrl, {
          token: carol.token,
          body: { content: 'viewer edit' },
          headers: { 'if-match': etag },
        })
      ).status,
    ).toBe(403);
    const bobSave = await t.call('PUT', fileUrl, {
      token: bob.token,
      body: { content: 'member edit' },
      headers: { 'if-match': etag },
    });
    expect(bobSave.status).toBe(200);
    expect(
      (await t.call('PATCH', `/api/v1/projects/${projectId}`, { token: bob.token, body: { isPublic: true } }))
        .status,
    ).toBe(403);
    expect((await t.call('DELETE', `/api/v1/projects/${projectId}`, { token: bob.token })).status).toBe(403);
    expect(
      (await t.call('GET', '/api/v1/projects', { token: carol.token })).body.items.map(
        (p: { id: string }) => p.id,
      ),
    ).toContain(projectId);
    const asCarol = await t.call('GET', `/api/v1/projects/${projectId}`, { token: carol.token });
    expect(asCarol.body.access).toBe('read');
  });

  test('fork is a deep copy owned by the forker; public projects are readable anonymously', async () => {
    const { projectId, fileId } = await projectWithFile();
    expect(
      (await t.call('POST', `/api/v1/projects/${projectId}/fork`, { token: bob.token, body: {} })).status,
    ).toBe(404);
    await t.call('PATCH', `/api/v1/projects/${projectId}`, { token: alice.token, body: { isPublic: true } });
    expect((await t.call('GET', `/api/v1/projects/${projectId}/files/${fileId}`)).status).toBe(200);
    expect(
      (
        await t.call('PUT', `/api/v1/projects/${projectId}/files/${fileId}`, {
          body: { content: 'anon' },
          headers: { 'if-match': '"x"' },
        })
      ).status,
    ).toBe(401);

    const fork = await t.call('POST', `/api/v1/projects/${projectId}/fork`, {
      token: bob.token,
      body: { name: 'My RC' },
    });
    expect(fork.status).toBe(201);
    expect(fork.body).toMatchObject({
      ownerId: bob.userId,
      forkedFrom: projectId,
      name: 'My RC',
      access: 'manage',
      orgId: null,
    });
    const files = (await t.call('GET', `/api/v1/projects/${fork.body.id}/files`, { token: bob.token })).body
      .items;
    expect(files).toHaveLength(1);
    expect(files[0].id).not.toBe(fileId);
    const forkFile = await t.call('GET', `/api/v1/projects/${fork.body.id}/files/${files[0].id}`, {
      token: bob.token,
    });
    await t.call('PUT', `/api/v1/projects/${fork.body.id}/files/${files[0].id}`, {
      token: bob.token,
      body: { content: 'changed in fork' },
      headers: { 'if-match': forkFile.headers.get('etag')! },
    });
    expect(
      (await t.call('GET', `/api/v1/projects/${projectId}/files/${fileId}`, { token: alice.token })).body
        .content,
    ).toBe(NOTEBOOK);
    // Public means readable, not writable.
    expect(
      (
        await t.call('POST', `/api/v1/projects/${projectId}/files`, {
          token: bob.token,
          body: { path: 'x.cir', kind: 'netlist' },
        })
      ).status,
    ).toBe(403);
  });

  test('deleting a file honours If-Match; renaming onto an existing path is a 409', async () => {
    const { projectId, fileId, etag } = await projectWithFile();
    const base = `/api/v1/projects/${projectId}/files`;
    const other = await t.call('POST', base, {
      token: alice.token,
      body: { path: 'deck.cir', kind: 'netlist', content: 'R1 1 0 1k' },
    });
    const rename = await t.call('PUT', `${base}/${other.body.id}`, {
      token: alice.token,
      body: { content: 'R1 1 0 2k', path: 'labs/rc.ipynb' },
      headers: { 'if-match': other.headers.get('etag')! },
    });
    expect(rename.status).toBe(409);
    const saved = await t.call('PUT', `${base}/${fileId}`, {
      token: alice.token,
      body: { content: 'x' },
      headers: { 'if-match': etag },
    });
    expect(
      (await t.call('DELETE', `${base}/${fileId}`, { token: alice.token, headers: { 'if-match': etag } }))
        .status,
    ).toBe(412);
    expect(
      (
        await t.call('DELETE', `${base}/${fileId}`, {
          token: alice.token,
          headers: { 'if-match': saved.headers.get('etag')! },
        })
      ).status,
    ).toBe(204);
    expect((await t.call('GET', `${base}/${fileId}`, { token: alice.token })).status).toBe(404);
    expect(
      (await t.call('GET', base, { token: alice.token })).body.items.map((f: { path: string }) => f.path),
    ).toEqual(['deck.cir']);
  });

  test('malformed ids are 422, not 500', async () => {
    const res = await t.call('GET', '/api/v1/projects/not-a-uuid', { token: alice.token });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].field).toBe('path.projectId');
  });
});
