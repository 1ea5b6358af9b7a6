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

/**
 * The dot product of two vectors of the same length; of unit vectors (the Embedder contract),
 * their cosine. Four running sums let the multiplications overlap: about twice as fast as one sum
 * on 2,000 vectors of 512 dimensions, which is what judging a question's documents scans.
 */
export function dot(a: Float32Array, b: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const whole = a.length - (a.length % 4);
  let i = 0;
  for (; i < whole; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (; i < a.length; i++) s0 += a[i]! * b[i]!;
  return s0 + s1 + s2 + s3;
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
