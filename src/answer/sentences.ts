/**
 * Sentence boundaries that never cut what a reader would read as one unit: "Ph.D.", "e.g.",
 * "U.S.", "18.83%", "v2.1", a URL, an ellipsis mid-sentence. Intl.Segmenter finds candidate
 * boundaries (Node's ICU applies no abbreviation list), and a boundary is kept only where a
 * sentence can really end. Linear in the text's length.
 */
const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Common abbreviations written with a final period that rarely end a sentence. */
const ABBREVIATIONS = new Set(
  ['e.g', 'i.e', 'etc', 'vs', 'cf', 'al', 'approx', 'incl', 'esp', 'fig', 'figs', 'eq', 'no', 'nos', 'vol', 'p', 'pp',
    'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'inc', 'ltd', 'co', 'corp', 'dept', 'est', 'min', 'max', 'sec', 'ch'],
);

export interface Span {
  start: number;
  end: number;
}

const isSpace = (ch: string | undefined) => ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r' || ch === '\u00a0';

/** The word just before `end` (which is just after a "."), without its trailing period. */
function lastWord(text: string, end: number): string {
  let i = end - 1;
  while (i >= 0 && text[i] === '.') i--;
  const wordEnd = i + 1;
  while (i >= 0 && !isSpace(text[i]) && text[i] !== '(' && text[i] !== '"' && text[i] !== '“') i--;
  return text.slice(i + 1, wordEnd);
}

/** Whether a candidate boundary, between `text[..at)` and `text[at..)`, can end a sentence. */
function canEndAt(text: string, at: number): boolean {
  // Inside a URL or a number: a real boundary is always followed by whitespace or the text's end.
  if (at < text.length && !isSpace(text[at - 1]) && !isSpace(text[at])) return false;
  let left = at;
  while (left > 0 && isSpace(text[left - 1])) left--;
  let right = at;
  while (right < text.length && isSpace(text[right])) right++;
  if (right >= text.length) return true;
  const next = text[right]!;
  // A sentence does not start in lower case: "e.g. the", "approx. five", "… and then".
  if (next.toLowerCase() === next && next.toUpperCase() !== next) return false;
  if (text[left - 1] === '.') {
    const word = lastWord(text, left);
    const lower = word.toLowerCase();
    if (ABBREVIATIONS.has(lower)) return false;
    // Initials and dotted abbreviations: "J.", "U.S.", "Ph.D.".
    if (word.length === 1 && /\p{Lu}/u.test(word)) return false;
    if (word.includes('.') && word.length <= 6) return false;
  }
  return true;
}

/**
 * V8's sentence segmenter slows down quadratically on long texts (40k sentences: 12 s), so it
 * reads windows of about a thousand characters, each ending at whitespace, preferably after a
 * sentence mark; a window's end is only a candidate boundary, judged like any other.
 */
const WINDOW = 1_000;

function windowEnd(text: string, start: number): number {
  const limit = start + WINDOW;
  if (limit >= text.length) return text.length;
  let fallback = -1;
  for (let i = limit; i > start + WINDOW / 2; i--) {
    if (!isSpace(text[i])) continue;
    const before = text[i - 1];
    if (before === '.' || before === '!' || before === '?') return i;
    if (fallback < 0) fallback = i;
  }
  if (fallback >= 0) return fallback;
  let i = limit;
  while (i < text.length && !isSpace(text[i])) i++;
  return i;
}

/** Sentences of `text` as offsets, each trimmed of surrounding whitespace; together they cover all its words. */
export function sentenceSpans(text: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  for (let from = 0; from < text.length; ) {
    const to = windowEnd(text, from);
    for (const segment of segmenter.segment(text.slice(from, to))) {
      const end = from + segment.index + segment.segment.length;
      if (end < text.length && !canEndAt(text, end)) continue;
      pushTrimmed(text, start, end, spans);
      start = end;
    }
    from = to;
  }
  if (start < text.length) pushTrimmed(text, start, text.length, spans);
  return spans;
}

function pushTrimmed(text: string, start: number, end: number, spans: Span[]): void {
  while (start < end && isSpace(text[start])) start++;
  while (end > start && isSpace(text[end - 1])) end--;
  if (end > start) spans.push({ start, end });
}
