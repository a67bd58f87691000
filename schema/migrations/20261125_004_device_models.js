/**
 * The model library: one row per `.model` or `.subckt` definition. Built-in rows come from the vendor
 * import (org_id NULL, visible to everyone); uploaded rows belong to an org. The source file is kept in
 * the object store (source_key); spice_text is the definition itself, ready to `.include`.
 * `content_hash` (sha256 of dialect, name and normalised text) makes the import idempotent.
 * Trigram GIN indexes serve `GET /api/v1/models?q=` (pg_trgm, similarity ranking).
 * @param {import('knex').Knex} knex
 */
exports.up = async (knex) => {
  await knex.schema.createTable('device_models', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable(); // e.g. "LM358", "1N4148"
    t.text('manufacturer');
    t.text('part_number');
    t.text('category').notNullable(); // diode | bjt | mosfet | jfet | opamp | subcircuit | ...
    t.text('subcategory'); // npn | pnp | nmos | pmos | njf | pjf ...
    t.text('model_type').notNullable(); // spice_primitive (.model) | subcircuit (.subckt)
    t.text('spice_primitive'); // the .model type word as written (D, NPN, VDMOS, ...)
    t.specificType('pins', 'text[]').notNullable().defaultTo('{}');
    t.jsonb('parameters').notNullable().defaultTo('{}');
    t.text('spice_text').notNullable();
    t.text('source_key'); // object-store key of the whole source file
    t.text('source_path'); // path inside the imported tree
    t.integer('source_line');
    t.text('description');
    t.specificType('tags', 'text[]').notNullable().defaultTo('{}');
    t.text('datasheet_url');
    t.boolean('is_verified').notNullable().defaultTo(false);
    t.boolean('is_builtin').notNullable().defaultTo(true);
    t.uuid('org_id').references('organizations.id').onDelete('CASCADE');
    t.uuid('uploaded_by').references('users.id').onDelete('SET NULL');
    t.integer('download_count').notNullable().defaultTo(0);
    t.text('content_hash').notNullable();
    t.timestamps(true, true);
  });
  // One row per distinct definition per owner (NULL org = built-in library).
  await knex.raw(
    "CREATE UNIQUE INDEX models_content_idx ON device_models (coalesce(org_id, '00000000-0000-0000-0000-000000000000'::uuid), content_hash)",
  );
  await knex.raw('CREATE INDEX models_category_idx ON device_models (category)');
  await knex.raw('CREATE INDEX models_manufacturer_idx ON device_models (lower(manufacturer))');
  await knex.raw('CREATE INDEX models_org_idx ON device_models (org_id)');
  await knex.raw('CREATE INDEX models_name_trgm_idx ON device_models USING gin (lower(name) gin_trgm_ops)');
  await knex.raw(
    'CREATE INDEX models_part_trgm_idx ON device_models USING gin (lower(part_number) gin_trgm_ops)',
  );
  await knex.raw('CREATE INDEX models_tags_idx ON device_models USING gin (tags)');
};

/** @param {import('knex').Knex} knex */
exports.down = async (knex) => {
  await knex.schema.dropTable('device_models');
};
