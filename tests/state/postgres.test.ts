/**
 * What only the PostgreSQL state has: migrations under a lock, a clear error when the database is
 * out of reach at start, writes queued while it is down and written when it is back (or logged as
 * lost), server documents as the source of truth with versions and notifications, and the shared
 * embedding cache (its contract is checked against the in-memory cache too).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { QuestionRecord } from '../../src/feedback/store.ts';
import { silentLogger } from '../../src/logger.ts';
import { MemoryEmbeddingCache } from '../../src/state/local/memory-embedding-cache.ts';
import { Database, describeDatabase, isUnavailable } from '../../src/state/postgres/database.ts';
import { PostgresEmbeddingCache } from '../../src/state/postgres/embedding-cache.ts';
import { PostgresFeedback } from '../../src/state/postgres/feedback.ts';
import { MIGRATIONS } from '../../src/state/postgres/migrations.ts';
import { PostgresServerDocuments } from '../../src/state/postgres/server-documents.ts';
import type { EmbeddingCache } from '../../src/state/types.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { runEntry } from '../support/run-cli.ts';
import { usePostgres } from '../support/postgres.ts';
import { tempDir } from '../support/temp.ts';

const postgres = usePostgres();
const skip = postgres.skipReason !== undefined;
const GUILD = '987654321098765432';
const USER = '123456789012345678';
const enc = (text: string) => new TextEncoder().encode(text);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openDb(url: string, logger = silentLogger): Promise<Database> {
  const db = await Database.open({ url, poolMax: 3, logger });
  cleanups.push(() => db.close());
  return db;
}

function ask(question: string): QuestionRecord {
  return { question, guildId: GUILD, userId: USER, surface: 'slash', refused: false, confidence: 0.5, citations: [] };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

/** Until `count` connections of this database have run LISTEN (they open in the background). */
async function listeners(db: Database, count: number): Promise<void> {
  await waitFor(async () => {
    const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'");
    return row!.n >= count;
  }, 20_000);
}

