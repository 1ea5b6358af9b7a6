/**
 * Positioned PDF text → the blocks of a document, as a reader sees the pages. A PDF has no
 * paragraphs, lists or headings, only pieces of text placed on pages (a browser's print gives one
 * piece per few glyphs, a typesetter one per word or line), so everything is recovered from where
 * the pieces sit and how they look:
 *
 * - pieces on one baseline are joined by position: a space only where there is a gap between them;
 * - two columns are read one after the other (a gutter no line crosses, with text on both sides);
 * - lines repeated at the top or bottom of most pages (running headers, footers) and page numbers
 *   are dropped;
 * - headings are lines set larger than the body text (the larger, the higher), short bold lines
 *   standing alone, and the entries of the PDF's outline (bookmarks) where it has one;
 * - a line continues the one before it only where that one had no room left for the next word
 *   (text wrapped there), so list items and short lines stay apart; a hyphen that ends a wrapped
 *   line is undone where the document itself writes the word whole (or is typeset justified), and
 *   kept where it writes it with the hyphen ("post-process");
 * - an indented block or one starting with a bullet is a list item, nested by its indentation;
 *   fixed-width lines are code.
 *
 * Every block keeps the page it starts on. One pass over the lines after sorting each page.
 */
import type { BlockKind } from '../../types.ts';
import { BlockCollector } from '../block-collector.ts';
import { countWords, cutWords } from '../block-text.ts';
import { lastSentence } from '../plain-text.ts';
import type { PdfContent, PdfOutlineEntry, PdfPage, PdfTextItem } from './pdf-content.ts';

export interface PdfLayout {
  /** The title the PDF declares (document information), or its first top-level heading. */
  title: string | undefined;
  collector: BlockCollector;
}

/** Tunable proportions, each relative to the font size of the text concerned. */
const LAYOUT = {
  /** Pieces on baselines closer than this (× size) are on one line. */
  sameBaseline: 0.3,
  /** A gap wider than this (× size) between pieces on one line is a space. */
  spaceGap: 0.15,
  /** A gap wider than this (× size) may separate two columns. */
  columnGap: 1.5,
  /** A gutter is at least this wide (× body size) and has at least this many lines on each side. */
  minGutter: 0.8,
  minColumnLines: 4,
  /** Lines further apart than this (× size) are separate paragraphs. */
  maxLinePitch: 1.8,
  /** Text set at least this much larger than the body text is a heading. */
  headingScale: 1.15,
  /** A heading has at most this many words; a bold line standing alone as heading, this many. */
  maxHeadingWords: 30,
  maxBoldHeadingWords: 12,
  /** A block indented more than this (× size) from its column's margin is a list item. */
  listIndent: 2,
  /** Width of a space, × size, for "would the next word have fitted". */
  spaceWidth: 0.28,
} as const;

const MAX_HEADING_LEVEL = 6;
/** A header or footer repeats on at least this share of the pages. */
const REPEATED_SHARE = 0.5;
/** …and on three pages at least: two pages may well share a line of their own. */
const MIN_REPEATED_PAGES = 3;
/** Lines at each end of a page that may be a running header or footer. */
const MARGIN_LINES = 2;

/** "3", "- 3 -", "Page 3", "Page 3 of 11", "3 / 11", "iv". */
const PAGE_NUMBER = /^(?:page\s+)?[-–—]?\s*(?:\d{1,5}|[ivxlcdm]{1,8})\s*[-–—]?(?:\s*(?:\/|of)\s*\d{1,5})?$/i;
/** A bullet or an ordered-list number at the start of a line, and the space after it. */
const LIST_MARKER = /^(?:[•◦▪▫‣∙·●○■□–—*+-]|\(?\d{1,3}[.)]|\(?[a-z][.)]|\(?[ivx]{1,4}\))\s+/;
const HEADING_END_PUNCTUATION = /[.,;:!?]$/;

