/**
 * One knowledge folder and its persisted index: the base (KNOWLEDGE_DIR, INDEX_DIR) or one server's
 * (`<DATA_DIR>/servers/<id>/knowledge`, `.../index`). It loads or builds the index, rebuilds it
 * beside the live one (single-flight), reloads what another process built, and runs changes to its
 * folder one at a time. The engine holds one for the base and one per loaded server.
 */
import { rm, stat } from 'node:fs/promises';
import type { Embedder } from '../embeddings/embedder.ts';
import { botError, BotError, errorMessage } from '../errors.ts';
import type { LoadedKnowledge } from '../ingest/load.ts';
import { folderDigest } from '../ingest/sources.ts';
import type { Logger } from '../logger.ts';
import { INDEX_FORMAT_VERSION, knowledgeHash, readManifest, readSource, recordSource, sourceFingerprint, type Manifest } from '../store/index-store.ts';
import type { EmbeddingCache } from '../state/types.ts';
import type { BuildProgress, ReindexReport, SkippedFile } from '../types.ts';
import { buildIndex, openPersistedIndex } from './build-index.ts';
import type { BuildWork } from './build-work.ts';
import type { LiveIndex } from './live-index.ts';
import type { PageFetcher } from '../fetch/page-fetcher.ts';
import { refreshPages, type PageRefresh } from './web-pages.ts';

export type ProgressListener = (progress: BuildProgress) => void;

interface ReindexRun {
  promise: Promise<ReindexReport>;
  listeners: Set<ProgressListener>;
  /** Whether the run fetches the folder's web pages again (any request served asked for it). */
  refreshPages: boolean;
}

export interface KnowledgeSetOptions {
  /** For logs: "base" or "server <id>". */
  label: string;
  knowledgeDir: string;
  indexDir: string;
  /**
   * The base must have documents (KNOWLEDGE_EMPTY otherwise); a server may have none, or no
   * folder at all, and then has no index (its questions are answered from the base alone).
   */
  mayBeEmpty: boolean;
  embedder: Embedder;
  /** Where rebuilds embed and index. */
  work: BuildWork;
  /** Search exactly, without loading the HNSW index, up to this many passages (see ExactVectors). */
  exactUpTo?: number;
  /** Vectors other builds (other hosts, with DATABASE_URL) already made, consulted before embedding. */
  embeddingCache?: EmbeddingCache;
  logger: Logger;
  /** Fetches the web pages listed in the folder's urls.txt; without it, pages answer from their snapshots only. */
  fetcher?: PageFetcher;
}

export class KnowledgeSet {
  /** The index answering now; undefined for a server without documents. */
  live: LiveIndex | undefined;
  /** Changes and builds in progress: a busy set is never unloaded. */
  busy = 0;
  private reindexRun: ReindexRun | undefined;
  private followUpRun: ReindexRun | undefined;
  private changeTail: Promise<unknown> = Promise.resolve();
  private readonly idleListeners = new Set<() => void>();

  private constructor(readonly options: KnowledgeSetOptions) {}

  /** Loads the persisted index, or builds it when missing, stale or corrupt (with `openWork`). */
  static async open(
    options: KnowledgeSetOptions,
    openWork: BuildWork = options.work,
    onProgress?: ProgressListener,
  ): Promise<{ set: KnowledgeSet; report?: ReindexReport }> {
    const set = new KnowledgeSet(options);
    const report = await set.loadOrBuild(openWork, onProgress);
    return report === undefined ? { set } : { set, report };
  }

  get knowledgeDir(): string {
    return this.options.knowledgeDir;
  }

  /** Calls `listener` whenever the last change or build in progress ends. */
  onIdle(listener: () => void): void {
    this.idleListeners.add(listener);
  }

