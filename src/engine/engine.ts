import { LRUCache } from 'lru-cache';
import { composeAnswer } from '../answer/compose.ts';
import { selectEvidence } from '../answer/select.ts';
import { filterSkills } from '../answer/skills.ts';
import type { Config } from '../config.ts';
import { cosine, createEmbedder, type Embedder } from '../embeddings/embedder.ts';
import { botError, BotError, errorMessage } from '../errors.ts';
import { buildIndex, openPersistedIndex } from './build-index.ts';
import { inProcessBuildWork, type BuildWork } from './build-work.ts';
import { BuildWorker } from './build-worker.ts';
import { loadKnowledge, type LoadedKnowledge } from '../ingest/load.ts';
import type { LiveIndex } from './live-index.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { DEFAULT_RETRIEVAL, fuseAndGate, type RetrievalSettings } from '../search/hybrid.ts';
import type { LexicalHit } from '../search/lexical-index.ts';
import type { VectorHit } from '../search/vector-index.ts';
import { INDEX_FORMAT_VERSION, knowledgeHash, readManifest } from '../store/index-store.ts';
import type { Answer, BuildProgress, EngineStats, ReindexReport, RefusalReason, SkillEntry } from '../types.ts';

/** Longer questions are cut here (and the answer says so): nobody asks 500 characters at once. */
export const MAX_QUESTION_CHARS = 500;
/** Candidates taken from each index before fusion. */
const CANDIDATES = 20;
const QUERY_CACHE_SIZE = 1_000;

export interface EngineOptions {
  config: Pick<Config, 'knowledgeDir' | 'indexDir' | 'embedder' | 'modelDir'>;
  logger?: Logger;
  /** Injected in tests; by default the configured model is loaded. */
  embedder?: Embedder;
  /**
   * Where builds embed and index. By default a reindex runs on a worker thread with its own copy
   * of the configured model (in-process on an injected embedder), and a build at open runs on
   * this thread, which has nothing to answer yet. When given, every build uses it.
   */
  buildWork?: BuildWork;
  /** Progress of the build `open` runs when the index on disk is missing or stale. */
  onBuildProgress?: (progress: BuildProgress) => void;
  retrieval?: Partial<RetrievalSettings>;
}

export interface ReindexOptions {
  /** Progress of the run that serves this request. */
  onProgress?: (progress: BuildProgress) => void;
}

type ProgressListener = (progress: BuildProgress) => void;

interface ReindexRun {
  promise: Promise<ReindexReport>;
  listeners: Set<ProgressListener>;
}

/**
 * The one façade the surfaces know: ask, skills, reindex, stats. It owns the live index and
 * replaces it in one assignment when a reindex completes.
 */
export class Engine {
  private live: LiveIndex;
  private reindexRun: ReindexRun | undefined;
  private followUpRun: ReindexRun | undefined;
  private readonly queryCache = new LRUCache<string, Float32Array>({ max: QUERY_CACHE_SIZE });

  private constructor(
    private readonly options: EngineOptions,
    private readonly embedder: Embedder,
    private readonly reindexWork: BuildWork,
    private readonly logger: Logger,
    private readonly retrieval: RetrievalSettings,
    live: LiveIndex,
    /** The report of the build `open` ran; undefined when it loaded a current index. */
    readonly builtAtOpen: ReindexReport | undefined,
  ) {
    this.live = live;
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const logger = options.logger ?? silentLogger;
    const embedder = options.embedder ?? (await createEmbedder(options.config));
    // The worker thread starts only when a build first needs it.
    const worker = options.buildWork === undefined && options.embedder === undefined ? new BuildWorker(options.config) : undefined;
    const reindexWork = options.buildWork ?? worker ?? inProcessBuildWork(embedder);
    const openWork = options.buildWork ?? inProcessBuildWork(embedder);
    try {
      const { live, report } = await loadOrBuild(options, embedder, openWork, logger);
      return new Engine(options, embedder, reindexWork, logger, { ...DEFAULT_RETRIEVAL, ...options.retrieval }, live, report);
    } catch (error) {
      await worker?.dispose();
      throw error;
    }
  }

