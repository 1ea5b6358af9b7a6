/**
 * One ranking over several indexes (the base and a server's): each is searched on its own with
 * `retrieve`, then the candidates are put on one scale and fused again, as `retrieve` fuses one
 * index's. Cosines are comparable across indexes (one model); BM25 scores are not (each index has
 * its own IDF and lengths), so each index's are divided by the question's IDF mass in that index,
 * the same normalisation the gate's lexical evidence uses, and put back on the first index's scale.
 * Each index's documents keep their own evidence, marked with the part they come from: the gate
 * judges each against its own index's null.
 */
import { fuse, type Candidate, type Retrieval, type RetrievalSettings } from '../search/retrieve.ts';
import type { TermStats } from '../search/term-stats.ts';

export interface RetrievalPart {
  retrieval: Retrieval;
  termStats: TermStats;
  /** Added to the part's labels: its chunks' position in the concatenated chunk list. */
  offset: number;
}

function idfMass(stats: TermStats, terms: ReadonlySet<string>): number {
  let total = 0;
  for (const t of terms) total += stats.idf(t);
  return total;
}

export function mergeRetrievals(parts: readonly RetrievalPart[], settings: RetrievalSettings): Retrieval {
  const first = parts[0]!;
  if (parts.length === 1) return first.retrieval;
  const terms = first.retrieval.terms;
  const firstMass = idfMass(first.termStats, terms);
  const candidates: Candidate[] = [];
  for (const part of parts) {
    const mass = idfMass(part.termStats, terms);
    const scale = firstMass > 0 && mass > 0 ? firstMass / mass : 1;
    for (const c of part.retrieval.ranked) candidates.push({ ...c, label: c.label + part.offset, lexical: c.lexical * scale });
  }
  rerank(candidates, settings);
  const ranked = candidates.sort((a, b) => b.fused - a.fused || b.dense - a.dense);
  const documents = parts.flatMap((p, part) => p.retrieval.documents.map((d) => ({ ...d, part })));
  return { ranked, documents, terms };
}

/** Ranks over the merged list, then the fusion `retrieve` applies to one index's candidates. */
function rerank(candidates: Candidate[], settings: RetrievalSettings): void {
  const byDense = candidates.filter((c) => Number.isFinite(c.denseRank)).sort((a, b) => b.dense - a.dense);
  byDense.forEach((c, i) => (c.denseRank = i + 1));
  const byLexical = candidates.filter((c) => Number.isFinite(c.lexicalRank)).sort((a, b) => b.lexical - a.lexical);
  byLexical.forEach((c, i) => (c.lexicalRank = i + 1));
  fuse(candidates, settings);
}
