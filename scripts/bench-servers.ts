/**
 * The many-servers figure of `npm run bench`, run in its own process so its RSS is the bot's alone:
 * SERVERS servers with 5 small documents each on disk, their indexes built once (persisted in
 * DATA_DIR, reused by later runs), then an engine opened as at a restart, with every server cold.
 * Prints one JSON object on stdout; asserts nothing.
 *
 * Two runs, each its own process: `--build` builds the server indexes that are missing (a first
 * run builds all; later runs find them persisted), then the measuring run starts as at a restart.
 *
 * Environment: KNOWLEDGE_DIR, INDEX_DIR (the base, already built), DATA_DIR (servers), EMBEDDER,
 * MODEL_DIR, BENCH_SERVERS (default 1000), BENCH_QUESTIONS (a JSON file: an array of questions).
 */
import 'dotenv/config';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { ThreadEmbedder } from '../src/engine/thread-embedder.ts';
import { Engine } from '../src/engine/engine.ts';
import { serverDirs } from '../src/engine/servers.ts';
import { createLogger } from '../src/logger.ts';
import { readManifest } from '../src/store/index-store.ts';
import { mb, pct, r2 } from './bench-figures.ts';
import { DOCUMENTS_PER_SERVER, serverDocument, serverId } from './bench-server-documents.ts';

/** Servers whose first question is timed one by one (the rest are swept through once). */
const COLD_SAMPLES = 100;


async function main(): Promise<void> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const config = loadConfig();
  const servers = Number(process.env.BENCH_SERVERS ?? 1000);
  const questions = JSON.parse(await readFile(process.env.BENCH_QUESTIONS!, 'utf8')) as string[];
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  // On its own thread, as the engine loads it.
  const embedder = await ThreadEmbedder.start(config);
  const say = (msg: string) => process.stderr.write(`[bench servers] ${msg}\n`);

  if (process.argv.includes('--build')) {
    const builder = await Engine.open({ config, embedder, logger });
    const buildStarted = performance.now();
    let built = 0;
    for (let i = 0; i < servers; i++) {
      const { knowledgeDir, indexDir } = serverDirs(config.dataDir, serverId(i));
      if ((await readManifest(indexDir).catch(() => undefined)) !== undefined) continue;
      await mkdir(knowledgeDir, { recursive: true });
      for (let k = 0; k < DOCUMENTS_PER_SERVER; k++) await writeFile(path.join(knowledgeDir, `guide-${k}.md`), serverDocument(i, k));
      await builder.reindex({ server: serverId(i) });
      built++;
      if (built % 100 === 0) say(`built ${built} server indexes`);
    }
    const buildMs = performance.now() - buildStarted;
    process.stdout.write(JSON.stringify({ build_ms: Math.round(buildMs), built_now: built, build_ms_per_server: built > 0 ? r2(buildMs / built) : null }) + '\n');
    await builder.close();
    clearInterval(sampler);
    return;
  }
  const rssAtOpen = process.memoryUsage().rss;

  // A restart: every server cold. The questions' vectors are cached first, so the figures below
  // compare the knowledge's share of an answer (search, merge, gate; opening a server) alone.
  const engine = await Engine.open({ config, embedder, logger });
  for (const q of questions) await engine.ask(q);
  const time = async (fn: () => Promise<unknown>) => {
    const started = performance.now();
    await fn();
    return performance.now() - started;
  };
  const ROUNDS = 5;
  const baseOnly: number[] = [];
  const inServer: number[] = [];
  await engine.ask(questions[0]!, { server: serverId(0) });
  for (let round = 0; round < ROUNDS; round++) {
    for (const q of questions) {
      baseOnly.push(await time(() => engine.ask(q)));
      inServer.push(await time(() => engine.ask(q, { server: serverId(0) })));
    }
  }

  const cold: number[] = [];
  for (let i = 1; i <= Math.min(COLD_SAMPLES, servers - 1); i++) cold.push(await time(() => engine.ask(questions[i % questions.length]!, { server: serverId(i) })));

  // Every server asked once, in turn: loading and unloading (at most MAX_LOADED_SERVERS held).
  const sweepStarted = performance.now();
  const sweep: number[] = [];
  for (let i = 0; i < servers; i++) sweep.push(await time(() => engine.ask(questions[i % questions.length]!, { server: serverId(i) })));
  const sweepMs = performance.now() - sweepStarted;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  clearInterval(sampler);

  const p50Base = pct(baseOnly, 0.5);
  const p50Server = pct(inServer, 0.5);
  process.stdout.write(
    JSON.stringify({
      servers,
      documents_per_server: DOCUMENTS_PER_SERVER,
      max_loaded_servers: config.maxLoadedServers,
      base_only_p50_ms: r2(p50Base),
      base_only_p95_ms: r2(pct(baseOnly, 0.95)),
      loaded_server_p50_ms: r2(p50Server),
      loaded_server_p95_ms: r2(pct(inServer, 0.95)),
      loaded_server_extra_p50_ms: r2(p50Server - p50Base),
      cold_server_first_p50_ms: r2(pct(cold, 0.5)),
      cold_server_first_p95_ms: r2(pct(cold, 0.95)),
      cold_server_first_max_ms: r2(Math.max(...cold)),
      sweep_ms: Math.round(sweepMs),
      sweep_p50_ms: r2(pct(sweep, 0.5)),
      sweep_p95_ms: r2(pct(sweep, 0.95)),
      loaded_after_sweep: engine.loadedServers,
      rss_model_loaded_mb: mb(rssAtOpen),
      rss_peak_mb: mb(peakRss),
      rss_end_mb: mb(process.memoryUsage().rss),
    }) + '\n',
  );
  // One embedder serves both engines; it belongs to this script, not to them.
  await engine.close();
  await embedder.dispose();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench servers failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