interface Line {
  page: number;
  text: string;
  x: number;
  right: number;
  y: number;
  size: number;
  bold: boolean;
  mono: boolean;
  /** 0 spans the page (or there are no columns); 1 left column; 2 right column. */
  column: number;
}

export function layoutPdf(content: PdfContent): PdfLayout {
  const perPage = content.pages.map(pageLines);
  const dropped = runningLines(perPage);
  const lines = perPage.flat().filter((l) => !dropped.has(l));
  const body = bodySize(lines);
  const levels = headingLevels(lines, body, content.outline);
  const declared = usableTitle(content.title);
  const collector = new BlockCollector(declared);
  new BlockBuilder(lines, levels, body, collector).build();
  return { title: declared ?? collector.firstH1, collector };
}

// ---- lines ---------------------------------------------------------------------------------

interface Segment {
  items: PdfTextItem[];
  x: number;
  right: number;
  y: number;
}

/** A page's lines in reading order. */
function pageLines(page: PdfPage): Line[] {
  const rows = baselineRows(page.items);
  const segments: Segment[] = rows.flatMap(splitAtGaps);
  const gutter = findGutter(segments, page.width);
  if (gutter === undefined) return rows.map((row) => lineOf(page.number, row, 0));
  // Reading order with two columns: down the page, a line across the gutter ends a band; each
  // band is read left column, then right column.
  const ordered: Line[] = [];
  let left: Line[] = [];
  let right: Line[] = [];
  const flush = () => {
    ordered.push(...left, ...right);
    left = [];
    right = [];
  };
  for (const segment of segments) {
    const column = side(segment, gutter);
    const line = lineOf(page.number, segment.items, column);
    if (column === 0) {
      flush();
      ordered.push(line);
    } else (column === 1 ? left : right).push(line);
  }
  flush();
  return ordered;
}

/** Which side of the gutter a segment is on (1 left, 2 right), or 0 when it crosses it; a point of slack for rounding. */
function side(segment: Segment, gutter: { start: number; end: number }): number {
  return segment.right <= gutter.start + 1 ? 1 : segment.x >= gutter.end - 1 ? 2 : 0;
}

/** Pieces grouped by baseline, top of the page first, each row sorted left to right. */
function baselineRows(items: readonly PdfTextItem[]): PdfTextItem[][] {
  const sorted = [...items].sort((a, b) => b.y - a.y || a.x - b.x);
  const rows: PdfTextItem[][] = [];
  let row: PdfTextItem[] = [];
  let rowY = Number.NaN;
  for (const item of sorted) {
    if (row.length > 0 && Math.abs(item.y - rowY) > LAYOUT.sameBaseline * Math.max(item.size, 1)) {
      rows.push(row);
      row = [];
    }
    if (row.length === 0) rowY = item.y;
    row.push(item);
  }
  if (row.length > 0) rows.push(row);
  for (const r of rows) r.sort((a, b) => a.x - b.x);
  return rows;
}

/** A row cut where a gap is wide enough to be a gutter between columns. */
function splitAtGaps(row: PdfTextItem[]): Segment[] {
  const segments: Segment[] = [];
  let current: PdfTextItem[] = [];
  let end = -Infinity;
  const flush = () => {
    const texts = current.filter((i) => i.text.trim() !== '');
    if (texts.length > 0) {
      segments.push({ items: current, x: texts[0]!.x, right: Math.max(...texts.map((i) => i.x + i.width)), y: texts[0]!.y });
    }
    current = [];
  };
  for (const item of row) {
    if (current.length > 0 && item.x - end > LAYOUT.columnGap * Math.max(item.size, 1) && item.text.trim() !== '') flush();
    current.push(item);
    end = Math.max(end, item.x + item.width);
  }
  flush();
  return segments;
}

/**
 * The widest vertical strip in the middle of the page that no segment crosses, when it has
 * enough lines on both sides at the same heights to be a gutter between two columns. A few
 * lines may cross it (a title, a wide figure caption): they span both columns.
 */
