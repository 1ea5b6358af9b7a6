import type { Embedder } from './embedder.ts';

/**
 * Passages per batch when embedding many. USE-lite pads every text of a batch to the longest
 * one, so batches are small and made of texts of similar length. On the article and the guide
 * (2,368 passages) CPU time per passage was flat from 1 to 16 per batch (4 was about 5% faster
 * than 8), while the model's working memory, which grows to its largest batch and is never given
 * back, is smaller with smaller batches.
 */
export const BULK_BATCH_SIZE = 4;

/**
 * A batch is also kept under this many characters once padded (texts × the longest), so long
 * passages go in batches of their own. With 4 and 800 instead of 8 and no budget, the thread that
 * embedded the article and the guide held about 37 MB less.
 */
export const MAX_PADDED_CHARS = 800;

/** Embeds one batch: an embedder on this thread, or a worker thread that has one. */
export type EmbedLane = (texts: readonly string[]) => Promise<Float32Array[]>;

export interface BatchOptions {
  batchSize?: number;
  maxPaddedChars?: number;
  /** Called after each batch with the number of texts embedded so far. */
  onProgress?: (done: number) => void;
}

/**
 * Embeds many texts in small batches sorted by length and returns the vectors in input order.
 * With several lanes (this thread and a worker thread, say), each lane takes the next batch as
 * soon as it is free, so they share the work whatever their speed. Between batches the event
 * loop gets a turn, so progress can be shown (and, on the main thread, other work can run).
 */
export async function embedInBatches(
  lanes: Embedder | readonly EmbedLane[],
  texts: readonly string[],
  options: BatchOptions = {},
): Promise<Float32Array[]> {
  const laneList: readonly EmbedLane[] = Array.isArray(lanes) ? lanes : [(batch: readonly string[]) => (lanes as Embedder).embed(batch)];
  const batchSize = options.batchSize ?? BULK_BATCH_SIZE;
  const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
  const maxPadded = options.maxPaddedChars ?? MAX_PADDED_CHARS;
  const batches: number[][] = [];
  for (const i of order) {
    const last = batches.at(-1);
    // Sorted by length, so text i is the longest of its batch: the batch pads every text to it.
    if (last && last.length < batchSize && (last.length + 1) * texts[i]!.length <= maxPadded) last.push(i);
    else batches.push([i]);
  }

  const out = new Array<Float32Array>(texts.length);
  let next = 0;
  let done = 0;
  let failed = false;
  const runLane = async (embed: EmbedLane): Promise<void> => {
    while (next < batches.length && !failed) {
      const batch = batches[next++]!;
      const vectors = await embed(batch.map((i) => texts[i]!)).catch((error: unknown) => {
        failed = true; // the other lanes stop after their current batch
        throw error;
      });
      if (vectors.length !== batch.length) throw new Error(`${vectors.length} vectors came back for ${batch.length} texts`);
      batch.forEach((i, k) => (out[i] = vectors[k]!));
      done += batch.length;
      options.onProgress?.(done);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  await Promise.all(laneList.map(runLane));
  return out;
}
