/**
 * Issue 10: Monte Carlo fans out like sweeps. A parent simulation holds `{runs, seed, runsPerJob}`, each child
 * a batch `{seed, firstRun, runs}`; run k always samples the deck with the generator seeded by (seed, k), so
 * the results do not depend on how runs are split into jobs.
 * @param {import('knex').Knex} knex
 */
exports.up = async (knex) => {
  await knex.schema.alterTable('simulations', (t) => {
    t.jsonb('monte_carlo');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async (knex) => {
  await knex.schema.alterTable('simulations', (t) => {
    t.dropColumn('monte_carlo');
  });
};
