import { sectionKey } from '../ingest/chunk.ts';
import { sentences } from './sentences.ts';
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
 * An extractive answer: the passages themselves, deduplicated, every sentence carrying the
 * number of the source it came from. Evidence arrives best first: sections are shown in the
 * order of their best passage (the most relevant first), passages inside a section in the
 * order the document tells them, so a list reads as a list.
 */
export function composeAnswer(evidence: readonly Evidence[]): ComposedAnswer {
  const unique = dedupe(evidence);
  const sectionOrder = new Map<string, number>();
  const sectionOf = (e: Evidence) => sectionKey(e.chunk);
  unique.forEach((e) => sectionOrder.has(sectionOf(e)) || sectionOrder.set(sectionOf(e), sectionOrder.size));
  const ordered = [...unique].sort(
    (a, b) => sectionOrder.get(sectionOf(a))! - sectionOrder.get(sectionOf(b))! || a.chunk.ordinal - b.chunk.ordinal,
  );

  const citations = ordered.map((e, i) => toCitation(i + 1, e.chunk, e.score, e.rank));
  const lines: string[] = [];
  let lastSection = '';
  ordered.forEach((e, i) => {
    const section = sectionOf(e);
    if (section !== lastSection) {
      if (lines.length > 0) lines.push('');
      lines.push(`${sectionLabel(e.chunk)}:`);
      lastSection = section;
    }
    lines.push(citePassage(e.chunk, i + 1));
  });
  return { answer: lines.join('\n'), citations };
}

/** Each block of a passage on its own line, every sentence cited; list items keep a bullet. */
export function citePassage(chunk: Pick<Chunk, 'text' | 'spans'>, n: number): string {
  return chunk.spans
    .map((span) => {
      const cited = citeSentences(chunk.text.slice(span.start, span.end), n);
      return span.kind === 'list-item' ? `• ${cited}` : cited;
    })
    .join('\n');
}

/** Appends `[n]` to every sentence of a text. */
export function citeSentences(text: string, n: number): string {
  const oneLine = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
  return sentences(oneLine)
    .map((s) => `${s} [${n}]`)
    .join(' ');
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
