/**
 * Several hosts sharing one PostgreSQL: each its own engine, folders and indexes. A server's
 * document added through one host answers on every host that serves the server, a host that
 * starts cold embeds nothing another host embedded, a host catches up before it changes a server,
 * and a change the database does not take is refused or undone where it was made.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/embeddings/embedder.ts';
import { Engine } from '../../src/engine/engine.ts';
import { serverDirs } from '../../src/engine/servers.ts';
import { silentLogger, type Logger } from '../../src/logger.ts';
import { Database } from '../../src/state/postgres/database.ts';
import { PostgresEmbeddingCache } from '../../src/state/postgres/embedding-cache.ts';
import { PostgresServerDocuments } from '../../src/state/postgres/server-documents.ts';
import type { ServerDocuments } from '../../src/state/types.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { usePostgres } from '../support/postgres.ts';
import { knowledgeDir, SAMPLE_MD, tempDir } from '../support/temp.ts';

const postgres = usePostgres();
const skip = postgres.skipReason !== undefined;
const SERVER = '111111111111111111';
const GLACIERS = '# Glacier notes\n\n## Glacier hiking\n\nGlacier hiking needs crampons, an ice axe and a rope team.\n';
const enc = (text: string) => new TextEncoder().encode(text);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every text a host embedded (passages, probes and questions alike). */
class RecordingEmbedder implements Embedder {
  readonly texts: string[] = [];
  constructor(private readonly inner = new FakeEmbedder()) {}
  get name() {
    return this.inner.name;
  }
  get dim() {
    return this.inner.dim;
  }
  embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.texts.push(...texts);
    return this.inner.embed(texts);
  }
}

/** One host: its own base folder copy, index and data folders, and its own connections to the shared database. */
async function host(url: string, logger: Logger = silentLogger, options: { deaf?: boolean; failPublish?: boolean } = {}) {
  const work = await tempDir('mlbot-host-');
  const config = {
    knowledgeDir: await knowledgeDir({ 'handbook.md': SAMPLE_MD }),
    indexDir: path.join(work, 'index'),
    dataDir: path.join(work, 'data'),
    embedder: 'use-lite' as const,
  };
  const db = await Database.open({ url, poolMax: 3, logger });
  cleanups.push(() => db.close());
  const embedder = new RecordingEmbedder();
  const stored = new PostgresServerDocuments(db, logger);
  // `deaf`: its notifications never arrive; `failPublish`: the connection drops as a change is recorded.
  const documents: ServerDocuments =
    options.deaf || options.failPublish
      ? {
          materialise: (guildId, dir) => stored.materialise(guildId, dir),
          publish: (guildId, change) => (options.failPublish ? Promise.reject(new Error('Connection terminated unexpectedly')) : stored.publish(guildId, change)),
          list: (guildId) => stored.list(guildId),
          version: (guildId) => stored.version(guildId),
          onChange: (listener) => (options.deaf ? async () => {} : stored.onChange(listener)),
        }
      : stored;
  const engine = await Engine.open({ config, embedder, logger, shared: { documents, embeddings: new PostgresEmbeddingCache(db) } });
  cleanups.push(() => engine.close());
  return { engine, embedder, config, db };
}

const cites = (answer: { citations: { source: string }[] }, source: string) => answer.citations.some((c) => c.source === source);

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(25);
  }
  return Date.now() - started;
}

