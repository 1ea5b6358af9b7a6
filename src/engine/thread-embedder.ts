import type { Config } from '../config.ts';
import { EMBEDDER_DIMENSIONS, type Embedder } from '../embeddings/embedder.ts';
import { botError } from '../errors.ts';
import { BuildWorker } from './build-worker.ts';

/** A model thread started by an entry point before the engine was imported (see `prelaunch`). */
let prelaunched: { key: string; embedder: ThreadEmbedder } | undefined;

function modelKey(config: Pick<Config, 'embedder' | 'modelDir'>): string {
  return `${config.embedder}\n${config.modelDir ?? ''}`;
}

/**
 * The process's copy of the embedding model that answers questions, on a thread of its own.
 * Questions and builds both embed here: a question costs the main thread nothing while the model
 * runs (Discord events keep flowing). Builds send one small batch per request, so a question waits
 * behind one batch at most. If the thread dies, what was in flight fails with MODEL_THREAD_FAILED
 * and the next request starts a new thread, which loads the model again.
 */
export class ThreadEmbedder implements Embedder {
  readonly name: string;
  readonly dim: number;
  /** Settles when the model has loaded and embedded its first text; rejects with why it could not. */
  readonly ready: Promise<void>;

  private constructor(
    private readonly thread: BuildWorker,
    config: Pick<Config, 'embedder' | 'modelDir'>,
  ) {
    this.name = config.embedder;
    this.dim = EMBEDDER_DIMENSIONS[config.embedder];
    // The first run compiles the model's graph: paid here, not by the first question.
    this.ready = thread.embed(['warm up']).then(([probe]) => {
      if (probe?.length !== this.dim) throw botError('DIMENSION_MISMATCH', { expected: this.dim, actual: probe?.length ?? 0 });
    });
    this.ready.catch(() => undefined); // observed by whoever awaits it
  }

  /**
   * Starts the thread and the model's loading, and returns at once: a start-up opens its index
   * meanwhile. Await `ready` before relying on the model (it rejects if the model cannot load).
   * A thread `prelaunch` started for the same model is taken over instead.
   */
  static launch(config: Pick<Config, 'embedder' | 'modelDir'>): ThreadEmbedder {
    const early = prelaunched;
    prelaunched = undefined;
    if (early !== undefined && early.key === modelKey(config)) return early.embedder;
    void early?.embedder.dispose();
    return new ThreadEmbedder(new BuildWorker(config, { idleMs: Infinity, failureCode: 'MODEL_THREAD_FAILED' }), config);
  }

  /**
   * Starts the model thread now, for the engine this process opens later to take over: entry
   * points call it before importing the rest, so the model loads while the modules do.
   */
  static prelaunch(config: Pick<Config, 'embedder' | 'modelDir'>): void {
    if (prelaunched !== undefined) return;
    const embedder = ThreadEmbedder.launch(config);
    prelaunched = { key: modelKey(config), embedder };
  }

  /**
   * Stops the thread `prelaunch` started if no engine took it over: an entry point that fails before
   * opening its engine calls this before it exits, so the model is not torn down mid-load.
   */
  static async stopPrelaunched(): Promise<void> {
    const early = prelaunched;
    prelaunched = undefined;
    await early?.embedder.dispose();
  }

  /** Starts the thread and waits until its model is loaded. */
  static async start(config: Pick<Config, 'embedder' | 'modelDir'>): Promise<ThreadEmbedder> {
    const embedder = ThreadEmbedder.launch(config);
    try {
      await embedder.ready;
      return embedder;
    } catch (error) {
      await embedder.dispose();
      throw error;
    }
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    const run = this.thread.embed(texts);
    this.inFlight.add(run);
    const done = () => void this.inFlight.delete(run);
    run.then(done, done);
    return run;
  }

  /**
   * Stops the thread once its model has settled (loaded or failed) and its embeddings in flight
   * are done, waiting at most STOP_WAIT_MS: ONNX Runtime aborts the whole process ("terminate
   * called after throwing an instance of 'Napi::Error'") when its thread is terminated in the
   * middle of native work, as an early exit over a bad setting did while the model loaded.
   */
  async dispose(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)));
    await Promise.race([Promise.allSettled([this.ready, ...this.inFlight]), limit]);
    clearTimeout(timer);
    await this.thread.dispose();
  }

  private readonly inFlight = new Set<Promise<Float32Array[]>>();
}

/** How long `dispose` waits for the model thread's native work to end before stopping it anyway. */
const STOP_WAIT_MS = 10_000;

