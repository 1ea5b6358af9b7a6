import type { Candidate } from '../search/retrieve.ts';
import { contentTerms } from '../search/term-stats.ts';
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

export const DEFAULT_SELECTION: SelectionSettings = { maxCitations: 3, relativeCutoff: 0.7, maxListPassages: 6 };

/** Function words ending in "s" that do not make a question ask for several things. */
const NOT_PLURAL = new Set(['is', 'was', 'does', 'has', 'this', 'his', 'its', 'us', 'yes', 'as', 'always', 'less', 'thus', 'plus', 'across', 'unless', 'whereas']);
const LIST_WORDS = new Set(['are', 'kinds', 'types', 'sorts', 'examples']);
const LIST_VERBS = new Set(['list', 'name', 'enumerate']);

/**
 * Whether the question's form asks for a list: "what skills…", "which industries…", "what are
 * the…", "list the…". Decided from the question alone, never from the headings it happens to match.
 */
export function asksForList(question: string): boolean {
  return listFocus(question) !== undefined;
}

/**
 * For a question asking for a list, the stemmed words naming what it asks for ("skills",
 * "industries", "cloud platforms"); undefined for any other question.
 */
export function listFocus(question: string): Set<string> | undefined {
  const words = question
    .toLowerCase()
    .split(/[^\p{L}\p{N}']+/u)
    .filter(Boolean);
  if (words.length > 0 && LIST_VERBS.has(words[0]!)) return contentTerms(words.slice(1, 4).join(' '));
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== 'what' && words[i] !== 'which') continue;
    const next = words.slice(i + 1, i + 4);
    if (next.length > 0 && LIST_WORDS.has(next[0]!)) return contentTerms(next.join(' '));
    // A plural noun, then a verb or the end: "what skills do…", "which cloud platforms help…",
    // "…like what modules?". A verb ending in "s" takes an object or a preposition instead:
    // "what goes in…", "what makes a…".
    const plural = next.findIndex((w, k) => {
      const following = next[k + 1] ?? words[i + k + 2];
      return isPluralLooking(w) && (following === undefined || !OBJECT_STARTS.has(following));
    });
    if (plural >= 0) return contentTerms(next.slice(0, plural + 1).join(' '));
  }
  return undefined;
}

/** Words that start an object or a prepositional phrase: after a verb, not after a subject. */
const OBJECT_STARTS = new Set(['in', 'on', 'at', 'to', 'into', 'onto', 'of', 'for', 'with', 'from', 'by', 'about', 'up', 'out', 'a', 'an', 'the', 'this', 'that', 'these', 'those', 'my', 'your', 'our', 'their', 'his', 'her', 'its', 'it', 'me', 'you', 'us', 'them', 'him', 'someone', 'something']);

function isPluralLooking(word: string): boolean {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !NOT_PLURAL.has(word);
}

/** List answers look this deep into the ranking for the list that names what the question asks for. */
const LIST_CANDIDATES = 5;

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
  if (ranked[0] === undefined) return [];
  const focus = listFocus(question);
  const list = focus === undefined ? undefined : chosenList(focus, ranked, chunks);
  if (list !== undefined) {
    // The chosen passage first (it matches best), then the rest of that section's list in reading order.
    const key = sectionKey(chunks[list.label]!);
    const section = chunks
      .map((c, label) => ({ c, label }))
      .filter(({ c, label }) => label !== list.label && sectionKey(c) === key && hasListItems(c))
      .sort((a, b) => a.c.ordinal - b.c.ordinal)
      .map(({ label }) => label);
    return [list.label, ...section].slice(0, settings.maxListPassages);
  }

  const best = ranked[0];
  const bestChunk = chunks[best.label]!;
  let maxDense = 0;
  let maxLexical = 0;
  for (const c of ranked) {
    maxDense = Math.max(maxDense, c.dense);
    maxLexical = Math.max(maxLexical, c.lexical);
  }
  const strength = (c: Candidate) => (maxDense > 0 ? c.dense / maxDense : 0) + (maxLexical > 0 ? c.lexical / maxLexical : 0);
  const bar = strength(best) * settings.relativeCutoff;
  const chosen = [best.label];
  const chosenWords = [wordSet(bestChunk.text)];
  for (const c of ranked.slice(1)) {
    if (chosen.length >= settings.maxCitations) break;
    if (strength(c) < bar) continue;
    // Nearly the same words in another document or section (a page's two framework variants, a
    // paragraph repeated) add nothing.
    const words = wordSet(chunks[c.label]!.text);
    if (chosenWords.some((w) => overlap(w, words) >= NEAR_DUPLICATE)) continue;
    chosenWords.push(words);
    chosen.push(c.label);
  }
  return chosen;
}

/** A list must rank close to the best candidate to answer in its place: a weaker list is only a list. */
const LIST_STRENGTH = 0.8;

/**
 * The list a list question is answered with: among the best candidates that hold list items and
 * rank near the best candidate, the first that names what the question asks for (in its headings,
 * its lead-in or its items), else the best candidate itself when it is a list.
 */
function chosenList(focus: ReadonlySet<string>, ranked: readonly Candidate[], chunks: readonly Chunk[]): Candidate | undefined {
  const top = ranked[0]!;
  const lists = ranked.slice(0, LIST_CANDIDATES).filter((c) => hasListItems(chunks[c.label]!));
  const named = lists.find((c) => {
    if (c.fused < LIST_STRENGTH * top.fused) return false;
    const chunk = chunks[c.label]!;
    const terms = contentTerms(`${chunk.headingPath.join(' ')} ${chunk.indexText}`);
    return [...focus].some((t) => terms.has(t));
  });
  if (named) return named;
  return lists[0] === top ? lists[0] : undefined;
}

/** Passages sharing this much of their words (Jaccard) say the same thing. */
const NEAR_DUPLICATE = 0.8;

function wordSet(text: string): Set<string> {
  return new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== ''));
}

function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 1 : shared / union;
}
