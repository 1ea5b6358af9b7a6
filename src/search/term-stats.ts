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
