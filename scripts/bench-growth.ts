/**
 * Child process of `npm run bench`: knowledge that grows. Not meant to be run by hand.
 *
 * PHASE=build (a process of its own):
 * 1. The article and the Hugging Face course are built from scratch as a start-up does it: the
 *    engine's own model threads (the one that answers, and a second one for the build).
 * 2. The interviews guide joins them: a reindex, which embeds only the guide.
 * PHASE=answer (another process, as after a restart): the persisted article + guide + course is
 * opened as a bot opens it and every dev, guide and course question asked once (the process's peak
 * memory then is an answering bot's, reported); then the questions are timed, each once per round
 * on a fresh engine (no query cache) sharing one model thread.
 *
 * Env: PHASE, WORK_DIR (the same folder for both phases), SHARED_DIR (../shared), ROUNDS,
 * SMOKE=1 (a few files of each corpus). Prints one JSON line on stdout; progress on stderr.
 */
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { Engine } from '../src/engine/engine.ts';
import { ThreadEmbedder } from '../src/engine/thread-embedder.ts';
import { createLogger } from '../src/logger.ts';

const log = (msg: string) => process.stderr.write(`[bench growth] ${msg}\n`);
const workDir = process.env.WORK_DIR!;
const shared = process.env.SHARED_DIR!;
const rounds = Number(process.env.ROUNDS ?? 2);
const smoke = process.env.SMOKE === '1';
const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const rssMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);
const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function copyCorpus(from: string, into: string): Promise<void> {
  await mkdir(into, { recursive: true });
  let files = (await readdir(from)).filter((f) => /\.(md|mdx)$/.test(f)).sort();
  if (smoke) files = files.slice(0, 4);
  for (const f of files) await copyFile(path.join(from, f), path.join(into, f));
}

async function questions(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { question: string }).question);
}

function pct(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 100) / 100;
}

async function build(): Promise<Record<string, unknown>> {
  const knowledgeDir = path.join(workDir, 'knowledge');
  await mkdir(knowledgeDir, { recursive: true });
  await copyFile(path.join(repoRoot, 'knowledge', 'ml-engineer-demand.md'), path.join(knowledgeDir, 'ml-engineer-demand.md'));
  await copyCorpus(path.join(shared, 'corpora', 'hf-course', 'docs'), path.join(knowledgeDir, 'hf-course'));

  log('building the article and the course from scratch (the engine’s own model threads)');
  const engine = await Engine.open({ config: configFor(), logger: createLogger('warn') });
  const built = engine.builtAtOpen!;
  const peakAfterBuild = maxRssMb();

  log('adding the interviews guide (a reindex)');
  await copyCorpus(path.join(shared, 'corpora', 'ml-interviews-guide', 'docs'), path.join(knowledgeDir, 'ml-interviews-guide'));
  const grown = await engine.reindex();
  await engine.close();
  return {
    build: {
      documents: built.documents,
      passages: built.chunks,
      embedded: built.embedded,
      ms: built.ms,
      passages_per_s: Math.round((built.chunks / (built.ms / 1000)) * 10) / 10,
      peak_rss_mb: peakAfterBuild,
    },
    grown: { documents: grown.documents, passages: grown.chunks, embedded: grown.embedded, reused: grown.reused, ms: grown.ms },
    peak_rss_mb: maxRssMb(),
  };
}

async function answer(): Promise<Record<string, unknown>> {
  const asked = [
    ...(await questions(path.join(shared, 'eval', 'questions.dev.jsonl'))),
    ...(await questions(path.join(shared, 'eval', 'questions.guide.jsonl'))),
    ...(await questions(path.join(shared, 'eval', 'questions.hf-course.jsonl'))),
  ];
  const config = configFor();
  log(`answering ${asked.length} questions × ${rounds} rounds (+1 warm-up) on article + guide + course`);
  // As a bot: one engine, its own model thread, every question once. Its peak is the answering process's.
  const bot = await Engine.open({ config, logger: createLogger('warn') });
  if (bot.builtAtOpen !== undefined) throw new Error('the answering phase found no persisted index: run PHASE=build first');
  for (const q of asked) await bot.ask(q);
  const botPeak = maxRssMb();
  const botRss = rssMb();
  await bot.close();
  // Timed rounds: a fresh engine per round (no query cache), all on one model thread.
  const embedder = await ThreadEmbedder.start(config);
  const samples: number[] = [];
  let refused = 0;
  for (let round = 0; round < rounds; round++) {
    const engine = await Engine.open({ config, logger: createLogger('warn'), embedder });
    for (const q of asked) {
      const started = performance.now();
      const a = await engine.ask(q);
      samples.push(performance.now() - started);
      if (a.refused) refused++;
    }
    await engine.close();
  }
  await embedder.dispose();
  return {
    answers: { measured: samples.length, refused, p50_ms: pct(samples, 0.5), p95_ms: pct(samples, 0.95), max_ms: pct(samples, 1) },
    peak_rss_mb: botPeak,
    rss_end_mb: botRss,
  };
}

function configFor() {
  return loadConfig({ ...process.env, KNOWLEDGE_DIR: path.join(workDir, 'knowledge'), INDEX_DIR: path.join(workDir, 'index') }, repoRoot);
}

async function main(): Promise<void> {
  const figures = process.env.PHASE === 'answer' ? await answer() : await build();
  process.stdout.write(JSON.stringify(figures) + '\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench-growth failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
