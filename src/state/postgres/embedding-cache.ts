/**
 * Passage embeddings in PostgreSQL, by model and sha256 of the text embedded: a passage embedded
 * by any host is never embedded again by another (a host that starts cold builds its indexes from
 * here). Vectors are stored as little-endian Float32 bytes.
 */
import type { EmbeddingCache } from '../types.ts';
import type { Database } from './database.ts';

/** Keys per query: one round trip per batch, without a statement too large to plan quickly. */
const BATCH = 1_000;

export class PostgresEmbeddingCache implements EmbeddingCache {
  constructor(private readonly db: Database) {}

  async get(model: string, keys: readonly string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    const unique = [...new Set(keys)];
    for (let at = 0; at < unique.length; at += BATCH) {
      const rows = await this.db.query<{ key: string; vector: Buffer }>('SELECT key, vector FROM embeddings WHERE model = $1 AND key = ANY($2::text[])', [
        model,
        unique.slice(at, at + BATCH),
      ]);
      for (const { key, vector } of rows) found.set(key, toFloat32(vector));
    }
    return found;
  }

  async put(model: string, entries: ReadonlyMap<string, Float32Array>): Promise<void> {
    const all = [...entries];
    for (let at = 0; at < all.length; at += BATCH) {
      const batch = all.slice(at, at + BATCH);
      await this.db.query(
        `INSERT INTO embeddings (model, key, vector)
         SELECT $1, k, v FROM unnest($2::text[], $3::bytea[]) AS t (k, v)
         ON CONFLICT (model, key) DO NOTHING`,
        [model, batch.map(([key]) => key), batch.map(([, vector]) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength))],
      );
    }
  }
}

/** A copy in its own aligned buffer: a Buffer's offset into Node's pool need not be 4-byte aligned. */
function toFloat32(bytes: Buffer): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