describe(`hosts sharing PostgreSQL ${postgres.label}`, () => {
  it.skipIf(skip)('a document added through one host answers on another host serving that server within seconds', async () => {
    const url = await postgres.freshDatabase();
    const a = await host(url);
    const { logger, lines } = captureLogger();
    const b = await host(url, logger);
    // B serves the server already (its index is loaded, without the document).
    expect(cites(await b.engine.ask('What does glacier hiking need?', { server: SERVER }), 'server:glaciers.md')).toBe(false);

    await a.engine.addDocument({ server: SERVER, name: 'glaciers.md', bytes: enc(GLACIERS), replace: false, addedBy: '222222222222222222' });
    expect(cites(await a.engine.ask('What does glacier hiking need?', { server: SERVER }), 'server:glaciers.md')).toBe(true);
    const before = b.embedder.texts.length;
    await until(async () => cites(await b.engine.ask('What does glacier hiking need?', { server: SERVER }), 'server:glaciers.md'));
    // B rebuilt the server's index from A's vectors: it embedded the question only.
    expect(b.embedder.texts.slice(before).every((t) => t === 'What does glacier hiking need?')).toBe(true);
    expect(lines().find((l) => l.msg === 'server documents changed through another host; reindexed')).toMatchObject({ embedded: 0, documents: 1 });

    // Removed through B: A stops answering from it.
    await b.engine.removeDocument({ server: SERVER, name: 'glaciers.md' });
    await until(async () => !cites(await a.engine.ask('What does glacier hiking need?', { server: SERVER }), 'server:glaciers.md'));
    expect(await readdir(serverDirs(a.config.dataDir, SERVER).knowledgeDir)).toEqual([]);
  });

  it.skipIf(skip)('a host that starts cold builds the base and a server from the database, embedding nothing', async () => {
    const url = await postgres.freshDatabase();
    const a = await host(url);
    await a.engine.addDocument({ server: SERVER, name: 'glaciers.md', bytes: enc(GLACIERS), replace: false });
    expect(a.embedder.texts.length).toBeGreaterThan(0);

    const cold = await host(url);
    // Its base index was built (no index on disk) from vectors A shared, the gate's probes too.
    expect(cold.engine.builtAtOpen).toMatchObject({ embedded: 0 });
    expect(cold.embedder.texts).toEqual([]);
    const answer = await cold.engine.ask('What does glacier hiking need?', { server: SERVER });
    expect(cites(answer, 'server:glaciers.md')).toBe(true);
    expect(cold.embedder.texts).toEqual(['What does glacier hiking need?']);
    // The server's documents were materialised into its own folder.
    expect(await readdir(serverDirs(cold.config.dataDir, SERVER).knowledgeDir)).toEqual(['glaciers.md']);
  });

  it.skipIf(skip)('while the database is down a change is refused before anything is written; once it is back it goes through', async () => {
    const url = await postgres.freshDatabase();
    const a = await host(url);
    await a.engine.ask('Warm up the server?', { server: SERVER });
    await postgres.server().stop();
    try {
      await expect(a.engine.addDocument({ server: SERVER, name: 'glaciers.md', bytes: enc(GLACIERS), replace: false })).rejects.toMatchObject({ code: 'KNOWLEDGE_NOT_SHARED' });
    } finally {
      await postgres.server().start();
    }
    expect(await readdir(serverDirs(a.config.dataDir, SERVER).knowledgeDir).catch(() => [])).toEqual([]);
    expect(cites(await a.engine.ask('What does glacier hiking need?', { server: SERVER }), 'server:glaciers.md')).toBe(false);
    // Once the database is back, the same add goes through.
    await a.engine.addDocument({ server: SERVER, name: 'glaciers.md', bytes: enc(GLACIERS), replace: false });
    expect(cites(await a.engine.ask('What does glacier hiking need?', { server: SERVER }), 'server:glaciers.md')).toBe(true);
  });

  it.skipIf(skip)('a host that missed the news catches up before changing a server, so a name another host took is refused', async () => {
    const url = await postgres.freshDatabase();
    const a = await host(url);
    // A host whose notifications are lost (its listening connection down): its folder is stale.
    const deaf = await host(url, silentLogger, { deaf: true });
    await deaf.engine.ask('Warm up?', { server: SERVER });
    await a.engine.addDocument({ server: SERVER, name: 'glaciers.md', bytes: enc(GLACIERS), replace: false });
    expect(await readdir(serverDirs(deaf.config.dataDir, SERVER).knowledgeDir).catch(() => [])).toEqual([]);

    await expect(deaf.engine.addDocument({ server: SERVER, name: 'GLACIERS.md', bytes: enc('# Other\n\nOther text here today.\n'), replace: false })).rejects.toMatchObject({
      code: 'KNOWLEDGE_FILE_EXISTS',
    });
    // It caught up on the way: A's document is there and answers.
    expect(await readdir(serverDirs(deaf.config.dataDir, SERVER).knowledgeDir)).toEqual(['glaciers.md']);
    expect(cites(await deaf.engine.ask('What does glacier hiking need?', { server: SERVER }), 'server:glaciers.md')).toBe(true);
    const stored = await new PostgresServerDocuments(a.db, silentLogger).list(SERVER);
    expect(stored.map((d) => d.name)).toEqual(['glaciers.md']);
  });

  it.skipIf(skip)('a change the database fails to record at the last step is undone on the host that made it', async () => {
    const url = await postgres.freshDatabase();
    const a = await host(url, silentLogger, { failPublish: true });
    await a.engine.ask('Warm up the server?', { server: SERVER });
    await expect(a.engine.addDocument({ server: SERVER, name: 'glaciers.md', bytes: enc(GLACIERS), replace: false })).rejects.toMatchObject({
      code: 'KNOWLEDGE_NOT_SHARED',
      message: expect.stringContaining('Connection terminated unexpectedly'),
    });
    expect(await readdir(serverDirs(a.config.dataDir, SERVER).knowledgeDir)).toEqual([]);
    expect(cites(await a.engine.ask('What does glacier hiking need?', { server: SERVER }), 'server:glaciers.md')).toBe(false);
  });
});
