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

export interface BatchOptions {
  batchSize?: number;
  maxPaddedChars?: number;
  /** Called after each batch with the number of texts embedded so far. */
  onProgress?: (done: number) => void;
}

/**
 * Embeds many texts in small batches sorted by length and returns the vectors in input order.
 * Between batches the event loop gets a turn, so progress can be shown (and, on the main
 * thread, other work can run) while a long job is under way.
 */
export async function embedInBatches(embedder: Embedder, texts: readonly string[], options: BatchOptions = {}): Promise<Float32Array[]> {
  const batchSize = options.batchSize ?? BULK_BATCH_SIZE;
  const maxPadded = options.maxPaddedChars ?? MAX_PADDED_CHARS;
  const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
  const batches: number[][] = [];
  for (const i of order) {
    const last = batches.at(-1);
    // Sorted by length, so text i is the longest of its batch: the batch pads every text to it.
    if (last && last.length < batchSize && (last.length + 1) * texts[i]!.length <= maxPadded) last.push(i);
    else batches.push([i]);
  }

  const out = new Array<Float32Array>(texts.length);
  let done = 0;
  for (const batch of batches) {
    const vectors = await embedder.embed(batch.map((i) => texts[i]!));
    if (vectors.length !== batch.length) throw new Error(`${vectors.length} vectors came back for ${batch.length} texts`);
    batch.forEach((i, k) => (out[i] = vectors[k]!));
    done += batch.length;
    options.onProgress?.(done);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}
