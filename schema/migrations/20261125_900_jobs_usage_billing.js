/**
 * Part 2 of the service (issue 10): server-side simulation jobs (attempts, progress, sweep parents and
 * children), usage metered once per simulation, and Stripe subscriptions with processed-event ids.
 * Additive: only new columns, new tables, and project_id becoming optional (a netlist can be simulated
 * without saving it in a project first).
 * @param {import('knex').Knex} knex
 */
exports.up = async (knex) => {
  await knex.schema.alterTable('simulations', (t) => {
    t.uuid('project_id').nullable().alter();
    // Sweeps fan out: one parent (the gather) and one child simulation per point.
    t.uuid('parent_id').references('simulations.id').onDelete('CASCADE');
    t.jsonb('sweep');
    t.uuid('org_id').references('organizations.id').onDelete('SET NULL'); // the account billed (team plans)
    t.specificType('progress', 'real').notNullable().defaultTo(0);
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('worker_id');
    t.text('error_code');
  });
  await knex.raw('CREATE INDEX sims_parent_idx ON simulations (parent_id) WHERE parent_id IS NOT NULL');
  // Recovery after a restart scans the unfinished server jobs only.
  await knex.raw(
    "CREATE INDEX sims_server_unfinished_idx ON simulations (created_at) WHERE execution_mode = 'server' AND status IN ('pending', 'running')",
  );

  await knex.schema.alterTable('simulation_jobs', (t) => {
    t.text('outcome'); // completed | failed | cancelled | retry | NULL while running (or lost with its worker)
    t.text('error_message');
  });

  await knex.schema.alterTable('usage_records', (t) => {
    // A simulation is metered once, however many workers touched it.
    t.uuid('simulation_id').references('simulations.id').onDelete('SET NULL').unique();
  });

  await knex.schema.alterTable('users', (t) => {
    t.text('billing_status'); // NULL | active | past_due | canceled
  });
  await knex.schema.alterTable('organizations', (t) => {
    t.integer('seats').notNullable().defaultTo(1);
    t.text('billing_status');
  });

  await knex.schema.createTable('stripe_events', (t) => {
    t.text('id').primary(); // evt_...: processing is idempotent by this id
    t.text('type').notNullable();
    t.timestamp('stripe_created_at', { useTz: true }).notNullable();
    t.timestamp('processed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('billing_subscriptions', (t) => {
    t.text('id').primary(); // sub_...
    t.text('customer_id').notNullable().index();
    t.uuid('user_id').references('users.id').onDelete('CASCADE');
    t.uuid('org_id').references('organizations.id').onDelete('CASCADE');
    t.text('plan').notNullable();
    t.text('status').notNullable();
    t.integer('seats').notNullable().defaultTo(1);
    // `created` (Unix seconds) of the newest event applied: older events arriving late are ignored.
    t.bigInteger('last_event_created').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async (knex) => {
  await knex.schema.dropTable('billing_subscriptions');
  await knex.schema.dropTable('stripe_events');
  await knex.schema.alterTable('organizations', (t) => {
    t.dropColumn('billing_status');
    t.dropColumn('seats');
  });
  await knex.schema.alterTable('users', (t) => t.dropColumn('billing_status'));
  await knex.schema.alterTable('usage_records', (t) => t.dropColumn('simulation_id'));
  await knex.schema.alterTable('simulation_jobs', (t) => {
    t.dropColumn('error_message');
    t.dropColumn('outcome');
  });
  await knex.raw('DROP INDEX IF EXISTS sims_server_unfinished_idx');
  await knex.schema.alterTable('simulations', (t) => {
    for (const column of ['error_code', 'worker_id', 'attempts', 'progress', 'org_id', 'sweep', 'parent_id'])
      t.dropColumn(column);
  });
  // The old schema cannot hold simulations without a project: they go with the rollback.
  await knex('simulations').whereNull('project_id').delete();
  await knex.schema.alterTable('simulations', (t) => {
    t.uuid('project_id').notNullable().alter();
  });
};