  /**
   * Runs `work` after every change queued before it, so the bytes a change keeps for its undo and
   * the quota it checked are still true when it writes. A busy set stays loaded meanwhile.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.changeTail.catch(() => undefined).then(() => this.whileBusy(work));
    this.changeTail = run.catch(() => undefined);
    return run;
  }

  /**
   * Rebuilds from the folder beside the live index and swaps it in when complete; a failure leaves
   * the live index answering. Single-flight: requests made while a run is in progress all share one
   * follow-up run, which starts when the current one ends, so a change made during a run is never
   * missed and at most two runs ever queue. Each request's `onProgress` follows the run serving it.
   */
  reindex(onProgress?: ProgressListener, options: { refreshPages?: boolean } = {}): Promise<ReindexReport> {
    const refresh = options.refreshPages ?? true;
    if (this.reindexRun === undefined) return this.startRun(new Set(onProgress ? [onProgress] : []), refresh).promise;
    if (this.followUpRun === undefined) {
      const listeners = new Set<ProgressListener>();
      const followUp: ReindexRun = {
        listeners,
        refreshPages: refresh,
        promise: this.reindexRun.promise
          .catch(() => undefined)
          .then(() => {
            this.followUpRun = undefined;
            return this.startRun(listeners, followUp.refreshPages).promise;
          }),
      };
      this.followUpRun = followUp;
    }
    this.followUpRun.refreshPages ||= refresh;
    if (onProgress) this.followUpRun.listeners.add(onProgress);
    return this.followUpRun.promise;
  }

  /**
   * Swaps in the index another process persisted (a shard that changed this knowledge), without
   * rebuilding: only one process writes an index folder at a time. Returns whether it changed.
   */
  async reload(): Promise<boolean> {
    const { indexDir, embedder } = this.options;
    const manifest = await readManifest(indexDir);
    if (manifest === undefined) {
      if (this.live === undefined || !this.options.mayBeEmpty) return false;
      // The other process removed this server's last document.
      this.live = undefined;
      return true;
    }
    if (manifest.generation === this.live?.manifest.generation) return false;
    if (manifest.embedder !== embedder.name || manifest.dim !== embedder.dim) {
      throw botError('INDEX_CORRUPT', { dir: indexDir, cause: `it was built by ${manifest.embedder}, this process uses ${embedder.name}` });
    }
    this.live = await openPersistedIndex(indexDir, manifest, this.options.exactUpTo);
    this.options.logger.info({ knowledge: this.options.label, generation: manifest.generation }, 'reloaded the index another process built');
    return true;
  }

  /** Waits for builds in progress (at shutdown). */
  async settled(): Promise<void> {
    await this.followUpRun?.promise.catch(() => undefined);
    await this.reindexRun?.promise.catch(() => undefined);
    await this.changeTail;
  }

