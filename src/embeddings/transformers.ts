import { existsSync } from 'node:fs';
import path from 'node:path';
import { botError, errorMessage } from '../errors.ts';
import { EMBEDDER_DIMENSIONS, type Embedder } from './embedder.ts';

export const MINILM_MODEL_ID = 'Xenova/all-MiniLM-L6-v2';
const MINILM_DIM = EMBEDDER_DIMENSIONS.minilm;
const MAX_BATCH = 32;

/** The weights file transformers.js will open for the quantized model. */
export function miniLmWeightsPath(modelDir: string): string {
  return path.join(modelDir, MINILM_MODEL_ID, 'onnx', 'model_quantized.onnx');
}

/**
 * all-MiniLM-L6-v2 through @xenova/transformers, from local files only. The presence of the
 * weights is checked first so a missing file is reported by name instead of as a fetch error.
 */
export async function loadMiniLm(modelDir: string | undefined): Promise<Embedder> {
  if (modelDir === undefined) throw botError('MODEL_DIR_MISSING', { embedder: 'minilm' });
  const weights = miniLmWeightsPath(modelDir);
  if (!existsSync(weights)) {
    throw botError('MODEL_FILE_MISSING', { file: path.relative(modelDir, weights), dir: modelDir });
  }
  try {
    const { env, pipeline } = await import('@xenova/transformers');
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = modelDir.endsWith(path.sep) ? modelDir : modelDir + path.sep;
    const extractor = await pipeline('feature-extraction', MINILM_MODEL_ID, { quantized: true });
    return {
      name: 'minilm',
      dim: MINILM_DIM,
      async embed(texts) {
        const out: Float32Array[] = [];
        for (let start = 0; start < texts.length; start += MAX_BATCH) {
          const batch = texts.slice(start, start + MAX_BATCH);
          const tensor = await extractor([...batch], { pooling: 'mean', normalize: true });
          const data = tensor.data as Float32Array;
          batch.forEach((_, row) => out.push(data.slice(row * MINILM_DIM, (row + 1) * MINILM_DIM)));
        }
        return out;
      },
    };
  } catch (error) {
    throw botError('MODEL_LOAD_FAILED', { embedder: 'minilm', cause: errorMessage(error) }, error);
  }
}
