/**
 * Reads PDFs on a worker thread of their own, one at a time, within a time and memory budget
 * (PDF_LIMITS): a PDF that is encrypted, corrupt, too long, inflates without end or hangs the
 * parser is refused with the reason (UnreadableDocument) and the thread is replaced, while the
 * main thread keeps answering. Outcomes are remembered by the file's hash, so a reindex does
 * not read an unchanged PDF again (nor wait again for one that hung).
 */
import type { Worker } from 'node:worker_threads';
import { LRUCache } from 'lru-cache';
import { siblingModule, startModuleWorker } from '../../start-worker.ts';
import type { Block } from '../../types.ts';
import { UnreadableDocument } from '../unreadable.ts';
import { PDF_LIMITS, type PdfLimits } from './limits.ts';
import type { PdfReply, PdfRequest } from './pdf-protocol.ts';

export interface ReadPdf {
  title: string | undefined;
  blocks: Block[];
  pages: number;
}

type Outcome = { ok: true; read: ReadPdf } | { ok: false; reason: string };

export interface PdfReaderOptions {
  limits?: Partial<PdfLimits>;
  /** Stop the thread after this long without a PDF to read. */
  idleMs?: number;
  /** The thread's module; tests point it at one that misbehaves. */
  entry?: URL;
}

const DEFAULT_IDLE_MS = 30_000;
/** Outcomes remembered (by file hash): a knowledge folder's PDFs, and then some. */
const REMEMBERED = 256;
const MB = 1024 * 1024;

export class PdfReader {
  private readonly limits: PdfLimits;
  private readonly idleMs: number;
  private readonly entry: URL;
  private readonly outcomes = new LRUCache<string, Outcome>({ max: REMEMBERED });
  private worker: Worker | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  /** PDFs sent to the thread so far (an outcome remembered by hash sends none). */
  parses = 0;

  constructor(options: PdfReaderOptions = {}) {
    this.limits = { ...PDF_LIMITS, ...options.limits };
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.entry = options.entry ?? siblingModule('pdf-thread', import.meta.url);
  }

  get maxBytes(): number {
    return this.limits.maxBytes;
  }

  /** The PDF's blocks; throws UnreadableDocument with the reason when it cannot or may not be read. */
  async read(bytes: Uint8Array, hash: string): Promise<ReadPdf> {
    let outcome = this.outcomes.get(hash);
    if (outcome === undefined) {
      const run = this.queue.catch(() => undefined).then(() => this.parse(bytes));
      this.queue = run;
      outcome = await run;
      this.outcomes.set(hash, outcome);
    }
    if (!outcome.ok) throw new UnreadableDocument(outcome.reason);
    return outcome.read;
  }

  async dispose(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private async parse(bytes: Uint8Array): Promise<Outcome> {
    if (bytes.byteLength > this.limits.maxBytes) {
      return { ok: false, reason: `too large (${bytes.byteLength} bytes; the limit for a PDF is ${this.limits.maxBytes})` };
    }
    if (!looksLikePdf(bytes)) return { ok: false, reason: 'not a PDF (it does not start with %PDF-)' };
    clearTimeout(this.idleTimer);
    const worker = this.ensureWorker();
    worker.ref();
    const id = this.nextId++;
    this.parses++;
    const baseline = process.memoryUsage.rss();
    try {
      const reply = await new Promise<PdfReply | { stopped: string }>((resolve) => {
        const stop = (why: string) => {
          cleanup();
          // A thread stopped mid-parse may hold gigabytes or never return: it is replaced.
          if (this.worker === worker) this.worker = undefined;
          void worker.terminate();
          resolve({ stopped: why });
        };
        const timer = setTimeout(() => stop(`took longer than ${Math.round(this.limits.timeoutMs / 1000)} s to read`), this.limits.timeoutMs);
        const memory = setInterval(() => {
          if (process.memoryUsage.rss() - baseline > this.limits.maxGrowthMb * MB) stop(`needs more than ${this.limits.maxGrowthMb} MB of memory to read`);
        }, this.limits.memoryCheckMs);
        const onMessage = (message: PdfReply) => {
          if (message.id !== id) return;
          cleanup();
          resolve(message);
        };
        const onError = (error: Error & { code?: string }) =>
          stop(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `needs more than ${this.limits.heapMb} MB of memory to read` : `the PDF reader failed (${error.message})`);
        const onExit = (code: number) => stop(`the PDF reader stopped (exit code ${code})`);
        const cleanup = () => {
          clearTimeout(timer);
          clearInterval(memory);
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        // The thread gets its own copy: the caller keeps its bytes (to hash, write or report).
        const request: PdfRequest = { id, bytes: new Uint8Array(bytes), limits: this.limits };
        worker.postMessage(request, [request.bytes.buffer as ArrayBuffer]);
      });
      if ('stopped' in reply) return { ok: false, reason: reply.stopped };
      if (reply.ok) return { ok: true, read: { title: reply.title, blocks: reply.blocks, pages: reply.pages } };
      return { ok: false, reason: reply.unreadable ? reply.message : `cannot be parsed (${reply.message})` };
    } finally {
      this.becomeIdle();
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startModuleWorker(this.entry, {
      resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    });
    worker.on('error', () => undefined); // reported to the parse in flight, if any
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
    });
    this.worker = worker;
    return worker;
  }

  private becomeIdle(): void {
    this.worker?.unref();
    clearTimeout(this.idleTimer);
    if (!Number.isFinite(this.idleMs)) return;
    this.idleTimer = setTimeout(() => void this.dispose(), this.idleMs);
    this.idleTimer.unref();
  }
}

/** `%PDF-` in the first kilobyte (some producers put bytes before it, which readers accept). */
export function looksLikePdf(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024));
  return head.includes('%PDF-');
}

/** The reader the loader uses unless given another: one thread for the whole process. */
export const sharedPdfReader = new PdfReader();
