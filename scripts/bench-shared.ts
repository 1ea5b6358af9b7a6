/**
 * The several-hosts figures of `npm run bench`, each part in its own process (so RSS is a host's
 * own): a PostgreSQL database (DATABASE_URL) seeded as hosts would have left it, then a cold host
 * measured against it, and a host following another's changes. Prints JSON lines on stdout;
 * asserts nothing.
 *
 *   seed    BENCH_SERVERS servers × 5 documents written through the server documents' store, the
 *           passages' vectors put in the shared cache, the base built once through the cache.
 *           The servers' vectors are synthetic (noisy blends of real embeddings of this model:
 *           embedding 5,000 passages would take minutes and is exactly what a cold host skips);
 *           what is timed never depends on their values.
 *   cold    a host with empty folders: opens (the base built from the cache), then one question
 *           in each server in turn: its documents materialised, its index built from the cache.
 *           Counts every text it embedded.
 *   follow  host B: loads BENCH_SERVER, then for each line {"doc","question"} on stdin asks the
 *           question every 10 ms until an answer cites that document, and prints when.
 *
 * Environment: DATABASE_URL, KNOWLEDGE_DIR, INDEX_DIR, DATA_DIR, EMBEDDER, MODEL_DIR,
 * BENCH_SERVERS (seed, cold), BENCH_SERVER (follow).
 */
import 'dotenv/config';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config.ts';
import { embeddingModelKey, normalize, type Embedder } from '../src/embeddings/embedder.ts';
import { Engine } from '../src/engine/engine.ts';
import { embeddingKey } from '../src/engine/live-index.ts';
import { ThreadEmbedder } from '../src/engine/thread-embedder.ts';
import { withoutBoilerplate } from '../src/ingest/boilerplate.ts';
import { chunkDocument } from '../src/ingest/chunk.ts';
import { loadKnowledge } from '../src/ingest/load.ts';
import { createLogger } from '../src/logger.ts';
import { Database } from '../src/state/postgres/database.ts';
import { PostgresEmbeddingCache } from '../src/state/postgres/embedding-cache.ts';
import { PostgresServerDocuments } from '../src/state/postgres/server-documents.ts';
import { mb, pct, r2 } from './bench-figures.ts';
import { DOCUMENTS_PER_SERVER, rng, serverDocument, serverId } from './bench-server-documents.ts';

const COLD_QUESTION = 'What is the schedule of the next tournament?';

const say = (msg: string) => process.stderr.write(`[bench shared] ${msg}\n`);
const print = (value: unknown) => process.stdout.write(JSON.stringify(value) + '\n');

/** Counts every text embedded through it (passages, probes, questions). */
class CountingEmbedder implements Embedder {
  texts = 0;
  constructor(private readonly inner: Embedder) {}
  get name() {
    return this.inner.name;
  }
  get dim() {
    return this.inner.dim;
  }
  embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.texts += texts.length;
    return this.inner.embed(texts);
  }
}

async function seed(): Promise<void> {
  const config = loadConfig();
  const servers = Number(process.env.BENCH_SERVERS ?? 1000);
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const db = await Database.open({ url: config.databaseUrl!, poolMax: 4, logger });
  const documents = new PostgresServerDocuments(db, logger);
  const cache = new PostgresEmbeddingCache(db);
  const embedder = await ThreadEmbedder.start(config);
  const started = performance.now();
  try {
    // The base, built once through the cache (as the first host does): real vectors, probes included.
    await (await Engine.open({ config, embedder, logger, shared: { documents, embeddings: cache } })).close();
    const model = embeddingModelKey(embedder);
    // Real embeddings of server-like sentences: the parents of the synthetic vectors.
    const parents = await embedder.embed(Array.from({ length: 24 }, (_, i) => serverDocument(i, i % DOCUMENTS_PER_SERVER).split('\n').at(-2)!));
    const scratch = path.join(config.dataDir, 'seed-scratch');
    let vectors = 0;
    for (let i = 0; i < servers; i++) {
      const dir = path.join(scratch, String(i));
      await mkdir(dir, { recursive: true });
      for (let k = 0; k < DOCUMENTS_PER_SERVER; k++) {
        const text = serverDocument(i, k);
        await writeFile(path.join(dir, `guide-${k}.md`), text);
        await documents.publish(serverId(i), { name: `guide-${k}.md`, bytes: new TextEncoder().encode(text), addedBy: null, replace: true });
      }
      const knowledge = await loadKnowledge(dir);
      const chunks = withoutBoilerplate(knowledge.documents).flatMap((d) => chunkDocument(d));
      const rand = rng(i + 1);
      const entries = new Map<string, Float32Array>();
      for (const chunk of chunks) {
        const parent = parents[Math.floor(rand() * parents.length)]!;
        const v = new Float32Array(parent.length);
        for (let d = 0; d < v.length; d++) v[d] = parent[d]! + (rand() - 0.5) * 0.05;
        entries.set(embeddingKey(chunk), normalize(v));
      }
      await cache.put(model, entries);
      vectors += entries.size;
      await rm(dir, { recursive: true, force: true });
      if ((i + 1) % 200 === 0) say(`seeded ${i + 1} servers`);
    }
    print({ seed_ms: Math.round(performance.now() - started), seeded_servers: servers, seeded_vectors: vectors });
  } finally {
    await embedder.dispose();
    await db.close();
  }
}