  private async whileBusy<T>(work: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await work();
    } finally {
      this.busy--;
      if (this.busy === 0) for (const listener of this.idleListeners) listener();
    }
  }

  private startRun(listeners: Set<ProgressListener>, refresh: boolean): ReindexRun {
    const notify = (progress: BuildProgress) => {
      for (const listener of listeners) {
        try {
          listener(progress);
        } catch (error) {
          this.options.logger.warn({ err: errorMessage(error) }, 'a reindex progress listener failed');
        }
      }
    };
    const run: ReindexRun = {
      listeners,
      refreshPages: refresh,
      promise: this.whileBusy(() => this.runReindex(notify, refresh)).finally(() => {
        this.reindexRun = undefined;
      }),
    };
    this.reindexRun = run;
    return run;
  }

  private async runReindex(onProgress: ProgressListener, refresh: boolean): Promise<ReindexReport> {
    const { label, logger } = this.options;
    try {
      const pages = await this.refreshPages(!refresh);
      const knowledge = await this.readKnowledge(pages);
      if (knowledge === undefined) return await this.becomeEmpty();
      const { live, report } = await buildIndex({
        knowledge,
        embedder: this.options.embedder,
        work: this.options.work,
        indexDir: this.options.indexDir,
        ...(this.live && { previous: this.live }),
        ...(this.options.exactUpTo !== undefined && { exactUpTo: this.options.exactUpTo }),
        ...(this.options.embeddingCache && { embeddingCache: this.options.embeddingCache }),
        onProgress,
      });
      this.live = live;
      await this.vouch(live.manifest.generation, knowledge);
      logger.info({ knowledge: label, ...report, skipped: report.skipped.length }, 'reindex complete');
      return pages.stale.length > 0 ? { ...report, stale: pages.stale } : report;
    } catch (error) {
      logger.error({ knowledge: label, err: error }, 'reindex failed; the previous index keeps answering');
      throw error instanceof BotError && error.code === 'REINDEX_FAILED'
        ? error
        : botError('REINDEX_FAILED', { cause: errorMessage(error) }, error);
    }
  }

  /** A server whose last document went: no index answers, and none is left on disk to be loaded. */
  private async becomeEmpty(): Promise<ReindexReport> {
    const started = performance.now();
    const removed = this.live?.manifest.documents.map((d) => d.id) ?? [];
    await rm(this.options.indexDir, { recursive: true, force: true });
    this.live = undefined;
    return { documents: 0, chunks: 0, embedded: 0, reused: 0, added: [], changed: [], removed, skipped: [], ms: Math.round(performance.now() - started) };
  }

  /**
   * Fetches the folder's web pages (all, or only those without a snapshot) when this set has a
   * fetcher; a page whose fetch fails keeps its last snapshot.
   */
  private async refreshPages(missingOnly: boolean): Promise<PageRefresh> {
    const { fetcher, knowledgeDir, logger, label } = this.options;
    if (fetcher === undefined || !(await stat(knowledgeDir).then((s) => s.isDirectory(), () => false))) return { updated: [], stale: [], failed: new Map() };
    return refreshPages(knowledgeDir, fetcher, { missingOnly, logger, label });
  }

  /** The folder's documents; undefined for a server with no folder or no usable document. */
  private async readKnowledge(pages?: PageRefresh): Promise<LoadedKnowledge | undefined> {
    const { knowledgeDir, mayBeEmpty } = this.options;
    if (mayBeEmpty && !(await stat(knowledgeDir).then((s) => s.isDirectory(), () => false))) return undefined;
    // The parsers are loaded only when documents must be read (not by a start-up with nothing changed).
    const { loadKnowledge } = await import('../ingest/load.ts');
    const before = await this.fingerprint();
    const loaded = await loadKnowledge(knowledgeDir);
    // A folder that changed while it was read is not vouched for: the next start reads it again.
    const fingerprint = before !== undefined && before === (await this.fingerprint()) ? before : undefined;
    // A page never fetched is skipped for the reason its fetch failed.
    const knowledge = {
      ...loaded,
      skipped: loaded.skipped.map((s) => ({ file: s.file, reason: pages?.failed.get(s.file) ?? s.reason })),
      ...(fingerprint !== undefined && { fingerprint }),
    };
    this.warnSkipped(knowledge.skipped);
    if (knowledge.documents.length > 0) return knowledge;
    if (mayBeEmpty) return undefined;
    throw botError('KNOWLEDGE_EMPTY', { dir: knowledgeDir, skipped: knowledge.skipped.length });
  }

  /** Whether a persisted index was built in this format by this embedder (else it is rebuilt). */
  private builtAlike(manifest: Manifest | undefined): manifest is Manifest {
    const { embedder } = this.options;
    return manifest !== undefined && manifest.formatVersion === INDEX_FORMAT_VERSION && manifest.embedder === embedder.name && manifest.dim === embedder.dim;
  }

  private warnSkipped(skipped: readonly SkippedFile[]): void {
    for (const s of skipped) this.options.logger.warn({ knowledge: this.options.label, file: s.file, reason: s.reason }, 'skipped a knowledge file');
  }

  /** The folder's `sourceFingerprint`; undefined when the folder cannot be read (the loader says why). */
  private async fingerprint(): Promise<string | undefined> {
    return folderDigest(this.options.knowledgeDir).then(sourceFingerprint, () => undefined);
  }

  /**
   * Records that the index of `generation` is current for the folder as `knowledge` read it (when
   * the folder held still while it was read). Failing costs only a full load at the next start.
   */
  private async vouch(generation: string, knowledge: LoadedKnowledge): Promise<void> {
    if (knowledge.fingerprint === undefined) return;
    await recordSource(this.options.indexDir, { generation, fingerprint: knowledge.fingerprint }).catch((error: unknown) =>
      this.options.logger.debug({ knowledge: this.options.label, err: errorMessage(error) }, 'could not record which folder the index is current for'),
    );
  }

  /**
   * Opens the persisted index without reading a document when the folder is byte for byte the one
   * it was built from. Anything else (no record of its folder, another embedder, a corrupt index)
   * is left to the full load, which reads the documents and says what is wrong.
   */
  private async openIfUnchanged(): Promise<boolean> {
    const { indexDir, logger, label } = this.options;
    let manifest: Manifest | undefined;
    try {
      manifest = await readManifest(indexDir);
    } catch {
      return false;
    }
    if (!this.builtAlike(manifest)) return false;
    const source = await readSource(indexDir);
    if (source?.generation !== manifest.generation || source.fingerprint !== (await this.fingerprint())) return false;
    try {
      this.live = await openPersistedIndex(indexDir, manifest, this.options.exactUpTo);
    } catch {
      return false;
    }
    this.warnSkipped(manifest.skipped);
    logger.info({ knowledge: label, chunks: manifest.chunkCount, indexDir }, 'loaded the persisted index (knowledge unchanged)');
    return true;
  }

  private async loadOrBuild(work: BuildWork, onProgress?: ProgressListener): Promise<ReindexReport | undefined> {
    const { indexDir, embedder, logger, label } = this.options;
    const pages = await this.refreshPages(true);
    if (await this.openIfUnchanged()) return undefined;
    const knowledge = await this.readKnowledge(pages);
    if (knowledge === undefined) {
      // A leftover index of documents since removed must not come back at the next load.
      await rm(indexDir, { recursive: true, force: true });
      return undefined;
    }
    let previous: LiveIndex | undefined;
    try {
      const manifest = await readManifest(indexDir);
      if (this.builtAlike(manifest)) {
        previous = await openPersistedIndex(indexDir, manifest, this.options.exactUpTo);
        if (manifest.knowledgeHash === knowledgeHash(knowledge.documents)) {
          logger.info({ knowledge: label, chunks: manifest.chunkCount, indexDir }, 'loaded the persisted index');
          this.live = previous;
          await this.vouch(manifest.generation, knowledge);
          return undefined;
        }
        logger.info({ knowledge: label }, 'knowledge changed since the index was built; updating it');
      } else if (manifest) {
        logger.info({ knowledge: label }, 'the persisted index was built differently (embedder or format); rebuilding it');
      }
    } catch (error) {
      logger.warn({ knowledge: label, err: errorMessage(error) }, 'the persisted index is unusable; rebuilding it from the knowledge');
    }
    const { live, report } = await buildIndex({
      knowledge,
      embedder,
      work,
      indexDir,
      ...(previous && { previous }),
      ...(onProgress && { onProgress }),
      ...(this.options.exactUpTo !== undefined && { exactUpTo: this.options.exactUpTo }),
      ...(this.options.embeddingCache && { embeddingCache: this.options.embeddingCache }),
    });
    logger.info({ knowledge: label, ...report, skipped: report.skipped.length }, 'index built');
    this.live = live;
    await this.vouch(live.manifest.generation, knowledge);
    return report;
  }
}
