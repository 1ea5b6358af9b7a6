import { describe, expect, it } from 'vitest';
import { selectPassages } from '../../src/answer/select.ts';
import { DocumentMap } from '../../src/search/documents.ts';
import { LexicalIndex } from '../../src/search/lexical-index.ts';
import { retrieve, searchLexically, type Searchable } from '../../src/search/retrieve.ts';
import { TermStats } from '../../src/search/term-stats.ts';
import { VectorIndex } from '../../src/search/vector-index.ts';
import type { Chunk } from '../../src/types.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';

const TEXTS = [
  'Banks use fraud detection models to stop card theft.',
  'Hospitals use models for diagnostics and drug discovery.',
  'Retailers forecast demand for every store.',
  'Fraud detection at banks also flags money laundering.',
];
/** The first two passages are one document, the last two another. */
const DOCS = ['finance.md', 'finance.md', 'retail.md', 'retail.md'];
const embedder = new FakeEmbedder(256);
const vectors = TEXTS.map((t) => embedder.vectorOf(t));
const chunks: Chunk[] = TEXTS.map((text, ordinal) => ({
  id: String(ordinal),
  docId: DOCS[ordinal]!,
  docTitle: 'A',
  headingPath: ['S'],
  text,
  spans: [{ start: 0, end: text.length, kind: 'paragraph' }],
  indexText: text,
  ordinal,
}));
const index: Searchable = {
  vectorIndex: VectorIndex.build(vectors, embedder.dim),
  vectors,
  lexical: LexicalIndex.build(TEXTS.map((text, label) => ({ label, heading: '', text }))),
  termStats: TermStats.build(TEXTS),
  documents: DocumentMap.build(chunks),
};
const ask = (q: string) => retrieve(index, embedder.vectorOf(q), q);

describe('retrieve', () => {
  it('ranks passages both searches find first, each with an exact cosine', () => {
    const r = ask('fraud detection at banks');
    expect(r.ranked.slice(0, 2).map((c) => c.label).sort()).toEqual([0, 3]);
    for (const c of r.ranked) expect(c.dense).toBeCloseTo(cosineOf(embedder.vectorOf('fraud detection at banks'), vectors[c.label]!));
  });

  it('measures each candidate document’s evidence: its best cosine, best BM25 share and the share of the question it uses', () => {
    const q = 'hospitals and money laundering';
    const r = ask(q);
    const byDoc = new Map(r.documents.map((d) => [index.documents.ids[d.doc], d.evidence]));
    const qv = embedder.vectorOf(q);
    expect(byDoc.get('finance.md')!.dense).toBeCloseTo(Math.max(cosineOf(qv, vectors[0]!), cosineOf(qv, vectors[1]!)));
    expect(byDoc.get('retail.md')!.dense).toBeCloseTo(Math.max(cosineOf(qv, vectors[2]!), cosineOf(qv, vectors[3]!)));
    // "hospit" is used by the first document only, "money" and "launder" by the second only.
    const idf = (t: string) => index.termStats.idf(t);
    const total = idf('hospit') + idf('monei') + idf('launder');
    expect(byDoc.get('finance.md')!.known).toBeCloseTo(idf('hospit') / total);
    expect(byDoc.get('retail.md')!.known).toBeCloseTo((idf('monei') + idf('launder')) / total);
    expect(byDoc.get('retail.md')!.lexical).toBeGreaterThan(byDoc.get('finance.md')!.lexical);
  });

  it('takes a lexical search run beforehand (while the model embedded the question) and ranks the same', () => {
    const q = 'fraud detection at banks';
    const lexical = searchLexically(index, q);
    expect(lexical.length).toBeGreaterThan(0);
    expect(retrieve(index, embedder.vectorOf(q), q, undefined, lexical)).toEqual(ask(q));
  });

  it('gives no evidence for words no document uses', () => {
    for (const d of ask('jupiter moons orbit').documents) {
      expect(d.evidence.known).toBe(0);
      expect(d.evidence.lexical).toBe(0);
    }
  });
});

describe('selectPassages', () => {
  it('cites the best passage first and others only when nearly as strong', () => {
    const r = ask('fraud detection banks');
    const labels = selectPassages('fraud detection banks', r.ranked, chunks);
    expect(labels[0]).toBe(r.ranked[0]!.label);
    expect(labels).not.toContain(2);
    expect(selectPassages('x', r.ranked, chunks, { maxCitations: 1, relativeCutoff: 0, maxListPassages: 6 })).toHaveLength(1);
  });
});

function cosineOf(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}
