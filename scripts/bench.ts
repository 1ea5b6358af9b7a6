/**
 * Performance figures, measured in one run; asserts nothing (see DESIGN.md, "Measuring").
 *
 * Usage: npm run bench [-- --json] [--full] [--smoke] [--rounds N]
 *   --json    exactly one JSON object on stdout; progress and logs go to stderr. npm itself
 *             prints a "> bench" banner on stdout: use `npm run -s bench -- --json` or
 *             `npx tsx scripts/bench.ts --json` when piping the JSON.
 *   --full    also the vector search at 100k vectors (about 1.5 more minutes on 2 cores)
 *   --smoke   the tiniest setting, for the test: 1 round, 1k vectors, one HNSW setting
 *   --rounds  rounds of uncached answers (default 5)
 *   --shared  only the several-hosts section (PostgreSQL: recording, a cold host, add → answer)
 *
 * Real-knowledge section: the article plus ../shared/corpora/ml-interviews-guide/docs, copied into
 * a temporary folder: build from scratch, answers on the guide's questions, and answers while
 * the whole index is rebuilt on the build worker (scripts/bench-reindex.ts, a child process).
 *
 * Follow-ups (scripts/bench-follow-ups.ts): a follow-up with its conversation against the same words asked
 * plainly. Forums (scripts/bench-forum.ts): the bot and the Discord emulator with Discord's rate limits, a burst of
 * forum posts answered on the bot's own at several pacings, and a follow-up mention against a plain one.
 *
 * Never touches the repository's data/index: every index lives in a temporary folder.
 * KNOWLEDGE_DIR (default: knowledge/) and EMBEDDER are read through loadConfig like the app does.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { userTempCache } from './temp-cache.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../src/config.ts';
import { normalize, type Embedder } from '../src/embeddings/embedder.ts';
import { ThreadEmbedder } from '../src/engine/thread-embedder.ts';
import { Engine } from '../src/engine/engine.ts';
import { buildIndex } from '../src/engine/build-index.ts';
import { inProcessBuildWork } from '../src/engine/build-work.ts';
import { chunkDocument } from '../src/ingest/chunk.ts';
import { loadKnowledge } from '../src/ingest/load.ts';
import { createLogger } from '../src/logger.ts';
import { HNSW_PARAMS, VectorIndex } from '../src/search/vector-index.ts';
import { readManifest } from '../src/store/index-store.ts';
import type { Answer } from '../src/types.ts';
import { benchChildEnv } from './bench-figures.ts';
import { benchSharedState, sharedTables, type SharedFigures } from './bench-shared-figures.ts';
import { benchFollowUps } from './bench-follow-ups.ts';
import { benchForum } from './bench-forum.ts';
import { benchAskStartup, type AskStartupFigures } from './bench-ask-startup.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(here, '..');
const QUESTION_FILES = [
  path.resolve(REPO_ROOT, '..', 'shared', 'eval', 'questions.dev.jsonl'),
  path.resolve(REPO_ROOT, 'tests', 'fixtures', 'questions.paraphrased.jsonl'),
];
const STARTUP_CHILD = path.join(here, 'bench-startup.ts');
const REINDEX_CHILD = path.join(here, 'bench-reindex.ts');
const PDF_CHILD = path.join(here, 'bench-pdf.ts');
/** Real knowledge for the build, answer and reindex figures: the article plus a real guide, read from ../shared. */
const ARTICLE = path.join(REPO_ROOT, 'knowledge', 'ml-engineer-demand.md');
const GUIDE_DOCS = path.resolve(REPO_ROOT, '..', 'shared', 'corpora', 'ml-interviews-guide', 'docs');
const GUIDE_QUESTIONS = path.resolve(REPO_ROOT, '..', 'shared', 'eval', 'questions.guide.jsonl');
const SERVERS_CHILD = path.join(here, 'bench-servers.ts');
const GROWTH_CHILD = path.join(here, 'bench-growth.ts');
const SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');
/** Servers of the many-servers figure, and where their indexes are kept between bench runs (built once: minutes). */
const MANY_SERVERS = 1_000;
const serverCache = (embedder: string) => userTempCache(`mlbot-bench-servers-${embedder}-v1`);

/** `npm run ask` to its answer under tsx and compiled, in the article's table. */
function askStartupRows(a: AskStartupFigures): string[][] {
  return [
    ['npm run ask, spawn → answer (tsx)', `${a.tsx_p50_ms} (runs ${a.tsx_runs_ms.join(', ')})`, `≤ ${TARGETS.startup_ms}`, verdict(a.tsx_p50_ms, TARGETS.startup_ms)],
    ['  compiled (npm run build, node dist/…)', `${a.compiled_p50_ms} (runs ${a.compiled_runs_ms.join(', ')})`, `≤ ${TARGETS.startup_ms}`, verdict(a.compiled_p50_ms, TARGETS.startup_ms)],
    ['  npm run build itself (ms)', String(a.build_ms), '', ''],
  ];
}

const TARGETS = {
  answer_p50_ms: 15,
  answer_p95_ms: 40,
  startup_ms: 1000,
  reindex_unchanged_ms: 200,
  rss_mb: 350,
  servers_loaded_extra_ms: 2,
  servers_cold_first_ms: 300,
  servers_rss_mb: 500,
  hnsw_100k_recall_at_10: 0.97,
  hnsw_100k_query_p50_ms: 2,
  real_build_passages_per_s: 100,
  real_answer_p50_ms: 10,
  real_answer_p95_ms: 25,
  real_reindex_answer_p95_ms: 250,
  real_reindex_peak_rss_mb: 400,
  growth_build_s: 75,
  growth_answer_p50_ms: 15,
  growth_answer_p95_ms: 30,
  growth_peak_rss_mb: 400,
};

// ---------------------------------------------------------------------------------------------
// Options and small helpers

interface Options {
  json: boolean;
  full: boolean;
  smoke: boolean;
  rounds: number;
  sharedOnly: boolean;
}

