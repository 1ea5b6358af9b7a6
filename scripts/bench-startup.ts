/**
 * Child process of `npm run bench`: start-up to the first answer with a persisted index, then
 * the peak memory of a process that has answered the dev questions. Not meant to be run by hand.
 *
 * Usage: node --import tsx scripts/bench-startup.ts questions.jsonl ...
 * Env: KNOWLEDGE_DIR, INDEX_DIR (an index already persisted there), EMBEDDER.
 * Prints JSON lines on stdout: {"event":"first-answer",...} as soon as the first answer exists,
 * then {"event":"done",...}. Everything else goes to stderr.
 */
import { readFileSync } from 'node:fs';

// Measured from process start (performance.timeOrigin); imports are dynamic so their cost shows.
const startedAt = performance.now();
const send = (obj: Record<string, unknown>) => process.stdout.write(JSON.stringify(obj) + '\n');
const round = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  // As the entry points do: the model thread is launched first, then the rest is imported.
  const { loadConfig } = await import('../src/config.ts');
  const { ThreadEmbedder } = await import('../src/engine/thread-embedder.ts');
  const config = loadConfig();
  ThreadEmbedder.prelaunch(config);
  const launched = performance.now();
  const { Engine } = await import('../src/engine/engine.ts');
  const { readManifest } = await import('../src/store/index-store.ts');
  const imported = performance.now();

  const before = await readManifest(config.indexDir);
  const engine = await Engine.open({ config });
  const opened = performance.now();

  const questions = process.argv
    .slice(2)
    .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { question: string }).question);
  const first = await engine.ask(questions[0] ?? 'What skills do I need to become a machine learning engineer?');
  const answered = performance.now();
  send({
    event: 'first-answer',
    uptime_ms: round(process.uptime() * 1000),
    since_time_origin_ms: round(answered),
    phases_ms: {
      runtime_and_loader: round(startedAt),
      model_launch: round(launched - startedAt),
      // The model loads on its thread from here on, meanwhile:
      imports: round(imported - launched),
      // The index opens; then the engine waits for the model, if it is not ready yet.
      index_open_and_model_wait: round(opened - imported),
      first_ask: round(answered - opened),
    },
    refused: first.refused,
    // The index must have been loaded, not rebuilt: otherwise this is not a start-up figure.
    reused_persisted_index: before !== undefined && (await readManifest(config.indexDir))?.generation === before.generation,
  });

  for (const q of questions) await engine.ask(q);
  const usage = process.resourceUsage();
  send({
    event: 'done',
    answered: questions.length + 1,
    // maxRSS is in kilobytes.
    max_rss_mb: round(usage.maxRSS / 1024),
    rss_now_mb: round(process.memoryUsage().rss / 1024 / 1024),
    heap_used_mb: round(process.memoryUsage().heapUsed / 1024 / 1024),
  });
  await engine.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench-startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
