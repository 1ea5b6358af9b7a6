/**
 * Child process of `npm run bench`: answer latency while a reindex runs, and the peak memory of
 * the answering process meanwhile. Not meant to be run by hand.
 *
 * Usage: node --import tsx scripts/bench-reindex.ts warmup.jsonl measured.jsonl
 * Env: KNOWLEDGE_DIR, INDEX_DIR (an index of that knowledge already persisted there), EMBEDDER,
 *      REBUILD_DIR (an empty folder for the rebuilt index).
 *
 * Opens the engine as the bot does, answers the measured questions once with nothing else
 * running, then rebuilds the whole index from scratch on the build worker thread (no vector
 * reused: the most a reindex can cost) while asking the measured questions one after another,
 * 50 ms apart, until it ends. Prints one JSON object on stdout; everything else goes to stderr.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../src/config.ts';
import { buildIndex } from '../src/engine/build-index.ts';
import { BuildWorker } from '../src/engine/build-worker.ts';
import { Engine } from '../src/engine/engine.ts';
import { ThreadEmbedder } from '../src/engine/thread-embedder.ts';
import { loadKnowledge } from '../src/ingest/load.ts';

const PAUSE_MS = 50;
const RSS_SAMPLE_MS = 25;
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

function questionsOf(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { question: string }).question);
}

function pct(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

async function main(): Promise<void> {
  const [warmupFile, measuredFile] = process.argv.slice(2);
  const rebuildDir = process.env.REBUILD_DIR;
  if (!warmupFile || !measuredFile || !rebuildDir) throw new Error('usage: bench-reindex.ts warmup.jsonl measured.jsonl (with REBUILD_DIR set)');
  const config = loadConfig();
  // As the engine sets itself up: the model on its own thread, which answers and the rebuild share.
  const embedder = await ThreadEmbedder.start(config);
  const engine = await Engine.open({ config, embedder });
  if (engine.builtAtOpen) throw new Error('the index was rebuilt at open: it must be persisted before this child starts');

  // Warm the code paths on other questions, so the measured ones miss the query cache.
  for (const q of [...questionsOf(warmupFile), ...questionsOf(warmupFile)]) await engine.ask(q);
  const measured = questionsOf(measuredFile);
  const idle: number[] = [];
  for (const q of measured) {
    const start = performance.now();
    await engine.ask(q);
    idle.push(performance.now() - start);
  }

  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), RSS_SAMPLE_MS);
  // How long the main thread was ever kept from answering: what the rebuild still does there.
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  stalls.enable();
  const worker = new BuildWorker(config, { embedder });
  let running = true;
  const started = performance.now();
  const rebuild = buildIndex({
    knowledge: await loadKnowledge(config.knowledgeDir),
    embedder: { name: config.embedder, dim: engine.stats().dim },
    work: worker,
    indexDir: rebuildDir,
  }).finally(() => (running = false));

  const during: number[] = [];
  for (let i = 0; running; i++) {
    // A round number after the question: the same wording would hit the query cache.
    const q = `${measured[i % measured.length]!} (${Math.floor(i / measured.length) + 1})`;
    const start = performance.now();
    await engine.ask(q);
    during.push(performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  const { report } = await rebuild;
  const rebuildMs = performance.now() - started;
  clearInterval(sampler);
  stalls.disable();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await worker.dispose();
  await engine.close();
  await embedder.dispose();

  process.stdout.write(
    JSON.stringify({
      idle_p50_ms: r2(pct(idle, 0.5)),
      idle_p95_ms: r2(pct(idle, 0.95)),
      idle_answers: idle.length,
      during_p50_ms: r2(pct(during, 0.5)),
      during_p95_ms: r2(pct(during, 0.95)),
      during_max_ms: r2(Math.max(...during)),
      during_answers: during.length,
      main_thread_stall_max_ms: r2(stalls.max / 1e6),
      rebuild_ms: Math.round(rebuildMs),
      rebuild_passages: report.chunks,
      rebuild_embedded: report.embedded,
      rebuild_passages_per_s: Math.round((report.embedded / (rebuildMs / 1000)) * 10) / 10,
      rss_before_mb: mb(rssBefore),
      peak_rss_mb: mb(peakRss),
    }) + '\n',
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench-reindex failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