function parseArgs(argv: string[]): Options {
  const smoke = argv.includes('--smoke');
  const roundsAt = argv.indexOf('--rounds');
  const rounds = roundsAt >= 0 ? Number(argv[roundsAt + 1]) : smoke ? 1 : 5;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number ≥ 1');
  return { json: argv.includes('--json'), full: argv.includes('--full'), smoke, rounds, sharedOnly: argv.includes('--shared') };
}

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** Nearest-rank percentile (p in 0..1) of unsorted samples. */
function pct(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
const median = (samples: readonly number[]) => pct(samples, 0.5);
const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const r1 = (x: number) => Math.round(x * 10) / 10;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

/** Deterministic PRNG (mulberry32), so the synthetic vectors are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

function readQuestions(): { questions: string[]; files: string[] } {
  const files = QUESTION_FILES.filter((f) => {
    if (existsSync(f)) return true;
    log(`question file not found, skipped: ${f}`);
    return false;
  });
  const questions = files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => (JSON.parse(l) as { question: string }).question),
  );
  if (questions.length === 0) throw new Error('no questions to ask: neither question file was found');
  return { questions, files };
}

/** The shared embedder, without `dispose`: closing one of the many engines must not unload it. */
function shared(embedder: Embedder): Embedder {
  return { name: embedder.name, dim: embedder.dim, embed: (texts) => embedder.embed(texts) };
}

/** What an answer says, to check that concurrency does not change answers. */
function answerKey(a: Answer): string {
  return `${a.refused}|${a.citations.map((c) => `${c.source}#${c.section}#${c.text}`).join('|')}`;
}

// ---------------------------------------------------------------------------------------------
// Answer path

interface AnswerSample {
  wallMs: number;
  totalMs: number;
  embedMs: number;
  searchMs: number;
  refused: boolean;
}

async function askAll(engine: Engine, questions: readonly string[]): Promise<{ samples: AnswerSample[]; keys: string[] }> {
  const samples: AnswerSample[] = [];
  const keys: string[] = [];
  for (const q of questions) {
    const [answer, wallMs] = await timed(() => engine.ask(q));
    samples.push({ wallMs, ...answer.timings, refused: answer.refused });
    keys.push(answerKey(answer));
  }
  return { samples, keys };
}

function summarizeAnswers(samples: readonly AnswerSample[]) {
  const total = sum(samples.map((s) => s.totalMs));
  return {
    p50: r2(median(samples.map((s) => s.wallMs))),
    p95: r2(pct(samples.map((s) => s.wallMs), 0.95)),
    max: r2(Math.max(...samples.map((s) => s.wallMs))),
    embedP50: r2(median(samples.map((s) => s.embedMs))),
    searchP50: r2(median(samples.map((s) => s.searchMs))),
    embedShare: r3(sum(samples.map((s) => s.embedMs)) / total),
    searchShare: r3(sum(samples.map((s) => s.searchMs)) / total),
    refused: samples.filter((s) => s.refused).length,
  };
}

// ---------------------------------------------------------------------------------------------
// Start-up child

interface StartupRun {
  startupMs: number;
  uptimeMs: number;
  phases: Record<string, number>;
  reusedPersistedIndex: boolean;
  maxRssMb: number;
  answered: number;
}

/** A bench child script in its own process, run by tsx with a minimal environment plus `env`. */
function spawnBenchChild(script: string, args: readonly string[], env: Record<string, string>) {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    env: benchChildEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function runStartupChild(env: Record<string, string>, questionFiles: string[]): Promise<StartupRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawnBenchChild(STARTUP_CHILD, questionFiles, env);
    let buffered = '';
    let stderr = '';
    let first: { at: number; msg: Record<string, unknown> } | undefined;
    let done: Record<string, unknown> | undefined;
    child.stdout.on('data', (d: Buffer) => {
      const now = performance.now();
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const msg = JSON.parse(line) as Record<string, unknown>;
        if (msg.event === 'first-answer') first = { at: now, msg };
        if (msg.event === 'done') done = msg;
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || !first || !done) {
        reject(new Error(`start-up child failed (exit ${code}): ${stderr.trim().slice(-2000)}`));
        return;
      }
      resolve({
        startupMs: first.at - started,
        uptimeMs: first.msg.uptime_ms as number,
        phases: first.msg.phases_ms as Record<string, number>,
        reusedPersistedIndex: first.msg.reused_persisted_index as boolean,
        maxRssMb: done.max_rss_mb as number,
        answered: done.answered as number,
      });
    });
  });
}

type ManyServersFigure = Record<
  | 'servers' | 'documents_per_server' | 'max_loaded_servers' | 'built_now' | 'build_ms' | 'build_ms_per_server'
  | 'base_only_p50_ms' | 'base_only_p95_ms' | 'loaded_server_p50_ms' | 'loaded_server_p95_ms' | 'loaded_server_extra_p50_ms'
  | 'cold_server_first_p50_ms' | 'cold_server_first_p95_ms' | 'cold_server_first_max_ms'
  | 'sweep_ms' | 'sweep_p50_ms' | 'sweep_p95_ms' | 'loaded_after_sweep' | 'rss_model_loaded_mb' | 'rss_peak_mb' | 'rss_end_mb',
  number
>;

/**
 * Runs a bench child script in its own process (tsx, a minimal environment) and resolves with the
 * JSON of the last line it printed on stdout; stderr lines matching `echo` are shown as progress.
 */
function runJsonChild<T>(script: string, args: readonly string[], env: Record<string, string>, label: string, echo?: RegExp): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawnBenchChild(script, args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (echo?.test(d.toString())) log(d.toString().trim());
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${label} child failed (exit ${code}): ${stderr.trim().slice(-2000)}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as T);
    });
  });
}

/** One run of scripts/bench-servers.ts (its own process): its JSON line. */
function runServersChild(env: Record<string, string>, args: string[]): Promise<Record<string, number>> {
  return runJsonChild(SERVERS_CHILD, args, env, 'many-servers', /built \d+ server/);
}

/**
 * The many-servers figure: servers with 5 small documents each; their indexes built in one
 * process (or found persisted from an earlier run), measured in a fresh one, as after a restart.
 */
async function benchManyServers(env: Record<string, string>, questions: readonly string[], servers: number, dataDir: string, tmp: string) {
  const questionsFile = path.join(tmp, 'server-questions.json');
  await writeFile(questionsFile, JSON.stringify(questions.slice(0, 40)));
  const childEnv = { ...env, DATA_DIR: dataDir, BENCH_SERVERS: String(servers), BENCH_QUESTIONS: questionsFile };
  const build = await runServersChild(childEnv, ['--build']);
  return { ...(await runServersChild(childEnv, [])), ...build, data_dir: dataDir };
}

// ---------------------------------------------------------------------------------------------
// Vector search on realistic synthetic vectors

/**
 * N unit vectors shaped like real embeddings: each is a noisy copy of a parent, where the parent
 * is a real embedding (45%), a blend of two real embeddings (15%: text between topics) or an
 * earlier synthetic vector (40%: neighbourhoods inside neighbourhoods). Per-dimension noise is
 * log-uniform in [0.008, 0.05], i.e. cosine to the parent from ~0.98 down to ~0.67, so there
 * are tight clusters and loose ones; the real vectors' shared direction (anisotropy) survives.
 */
function syntheticVectors(n: number, bases: readonly Float32Array[], dim: number, seed: number): Float32Array {
  const rand = rng(seed);
  const gauss = gaussian(rand);
  const out = new Float32Array(n * dim);
  const parent = new Float32Array(dim);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.45 || i === 0) parent.set(pick(bases));
    else if (r < 0.6) {
      const a = pick(bases);
      const b = pick(bases);
      const t = rand();
      for (let d = 0; d < dim; d++) parent[d] = t * a[d]! + (1 - t) * b[d]!;
      normalize(parent);
    } else {
      const j = Math.floor(rand() * i);
      parent.set(out.subarray(j * dim, (j + 1) * dim));
    }
    noisyCopy(parent, out.subarray(i * dim, (i + 1) * dim), rand, gauss);
  }
  return out;
}

function noisyCopy(parent: Float32Array, into: Float32Array, rand: () => number, gauss: () => number): void {
  const sigma = Math.exp(Math.log(0.008) + rand() * (Math.log(0.05) - Math.log(0.008)));
  for (let d = 0; d < parent.length; d++) into[d] = parent[d]! + sigma * gauss();
  normalize(into);
}

/** Queries: noisy copies of dataset vectors (60%) or of real embeddings (40%), never exact members. */
function syntheticQueries(count: number, data: Float32Array, n: number, bases: readonly Float32Array[], dim: number, seed: number): Float32Array[] {
  const rand = rng(seed);
  const gauss = gaussian(rand);
  return Array.from({ length: count }, () => {
    const j = Math.floor(rand() * n);
    const parent = rand() < 0.6 ? data.subarray(j * dim, (j + 1) * dim) : bases[Math.floor(rand() * bases.length)]!;
    const q = new Float32Array(dim);
    noisyCopy(parent, q, rand, gauss);
    return q;
  });
}

