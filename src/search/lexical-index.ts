import MiniSearch, { type Options } from 'minisearch';
import { stemmer } from 'stemmer';

export interface LexicalDoc {
  label: number;
  heading: string;
  text: string;
}

export interface LexicalHit {
  label: number;
  score: number;
}

/** Words too common to say anything about which passage answers a question. */
const STOP_WORDS = new Set(
  ('a an and are as at be been but by can could do does did for from had has have how i if in into is it its ' +
    'me my of on or our should so than that the their them then there these they this to was we were what ' +
    'when where which who whom why will with would you your yours about any some much many need needs get ' +
    'tell please want know').split(' '),
);

/** Lower-cased, stop words dropped, stemmed: "banks" and "Banking" meet at "bank". */
export function processTerm(term: string): string | null {
  const word = term.toLowerCase().replace(/^['’]+|['’]+$/g, '');
  if (word.length < 2 && !/\d/.test(word)) return null;
  if (STOP_WORDS.has(word)) return null;
  return stemmer(word);
}

const OPTIONS: Options<LexicalDoc> = {
  idField: 'label',
  fields: ['heading', 'text'],
  processTerm,
  searchOptions: {
    boost: { heading: 1.5 },
    // Fuzzy matching forgives typos in longer words only; short words would match everything.
    fuzzy: (term: string) => (term.length >= 6 ? 0.2 : false),
    prefix: (term: string) => term.length >= 4,
    combineWith: 'OR',
  },
};

/** BM25 (MiniSearch's BM25+) over the same passages as the vector index. */
export class LexicalIndex {
  private constructor(private readonly search_: MiniSearch<LexicalDoc>) {}

  static build(docs: readonly LexicalDoc[]): LexicalIndex {
    const index = new MiniSearch<LexicalDoc>(OPTIONS);
    index.addAll(docs);
    return new LexicalIndex(index);
  }

  static fromJSON(json: string): LexicalIndex {
    return new LexicalIndex(MiniSearch.loadJSON<LexicalDoc>(json, OPTIONS));
  }

  toJSON(): string {
    return JSON.stringify(this.search_);
  }

  search(query: string, k: number): LexicalHit[] {
    return this.search_
      .search(query)
      .slice(0, k)
      .map((r) => ({ label: Number(r.id), score: r.score }));
  }
}
