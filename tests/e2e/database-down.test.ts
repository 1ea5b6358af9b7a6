/**
 * A host whose database is out of reach at start: `npm start` (with a token, so as the bot) and
 * `npm run start:sharded` stop at once with one line naming the database (never its password)
 * and exit code 1, before loading the model or reaching Discord.
 */
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childEnv } from '../support/child-env.ts';
import { spawnEntry } from '../support/spawn-bot.ts';
import { REPO_ROOT, tempDir } from '../support/temp.ts';

/** A port of 127.0.0.1 that nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('PostgreSQL out of reach at start', () => {
  it.each(['src/bin/start.ts', 'src/bin/start-sharded.ts'])('%s says so in one line and exits 1', async (entry) => {
    const work = await tempDir('mlbot-dbdown-');
    const port = await closedPort();
    const host = spawnEntry(entry, childEnv({
      DISCORD_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB',
      DISCORD_API_URL: `http://127.0.0.1:${port}/api`,
      KNOWLEDGE_DIR: path.join(REPO_ROOT, 'knowledge'),
      INDEX_DIR: path.join(work, 'index'),
      DATA_DIR: path.join(work, 'data'),
      DATABASE_URL: `postgres://bot:s3cret@127.0.0.1:${port}/bot`,
      SHARD_COUNT: '1',
      LOG_LEVEL: 'silent',
    }));
    expect(await host.exited).toBe(1);
    const lines = host.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^The database 127\\.0\\.0\\.1:${port}/bot \\(DATABASE_URL\\) cannot be used: .*ECONNREFUSED`));
    expect(host.stderr()).not.toContain('s3cret');
  });
});