/** Exact top-k by dot product (the vectors are unit length, so this is cosine). */
function exactTopK(data: Float32Array, n: number, dim: number, query: Float32Array, k: number): { labels: number[]; sims: number[] } {
  const labels: number[] = [];
  const sims: number[] = [];
  for (let i = 0; i < n; i++) {
    let dot = 0;
    const base = i * dim;
    for (let d = 0; d < dim; d++) dot += data[base + d]! * query[d]!;
    if (labels.length < k || dot > sims[sims.length - 1]!) {
      let at = sims.length;
      while (at > 0 && sims[at - 1]! < dot) at--;
      sims.splice(at, 0, dot);
      labels.splice(at, 0, i);
      if (sims.length > k) {
        sims.pop();
        labels.pop();
      }
    }
  }
  return { labels, sims };
}

interface HnswRow {
  m: number;
  efConstruction: number;
  ef: number;
  current: boolean;
  build_ms: number;
  query_p50_ms: number;
  query_p95_ms: number;
  recall_at_10: number;
}

interface VectorSearchResult {
  n: number;
  dim: number;
  queries: number;
  exact_p50_ms: number;
  /** Structure check: similarity of each query to its nearest neighbour, and of random pairs. */
  nn1_cosine_p50: number;
  nn10_cosine_p50: number;
  random_pair_cosine_mean: number;
  hnsw: HnswRow[];
}

async function benchVectorSearch(
  n: number,
  bases: readonly Float32Array[],
  dim: number,
  settings: { configs: { m: number; efConstruction: number }[]; efs: number[]; queries: number },
): Promise<VectorSearchResult> {
  const K = 10;
  const [data, genMs] = await timed(async () => syntheticVectors(n, bases, dim, 1234 + n));
  const views = Array.from({ length: n }, (_, i) => data.subarray(i * dim, (i + 1) * dim));
  const queries = syntheticQueries(settings.queries, data, n, bases, dim, 99 + n);
  log(`  ${n} vectors generated in ${Math.round(genMs)} ms; exact search over ${queries.length} queries`);

  const exactTimes: number[] = [];
  const truth = queries.map((q) => {
    const start = performance.now();
    const top = exactTopK(data, n, dim, q, K);
    exactTimes.push(performance.now() - start);
    return top;
  });
  const rand = rng(7);
  const pairSims: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const a = views[Math.floor(rand() * n)]!;
    const b = views[Math.floor(rand() * n)]!;
    pairSims.push(dot(a, b));
  }

  const rows: HnswRow[] = [];
  for (const { m, efConstruction } of settings.configs) {
    const params = { ...HNSW_PARAMS, m, efConstruction } as typeof HNSW_PARAMS;
    const [index, buildMs] = await timed(async () => VectorIndex.build(views, dim, params));
    for (const ef of settings.efs) {
      index.setEf(ef);
      // Warm the code path and caches before timing.
      for (const q of queries.slice(0, 10)) index.search(q, K);
      const times: number[] = [];
      let found = 0;
      queries.forEach((q, i) => {
        const start = performance.now();
        const hits = index.search(q, K);
        times.push(performance.now() - start);
        const want = new Set(truth[i]!.labels);
        found += hits.filter((h) => want.has(h.label)).length;
      });
      rows.push({
        m,
        efConstruction,
        ef,
        current: m === HNSW_PARAMS.m && efConstruction === HNSW_PARAMS.efConstruction && ef === HNSW_PARAMS.efSearch,
        build_ms: Math.round(buildMs),
        query_p50_ms: r3(median(times)),
        query_p95_ms: r3(pct(times, 0.95)),
        recall_at_10: r3(found / (K * queries.length)),
      });
    }
    log(`  M=${m} efC=${efConstruction}: built in ${Math.round(buildMs)} ms`);
  }
  return {
    n,
    dim,
    queries: queries.length,
    exact_p50_ms: r3(median(exactTimes)),
    nn1_cosine_p50: r3(median(truth.map((t) => t.sims[0]!))),
    nn10_cosine_p50: r3(median(truth.map((t) => t.sims[t.sims.length - 1]!))),
    random_pair_cosine_mean: r3(sum(pairSims) / pairSims.length),
    hnsw: rows,
  };
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += a[d]! * b[d]!;
  return s;
}

function meanPairCosine(vectors: readonly Float32Array[]): number {
  let total = 0;
  let pairs = 0;
  for (let i = 0; i < vectors.length; i++) {
    for (let j = i + 1; j < vectors.length; j++) {
      total += dot(vectors[i]!, vectors[j]!);
      pairs++;
    }
  }
  return pairs === 0 ? NaN : total / pairs;
}

