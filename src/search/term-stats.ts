import { processTerm } from './lexical-index.ts';

/**
 * Document frequencies of the knowledge's stemmed terms, so a question's words can be weighed by
 * how much they single out (IDF): "boxing" found nowhere says more than "rounds" found often.
 */
export class TermStats {
  private constructor(
    readonly passages: number,
    private readonly df: Map<string, number>,
  ) {}

  static build(texts: readonly string[]): TermStats {
    const df = new Map<string, number>();
    for (const text of texts) for (const term of contentTerms(text)) df.set(term, (df.get(term) ?? 0) + 1);
    return new TermStats(texts.length, df);
  }

  documentFrequency(term: string): number {
    return this.df.get(term) ?? 0;
  }

  /**
   * Whether the knowledge uses the term, or a term one typo away (two for long words): a
   * question's "recomends" or "tradoffs" is known; "instagram" in a guide about interviews is not.
   * One edit leaves a term's first or last letter in place, so only terms sharing one are compared.
   */
  knows(term: string): boolean {
    if (this.df.has(term)) return true;
    const allowed = term.length >= 8 ? 2 : term.length >= 5 ? 1 : 0;
    if (allowed === 0) return false;
    this.ends ??= groupByEnds(this.df.keys());
    const first = term[0];
    const last = term[term.length - 1];
    for (let len = term.length - allowed; len <= term.length + allowed; len++) {
      for (const candidate of this.ends.byStart.get(`${len}${first}`) ?? []) if (withinDistance(term, candidate, allowed)) return true;
      for (const candidate of this.ends.byEnd.get(`${len}${last}`) ?? []) if (withinDistance(term, candidate, allowed)) return true;
    }
    return false;
  }

  private ends: { byStart: Map<string, string[]>; byEnd: Map<string, string[]> } | undefined;

  /** Smoothed IDF; a term the knowledge never uses gets the highest weight of all. */
  idf(term: string): number {
    return Math.log(1 + this.passages / (this.documentFrequency(term) + 0.5));
  }
}

/** A text's distinct content terms: split on anything that is not a letter or digit, stop words dropped, stemmed. */
export function contentTerms(text: string): Set<string> {
  const terms = new Set<string>();
  let start = -1;
  const flush = (end: number) => {
    if (start < 0) return;
    const term = processTerm(text.slice(start, end));
    if (term) terms.add(term);
    start = -1;
  };
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const wordChar = (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 127;
    if (wordChar && !isSpaceOrPunct(text[i]!)) {
      if (start < 0) start = i;
    } else flush(i);
  }
  flush(text.length);
  return terms;
}

function isSpaceOrPunct(ch: string): boolean {
  // Beyond ASCII, letters and digits of any script are word characters; spaces and punctuation are not.
  return ch.charCodeAt(0) > 127 && !/[\p{L}\p{N}]/u.test(ch);
}

/** Terms grouped by length and first letter, and by length and last letter. */
function groupByEnds(terms: Iterable<string>): { byStart: Map<string, string[]>; byEnd: Map<string, string[]> } {
  const byStart = new Map<string, string[]>();
  const byEnd = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, term: string) => {
    const group = map.get(key);
    if (group) group.push(term);
    else map.set(key, [term]);
  };
  for (const t of terms) {
    add(byStart, `${t.length}${t[0]}`, t);
    add(byEnd, `${t.length}${t[t.length - 1]}`, t);
  }
  return { byStart, byEnd };
}

/** Optimal-string-alignment distance of a and b is at most `max` (a swap of neighbours counts once); O(len × max). */
export function withinDistance(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  const width = b.length + 1;
  let prev2 = new Array<number>(width).fill(Infinity);
  let prev = Array.from({ length: width }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(width).fill(Infinity);
    row[0] = i;
    let best = row[0];
    const from = Math.max(1, i - max);
    const to = Math.min(b.length, i + max);
    for (let j = from; j <= to; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row[j] = d;
      best = Math.min(best, d);
    }
    if (best > max) return false;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]! <= max;
}

/** Share of the question's IDF weight carried by terms that `covered` contains (0 when the question has no content term). */
export function weightedCoverage(stats: TermStats, question: ReadonlySet<string>, covered: (term: string) => boolean): number {
  let total = 0;
  let hit = 0;
  for (const term of question) {
    const w = stats.idf(term);
    total += w;
    if (covered(term)) hit += w;
  }
  return total === 0 ? 0 : hit / total;
}
