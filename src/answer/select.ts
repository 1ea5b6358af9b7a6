import { sectionKey } from '../ingest/chunk.ts';
import { processTerm } from '../search/lexical-index.ts';
import type { ScoredPassage } from '../search/hybrid.ts';
import type { Chunk } from '../types.ts';

/** A list answer (lead-in plus its items) may cite this many passages. */
export const MAX_LIST_PASSAGES = 8;

export interface SectionInfo {
  key: string;
  /** Labels of the section's chunks, in reading order. */
  labels: number[];
  /** Stemmed heading words that single this section out among the others. */
  distinctiveTerms: Set<string>;
}

/** "…here's how you can start:" introduces a list; on its own it says nothing. */
export const isListItem = (c: Chunk): boolean => c.spans.some((s) => s.kind === 'list-item');
export const isLeadIn = (c: Chunk): boolean => c.text.trimEnd().endsWith(':') && !isListItem(c);

export function stemmedTerms(text: string): Set<string> {
  const terms = new Set<string>();
  for (const word of text.split(/[^\p{L}\p{N}'’]+/u)) {
    const term = word ? processTerm(word) : null;
    if (term) terms.add(term);
  }
  return terms;
}

/**
 * Sections with the heading words that distinguish them: words shared by most headings (in a
 * knowledge base about ML engineers, "machine", "learning", "engineers") name no section.
 */
export function describeSections(chunks: readonly Chunk[]): SectionInfo[] {
  const byKey = new Map<string, { labels: number[]; heading: string }>();
  chunks.forEach((c, label) => {
    const key = sectionKey(c);
    const entry = byKey.get(key) ?? { labels: [], heading: c.headingPath[c.headingPath.length - 1] ?? '' };
    entry.labels.push(label);
    byKey.set(key, entry);
  });
  const headingTerms = [...byKey.values()].map((s) => stemmedTerms(s.heading));
  const frequency = new Map<string, number>();
  for (const terms of headingTerms) for (const t of terms) frequency.set(t, (frequency.get(t) ?? 0) + 1);
  const common = (t: string) => (frequency.get(t) ?? 0) > Math.max(1, headingTerms.length / 3);
  return [...byKey.entries()].map(([key, s], i) => ({
    key,
    labels: s.labels,
    distinctiveTerms: new Set([...headingTerms[i]!].filter((t) => !common(t))),
  }));
}

/**
 * Picks the passages an answer cites. When the question names the section its best passage is
 * in ("which industries…" → "Industries That Need…"), or its best passage introduces a list, the
 * answer is that section's list, whole.
 * Otherwise the gated passages, without list lead-ins that would arrive without their items.
 */
export function selectEvidence(
  question: string,
  selected: readonly ScoredPassage[],
  chunks: readonly Chunk[],
  sections: readonly SectionInfo[],
  maxPassages: number,
): number[] {
  const best = selected[0];
  if (best === undefined) return [];
  const questionTerms = stemmedTerms(question);
  const bestSection = sections.find((s) => s.key === sectionKey(chunks[best.label]!));
  if (!bestSection || !bestSection.labels.some((l) => isListItem(chunks[l]!))) return standaloneEvidence(selected, chunks, maxPassages);
  const named = [...bestSection.distinctiveTerms].some((t) => questionTerms.has(t));
  // A lead-in that matches best, seconded by a passage of its own section, means the question
  // asks what its list answers; a lone generic lead-in ("…fields hiring include:") does not.
  const runnerUp = selected[1];
  const leadInSeconded =
    isLeadIn(chunks[best.label]!) && runnerUp !== undefined && sectionKey(chunks[runnerUp.label]!) === bestSection.key;
  if (named || leadInSeconded) {
    return bestSection.labels.filter((l) => isListItem(chunks[l]!) || isLeadIn(chunks[l]!)).slice(0, MAX_LIST_PASSAGES);
  }
  return standaloneEvidence(selected, chunks, maxPassages);
}

function standaloneEvidence(selected: readonly ScoredPassage[], chunks: readonly Chunk[], maxPassages: number): number[] {
  const standalone = selected.filter((p) => !isLeadIn(chunks[p.label]!));
  return (standalone.length > 0 ? standalone : selected).slice(0, maxPassages).map((p) => p.label);
}
