import type { Embedder } from './embedder.ts';

/**
 * Passages per batch when embedding many. USE-lite pads every text of a batch to the longest
 * one, so batches are small and made of texts of similar length; 8 was the fastest size on the
 * WASM backend (see use-lite.ts).
 */
export const BULK_BATCH_SIZE = 8;

export interface BatchOptions {
  batchSize?: number;
  /** Called after each batch with the number of texts embedded so far. */
  onProgress?: (done: number) => void;
}

/**
 * Embeds many texts in small batches sorted by length and returns the vectors in input order.
 * Between batches it gives the event loop a turn, so progress can be shown (and, on the main
 * thread, other work can run) while a long job is under way.
 */
export async function embedInBatches(embedder: Embedder, texts: readonly string[], options: BatchOptions = {}): Promise<Float32Array[]> {
  const batchSize = options.batchSize ?? BULK_BATCH_SIZE;
  const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
  const out = new Array<Float32Array>(texts.length);
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = order.slice(start, start + batchSize);
    const vectors = await embedder.embed(batch.map((i) => texts[i]!));
    if (vectors.length !== batch.length) {
      throw new Error(`the ${embedder.name} embedder returned ${vectors.length} vectors for ${batch.length} texts`);
    }
    batch.forEach((i, k) => (out[i] = vectors[k]!));
    options.onProgress?.(start + batch.length);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}
