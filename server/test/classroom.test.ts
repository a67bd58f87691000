/**
 * Classroom round trip over the API: a teacher publishes a lab to a class (an org), two students each get
 * their own fork, the roster shows not started / started / submitted, the teacher reads a student's copy
 * but cannot write it, and students cannot see or change each other's copies or the teacher's lab.
 */
import { databaseTargets } from '../src/test-support/databases';
import { startTestApp, type TestApp } from '../src/test-support/app';

describe.each(databaseTargets())('classroom ($name PostgreSQL)', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  }, 60_000);
  afterAll(() => t?.close());

  test('publish, two students fork and submit, teacher sees progress and opens copies read-only', async () => {
    const teacher = await t.signUp('Teacher');
    const ada = await t.signUp('Ada');
    const ben = await t.signUp('Ben');
    const outsider = await t.signUp('Outsider');
    const org = await t.call('POST', '/api/v1/orgs', {
      token: teacher.token,
      body: { name: 'EE101', slug: `ee101-${Date.now()}` },
    });
    for (const student of [ada, ben]) {
      const invite = await t.call('POST', `/api/v1/orgs/${org.body.id}/invitations`, {
        token: teacher.token,
        body: { email: student.email, role: 'member' },
      });
      await t.call('POST', '/api/v1/invitations/accept', {
        token: student.token,
        body: { token: invite.body.token },
      });
    }
    const lab = await t.call('POST', '/api/v1/projects', {
      token: teacher.token,
      body: { name: 'Lab 1: RC' },
    });
    const labFile = await t.call('POST', `/api/v1/projects/${lab.body.id}/files`, {
      token: teacher.token,
      body: {
        path: 'lab1.ipynb',
        kind: 'notebook',
        content: '{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}',
      },
    });

    // Students cannot publish; the teacher can.
    const body = { projectId: lab.body.id, title: 'Lab 1', instructions: 'Measure the corner frequency.' };
    expect(
      (await t.call('POST', `/api/v1/orgs/${org.body.id}/assignments`, { token: ada.token, body })).status,
    ).toBe(403);
    const published = await t.call('POST', `/api/v1/orgs/${org.body.id}/assignments`, {
      token: teacher.token,
      body,
    });
    expect(published.status).toBe(201);
    const id = published.body.id as string;
    expect(published.body).toMatchObject({ isTeacher: true, mine: { status: 'not_started' } });
    expect((await t.call('GET', `/api/v1/assignments/${id}`, { token: outsider.token })).status).toBe(404);

    const listed = await t.call('GET', `/api/v1/orgs/${org.body.id}/assignments`, { token: ada.token });
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({
      title: 'Lab 1',
      isTeacher: false,
      mine: { status: 'not_started' },
    });

    const adaStart = await t.call('POST', `/api/v1/assignments/${id}/start`, { token: ada.token });
    expect(adaStart.body.mine.status).toBe('started');
    const adaCopy = adaStart.body.mine.projectId as string;
    // Idempotent: a second start returns the same copy.
    expect(
      (await t.call('POST', `/api/v1/assignments/${id}/start`, { token: ada.token })).body.mine.projectId,
    ).toBe(adaCopy);
    const benStart = await t.call('POST', `/api/v1/assignments/${id}/start`, { token: ben.token });
    const benCopy = benStart.body.mine.projectId as string;
    expect(benCopy).not.toBe(adaCopy);

    // Ada works in her copy and submits; Ben has only started.
    const files = await t.call('GET', `/api/v1/projects/${adaCopy}/files`, { token: ada.token });
    const file = files.body.items[0];
    const edited =
      '{"cells":[{"cell_type":"markdown","source":"f = 1.59 kHz","metadata":{}}],"metadata":{},"nbformat":4,"nbformat_minor":5}';
    const save = await t.call('PUT', `/api/v1/projects/${adaCopy}/files/${file.id}`, {
      token: ada.token,
      body: { content: edited },
      headers: { 'if-match': file.etag },
    });
    expect(save.status).toBe(200);
    expect((await t.call('POST', `/api/v1/assignments/${id}/submit`, { token: ben.token })).status).toBe(200);
    expect((await t.call('POST', `/api/v1/assignments/${id}/submit`, { token: outsider.token })).status).toBe(
      404,
    );
    expect(
      (await t.call('POST', `/api/v1/assignments/${id}/submit`, { token: ada.token })).body.mine.status,
    ).toBe('submitted');

    const roster = await t.call('GET', `/api/v1/assignments/${id}/submissions`, { token: teacher.token });
    expect(roster.status).toBe(200);
    const byName = Object.fromEntries(roster.body.items.map((r: any) => [r.student.name, r]));
    expect(Object.keys(byName).sort()).toEqual(['Ada', 'Ben']);
    expect(byName.Ada).toMatchObject({ status: 'submitted', projectId: adaCopy });
    expect(byName.Ben).toMatchObject({ status: 'submitted', projectId: benCopy });
    expect((await t.call('GET', `/api/v1/assignments/${id}/submissions`, { token: ada.token })).status).toBe(
      403,
    );

    // The teacher opens Ada's copy read-only.
    const teacherView = await t.call('GET', `/api/v1/projects/${adaCopy}/files/${file.id}`, {
      token: teacher.token,
    });
    expect(teacherView.body.content).toBe(edited);
    expect((await t.call('GET', `/api/v1/projects/${adaCopy}`, { token: teacher.token })).body.access).toBe(
      'read',
    );
    const teacherWrite = await t.call('PUT', `/api/v1/projects/${adaCopy}/files/${file.id}`, {
      token: teacher.token,
      body: { content: 'graded' },
      headers: { 'if-match': teacherView.headers.get('etag')! },
    });
    expect(teacherWrite.status).toBe(403);
    // Students see neither each other's copies nor can they change the lab.
    expect((await t.call('GET', `/api/v1/projects/${adaCopy}`, { token: ben.token })).status).toBe(404);
    const labPut = await t.call('PUT', `/api/v1/projects/${lab.body.id}/files/${labFile.body.id}`, {
      token: ben.token,
      body: { content: 'x' },
      headers: { 'if-match': labFile.headers.get('etag')! },
    });
    expect(labPut.status).toBe(403);
    expect((await t.call('GET', `/api/v1/projects/${lab.body.id}`, { token: outsider.token })).status).toBe(
      404,
    );
  });
  /** A class with a publishing teacher, a co-teacher (admin), two students and a viewer; Ada has started. */
  async function classWithLab() {
    const [teacher, coTeacher, ada, ben, auditor, outsider] = await Promise.all(
      ['Teacher', 'CoTeacher', 'Ada', 'Ben', 'Auditor', 'Outsider'].map((name) => t.signUp(name)),
    );
    const org = await t.call('POST', '/api/v1/orgs', {
      token: teacher.token,
      body: { name: 'EE102', slug: `ee102-${Date.now()}` },
    });
    const members: [typeof ada, string][] = [
      [coTeacher, 'admin'],
      [ada, 'member'],
      [ben, 'member'],
      [auditor, 'viewer'],
    ];
    for (const [member, role] of members) {
      const invite = await t.call('POST', `/api/v1/orgs/${org.body.id}/invitations`, {
        token: teacher.token,
        body: { email: member.email, role },
      });
      expect(
        (
          await t.call('POST', '/api/v1/invitations/accept', {
            token: member.token,
            body: { token: invite.body.token },
          })
        ).status,
      ).toBeLessThan(300);
    }
    const lab = await t.call('POST', '/api/v1/projects', { token: teacher.token, body: { name: 'Lab 2' } });
    await t.call('POST', `/api/v1/projects/${lab.body.id}/files`, {
      token: teacher.token,
      body: { path: 'lab2.cir', kind: 'netlist', content: 'rc\nr1 1 0 1k\n.op\n.end\n' },
    });
    const published = await t.call('POST', `/api/v1/orgs/${org.body.id}/assignments`, {
      token: teacher.token,
      body: { projectId: lab.body.id, title: 'Lab 2' },
    });
    const assignmentId = published.body.id as string;
    const started = await t.call('POST', `/api/v1/assignments/${assignmentId}/start`, { token: ada.token });
    const copy = started.body.mine.projectId as string;
    const file = (await t.call('GET', `/api/v1/projects/${copy}/files`, { token: ada.token })).body.items[0];
    return { teacher, coTeacher, ada, ben, auditor, outsider, assignmentId, copy, file };
  }

  test('a submitted copy is read-only to its student (409 saying so) until a teacher returns it', async () => {
    const c = await classWithLab();
    const save = (content: string, etag: string) =>
      t.call('PUT', `/api/v1/projects/${c.copy}/files/${c.file.id}`, {
        token: c.ada.token,
        body: { content },
        headers: { 'if-match': etag },
      });
    const first = await save('rc\nr1 1 0 2k\n.op\n.end\n', c.file.etag);
    expect(first.status).toBe(200);
    const submitted = await t.call('POST', `/api/v1/assignments/${c.assignmentId}/submit`, {
      token: c.ada.token,
    });
    expect(submitted.body.mine).toMatchObject({ status: 'submitted', returnedAt: null });

    // Every kind of write to the copy is refused with the reason; reading still works.
    const refused = await save('late edit', first.headers.get('etag')!);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('assignment_submitted');
    expect(refused.body.error.message).toMatch(/submitted this copy of "Lab 2".*read-only.*return it/);
    const writes = [
      t.call('POST', `/api/v1/projects/${c.copy}/files`, {
        token: c.ada.token,
        body: { path: 'extra.cir', kind: 'netlist', content: '' },
      }),
      t.call('PATCH', `/api/v1/projects/${c.copy}`, { token: c.ada.token, body: { name: 'renamed' } }),
      t.call('DELETE', `/api/v1/projects/${c.copy}/files/${c.file.id}`, { token: c.ada.token }),
      t.call('DELETE', `/api/v1/projects/${c.copy}`, { token: c.ada.token }),
      t.call('POST', `/api/v1/projects/${c.copy}/files/${c.file.id}/revisions`, { token: c.ada.token }),
    ];
    for (const res of await Promise.all(writes)) {
      expect([res.status, res.body.error.code]).toEqual([409, 'assignment_submitted']);
    }
    const mine = await t.call('GET', `/api/v1/projects/${c.copy}`, { token: c.ada.token });
    expect(mine.body.access).toBe('read'); // what the drive shows as read-only
    const content = await t.call('GET', `/api/v1/projects/${c.copy}/files/${c.file.id}`, {
      token: c.ada.token,
    });
    expect(content.body.content).toBe('rc\nr1 1 0 2k\n.op\n.end\n');

    // Only teachers return copies; then the student can write again, and a new submit locks it again.
    const returnPath = `/api/v1/assignments/${c.assignmentId}/submissions/${c.ada.userId}/return`;
    expect((await t.call('POST', returnPath, { token: c.ada.token })).status).toBe(403);
    expect((await t.call('POST', returnPath, { token: c.ben.token })).status).toBe(403);
    expect((await t.call('POST', returnPath, { token: c.outsider.token })).status).toBe(404);
    const returned = await t.call('POST', returnPath, { token: c.teacher.token });
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({ status: 'started', submittedAt: null });
    expect(returned.body.returnedAt).toEqual(expect.any(String));
    expect((await t.call('POST', returnPath, { token: c.teacher.token })).status).toBe(409); // not submitted
    const revised = await save('rc\nr1 1 0 3k\n.op\n.end\n', first.headers.get('etag')!);
    expect(revised.status).toBe(200);
    expect(
      (await t.call('GET', `/api/v1/assignments/${c.assignmentId}`, { token: c.ada.token })).body.mine,
    ).toMatchObject({ status: 'started', returnedAt: expect.any(String) });
    await t.call('POST', `/api/v1/assignments/${c.assignmentId}/submit`, { token: c.ada.token });
    expect((await save('again', revised.headers.get('etag')!)).status).toBe(409);
  });

  test("only the class's teachers read a student's copy; nobody but the student writes it", async () => {
    const c = await classWithLab();
    const read = (token: string) => t.call('GET', `/api/v1/projects/${c.copy}/files/${c.file.id}`, { token });
    const write = (token: string) =>
      t.call('PUT', `/api/v1/projects/${c.copy}/files/${c.file.id}`, {
        token,
        body: { content: 'x' },
        headers: { 'if-match': c.file.etag },
      });
    // The publishing teacher and a co-teacher (org admin) read it, read-only.
    for (const teacher of [c.teacher, c.coTeacher]) {
      expect((await read(teacher.token)).status).toBe(200);
      expect((await t.call('GET', `/api/v1/projects/${c.copy}`, { token: teacher.token })).body.access).toBe(
        'read',
      );
      expect((await write(teacher.token)).status).toBe(403);
    }
    // Another student, a class viewer and an outsider cannot even see that it exists.
    for (const other of [c.ben, c.auditor, c.outsider]) {
      expect((await read(other.token)).status).toBe(404);
      expect((await t.call('GET', `/api/v1/projects/${c.copy}`, { token: other.token })).status).toBe(404);
      expect((await write(other.token)).status).toBe(404);
      const listed = await t.call('GET', '/api/v1/projects', { token: other.token });
      expect(listed.body.items.map((p: { id: string }) => p.id)).not.toContain(c.copy);
    }
    // Submitting does not widen that.
    await t.call('POST', `/api/v1/assignments/${c.assignmentId}/submit`, { token: c.ada.token });
    expect((await read(c.ben.token)).status).toBe(404);
    expect((await read(c.coTeacher.token)).status).toBe(200);
    expect((await write(c.coTeacher.token)).status).toBe(403);
  });
});
