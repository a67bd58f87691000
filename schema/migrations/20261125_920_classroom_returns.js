/**
 * Issue 11, classroom rules: a submitted copy is read-only to its student until a teacher returns it for
 * revision (returned_at records when). Project access looks submissions up by the copy's project id.
 * @param {import('knex').Knex} knex
 */
exports.up = async (knex) => {
  await knex.schema.alterTable('assignment_submissions', (t) => {
    t.timestamp('returned_at', { useTz: true });
    t.index(['project_id'], 'assignment_submissions_project_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async (knex) => {
  await knex.schema.alterTable('assignment_submissions', (t) => {
    t.dropIndex(['project_id'], 'assignment_submissions_project_idx');
    t.dropColumn('returned_at');
  });
};