function findGutter(segments: readonly Segment[], pageWidth: number): { start: number; end: number } | undefined {
  if (segments.length < 2 * LAYOUT.minColumnLines) return undefined;
  const sizes = segments.map((s) => s.items[0]!.size).sort((a, b) => a - b);
  const minWidth = LAYOUT.minGutter * sizes[Math.floor(sizes.length / 2)]!;
  const allowedCrossing = Math.max(2, Math.floor(segments.length * 0.1));
  const from = Math.floor(pageWidth * 0.3);
  const to = Math.ceil(pageWidth * 0.7);
  const crossings: number[] = [];
  for (let x = from; x <= to; x++) crossings.push(segments.reduce((n, s) => n + (s.x < x && s.right > x ? 1 : 0), 0));
  // The gutter is where the fewest lines cross: the lines that do (a title) span both columns.
  const fewest = Math.min(...crossings);
  if (fewest > allowedCrossing) return undefined;
  let best: { start: number; end: number } | undefined;
  let runStart = -1;
  for (let k = 0; k <= crossings.length; k++) {
    if (k < crossings.length && crossings[k] === fewest) {
      if (runStart < 0) runStart = from + k;
      continue;
    }
    const end = from + k;
    if (runStart >= 0 && end - runStart >= minWidth && (best === undefined || end - runStart > best.end - best.start)) best = { start: runStart, end };
    runStart = -1;
  }
  if (best === undefined) return undefined;
  const left = segments.filter((s) => side(s, best!) === 1);
  const right = segments.filter((s) => side(s, best!) === 2);
  if (left.length < LAYOUT.minColumnLines || right.length < LAYOUT.minColumnLines) return undefined;
  // The two sides must share heights: a left-aligned block above a right-aligned one is no pair of columns.
  const span = (side: Segment[]) => ({ top: Math.max(...side.map((s) => s.y)), bottom: Math.min(...side.map((s) => s.y)) });
  const l = span(left);
  const r = span(right);
  const overlap = Math.min(l.top, r.top) - Math.max(l.bottom, r.bottom);
  return overlap > 0.3 * Math.min(l.top - l.bottom, r.top - r.bottom) ? best : undefined;
}

/** One line's text, its pieces joined by position: a space only where the pieces leave a gap. */
function lineOf(page: number, items: readonly PdfTextItem[], column: number): Line {
  let text = '';
  let end = -Infinity;
  let boldChars = 0;
  let monoChars = 0;
  let chars = 0;
  const sizeChars = new Map<number, number>();
  let x = Infinity;
  let right = -Infinity;
  for (const item of items) {
    const gap = item.x - end;
    const blank = item.text.trim() === '';
    if (text !== '' && !text.endsWith(' ') && (blank || /^\s/.test(item.text) || gap > LAYOUT.spaceGap * Math.max(item.size, 1))) text += ' ';
    end = Math.max(end, item.x + item.width);
    if (blank) continue;
    text += item.text;
    const n = item.text.replace(/\s/g, '').length;
    chars += n;
    if (item.bold) boldChars += n;
    if (item.mono) monoChars += n;
    const size = roundSize(item.size);
    sizeChars.set(size, (sizeChars.get(size) ?? 0) + n);
    x = Math.min(x, item.x);
    right = Math.max(right, item.x + item.width);
  }
  let size = 0;
  let most = -1;
  for (const [s, n] of sizeChars) if (n > most) [size, most] = [s, n];
  return {
    page,
    text: text.replace(/\s+/g, ' ').trim(),
    x: Number.isFinite(x) ? x : 0,
    right: Number.isFinite(right) ? right : 0,
    y: items[0]?.y ?? 0,
    size,
    bold: chars > 0 && boldChars >= 0.9 * chars,
    mono: chars > 0 && monoChars >= 0.9 * chars,
    column,
  };
}

const roundSize = (size: number) => Math.round(size * 2) / 2;

// ---- running headers, footers, page numbers --------------------------------------------------

