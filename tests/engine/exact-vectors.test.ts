import { describe, expect, it } from 'vitest';
import { normalize } from '../../src/embeddings/embedder.ts';
import { ExactVectors } from '../../src/engine/exact-vectors.ts';
import { VectorIndex } from '../../src/search/vector-index.ts';

function vectors(n: number, dim: number, seed: number): Float32Array[] {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return Array.from({ length: n }, () => normalize(Float32Array.from({ length: dim }, next)));
}

describe('ExactVectors', () => {
  it('finds the same nearest vectors, best first, as the HNSW index on a small set', () => {
    const data = vectors(60, 16, 7);
    const exact = new ExactVectors(data, 16);
    const hnsw = VectorIndex.build(data, 16);
    for (const query of vectors(10, 16, 99)) {
      const a = exact.search(query, 5);
      expect(a.map((h) => h.label)).toEqual(hnsw.search(query, 5).map((h) => h.label));
      expect(a.map((h) => h.similarity)).toEqual([...a.map((h) => h.similarity)].sort((x, y) => y - x));
    }
    expect(exact.search(data[3]!, 100)).toHaveLength(60);
  });

  it('checks the query dimension loudly', () => {
    expect(() => new ExactVectors(vectors(3, 8, 1), 8).search(new Float32Array(4), 2)).toThrow(expect.objectContaining({ code: 'DIMENSION_MISMATCH' }));
  });
});
