import { databaseTargets } from '../test-support/databases';
import { startTestApp, type TestApp } from '../test-support/app';

describe.each(databaseTargets())('organisations ($name PostgreSQL)', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  }, 60_000);
  afterAll(() => t?.close());

  async function invite(orgId: string, by: string, email: string, role: string) {
    return t.call('POST', `/api/v1/orgs/${orgId}/invitations`, { token: by, body: { email, role } });
  }

  test('create, invite, accept, roles and their limits', async () => {
    const owner = await t.signUp('Owner');
    const bob = await t.signUp('Bob');
    const carol = await t.signUp('Carol');
    const stranger = await t.signUp('Stranger');

    const created = await t.call('POST', '/api/v1/orgs', {
      token: owner.token,
      body: { name: 'Analog Lab', slug: 'analog-lab' },
    });
    expect(created.status).toBe(201);
    expect(created.body.role).toBe('owner');
    const orgId = created.body.id;
    expect(
      (await t.call('POST', '/api/v1/orgs', { token: bob.token, body: { name: 'Copy', slug: 'analog-lab' } }))
        .status,
    ).toBe(409);
    const badSlug = await t.call('POST', '/api/v1/orgs', {
      token: bob.token,
      body: { name: 'X', slug: 'Bad Slug!' },
    });
    expect(badSlug.status).toBe(422);
    expect(badSlug.body.error.details[0].field).toBe('body.slug');

    // Invitation for Bob as viewer: Carol cannot use it, Bob can, once.
    const invitation = await invite(orgId, owner.token, bob.email, 'viewer');
    expect(invitation.status).toBe(201);
    expect(
      (
        await t.call('POST', '/api/v1/invitations/accept', {
          token: carol.token,
          body: { token: invitation.body.token },
        })
      ).status,
    ).toBe(403);
    const accepted = await t.call('POST', '/api/v1/invitations/accept', {
      token: bob.token,
      body: { token: invitation.body.token },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.role).toBe('viewer');
    expect(
      (
        await t.call('POST', '/api/v1/invitations/accept', {
          token: bob.token,
          body: { token: invitation.body.token },
        })
      ).status,
    ).toBe(404);
    expect(
      (await t.call('GET', '/api/v1/orgs', { token: bob.token })).body.items.map((o: { id: string }) => o.id),
    ).toEqual([orgId]);

    // A viewer can look but not manage.
    expect(
      (await t.call('GET', `/api/v1/orgs/${orgId}/members`, { token: bob.token })).body.items,
    ).toHaveLength(2);
    expect((await invite(orgId, bob.token, carol.email, 'member')).status).toBe(403);
    expect(
      (await t.call('PATCH', `/api/v1/orgs/${orgId}`, { token: bob.token, body: { name: 'Mine now' } }))
        .status,
    ).toBe(403);

    // Outsiders learn nothing: 404 everywhere.
    for (const [method, path] of [
      ['GET', `/api/v1/orgs/${orgId}`],
      ['GET', `/api/v1/orgs/${orgId}/members`],
      ['GET', `/api/v1/orgs/${orgId}/invitations`],
      ['PATCH', `/api/v1/orgs/${orgId}`],
      ['DELETE', `/api/v1/orgs/${orgId}`],
    ] as const) {
      const res = await t.call(method, path, {
        token: stranger.token,
        body: method === 'PATCH' ? { name: 'x' } : undefined,
      });
      expect([method, path, res.status]).toEqual([method, path, 404]);
    }

    // Owner promotes Bob to admin; an admin may invite members but not admins, and cannot touch other admins.
    expect(
      (
        await t.call('PATCH', `/api/v1/orgs/${orgId}/members/${bob.userId}`, {
          token: owner.token,
          body: { role: 'admin' },
        })
      ).status,
    ).toBe(204);
    expect((await invite(orgId, bob.token, carol.email, 'admin')).status).toBe(403);
    const carolInvite = await invite(orgId, bob.token, carol.email, 'member');
    expect(carolInvite.status).toBe(201);
    expect(
      (await t.call('GET', `/api/v1/orgs/${orgId}/invitations`, { token: bob.token })).body.items.map(
        (i: { email: string }) => i.email,
      ),
    ).toEqual([carol.email]);
    await t.call('POST', '/api/v1/invitations/accept', {
      token: carol.token,
      body: { token: carolInvite.body.token },
    });
    expect(
      (
        await t.call('PATCH', `/api/v1/orgs/${orgId}/members/${carol.userId}`, {
          token: bob.token,
          body: { role: 'admin' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.call('PATCH', `/api/v1/orgs/${orgId}/members/${owner.userId}`, {
          token: bob.token,
          body: { role: 'viewer' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.call('PATCH', `/api/v1/orgs/${orgId}/members/${carol.userId}`, {
          token: bob.token,
          body: { role: 'viewer' },
        })
      ).status,
    ).toBe(204);
    expect(
      (await t.call('DELETE', `/api/v1/orgs/${orgId}/members/${carol.userId}`, { token: bob.token })).status,
    ).toBe(204);

    // The owner cannot leave; only the owner deletes.
    expect(
      (await t.call('DELETE', `/api/v1/orgs/${orgId}/members/${owner.userId}`, { token: owner.token }))
        .status,
    ).toBe(403);
    expect((await t.call('DELETE', `/api/v1/orgs/${orgId}`, { token: bob.token })).status).toBe(403);
    expect((await t.call('DELETE', `/api/v1/orgs/${orgId}`, { token: owner.token })).status).toBe(204);
    expect((await t.call('GET', `/api/v1/orgs/${orgId}`, { token: owner.token })).status).toBe(404);
  });

  test('expired invitations cannot be accepted', async () => {
    const owner = await t.signUp();
    const guest = await t.signUp();
    const org = (
      await t.call('POST', '/api/v1/orgs', {
        token: owner.token,
        body: { name: 'Old', slug: `old-${Date.now()}` },
      })
    ).body;
    const invitation = await invite(org.id, owner.token, guest.email, 'member');
    await t.app
      .db('org_invitations')
      .where({ id: invitation.body.id })
      .update({ expires_at: new Date(Date.now() - 1000) });
    const res = await t.call('POST', '/api/v1/invitations/accept', {
      token: guest.token,
      body: { token: invitation.body.token },
    });
    expect(res.status).toBe(404);
    expect((await t.call('GET', `/api/v1/orgs/${org.id}`, { token: guest.token })).status).toBe(404);
  });

  test('invitations for existing members are 409; invalid role is 422', async () => {
    const owner = await t.signUp();
    const org = (
      await t.call('POST', '/api/v1/orgs', {
        token: owner.token,
        body: { name: 'Solo', slug: `solo-${Date.now()}` },
      })
    ).body;
    expect((await invite(org.id, owner.token, owner.email, 'member')).status).toBe(409);
    const bad = await invite(org.id, owner.token, 'x@example.com', 'owner');
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].field).toBe('body.role');
  });
});
