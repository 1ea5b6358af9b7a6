import type { LexicalHit } from './lexical-index.ts';
import type { VectorHit } from './vector-index.ts';

/**
 * Retrieval settings. The gate is on dense similarity: BM25 scores depend on how many of the
 * knowledge's own words a question reuses, so a lexical bar refuses paraphrases; cosine
 * similarity carries over. Values chosen with `npm run eval` on the dev set plus paraphrases.
 */
export interface RetrievalSettings {
  /** Reciprocal-rank-fusion constant: larger flattens the advantage of the first ranks. */
  rrfK: number;
  /** Weight of the dense ranking against the lexical one in the fusion. */
  denseWeight: number;
  /** Below this best dense similarity the question is refused as outside the knowledge. */
  minConfidence: number;
  /** Passages whose dense similarity falls this far below the best one are not cited. */
  maxDropFromBest: number;
  /** At most this many passages make an answer. */
  maxPassages: number;
  /** Share of a passage's dense score that comes from its whole section (context). */
  sectionWeight: number;
}

export const DEFAULT_RETRIEVAL: RetrievalSettings = {
  rrfK: 20,
  denseWeight: 0.7,
  minConfidence: 0.32,
  maxDropFromBest: 0.12,
  maxPassages: 5,
  sectionWeight: 0.3,
};

export interface ScoredPassage {
  label: number;
  /** Context-blended cosine similarity to the question. */
  dense: number;
  /** BM25 score, 0 when the lexical index did not find it. */
  lexical: number;
  fused: number;
}

export interface Retrieval {
  /** Fused ranking, best first. */
  ranked: ScoredPassage[];
  /** Best dense similarity: the evidence the gate looks at. */
  confidence: number;
  confident: boolean;
  /** The passages to answer from (empty when not confident). */
  selected: ScoredPassage[];
}

/**
 * Fuses dense and lexical rankings by reciprocal rank, then gates on dense similarity and picks
 * the passages close enough to the best one to be worth citing.
 */
export function fuseAndGate(
  dense: readonly VectorHit[],
  lexical: readonly LexicalHit[],
  settings: RetrievalSettings = DEFAULT_RETRIEVAL,
): Retrieval {
  const byLabel = new Map<number, ScoredPassage>();
  const entry = (label: number): ScoredPassage => {
    let p = byLabel.get(label);
    if (!p) {
      p = { label, dense: 0, lexical: 0, fused: 0 };
      byLabel.set(label, p);
    }
    return p;
  };
  [...dense]
    .sort((a, b) => b.similarity - a.similarity)
    .forEach((hit, rank) => {
      const p = entry(hit.label);
      p.dense = hit.similarity;
      p.fused += settings.denseWeight / (settings.rrfK + rank + 1);
    });
  lexical.forEach((hit, rank) => {
    const p = entry(hit.label);
    p.lexical = hit.score;
    p.fused += 1 / (settings.rrfK + rank + 1);
  });

  const ranked = [...byLabel.values()].sort((a, b) => b.fused - a.fused || b.dense - a.dense);
  const confidence = dense.reduce((best, hit) => Math.max(best, hit.similarity), 0);
  const confident = confidence >= settings.minConfidence;
  const selected = confident
    ? ranked
        .filter((p) => p.dense >= settings.minConfidence && p.dense >= confidence - settings.maxDropFromBest)
        .slice(0, settings.maxPassages)
    : [];
  return { ranked, confidence, confident: confident && selected.length > 0, selected };
}
