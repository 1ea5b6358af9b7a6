import type { Chunk, Citation } from '../types.ts';

export interface Evidence {
  chunk: Chunk;
  score: number;
  /** Position in the retrieval ranking, 1 = best. */
  rank: number;
}

export interface ComposedAnswer {
  answer: string;
  citations: Citation[];
}

export function sectionLabel(chunk: Pick<Chunk, 'headingPath' | 'docTitle'>): string {
  return chunk.headingPath.length > 0 ? chunk.headingPath.join(' › ') : chunk.docTitle;
}

export function toCitation(n: number, chunk: Chunk, score: number, rank = n): Citation {
  return {
    n,
    source: chunk.docId,
    title: chunk.docTitle,
    section: sectionLabel(chunk),
    text: chunk.text,
    score: Math.round(score * 1000) / 1000,
    rank,
    ...(chunk.docUrl !== undefined && { url: chunk.docUrl }),
  };
}

/**
 * An extractive answer: the passages themselves, deduplicated and in the order the documents
 * tell them, every sentence carrying the number of the source it came from.
 */
export function composeAnswer(evidence: readonly Evidence[]): ComposedAnswer {
  const unique = dedupe(evidence);
  const docOrder = new Map<string, number>();
  // Documents appear in the order of their best passage; passages inside one in reading order.
  unique.forEach((e) => docOrder.has(e.chunk.docId) || docOrder.set(e.chunk.docId, docOrder.size));
  const ordered = [...unique].sort(
    (a, b) => docOrder.get(a.chunk.docId)! - docOrder.get(b.chunk.docId)! || a.chunk.ordinal - b.chunk.ordinal,
  );

  const citations = ordered.map((e, i) => toCitation(i + 1, e.chunk, e.score, e.rank));
  const lines: string[] = [];
  let lastSection = '';
  ordered.forEach((e, i) => {
    const section = `${e.chunk.docId}\n${sectionLabel(e.chunk)}`;
    if (section !== lastSection) {
      if (lines.length > 0) lines.push('');
      lines.push(`${sectionLabel(e.chunk)}:`);
      lastSection = section;
    }
    lines.push(citeSentences(e.chunk.text, i + 1));
  });
  return { answer: lines.join('\n'), citations };
}

const BULLET = /^\s*(?:[-*+•]|\d+[.)])\s+/;

/** Appends `[n]` to every sentence of a passage; list items keep their bullet. */
export function citeSentences(text: string, n: number): string {
  const isBullet = BULLET.test(text);
  const flat = text.replace(BULLET, '').replace(/\s*\n\s*/g, ' ').trim();
  const sentences = flat.match(/[^.!?]+(?:[.!?]+["”’)]*|$)(?=\s|$)/g)?.map((s) => s.trim()).filter(Boolean) ?? [flat];
  const cited = sentences.map((s) => `${s} [${n}]`).join(' ');
  return isBullet ? `• ${cited}` : cited;
}

function normalizeForCompare(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** Drops repeated passages (the same text in two documents or sections), keeping the best one. */
function dedupe(evidence: readonly Evidence[]): Evidence[] {
  const seen = new Set<string>();
  const out: Evidence[] = [];
  for (const e of [...evidence].sort((a, b) => b.score - a.score)) {
    const key = normalizeForCompare(e.chunk.text);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  // Keep the caller's ranking for document order.
  return evidence.filter((e) => out.includes(e));
}
