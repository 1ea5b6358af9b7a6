/**
 * Reading a question as part of a conversation. People follow up the way they talk: "and for a
 * phd?", "what about the second one?", "how do I prepare for it?" — alone, such a question is
 * refused or answered about something else. Here a follow-up is resolved against the earlier
 * turns into a search query:
 *
 * - the query is rewritten into a text that stands alone: the follow-up, then the topic it leans
 *   on (the earlier turn as it was itself resolved), newest first; that text is searched exactly
 *   as a question is — embedded, BM25, and judged by the same gate, whose threshold was measured
 *   on embeddings of real texts (a blend of two question vectors sits between topics, scores
 *   lower against every passage, and was refused where the text was answered);
 * - "the second one" names an item of the previous answer's list: that item joins the query.
 *
 * A question that really changes the subject is read on its own: it has words of its own, no
 * continuation cue ("and…", "what about…", a pronoun pointing back, an ordinal) and shares no word
 * with the earlier turn (its question or its answer). Read alone, it is answered when the
 * knowledge supports it and refused by the gate when not: the earlier topic cannot lend evidence
 * to "how do I bake bread?". A follow-up whose own new words the knowledge mostly does not know
 * ("and in agriculture?") is refused: answering it from the earlier topic's passages would answer
 * another question.
 *
 * Nothing here reads Discord, the indexes or the model: the engine passes in what the knowledge
 * knows of words (Vocabulary), searches the rewritten text, and asks alone a follow-up the gate
 * refused as rewritten, so a context never costs an answer (see Engine). The rules are plain
 * functions, tested exactly.
 */
import { contentTerms } from '../search/term-stats.ts';
import { graphemePrefix } from '../text.ts';

/** At most this many earlier turns are read; older ones are out of the conversation. */
export const MAX_CONVERSATION_TURNS = 3;
/** A rewritten query keeps at most this much text, newest first (the engine's question limit). */
export const MAX_QUERY_CHARS = 500;
/**
 * A follow-up is refused when less than this share of its new words' weight (IDF) is carried by
 * words the knowledge uses: more unknown than known, the same measure as the gate's "known" signal.
 */
export const MIN_KNOWN_NEW_WEIGHT = 0.5;

/** One earlier exchange, oldest first: the question as asked and the answer given (absent or empty when refused). */
export interface ConversationTurn {
  question: string;
  answer?: string;
}

export type Reading = 'follow-up' | 'new-topic';

export interface ResolvedQuery {
  /** What is embedded and searched, and what quoting reads. */
  text: string;
  /**
   * Whose form decides the answer's shape (a whole list or the passages that match): absent, `text`.
   * A follow-up that names one item of a list asks about that item, not for the list again.
   */
  shapeText?: string;
  /** Absent without earlier turns: the question stood alone. */
  reading?: Reading;
  /** The question that started the topic this follow-up was read with. */
  readWith?: string;
  /** The follow-up's own words the knowledge does not know: answering from the topic would be a guess. */
  unknownTerms?: string[];
}

/** What the knowledge knows of words; the resolver reads nothing else of it. */
export interface Vocabulary {
  /** Whether the knowledge uses the (stemmed) term, typos forgiven. */
  knows(term: string): boolean;
  /** The term's IDF in the knowledge. */
  idf(term: string): number;
}

/** The topic a conversation is on after a turn: that turn's resolved query. */
interface Topic {
  text: string;
  terms: Set<string>;
  /** The question that opened it. */
  root: string;
  /** Content terms and list items of the answer given on this turn. */
  answerTerms: Set<string>;
  answerItems: string[];
}

/**
 * The query for `question` after `turns` (oldest first; only the last MAX_CONVERSATION_TURNS
 * count). Earlier turns are resolved in order, each against the one before, as they were when
 * asked, so "what about the second one?" after "and for data scientists?" reads both.
 */
export function resolveQuery(question: string, turns: readonly ConversationTurn[], vocabulary: Vocabulary): ResolvedQuery {
  let topic: Topic | undefined;
  for (const turn of turns.slice(-MAX_CONVERSATION_TURNS)) {
    if (turn.question.trim() === '') continue;
    const resolved = resolveOne(turn.question, topic, vocabulary);
    topic = {
      text: resolved.text,
      terms: contentTerms(resolved.text),
      root: resolved.reading === 'follow-up' && topic ? topic.root : turn.question,
      answerTerms: contentTerms(stripCitations(turn.answer ?? '')),
      answerItems: listItems(turn.answer ?? ''),
    };
  }
  return resolveOne(question, topic, vocabulary);
}

