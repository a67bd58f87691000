/**
 * Accounts: users, OAuth identities, refresh tokens (rotating, with families for reuse detection),
 * organisations with roles, invitations. Adapted from the spec's "Database Schema" (users,
 * organizations, org_members), plus the tables our auth needs.
 * @param {import('knex').Knex} knex
 */
exports.up = async (knex) => {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pgcrypto'); // gen_random_uuid() before PG 13; harmless after

  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('email').notNullable();
    t.text('password_hash'); // NULL for OAuth-only users
    t.text('name').notNullable();
    t.text('avatar_url');
    t.text('plan').notNullable().defaultTo('free');
    t.text('stripe_customer_id');
    t.text('stripe_subscription_id');
    t.timestamps(true, true);
  });
  // E-mail addresses compare case-insensitively.
  await knex.raw('CREATE UNIQUE INDEX users_email_lower_idx ON users (lower(email))');
  await knex.raw('CREATE INDEX users_stripe_idx ON users (stripe_customer_id)');
  await knex.raw("ALTER TABLE users ADD CONSTRAINT users_plan_check CHECK (plan IN ('free', 'pro', 'team'))");

  await knex.schema.createTable('user_identities', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE').index();
    t.text('provider').notNullable(); // google | github
    t.text('provider_user_id').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['provider', 'provider_user_id']);
  });

  await knex.schema.createTable('refresh_tokens', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE').index();
    t.uuid('family_id').notNullable().index(); // all tokens descended from one sign-in
    t.text('token_hash').notNullable().unique(); // sha256 of the opaque token; the token itself is never stored
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true }); // set when rotated: presenting it again is reuse
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('oauth_states', (t) => {
    t.text('state').primary();
    t.text('provider').notNullable();
    t.text('code_verifier').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('organizations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('slug').notNullable().unique();
    t.uuid('owner_id').notNullable().references('users.id').onDelete('CASCADE').index();
    t.text('plan').notNullable().defaultTo('free');
    t.text('stripe_customer_id');
    t.text('stripe_subscription_id');
    t.jsonb('settings').notNullable().defaultTo('{}');
    t.timestamps(true, true);
  });

  await knex.schema.createTable('org_members', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE').index();
    t.text('role').notNullable().defaultTo('member');
    t.timestamp('joined_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['org_id', 'user_id']);
  });
  await knex.raw(
    "ALTER TABLE org_members ADD CONSTRAINT org_members_role_check CHECK (role IN ('owner', 'admin', 'member', 'viewer'))",
  );

  await knex.schema.createTable('org_invitations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.text('email').notNullable();
    t.text('role').notNullable();
    t.text('token_hash').notNullable().unique();
    t.uuid('invited_by').notNullable().references('users.id').onDelete('CASCADE');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('accepted_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    "ALTER TABLE org_invitations ADD CONSTRAINT org_invitations_role_check CHECK (role IN ('admin', 'member', 'viewer'))",
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async (knex) => {
  for (const table of [
    'org_invitations',
    'org_members',
    'organizations',
    'oauth_states',
    'refresh_tokens',
    'user_identities',
    'users',
  ]) {
    await knex.schema.dropTable(table);
  }
  // Extensions are left installed: other schemas in the same database may use them.
};
