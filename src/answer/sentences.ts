/**
 * Sentence boundaries a quote may start or end on. Intl.Segmenter applies Unicode's sentence
 * rules; the breaks those rules get wrong in real prose are merged back, because a quote cut at
 * the wrong "." changes what the source says ("Ph.D." → "D.", "18.83%" → "83%").
 */
export interface TextSpan {
  start: number;
  end: number;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * V8's segmenter slows down quadratically with the length of the string it walks, so it only
 * ever sees windows of this many characters; the total work stays linear in the text.
 */
const WINDOW_CHARS = 2048;

/** "Ph.D.", "U.S.", "e.g.", "i.e.", "a.m.": letters with dots inside and at the end. */
const DOTTED_ABBREVIATION = /^\p{L}{1,4}(?:\.\p{L}{1,4})+\.$/u;
/** A single capital initial: "J. Smith". */
const INITIAL = /^\p{Lu}\.$/u;
/** Titles and short forms that precede what they qualify ("Dr. Ng", "Fig. 3", "cf. Smith"). */
const SHORT_FORM = /^(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Fig|Vol|vs|cf|al|approx)\.$/;
/** Longer "words" are no abbreviation; they are not even tested. */
const MAX_ABBREVIATION_CHARS = 24;

/**
 * The sentences of `text`, as offsets trimmed of surrounding whitespace, in order. Linear in the
 * length of the text. A break is kept only where a reader would see a sentence end: not inside
 * a URL (the left part does not end in whitespace), not before a lowercase word ("e.g. the"),
 * not after an abbreviation with inner dots ("Ph.D.", "U.S."), an initial or a title ("Dr.").
 */
export function sentenceSpans(text: string): TextSpan[] {
  const spans: TextSpan[] = [];
  let start = 0;
  let previousBreak = 0;
  for (const at of segmenterBreaks(text)) {
    const merge = keepsTogether(text, previousBreak, at);
    previousBreak = at;
    if (merge) continue;
    pushTrimmed(spans, text, start, at);
    start = at;
  }
  pushTrimmed(spans, text, start, text.length);
  return spans;
}

/** The sentences themselves, for callers that need no offsets. */
export function sentences(text: string): string[] {
  return sentenceSpans(text).map((s) => text.slice(s.start, s.end));
}

/** Offsets where Intl.Segmenter starts a new sentence (never 0 or text.length). */
function segmenterBreaks(text: string): number[] {
  const breaks: number[] = [];
  let pos = 0;
  while (pos < text.length) {
    const end = windowEnd(text, pos);
    const starts: number[] = [];
    for (const segment of segmenter.segment(text.slice(pos, end))) starts.push(segment.index);
    if (end === text.length) {
      for (const s of starts) if (s > 0) breaks.push(pos + s);
      break;
    }
    const last = starts[starts.length - 1]!;
    if (last === 0) {
      // No sentence ends inside this window: its text continues the current sentence.
      pos = end;
      continue;
    }
    // The window may have cut the last sentence short: segment again from its start.
    for (const s of starts) if (s > 0) breaks.push(pos + s);
    pos += last;
  }
  return breaks;
}

/** Where a window starting at `pos` ends: after whitespace when there is some, never inside a surrogate pair. */
function windowEnd(text: string, pos: number): number {
  const limit = pos + WINDOW_CHARS;
  if (limit >= text.length) return text.length;
  for (let i = limit - 1; i > pos + WINDOW_CHARS / 2; i--) {
    if (isSpace(text.charCodeAt(i))) return i + 1;
  }
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}

/** Whether the segmenter's break at `at` falls where no sentence ends; `from` is the previous break. */
function keepsTogether(text: string, from: number, at: number): boolean {
  if (!isSpace(text.charCodeAt(at - 1))) return true;
  const next = text.charAt(at);
  if (next !== next.toUpperCase() && next === next.toLowerCase()) return true;
  const word = lastWord(text, from, at);
  return word.length <= MAX_ABBREVIATION_CHARS && (DOTTED_ABBREVIATION.test(word) || INITIAL.test(word) || SHORT_FORM.test(word));
}

/** The last whitespace-separated word before `at`, searching no further back than `from`; leading brackets and quotes dropped. */
function lastWord(text: string, from: number, at: number): string {
  let end = at;
  while (end > from && isSpace(text.charCodeAt(end - 1))) end--;
  let start = end;
  while (start > from && !isSpace(text.charCodeAt(start - 1))) start--;
  while (start < end && '([{"\'“‘'.includes(text.charAt(start))) start++;
  return text.slice(start, end);
}

function pushTrimmed(spans: TextSpan[], text: string, start: number, end: number): void {
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  if (end > start) spans.push({ start, end });
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x2028 || code === 0x2029 || code === 0x3000 || (code >= 0x2000 && code <= 0x200a);
}
