import type { Candidate } from '../search/retrieve.ts';
import type { Chunk } from '../types.ts';
import { blocksOf, sectionKey } from './passage-view.ts';

export interface SelectionSettings {
  /** At most this many passages answer a question that does not ask for a list. */
  maxCitations: number;
  /**
   * A further passage is cited only when its strength (dense and lexical score, each relative to
   * the best candidate's) reaches this share of the first passage's: it must add, not pad.
   */
  relativeCutoff: number;
  /** A list answer cites at most this many passages of the list's section. */
  maxListPassages: number;
}

export const DEFAULT_SELECTION: SelectionSettings = { maxCitations: 3, relativeCutoff: 0.85, maxListPassages: 6 };

/** Function words ending in "s" that do not make a question ask for several things. */
const NOT_PLURAL = new Set(['is', 'was', 'does', 'has', 'this', 'his', 'its', 'us', 'yes', 'as', 'always', 'less', 'thus', 'plus', 'across', 'unless', 'whereas']);
const LIST_WORDS = new Set(['are', 'kinds', 'types', 'sorts', 'examples']);
const LIST_VERBS = new Set(['list', 'name', 'enumerate']);

/**
 * Whether the question's form asks for a list: "what skills…", "which industries…", "what are
 * the…", "list the…". Decided from the question alone, never from the headings it happens to match.
 */
export function asksForList(question: string): boolean {
  const words = question
    .toLowerCase()
    .split(/[^\p{L}\p{N}']+/u)
    .filter(Boolean);
  if (words.length > 0 && LIST_VERBS.has(words[0]!)) return true;
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== 'what' && words[i] !== 'which') continue;
    for (const next of words.slice(i + 1, i + 4)) {
      if (LIST_WORDS.has(next)) return true;
      if (next.length > 3 && next.endsWith('s') && !next.endsWith('ss') && !NOT_PLURAL.has(next)) return true;
    }
  }
  return false;
}

const hasListItems = (chunk: Chunk) => blocksOf(chunk).some((b) => b.kind === 'list-item');

/**
 * The passages an answer cites, in citation order. [1] is the best of the fused ranking; others
 * follow only when nearly as strong. A question asking for a list, whose best passage is a list,
 * gets the rest of that section's list too, in reading order.
 */
export function selectPassages(
  question: string,
  ranked: readonly Candidate[],
  chunks: readonly Chunk[],
  settings: SelectionSettings = DEFAULT_SELECTION,
): number[] {
  const best = ranked[0];
  if (best === undefined) return [];
  const bestChunk = chunks[best.label]!;
  if (asksForList(question) && hasListItems(bestChunk)) {
    const key = sectionKey(bestChunk);
    const section = chunks
      .map((c, label) => ({ c, label }))
      .filter(({ c, label }) => label !== best.label && sectionKey(c) === key && hasListItems(c))
      .sort((a, b) => a.c.ordinal - b.c.ordinal)
      .map(({ label }) => label);
    return [best.label, ...section].slice(0, settings.maxListPassages);
  }

  let maxDense = 0;
  let maxLexical = 0;
  for (const c of ranked) {
    maxDense = Math.max(maxDense, c.dense);
    maxLexical = Math.max(maxLexical, c.lexical);
  }
  const strength = (c: Candidate) => (maxDense > 0 ? c.dense / maxDense : 0) + (maxLexical > 0 ? c.lexical / maxLexical : 0);
  const bar = strength(best) * settings.relativeCutoff;
  const chosen = [best.label];
  const seenText = new Set([normalized(bestChunk.text)]);
  for (const c of ranked.slice(1)) {
    if (chosen.length >= settings.maxCitations) break;
    if (strength(c) < bar) continue;
    // The same words in another document or section add nothing.
    const text = normalized(chunks[c.label]!.text);
    if (seenText.has(text)) continue;
    seenText.add(text);
    chosen.push(c.label);
  }
  return chosen;
}

function normalized(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}
