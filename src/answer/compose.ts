import { countWords } from '../ingest/block-text.ts';
import type { TermStats } from '../search/term-stats.ts';
import { contentTerms } from '../search/term-stats.ts';
import type { Chunk, Citation } from '../types.ts';
import { blocksOf, sectionLabel, type PassageBlock } from './passage-view.ts';
import { sentenceSpans, type TextSpan } from './sentences.ts';

/** A passage this long or shorter is quoted whole; a longer one by its most relevant sentences. */
export const QUOTE_WHOLE_WORDS = 80;
/** A quote taken from a longer passage stops growing at this many words… */
export const QUOTE_MAX_WORDS = 60;
/** …and, when shorter than this, takes the next sentence for context. */
export const QUOTE_MIN_WORDS = 20;

export interface CitedPassage {
  chunk: Chunk;
  /** Cosine similarity to the question. */
  score: number;
  /** Position in the fused ranking, 1 = best. */
  rank: number;
}

export interface ComposedAnswer {
  answer: string;
  citations: Citation[];
}

export function toCitation(n: number, chunk: Chunk, score: number, rank = n): Citation {
  return {
    n,
    source: chunk.docId,
    title: chunk.docTitle,
    section: sectionLabel(chunk),
    text: chunk.text,
    score: Math.round(score * 1000) / 1000,
    rank,
    ...(chunk.docUrl !== undefined && { url: chunk.docUrl }),
    ...(chunk.pages !== undefined && { pages: chunk.pages }),
  };
}

/**
 * An extractive answer: from each cited passage, in citation order, the source's own words —
 * the whole passage when short, else its sentences that share most with the question — each
 * piece followed by the passage's number. Pieces are exact slices of the passage cut at
 * sentence or block boundaries, so no word, number or abbreviation is ever cut.
 */
export function composeAnswer(passages: readonly CitedPassage[], questionTerms: ReadonlySet<string>, stats: TermStats): ComposedAnswer {
  const citations = passages.map((p, i) => toCitation(i + 1, p.chunk, p.score, p.rank));
  const paragraphs = passages.map((p, i) => quoteLines(p.chunk, questionTerms, stats).map((line) => `${line} [${i + 1}]`).join('\n'));
  return { answer: paragraphs.join('\n\n'), citations };
}

interface Sentence extends TextSpan {
  block: number;
  words: number;
  relevance: number;
}

/** Code is quoted for what it shows, not for what it explains: its lines weigh half a sentence's. */
const CODE_RELEVANCE = 0.5;

/** Opens and closes a quoted piece of code, so neither a reader nor the quote check takes `x[0]` for a citation. */
export const CODE_FENCE = '```';

/**
 * The lines an answer shows for one passage: list items as bullets, code between fences, other
 * blocks as they are. Prose is quoted by sentences, code by whole lines, tables and formulas whole.
 */
function quoteLines(chunk: Chunk, questionTerms: ReadonlySet<string>, stats: TermStats): string[] {
  const blocks = blocksOf(chunk);
  const sentences: Sentence[] = [];
  blocks.forEach((block, b) => {
    for (const s of quoteUnits(chunk.text, block)) {
      const text = chunk.text.slice(s.start, s.end);
      const weight = block.kind === 'code' ? CODE_RELEVANCE : 1;
      sentences.push({ ...s, block: b, words: countWords(text), relevance: weight * relevance(text, questionTerms, stats) });
    }
  });
  if (sentences.length === 0) return [];

  const total = sentences.reduce((sum, s) => sum + s.words, 0);
  const chosen = total <= QUOTE_WHOLE_WORDS ? sentences.map((_, i) => i) : bestWindow(sentences);
  // Consecutive units of one block read as one line; a new block starts a new line.
  const lines: string[] = [];
  let lineStart = -1;
  let lineEnd = -1;
  let lineBlock = -1;
  const flush = () => {
    if (lineStart < 0) return;
    const kind = blocks[lineBlock]!.kind;
    const text = chunk.text.slice(lineStart, lineEnd);
    lines.push(kind === 'list-item' ? `• ${text}` : kind === 'code' ? `${CODE_FENCE}\n${text}\n${CODE_FENCE}` : text);
  };
  for (const i of chosen) {
    const s = sentences[i]!;
    if (s.block === lineBlock && lineEnd >= 0) {
      lineEnd = s.end;
      continue;
    }
    flush();
    lineStart = s.start;
    lineEnd = s.end;
    lineBlock = s.block;
  }
  flush();
  // A quoted line never spans lines of the source, but for code and tables, which keep their own
  // line breaks inside one quote.
  return lines;
}

/** The units a block is quoted by, as offsets into the passage: sentences of prose, lines of code, whole tables and formulas. */
function quoteUnits(text: string, block: PassageBlock): TextSpan[] {
  if (block.kind === 'math' || block.kind === 'table-row') return [{ start: block.start, end: block.end }];
  if (block.kind !== 'code') {
    return sentenceSpans(text.slice(block.start, block.end)).map((s) => ({ start: s.start + block.start, end: s.end + block.start }));
  }
  const units: TextSpan[] = [];
  let start = block.start;
  while (start < block.end) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 || newline > block.end ? block.end : newline;
    if (text.slice(start, end).trim() !== '') units.push({ start, end });
    start = end + 1;
  }
  return units;
}

/**
 * The most relevant sentence, grown with neighbours that also share words with the question
 * while within budget; a quote shorter than QUOTE_MIN_WORDS takes the sentence that follows too,
 * so it reads in its context.
 */
function bestWindow(sentences: readonly Sentence[]): number[] {
  let best = 0;
  sentences.forEach((s, i) => {
    if (s.relevance > sentences[best]!.relevance) best = i;
  });
  let lo = best;
  let hi = best;
  let words = sentences[best]!.words;
  const fits = (s: Sentence | undefined) => s !== undefined && words + s.words <= QUOTE_MAX_WORDS;
  for (;;) {
    const next = sentences[hi + 1];
    const prev = sentences[lo - 1];
    const nextUseful = fits(next) && next!.relevance > 0;
    const prevUseful = fits(prev) && prev!.relevance > 0;
    if (nextUseful && (!prevUseful || next!.relevance >= prev!.relevance)) {
      hi++;
      words += next!.words;
    } else if (prevUseful) {
      lo--;
      words += prev!.words;
    } else if (words < QUOTE_MIN_WORDS && fits(next)) {
      hi++;
      words += next!.words;
    } else break;
  }
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) out.push(i);
  return out;
}

function relevance(text: string, questionTerms: ReadonlySet<string>, stats: TermStats): number {
  let score = 0;
  for (const t of contentTerms(text)) if (questionTerms.has(t)) score += stats.idf(t);
  return score;
}