function resolveOne(question: string, topic: Topic | undefined, vocabulary: Vocabulary): ResolvedQuery {
  if (topic === undefined) return { text: question };
  const words = wordsOf(question);
  const own = contentTerms(question);
  const item = referencedItem(words, topic.answerItems);
  const shared = [...own].some((t) => topic.terms.has(t) || topic.answerTerms.has(t));

  if (item === undefined && !shared && own.size > 0 && !hasContinuationCue(words)) {
    // Nothing ties it to the earlier turn: a question of its own, answered (or refused) alone.
    return { text: question, reading: 'new-topic' };
  }

  // The referenced item is what the follow-up asks about; the topic comes along for context.
  const focus = item === undefined ? question : `${question} ${item}`;
  const resolved: ResolvedQuery = {
    text: graphemePrefix(`${focus} ${topic.text}`, MAX_QUERY_CHARS),
    ...(item !== undefined && { shapeText: item }),
    reading: 'follow-up',
    readWith: topic.root,
  };
  const added = [...own].filter((t) => !topic.terms.has(t) && !ORDINAL_TERMS.has(t));
  const unknown = added.filter((t) => !vocabulary.knows(t));
  if (item === undefined && unknown.length > 0 && knownShare(added, vocabulary) < MIN_KNOWN_NEW_WEIGHT) return { ...resolved, unknownTerms: unknown };
  return resolved;
}

function knownShare(terms: readonly string[], vocabulary: Vocabulary): number {
  let total = 0;
  let known = 0;
  for (const t of terms) {
    const w = vocabulary.idf(t);
    total += w;
    if (vocabulary.knows(t)) known += w;
  }
  return total === 0 ? 1 : known / total;
}

// ---------------------------------------------------------------------------------------------------------------
// How people point back: continuation words, pronouns, ordinals
// ---------------------------------------------------------------------------------------------------------------

/** Lower-case words of a text, split on anything that is not a letter, digit or apostrophe (one linear pass). */
function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .split(/[^\p{L}\p{N}']+/u)
    .filter(Boolean);
}

/** A question opening with one of these continues the one before: "and for a phd?", "but what if…", "so how…". */
const OPENERS = new Set(['and', 'but', 'or', 'so', 'also', 'then', 'plus', 'same', 'ok', 'okay']);
/** Two-word openers: "what about…", "how about…", "what if…". */
const OPENER_PAIRS = new Set(['what about', 'how about', 'what if', 'and what', 'and how', 'and which', 'and for']);
/**
 * Pronouns and words that only make sense with something said before ("how do I prepare for it?",
 * "how hard were they?", "is that enough?", "the same for…", "which one…", "…too?").
 * Existential "there" ("are there…") points nowhere and is not among them.
 */
const BACK_REFERENCES = new Set(['it', 'its', "it's", 'that', 'this', 'these', 'those', 'they', 'them', 'their', "they're", 'one', 'ones', 'same', 'too', 'either', 'else', 'former', 'latter']);

export function hasContinuationCue(words: readonly string[]): boolean {
  if (words.length === 0) return false;
  if (OPENERS.has(words[0]!)) return true;
  if (words.length > 1 && OPENER_PAIRS.has(`${words[0]} ${words[1]}`)) return true;
  return words.some((w) => BACK_REFERENCES.has(w));
}

const ORDINALS: Readonly<Record<string, number>> = {
  first: 1, '1st': 1, second: 2, '2nd': 2, third: 3, '3rd': 3, fourth: 4, '4th': 4, fifth: 5, '5th': 5,
  sixth: 6, '6th': 6, seventh: 7, '7th': 7, eighth: 8, '8th': 8, ninth: 9, '9th': 9, tenth: 10, '10th': 10,
};
/** Stems of the ordinals and "last": words that point into a list and say nothing of the topic. */
const ORDINAL_TERMS = contentTerms([...Object.keys(ORDINALS), 'last', 'one', 'ones', 'number'].join(' '));
/** "the second one", "the 2nd point", "number 3", "the last one": the noun an ordinal may govern. */
const LIST_NOUNS = new Set(['one', 'item', 'point', 'skill', 'step', 'thing', 'option', 'bullet', 'entry', 'answer', 'source', 'part']);

/**
 * The list item of the previous answer an ordinal points at ("the second one", "the 3rd point",
 * "number 2", "the last one"), when that answer had such an item.
 */
export function referencedItem(words: readonly string[], items: readonly string[]): string | undefined {
  if (items.length === 0) return undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    let n: number | undefined;
    if (w in ORDINALS) n = ORDINALS[w];
    else if (w === 'last' && (LIST_NOUNS.has(words[i + 1] ?? '') || i === words.length - 1)) n = items.length;
    else if ((w === 'number' || w === 'no') && /^\d{1,2}$/.test(words[i + 1] ?? '')) n = Number(words[i + 1]);
    // "the second" alone, or governing a list noun: "second one", "second skill".
    const governs = n !== undefined && (w === 'last' || w === 'number' || w === 'no' || words[i - 1] === 'the' || LIST_NOUNS.has(words[i + 1] ?? ''));
    if (n !== undefined && governs && n >= 1 && n <= items.length) return items[n - 1];
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading an answer back
// ---------------------------------------------------------------------------------------------------------------

const CITATION = /\s*\[\d{1,4}\]/g;

function stripCitations(text: string): string {
  return text.replace(CITATION, '');
}

/** The answer's list items ("• …" lines, as answers show list items), in order, without their citations. */
export function listItems(answer: string): string[] {
  return answer
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('•'))
    .map((line) => stripCitations(line.slice(1)).trim())
    .filter(Boolean);
}
