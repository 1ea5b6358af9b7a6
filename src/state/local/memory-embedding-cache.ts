/**
 * Embeddings kept in this process's memory, bounded (least recently used go first): the cache of
 * one host, where no other host could share them. Vectors are copied in and out, so nobody can
 * change what another build reads.
 */
import { LRUCache } from 'lru-cache';
import type { EmbeddingCache } from '../types.ts';

export class MemoryEmbeddingCache implements EmbeddingCache {
  private readonly vectors: LRUCache<string, Float32Array>;

  constructor(maxVectors = 50_000) {
    this.vectors = new LRUCache({ max: maxVectors });
  }

  async get(model: string, keys: readonly string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    for (const key of keys) {
      const vector = this.vectors.get(`${model}\n${key}`);
      if (vector) found.set(key, vector.slice());
    }
    return found;
  }

  async put(model: string, entries: ReadonlyMap<string, Float32Array>): Promise<void> {
    for (const [key, vector] of entries) {
      const id = `${model}\n${key}`;
      if (!this.vectors.has(id)) this.vectors.set(id, vector.slice());
    }
  }
}
