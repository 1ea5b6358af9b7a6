/** Messages between BuildWorker (main thread) and build-worker-thread.ts. */
import type { Config } from '../config.ts';
import { botError, type ErrorCode } from '../errors.ts';
import type { LexicalDoc } from '../search/lexical-index.ts';

export interface BuildWorkerData {
  embedder: Pick<Config, 'embedder' | 'modelDir'>;
}

export type WorkerRequest =
  | { id: number; type: 'embed'; texts: readonly string[] }
  | { id: number; type: 'vector-index'; vectors: Float32Array; dim: number; file: string }
  | { id: number; type: 'lexical'; docs: readonly LexicalDoc[] };

export type WorkerReply =
  | { id: number; type: 'progress'; done: number }
  | { id: number; type: 'embedded'; vectors: Float32Array; dim: number }
  | { id: number; type: 'done'; json?: string }
  | { id: number; type: 'failed'; code?: ErrorCode; message: string };

/** Vectors as one contiguous array, so they cross threads as a single transferred buffer. */
export function packVectors(vectors: readonly Float32Array[], dim: number): Float32Array {
  const packed = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => {
    if (v.length !== dim) throw botError('DIMENSION_MISMATCH', { expected: dim, actual: v.length });
    packed.set(v, i * dim);
  });
  return packed;
}

export function unpackVectors(packed: Float32Array, dim: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let at = 0; at < packed.length; at += dim) out.push(packed.subarray(at, at + dim));
  return out;
}
