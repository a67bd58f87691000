/**
 * Users' own model files in their organisation (issue 9): who may upload, list and delete, that nobody
 * outside the org ever finds or reads them (search, GET /models/:id), while the built-in library stays
 * public, and that bad files are refused with the failing lines. Runs against every database target
 * (embedded, and the real PostgreSQL server when SPICESIM_TEST_DATABASE_URL is set).
 */
import * as path from 'node:path';
import { databaseTargets } from '../test-support/databases';
import { startTestApp, type TestApp } from '../test-support/app';

const FIXTURES = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'models');

const OUR_MODELS = `* Fab's characterised parts
.model FABDIODE1 D(IS=3e-9 N=1.5 RS=0.4)
.subckt FABAMP1 inp inn vcc vee out
E1 out 0 inp inn 1e5
.ends FABAMP1
`;

describe.each(databaseTargets())('org model uploads ($name PostgreSQL)', (target) => {
  let t: TestApp;
  let owner: Awaited<ReturnType<TestApp['signUp']>>;
  let admin: typeof owner;
  let member: typeof owner;
  let member2: typeof owner;
  let viewer: typeof owner;
  let stranger: typeof owner;
  let orgId: string;
  let otherOrgId: string;

  const upload = (token: string, body: Record<string, unknown>, org = orgId) =>
    t.call('POST', `/api/v1/orgs/${org}/models`, { token, body });
  const search = (query: string, token?: string) => t.call('GET', `/api/v1/models?${query}`, { token });
  const names = (res: { body: { items: { name: string }[] } }) => res.body.items.map((m) => m.name);
  const multipart = async (
    token: string,
    bytes: Buffer,
    fileName: string,
    fields: Record<string, string> = {},
  ) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)]), fileName);
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
    const response = await fetch(`${t.url}/api/v1/orgs/${orgId}/models`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    t = await startTestApp(target);
    await t.app.services.models.importDirectory(FIXTURES); // the public built-in library
    [owner, admin, member, member2, viewer, stranger] = await Promise.all(
      ['Owner', 'Admin', 'Member', 'Member2', 'Viewer', 'Stranger'].map((n) => t.signUp(n)),
    );
    const org = await t.call('POST', '/api/v1/orgs', {
      token: owner.token,
      body: { name: 'Fab', slug: `fab-up-${Date.now()}` },
    });
    orgId = org.body.id;
    const roles: [typeof owner, string][] = [
      [admin, 'admin'],
      [member, 'member'],
      [member2, 'member'],
      [viewer, 'viewer'],
    ];
    for (const [user, role] of roles) {
      const invite = await t.call('POST', `/api/v1/orgs/${orgId}/invitations`, {
        token: owner.token,
        body: { email: user.email, role },
      });
      await t.call('POST', '/api/v1/invitations/accept', {
        token: user.token,
        body: { token: invite.body.token },
      });
    }
    otherOrgId = (
      await t.call('POST', '/api/v1/orgs', {
        token: stranger.token,
        body: { name: 'Other', slug: `other-up-${Date.now()}` },
      })
    ).body.id;
  }, 90_000);
  afterAll(() => t?.close());

  test('members upload; viewers and outsiders cannot', async () => {
    expect((await upload(viewer.token, { text: OUR_MODELS })).status).toBe(403);
    expect((await upload(stranger.token, { text: OUR_MODELS })).status).toBe(404);
    expect(
      (await t.call('POST', `/api/v1/orgs/${orgId}/models`, { body: { text: OUR_MODELS } })).status,
    ).toBe(401);
    const res = await upload(member.token, { text: OUR_MODELS, fileName: 'fab.lib', manufacturer: 'Fab' });
    expect(res.status).toBe(201);
    expect(res.body.inserted.map((m: { name: string; kind: string }) => [m.name, m.kind]).sort()).toEqual([
      ['FABAMP1', 'subcircuit'],
      ['FABDIODE1', 'diode'],
    ]);
    expect(res.body.inserted.every((m: { orgId: string }) => m.orgId === orgId)).toBe(true);
    // The same file again is a no-op.
    const again = await upload(member.token, { text: OUR_MODELS, fileName: 'fab.lib' });
    expect(again.body).toMatchObject({ inserted: [], alreadyPresent: 2 });
    // The whole file is in the object store.
    const row = await t.app.db('device_models').where({ name: 'FABDIODE1', org_id: orgId }).first();
    expect((await t.app.storage.get(row.source_key)).toString('utf8')).toBe(OUR_MODELS);
  });

  test("search and GET /models/:id never show an org's models to anyone outside it", async () => {
    const id = (await search('q=fabdiode1', member.token)).body.items[0]?.id as string;
    expect(id).toBeDefined();
    for (const insider of [owner, admin, member, member2, viewer]) {
      expect(names(await search('q=fabdiode1', insider.token))).toEqual(['FABDIODE1']);
      expect((await t.call('GET', `/api/v1/models/${id}`, { token: insider.token })).status).toBe(200);
    }
    // Outsiders: no hit by name, prefix, similarity, kind filter or manufacturer; 404 by id.
    for (const token of [stranger.token, undefined]) {
      expect(names(await search('q=fabdiode1', token))).toEqual([]);
      expect(names(await search('q=fabdiod', token))).toEqual([]);
      expect(names(await search('q=fabdiodx1', token))).toEqual([]);
      expect(names(await search('kind=diode&limit=100', token))).not.toContain('FABDIODE1');
      expect(names(await search('manufacturer=fab', token))).toEqual([]);
      expect((await t.call('GET', `/api/v1/models/${id}`, { token })).status).toBe(404);
    }
    // The built-in library stays visible to everyone, signed in or not.
    expect(names(await search('q=bat54x', stranger.token))).toEqual(['BAT54X']);
    expect(names(await search('q=bat54x'))).toEqual(['BAT54X']);
    expect(names(await search('q=bat54x', member.token))).toEqual(['BAT54X']);
    // Uploads do not show in the public manufacturer list.
    const manufacturers = await t.call('GET', '/api/v1/models/manufacturers');
    expect(manufacturers.body.items.map((m: { name: string }) => m.name)).not.toContain('Fab');
    // Another org uploading the same text gets its own row, invisible to Fab and vice versa.
    const theirs = await upload(stranger.token, { text: OUR_MODELS }, otherOrgId);
    expect(theirs.body.inserted).toHaveLength(2);
    const theirId = theirs.body.inserted.find((m: { name: string }) => m.name === 'FABDIODE1').id;
    expect(theirId).not.toBe(id);
    expect((await search('q=fabdiode1', member.token)).body.items.map((m: { id: string }) => m.id)).toEqual([
      id,
    ]);
    expect((await search('q=fabdiode1', stranger.token)).body.items.map((m: { id: string }) => m.id)).toEqual(
      [theirId],
    );
    expect((await t.call('GET', `/api/v1/models/${theirId}`, { token: member.token })).status).toBe(404);
  });

  test('multipart upload of a UTF-16 file; the original bytes are stored', async () => {
    const text = '* utf-16 with BOM\r\n.model FABNPN7 NPN(BF=210 IS=1.1e-14)\r\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const res = await multipart(member2.token, bytes, 'npn.lib', { manufacturer: 'Fab' });
    expect(res.status).toBe(201);
    expect(res.body.inserted).toEqual([
      expect.objectContaining({ name: 'FABNPN7', kind: 'bjt', manufacturer: 'Fab', orgId }),
    ]);
    const detail = await t.call('GET', `/api/v1/models/${res.body.inserted[0].id}`, { token: member2.token });
    expect(detail.body).toMatchObject({
      sourcePath: 'npn.lib',
      spiceText: '.model FABNPN7 NPN(BF=210 IS=1.1e-14)',
    });
    const row = await t.app.db('device_models').where({ id: res.body.inserted[0].id }).first();
    expect((await t.app.storage.get(row.source_key)).equals(bytes)).toBe(true);
    expect((await multipart(viewer.token, bytes, 'npn.lib')).status).toBe(403);
  });

  test('bad files: 422 naming each line that does not parse; skipInvalid imports the rest', async () => {
    const text = [
      '* two good, two bad',
      '.model FABGOOD1 D(IS=1e-9)',
      '.model FABBAD1 D(IS=1e-9 N=1.2',
      '.subckt FABGOOD2 a b',
      'R1 a b 1k',
      '.ends',
      '.subckt FABBAD2 a b',
      'R1 a b 1k',
    ].join('\n');
    const refused = await upload(member.token, { text, fileName: 'mixed.lib' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/2 definition\(s\) in mixed\.lib do not parse.*skipInvalid/);
    expect(refused.body.error.details).toEqual([
      { field: 'body.text', message: 'mixed.lib line 3 (FABBAD1): unbalanced parentheses in .model card' },
      { field: 'body.text', message: 'mixed.lib line 7 (FABBAD2): no .ends before the end of the file' },
    ]);
    // Nothing of a refused file was stored.
    expect(names(await search('q=fabgood', member.token))).toEqual([]);

    const partial = await upload(member.token, { text, fileName: 'mixed.lib', skipInvalid: true });
    expect(partial.status).toBe(201);
    expect(partial.body.inserted.map((m: { name: string }) => m.name).sort()).toEqual([
      'FABGOOD1',
      'FABGOOD2',
    ]);
    expect(partial.body.skipped.map((s: { line: number }) => s.line)).toEqual([3, 7]);

    const none = await upload(member.token, { text: '* a netlist, not models\nR1 a b 1k\n.op\n' });
    expect(none.status).toBe(422);
    expect(none.body.error.details[0].field).toBe('body.text');
    const binary = await multipart(
      member.token,
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 1, 2]),
      'x.zip',
    );
    expect(binary.status).toBe(422);
    expect(binary.body.error.details[0]).toMatchObject({ field: 'body.file' });
    const badMultipart = await multipart(member.token, Buffer.from('.model FABBAD3 D(IS=1'), 'bad.lib');
    expect(badMultipart.body.error.details).toEqual([
      { field: 'body.file', message: 'bad.lib line 1 (FABBAD3): unbalanced parentheses in .model card' },
    ]);
    expect((await upload(member.token, {})).body.error.details[0].field).toBe('body.text');
  });

  test('listing and deleting: the uploader or an admin deletes, nobody else', async () => {
    const listed = await t.call('GET', `/api/v1/orgs/${orgId}/models?limit=200`, { token: viewer.token });
    expect(listed.status).toBe(200);
    const diode = listed.body.items.find((m: { name: string }) => m.name === 'FABDIODE1');
    const amp = listed.body.items.find((m: { name: string }) => m.name === 'FABAMP1');
    expect(diode.uploadedBy).toBe(member.userId);
    expect((await t.call('GET', `/api/v1/orgs/${orgId}/models`, { token: stranger.token })).status).toBe(404);

    const del = (token: string, id: string, org = orgId) =>
      t.call('DELETE', `/api/v1/orgs/${org}/models/${id}`, { token });
    expect((await del(viewer.token, diode.id)).status).toBe(403);
    expect((await del(member2.token, diode.id)).status).toBe(403); // a member, not the uploader
    expect((await del(stranger.token, diode.id)).status).toBe(404);
    expect((await del(stranger.token, diode.id, otherOrgId)).status).toBe(404); // not that org's model
    const builtin = (await search('q=bat54x')).body.items[0].id;
    expect((await del(owner.token, builtin)).status).toBe(404); // the public library is not an org's
    expect((await del(member.token, diode.id)).status).toBe(204); // the uploader
    expect((await del(admin.token, amp.id)).status).toBe(204); // an admin, someone else's upload
    expect(names(await search('q=fabdiode1', member.token))).toEqual([]);
    expect((await t.call('GET', `/api/v1/models/${diode.id}`, { token: member.token })).status).toBe(404);
    expect(names(await search('q=bat54x'))).toEqual(['BAT54X']);
  });

  test('the OpenAPI document describes the upload, list and delete routes', async () => {
    const doc = (await t.call('GET', '/api/v1/openapi.json')).body;
    const uploadOp = doc.paths['/api/v1/orgs/{orgId}/models'].post;
    expect(Object.keys(uploadOp.requestBody.content).sort()).toEqual([
      'application/json',
      'multipart/form-data',
    ]);
    expect(uploadOp.requestBody.content['multipart/form-data'].schema.properties.file.format).toBe('binary');
    expect(doc.paths['/api/v1/orgs/{orgId}/models'].get).toBeDefined();
    expect(doc.paths['/api/v1/orgs/{orgId}/models/{modelId}'].delete).toBeDefined();
  });
});