describe(`PostgreSQL state ${postgres.label}`, () => {
  it.skipIf(skip)('migrates once when several hosts open a new database at the same moment', async () => {
    const url = await postgres.freshDatabase();
    const { logger, lines } = captureLogger();
    const dbs = await Promise.all(Array.from({ length: 4 }, () => openDb(url, logger)));
    const rows = await dbs[0]!.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(lines().filter((l) => l.msg === 'database schema migrated')).toHaveLength(MIGRATIONS.length);
    // Opening again applies nothing.
    await openDb(url, logger);
    expect(lines().filter((l) => l.msg === 'database schema migrated')).toHaveLength(MIGRATIONS.length);
  });

  it.skipIf(skip)('refuses a database whose schema is newer than this bot', async () => {
    const url = await postgres.freshDatabase();
    const db = await openDb(url);
    await db.query("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')");
    await expect(Database.open({ url, poolMax: 1, logger: silentLogger })).rejects.toMatchObject({ code: 'DATABASE_SCHEMA_NEWER', message: expect.stringContaining('99') });
  });

  it.skipIf(skip)('says in one line which database is out of reach, never its password', async () => {
    const url = `postgres://bot:s3cret-pass@127.0.0.1:${postgres.server().port + 1}/nowhere`;
    const error = await Database.open({ url, poolMax: 1, logger: silentLogger }).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(error?.code).toBe('DATABASE_UNAVAILABLE');
    expect(error?.message).toContain(`127.0.0.1:${postgres.server().port + 1}/nowhere`);
    expect(error?.message).not.toContain('s3cret');
    expect(error?.message.split('\n')).toHaveLength(1);
    expect(describeDatabase(url)).toBe(`127.0.0.1:${postgres.server().port + 1}/nowhere`);
  });

  it.skipIf(skip)('waits at start for a database that comes up within seconds (one starting beside the bot)', async () => {
    const url = await postgres.freshDatabase();
    const { logger, lines } = captureLogger();
    await postgres.server().stop();
    let opening: Promise<Database>;
    try {
      opening = Database.open({ url, poolMax: 1, logger });
      await waitFor(() => lines().some((l) => l.msg === 'the database is out of reach; trying again'));
    } finally {
      await postgres.server().start();
    }
    const db = await opening;
    cleanups.push(() => db.close());
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it.skipIf(skip)('while the server is down: answers are not held up, writes wait in order and are written when it is back', async () => {
    const url = await postgres.freshDatabase();
    const { logger, lines } = captureLogger();
    const db = await openDb(url, logger);
    const store = await PostgresFeedback.open(db, { logger });
    cleanups.push(() => store.close());
    const before = (await store.recordQuestion(ask('Asked before the outage?')))!;

    await postgres.server().stop();
    try {
      const started = performance.now();
      const ids = await Promise.all(Array.from({ length: 5 }, (_, i) => store.recordQuestion(ask(`Asked during the outage ${i}?`))));
      expect(ids).toEqual(Array(5).fill(undefined));
      expect(await store.recordVote(before, USER, 'down', GUILD)).toBe(true);
      // Well under the bound an answer may wait (the server refuses connections at once).
      expect(performance.now() - started).toBeLessThan(1_500);
      expect(store.pendingWrites).toBe(6);
      expect(lines().filter((l) => String(l.msg).includes('records are queued'))).toHaveLength(1);
      await expect(store.report()).rejects.toMatchObject({ code: 'FEEDBACK_UNAVAILABLE' });
      await expect(store.setSetting({ guildId: GUILD, channelId: null }, 'mode', 'auto')).rejects.toMatchObject({ code: 'SETTINGS_UNAVAILABLE' });
      expect(await store.flushPending()).toBe(false);
    } finally {
      await postgres.server().start();
    }

    // Back: written without a restart (the report writes what waits before it reads).
    const report = await store.report();
    expect(report).toMatchObject({ questions: 6, down: 1 });
    expect(store.pendingWrites).toBe(0);
    expect(lines().some((l) => l.msg === 'the database is back: queued records written' && l.written === 6)).toBe(true);
    expect(await store.recordQuestion(ask('Asked after the outage?'))).toBeGreaterThan(before);
  });

  it.skipIf(skip)('keeps at most the bound while down, logging what was lost, and what still waits at shutdown', async () => {
    const url = await postgres.freshDatabase();
    const { logger, lines } = captureLogger();
    const db = await openDb(url, logger);
    const store = await PostgresFeedback.open(db, { logger, maxPendingWrites: 3 });
    await postgres.server().stop();
    try {
      for (const q of ['one', 'two', 'three', 'four', 'five']) await store.recordQuestion(ask(q));
      expect(store.pendingWrites).toBe(3);
      const full = lines().filter((l) => String(l.msg).startsWith('records lost: the queue is full'));
      expect(full[0]).toMatchObject({ lost: { question: 1 }, droppedSoFar: 1 });
      await store.close();
      expect(lines().find((l) => String(l.msg).includes('still unreachable at shutdown'))).toMatchObject({ lost: { question: 3 } });
    } finally {
      await postgres.server().start();
    }
  });

  it.skipIf(skip)('never stores a user id, only its salted hash', async () => {
    const db = await openDb(await postgres.freshDatabase());
    const store = await PostgresFeedback.open(db);
    cleanups.push(() => store.close());
    const id = (await store.recordQuestion(ask('How do I get into MLOps?')))!;
    await store.recordVote(id, USER, 'down', GUILD);
    await store.recordComment(id, USER, 'Please add a section on MLOps.', GUILD);
    const rows = await db.query<{ row: string }>(
      `SELECT q::text AS row FROM questions q UNION ALL SELECT v::text FROM votes v UNION ALL SELECT c::text FROM comments c`,
    );
    expect(rows).toHaveLength(3);
    for (const { row } of rows) expect(row).not.toContain(USER);
    // The guild id is kept (it is not personal), so the search above would have found a stored id.
    expect(rows[0]!.row).toContain(GUILD);
  });

  it.skipIf(skip)('npm run stats reads every host\'s questions from DATABASE_URL', async () => {
    const url = await postgres.freshDatabase();
    const store = await PostgresFeedback.open(await openDb(url));
    cleanups.push(() => store.close());
    await store.recordQuestion(ask('Asked on host A?'));
    await store.recordQuestion({ ...ask('Asked on host B?'), guildId: '111111111111111111', refused: true });
    const result = await runEntry('scripts/stats.ts', ['--json'], { DATABASE_URL: url });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ questions: 2, refused: 1 });
  });

  it.skipIf(skip)('tells an unreachable database from a refused statement', async () => {
    const url = await postgres.freshDatabase();
    const db = await openDb(url);
    const refused = await db.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(isUnavailable(refused)).toBe(false);
    const away = await Database.open({ url: `postgres://postgres@127.0.0.1:${postgres.server().port + 1}/x`, poolMax: 1, logger: silentLogger }).catch((e: unknown) => e as Error);
    expect(isUnavailable((away as Error).cause)).toBe(true);
  });
});

