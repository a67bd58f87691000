/**
 * Usage records for plan enforcement and billing (spec: usage_records).
 * @param {import('knex').Knex} knex
 */
exports.up = async (knex) => {
  await knex.schema.createTable('usage_records', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('org_id').references('organizations.id').onDelete('SET NULL');
    t.text('record_type').notNullable(); // simulation_minutes | cloud_simulation | storage_bytes
    t.double('quantity').notNullable();
    t.date('period_start').notNullable();
    t.date('period_end').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE INDEX usage_user_period_idx ON usage_records (user_id, period_start, period_end)');
};

/** @param {import('knex').Knex} knex */
exports.down = async (knex) => {
  await knex.schema.dropTable('usage_records');
};
