import type { Embedder } from './embedder.ts';

/**
 * Passages per batch when embedding many. USE-lite pads every text of a batch to the longest
 * one, so batches are small and made of texts of similar length. On TensorFlow.js CPU time per
 * passage was flat from 1 to 16 per batch, and the model's working memory grew with the largest
 * batch; on ONNX Runtime 4 to 32 per batch differed by little (see use-lite.ts).
 */
export const BULK_BATCH_SIZE = 4;

/**
 * A batch is also kept under this many characters once padded (texts × the longest), so long
 * passages go in batches of their own. With 4 and 800 instead of 8 and no budget, the thread that
 * embedded the article and the guide held about 37 MB less.
 */
export const MAX_PADDED_CHARS = 800;

export interface BatchOptions {
  batchSize?: number;
  maxPaddedChars?: number;
  /** Called after each batch with the number of texts embedded so far. */
  onProgress?: (done: number) => void;
}

/** One embedder and the size of the batches it takes: a model thread that also answers questions takes one text at a time. */
export interface EmbeddingLane {
  embedder: Pick<Embedder, 'embed'>;
  batchSize: number;
}

/**
 * A second model thread is started for builds of this many texts or more. On ONNX Runtime one
 * thread embeds about 80 passages a second, so a smaller build is over within a minute on one,
 * and a second copy of the model would raise the build's peak memory by about 140 MB to save
 * seconds: building the article and the course (2,443 passages) took 29 s at a peak of 366 MB on
 * one thread, 17.5 s at 506 MB on two.
 */
export const SECOND_MODEL_FROM = 5_000;

/**
 * The lanes a build embeds on: `model` (batches of `modelBatch`) and, for a job of at least
 * SECOND_MODEL_FROM texts, `second` (a model thread of its own, two cores working at once).
 */
export function buildLanes(model: Pick<Embedder, 'embed'>, modelBatch: number, second: Pick<Embedder, 'embed'> | undefined, texts: number): EmbeddingLane[] {
  const lanes: EmbeddingLane[] = [{ embedder: model, batchSize: modelBatch }];
  if (second !== undefined && texts >= SECOND_MODEL_FROM) lanes.push({ embedder: second, batchSize: BULK_BATCH_SIZE });
  return lanes;
}

/**
 * Embeds a build's texts on the lanes of `buildLanes`, then stops `second` if it took part: its
 * copy of the model (about 100 MB) would otherwise sit beside the indexes the build makes next,
 * which is when a build's memory peaks. The next long build starts it again, about a second of
 * one core against a build of dozens of seconds.
 */
export async function embedForBuild(
  model: Pick<Embedder, 'embed'>,
  modelBatch: number,
  second: Pick<Embedder, 'embed' | 'dispose'> | undefined,
  texts: readonly string[],
  options: BatchOptions = {},
): Promise<Float32Array[]> {
  const lanes = buildLanes(model, modelBatch, second, texts.length);
  try {
    return await embedAcross(lanes, texts, options);
  } finally {
    if (lanes.length > 1) await second?.dispose?.();
  }
}

/**
 * Embeds many texts in small batches sorted by length and returns the vectors in input order.
 * Between batches the event loop gets a turn, so progress can be shown (and, on the main
 * thread, other work can run) while a long job is under way.
 */
export async function embedInBatches(embedder: Pick<Embedder, 'embed'>, texts: readonly string[], options: BatchOptions = {}): Promise<Float32Array[]> {
  return embedAcross([{ embedder, batchSize: options.batchSize ?? BULK_BATCH_SIZE }], texts, options);
}

/**
 * Embeds many texts on several embedders at once (model threads: one per core), each taking the
 * next batch of the length-sorted texts as soon as it is free, so a faster lane takes more.
 * Batches hold texts of similar length and stay under the padded-size budget. A lane that fails
 * hands its batch back and leaves; the others finish the work, and only when every lane has
 * failed does the job fail, with the first lane's error.
 */
export async function embedAcross(lanes: readonly EmbeddingLane[], texts: readonly string[], options: BatchOptions = {}): Promise<Float32Array[]> {
  if (lanes.length === 0) throw new Error('embedAcross needs at least one embedder');
  const maxPadded = options.maxPaddedChars ?? MAX_PADDED_CHARS;
  const queue = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
  let head = 0;
  /** Batches a failed lane gave back, taken before new ones. */
  const returned: number[][] = [];
  const out = new Array<Float32Array>(texts.length);
  let done = 0;
  const takeBatch = (size: number): number[] => {
    const back = returned.pop();
    if (back) return back;
    const batch: number[] = [];
    while (head < queue.length && batch.length < size) {
      const i = queue[head]!;
      // Sorted by length, so text i is the longest of its batch: the batch pads every text to it.
      if (batch.length > 0 && (batch.length + 1) * texts[i]!.length > maxPadded) break;
      batch.push(i);
      head++;
    }
    return batch;
  };
  const errors: unknown[] = [];
  let alive = [...lanes];
  const run = async (lane: EmbeddingLane): Promise<void> => {
    for (let batch = takeBatch(lane.batchSize); batch.length > 0; batch = takeBatch(lane.batchSize)) {
      let vectors: Float32Array[];
      try {
        vectors = await lane.embedder.embed(batch.map((i) => texts[i]!));
        if (vectors.length !== batch.length) throw new Error(`${vectors.length} vectors came back for ${batch.length} texts`);
      } catch (error) {
        returned.push(batch);
        errors.push(error);
        alive = alive.filter((l) => l !== lane);
        return;
      }
      batch.forEach((i, k) => (out[i] = vectors[k]!));
      done += batch.length;
      options.onProgress?.(done);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  // Lanes that finish early while another fails leave work behind: the survivors take it up.
  while (done < texts.length && alive.length > 0) await Promise.all(alive.map(run));
  if (done < texts.length) throw errors[0];
  return out;
}
