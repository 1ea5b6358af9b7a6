import type { Evidence } from './gate.ts';
import type { LexicalIndex } from './lexical-index.ts';
import { contentTerms, weightedCoverage, type TermStats } from './term-stats.ts';
import type { NearestVectors } from './vector-index.ts';
import { cosine } from '../embeddings/embedder.ts';

/** What retrieval needs of an index: both searches, the vectors, and the knowledge's term statistics. */
export interface Searchable {
  vectorIndex: NearestVectors;
  vectors: readonly Float32Array[];
  lexical: LexicalIndex;
  termStats: TermStats;
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

export interface Retrieval {
  /** Fused ranking, best first. */
  ranked: Candidate[];
  evidence: Evidence;
  /** The question's content terms, for choosing what to quote. */
  terms: Set<string>;
}

/**
 * Dense (HNSW) and lexical (BM25) candidates, fused by reciprocal rank. Every candidate gets an
 * exact cosine (a lexical find HNSW did not return still has a dense score), so the evidence and
 * the citation cut-off can compare passages on both signals.
 */
export function retrieve(index: Searchable, query: Float32Array, question: string, settings: RetrievalSettings = DEFAULT_RETRIEVAL): Retrieval {
  const denseHits = index.vectorIndex.search(query, settings.candidates);
  const lexicalHits = index.lexical.search(question, settings.candidates);
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
  lexicalHits.forEach((hit, i) => {
    const c = entry(hit.label);
    c.lexical = hit.score;
    c.lexicalRank = i + 1;
  });
  fuse([...byLabel.values()], settings);
  const ranked = [...byLabel.values()].sort((a, b) => b.fused - a.fused || b.dense - a.dense);
  const terms = contentTerms(question);
  return { ranked, evidence: measureEvidence(index.termStats, terms, ranked), terms };
}

export function measureEvidence(stats: TermStats, terms: ReadonlySet<string>, ranked: readonly Candidate[]): Evidence {
  let idfTotal = 0;
  for (const t of terms) idfTotal += stats.idf(t);
  let dense = 0;
  let lexical = 0;
  for (const c of ranked) {
    dense = Math.max(dense, c.dense);
    lexical = Math.max(lexical, c.lexical);
  }
  return {
    dense,
    lexical: idfTotal > 0 ? lexical / idfTotal : 0,
    known: weightedCoverage(stats, terms, (t) => stats.knows(t)),
  };
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
