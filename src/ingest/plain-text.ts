import { sentenceSpans } from '../answer/sentences.ts';
import { BlockCollector } from './block-collector.ts';
import { cutWords } from './block-text.ts';

/**
 * Plain text → blocks, by the same rules as Markdown: paragraphs are separated by blank lines
 * (lines inside one are joined like wrapped lines), a line starting with a list marker starts a
 * list item (indented lines continue it) and the paragraph before a list is its lead-in. Text
 * has no heading markup, so a heading is recognised by its shape (see `looksLikeHeading`); the
 * first line, when it looks like one, is the title. One pass over the lines.
 */

export interface ParsedPlainText {
  title: string | undefined;
  collector: BlockCollector;
}

/** `-`, `*`, `+`, `•`, `1.` or `1)` followed by a space. */
const LIST_MARKER = /^(?:[-*+•]|\d{1,3}[.)])\s+/;
const SENTENCE_END = /[.!?:;,)"”’]$/;
const MAX_HEADING_CHARS = 80;
const MAX_HEADING_WORDS = 12;

export function parsePlainText(body: string): ParsedPlainText {
  const lines = body.split('\n');
  const collector = new BlockCollector();
  let title: string | undefined;
  let paragraph: string[] = [];
  let item: string[] | undefined;
  /** The lead-in of the current list, and the paragraph it will come from if a list starts next. */
  let leadIn: string | undefined;
  let leadInSource: string | undefined;
  /** Whether the previous non-blank line ended a sentence, was a heading, or a blank line came since. */
  let atBoundary = true;
  let seenText = false;

  const flushParagraph = () => {
    if (paragraph.length === 0) return;
    const text = paragraph.join(' ');
    collector.add('paragraph', text);
    leadInSource = text;
    leadIn = undefined;
    paragraph = [];
  };
  const flushItem = () => {
    if (item === undefined) return;
    collector.add('list-item', item.join(' '), leadIn);
    item = undefined;
  };

  for (let k = 0; k < lines.length; k++) {
    const raw = lines[k]!;
    const line = raw.replace(/[^\S\n]+/g, ' ').trim();
    if (line === '') {
      flushParagraph();
      flushItem();
      atBoundary = true;
      continue;
    }
    const marker = LIST_MARKER.exec(line);
    if (marker) {
      flushParagraph();
      flushItem();
      if (leadInSource !== undefined) leadIn = lastSentence(leadInSource);
      leadInSource = undefined;
      item = [line.slice(marker[0].length)];
      atBoundary = SENTENCE_END.test(line);
      seenText = true;
      continue;
    }
    if (item !== undefined && /^\s/.test(raw)) {
      item.push(line);
      atBoundary = SENTENCE_END.test(line);
      continue;
    }
    if (atBoundary && looksLikeHeading(line, nextNonBlank(lines, k))) {
      flushParagraph();
      flushItem();
      leadIn = leadInSource = undefined;
      if (!seenText && title === undefined) title = line;
      else collector.heading(2, line);
      seenText = true;
      atBoundary = true;
      continue;
    }
    if (item !== undefined) {
      flushItem();
      leadIn = leadInSource = undefined;
    }
    paragraph.push(line);
    atBoundary = SENTENCE_END.test(line);
    seenText = true;
  }
  flushParagraph();
  flushItem();
  return { title, collector };
}

/** Words a heading does not end with but a wrapped line often does ("…grew fast this year, and"). */
const CONNECTING_WORDS = new Set(
  'a an and as at but by for from in into is are nor of on or than that the to was were which who with'.split(' '),
);

/**
 * A short line that does not end like a sentence or on a connecting word, starts with a capital
 * or a digit, is no list item, and is followed by more text that does not continue it in
 * lowercase. The caller also requires it to follow a blank line, a heading or a finished
 * sentence, so a wrapped line in the middle of a paragraph is not taken for one.
 */
function looksLikeHeading(line: string, next: string | undefined): boolean {
  if (next === undefined || line.length > MAX_HEADING_CHARS || SENTENCE_END.test(line)) return false;
  const words = line.split(' ');
  if (words.length > MAX_HEADING_WORDS || !/^[\p{Lu}\d]/u.test(line)) return false;
  if (CONNECTING_WORDS.has(words[words.length - 1]!.toLowerCase())) return false;
  const first = next.charAt(0);
  return !(first !== first.toUpperCase() && first === first.toLowerCase());
}

/** The next non-blank line after `k`; the scan stops at the first one, so the whole pass stays linear. */
function nextNonBlank(lines: readonly string[], k: number): string | undefined {
  for (let j = k + 1; j < lines.length; j++) {
    const line = lines[j]!.trim();
    if (line !== '') return line;
  }
  return undefined;
}

/** A paragraph's last sentence (its first words), the lead-in of the list after it. */
export function lastSentence(text: string): string {
  const tail = text.length > 1000 ? text.slice(-1000) : text;
  const spans = sentenceSpans(tail);
  const last = spans[spans.length - 1];
  return cutWords(last ? tail.slice(last.start, last.end) : tail);
}