/** Lines at the top or bottom of pages that repeat on most pages (digits aside), and page numbers there. */
function runningLines(pages: readonly Line[][]): Set<Line> {
  const candidates: { line: Line; key: string }[] = [];
  for (const lines of pages) {
    const content = lines.filter((l) => l.text !== '');
    // Top and bottom by position, whatever order the columns gave them.
    const byHeight = [...content].sort((a, b) => b.y - a.y);
    const ends = new Set([...byHeight.slice(0, MARGIN_LINES), ...byHeight.slice(-MARGIN_LINES)]);
    for (const line of ends) {
      const where = byHeight.indexOf(line) < MARGIN_LINES ? 'top' : 'bottom';
      candidates.push({ line, key: `${where}\n${line.text.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ')}` });
    }
  }
  const pagesWith = new Map<string, Set<number>>();
  for (const { line, key } of candidates) {
    const set = pagesWith.get(key) ?? new Set<number>();
    set.add(line.page);
    pagesWith.set(key, set);
  }
  const needed = Math.max(MIN_REPEATED_PAGES, Math.ceil(pages.length * REPEATED_SHARE));
  const dropped = new Set<Line>();
  for (const { line, key } of candidates) {
    if (PAGE_NUMBER.test(line.text) || pagesWith.get(key)!.size >= needed) dropped.add(line);
  }
  for (const lines of pages) for (const line of lines) if (line.text === '') dropped.add(line);
  return dropped;
}

// ---- headings ------------------------------------------------------------------------------

/** The size most of the text is set in. */
function bodySize(lines: readonly Line[]): number {
  const chars = new Map<number, number>();
  for (const l of lines) chars.set(l.size, (chars.get(l.size) ?? 0) + l.text.length);
  let body = 0;
  let most = -1;
  for (const [size, n] of chars) if (n > most) [body, most] = [size, n];
  return body;
}

/**
 * The heading level of each line that is a heading. Larger sizes rank higher (level 1 the
 * largest); bold body-size lines standing alone come below every size; with an outline, its
 * entries found on their pages take the outline's depth and other headings nest below them.
 */
function headingLevels(lines: readonly Line[], body: number, outline: readonly PdfOutlineEntry[]): Map<Line, number> {
  const levels = new Map<Line, number>();
  const isLarge = (l: Line) => body > 0 && l.size >= body * LAYOUT.headingScale && countWords(l.text) <= LAYOUT.maxHeadingWords && !l.mono;
  const sizes = [...new Set(lines.filter(isLarge).map((l) => l.size))].sort((a, b) => b - a);

  const fromOutline = outlineHeadings(lines, outline);
  const below = fromOutline.size > 0 ? Math.max(...fromOutline.values()) : 0;
  for (const [line, level] of fromOutline) levels.set(line, level);

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (levels.has(line)) continue;
    if (isLarge(line)) {
      levels.set(line, Math.min(MAX_HEADING_LEVEL, below + sizes.indexOf(line.size) + 1));
    } else if (isBoldHeading(line, lines[i - 1], lines[i + 1], body)) {
      levels.set(line, Math.min(MAX_HEADING_LEVEL, below + sizes.length + 1));
    }
  }
  // A heading heads something: a run of same-level "headings" with nothing between them is a
  // table of contents or a list set large, read as text.
  for (let i = 0; i < lines.length; ) {
    const level = levels.get(lines[i]!);
    let j = i + 1;
    while (level !== undefined && j < lines.length && levels.get(lines[j]!) === level && !continuesAsHeading(lines[j - 1]!, lines[j]!)) j++;
    if (level !== undefined && j - i >= MIN_CONTENTS_RUN && !fromOutline.has(lines[i]!)) for (let k = i; k < j; k++) levels.delete(lines[k]!);
    i = Math.max(j, i + 1);
  }
  return levels;
}

/** Headings in a row (at one level, each its own) that make a table of contents rather than sections. */
const MIN_CONTENTS_RUN = 3;