/** Real sentences to embed: the knowledge split into sentences and headings, plus the questions. */
function realSentences(chunkTexts: readonly string[], questions: readonly string[]): string[] {
  const out = new Set<string>();
  for (const text of chunkTexts) {
    for (const line of text.split('\n')) {
      for (const s of line.split(/(?<=[.!?])\s+/)) if (s.split(/\s+/).length >= 3) out.add(s.trim());
    }
  }
  for (const q of questions) out.add(q);
  return [...out];
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Real knowledge: the article plus the interviews guide

interface ReindexChildResult {
  idle_p50_ms: number;
  idle_p95_ms: number;
  idle_answers: number;
  during_p50_ms: number;
  during_p95_ms: number;
  during_max_ms: number;
  during_answers: number;
  main_thread_stall_max_ms: number;
  rebuild_ms: number;
  rebuild_passages: number;
  rebuild_embedded: number;
  rebuild_passages_per_s: number;
  rss_before_mb: number;
  peak_rss_mb: number;
}

interface RealKnowledgeResult {
  documents: number;
  passages: number;
  words: number;
  build_ms: number;
  build_passages_per_s: number;
  build_words_per_s: number;
  /** The same build on one model thread (the bench's). */
  build_one_thread_ms: number;
  answer_p50_ms: number;
  answer_p95_ms: number;
  answer_max_ms: number;
  answers_measured: number;
  answers_refused: number;
  reindex: ReindexChildResult;
}

/** Copies the article and the guide (the four smallest guide files with --smoke) into `dir`. */
async function copyRealKnowledge(dir: string, smoke: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  await copyFile(ARTICLE, path.join(dir, path.basename(ARTICLE)));
  let docs = (await readdir(GUIDE_DOCS)).filter((f) => f.endsWith('.md')).sort();
  if (smoke) docs = docs.sort((a, b) => statSync(path.join(GUIDE_DOCS, a)).size - statSync(path.join(GUIDE_DOCS, b)).size).slice(0, 4);
  for (const doc of docs) await copyFile(path.join(GUIDE_DOCS, doc), path.join(dir, doc));
}

function runReindexChild(env: Record<string, string>, questionFiles: [string, string]): Promise<ReindexChildResult> {
  return runJsonChild(REINDEX_CHILD, questionFiles, env, 'reindex');
}

async function benchRealKnowledge(
  tmp: string,
  embedder: Embedder,
  logger: ReturnType<typeof createLogger>,
  opts: Options,
  warmupQuestions: string,
): Promise<RealKnowledgeResult | null> {
  if (!existsSync(GUIDE_DOCS) || !existsSync(GUIDE_QUESTIONS)) {
    log(`real knowledge not found (${GUIDE_DOCS}, ${GUIDE_QUESTIONS}): section skipped`);
    return null;
  }
  const knowledgeDir = path.join(tmp, 'real-knowledge');
  await copyRealKnowledge(knowledgeDir, opts.smoke);
  const config = loadConfig({ ...process.env, KNOWLEDGE_DIR: knowledgeDir, INDEX_DIR: path.join(tmp, 'real-index') }, REPO_ROOT);
  const knowledge = await loadKnowledge(knowledgeDir);
  const words = sum(knowledge.documents.flatMap((d) => chunkDocument(d)).map((c) => c.indexText.split(/\s+/).length));

  // From scratch on the bench's one model, then as a start-up with no index on disk builds: on the
  // engine's own model thread (a second joins builds of SECOND_MODEL_FROM passages or more), the
  // wait for its model included.
  log(`real knowledge: building from scratch on one model thread (${knowledge.documents.length} documents)`);
  const single = await Engine.open({ config, logger, embedder });
  const builtOnOne = single.builtAtOpen!;
  await single.close();
  await rm(config.indexDir, { recursive: true, force: true });
  log('real knowledge: building from scratch as at start-up (the engine’s own model threads)');
  const opened = await Engine.open({ config, logger });
  const built = opened.builtAtOpen!;
  await opened.close();

  // Answers: a fresh engine per round, so every question misses the query cache.
  const questions = readFileSync(GUIDE_QUESTIONS, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { question: string }).question);
  log(`real knowledge: answering ${questions.length} questions × ${opts.rounds} rounds (+1 warm-up round)`);
  const samples: AnswerSample[] = [];
  for (let round = 0; round <= opts.rounds; round++) {
    const engine = await Engine.open({ config, logger, embedder });
    const { samples: roundSamples } = await askAll(engine, questions);
    await engine.close();
    if (round > 0) samples.push(...roundSamples);
  }
  const answers = summarizeAnswers(samples);

  log('real knowledge: answering while the whole index is rebuilt on the build worker (child process)');
  const reindex = await runReindexChild(
    {
      KNOWLEDGE_DIR: knowledgeDir,
      INDEX_DIR: config.indexDir,
      REBUILD_DIR: path.join(tmp, 'real-index-rebuilt'),
      EMBEDDER: config.embedder,
      LOG_LEVEL: 'warn',
      ...(config.modelDir !== undefined && { MODEL_DIR: config.modelDir }),
    },
    [warmupQuestions, GUIDE_QUESTIONS],
  );

  return {
    documents: built.documents,
    passages: built.chunks,
    words,
    build_ms: built.ms,
    build_passages_per_s: r1(built.chunks / (built.ms / 1000)),
    build_one_thread_ms: builtOnOne.ms,
    build_words_per_s: Math.round(words / (built.ms / 1000)),
    answer_p50_ms: answers.p50,
    answer_p95_ms: answers.p95,
    answer_max_ms: answers.max,
    answers_measured: samples.length,
    answers_refused: answers.refused,
    reindex,
  };
}

interface GrowthFigures {
  build: { documents: number; passages: number; embedded: number; ms: number; passages_per_s: number; peak_rss_mb: number };
  grown: { documents: number; passages: number; embedded: number; reused: number; ms: number };
  build_peak_rss_mb: number;
  answers: { measured: number; refused: number; p50_ms: number; p95_ms: number; max_ms: number };
  answer_peak_rss_mb: number;
  answer_rss_end_mb: number;
  /** Spawn → first answer on the persisted article + guide + course, nothing changed since (ms, each run). */
  startup_runs_ms: number[];
  startup_reused_persisted_index: boolean;
}

/**
 * Knowledge that grows (scripts/bench-growth.ts, two processes of their own): the article and the
 * Hugging Face course built from scratch with the engine's own model threads, the interviews guide
 * added, then answers on all three in a fresh process.
 */
