import { BULK_BATCH_SIZE, embedForBuild } from '../embeddings/batches.ts';
import type { Embedder } from '../embeddings/embedder.ts';
import { LexicalIndex, type LexicalDoc } from '../search/lexical-index.ts';
import { VectorIndex } from '../search/vector-index.ts';

/**
 * The heavy part of building an index: embedding the passages and building the HNSW graph and
 * the BM25 index. A BuildWorker does it on a worker thread, so the main thread keeps answering
 * during a reindex; `inProcessBuildWork` does the same steps on the calling thread.
 */
export interface BuildWork {
  /** Embeds texts in small batches of similar length; `onProgress` gets how many are done. */
  embed(texts: readonly string[], onProgress?: (done: number) => void): Promise<Float32Array[]>;
  /** Builds the HNSW graph over `vectors` (label = position) and writes it to `file`. */
  writeVectorIndex(vectors: readonly Float32Array[], dim: number, file: string): Promise<void>;
  /** Builds the BM25 index over `docs` and returns it serialised (LexicalIndex.fromJSON reads it). */
  lexicalJson(docs: readonly LexicalDoc[]): Promise<string>;
  /** Releases what the work holds (a worker thread); the work can still be used afterwards. */
  dispose(): Promise<void>;
}

/**
 * The build's heavy steps on this thread, with this embedder (and, for long jobs, `second`, stopped
 * once the passages are embedded):
 * builds at start-up, when nothing is answered yet, and tests.
 */
export function inProcessBuildWork(embedder: Embedder, second?: Pick<Embedder, 'embed' | 'dispose'>): BuildWork {
  return {
    embed: (texts, onProgress) => embedForBuild(embedder, BULK_BATCH_SIZE, second, texts, { ...(onProgress && { onProgress }) }),
    writeVectorIndex: async (vectors, dim, file) => writeVectorIndexFile(vectors, dim, file),
    lexicalJson: async (docs) => serializedLexicalIndex(docs),
    async dispose() {},
  };
}

export function writeVectorIndexFile(vectors: readonly Float32Array[], dim: number, file: string): void {
  VectorIndex.build(vectors, dim).save(file);
}

export function serializedLexicalIndex(docs: readonly LexicalDoc[]): string {
  return LexicalIndex.build(docs).toJSON();
}