/** Whether `b` goes on with the heading `a` (one heading wrapped onto two lines). */
function continuesAsHeading(a: Line, b: Line): boolean {
  return a.page === b.page && a.size === b.size && a.bold === b.bold && sameColumn(a, b) && !isGap(a, b) && Math.abs(a.x - b.x) <= 1.5 * a.size;
}

/** A short bold line at body size that is a whole block: not a sentence, not wrapped into or from. */
function isBoldHeading(line: Line, before: Line | undefined, after: Line | undefined, body: number): boolean {
  if (!line.bold || line.mono || Math.abs(line.size - body) > 0.5) return false;
  if (countWords(line.text) > LAYOUT.maxBoldHeadingWords || HEADING_END_PUNCTUATION.test(line.text) || LIST_MARKER.test(line.text)) return false;
  if (!/^[\p{Lu}\p{N}]/u.test(line.text)) return false;
  // Bold text that goes on in the next line is the start of a paragraph.
  if (after && after.page === line.page && !after.bold && isGap(line, after) === false && sameColumn(line, after)) return false;
  if (before && before.page === line.page && isGap(before, line) === false && sameColumn(before, line) && !before.bold) return false;
  return true;
}

/** Lines that are outline entries, found by their text on the page the entry points at. */
function outlineHeadings(lines: readonly Line[], outline: readonly PdfOutlineEntry[]): Map<Line, number> {
  const found = new Map<Line, number>();
  if (outline.length === 0) return found;
  const byPage = new Map<number, Line[]>();
  for (const l of lines) byPage.set(l.page, [...(byPage.get(l.page) ?? []), l]);
  for (const entry of outline) {
    const candidates = entry.page !== undefined ? (byPage.get(entry.page) ?? []) : lines;
    const wanted = fold(entry.title);
    const line = candidates.find((l) => !found.has(l) && fold(l.text) === wanted);
    if (line) found.set(line, Math.min(MAX_HEADING_LEVEL, entry.depth + 1));
  }
  return found;
}

const fold = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** Document information titles that are no titles: a file name, "Untitled", "Microsoft Word - x.docx". */
function usableTitle(title: string | undefined): string | undefined {
  if (title === undefined) return undefined;
  const t = title.replace(/\s+/g, ' ').trim();
  if (t === '' || /^untitled\b/i.test(t) || /\.[a-z0-9]{1,5}$/i.test(t) || countWords(t) > 25) return undefined;
  return t;
}

// ---- blocks --------------------------------------------------------------------------------

function isGap(upper: Line, lower: Line): boolean {
  if (upper.page !== lower.page) return true;
  const pitch = upper.y - lower.y;
  return pitch <= 0 || pitch > LAYOUT.maxLinePitch * Math.max(upper.size, lower.size);
}

const sameColumn = (a: Line, b: Line) => a.column === b.column;

interface OpenBlock {
  lines: Line[];
  /** Where continuation lines start (past a bullet, or the margin after a first-line indent). */
  textX: number | undefined;
  marker: boolean;
}

class BlockBuilder {
  /** Right edge of the text in each column: the widest line there, in the whole document. */
  private readonly edges = new Map<number, number>();
  /** Left margin of each column: where its leftmost body lines start. */
  private readonly margins = new Map<number, number>();
  private readonly vocabulary = new Set<string>();
  private justified = false;
  private block: OpenBlock | undefined;
  private code: Line[] = [];
  /** Open list items, outermost first, by their indentation. */
  private items: { x: number; text: string }[] = [];
  private leadIn: string | undefined;
  private lastParagraph: string | undefined;
  private readonly pageStarts = new Set<Line>();
  private readonly pageEnds = new Set<Line>();

