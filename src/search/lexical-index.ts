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

/**
 * Words too common to say anything about which passage answers a question: the function words of
 * NLTK's English stop-word list, plus question-asking verbs ("need", "tell", "want", "know").
 */
const STOP_WORDS = new Set(
  ('a about above after again against all am an and any are as at be because been before being below between ' +
    'both but by can could did do does doing down during each few for from further had has have having he her ' +
    'here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not ' +
    'now of off on once only or other our ours ourselves out over own same she should so some such than that the ' +
    'their theirs them themselves then there these they this those through to too under until up very was we ' +
    'were what when where which while who whom why will with would you your yours yourself yourselves ' +
    'much many need needs get tell please want know').split(' '),
);

/**
 * Splitting at apostrophes leaves the halves of contractions ("don't" → "don", "you'll" → "ll"),
 * and chat writes function words without them ("whats", "im", "u"). Neither says anything about
 * which passage answers, and neither occurs in the knowledge, so as terms they would count as
 * unknown words of the highest weight. The fragments are those of NLTK's English stop-word list.
 */
const CONTRACTION_WORDS = new Set(
  ('ain aren couldn didn doesn don hadn hasn haven isn ll mightn mustn needn re shan shouldn ve wasn weren won wouldn ' +
    'arent cant couldnt didnt doesnt dont hasnt havent isnt shouldnt wasnt werent wont wouldnt ' +
    'im ive youre youve hes shes thats whats hows whos wheres theres lets ' +
    'u ur pls plz gonna wanna gotta').split(' '),
);

/** Changes to how words become terms change every lexical index: part of the index's identity. */
export const TERM_RULES_VERSION = 4;

/** Lower-cased, stop words dropped, stemmed: "banks" and "Banking" meet at "bank". */
export function processTerm(term: string): string | null {
  const word = term.toLowerCase().replace(/^['’]+|['’]+$/g, '');
  if (word.length < 2 && !/\d/.test(word)) return null;
  if (STOP_WORDS.has(word) || CONTRACTION_WORDS.has(word)) return null;
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