  async ask(rawQuestion: string): Promise<Answer> {
    const started = performance.now();
    const live = this.live;
    const { question, truncated } = cleanQuestion(rawQuestion);
    const refuse = (reason: RefusalReason, timings = { embedMs: 0, searchMs: 0 }, confidence = 0): Answer => ({
      question,
      refused: true,
      refusalReason: reason,
      answer: withTruncationNote(refusalText(reason, live.topics), truncated),
      citations: [],
      truncated,
      confidence: round3(confidence),
      timings: { totalMs: elapsed(started), ...timings },
    });

    if (question === '') return refuse('empty');
    if (!/[\p{L}\p{N}]/u.test(question)) return refuse('unclear');

    const embedStart = performance.now();
    const queryVector = await this.embedQuery(question);
    const embedMs = elapsed(embedStart);

    const searchStart = performance.now();
    const lexicalHits = live.lexical.search(question, CANDIDATES);
    const retrieval = fuseAndGate(this.denseCandidates(live, queryVector, lexicalHits), lexicalHits, this.retrieval);
    const searchMs = elapsed(searchStart);

    if (!retrieval.confident) return refuse('off-topic', { embedMs, searchMs }, retrieval.confidence);
    const labels = selectEvidence(question, retrieval.selected, live.chunks, live.sections, this.retrieval.maxPassages);
    const ranked = new Map(retrieval.ranked.map((p, i) => [p.label, { rank: i + 1, dense: p.dense }]));
    const composed = composeAnswer(
      labels.map((label) => ({
        chunk: live.chunks[label]!,
        score: ranked.get(label)?.dense ?? this.denseScore(live, queryVector, label),
        rank: ranked.get(label)?.rank ?? retrieval.ranked.length + 1,
      })),
    );
    return {
      question,
      refused: false,
      answer: withTruncationNote(composed.answer, truncated),
      citations: composed.citations,
      truncated,
      confidence: round3(retrieval.confidence),
      timings: { totalMs: elapsed(started), embedMs, searchMs },
    };
  }

  /** The skills list as the knowledge states it, optionally narrowed to an area. */
  skills(area?: string): SkillEntry[] {
    return filterSkills(this.live.skills, area);
  }

  /**
   * Rebuilds from the knowledge folder beside the live index and swaps it in when complete; a
   * failure leaves the live index answering. The embedding and index building run off the main
   * thread (see EngineOptions.buildWork), so answers keep flowing meanwhile. Single-flight:
   * requests made while a run is in progress all share one follow-up run, which starts when the
   * current one ends, so a change made during a run (a file just added) is never missed and at
   * most two runs ever queue. Each request's `onProgress` follows the run that serves it.
   */
  reindex(options: ReindexOptions = {}): Promise<ReindexReport> {
    const listener = options.onProgress;
    if (this.reindexRun === undefined) return this.startRun(new Set(listener ? [listener] : [])).promise;
    if (this.followUpRun === undefined) {
      const listeners = new Set<ProgressListener>();
      const promise = this.reindexRun.promise
        .catch(() => undefined)
        .then(() => {
          this.followUpRun = undefined;
          return this.startRun(listeners).promise;
        });
      this.followUpRun = { promise, listeners };
    }
    if (listener) this.followUpRun.listeners.add(listener);
    return this.followUpRun.promise;
  }

  /**
   * Swaps in the index another process persisted (a shard that reindexed), without rebuilding:
   * only one process writes INDEX_DIR at a time.
   */
  async reload(): Promise<void> {
    const { indexDir } = this.options.config;
    const manifest = await readManifest(indexDir);
    if (!manifest || manifest.generation === this.live.manifest.generation) return;
    if (manifest.embedder !== this.embedder.name || manifest.dim !== this.embedder.dim) {
      throw botError('INDEX_CORRUPT', { dir: indexDir, cause: `it was built by ${manifest.embedder}, this process uses ${this.embedder.name}` });
    }
    this.live = await openPersistedIndex(indexDir, manifest);
    this.logger.info({ generation: manifest.generation }, 'reloaded the index another process built');
  }

  stats(): EngineStats {
    const { manifest } = this.live;
    return {
      documents: manifest.documents.length,
      chunks: manifest.chunkCount,
      embedder: manifest.embedder,
      dim: manifest.dim,
      knowledgeVersion: manifest.knowledgeHash.slice(0, 8),
      builtAt: manifest.createdAt,
      documentsList: manifest.documents.map((d) => ({ id: d.id, title: d.title, sections: d.sections, chunks: d.chunks, indexedAt: d.indexedAt })),
    };
  }

  async close(): Promise<void> {
    await this.followUpRun?.promise.catch(() => undefined);
    await this.reindexRun?.promise.catch(() => undefined);
    if (this.options.buildWork === undefined) await this.reindexWork.dispose();
    await this.embedder.dispose?.();
  }

  private startRun(listeners: Set<ProgressListener>): ReindexRun {
    const notify = (progress: BuildProgress) => {
      for (const listener of listeners) {
        try {
          listener(progress);
        } catch (error) {
          this.logger.warn({ err: errorMessage(error) }, 'a reindex progress listener failed');
        }
      }
    };
    const run: ReindexRun = {
      listeners,
      promise: this.runReindex(notify).finally(() => {
        this.reindexRun = undefined;
      }),
    };
    this.reindexRun = run;
    return run;
  }

