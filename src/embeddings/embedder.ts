import type { Config, EmbedderName } from '../config.ts';

/** Each model's vector size, known before the model is loaded (an index on disk is checked against it). */
export const EMBEDDER_DIMENSIONS: Record<EmbedderName, number> = { 'use-lite': 512, minilm: 384 };

/** Turns texts into unit-length vectors. Batched: one call embeds many texts. */
export interface Embedder {
  /** Identifies the model; a persisted index is reused only by an embedder of the same name. */
  readonly name: string;
  readonly dim: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  dispose?(): Promise<void>;
}

/** Loads the configured embedder; only the chosen model's code is imported. */
export async function createEmbedder(config: Pick<Config, 'embedder' | 'modelDir'>): Promise<Embedder> {
  const name: EmbedderName = config.embedder;
  switch (name) {
    case 'use-lite': {
      const { loadUseLite } = await import('./use-lite.ts');
      return loadUseLite();
    }
    case 'minilm': {
      const { loadMiniLm } = await import('./transformers.ts');
      return loadMiniLm(config.modelDir);
    }
  }
}

export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const x of vector) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Names the vectors an embedder makes, for caches shared across builds and hosts: model and dimension. */
export function embeddingModelKey(embedder: Pick<Embedder, 'name' | 'dim'>): string {
  return `${embedder.name}/${embedder.dim}`;
}
