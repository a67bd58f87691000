/**
 * Prefix search (`GET /api/v1/models?q=LM35` as the user types) through a B-tree on lower(name):
 * text_pattern_ops makes `LIKE 'lm35%'` an index range scan (well under a millisecond on 50K rows), where
 * the trigram GIN index has to visit every row sharing a common trigram such as "lm3".
 * @param {import('knex').Knex} knex
 */
exports.up = async (knex) => {
  await knex.raw('CREATE INDEX models_name_prefix_idx ON device_models (lower(name) text_pattern_ops)');
};

/** @param {import('knex').Knex} knex */
exports.down = async (knex) => {
  await knex.raw('DROP INDEX models_name_prefix_idx');
};
