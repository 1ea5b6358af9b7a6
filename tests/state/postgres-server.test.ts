/**
 * The tests' PostgreSQL (tests/support/postgres-server.ts) wherever the checkout lies: run as
 * root, the server runs as `nobody`, and binaries in a folder `nobody` cannot enter (a checkout
 * in a private home folder) are copied where it can.
 */
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { findPostgresBinaries, startPostgres } from '../support/postgres-server.ts';
import { usePostgres } from '../support/postgres.ts';
import { tempDir } from '../support/temp.ts';

const postgres = usePostgres();
const asRoot = process.getuid?.() === 0;

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe(`the tests' PostgreSQL ${postgres.label}`, () => {
  it.skipIf(postgres.skipReason !== undefined)('serves databases on 127.0.0.1 only, keeps its data across a restart', async () => {
    const server = postgres.server();
    const url = await server.createDatabase('kept');
    await query(url, 'CREATE TABLE t (x int); INSERT INTO t VALUES (42)');
    expect(await query(url, "SELECT current_setting('listen_addresses') AS l, current_setting('unix_socket_directories') AS u")).toEqual([{ l: '127.0.0.1', u: '' }]);
    await server.stop();
    expect(server.running).toBe(false);
    await server.start();
    expect(await query(url, 'SELECT x FROM t')).toEqual([{ x: 42 }]);
  });

  it.skipIf(postgres.skipReason !== undefined || !asRoot)('as root, runs as nobody even from binaries in a private folder', async () => {
    const binaries = findPostgresBinaries();
    const privateDir = await tempDir('mlbot-private-'); // mkdtemp: mode 700, nobody cannot enter
    const installation = path.join(privateDir, 'installation');
    await cp(path.dirname(binaries.bin), installation, { recursive: true, verbatimSymlinks: true });
    const server = await startPostgres({ route: binaries.route, bin: path.join(installation, 'bin') });
    try {
      const client = new pg.Client({ connectionString: server.url() });
      await client.connect();
      try {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        // The server's processes belong to nobody (uid 65534), not root.
        const status = await readFile(`/proc/${rows[0]!.pid}/status`, 'utf8');
        expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe('65534');
      } finally {
        await client.end();
      }
    } finally {
      await server.close();
    }
  });
});
