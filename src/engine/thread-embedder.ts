import type { Config } from '../config.ts';
import type { Embedder } from '../embeddings/embedder.ts';
import { BuildWorker } from './build-worker.ts';

/**
 * The process's one copy of the embedding model, on a thread of its own. Questions and builds
 * both embed here: a question costs the main thread nothing while the model runs (Discord events
 * keep flowing), and a reindex needs no second copy of the model (about 100 MB with USE-lite).
 * Builds send one small batch per request, so a question waits behind one batch at most. If the
 * thread dies, what was in flight fails with MODEL_THREAD_FAILED and the next request starts a
 * new thread, which loads the model again.
 */
export class ThreadEmbedder implements Embedder {
  private constructor(
    private readonly thread: BuildWorker,
    readonly name: string,
    readonly dim: number,
  ) {}

  /** Starts the thread and loads the model there; the first question then pays for neither. */
  static async start(config: Pick<Config, 'embedder' | 'modelDir'>): Promise<ThreadEmbedder> {
    const thread = new BuildWorker(config, { idleMs: Infinity, failureCode: 'MODEL_THREAD_FAILED' });
    try {
      const [probe] = await thread.embed(['warm up']);
      return new ThreadEmbedder(thread, config.embedder, probe!.length);
    } catch (error) {
      await thread.dispose();
      throw error;
    }
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return this.thread.embed(texts);
  }

  dispose(): Promise<void> {
    return this.thread.dispose();
  }
}
