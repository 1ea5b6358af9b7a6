import type { Worker } from 'node:worker_threads';
import type { Config } from '../config.ts';
import { embedForBuild } from '../embeddings/batches.ts';
import type { Embedder } from '../embeddings/embedder.ts';
import { botError, BotError, errorMessage } from '../errors.ts';
import type { LexicalDoc } from '../search/lexical-index.ts';
import type { BuildWork } from './build-work.ts';
import { packVectors, unpackVectors, type WorkerReply, type WorkerRequest, type BuildWorkerData } from './build-worker-protocol.ts';
import { siblingModule, startModuleWorker } from '../start-worker.ts';

/** An idle worker is stopped after this long, which frees its copy of the model. */
const DEFAULT_IDLE_MS = 30_000;
/**
 * The thread's short-lived objects (texts, batches, vectors in flight) are collected in a small
 * young generation: with V8's default the thread held about 50 MB more while embedding the
 * article and the guide (2,368 passages), for no measurable gain in speed.
 */
const YOUNG_GENERATION_MB = 8;

/**
 * Passages per request when a build embeds on the model thread that also answers questions: a
 * question waits behind one request. On the article and the guide one passage at a time embedded
 * 15.9 passages/s against 16.8 in batches of 4, while a request took 61 ms (p50) against 132.
 */
const SHARED_MODEL_BATCH_SIZE = 1;

export interface BuildWorkerOptions {
  /** Stop the thread after this long without a request; Infinity keeps it while the process runs. */
  idleMs?: number;
  /**
   * Embed through this embedder (the process's model thread), one small batch per request, instead
   * of loading another copy of the model on this thread: a reindex then costs no second model,
   * and a question waits behind one batch at most.
   */
  embedder?: Embedder;
  /**
   * With `embedder`: a second model thread that embeds alongside it, in batches, for builds long
   * enough to be worth it (see buildLanes): both cores work, and questions still wait behind one
   * passage at most on `embedder`. It is stopped once the passages are embedded (embedForBuild).
   */
  second?: Pick<Embedder, 'embed' | 'dispose'>;
  /** The code its failures carry: a thread that only hosts the model names itself so. */
  failureCode?: 'BUILD_WORKER_FAILED' | 'MODEL_THREAD_FAILED';
  /** The worker's module; tests point it at a worker that misbehaves. */
  entry?: URL;
}

interface Pending {
  resolve(reply: WorkerReply): void;
  reject(error: Error): void;
  onProgress?: (done: number) => void;
}

/** A request without its id (Omit over each member of the union). */
type RequestBody = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/**
 * Runs a build's heavy steps (embedding with the configured model, HNSW, BM25) on a worker
 * thread, so the main thread keeps answering while a reindex runs. The thread starts at the
 * first request and stops after `idleMs` without one; if it crashes, every request in flight
 * fails with BUILD_WORKER_FAILED (or the code it was given) and the next request starts a new thread.
 */
export class BuildWorker implements BuildWork {
  private worker: Worker | undefined;
  /** Whether the current thread has loaded the model (it does on its first embedding). */
  private threadHoldsModel = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly idleMs: number;
  private readonly entry: URL;
  private readonly embedder: Embedder | undefined;
  private readonly second: Pick<Embedder, 'embed' | 'dispose'> | undefined;
  private readonly failureCode: 'BUILD_WORKER_FAILED' | 'MODEL_THREAD_FAILED';

  constructor(
    private readonly config: Pick<Config, 'embedder' | 'modelDir'>,
    options: BuildWorkerOptions = {},
  ) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.entry = options.entry ?? siblingModule('build-worker-thread', import.meta.url);
    this.embedder = options.embedder;
    this.second = options.second;
    this.failureCode = options.failureCode ?? 'BUILD_WORKER_FAILED';
  }

  async embed(texts: readonly string[], onProgress?: (done: number) => void): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    if (this.embedder !== undefined) {
      return embedForBuild(this.embedder, SHARED_MODEL_BATCH_SIZE, this.second, texts, { ...(onProgress && { onProgress }) });
    }
    const reply = await this.request({ type: 'embed', texts }, [], onProgress);
    if (reply.type !== 'embedded') throw this.unexpected(reply);
    return unpackVectors(reply.vectors, reply.dim);
  }

  async writeVectorIndex(vectors: readonly Float32Array[], dim: number, file: string): Promise<void> {
    const packed = packVectors(vectors, dim);
    const reply = await this.request({ type: 'vector-index', vectors: packed, dim, file }, [packed.buffer as ArrayBuffer]);
    if (reply.type !== 'done') throw this.unexpected(reply);
  }

  async lexicalJson(docs: readonly LexicalDoc[]): Promise<string> {
    const reply = await this.request({ type: 'lexical', docs });
    if (reply.type !== 'done' || reply.json === undefined) throw this.unexpected(reply);
    return reply.json;
  }

  async dispose(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    this.threadHoldsModel = false;
    this.failPending(botError(this.failureCode, { cause: 'it was stopped' }));
    await worker?.terminate();
  }

  private async request(body: RequestBody, transfer: ArrayBuffer[] = [], onProgress?: (done: number) => void): Promise<WorkerReply> {
    if (body.type !== 'embed' && this.threadHoldsModel && this.pending.size === 0) {
      // Building the indexes needs no model: a fresh thread gives back the memory the model and
      // its working space hold (about 100 MB) before the indexes take theirs, which lowers the
      // peak of a reindex by as much.
      await this.dispose();
    }
    const worker = this.ensureWorker();
    if (body.type === 'embed') this.threadHoldsModel = true;
    clearTimeout(this.idleTimer);
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(onProgress && { onProgress }) });
      // A thread with work in flight keeps the process alive; an idle one does not.
      worker.ref();
      worker.postMessage({ ...body, id }, transfer);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const data: BuildWorkerData = { embedder: { embedder: this.config.embedder, ...(this.config.modelDir !== undefined && { modelDir: this.config.modelDir }) } };
    const worker = startModuleWorker(this.entry, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    worker.on('error', (error) => this.onStopped(worker, errorMessage(error)));
    worker.on('exit', (code) => this.onStopped(worker, `it exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private onReply(reply: WorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    if (reply.type === 'progress') {
      pending.onProgress?.(reply.done);
      return;
    }
    this.pending.delete(reply.id);
    if (reply.type === 'failed') pending.reject(reply.code ? new BotError(reply.code, reply.message) : new Error(reply.message));
    else pending.resolve(reply);
    if (this.pending.size === 0) this.becomeIdle();
  }

  private becomeIdle(): void {
    this.worker?.unref();
    clearTimeout(this.idleTimer);
    if (!Number.isFinite(this.idleMs)) return;
    this.idleTimer = setTimeout(() => void this.dispose(), this.idleMs);
    this.idleTimer.unref();
  }

  private onStopped(worker: Worker, cause: string): void {
    if (this.worker !== worker) return; // already replaced or disposed
    this.worker = undefined;
    this.threadHoldsModel = false;
    clearTimeout(this.idleTimer);
    this.failPending(botError(this.failureCode, { cause }));
  }

  private unexpected(reply: WorkerReply): Error {
    return botError(this.failureCode, { cause: `it sent an unexpected "${reply.type}" reply` });
  }

  private failPending(error: BotError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(error);
  }
}
