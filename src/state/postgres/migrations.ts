/**
 * The PostgreSQL schema, as ordered migrations: `schema_migrations` records which have run. Each
 * runs in its own transaction, and all of them under a session advisory lock, so hosts starting
 * together apply each migration exactly once (the others wait, then find nothing left to do).
 * Append new migrations; never edit one that has shipped.
 */
import { botError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { Database } from './database.ts';

/** pg_advisory_lock key: the bytes of "mlbot-sc" (ML careers bot, schema) as a bigint. */
const MIGRATION_LOCK_KEY = '7884785278448923491';

export const MIGRATIONS: readonly { name: string; sql: string }[] = [
  {
    name: 'questions, votes, comments, settings, server documents, embeddings',
    sql: `
      CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);

      CREATE TABLE questions (
        id bigserial PRIMARY KEY,
        asked_at timestamptz NOT NULL,
        question text NOT NULL,
        normalized text NOT NULL,
        guild_id text,
        user_hash text NOT NULL,
        surface text NOT NULL CHECK (surface IN ('slash', 'mention', 'cli')),
        refused boolean NOT NULL,
        confidence double precision NOT NULL,
        citations jsonb NOT NULL
      );
      CREATE INDEX questions_asked_at ON questions (asked_at);
      CREATE INDEX questions_guild_asked_at ON questions (guild_id, asked_at);

      CREATE TABLE votes (
        question_id bigint NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        user_hash text NOT NULL,
        vote smallint NOT NULL CHECK (vote IN (1, -1)),
        voted_at timestamptz NOT NULL,
        PRIMARY KEY (question_id, user_hash)
      );

      CREATE TABLE comments (
        id bigserial PRIMARY KEY,
        question_id bigint NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        user_hash text NOT NULL,
        comment text NOT NULL,
        commented_at timestamptz NOT NULL
      );
      CREATE INDEX comments_question ON comments (question_id);

      -- channel_id '' is the server-wide setting (a primary key cannot hold NULL).
      CREATE TABLE settings (
        guild_id text NOT NULL,
        channel_id text NOT NULL,
        key text NOT NULL,
        value text NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (guild_id, channel_id, key)
      );

      -- Each server's own documents: the source of truth every host materialises from.
      CREATE TABLE server_documents (
        guild_id text NOT NULL,
        name_key text NOT NULL,
        name text NOT NULL,
        bytes bytea NOT NULL,
        size integer NOT NULL,
        hash text NOT NULL,
        added_by text,
        added_at timestamptz NOT NULL,
        PRIMARY KEY (guild_id, name_key)
      );
      -- Bumped with every change to a server's documents, in the same transaction.
      CREATE TABLE server_versions (
        guild_id text PRIMARY KEY,
        version bigint NOT NULL
      );

      -- Passage embeddings by model and sha256 of the text embedded: Float32 little-endian.
      CREATE TABLE embeddings (
        model text NOT NULL,
        key text NOT NULL,
        vector bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (model, key)
      );
    `,
  },
  {
    name: 'automatic answers (forum posts, follow-ups) are their own surface',
    sql: `
      ALTER TABLE questions DROP CONSTRAINT questions_surface_check;
      ALTER TABLE questions ADD CONSTRAINT questions_surface_check CHECK (surface IN ('slash', 'mention', 'cli', 'auto'));
    `,
  },
];

/** Applies the migrations not yet applied, under the advisory lock; throws DATABASE_SCHEMA_NEWER for a newer schema. */
export async function migrate(database: Database, logger: Logger): Promise<void> {
  const client = await database.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
      const applied = rows[0]?.version ?? 0;
      if (applied > MIGRATIONS.length) {
        throw botError('DATABASE_SCHEMA_NEWER', { database: database.name, version: applied, known: MIGRATIONS.length });
      }
      for (let version = applied + 1; version <= MIGRATIONS.length; version++) {
        const migration = MIGRATIONS[version - 1]!;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [version, migration.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
        logger.info({ database: database.name, version, migration: migration.name }, 'database schema migrated');
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}
