import { cosine } from '../embeddings/embedder.ts';
import { botError } from '../errors.ts';
import type { NearestVectors, VectorHit } from '../search/vector-index.ts';

/**
 * Exact nearest neighbours by scanning every vector: for a server's small index. An HNSW index
 * costs about 2.6 MB of native memory however few vectors it holds (hnswlib's per-label locks),
 * freed only when the garbage collector happens to run; with many servers loaded and unloaded that
 * dominated the process's memory. A scan of a few thousand vectors takes well under a millisecond
 * per thousand, and finds exactly the nearest.
 */
export class ExactVectors implements NearestVectors {
  constructor(
    private readonly vectors: readonly Float32Array[],
    readonly dim: number,
  ) {}

  search(query: Float32Array, k: number): VectorHit[] {
    if (query.length !== this.dim) throw botError('DIMENSION_MISMATCH', { expected: this.dim, actual: query.length });
    const hits = this.vectors.map((v, label) => ({ label, similarity: cosine(query, v) }));
    hits.sort((a, b) => b.similarity - a.similarity);
    return hits.slice(0, Math.max(0, k));
  }
}