  constructor(
    private readonly lines: readonly Line[],
    private readonly levels: ReadonlyMap<Line, number>,
    private readonly body: number,
    private readonly out: BlockCollector,
  ) {
    lines.forEach((l, i) => {
      if (i === 0 || lines[i - 1]!.page !== l.page) this.pageStarts.add(l);
      if (i === lines.length - 1 || lines[i + 1]!.page !== l.page) this.pageEnds.add(l);
    });
    const bodyLines = lines.filter((l) => !levels.has(l) && !l.mono);
    for (const l of bodyLines) {
      this.edges.set(l.column, Math.max(this.edges.get(l.column) ?? -Infinity, l.right));
      this.margins.set(l.column, Math.min(this.margins.get(l.column) ?? Infinity, l.x));
      for (const word of l.text.toLowerCase().match(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu) ?? []) {
        this.vocabulary.add(word);
        for (const part of word.split('-')) this.vocabulary.add(part);
      }
    }
    // Justified text: most wrapped lines end flush with the right edge.
    let wrapped = 0;
    let flush = 0;
    for (let i = 1; i < bodyLines.length; i++) {
      const [a, b] = [bodyLines[i - 1]!, bodyLines[i]!];
      if (a.page !== b.page || !sameColumn(a, b) || isGap(a, b) || !this.hadNoRoom(a, b)) continue;
      wrapped++;
      if (a.right >= this.edge(a) - 1.5) flush++;
    }
    this.justified = wrapped >= 3 && flush >= 0.7 * wrapped;
  }

  build(): void {
    for (let i = 0; i < this.lines.length; i++) {
      const line = this.lines[i]!;
      const level = this.levels.get(line);
      if (level !== undefined) {
        this.flushAll();
        // A heading wrapped onto several lines of one style is one heading.
        let text = line.text;
        while (i + 1 < this.lines.length && this.levels.get(this.lines[i + 1]!) === level && continuesAsHeading(this.lines[i]!, this.lines[i + 1]!)) {
          text = this.joinLines(text, this.lines[++i]!.text);
        }
        this.out.heading(level, text);
        this.items = [];
        this.leadIn = this.lastParagraph = undefined;
        continue;
      }
      if (line.mono) {
        this.flushBlock();
        this.code.push(line);
        continue;
      }
      this.flushCode();
      if (this.block && this.continues(this.block, line)) {
        this.block.lines.push(line);
        if (this.block.textX === undefined) this.block.textX = line.x;
        continue;
      }
      this.flushBlock();
      this.block = { lines: [line], textX: undefined, marker: LIST_MARKER.test(line.text) };
    }
    this.flushAll();
  }

  private edge(line: Line): number {
    return this.edges.get(line.column) ?? line.right;
  }

  /** Whether `prev` was full: the first word of `next` would not have fitted after it. */
  private hadNoRoom(prev: Line, next: Line): boolean {
    // Capitals and digits are wider than the line's average character.
    const charWidth = next.text.length > 0 ? (1.1 * (next.right - next.x)) / next.text.length : 0;
    const firstWord = next.text.split(' ')[0] ?? '';
    // The edge seen is the widest line, a little short of the real one: a quarter of a size of slack.
    return prev.right + LAYOUT.spaceWidth * prev.size + charWidth * firstWord.length > this.edge(prev) - 0.25 * prev.size;
  }

  private continues(block: OpenBlock, line: Line): boolean {
    const prev = block.lines[block.lines.length - 1]!;
    if (!sameColumn(prev, line) || Math.abs(prev.size - line.size) > 0.5 || LIST_MARKER.test(line.text)) return false;
    const pageTurn = prev.page + 1 === line.page && this.isLastOfPage(prev) && this.isFirstOfPage(line);
    if (!pageTurn && isGap(prev, line)) return false;
    if (!this.hadNoRoom(prev, line)) return false;
    // A capital after a finished sentence, or at the start of a line in a list, starts something
    // new more often than it continues: splitting a paragraph there costs nothing (its passage
    // joins the pieces again), merging two list items loses one.
    const capital = /^\p{Lu}/u.test(line.text);
    if (capital && (/[.!?:]$/.test(prev.text) || block.marker || this.isIndented(block.lines[0]!))) return false;
    const tolerance = 1.5;
    if (block.textX !== undefined) return Math.abs(line.x - block.textX) <= tolerance;
    const first = block.lines[0]!;
    if (Math.abs(line.x - first.x) <= tolerance) return true;
    // The second line of a block sets where its lines start: past a bullet (hanging indent), or
    // back at the margin after a first-line indent.
    if (block.marker) return line.x > first.x && line.x - first.x <= 3 * line.size;
    return line.x < first.x && first.x - line.x <= LAYOUT.listIndent * line.size;
  }