describe(`server documents in PostgreSQL ${postgres.label}`, () => {
  it.skipIf(skip)('keeps name, bytes, hash, who added them and when; versions each change; materialises a folder', async () => {
    const db = await openDb(await postgres.freshDatabase());
    const docs = new PostgresServerDocuments(db, silentLogger);
    expect(await docs.version(GUILD)).toBe(0);
    expect(await docs.publish(GUILD, { name: 'Guide.md', bytes: enc('# Guide\n\nOne.\n'), addedBy: USER, replace: false })).toBe(1);
    expect(await docs.publish(GUILD, { name: 'notes.txt', bytes: enc('Notes.\n'), addedBy: null, replace: false })).toBe(2);
    const listed = await docs.list(GUILD);
    expect(listed.map(({ name, bytes, addedBy }) => ({ name, bytes, addedBy }))).toEqual([
      { name: 'Guide.md', bytes: 14, addedBy: USER },
      { name: 'notes.txt', bytes: 7, addedBy: null },
    ]);
    expect(listed[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(listed[0]!.addedAt)).toBeGreaterThan(Date.now() - 60_000);
    // Another server sees none of them.
    expect(await docs.list('111111111111111111')).toEqual([]);

    // A name taken (ignoring case) is refused unless replacing.
    await expect(docs.publish(GUILD, { name: 'guide.md', bytes: enc('# Other\n'), addedBy: USER, replace: false })).rejects.toMatchObject({ code: 'KNOWLEDGE_FILE_EXISTS' });
    expect(await docs.version(GUILD)).toBe(2);

    const dir = path.join(await tempDir('mlbot-docs-'), 'knowledge');
    expect(await docs.materialise(GUILD, dir)).toEqual({ changed: true, version: 2 });
    expect((await readdir(dir)).sort()).toEqual(['Guide.md', 'notes.txt']);
    expect(await docs.materialise(GUILD, dir)).toEqual({ changed: false, version: 2 });

    // Replaced, removed, and a stray local file: the folder follows the database.
    await docs.publish(GUILD, { name: 'guide.md', bytes: enc('# Guide\n\nTwo.\n'), addedBy: USER, replace: true });
    await docs.publish(GUILD, { name: 'notes.txt', bytes: null, addedBy: null, replace: true });
    await writeFile(path.join(dir, 'stray.md'), '# Stray\n');
    expect(await docs.materialise(GUILD, dir)).toEqual({ changed: true, version: 4 });
    expect(await readdir(dir)).toEqual(['guide.md']);
    expect(await readFile(path.join(dir, 'guide.md'), 'utf8')).toBe('# Guide\n\nTwo.\n');
  });

  it.skipIf(skip)('never creates a folder for a server without documents', async () => {
    const db = await openDb(await postgres.freshDatabase());
    const dir = path.join(await tempDir('mlbot-docs-'), 'servers', GUILD, 'knowledge');
    expect(await new PostgresServerDocuments(db, silentLogger).materialise(GUILD, dir)).toEqual({ changed: false, version: 0 });
    await expect(readdir(dir)).rejects.toThrow();
  });

  it.skipIf(skip)('tells every listening host of a change, and after a lost connection says changes may have been missed', async () => {
    const url = await postgres.freshDatabase();
    const { logger, lines } = captureLogger();
    const hereDb = await openDb(url);
    const here = new PostgresServerDocuments(hereDb, silentLogger);
    const there = new PostgresServerDocuments(await openDb(url, logger), logger);
    const seen: ({ guildId: string; version: number } | null)[] = [];
    const stop = there.onChange((change) => seen.push(change));
    cleanups.push(stop);
    await listeners(hereDb, 1);
    await here.publish(GUILD, { name: 'a.md', bytes: enc('# A\n\nText.\n'), addedBy: USER, replace: false });
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual([{ guildId: GUILD, version: 1 }]);

    await postgres.server().stop();
    await postgres.server().start();
    await waitFor(() => seen.includes(null), 20_000);
    expect(lines().some((l) => l.msg === 'database notifications are back')).toBe(true);
    await listeners(hereDb, 1);
    await here.publish(GUILD, { name: 'b.md', bytes: enc('# B\n\nText.\n'), addedBy: USER, replace: false });
    await waitFor(() => seen.some((c) => c?.version === 2));
  });
});

describe.each([
  { name: 'in memory', make: async (): Promise<EmbeddingCache> => new MemoryEmbeddingCache(), skip: false },
  { name: `PostgreSQL ${postgres.label}`, make: async (): Promise<EmbeddingCache> => new PostgresEmbeddingCache(await openDb(await postgres.freshDatabase())), skip },
])('embedding cache: $name', ({ make, skip: skipThis }) => {
  it.skipIf(skipThis)('gives back exactly the vectors put, by model and key; unknown keys are absent', async () => {
    const cache = await make();
    const v1 = new Float32Array([0.1, -0.25, 1e-7, 3.5]);
    const v2 = new Float32Array([1, 2, 3, 4]);
    await cache.put('use-lite/4', new Map([['k1', v1], ['k2', v2]]));
    const got = await cache.get('use-lite/4', ['k1', 'k2', 'k3', 'k1']);
    expect([...got.keys()].sort()).toEqual(['k1', 'k2']);
    expect(Array.from(got.get('k1')!)).toEqual(Array.from(v1));
    expect(Array.from(got.get('k2')!)).toEqual(Array.from(v2));
    // Another model's vectors are another model's.
    expect((await cache.get('minilm/4', ['k1'])).size).toBe(0);
    // A key already known keeps its vector.
    await cache.put('use-lite/4', new Map([['k1', v2]]));
    expect(Array.from((await cache.get('use-lite/4', ['k1'])).get('k1')!)).toEqual(Array.from(v1));
    // What was given back cannot change what is kept.
    got.get('k2')![0] = 99;
    expect((await cache.get('use-lite/4', ['k2'])).get('k2')![0]).toBe(1);
  });

  it.skipIf(skipThis)('takes and gives thousands of vectors at once', async () => {
    const cache = await make();
    const entries = new Map(Array.from({ length: 2_500 }, (_, i) => [`key-${i}`, new Float32Array(512).fill(i / 1000)] as const));
    await cache.put('use-lite/512', entries);
    const got = await cache.get('use-lite/512', [...entries.keys()]);
    expect(got.size).toBe(2_500);
    expect(got.get('key-2499')![511]).toBeCloseTo(2.499, 5);
  });
});
