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
});