  /** Whether lines sit indented from their column's margin, as a list's items do. */
  private isIndented(...lines: Line[]): boolean {
    const first = lines[0]!;
    const margin = this.margins.get(first.column) ?? first.x;
    const left = Math.min(...lines.map((l) => l.x));
    return left - margin > LAYOUT.listIndent * Math.max(first.size, this.body, 1);
  }


  private isLastOfPage(line: Line): boolean {
    return this.pageEnds.has(line);
  }

  private isFirstOfPage(line: Line): boolean {
    return this.pageStarts.has(line);
  }

  private flushAll(): void {
    this.flushBlock();
    this.flushCode();
  }

  private flushCode(): void {
    if (this.code.length === 0) return;
    const left = Math.min(...this.code.map((l) => l.x));
    const text = this.code.map((l) => ' '.repeat(Math.max(0, Math.round((l.x - left) / (0.6 * Math.max(l.size, 1))))) + l.text).join('\n');
    this.out.add('code', text, undefined, this.code[0]!.page);
    this.code = [];
  }

  private flushBlock(): void {
    const block = this.block;
    if (block === undefined) return;
    this.block = undefined;
    let text = block.lines[0]!.text;
    for (const line of block.lines.slice(1)) text = this.joinLines(text, line.text);
    const first = block.lines[0]!;
    const kind: BlockKind = block.marker || this.isIndented(...block.lines) ? 'list-item' : 'paragraph';
    if (kind === 'paragraph') {
      this.items = [];
      this.leadIn = undefined;
      this.lastParagraph = text;
      this.out.add('paragraph', text, undefined, first.page);
      return;
    }
    const itemText = block.marker ? text.replace(LIST_MARKER, '') : text;
    if (this.items.length === 0) {
      this.leadIn = this.lastParagraph !== undefined ? lastSentence(this.lastParagraph) : undefined;
      this.lastParagraph = undefined;
    }
    while (this.items.length > 0 && this.items[this.items.length - 1]!.x >= first.x - 1) this.items.pop();
    const context = [this.leadIn, ...this.items.map((i) => i.text)].filter((p): p is string => p !== undefined).join('\n');
    this.out.add('list-item', itemText, context === '' ? undefined : context, first.page);
    this.items.push({ x: first.x, text: cutWords(itemText) });
  }

  /** Joins a wrapped line to the text before it, undoing a hyphenation the line break made. */
  private joinLines(before: string, after: string): string {
    if (before.endsWith('\u00ad')) return before.slice(0, -1) + after;
    const left = before.endsWith('-') ? trailingLetters(before.slice(0, -1)) : '';
    const right = /^\p{Ll}\p{L}*/u.exec(after)?.[0] ?? '';
    if (left === '' || right === '') return `${before} ${after}`;
    // The last part of a hyphenated compound ("state-of-the-" + "art") keeps its hyphen.
    if (before.charAt(before.length - 2 - left.length) === '-') return before + after;
    const whole = (left + right).toLowerCase();
    const compound = `${left}-${right}`.toLowerCase();
    const dropHyphen =
      this.vocabulary.has(whole) && !this.vocabulary.has(compound)
        ? true
        : this.vocabulary.has(compound) || /[\p{Lu}\p{N}]/u.test(left.slice(1)) || left.length === 1
          ? false
          : this.justified;
    return dropHyphen ? before.slice(0, -1) + after : before + after;
  }
}

/** The letters that end `text` (scanned from the end, so a long line costs no more than its last word). */
function trailingLetters(text: string): string {
  let start = text.length;
  while (start > 0 && /\p{L}/u.test(text.charAt(start - 1))) start--;
  return text.slice(start);
}