  private async runReindex(onProgress: ProgressListener): Promise<ReindexReport> {
    try {
      const knowledge = await loadUsableKnowledge(this.options.config.knowledgeDir, this.logger);
      const { live, report } = await buildIndex({
        knowledge,
        embedder: this.embedder,
        work: this.reindexWork,
        indexDir: this.options.config.indexDir,
        previous: this.live,
        onProgress,
      });
      this.live = live;
      this.logger.info({ ...report, skipped: report.skipped.length }, 'reindex complete');
      return report;
    } catch (error) {
      this.logger.error({ err: error }, 'reindex failed; the previous index keeps answering');
      throw error instanceof BotError && error.code === 'REINDEX_FAILED'
        ? error
        : botError('REINDEX_FAILED', { cause: errorMessage(error) }, error);
    }
  }

  private async embedQuery(question: string): Promise<Float32Array> {
    const key = question.toLowerCase();
    const cached = this.queryCache.get(key);
    if (cached) return cached;
    const [vector] = await this.embedder.embed([question]);
    this.queryCache.set(key, vector!);
    return vector!;
  }

  /**
   * Nearest passages by HNSW, plus exact similarities for the lexical candidates HNSW did not
   * return, each blended with its section's similarity so a passage is read in its context.
   */
  private denseCandidates(live: LiveIndex, query: Float32Array, lexicalHits: readonly LexicalHit[]): VectorHit[] {
    const labels = new Set(live.vectorIndex.search(query, CANDIDATES).map((h) => h.label));
    for (const hit of lexicalHits) labels.add(hit.label);
    return [...labels].map((label) => ({ label, similarity: this.denseScore(live, query, label) }));
  }

  private denseScore(live: LiveIndex, query: Float32Array, label: number): number {
    const w = this.retrieval.sectionWeight;
    return (1 - w) * cosine(query, live.vectors[label]!) + w * cosine(query, live.sectionVectors[label]!);
  }
}

async function loadOrBuild(
  options: EngineOptions,
  embedder: Embedder,
  work: BuildWork,
  logger: Logger,
): Promise<{ live: LiveIndex; report?: ReindexReport }> {
  const { knowledgeDir, indexDir } = options.config;
  const knowledge = await loadUsableKnowledge(knowledgeDir, logger);
  let previous: LiveIndex | undefined;
  try {
    const manifest = await readManifest(indexDir);
    if (manifest && manifest.formatVersion === INDEX_FORMAT_VERSION && manifest.embedder === embedder.name && manifest.dim === embedder.dim) {
      previous = await openPersistedIndex(indexDir, manifest);
      if (manifest.knowledgeHash === knowledgeHash(knowledge.documents)) {
        logger.info({ chunks: manifest.chunkCount, indexDir }, 'loaded the persisted index');
        return { live: previous };
      }
      logger.info('knowledge changed since the index was built; updating it');
    } else if (manifest) {
      logger.info('the persisted index was built differently (embedder or format); rebuilding it');
    }
  } catch (error) {
    logger.warn({ err: errorMessage(error) }, 'the persisted index is unusable; rebuilding it from the knowledge');
  }
  const { live, report } = await buildIndex({
    knowledge,
    embedder,
    work,
    indexDir,
    ...(previous && { previous }),
    ...(options.onBuildProgress && { onProgress: options.onBuildProgress }),
  });
  logger.info({ ...report, skipped: report.skipped.length }, 'index built');
  return { live, report };
}

async function loadUsableKnowledge(dir: string, logger: Logger): Promise<LoadedKnowledge> {
  const knowledge = await loadKnowledge(dir);
  for (const s of knowledge.skipped) logger.warn({ file: s.file, reason: s.reason }, 'skipped a knowledge file');
  if (knowledge.documents.length === 0) throw botError('KNOWLEDGE_EMPTY', { dir, skipped: knowledge.skipped.length });
  return knowledge;
}

export function cleanQuestion(raw: string): { question: string; truncated: boolean } {
  // Control characters carry no meaning in a question and would garble logs and replies.
  const text = String(raw ?? '')
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= MAX_QUESTION_CHARS) return { question: text, truncated: false };
  const cut = text.slice(0, MAX_QUESTION_CHARS);
  const lastSpace = cut.lastIndexOf(' ');
  return { question: (lastSpace > MAX_QUESTION_CHARS * 0.8 ? cut.slice(0, lastSpace) : cut).trim(), truncated: true };
}

function refusalText(reason: RefusalReason, topics: readonly string[]): string {
  const offer =
    topics.length > 0
      ? `I can answer questions about: ${topics.slice(0, 6).join('; ')}.`
      : 'I can answer questions about what is in my knowledge base.';
  switch (reason) {
    case 'empty':
      return `Please ask a question. ${offer}`;
    case 'unclear':
      return `I couldn't read a question in that. ${offer}`;
    case 'off-topic':
      return `I don't know that from my sources, so I won't guess. ${offer}`;
  }
}

function withTruncationNote(text: string, truncated: boolean): string {
  return truncated ? `(Your question was long, so I read only its first ${MAX_QUESTION_CHARS} characters.)\n${text}` : text;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 100) / 100;
}
