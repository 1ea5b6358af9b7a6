import { mkdir, readdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { composeAnswer } from '../answer/compose.ts';
import { figureAsked, statesFigure } from '../answer/answer-type.ts';
import { selectPassages, DEFAULT_SELECTION, type SelectionSettings } from '../answer/select.ts';
import { extractSkills, filterSkills } from '../answer/skills.ts';
import type { Config } from '../config.ts';
import type { Embedder } from '../embeddings/embedder.ts';
import { botError, BotError, errorMessage } from '../errors.ts';
import { inProcessBuildWork, type BuildWork } from './build-work.ts';
import { BuildWorker } from './build-worker.ts';
import { ThreadEmbedder } from './thread-embedder.ts';
import { calibrateGate } from './calibrate-gate.ts';
import { resolveQuery, type ConversationTurn, type ResolvedQuery } from './follow-up.ts';
import { KnowledgeSet } from './knowledge-set.ts';
import { addKnowledgeFile, removeKnowledgeFile, restoreKnowledgeFile, safeKnowledgeFileName } from './knowledge-files.ts';
import type { LiveIndex } from './live-index.ts';
import { mergeRetrievals } from './merged-retrieval.ts';
import { asServerChunks } from './origin.ts';
import { SharedDocumentsSync } from './shared-documents-sync.ts';
import { checkServerQuota } from './quotas.ts';
import { checkServerId, serverDirs, ServerRegistry } from './servers.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { GATE_Z, gateScore, passesGate, type GateCalibration } from '../search/gate.ts';
import { PageFetcher } from '../fetch/page-fetcher.ts';
import { URL_LIST_FILE } from '../ingest/sources.ts';
import { readSnapshotBytes, writeSnapshot, writeSnapshotBytes } from '../ingest/web/snapshots.ts';
import { isPageId, normaliseUrl, parseUrlList, withoutUrl, withUrl } from '../ingest/web/url-list.ts';
import { fetchSnapshot } from './web-pages.ts';
import type { LexicalHit } from '../search/lexical-index.ts';
import { DEFAULT_RETRIEVAL, retrieve, searchLexically, type Retrieval, type RetrievalSettings } from '../search/retrieve.ts';
import { unknownNames } from '../search/vocabulary.ts';
import { resilientEmbeddingCache } from '../state/resilient-embedding-cache.ts';
import type { EmbeddingCache, ServerDocuments } from '../state/types.ts';
import { graphemePrefix } from '../text.ts';
import type { Answer, BuildProgress, Chunk, EngineStats, KnowledgeOrigin, RefusalReason, ReindexReport, SkillEntry } from '../types.ts';

/** Longer questions are cut here (and the answer says so): nobody asks 500 characters at once. */
export const MAX_QUESTION_CHARS = 500;
const QUERY_CACHE_SIZE = 1_000;
/**
 * A server's index up to this many passages is searched exactly, without HNSW: a scan of 2,000
 * vectors costs about a millisecond, and each HNSW index holds ~2.6 MB of native memory however
 * small (see ExactVectors), which with many servers loaded and unloaded dominated memory.
 */
const SERVER_EXACT_SEARCH_UP_TO = 2_000;
/** Server indexes held in memory when the configuration does not say (MAX_LOADED_SERVERS). */
const DEFAULT_LOADED_SERVERS = 64;

export interface EngineOptions {
  config: Pick<Config, 'knowledgeDir' | 'indexDir' | 'embedder' | 'modelDir'> & Partial<Pick<Config, 'dataDir' | 'maxLoadedServers' | 'fetchAllow'>>;
  logger?: Logger;
  /**
   * Injected in tests and benchmarks (the engine leaves it open at close); by default the
   * configured model is loaded on a thread of its own (ThreadEmbedder).
   */
  embedder?: Embedder;
  /**
   * Where builds embed and index. By default a reindex builds its indexes on a worker thread and
   * embeds on the model's thread (in-process with an injected embedder), and a build at open
   * builds on this thread, which has nothing to answer yet. When given, every build uses it.
   */
  buildWork?: BuildWork;
  /** Progress of the build `open` runs when the index on disk is missing or stale. */
  onBuildProgress?: (progress: BuildProgress) => void;
  retrieval?: Partial<RetrievalSettings>;
  selection?: Partial<SelectionSettings>;
  /** State shared with other hosts (DATABASE_URL); absent: everything lives in local folders. */
  shared?: SharedKnowledge;
  /** Fetches web pages (tests inject one with their own resolver); by default one guarded by the configuration. */
  fetcher?: PageFetcher;
}

/** What several hosts share so that each serves any server as the others would. */
export interface SharedKnowledge {
  /**
   * Each server's documents: the source of truth, materialised into the server's local folder
   * before it is indexed, told of every change made here, and followed when other hosts change it.
   */
  documents?: ServerDocuments;
  /** Vectors by model and content hash, consulted by every build (and the gate's probes) before embedding. */
  embeddings?: EmbeddingCache;
}

/** Which knowledge: a server's (its documents and the base), or, without `server`, the base alone. */
export interface KnowledgeScope {
  /** A Discord server (guild) id. */
  server?: string;
}

/** A question in its scope and, in a conversation, after the earlier turns it may follow up on. */
export interface AskOptions extends KnowledgeScope {
  /** Earlier turns, oldest first (src/engine/follow-up.ts reads the last few). */
  conversation?: readonly ConversationTurn[];
}

export interface ReindexOptions extends KnowledgeScope {
  /** Progress of the run that serves this request. */
  onProgress?: (progress: BuildProgress) => void;
}

export interface AddDocumentRequest extends KnowledgeScope {
  name: string;
  bytes: Uint8Array;
  /** Replace a document of that name (compared ignoring case) instead of refusing. */
  replace: boolean;
  /** Who adds it (a Discord user id), kept with a server's document where documents are shared. */
  addedBy?: string;
}

export interface AddPageRequest extends KnowledgeScope {
  /** An http(s) URL: the page is fetched now, and again at every reindex. */
  url: string;
  /** Who added it (a Discord user id), recorded with shared documents. */
  addedBy?: string;
}

export interface KnowledgeChange {
  /** The file name (or, for a web page, the URL) as written or removed. */
  file: string;
  replaced: boolean;
  report: ReindexReport;
}

/** What answers in one scope, as the surfaces list it: the documents with their origin, and the skills. */
export interface KnowledgeSnapshot {
  stats: EngineStats;
  skills(area?: string): SkillEntry[];
}

/** Told after this process changed a knowledge set, so other processes (shards) can reload it. */
export type KnowledgeChangeListener = (scope: KnowledgeScope) => void | Promise<void>;

/** The base and, in a server, its own index, with what answering over both needs. */
interface View {
  base: LiveIndex;
  server?: LiveIndex;
  /** The base's chunks, then the server's (labelled `server:`): the labels of the merged ranking. */
  chunks: Chunk[];
  skills: SkillEntry[];
  topics: string[];
  gate: GateCalibration;
}

class ServerEntry {
  set: KnowledgeSet | undefined;
  /** With shared documents: the version of them its folder holds (0: not read from the database yet). */
  version = 0;
  readonly ready: Promise<KnowledgeSet>;
  private view: { base: LiveIndex; server: LiveIndex | undefined; view: Promise<View> } | undefined;

  constructor(
    readonly id: string,
    open: (entry: ServerEntry) => Promise<KnowledgeSet>,
  ) {
    this.ready = open(this);
    void this.ready.then((set) => (this.set = set), () => undefined);
  }

  isBusy(): boolean {
    return this.set !== undefined && this.set.busy > 0;
  }

  /** The view over `base` and this server's live index, made once per pair of indexes. */
  viewOver(base: LiveIndex, make: (server: LiveIndex | undefined) => Promise<View>): Promise<View> {
    const server = this.set?.live;
    if (this.view === undefined || this.view.base !== base || this.view.server !== server) {
      const view = make(server);
      this.view = { base, server, view };
      view.catch(() => {
        if (this.view?.view === view) this.view = undefined;
      });
    }
    return this.view.view;
  }
}

/**
 * The one façade the surfaces know: ask, skills, stats, reindex, and adding or removing documents,
 * each for the base knowledge (the bot owners') or for one server (its documents and the base
 * together). It owns the live indexes and replaces each in one assignment when a build completes.
 */
export class Engine {
  private readonly queryCache = new LRUCache<string, Float32Array>({ max: QUERY_CACHE_SIZE });
  private readonly servers: ServerRegistry<ServerEntry>;
  private baseView: { base: LiveIndex; view: Promise<View> } | undefined;
  private readonly changeListeners = new Set<KnowledgeChangeListener>();
  /** Present when server documents are shared (DATABASE_URL): keeps the server folders in step with them. */
  private readonly sync: SharedDocumentsSync | undefined;
  private stopFollowing: (() => Promise<void>) | undefined;

  private constructor(
    private readonly options: EngineOptions,
    private readonly embedder: Embedder,
    private readonly reindexWork: BuildWork,
    private readonly logger: Logger,
    private readonly retrieval: RetrievalSettings,
    private readonly selection: SelectionSettings,
    private readonly base: KnowledgeSet,
    /** The report of the build `open` ran; undefined when it loaded a current index. */
    readonly builtAtOpen: ReindexReport | undefined,
    /** The second model thread long builds embed on, when the engine owns its model. */
    private readonly secondModel: BuildWorker | undefined,
    private readonly fetcher: PageFetcher,
  ) {
    this.servers = new ServerRegistry(options.config.maxLoadedServers ?? DEFAULT_LOADED_SERVERS, (id) => this.openServer(id));
    const documents = options.shared?.documents;
    this.sync = documents === undefined ? undefined : new SharedDocumentsSync(documents, logger);
  }

  static async open(given: EngineOptions): Promise<Engine> {
    const logger = given.logger ?? silentLogger;
    // A shared cache that cannot be reached costs embedding here, never a failed build.
    const cache = given.shared?.embeddings;
    const options: EngineOptions = cache ? { ...given, shared: { ...given.shared, embeddings: resilientEmbeddingCache(cache, logger) } } : given;
    // The model loads on its thread while this thread opens the index: neither waits for the other.
    const ownEmbedder = options.embedder === undefined ? ThreadEmbedder.launch(options.config) : undefined;
    const embedder = options.embedder ?? ownEmbedder!;
    const retrieval = { ...DEFAULT_RETRIEVAL, ...options.retrieval };
    // Long builds also embed on a second model thread (both cores), started when a build needs it
    // and stopped as soon as its passages are embedded (embedForBuild); the build thread starts
    // only when a reindex first needs it. On one core a second copy of the model would cost its
    // memory and gain nothing.
    const twoCores = availableParallelism() > 1;
    const second = options.buildWork === undefined && ownEmbedder !== undefined && twoCores ? new BuildWorker(options.config) : undefined;
    const worker = options.buildWork === undefined && ownEmbedder !== undefined ? new BuildWorker(options.config, { embedder: ownEmbedder, ...(second && { second }) }) : undefined;
    const reindexWork = options.buildWork ?? worker ?? inProcessBuildWork(embedder);
    const openWork = options.buildWork ?? inProcessBuildWork(embedder, second);
    const fetcher = options.fetcher ?? new PageFetcher({ allow: options.config.fetchAllow ?? [] });
    try {
      const { knowledgeDir, indexDir } = options.config;
      const embeddingCache = options.shared?.embeddings;
      const [{ set, report }] = await Promise.all([
        KnowledgeSet.open(
          { label: 'base', knowledgeDir, indexDir, mayBeEmpty: false, embedder, work: reindexWork, logger, fetcher, ...(embeddingCache && { embeddingCache }) },
          openWork,
          options.onBuildProgress,
        ),
        ownEmbedder?.ready,
      ]);
      await second?.dispose(); // a start-up build is over: its second model is not kept
      const selection = { ...DEFAULT_SELECTION, ...options.selection };
      const engine = new Engine(options, embedder, reindexWork, logger, retrieval, selection, set, report, second, fetcher);
      // The base's gate is measured before the first question, as it always was.
      await engine.view({});
      engine.stopFollowing = engine.sync?.follow(engine.servers);
      return engine;
    } catch (error) {
      await worker?.dispose();
      await second?.dispose();
      await ownEmbedder?.dispose();
      throw error;
    }
  }

  async ask(rawQuestion: string, scope: AskOptions = {}): Promise<Answer> {
    const started = performance.now();
    const { question, truncated } = cleanQuestion(rawQuestion);
    const refuse = (reason: RefusalReason, topics: readonly string[], timings = { embedMs: 0, searchMs: 0 }, confidence = 0, names: readonly string[] = []): Answer => ({
      question,
      refused: true,
      refusalReason: reason,
      answer: withTruncationNote(refusalText(reason, topics, names), truncated),
      citations: [],
      truncated,
      confidence: round3(confidence),
      timings: { totalMs: elapsed(started), ...timings },
    });

    const view = await this.view(scope);
    if (question === '') return refuse('empty', view.topics);
    if (!/[\p{L}\p{N}]/u.test(question)) return refuse('unclear', view.topics);
    // What the knowledge never mentions it cannot answer, however well the rest of the question matches.
    const unknown = unknownNames(question, view.server === undefined ? [view.base] : [view.base, view.server]);
    if (unknown.length > 0) return refuse('unknown-names', view.topics, undefined, -GATE_Z, unknown);

    // In a conversation the question may lean on earlier turns: it is searched as resolved.
    const { query, retrieval, embedMs, searchMs } = await this.searchInContext(question, scope.conversation, view);
    const context = query.reading === undefined ? {} : { context: { reading: query.reading, ...(query.readWith !== undefined && { readWith: query.readWith }) } };
    const gate = retrieval === undefined ? undefined : gateScore(retrieval.documents, view.gate);
    const confidence = gate !== undefined && Number.isFinite(gate.z) ? gate.z - GATE_Z : -GATE_Z;

    if (retrieval === undefined || gate === undefined || !passesGate(gate)) {
      return { ...refuse('off-topic', view.topics, { embedMs, searchMs }, confidence), ...context };
    }
    // A follow-up naming one list item is shaped by that item, not by the list question it follows.
    const shape = query.shapeText ?? query.text;
    const labels = selectPassages(shape, retrieval.ranked, view.chunks, this.selection);
    const figure = figureAsked(shape);
    if (figure !== undefined && !labels.some((label) => statesFigure(view.chunks[label]!.text, figure))) {
      return { ...refuse('no-figure', view.topics, { embedMs, searchMs }, confidence), ...context };
    }
    const byLabel = new Map(retrieval.ranked.map((c, i) => [c.label, { rank: i + 1, dense: c.dense }]));
    // Quotes are chosen by the term weights of the knowledge the best passage comes from.
    const termStats = view.server !== undefined && (labels[0] ?? 0) >= view.base.chunks.length ? view.server.termStats : view.base.termStats;
    const composed = composeAnswer(
      labels.map((label) => ({
        chunk: view.chunks[label]!,
        score: byLabel.get(label)?.dense ?? 0,
        rank: byLabel.get(label)?.rank ?? retrieval.ranked.length + 1,
      })),
      retrieval.terms,
      termStats,
    );
    return {
      question,
      refused: false,
      answer: withTruncationNote(composed.answer, truncated),
      citations: composed.citations,
      truncated,
      confidence: round3(confidence),
      timings: { totalMs: elapsed(started), embedMs, searchMs },
      ...context,
    };
  }

  /**
   * The question's query and its retrieval. Alone, the question is searched as it is. After
   * earlier turns it is resolved (src/engine/follow-up.ts): a follow-up is searched as rewritten,
   * and one the gate refuses that way is tried alone, so a context never costs an answer the
   * question would get by itself. A follow-up whose new words the knowledge does not know is not
   * searched at all (`retrieval` undefined): its subject is not in the knowledge, whatever the topic.
   */
  private async searchInContext(
    question: string,
    conversation: readonly ConversationTurn[] | undefined,
    view: View,
  ): Promise<{ query: ResolvedQuery; retrieval: Retrieval | undefined; embedMs: number; searchMs: number }> {
    let embedMs = 0;
    let searchMs = 0;
    const run = async (text: string): Promise<Retrieval> => {
      const started = performance.now();
      const pending = this.embedQuery(text);
      // The model embeds on its own thread: the lexical search runs meanwhile, not after it.
      const lexical = this.searchLexically(view, text);
      const lexicalDone = performance.now();
      const vector = await pending;
      const embedded = performance.now();
      const retrieval = this.search(view, vector, text, lexical);
      // embedMs is the wait for the vector once the lexical search was done; searchMs both searches.
      embedMs += embedded - lexicalDone;
      searchMs += lexicalDone - started + elapsed(embedded);
      return retrieval;
    };
    if (conversation === undefined || conversation.length === 0) {
      const query = { text: question };
      return { query, retrieval: await run(question), embedMs, searchMs };
    }
    const stats = [view.base.termStats, ...(view.server ? [view.server.termStats] : [])];
    const query = resolveQuery(
      question,
      conversation.map((turn) => ({ question: cleanQuestion(turn.question).question, ...(turn.answer !== undefined && { answer: turn.answer }) })),
      { knows: (term) => stats.some((s) => s.knows(term)), idf: (term) => view.base.termStats.idf(term) },
    );
    // A follow-up whose own new words the knowledge does not know is refused, with or without its topic.
    if (query.unknownTerms !== undefined) return { query, retrieval: undefined, embedMs, searchMs };
    const retrieval = await run(query.text);
    const passes = (r: Retrieval) => passesGate(gateScore(r.documents, view.gate));
    if (query.reading !== 'follow-up' || passes(retrieval)) return { query, retrieval, embedMs, searchMs };
    const alone = await run(question);
    if (passes(alone)) return { query: { text: question, reading: 'new-topic' }, retrieval: alone, embedMs, searchMs };
    return { query, retrieval, embedMs, searchMs };
  }

  /** The base's skills list as the knowledge states it, optionally narrowed to an area. */
  skills(area?: string): SkillEntry[] {
    return filterSkills(this.baseIndex().skills, area);
  }

  /** The base knowledge's figures and documents. */
  stats(): EngineStats {
    return statsOf(this.baseIndex(), undefined);
  }

  /** The documents and skills answering in `scope`: in a server, the base's and its own. */
  async knowledgeOf(scope: KnowledgeScope): Promise<KnowledgeSnapshot> {
    const view = await this.view(scope);
    return { stats: statsOf(view.base, view.server), skills: (area) => filterSkills(view.skills, area) };
  }

  /**
   * Rebuilds one knowledge set from its folder: a server's when `server` is given, otherwise the
   * base. Runs beside the live index (off the main thread, see EngineOptions.buildWork) and swaps
   * it in when complete; a failure leaves the live index answering. Requests during a run coalesce
   * into one follow-up run (see KnowledgeSet.reindex). Other processes are told (onKnowledgeChanged).
   */
  async reindex(options: ReindexOptions = {}): Promise<ReindexReport> {
    const scope = scopeOf(options);
    const set = await this.setFor(scope);
    const report = await set.reindex(options.onProgress);
    this.changed(scope);
    return report;
  }

  /**
   * Adds (or, with `replace`, replaces) one document of a server's folder or, without `server`,
   * of the base, then reindexes that knowledge; a change the index cannot take is undone, so the
   * folder always matches what answers. The outcome depends only on the reindex, never on what the
   * caller does afterwards. A server's documents are held to SERVER_QUOTA and may not take a base
   * document's name.
   */
  async addDocument(request: AddDocumentRequest): Promise<KnowledgeChange> {
    const scope = scopeOf(request);
    const set = await this.setFor(scope);
    const requested = safeKnowledgeFileName(request.name);
    if (requested.toLowerCase() === URL_LIST_FILE) {
      throw botError('KNOWLEDGE_FILE_REJECTED', { name: requested, reason: `${URL_LIST_FILE} is the list of web pages; add a page with its URL instead` });
    }
    return set.exclusive(async () => {
      if (scope.server !== undefined) {
        await this.sync?.beforeChange(this.servers.peek(scope.server)!, set, requested);
        this.refuseBaseName(requested);
        await mkdir(set.knowledgeDir, { recursive: true });
        await checkServerQuota(set.knowledgeDir, requested, request.bytes.byteLength);
      } else {
        this.warnBaseIsLocal();
      }
      // Read before written: a file that gives no text (an encrypted PDF, an empty page) is refused, nothing stored.
      // The parsers load on the first document read, not at start-up.
      const { readDocument } = await import('../ingest/load.ts');
      const readable = await readDocument(requested, request.bytes);
      if ('reason' in readable) throw botError('KNOWLEDGE_FILE_REJECTED', { name: requested, reason: readable.reason });
      const added = await addKnowledgeFile(set.knowledgeDir, requested, request.bytes, { replace: request.replace });
      this.logger.info({ knowledge: scopeLabel(scope), action: added.replaced ? 'replace' : 'add', file: added.file, bytes: request.bytes.byteLength }, 'knowledge changed');
      const report = await this.reindexOrUndo(set, scope, added.file, () => restoreKnowledgeFile(set.knowledgeDir, added.file, added.previous));
      if (scope.server !== undefined) {
        await this.sync?.record(this.servers.peek(scope.server)!, set, { name: added.file, bytes: request.bytes, addedBy: request.addedBy ?? null, replace: request.replace }, added.previous);
      }
      this.changed(scope);
      return { file: added.file, replaced: added.replaced, report };
    });
  }

  /**
   * Adds a web page by URL to a server's knowledge or, without `server`, the base: fetched now
   * (safely: see PageFetcher), stored as a snapshot, listed in the folder's urls.txt and indexed;
   * fetched again at every reindex. A page that cannot be fetched or gives no text is refused
   * (KNOWLEDGE_PAGE_REFUSED) and nothing is stored; adding a listed page again refreshes it.
   */
  async addPage(request: AddPageRequest): Promise<KnowledgeChange> {
    const scope = scopeOf(request);
    const url = normaliseUrl(String(request.url ?? ''));
    if (url === undefined) throw botError('KNOWLEDGE_PAGE_REFUSED', { url: String(request.url ?? ''), reason: 'it is not an http(s) URL without a user name or password' });
    const set = await this.setFor(scope);
    return set.exclusive(async () => {
      const dir = set.knowledgeDir;
      if (scope.server !== undefined) {
        // With shared documents the page list is one of them (snapshots stay each host's own: a
        // host without one fetches the page when it opens the server).
        await this.sync?.beforeChange(this.servers.peek(scope.server)!, set, URL_LIST_FILE);
        this.refuseBaseName(url);
        await mkdir(dir, { recursive: true });
        await checkServerQuota(dir, url, 0);
      }
      const listBefore = await readFile(path.join(dir, URL_LIST_FILE), 'utf8').catch(() => undefined);
      const listed = parseUrlList(listBefore ?? '').urls.includes(url);
      const snapshot = await fetchSnapshot(this.fetcher, url, undefined).catch((error: unknown) => {
        throw botError('KNOWLEDGE_PAGE_REFUSED', { url, reason: errorMessage(error) }, error);
      });
      if (snapshot === undefined) throw botError('KNOWLEDGE_PAGE_REFUSED', { url, reason: 'the server sent nothing new' });
      const snapshotBytes = Buffer.byteLength(JSON.stringify(snapshot));
      if (scope.server !== undefined) await checkServerQuota(dir, url, snapshotBytes);
      const previousSnapshot = await readSnapshotBytes(dir, url);
      await writeSnapshot(dir, snapshot);
      if (!listed) await restoreKnowledgeFile(dir, URL_LIST_FILE, Buffer.from(withUrl(listBefore ?? '', url)));
      this.logger.info({ knowledge: scopeLabel(scope), action: listed ? 'refresh page' : 'add page', url, bytes: snapshotBytes }, 'knowledge changed');
      const report = await this.reindexOrUndo(set, scope, url, async () => {
        await writeSnapshotBytes(dir, url, previousSnapshot);
        if (!listed) await restoreKnowledgeFile(dir, URL_LIST_FILE, listBefore === undefined ? undefined : Buffer.from(listBefore));
      });
      if (scope.server !== undefined && !listed) {
        const list = Buffer.from(withUrl(listBefore ?? '', url));
        await this.sync?.record(this.servers.peek(scope.server)!, set, { name: URL_LIST_FILE, bytes: list, addedBy: request.addedBy ?? null, replace: true }, listBefore === undefined ? undefined : Buffer.from(listBefore));
      }
      this.changed(scope);
      return { file: url, replaced: listed, report };
    });
  }

  /** Removes one document of a server's folder or, without `server`, of the base, then reindexes (undone on failure). */
  async removeDocument(request: KnowledgeScope & { name: string }): Promise<KnowledgeChange> {
    const scope = scopeOf(request);
    const set = await this.setFor(scope);
    if (isPageId(String(request.name ?? '').trim())) return this.removePage(set, scope, request.name);
    const requested = safeKnowledgeFileName(request.name);
    return set.exclusive(async () => {
      if (scope.server !== undefined) await this.sync?.beforeChange(this.servers.peek(scope.server)!, set, requested);
      if (scope.server !== undefined && !(await hasFile(set.knowledgeDir, requested))) this.refuseBaseName(requested);
      const { file, previous } = await removeKnowledgeFile(set.knowledgeDir, requested).catch((error: unknown) => {
        // A server without a folder has no documents to remove.
        if (error instanceof BotError && error.code === 'KNOWLEDGE_DIR_MISSING') throw botError('KNOWLEDGE_FILE_NOT_FOUND', { name: requested });
        throw error;
      });
      if (scope.server === undefined) this.warnBaseIsLocal();
      this.logger.info({ knowledge: scopeLabel(scope), action: 'remove', file }, 'knowledge changed');
      const report = await this.reindexOrUndo(set, scope, file, () => restoreKnowledgeFile(set.knowledgeDir, file, previous));
      if (scope.server !== undefined) await this.sync?.record(this.servers.peek(scope.server)!, set, { name: file, bytes: null, addedBy: null, replace: true }, previous);
      this.changed(scope);
      return { file, replaced: false, report };
    });
  }

  /** Removes a web page from a folder's list, with its snapshot, then reindexes (undone on failure). */
  private async removePage(set: KnowledgeSet, scope: KnowledgeScope, name: string): Promise<KnowledgeChange> {
    const url = normaliseUrl(name) ?? name;
    return set.exclusive(async () => {
      const dir = set.knowledgeDir;
      if (scope.server !== undefined) await this.sync?.beforeChange(this.servers.peek(scope.server)!, set, URL_LIST_FILE);
      const listBefore = await readFile(path.join(dir, URL_LIST_FILE), 'utf8').catch(() => undefined);
      if (listBefore === undefined || !parseUrlList(listBefore).urls.includes(url)) throw botError('KNOWLEDGE_FILE_NOT_FOUND', { name: url });
      const previousSnapshot = await readSnapshotBytes(dir, url);
      await restoreKnowledgeFile(dir, URL_LIST_FILE, Buffer.from(withoutUrl(listBefore, url)));
      await writeSnapshotBytes(dir, url, undefined);
      this.logger.info({ knowledge: scopeLabel(scope), action: 'remove page', url }, 'knowledge changed');
      const report = await this.reindexOrUndo(set, scope, url, async () => {
        await restoreKnowledgeFile(dir, URL_LIST_FILE, Buffer.from(listBefore));
        await writeSnapshotBytes(dir, url, previousSnapshot);
      });
      if (scope.server !== undefined) {
        await this.sync?.record(this.servers.peek(scope.server)!, set, { name: URL_LIST_FILE, bytes: Buffer.from(withoutUrl(listBefore, url)), addedBy: null, replace: true }, Buffer.from(listBefore));
      }
      this.changed(scope);
      return { file: url, replaced: false, report };
    });
  }

  /**
   * Swaps in what another process persisted for `scope` (a shard that changed it), without
   * rebuilding. A server not loaded here has nothing to reload: it is read from disk on first use.
   */
  async reload(scope: KnowledgeScope = {}): Promise<void> {
    if (scope.server === undefined) {
      await this.base.reload();
      return;
    }
    const entry = this.servers.peek(checkServerId(scope.server));
    if (entry === undefined) return;
    await (await entry.ready).reload();
  }

  /** `listener` is told after every knowledge change this engine makes (reindex, add, remove). */
  onKnowledgeChanged(listener: KnowledgeChangeListener): void {
    this.changeListeners.add(listener);
  }

  /** Server indexes held in memory now (for reports and the benchmark). */
  get loadedServers(): number {
    return this.servers.size;
  }

  async close(): Promise<void> {
    await this.stopFollowing?.();
    await this.base.settled();
    for (const entry of this.servers.values()) await entry.set?.settled();
    if (this.options.buildWork === undefined) await this.reindexWork.dispose();
    await this.secondModel?.dispose();
    // An injected embedder belongs to whoever passed it in.
    if (this.options.embedder === undefined) await this.embedder.dispose?.();
  }

  private baseIndex(): LiveIndex {
    // The base always has an index: it must have documents (KNOWLEDGE_EMPTY otherwise).
    return this.base.live!;
  }

  private async setFor(scope: KnowledgeScope): Promise<KnowledgeSet> {
    if (scope.server === undefined) return this.base;
    return this.servers.get(scope.server).ready;
  }

  private openServer(id: string): ServerEntry {
    const dataDir = this.options.config.dataDir;
    if (dataDir === undefined) throw new Error('server knowledge needs DATA_DIR in the engine configuration');
    const { knowledgeDir, indexDir } = serverDirs(dataDir, id);
    const embeddingCache = this.options.shared?.embeddings;
    const entry = new ServerEntry(id, async (entry) => {
      // With shared documents, the local folder is brought up to date first: it may be missing
      // (a host that never served this server) or stale (changed while another host served it).
      await this.sync?.materialise(entry, knowledgeDir);
      const { set } = await KnowledgeSet.open({
        label: `server ${id}`,
        knowledgeDir,
        indexDir,
        mayBeEmpty: true,
        embedder: this.embedder,
        work: this.reindexWork,
        logger: this.logger,
        exactUpTo: SERVER_EXACT_SEARCH_UP_TO,
        fetcher: this.fetcher,
        ...(embeddingCache && { embeddingCache }),
      });
      set.onIdle(() => this.servers.releaseIfIdle(id));
      return set;
    });
    entry.ready.catch((error: unknown) => {
      this.logger.error({ knowledge: `server ${id}`, err: errorMessage(error) }, 'could not open a server knowledge');
      this.servers.forget(id, entry);
    });
    return entry;
  }

  /** With shared state, the base knowledge is still each host's own folder. */
  private warnBaseIsLocal(): void {
    if (this.options.shared?.documents === undefined) return;
    this.logger.warn({ knowledgeDir: this.options.config.knowledgeDir }, "the base knowledge is each host's own KNOWLEDGE_DIR: this change applies to this host only");
  }

  /** What answers in `scope`, its gate measured for that very combination of indexes. */
  private async view(scope: KnowledgeScope): Promise<View> {
    const base = this.baseIndex();
    if (scope.server === undefined || this.options.config.dataDir === undefined) {
      if (this.baseView?.base !== base) {
        const view = this.makeView(base, undefined);
        this.baseView = { base, view };
        view.catch(() => {
          if (this.baseView?.view === view) this.baseView = undefined;
        });
      }
      return this.baseView.view;
    }
    const entry = this.servers.get(scope.server);
    await entry.ready;
    return entry.viewOver(base, (server) => this.makeView(base, server));
  }

  private async makeView(base: LiveIndex, server: LiveIndex | undefined): Promise<View> {
    const gate = await calibrateGate(base, this.embedder, {
      more: server,
      probeCacheDir: this.options.config.indexDir,
      indexKey: base.manifest.generation,
      embeddingCache: this.options.shared?.embeddings,
    });
    if (server === undefined) return { base, chunks: base.chunks, skills: base.skills, topics: base.topics, gate };
    const own = asServerChunks(server.chunks);
    const skills = [...base.skills, ...extractSkills(own)].map((s, i) => ({ ...s, citation: { ...s.citation, n: i + 1 } }));
    return { base, server, chunks: [...base.chunks, ...own], skills, topics: [...new Set([...server.topics, ...base.topics])], gate };
  }

  private searchLexically(view: View, question: string): { base: LexicalHit[]; server?: LexicalHit[] } {
    return { base: searchLexically(view.base, question), ...(view.server !== undefined && { server: searchLexically(view.server, question) }) };
  }

  private search(view: View, queryVector: Float32Array, question: string, lexical = this.searchLexically(view, question)): Retrieval {
    const fromBase = retrieve(view.base, queryVector, question, this.retrieval, lexical.base);
    if (view.server === undefined) return fromBase;
    const fromServer = retrieve(view.server, queryVector, question, this.retrieval, lexical.server);
    return mergeRetrievals(
      [
        { retrieval: fromBase, termStats: view.base.termStats, offset: 0 },
        { retrieval: fromServer, termStats: view.server.termStats, offset: view.base.chunks.length },
      ],
      this.retrieval,
    );
  }

  private refuseBaseName(file: string): void {
    const lower = file.toLowerCase();
    if (this.baseIndex().manifest.documents.some((d) => d.id.toLowerCase() === lower)) throw botError('KNOWLEDGE_NAME_IS_BASE', { name: file });
  }

  /**
   * A change the index cannot take is undone, so the folder always matches what answers. The
   * reindex decides (and, with shared documents, whether the database takes it: see `share`).
   */
  private async reindexOrUndo(set: KnowledgeSet, scope: KnowledgeScope, file: string, undo: () => Promise<void>): Promise<ReindexReport> {
    let report: ReindexReport;
    try {
      // One document changed: the other web pages need not be fetched again for it.
      report = await set.reindex(undefined, { refreshPages: false });
    } catch (error) {
      await undo();
      this.logger.warn({ knowledge: scopeLabel(scope), file, err: errorMessage(error) }, 'knowledge change undone');
      throw botError('KNOWLEDGE_CHANGE_UNDONE', { name: file, cause: errorMessage(error) }, error);
    }
    return report;
  }

  /** Tells the listeners (other shards reload from disk; one that misses this reloads on the next change). */
  private changed(scope: KnowledgeScope): void {
    for (const listener of this.changeListeners) {
      void Promise.resolve()
        .then(() => listener(scope))
        .catch((error: unknown) => this.logger.warn({ knowledge: scopeLabel(scope), err: errorMessage(error) }, 'could not tell others of a knowledge change'));
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
}

function scopeOf(scope: KnowledgeScope): KnowledgeScope {
  return scope.server === undefined ? {} : { server: checkServerId(scope.server) };
}

function scopeLabel(scope: KnowledgeScope): string {
  return scope.server === undefined ? 'base' : `server ${scope.server}`;
}

async function hasFile(dir: string, file: string): Promise<boolean> {
  const lower = file.toLowerCase();
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries.some((e) => e.toLowerCase() === lower);
}

function statsOf(base: LiveIndex, server: LiveIndex | undefined): EngineStats {
  const { manifest } = base;
  const docs = (m: LiveIndex['manifest'], origin: KnowledgeOrigin) =>
    m.documents.map((d) => ({ id: d.id, title: d.title, sections: d.sections, chunks: d.chunks, indexedAt: d.indexedAt, origin }));
  return {
    documents: manifest.documents.length + (server?.manifest.documents.length ?? 0),
    chunks: manifest.chunkCount + (server?.manifest.chunkCount ?? 0),
    embedder: manifest.embedder,
    dim: manifest.dim,
    knowledgeVersion: manifest.knowledgeHash.slice(0, 8) + (server ? `+${server.manifest.knowledgeHash.slice(0, 6)}` : ''),
    builtAt: server && server.manifest.createdAt > manifest.createdAt ? server.manifest.createdAt : manifest.createdAt,
    documentsList: [...docs(manifest, 'base'), ...(server ? docs(server.manifest, 'server') : [])],
  };
}

export function cleanQuestion(raw: string): { question: string; truncated: boolean } {
  // Control characters carry no meaning in a question and would garble logs and replies.
  const text = String(raw ?? '')
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= MAX_QUESTION_CHARS) return { question: text, truncated: false };
  const cut = graphemePrefix(text, MAX_QUESTION_CHARS);
  const lastSpace = cut.lastIndexOf(' ');
  return { question: (lastSpace > MAX_QUESTION_CHARS * 0.8 ? cut.slice(0, lastSpace) : cut).trim(), truncated: true };
}

function refusalText(reason: RefusalReason, topics: readonly string[], names: readonly string[]): string {
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
    case 'unknown-names':
      return `My sources never mention ${names.map((n) => `“${n}”`).join(', ')}, so I won't guess. ${offer}`;
    case 'no-figure':
      return `My sources don't give that figure, so I won't guess. ${offer}`;
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
