import hnswlib from 'hnswlib-node';
import { botError } from '../errors.ts';

/**
 * HNSW settings chosen by `npm run bench -- --full` (recall@10 against exact search); see README.
 * At 100k realistic 512-d vectors, m 16 / ef 64 reached recall@10 0.964; m 32 / ef 128 reaches
 * 0.988 at a query p50 of 0.4 ms, for ~5% more build time. Up to 10k vectors m ≥ 16 already
 * finds all 10 nearest (recall 1.000), so small knowledge bases answer exactly as before.
 */
export const HNSW_PARAMS = { m: 32, efConstruction: 200, efSearch: 128, randomSeed: 100 } as const;

export interface VectorHit {
  /** Position of the vector in the order it was added. */
  label: number;
  /** Cosine similarity, 1 = same direction. */
  similarity: number;
}

/** What retrieval needs of a vector index: the k nearest vectors to a query. */
export interface NearestVectors {
  search(query: Float32Array, k: number): VectorHit[];
}

/** A cosine HNSW index over labels 0..n-1, with its dimension checked loudly on every call. */
export class VectorIndex implements NearestVectors {
  private constructor(
    private readonly index: hnswlib.HierarchicalNSW,
    readonly dim: number,
  ) {}

  static build(vectors: readonly Float32Array[], dim: number, params = HNSW_PARAMS): VectorIndex {
    const index = new hnswlib.HierarchicalNSW('cosine', dim);
    index.initIndex({
      maxElements: Math.max(1, vectors.length),
      m: params.m,
      efConstruction: params.efConstruction,
      randomSeed: params.randomSeed,
    });
    index.setEf(params.efSearch);
    vectors.forEach((vector, label) => {
      checkDim(dim, vector.length);
      // hnswlib-node takes plain arrays only.
      index.addPoint(Array.from(vector), label);
    });
    return new VectorIndex(index, dim);
  }

  /** Reads an index written by `save`; the caller has verified the file's checksum first. */
  static load(file: string, dim: number, expectedCount: number, efSearch: number = HNSW_PARAMS.efSearch): VectorIndex {
    const index = new hnswlib.HierarchicalNSW('cosine', dim);
    index.readIndexSync(file);
    if (index.getNumDimensions() !== dim) {
      throw botError('DIMENSION_MISMATCH', { expected: dim, actual: index.getNumDimensions() });
    }
    if (index.getCurrentCount() !== expectedCount) {
      throw botError('INDEX_CORRUPT', {
        dir: file,
        cause: `it holds ${index.getCurrentCount()} vectors, the manifest says ${expectedCount}`,
      });
    }
    index.setEf(efSearch);
    return new VectorIndex(index, dim);
  }

  get size(): number {
    return this.index.getCurrentCount();
  }

  save(file: string): void {
    this.index.writeIndexSync(file);
  }

  setEf(ef: number): void {
    this.index.setEf(ef);
  }

  search(query: Float32Array, k: number): VectorHit[] {
    checkDim(this.dim, query.length);
    const n = Math.min(k, this.size);
    if (n === 0) return [];
    // ef below k would silently return fewer neighbours than asked for.
    if (this.index.getEf() < n) this.index.setEf(n);
    const { neighbors, distances } = this.index.searchKnn(Array.from(query), n);
    // searchKnn gives cosine *distances* (1 - similarity).
    return neighbors.map((label, i) => ({ label, similarity: 1 - distances[i]! }));
  }
}

function checkDim(expected: number, actual: number): void {
  if (expected !== actual) throw botError('DIMENSION_MISMATCH', { expected, actual });
}
