import { sentenceSpans } from '../answer/sentences.ts';
import type { Block, BlockKind, Chunk, KnowledgeDocument, PageRange } from '../types.ts';
import { countWords } from './block-text.ts';
import { sha256 } from '../hash.ts';

/**
 * Blocks → passages. A passage is what an answer cites, so it must read on its own and be small
 * enough to point at the answer: consecutive blocks of one section are merged up to a size, a
 * long block is split only between sentences, code and formulas stay whole.
 */

export interface PassageSize {
  /** A passage smaller than this takes in the next block of its section, when the section has one. */
  minWords: number;
  /** A passage grows no further than this (a code block or formula may exceed it). */
  maxWords: number;
}

/**
 * A starting point, not yet tuned by retrieval: every section of the seed article fits in one
 * passage, a long guide section is cut into a few. Callers (eval, bench) may pass other sizes.
 */
export const PASSAGE_SIZE: PassageSize = { minWords: 20, maxWords: 80 };
/** Fewer words than this, alone in a section, is a fragment ("TBD", "CNN"), not a passage. */
export const MIN_PASSAGE_WORDS = 3;
/** A passage's text never exceeds this, whatever it holds: a guard against runaway lines and code. */
export const MAX_PASSAGE_CHARS = 4000;
/** A whitespace-free run longer than this is no word (base64, a hash, garbage) and is left out. */
export const MAX_WORD_CHARS = 1000;

/** Identifies the section a chunk belongs to (document and heading path). */
export const sectionKey = (c: Pick<Chunk, 'docId' | 'headingPath'>): string => `${c.docId}\n${c.headingPath.join('\n')}`;

/** A piece of one block, the unit passages are made of. */
interface Unit {
  kind: BlockKind;
  text: string;
  words: number;
  context: string | undefined;
  page: number | undefined;
}

export function chunkDocument(doc: KnowledgeDocument, size: PassageSize = PASSAGE_SIZE): Chunk[] {
  const chunks: Chunk[] = [];
  const seen = new Map<string, number>();
  for (const section of sectionsOf(doc.blocks)) {
    const units = section.blocks.flatMap((b) => unitsOf(b, size.maxWords));
    for (const passage of packPassages(units, size)) {
      const text = passage.map((u) => u.text).join('\n');
      if (countWords(text) < MIN_PASSAGE_WORDS) continue;
      const base = sha256(`${doc.id}\n${section.headingPath.join('\n')}\n${text}`).slice(0, 16);
      // Identical passages in one document still need distinct ids; the n-th copy gets a suffix.
      const copies = seen.get(base) ?? 0;
      seen.set(base, copies + 1);
      chunks.push({
        id: copies === 0 ? base : `${base}-${copies}`,
        docId: doc.id,
        docTitle: doc.title,
        ...(doc.url !== undefined && { docUrl: doc.url }),
        headingPath: section.headingPath,
        text,
        spans: spansOf(passage),
        indexText: indexTextFor(doc.title, section.headingPath, passage, text),
        ordinal: chunks.length,
        ...pagesOf(passage),
      });
    }
  }
  return chunks;
}

/** Runs of consecutive blocks under the same heading path. */
function sectionsOf(blocks: readonly Block[]): { headingPath: string[]; blocks: Block[] }[] {
  const sections: { headingPath: string[]; blocks: Block[] }[] = [];
  for (const block of blocks) {
    const last = sections[sections.length - 1];
    if (last && samePath(last.headingPath, block.headingPath)) last.blocks.push(block);
    else sections.push({ headingPath: block.headingPath, blocks: [block] });
  }
  return sections;
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((h, i) => h === b[i]));
}

/**
 * A block as passage units: whole when it fits; prose over the budget split between sentences
 * (a sentence still over it, between words); code and formulas whole unless they exceed the
 * character guard, then between lines.
 */
function unitsOf(block: Block, maxWords: number): Unit[] {
  const unit = (text: string): Unit => ({ kind: block.kind, text, words: countWords(text), context: block.context, page: block.page });
  const whole = block.kind === 'code' || block.kind === 'math';
  if (block.text.length <= MAX_PASSAGE_CHARS && (whole || countWords(block.text) <= maxWords)) return [unit(block.text)];
  const pieces = whole ? lineSpans(block.text) : sentenceSpans(block.text);
  return packSpans(block.text, pieces, whole ? Infinity : maxWords).map(unit);
}

/** Greedily joins consecutive spans of `text` into pieces within the word budget and the character guard. */
function packSpans(text: string, spans: readonly { start: number; end: number }[], maxWords: number): string[] {
  const pieces: string[] = [];
  let start = -1;
  let end = -1;
  let words = 0;
  const flush = () => {
    if (start >= 0) pieces.push(text.slice(start, end));
    start = -1;
    words = 0;
  };
  for (const span of spans) {
    const spanWords = countWords(text.slice(span.start, span.end));
    const tooLong = span.end - span.start > MAX_PASSAGE_CHARS || spanWords > maxWords;
    if (tooLong) {
      flush();
      pieces.push(...wordPieces(text.slice(span.start, span.end), maxWords));
      continue;
    }
    if (start >= 0 && (words + spanWords > maxWords || span.end - start > MAX_PASSAGE_CHARS)) flush();
    if (start < 0) start = span.start;
    end = span.end;
    words += spanWords;
  }
  flush();
  return pieces;
}