async function cold(): Promise<void> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const started = performance.now();
  const config = loadConfig();
  const servers = Number(process.env.BENCH_SERVERS ?? 1000);
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const db = await Database.open({ url: config.databaseUrl!, poolMax: config.databasePoolMax, logger });
  const thread = await ThreadEmbedder.start(config);
  const embedder = new CountingEmbedder(thread);
  const engine = await Engine.open({ config, embedder, logger, shared: { documents: new PostgresServerDocuments(db, logger), embeddings: new PostgresEmbeddingCache(db) } });
  const openMs = performance.now() - started;
  const openEmbedded = embedder.texts;
  const rssOpen = process.memoryUsage().rss;

  const perServer: number[] = [];
  let cited = 0;
  const sweepStarted = performance.now();
  for (let i = 0; i < servers; i++) {
    const t = performance.now();
    const answer = await engine.ask(COLD_QUESTION, { server: serverId(i) });
    perServer.push(performance.now() - t);
    if (answer.citations.some((c) => c.source.startsWith('server:'))) cited++;
    if ((i + 1) % 200 === 0) say(`cold host: ${i + 1} servers served`);
  }
  const sweepMs = performance.now() - sweepStarted;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  clearInterval(sampler);
  print({
    servers,
    documents_per_server: DOCUMENTS_PER_SERVER,
    max_loaded_servers: config.maxLoadedServers,
    open_ms: Math.round(openMs),
    open_texts_embedded: openEmbedded,
    sweep_s: r2(sweepMs / 1000),
    total_s: r2((performance.now() - started) / 1000),
    per_server_p50_ms: r2(pct(perServer, 0.5)),
    per_server_p95_ms: r2(pct(perServer, 0.95)),
    per_server_max_ms: r2(Math.max(...perServer)),
    answers_citing_the_server: cited,
    // The one question, embedded once (then cached); anything more was a passage or probe.
    texts_embedded: embedder.texts,
    rss_open_mb: mb(rssOpen),
    rss_peak_mb: mb(peakRss),
    rss_end_mb: mb(process.memoryUsage().rss),
  });
  await engine.close();
  await thread.dispose();
  await db.close();
}

async function follow(): Promise<void> {
  const config = loadConfig();
  const server = process.env.BENCH_SERVER!;
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const db = await Database.open({ url: config.databaseUrl!, poolMax: config.databasePoolMax, logger });
  const engine = await Engine.open({ config, logger, shared: { documents: new PostgresServerDocuments(db, logger), embeddings: new PostgresEmbeddingCache(db) } });
  await engine.ask('Warm up this server?', { server });
  print({ event: 'ready' });
  for await (const line of createInterface({ input: process.stdin })) {
    const { doc, question } = JSON.parse(line) as { doc: string; question: string };
    // The question's vector is cached after the first ask: each poll is the knowledge's share only.
    await engine.ask(question, { server });
    print({ event: 'watching', doc });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const answer = await engine.ask(question, { server });
      if (answer.citations.some((c) => c.source === `server:${doc}`)) {
        print({ event: 'answered', doc, at: Date.now() });
        break;
      }
      if (Date.now() > deadline) {
        print({ event: 'timeout', doc });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  await engine.close();
  await db.close();
}

const mode = process.argv[2];
(mode === 'seed' ? seed() : mode === 'cold' ? cold() : mode === 'follow' ? follow() : Promise.reject(new Error('mode: seed, cold or follow'))).catch((error: unknown) => {
  process.stderr.write(`bench shared failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