async function benchGrowth(tmp: string, config: Config, opts: Options): Promise<GrowthFigures | null> {
  if (!existsSync(path.join(SHARED_DIR, 'corpora', 'hf-course', 'docs')) || !existsSync(GUIDE_DOCS)) {
    log('the corpora in ../shared are missing: growth section skipped');
    return null;
  }
  const env: Record<string, string> = {
    WORK_DIR: path.join(tmp, 'growth'),
    SHARED_DIR,
    ROUNDS: String(opts.rounds),
    EMBEDDER: config.embedder,
    ...(opts.smoke && { SMOKE: '1' }),
    ...(config.modelDir !== undefined && { MODEL_DIR: config.modelDir }),
  };
  log('growth: building the article + the course from scratch, then adding the guide (child process)');
  const built = await runJsonChild<{ build: GrowthFigures['build']; grown: GrowthFigures['grown']; peak_rss_mb: number }>(GROWTH_CHILD, [], { ...env, PHASE: 'build' }, 'growth build', /\[bench growth\]/);
  log('growth: answering on the article + the guide + the course (child process)');
  const answered = await runJsonChild<{ answers: GrowthFigures['answers']; peak_rss_mb: number; rss_end_mb: number }>(GROWTH_CHILD, [], { ...env, PHASE: 'answer' }, 'growth answers', /\[bench growth\]/);
  log('growth: start-up to the first answer on the persisted article + guide + course (child process)');
  const startupEnv: Record<string, string> = {
    KNOWLEDGE_DIR: path.join(env.WORK_DIR!, 'knowledge'),
    INDEX_DIR: path.join(env.WORK_DIR!, 'index'),
    EMBEDDER: config.embedder,
    LOG_LEVEL: 'warn',
    ...(config.modelDir !== undefined && { MODEL_DIR: config.modelDir }),
  };
  const startups: StartupRun[] = [];
  for (let i = 0; i < (opts.smoke ? 1 : 3); i++) startups.push(await runStartupChild(startupEnv, [path.join(SHARED_DIR, 'eval', 'questions.dev.jsonl')]));
  return {
    build: built.build,
    grown: built.grown,
    build_peak_rss_mb: built.peak_rss_mb,
    answers: answered.answers,
    answer_peak_rss_mb: answered.peak_rss_mb,
    answer_rss_end_mb: answered.rss_end_mb,
    startup_runs_ms: startups.map((run) => Math.round(run.startupMs)),
    startup_reused_persisted_index: startups.every((run) => run.reusedPersistedIndex),
  };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const machine = {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    total_mem_gb: r1(os.totalmem() / 1024 ** 3),
    // Other processes on a 2-core machine move every figure; the load says how quiet it was.
    loadavg_1m_start: r2(os.loadavg()[0]!),
    loadavg_1m_end: NaN,
  };
  log(`${machine.cpu}, ${machine.cores} cores, node ${machine.node}, load ${machine.loadavg_1m_start}`);
  if (machine.loadavg_1m_start > 0.5) log('the machine is busy: figures will be slower and noisier than on a quiet one');

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'mlbot-bench-'));
  let modelThread: ThreadEmbedder | undefined;
  try {
    const config = loadConfig({ ...process.env, KNOWLEDGE_DIR: process.env.KNOWLEDGE_DIR ?? path.join(REPO_ROOT, 'knowledge'), INDEX_DIR: path.join(tmp, 'index') }, REPO_ROOT);
    const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
    const { questions, files: questionFiles } = readQuestions();

    // Model load (includes the embedder's own warm-up embedding), on its own thread as the engine does.
    log(`loading the ${config.embedder} embedder`);
    const [baseEmbedder, modelLoadMs] = await timed(() => ThreadEmbedder.start(config));
    modelThread = baseEmbedder;
    const embedder = shared(baseEmbedder);
    if (opts.sharedOnly) {
      const figures = await benchSharedState(tmp, config, embedder, logger, { smoke: opts.smoke, log });
      machine.loadavg_1m_end = r2(os.loadavg()[0]!);
      if (opts.json) process.stdout.write(JSON.stringify({ machine, shared_state: figures }) + '\n');
      else process.stdout.write(`machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}; load avg 1m ${machine.loadavg_1m_start} at start, ${machine.loadavg_1m_end} at end\n${sharedTables(figures, table)}\n`);
      return;
    }

    // One question straight through the embedder (it has no cache of its own).
    // The first runs are slower (the JS around the model is still being optimised), so warm up
    // well past them before timing the steady state.
    const probe = questions[0]!;
    for (let i = 0; i < 40; i++) await embedder.embed([probe]);
    const embedTimes: number[] = [];
    for (let i = 0; i < (opts.smoke ? 10 : 50); i++) embedTimes.push((await timed(() => embedder.embed([probe])))[1]);
    const allEmbedTimes: number[] = [];
    for (const q of questions) allEmbedTimes.push((await timed(() => embedder.embed([q])))[1]);

    // Index build from scratch, into fresh folders; the last one stays as the persisted index.
    log('building the index from scratch');
    const buildRuns = opts.smoke ? 1 : 3;
    const builds: { ms: number; chunks: number; embedded: number }[] = [];
    let chunkTexts: string[] = [];
    let chunkVectors: Float32Array[] = [];
    const buildEmbedTimes: number[] = [];
    for (let i = 0; i < buildRuns; i++) {
      const dir = i === buildRuns - 1 ? config.indexDir : path.join(tmp, `build-${i}`);
      const [{ live, report }, ms] = await timed(async () => buildIndex({ knowledge: await loadKnowledge(config.knowledgeDir), embedder, work: inProcessBuildWork(embedder), indexDir: dir }));
      builds.push({ ms, chunks: report.chunks, embedded: report.embedded });
      chunkTexts = live.chunks.map((c) => c.indexText);
      chunkVectors = live.vectors;
      if (dir !== config.indexDir) await rm(dir, { recursive: true, force: true });
      // The embedding part of a build alone: the same texts through the same embedder.
      buildEmbedTimes.push((await timed(() => embedder.embed(chunkTexts)))[1]);
    }
    const buildMs = median(builds.map((b) => b.ms));
    const chunks = builds[0]!.chunks;

    // Reindex with nothing changed.
    log('reindexing with nothing changed');
    const reindexEngine = await Engine.open({ config, logger, embedder });
    const reindexes: { ms: number; embedded: number }[] = [];
    for (let i = 0; i < (opts.smoke ? 1 : 5); i++) {
      const [report, ms] = await timed(() => reindexEngine.reindex());
      reindexes.push({ ms, embedded: report.embedded });
    }
    await reindexEngine.close();

    // Answers: a fresh engine per round, so every question misses the query cache; then the
    // same questions again on that engine, which hit it.
    log(`answering ${questions.length} questions × ${opts.rounds} rounds (+1 warm-up round)`);
    const cold: AnswerSample[] = [];
    const cached: AnswerSample[] = [];
    const openTimes: number[] = [];
    let serialKeys: string[] = [];
    for (let round = 0; round <= opts.rounds; round++) {
      const [engine, openMs] = await timed(() => Engine.open({ config, logger, embedder }));
      const first = await askAll(engine, questions);
      const again = await askAll(engine, questions);
      await engine.close();
      if (round === 0) {
        serialKeys = first.keys;
        continue; // warm-up
      }
      openTimes.push(openMs);
      cold.push(...first.samples);
      cached.push(...again.samples);
    }
    const coldStats = summarizeAnswers(cold);
    const cachedStats = summarizeAnswers(cached);

    // Throughput: 8 questions in flight over a queue of uncached questions (fresh engine per pass).
    const IN_FLIGHT = 8;
    log(`throughput with ${IN_FLIGHT} in flight`);
    let answered = 0;
    let mismatches = 0;
    let throughputWall = 0;
    const loadedLatency: number[] = [];
    for (let pass = 0; pass < (opts.smoke ? 1 : 3); pass++) {
      const engine = await Engine.open({ config, logger, embedder });
      let next = 0;
      const worker = async () => {
        while (next < questions.length) {
          const i = next++;
          const [answer, ms] = await timed(() => engine.ask(questions[i]!));
          loadedLatency.push(ms);
          if (answerKey(answer) !== serialKeys[i]) mismatches++;
          answered++;
        }
      };
      throughputWall += (await timed(() => Promise.all(Array.from({ length: IN_FLIGHT }, worker))))[1];
      await engine.close();
    }

    log('follow-ups with their conversation against the same words alone');
    const followUps = await benchFollowUps(() => Engine.open({ config, logger, embedder }), ['article'], opts.rounds);

    // Start-up and peak RSS in a child process on the persisted index.
    log('start-up child on the persisted index');
    const generationBefore = (await readManifest(config.indexDir))?.generation;
    const childEnv: Record<string, string> = {
      KNOWLEDGE_DIR: config.knowledgeDir,
      INDEX_DIR: config.indexDir,
      EMBEDDER: config.embedder,
      LOG_LEVEL: 'warn',
      ...(config.modelDir !== undefined && { MODEL_DIR: config.modelDir }),
    };
    const startups: StartupRun[] = [];
    for (let i = 0; i < (opts.smoke ? 1 : 3); i++) startups.push(await runStartupChild(childEnv, questionFiles));
    const startupMedian = [...startups].sort((a, b) => a.startupMs - b.startupMs)[Math.floor((startups.length - 1) / 2)]!;
    const generationAfter = (await readManifest(config.indexDir))?.generation;
    log('npm run ask from spawn to answer: under tsx, and as built by npm run build');
    const askStartup = await benchAskStartup(path.join(tmp, 'ask-startup'), childEnv, questions[0]!, opts.smoke ? 1 : 5);

    const servers = opts.smoke ? 10 : MANY_SERVERS;
    log(`${servers} servers with their own documents`);
    const manyServers = await benchManyServers(childEnv, questions, servers, opts.smoke ? path.join(tmp, 'servers') : serverCache(config.embedder), tmp);

    // Vector search on realistic vectors of the embedder's dimension.
    log('embedding real sentences as the seeds of the synthetic vectors');
    const sentences = realSentences(chunkTexts, questions);
    const bases = await embedder.embed(sentences);
    const questionVectors = await embedder.embed(questions);
    const realReference = {
      sentences: bases.length,
      // Real vectors share a direction (USE-lite is anisotropic): random pairs are not orthogonal.
      random_pair_cosine_mean: r3(meanPairCosine(bases)),
      // How close a real question comes to its nearest real chunk.
      question_nn1_chunk_cosine_p50: r3(median(questionVectors.map((q) => Math.max(...chunkVectors.map((c) => dot(q, c)))))),
    };
    const sizes = opts.smoke ? [1_000] : opts.full ? [1_000, 10_000, 100_000] : [1_000, 10_000];
    const current = { m: HNSW_PARAMS.m, efConstruction: HNSW_PARAMS.efConstruction };
    const vectorSearch: VectorSearchResult[] = [];
    for (const n of sizes) {
      log(`vector search at ${n}`);
      const configs = opts.smoke
        ? [current]
        : [{ m: 8, efConstruction: 100 }, { m: 16, efConstruction: 200 }, { m: 32, efConstruction: 200 }, current].filter(
            (c, i, all) => all.findIndex((o) => o.m === c.m && o.efConstruction === c.efConstruction) === i,
          );
      const efs = opts.smoke ? [HNSW_PARAMS.efSearch] : [...new Set([32, 64, 96, 128, 200, HNSW_PARAMS.efSearch])].sort((a, b) => a - b);
      vectorSearch.push(await benchVectorSearch(n, bases, embedder.dim, { configs, efs, queries: 200 }));
    }

    const realKnowledge = await benchRealKnowledge(tmp, embedder, logger, opts, questionFiles[0]!);
    const growth = await benchGrowth(tmp, config, opts);
    const sharedState = await benchSharedState(tmp, config, embedder, logger, { smoke: opts.smoke, log });
    log('reading PDFs (scripts/bench-pdf.ts)');
    const pdf = await runJsonChild<PdfBenchResult>(PDF_CHILD, opts.smoke ? ['--smoke'] : [], { KNOWLEDGE_DIR: config.knowledgeDir, INDEX_DIR: path.join(tmp, 'pdf-index'), EMBEDDER: config.embedder, LOG_LEVEL: 'warn' }, 'pdf');
    const forum = await benchForum(tmp, { smoke: opts.smoke });

    const result = {
      machine,
      settings: {
        embedder: embedder.name,
        dim: embedder.dim,
        rounds: opts.rounds,
        questions: questions.length,
        smoke: opts.smoke,
        full: opts.full,
        hnsw_params: HNSW_PARAMS,
      },
      model_load_ms: Math.round(modelLoadMs),
      query_embed_p50_ms: r2(median(embedTimes)),
      query_embed_p95_ms: r2(pct(embedTimes, 0.95)),
      query_embed_all_questions_p50_ms: r2(median(allEmbedTimes)),
      query_embed_all_questions_p95_ms: r2(pct(allEmbedTimes, 0.95)),
      answer_p50_ms: coldStats.p50,
      answer_p95_ms: coldStats.p95,
      answer_max_ms: coldStats.max,
      answer_embed_p50_ms: coldStats.embedP50,
      answer_search_p50_ms: coldStats.searchP50,
      answer_embed_share: coldStats.embedShare,
      answer_search_share: coldStats.searchShare,
      answers_measured: cold.length,
      answers_refused: coldStats.refused,
      answer_cached_p50_ms: cachedStats.p50,
      answer_cached_p95_ms: cachedStats.p95,
      answer_cached_embed_p50_ms: cachedStats.embedP50,
      engine_open_persisted_p50_ms: r2(median(openTimes)),
      build_ms: Math.round(buildMs),
      build_runs_ms: builds.map((b) => Math.round(b.ms)),
      build_chunks: chunks,
      build_embed_ms: Math.round(median(buildEmbedTimes)),
      build_chunks_per_s: r1(chunks / (buildMs / 1000)),
      reindex_unchanged_ms: Math.round(median(reindexes.map((r) => r.ms))),
      reindex_unchanged_embedded: Math.max(...reindexes.map((r) => r.embedded)),
      startup_ms: Math.round(startupMedian.startupMs),
      startup_child_uptime_ms: Math.round(startupMedian.uptimeMs),
      startup_phases_ms: startupMedian.phases,
      startup_runs_ms: startups.map((s) => Math.round(s.startupMs)),
      startup_reused_persisted_index: startups.every((s) => s.reusedPersistedIndex) && generationBefore === generationAfter,
      ask_startup: askStartup,
      rss_mb: Math.max(...startups.map((s) => s.maxRssMb)),
      rss_after_answers: startupMedian.answered,
      throughput_qps: r1(answered / (throughputWall / 1000)),
      throughput_in_flight: IN_FLIGHT,
      throughput_answers: answered,
      throughput_latency_p50_ms: r2(median(loadedLatency)),
      throughput_latency_p95_ms: r2(pct(loadedLatency, 0.95)),
      throughput_answer_mismatches: mismatches,
      follow_ups: followUps,
      forum,
      many_servers: manyServers,
      vector_search_real_reference: realReference,
      vector_search: vectorSearch,
      real_knowledge: realKnowledge,
      growth,
      shared_state: sharedState,
      pdf,
    };

    machine.loadavg_1m_end = r2(os.loadavg()[0]!);
    if (opts.json) process.stdout.write(JSON.stringify(result) + '\n');
    else printTables(result);
  } finally {
    await modelThread?.dispose();
    await rm(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Table output

function table(head: string[], rows: (string | number)[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) => cells.map((c, i) => String(c).padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function verdict(value: number, target: number, higherIsBetter = false): string {
  if (!Number.isFinite(value)) return '?';
  return (higherIsBetter ? value >= target : value <= target) ? 'ok' : 'MISSED';
}

interface Result {
  machine: { cpu: string; cores: number; node: string; platform: string; total_mem_gb: number; loadavg_1m_start: number; loadavg_1m_end: number };
  settings: { embedder: string; dim: number; rounds: number; questions: number };
  vector_search: VectorSearchResult[];
  [key: string]: unknown;
}

function printTables(r: Result): void {
  const n = (key: string) => r[key] as number;
  const m = r.machine;
  const s = r.settings;
  const out: string[] = [];
  out.push(`machine: ${m.cpu}, ${m.cores} cores, ${m.total_mem_gb} GB, node ${m.node} (${m.platform}); load avg 1m ${m.loadavg_1m_start} at start, ${m.loadavg_1m_end} at end`);
  out.push(`embedder: ${s.embedder} (dim ${s.dim}); ${s.questions} questions × ${s.rounds} rounds; HNSW_PARAMS ${JSON.stringify(HNSW_PARAMS)}`);
  out.push('');
  const rows: (string | number)[][] = [
    ['answer_p50_ms (uncached)', n('answer_p50_ms'), `≤ ${TARGETS.answer_p50_ms}`, verdict(n('answer_p50_ms'), TARGETS.answer_p50_ms)],
    ['answer_p95_ms (uncached)', n('answer_p95_ms'), `≤ ${TARGETS.answer_p95_ms}`, verdict(n('answer_p95_ms'), TARGETS.answer_p95_ms)],
    ['  answer max (uncached)', n('answer_max_ms'), '', ''],
    ['  embed p50 / share of total', `${n('answer_embed_p50_ms')} / ${(n('answer_embed_share') * 100).toFixed(1)}%`, '', ''],
    ['  search p50 / share of total', `${n('answer_search_p50_ms')} / ${(n('answer_search_share') * 100).toFixed(1)}%`, '', ''],
    ['  answers measured (refused)', `${n('answers_measured')} (${n('answers_refused')})`, '', ''],
    ['answer_cached_p50_ms (cache hit)', n('answer_cached_p50_ms'), '', ''],
    ['answer_cached_p95_ms (cache hit)', n('answer_cached_p95_ms'), '', ''],
    ['query_embed_p50_ms (one question)', n('query_embed_p50_ms'), '', ''],
    ['  query embed p50 / p95 (all questions)', `${n('query_embed_all_questions_p50_ms')} / ${n('query_embed_all_questions_p95_ms')}`, '', ''],
    ['model_load_ms', n('model_load_ms'), '', ''],
    ['engine_open_persisted_p50_ms', n('engine_open_persisted_p50_ms'), '', ''],
    ['build_ms (from scratch)', `${n('build_ms')} (runs ${(r.build_runs_ms as number[]).join(', ')})`, '', ''],
    ['build_chunks_per_s', `${n('build_chunks_per_s')} (${n('build_chunks')} chunks)`, '', ''],
    ['  of which embedding the chunks', `${n('build_embed_ms')} ms`, '', ''],
    [
      'reindex_unchanged_ms',
      `${n('reindex_unchanged_ms')} (embedded ${n('reindex_unchanged_embedded')})`,
      `≤ ${TARGETS.reindex_unchanged_ms}`,
      verdict(n('reindex_unchanged_ms'), TARGETS.reindex_unchanged_ms),
    ],
    ['startup_ms (spawn → first answer)', `${n('startup_ms')} (runs ${(r.startup_runs_ms as number[]).join(', ')})`, `≤ ${TARGETS.startup_ms}`, verdict(n('startup_ms'), TARGETS.startup_ms)],
    ['  child uptime at first answer', n('startup_child_uptime_ms'), '', ''],
    ...Object.entries(r.startup_phases_ms as Record<string, number>).map(([k, v]) => [`    ${k}`, v, '', '']),
    ['  reused the persisted index', String(r.startup_reused_persisted_index), '', ''],
    ...askStartupRows(r.ask_startup as AskStartupFigures),
    ['rss_mb (child peak, after answers)', `${n('rss_mb')} (${n('rss_after_answers')} answers)`, `≤ ${TARGETS.rss_mb}`, verdict(n('rss_mb'), TARGETS.rss_mb)],
    ['throughput_qps (8 in flight)', `${n('throughput_qps')} (${n('throughput_answers')} answers)`, '', ''],
    ['  latency p50 / p95 under load', `${n('throughput_latency_p50_ms')} / ${n('throughput_latency_p95_ms')}`, '', ''],
    ['  answers differing from serial', n('throughput_answer_mismatches'), '', ''],
  ];
  out.push(table(['metric', 'value', 'target', ''], rows));
  out.push('');

  const f = r.follow_ups as Awaited<ReturnType<typeof benchFollowUps>>;
  const fo = r.forum as Awaited<ReturnType<typeof benchForum>>;
  out.push(`follow-ups: ${f.turns} later turns of the article conversations × ${f.rounds} rounds (${f.read_as_follow_up} read as follow-ups), each on a fresh engine (nothing cached)`);
  out.push(
    table(
      ['metric', 'value'],
      [
        ['follow-up with its conversation p50 / p95 (engine)', `${f.follow_up_p50_ms} / ${f.follow_up_p95_ms}`],
        ['the same words alone p50 / p95', `${f.plain_p50_ms} / ${f.plain_p95_ms}`],
        ['  extra per question p50 / p95', `${f.extra_p50_ms} / ${f.extra_p95_ms}`],
        [`mention answered, end to end (emulator) p50 / p95`, `${fo.mention_p50_ms} / ${fo.mention_p95_ms} (${fo.latency_samples} each)`],
        ['follow-up mention in a thread (reads the thread) p50 / p95', `${fo.follow_up_mention_p50_ms} / ${fo.follow_up_mention_p95_ms}`],
      ],
    ),
  );
  out.push('');
  out.push(`forum posts answered on the bot's own, one server, the emulator enforcing Discord's rate limits (answer + tag per post): sustained without a 429 ${fo.sustained_answers_per_s_without_429} answers/s`);
  out.push(
    table(
      ['pacing (AUTO_ANSWERS_PER_SECOND)', 'posts', 'answered', 'seconds', 'answers/s (whole burst)', 'steady answers/s', '429s (global)', 'requests'],
      fo.bursts.map((b) => [b.pacing_per_s, b.posts, b.answered, b.seconds, b.answers_per_s, b.steady_answers_per_s, `${b.rate_limited} (${b.rate_limited_global})`, b.requests]),
    ),
  );
  out.push('');

  const sv = r.many_servers as ManyServersFigure;
  const built = sv.built_now > 0 ? `built ${sv.built_now} now in ${Math.round(sv.build_ms / 1000)} s (${sv.build_ms_per_server} ms each)` : 'indexes persisted by an earlier run';
  out.push(`many servers: ${sv.servers} servers × ${sv.documents_per_server} documents, at most ${sv.max_loaded_servers} loaded; ${built}; a fresh process, every server cold`);
  out.push(
    table(
      ['metric', 'value', 'target', ''],
      [
        ['base-only answer p50 / p95 (query vector cached)', `${sv.base_only_p50_ms} / ${sv.base_only_p95_ms}`, '', ''],
        ['loaded-server answer p50 / p95', `${sv.loaded_server_p50_ms} / ${sv.loaded_server_p95_ms}`, '', ''],
        ['  extra p50 for a loaded server', sv.loaded_server_extra_p50_ms, `≤ ${TARGETS.servers_loaded_extra_ms}`, verdict(sv.loaded_server_extra_p50_ms, TARGETS.servers_loaded_extra_ms)],
        ['first answer in a cold server p50 / p95', `${sv.cold_server_first_p50_ms} / ${sv.cold_server_first_p95_ms}`, `≤ ${TARGETS.servers_cold_first_ms}`, verdict(sv.cold_server_first_p95_ms, TARGETS.servers_cold_first_ms)],
        ['  cold max', sv.cold_server_first_max_ms, '', ''],
        [`one answer in each of the ${sv.servers} servers`, `${sv.sweep_ms} ms (p50 ${sv.sweep_p50_ms}, p95 ${sv.sweep_p95_ms}); ${sv.loaded_after_sweep} loaded after`, '', ''],
        ['RSS with the model loaded / peak / end (MB)', `${sv.rss_model_loaded_mb} / ${sv.rss_peak_mb} / ${sv.rss_end_mb}`, `≤ ${TARGETS.servers_rss_mb}`, verdict(sv.rss_peak_mb, TARGETS.servers_rss_mb)],
      ],
    ),
  );
  out.push('');

  const vrows: (string | number)[][] = [];
  for (const v of r.vector_search) {
    vrows.push([v.n, 'exact', '', '', '', '', v.exact_p50_ms, '', '1.000', `cos p50 to nn1 ${v.nn1_cosine_p50}, nn10 ${v.nn10_cosine_p50}; random pair ${v.random_pair_cosine_mean}`]);
    for (const h of v.hnsw) {
      const goal = v.n === 100_000 ? `${verdict(h.recall_at_10, TARGETS.hnsw_100k_recall_at_10, true)}/${verdict(h.query_p50_ms, TARGETS.hnsw_100k_query_p50_ms)}` : '';
      vrows.push([v.n, 'hnsw', h.m, h.efConstruction, h.ef, h.build_ms, h.query_p50_ms, h.query_p95_ms, h.recall_at_10.toFixed(3), `${h.current ? 'current' : ''}${goal ? ` ${goal}` : ''}`.trim()]);
    }
  }
  out.push(`vector search, dim ${r.vector_search[0]?.dim ?? '?'}, ${r.vector_search[0]?.queries ?? 0} queries, k = 10 (targets at 100k: recall@10 ≥ ${TARGETS.hnsw_100k_recall_at_10}, p50 ≤ ${TARGETS.hnsw_100k_query_p50_ms} ms)`);
  out.push(table(['N', 'search', 'M', 'efC', 'ef', 'build_ms', 'p50_ms', 'p95_ms', 'recall@10', 'note'], vrows));
  const real = r.vector_search_real_reference as Record<string, number>;
  out.push(
    `real embeddings for comparison: ${real.sentences} sentences, random pair cos ${real.random_pair_cosine_mean}; ` +
      `a real question's nearest real chunk: cos p50 ${real.question_nn1_chunk_cosine_p50}`,
  );
  const k = r.real_knowledge as RealKnowledgeResult | null;
  if (k) {
    const x = k.reindex;
    out.push('');
    out.push(`real knowledge: the article + the interviews guide, ${k.documents} documents, ${k.passages} passages, ${k.words} words`);
    out.push(
      table(
        ['metric', 'value', 'target', ''],
        [
          ['build from scratch (as at start-up: the engine’s model threads)', `${k.build_ms} ms`, '', ''],
          ['  passages/s', k.build_passages_per_s, `≥ ${TARGETS.real_build_passages_per_s}`, verdict(k.build_passages_per_s, TARGETS.real_build_passages_per_s, true)],
          ['  words/s', k.build_words_per_s, '', ''],
          ['  the same on one model thread', `${k.build_one_thread_ms} ms (${r1(k.passages / (k.build_one_thread_ms / 1000))} passages/s)`, '', ''],
          ['answer_p50_ms (uncached)', k.answer_p50_ms, `≤ ${TARGETS.real_answer_p50_ms}`, verdict(k.answer_p50_ms, TARGETS.real_answer_p50_ms)],
          ['answer_p95_ms (uncached)', k.answer_p95_ms, `≤ ${TARGETS.real_answer_p95_ms}`, verdict(k.answer_p95_ms, TARGETS.real_answer_p95_ms)],
          ['  answer max / measured (refused)', `${k.answer_max_ms} / ${k.answers_measured} (${k.answers_refused})`, '', ''],
          ['answering process, idle: p50 / p95', `${x.idle_p50_ms} / ${x.idle_p95_ms} (${x.idle_answers} answers)`, '', ''],
          ['  during a full rebuild on the worker: p50', x.during_p50_ms, '', ''],
          ['  during a full rebuild on the worker: p95', x.during_p95_ms, `≤ ${TARGETS.real_reindex_answer_p95_ms}`, verdict(x.during_p95_ms, TARGETS.real_reindex_answer_p95_ms)],
          ['  during: max / answers (one every ~50 ms)', `${x.during_max_ms} / ${x.during_answers}`, '', ''],
          ['  longest main-thread stall meanwhile (ms)', x.main_thread_stall_max_ms, '', ''],
          ['  the rebuild', `${x.rebuild_ms} ms, ${x.rebuild_embedded} embedded (${x.rebuild_passages_per_s} passages/s)`, '', ''],
          ['  peak RSS during the rebuild (MB)', `${x.peak_rss_mb} (${x.rss_before_mb} before)`, `≤ ${TARGETS.real_reindex_peak_rss_mb}`, verdict(x.peak_rss_mb, TARGETS.real_reindex_peak_rss_mb)],
        ],
      ),
    );
  }
  const g = r.growth as GrowthFigures | null;
  if (g) {
    const buildS = Math.round(g.build.ms / 100) / 10;
    out.push('');
    out.push(`knowledge that grows: the article + the Hugging Face course (${g.build.documents} documents, ${g.build.passages} passages), then + the interviews guide (${g.grown.documents} documents, ${g.grown.passages} passages)`);
    out.push(
      table(
        ['metric', 'value', 'target', ''],
        [
          ['build article + course from scratch (s)', `${buildS} (${g.build.passages_per_s} passages/s)`, `≤ ${TARGETS.growth_build_s}`, verdict(buildS, TARGETS.growth_build_s)],
          ['  peak RSS of the building process (MB)', g.build.peak_rss_mb, `≤ ${TARGETS.growth_peak_rss_mb}`, verdict(g.build.peak_rss_mb, TARGETS.growth_peak_rss_mb)],
          ['adding the guide (reindex)', `${g.grown.ms} ms, ${g.grown.embedded} embedded, ${g.grown.reused} reused`, '', ''],
          ['answer p50 on article + guide + course (uncached)', g.answers.p50_ms, `≤ ${TARGETS.growth_answer_p50_ms}`, verdict(g.answers.p50_ms, TARGETS.growth_answer_p50_ms)],
          ['answer p95', g.answers.p95_ms, `≤ ${TARGETS.growth_answer_p95_ms}`, verdict(g.answers.p95_ms, TARGETS.growth_answer_p95_ms)],
          ['  answer max / measured (refused)', `${g.answers.max_ms} / ${g.answers.measured} (${g.answers.refused})`, '', ''],
          ['  peak RSS of the answering process (MB)', `${g.answer_peak_rss_mb} (${g.answer_rss_end_mb} after every question once)`, `≤ ${TARGETS.growth_peak_rss_mb}`, verdict(g.answer_peak_rss_mb, TARGETS.growth_peak_rss_mb)],
          [
            'start-up to first answer on all three, persisted (ms)',
            `runs ${g.startup_runs_ms.join(', ')}${g.startup_reused_persisted_index ? '' : ' (the index was rebuilt: not a start-up figure)'}`,
            '',
            '',
          ],
        ],
      ),
    );
  }
  out.push('');
  out.push(sharedTables(r.shared_state as SharedFigures, table));
  const pdf = r.pdf as PdfBenchResult | undefined;
  if (pdf) {
    const row = (label: string, f: PdfReadFigures) => [label, `${f.pages} (${Math.round(f.bytes / 1024)} KB)`, f.first_read_ms, f.read_ms, f.ms_per_page, `${f.peak_rss_mb} (${f.rss_before_mb} before)`];
    out.push('');
    out.push('PDFs, read on the PDF thread (pdf.js, then the layout rules):');
    out.push(table(['PDF', 'pages', 'first read ms (thread start)', 'read ms (warm thread)', 'ms/page', 'peak RSS MB'], [row("the guide's ml-system-design.pdf", pdf.guide), [`generated, ${pdf.generated.pages} pages`, ...row('', pdf.generated).slice(1)]]));
    const d = pdf.during;
    out.push(
      `answers while a ${d.pages}-page PDF is read (${d.read_ms} ms, a question every 100 ms): p50 ${d.answer_p50_ms} ms, p95 ${d.answer_p95_ms} ms, ` +
        `max ${d.answer_max_ms} ms over ${d.answers} answers; longest main-thread stall ${d.main_thread_stall_max_ms} ms (an interaction must be acknowledged within 3,000 ms)`,
    );
  }
  process.stdout.write(out.join('\n') + '\n');
}

interface PdfReadFigures {
  pages: number;
  bytes: number;
  first_read_ms: number;
  read_ms: number;
  ms_per_page: number;
  rss_before_mb: number;
  peak_rss_mb: number;
}

interface PdfBenchResult {
  guide: PdfReadFigures;
  generated: PdfReadFigures;
  during: { pages: number; read_ms: number; answers: number; answer_p50_ms: number; answer_p95_ms: number; answer_max_ms: number; main_thread_stall_max_ms: number };
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
