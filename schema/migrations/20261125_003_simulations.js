/**
 * Simulation runs, server-side jobs and saved waveform views, as in the spec, but a simulation may point at
 * the project file (netlist, schematic or notebook) it came from.
 * @param {import('knex').Knex} knex
 */
exports.up = async (knex) => {
  await knex.schema.createTable('simulations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('project_id').notNullable().references('projects.id').onDelete('CASCADE').index();
    t.uuid('file_id').references('project_files.id').onDelete('SET NULL');
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE').index();
    t.text('analysis_type').notNullable(); // op | dc | ac | tran | noise
    t.text('status').notNullable().defaultTo('pending');
    t.text('execution_mode').notNullable().defaultTo('kernel'); // kernel | browser | server
    t.text('netlist').notNullable();
    t.jsonb('parameters').notNullable().defaultTo('{}');
    t.integer('node_count').notNullable().defaultTo(0);
    t.text('results_key'); // object-store key of the result data
    t.jsonb('results_summary');
    t.text('error_message');
    t.timestamp('started_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    t.integer('wall_time_ms');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    "ALTER TABLE simulations ADD CONSTRAINT simulations_status_check CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled'))",
  );
  await knex.raw('CREATE INDEX sims_status_idx ON simulations (status)');
  await knex.raw('CREATE INDEX sims_created_idx ON simulations (created_at DESC)');

  await knex.schema.createTable('simulation_jobs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('simulation_id').notNullable().references('simulations.id').onDelete('CASCADE').index();
    t.text('worker_id').index();
    t.integer('cores_allocated').notNullable().defaultTo(1);
    t.integer('memory_mb').notNullable().defaultTo(2048);
    t.integer('priority').notNullable().defaultTo(0); // higher = more urgent
    t.integer('attempts').notNullable().defaultTo(0);
    t.specificType('progress_pct', 'real').notNullable().defaultTo(0);
    t.jsonb('convergence_data').notNullable().defaultTo('[]');
    t.timestamp('started_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('waveform_configs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('simulation_id').notNullable().references('simulations.id').onDelete('CASCADE').index();
    t.text('name').notNullable();
    t.jsonb('panes').notNullable(); // [{signals: [{vector, color, scale}], yRange, measurements}]
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async (knex) => {
  await knex.schema.dropTable('waveform_configs');
  await knex.schema.dropTable('simulation_jobs');
  await knex.schema.dropTable('simulations');
};