/** A sentence (or line) over every budget, cut between words; runs too long to be words are left out. */
function wordPieces(text: string, maxWords: number): string[] {
  const pieces: string[] = [];
  let current: string[] = [];
  let chars = 0;
  for (const word of text.split(/\s+/)) {
    if (word === '' || word.length > MAX_WORD_CHARS) continue;
    if (current.length > 0 && (current.length >= maxWords || chars + word.length + 1 > MAX_PASSAGE_CHARS)) {
      pieces.push(current.join(' '));
      current = [];
      chars = 0;
    }
    current.push(word);
    chars += word.length + 1;
  }
  if (current.length > 0) pieces.push(current.join(' '));
  return pieces;
}

function lineSpans(text: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let start = 0;
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    if (end > start) spans.push({ start, end });
    if (nl === -1) break;
    start = nl + 1;
  }
  return spans;
}

/**
 * Units of one section → passages. A section within the maximum is one passage. A longer one is
 * cut at unit boundaries into as few passages as the maximum allows, about equal in size: each
 * cut is placed where the passage comes closest to the words still to place divided by the
 * passages still to make. A passage under the minimum takes in the next unit when it fits; a
 * formula always joins the passage before it (it belongs with the prose around it).
 */
function packPassages(units: readonly Unit[], size: PassageSize): Unit[][] {
  let remainingWords = wordsOf(units);
  let remainingPassages = countGreedy(units, size.maxWords);
  const passages: Unit[][] = [];
  let current: Unit[] = [];
  let words = 0;
  let chars = 0;
  for (const unit of units) {
    if (current.length > 0 && shouldCut(unit, words, chars, remainingWords / remainingPassages, size)) {
      passages.push(current);
      remainingWords -= words;
      remainingPassages = Math.max(1, remainingPassages - 1);
      current = [];
      words = 0;
      chars = 0;
    }
    current.push(unit);
    words += unit.words;
    chars += unit.text.length + 1;
  }
  if (current.length > 0) passages.push(current);

  const last = passages[passages.length - 1];
  const before = passages[passages.length - 2];
  if (last && before) {
    const lastWords = wordsOf(last);
    if (lastWords < size.minWords && wordsOf(before) + lastWords <= size.maxWords && charsOf(before) + charsOf(last) <= MAX_PASSAGE_CHARS) {
      passages.splice(passages.length - 2, 2, [...before, ...last]);
    }
  }
  // A passage of formulas alone says nothing a reader could use.
  return passages.filter((p) => p.some((u) => u.kind !== 'math'));
}

function shouldCut(unit: Unit, words: number, chars: number, target: number, size: PassageSize): boolean {
  if (chars + unit.text.length > MAX_PASSAGE_CHARS) return true;
  if (unit.kind === 'math') return false;
  if (words + unit.words > size.maxWords) return true;
  if (words < size.minWords) return false;
  // Cut here when taking the unit in would overshoot the target by more than stopping falls short of it.
  return words + unit.words - target > target - words;
}

/** How many passages greedy packing under the maximum needs: the fewest a section can be cut into. */
function countGreedy(units: readonly Unit[], maxWords: number): number {
  let count = 0;
  let words = 0;
  let open = false;
  for (const unit of units) {
    if (open && unit.kind !== 'math' && words + unit.words > maxWords) {
      count++;
      words = 0;
    }
    words += unit.words;
    open = true;
  }
  return Math.max(1, count + (open ? 1 : 0));
}

const wordsOf = (units: readonly Unit[]) => units.reduce((sum, u) => sum + u.words, 0);
const charsOf = (units: readonly Unit[]) => units.reduce((sum, u) => sum + u.text.length + 1, 0);

/** The pages a passage spans, when its blocks come from a paged document. */
function pagesOf(units: readonly Unit[]): { pages?: PageRange } {
  const pages = units.map((u) => u.page).filter((p): p is number => p !== undefined);
  return pages.length === 0 ? {} : { pages: { first: Math.min(...pages), last: Math.max(...pages) } };
}

function spansOf(units: readonly Unit[]): Chunk['spans'] {
  const spans: Chunk['spans'] = [];
  let offset = 0;
  for (const u of units) {
    spans.push({ start: offset, end: offset + u.text.length, kind: u.kind });
    offset += u.text.length + 1;
  }
  return spans;
}

/**
 * What is embedded and lexically indexed: where the passage sits (title › headings), what its
 * blocks need to be understood (a list's lead-in, parent items, table headers, footnotes; each
 * once, and not when the passage quotes it anyway), then the passage.
 */
function indexTextFor(title: string, headingPath: readonly string[], units: readonly Unit[], text: string): string {
  const context: string[] = [];
  const seen = new Set<string>();
  for (const u of units) {
    for (const line of u.context?.split('\n') ?? []) {
      if (seen.has(line) || text.includes(line)) continue;
      seen.add(line);
      context.push(line);
    }
  }
  return [[title, ...headingPath].join(' › '), ...context, text].join('\n');
}
