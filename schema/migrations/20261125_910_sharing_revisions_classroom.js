/**
 * Issue 11: sharing a project with a user or an organisation (viewer/editor), file revisions
 * (JupyterLab checkpoints), the OAuth hand-off that brings a browser sign-in back to JupyterLab, and
 * classrooms (a lab published to an org; one fork per student with started/submitted times).
 * Additive only: no existing table changes except a nullable column on oauth_states.
 * @param {import('knex').Knex} knex
 */
exports.up = async (knex) => {
  await knex.schema.createTable('project_shares', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('project_id').notNullable().references('projects.id').onDelete('CASCADE').index();
    // Exactly one of user_id / org_id names who the project is shared with.
    t.uuid('user_id').references('users.id').onDelete('CASCADE').index();
    t.uuid('org_id').references('organizations.id').onDelete('CASCADE').index();
    t.text('role').notNullable(); // viewer | editor
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['project_id', 'user_id']);
    t.unique(['project_id', 'org_id']);
  });
  await knex.raw(
    "ALTER TABLE project_shares ADD CONSTRAINT project_shares_role_check CHECK (role IN ('viewer', 'editor'))",
  );
  await knex.raw(
    'ALTER TABLE project_shares ADD CONSTRAINT project_shares_target_check CHECK ((user_id IS NULL) <> (org_id IS NULL))',
  );

  await knex.schema.createTable('file_revisions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('file_id').notNullable().references('project_files.id').onDelete('CASCADE');
    t.uuid('project_id').notNullable().references('projects.id').onDelete('CASCADE');
    t.integer('file_version').notNullable(); // the file's version this snapshot was taken from
    t.text('path').notNullable();
    t.text('content').notNullable();
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE INDEX file_revisions_file_idx ON file_revisions (file_id, created_at DESC)');

  // OAuth started from an app (JupyterLab): the app keeps a secret and sends only its SHA-256 here; after
  // the callback the signed-in user is parked under that hash until the app collects it with the secret.
  await knex.schema.alterTable('oauth_states', (t) => {
    t.text('handoff_hash');
  });
  await knex.schema.createTable('oauth_handoffs', (t) => {
    t.text('handoff_hash').primary();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('assignments', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('project_id').notNullable().references('projects.id').onDelete('CASCADE'); // the teacher's lab
    t.text('title').notNullable();
    t.text('instructions').notNullable().defaultTo('');
    t.uuid('published_by').notNullable().references('users.id').onDelete('CASCADE');
    t.timestamp('due_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('assignment_submissions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('assignment_id').notNullable().references('assignments.id').onDelete('CASCADE').index();
    t.uuid('student_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('project_id').references('projects.id').onDelete('SET NULL'); // the student's fork
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('submitted_at', { useTz: true });
    t.unique(['assignment_id', 'student_id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async (knex) => {
  await knex.schema.dropTable('assignment_submissions');
  await knex.schema.dropTable('assignments');
  await knex.schema.dropTable('oauth_handoffs');
  await knex.schema.alterTable('oauth_states', (t) => t.dropColumn('handoff_hash'));
  await knex.schema.dropTable('file_revisions');
  await knex.schema.dropTable('project_shares');
};
