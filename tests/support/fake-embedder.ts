import { normalize, type Embedder } from '../../src/embeddings/embedder.ts';
import { processTerm } from '../../src/search/lexical-index.ts';
import { offTopicProbes } from '../../src/search/probes.ts';

const PROBES = new Set(offTopicProbes());

/**
 * A deterministic bag-of-stems embedder: texts sharing words point the same way. Fast and exact,
 * so unit tests can reason about similarities; it counts calls so tests can assert reuse.
 */
export class FakeEmbedder implements Embedder {
  readonly name: string;
  readonly dim: number;
  calls = 0;
  textsEmbedded = 0;
  failNext = false;

  constructor(dim = 64, name = 'fake') {
    this.dim = dim;
    this.name = name;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('embedder exploded');
    }
    const knowledgeTexts = texts.filter((t) => !PROBES.has(t));
    // The gate's off-topic probes are embedded once per embedder; counts are of knowledge texts.
    if (knowledgeTexts.length > 0) this.calls++;
    this.textsEmbedded += knowledgeTexts.length;
    return texts.map((text) => this.vectorOf(text));
  }

  vectorOf(text: string): Float32Array {
    const v = new Float32Array(this.dim);
    for (const word of text.split(/[^\p{L}\p{N}]+/u)) {
      const term = word ? processTerm(word) : null;
      if (!term) continue;
      v[hash(term) % this.dim]! += 1;
    }
    // A constant component keeps every vector non-zero, like real embeddings' shared direction.
    v[0]! += 0.01;
    return normalize(v);
  }
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
