import { createDb, migrateToLatest, type Db } from './index';
import { databaseTargets, type TestDatabase } from '../test-support/databases';

const TABLES = [
  'users', 'user_identities', 'refresh_tokens', 'oauth_states', 'organizations', 'org_members', 'org_invitations',
  'projects', 'project_files', 'simulations', 'simulation_jobs', 'waveform_configs', 'device_models', 'usage_records',
];

async function tables(db: Db): Promise<string[]> {
  const { rows } = await db.raw("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex_%'");
  return rows.map((r: { tablename: string }) => r.tablename).sort();
}

describe.each(databaseTargets())('schema migrations ($name PostgreSQL)', (target) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await target.open();
    db = createDb(database.url);
  }, 60_000);
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  test('up creates every table and the trigram indexes; each migration goes down and up again', async () => {
    const applied = await migrateToLatest(db);
    expect(applied.length).toBe(6);
    expect(await tables(db)).toEqual([...TABLES].sort());
    const { rows } = await db.raw("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%' ORDER BY 1");
    expect(rows.map((r: { indexname: string }) => r.indexname)).toEqual(['models_name_trgm_idx', 'models_part_trgm_idx']);

    const prefixIndex = async () => (await db.raw("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'models_name_prefix_idx'")).rows[0].n;
    expect(await prefixIndex()).toBe(1);
    await db.migrate.down();
    expect(await prefixIndex()).toBe(0);
    await db.migrate.up();
    expect(await prefixIndex()).toBe(1);

    // Down one migration at a time, newest first: each removes exactly its own tables.
    const removedBy: string[][] = [];
    let before = await tables(db);
    for (let i = 0; i < applied.length; i++) {
      await db.migrate.down();
      const after = await tables(db);
      removedBy.push(before.filter((t) => !after.includes(t)));
      before = after;
    }
    expect(before).toEqual([]);
    expect((await db.raw("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname LIKE 'models_%'")).rows[0].n).toBe(0);
    expect(removedBy).toEqual([
      [], // 006 only drops an index
      ['usage_records'],
      ['device_models'],
      ['simulation_jobs', 'simulations', 'waveform_configs'],
      ['project_files', 'projects'],
      ['oauth_states', 'org_invitations', 'org_members', 'organizations', 'refresh_tokens', 'user_identities', 'users'],
    ]);

    // And all the way up again on the emptied database.
    expect((await migrateToLatest(db)).length).toBe(6);
    expect(await tables(db)).toEqual([...TABLES].sort());
  }, 60_000);

  test('constraints hold: roles, file kinds, case-insensitive unique e-mail', async () => {
    await migrateToLatest(db);
    const [user] = await db('users').insert({ email: 'Ada@example.com', name: 'Ada' }).returning('*');
    await expect(db('users').insert({ email: 'ada@EXAMPLE.com', name: 'Other' })).rejects.toThrow(/users_email_lower_idx/);
    const [org] = await db('organizations').insert({ name: 'Lab', slug: 'lab', owner_id: user.id }).returning('*');
    await expect(db('org_members').insert({ org_id: org.id, user_id: user.id, role: 'emperor' })).rejects.toThrow(/org_members_role_check/);
    const [project] = await db('projects').insert({ owner_id: user.id, name: 'P' }).returning('*');
    await expect(db('project_files').insert({ project_id: project.id, path: 'a.txt', kind: 'spreadsheet' })).rejects.toThrow(/project_files_kind_check/);
  });
});
