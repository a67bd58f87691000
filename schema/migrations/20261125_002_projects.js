/**
 * Projects and their files. The spec's project held one schematic (schematic_data); ours holds many
 * files: notebooks (.ipynb JSON), schematics (JSON) and netlists (SPICE text). `version` drives ETags for
 * auto-save conflict detection. A project is private to its owner, shared with an org (org_id), and/or
 * readable by anyone holding its share link (share_token_hash).
 * @param {import('knex').Knex} knex
 */
exports.up = async (knex) => {
  await knex.schema.createTable('projects', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('owner_id').notNullable().references('users.id').onDelete('CASCADE').index();
    t.uuid('org_id').references('organizations.id').onDelete('SET NULL').index();
    t.text('name').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.jsonb('settings').notNullable().defaultTo('{}');
    t.boolean('is_public').notNullable().defaultTo(false);
    t.text('share_token_hash').unique(); // sha256 of the share-link token; NULL = no link
    t.uuid('forked_from').references('projects.id').onDelete('SET NULL');
    t.text('thumbnail_url');
    t.timestamps(true, true);
  });
  await knex.raw('CREATE INDEX projects_updated_idx ON projects (updated_at DESC)');

  await knex.schema.createTable('project_files', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('project_id').notNullable().references('projects.id').onDelete('CASCADE').index();
    t.text('path').notNullable(); // e.g. "labs/rc-filter.ipynb"
    t.text('kind').notNullable(); // notebook | schematic | netlist
    t.text('content').notNullable().defaultTo('');
    t.integer('version').notNullable().defaultTo(1);
    t.uuid('updated_by').references('users.id').onDelete('SET NULL');
    t.timestamps(true, true);
    t.unique(['project_id', 'path']);
  });
  await knex.raw(
    "ALTER TABLE project_files ADD CONSTRAINT project_files_kind_check CHECK (kind IN ('notebook', 'schematic', 'netlist'))",
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async (knex) => {
  await knex.schema.dropTable('project_files');
  await knex.schema.dropTable('projects');
};
