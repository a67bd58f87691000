import { createDb, migrateToLatest, type Db } from './index';
import { databaseTargets, type TestDatabase } from '../test-support/databases';

const TABLES = [
  'users',
  'user_identities',
  'refresh_tokens',
  'oauth_states',
  'organizations',
  'org_members',
  'org_invitations',
  'projects',
  'project_files',
  'simulations',
  'simulation_jobs',
  'waveform_configs',
  'device_models',
  'usage_records',
];

/** Tables, columns (type, nullability, default), indexes and constraints of the public schema, as one text. */
async function snapshot(db: Db): Promise<string> {
  const { rows: columns } = await db.raw(
    `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name NOT LIKE 'knex_%' ORDER BY table_name, column_name`,
  );
  const { rows: indexes } = await db.raw(
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'knex_%' ORDER BY indexname",
  );
  const { rows: constraints } = await db.raw(
    `SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE 'knex_%' ORDER BY 1, 2`,
  );
  return [...columns, ...indexes, ...constraints].map((row) => Object.values(row).join(' | ')).join('\n');
}

async function tables(db: Db): Promise<string[]> {
  const { rows } = await db.raw(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex_%'",
  );
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

  test('up creates every table and the trigram indexes; every migration goes down and up again exactly', async () => {
    const applied = await migrateToLatest(db);
    expect(applied.length).toBeGreaterThanOrEqual(6);
    expect(await tables(db)).toEqual(expect.arrayContaining(TABLES));
    const { rows } = await db.raw(
      "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%' ORDER BY 1",
    );
    expect(rows.map((r: { indexname: string }) => r.indexname)).toEqual(
      expect.arrayContaining(['models_name_trgm_idx', 'models_part_trgm_idx']),
    );

    // Newest first: down must undo exactly what up did (down then up restores the same schema), and
    // each of the part-1 migrations removes exactly its own tables.
    const top = await snapshot(db);
    const removedBy: Record<string, string[]> = {};
    for (const name of [...applied].reverse()) {
      const before = await snapshot(db);
      const tablesBefore = await tables(db);
      await db.migrate.down();
      const tablesAfter = await tables(db);
      expect([name, (await snapshot(db)) === before]).toEqual([name, false]);
      await db.migrate.up();
      expect([name, await snapshot(db)]).toEqual([name, before]);
      await db.migrate.down();
      removedBy[name.replace(/^\d+_/, '').replace(/\.js$/, '')] = tablesBefore.filter(
        (t) => !tablesAfter.includes(t),
      );
    }
    expect(await tables(db)).toEqual([]);
    expect(removedBy).toMatchObject({
      '006_model_name_prefix': [],
      '005_usage': ['usage_records'],
      '004_device_models': ['device_models'],
      '003_simulations': ['simulation_jobs', 'simulations', 'waveform_configs'],
      '002_projects': ['project_files', 'projects'],
      '001_accounts': [
        'oauth_states',
        'org_invitations',
        'org_members',
        'organizations',
        'refresh_tokens',
        'user_identities',
        'users',
      ],
    });

    // And all the way up again on the emptied database, to the same schema.
    expect((await migrateToLatest(db)).length).toBe(applied.length);
    expect(await snapshot(db)).toEqual(top);
  }, 120_000);

  test('constraints hold: roles, file kinds, case-insensitive unique e-mail', async () => {
    await migrateToLatest(db);
    const [user] = await db('users').insert({ email: 'Ada@example.com', name: 'Ada' }).returning('*');
    await expect(db('users').insert({ email: 'ada@EXAMPLE.com', name: 'Other' })).rejects.toThrow(
      /users_email_lower_idx/,
    );
    const [org] = await db('organizations')
      .insert({ name: 'Lab', slug: 'lab', owner_id: user.id })
      .returning('*');
    await expect(
      db('org_members').insert({ org_id: org.id, user_id: user.id, role: 'emperor' }),
    ).rejects.toThrow(/org_members_role_check/);
    const [project] = await db('projects').insert({ owner_id: user.id, name: 'P' }).returning('*');
    await expect(
      db('project_files').insert({ project_id: project.id, path: 'a.txt', kind: 'spreadsheet' }),
    ).rejects.toThrow(/project_files_kind_check/);
  });
});
