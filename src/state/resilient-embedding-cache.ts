/**
 * A shared embedding cache is a saving, never a condition: when it cannot be read the build embeds
 * what it needs, and when it cannot be written the vectors are simply not shared; each with a warning.
 */
import { errorMessage } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { EmbeddingCache } from './types.ts';

export function resilientEmbeddingCache(cache: EmbeddingCache, logger: Logger): EmbeddingCache {
  return {
    async get(model, keys) {
      try {
        return await cache.get(model, keys);
      } catch (error) {
        logger.warn({ keys: keys.length, err: errorMessage(error) }, 'could not read the shared embeddings; embedding here instead');
        return new Map();
      }
    },
    async put(model, entries) {
      try {
        await cache.put(model, entries);
      } catch (error) {
        logger.warn({ vectors: entries.size, err: errorMessage(error) }, 'could not share new embeddings; other hosts will embed these passages themselves');
      }
    },
  };
}
