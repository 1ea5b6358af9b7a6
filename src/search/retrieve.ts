import type { DocumentMap } from './documents.ts';
import type { Evidence } from './gate.ts';
import type { LexicalHit, LexicalIndex } from './lexical-index.ts';
import { contentTerms, type TermStats } from './term-stats.ts';
import type { NearestVectors } from './vector-index.ts';
import { cosine, dot } from '../embeddings/embedder.ts';

/** What retrieval needs of an index: both searches, the vectors, the documents, and the knowledge's term statistics. */
export interface Searchable {
  vectorIndex: NearestVectors;
  vectors: readonly Float32Array[];
  lexical: LexicalIndex;
  termStats: TermStats;
  documents: DocumentMap;
}

export interface RetrievalSettings {
  /** Candidates taken from each of the two searches. */
  candidates: number;
  /** Reciprocal-rank-fusion constant: larger flattens the advantage of the first ranks. */
  rrfK: number;
  /** Weight of the dense ranking against the lexical one in the fusion. */
  denseWeight: number;
  /** 'rank': reciprocal-rank fusion; 'score': min-max normalised scores, weighted and added. */
  fusion: 'rank' | 'score';
}

export const DEFAULT_RETRIEVAL: RetrievalSettings = { candidates: 40, rrfK: 60, denseWeight: 0.5, fusion: 'score' };

export interface Candidate {
  label: number;
  /** Cosine similarity to the question. */
  dense: number;
  /** BM25 score, 0 when the lexical search did not return the passage. */
  lexical: number;
  /** 1-based ranks in each search; Infinity when absent. */
  denseRank: number;
  lexicalRank: number;
  fused: number;
}

/** How well one document supports the question (see gate.ts). */
export interface DocumentEvidence {
  /** Which index the document belongs to: 0 for one index, the part's position when several are merged. */
  part: number;
  /** The document's position in its index's DocumentMap. */
  doc: number;
  evidence: Evidence;
}

export interface Retrieval {
  /** Fused ranking, best first. */
  ranked: Candidate[];
  /** The evidence of each document with a passage among the candidates. */
  documents: DocumentEvidence[];
  /** The question's content terms, for choosing what to quote. */
  terms: Set<string>;
}

/**
 * The lexical half of a retrieval, all hits. It needs no vector, so a caller can run it while the
 * model embeds the question and hand it to `retrieve`.
 */
export function searchLexically(index: Pick<Searchable, 'lexical'>, question: string): LexicalHit[] {
  return index.lexical.search(question, Infinity);
}

/**
 * Dense (HNSW) and lexical (BM25) candidates, fused by score. Every candidate gets an exact cosine
 * (a lexical find HNSW did not return still has a dense score), so the evidence and the citation
 * cut-off can compare passages on both signals. Each document holding a candidate gets its own
 * evidence, which the gate judges. `lexicalAll` is `searchLexically(index, question)` when the
 * caller has it already.
 */
export function retrieve(
  index: Searchable,
  query: Float32Array,
  question: string,
  settings: RetrievalSettings = DEFAULT_RETRIEVAL,
  lexicalAll: readonly LexicalHit[] = searchLexically(index, question),
): Retrieval {
  const denseHits = index.vectorIndex.search(query, settings.candidates);
  const byLabel = new Map<number, Candidate>();
  const entry = (label: number): Candidate => {
    let c = byLabel.get(label);
    if (!c) {
      c = { label, dense: cosine(query, index.vectors[label]!), lexical: 0, denseRank: Infinity, lexicalRank: Infinity, fused: 0 };
      byLabel.set(label, c);
    }
    return c;
  };
  [...denseHits]
    .sort((a, b) => b.similarity - a.similarity)
    .forEach((hit, i) => (entry(hit.label).denseRank = i + 1));
  lexicalAll.slice(0, settings.candidates).forEach((hit, i) => {
    const c = entry(hit.label);
    c.lexical = hit.score;
    c.lexicalRank = i + 1;
  });
  fuse([...byLabel.values()], settings);
  const ranked = [...byLabel.values()].sort((a, b) => b.fused - a.fused || b.dense - a.dense);
  const terms = contentTerms(question);
  const candidateDocs = new Set(ranked.map((c) => index.documents.ofLabel[c.label]!));
  return { ranked, documents: documentEvidence(index, query, terms, lexicalAll, candidateDocs), terms };
}

/**
 * Each document's evidence for a question: its best passage's cosine (over all its passages), its
 * best BM25 score divided by the question's total IDF weight, and the share of that weight carried
 * by terms the document uses. `lexicalHits` are the lexical search's hits, all of them.
 */
export function documentEvidence(
  index: Searchable,
  query: Float32Array,
  terms: ReadonlySet<string>,
  lexicalHits: readonly LexicalHit[],
  docs: Iterable<number>,
): DocumentEvidence[] {
  const { documents, termStats } = index;
  let idfTotal = 0;
  for (const t of terms) idfTotal += termStats.idf(t);
  const bestLexical = new Map<number, number>();
  for (const hit of lexicalHits) {
    const doc = documents.ofLabel[hit.label]!;
    if (hit.score > (bestLexical.get(doc) ?? 0)) bestLexical.set(doc, hit.score);
  }
  const out: DocumentEvidence[] = [];
  for (const doc of docs) {
    // Vectors are unit length (the Embedder contract), so a cosine is a dot product.
    let dense = 0;
    for (const label of documents.labels[doc]!) dense = Math.max(dense, dot(query, index.vectors[label]!));
    let known = 0;
    const docTerms = documents.terms[doc]!;
    for (const t of terms) if (docTerms.has(t)) known += termStats.idf(t);
    out.push({
      part: 0,
      doc,
      evidence: {
        dense,
        lexical: idfTotal > 0 ? (bestLexical.get(doc) ?? 0) / idfTotal : 0,
        known: idfTotal > 0 ? known / idfTotal : 0,
      },
    });
  }
  return out;
}

/**
 * Sets each candidate's fused score from its ranks ('rank': reciprocal-rank fusion) or its scores
 * ('score': each signal scaled to [0, 1] over the candidates, best = 1, then added with the dense
 * weight). Shared by one index's retrieval and the merge of several.
 */
export function fuse(candidates: Candidate[], settings: RetrievalSettings): void {
  if (settings.fusion === 'rank') {
    for (const c of candidates) {
      c.fused =
        (Number.isFinite(c.denseRank) ? settings.denseWeight / (settings.rrfK + c.denseRank) : 0) +
        (Number.isFinite(c.lexicalRank) ? 1 / (settings.rrfK + c.lexicalRank) : 0);
    }
    return;
  }
  let minDense = Infinity;
  let maxDense = -Infinity;
  let maxLexical = 0;
  for (const c of candidates) {
    minDense = Math.min(minDense, c.dense);
    maxDense = Math.max(maxDense, c.dense);
    maxLexical = Math.max(maxLexical, c.lexical);
  }
  const denseRange = maxDense - minDense;
  for (const c of candidates) {
    const dense = denseRange > 0 ? (c.dense - minDense) / denseRange : 1;
    const lexical = maxLexical > 0 ? c.lexical / maxLexical : 0;
    c.fused = lexical + settings.denseWeight * dense;
  }
}
