/**
 * Collects the words of one block as a reader sees them, whatever the markup they came from
 * (Markdown inline tokens, HTML text, plain text), so markup is stripped the same way everywhere.
 */

/** Where a piece of text came from: only `plain` words (and long link texts) make a block on their own. */
export type TextOrigin = 'plain' | 'link' | 'image' | 'formula';

/**
 * A link text this long is a title worth citing ("Deep Neural Networks for YouTube
 * Recommendations"); a shorter one alone ("code", "here", a bare URL) says nothing.
 */
export const MIN_LINK_TITLE_WORDS = 3;

/** Words that contain a letter or a digit; punctuation and symbols alone are no words. */
export function countWords(text: string): number {
  let words = 0;
  for (const token of text.split(/\s+/)) if (/[\p{L}\p{N}]/u.test(token)) words++;
  return words;
}

export class BlockText {
  private readonly parts: string[] = [];
  private plainWords = 0;
  private linkWords = 0;

  /** `preformatted` keeps spaces and line breaks as written (code); otherwise runs of spaces collapse. */
  constructor(private readonly preformatted = false) {}

  add(text: string, origin: TextOrigin): void {
    if (text === '') return;
    this.parts.push(text);
    if (origin === 'plain') this.plainWords += countWords(text);
    else if (origin === 'link') this.linkWords += countWords(text);
  }

  lineBreak(): void {
    this.parts.push('\n');
  }

  /** Appends another block's text (a table cell to its row), keeping what its words count for. */
  absorb(other: BlockText, separator: string): void {
    const text = other.text();
    if (text === '') return;
    if (this.parts.length > 0) this.parts.push(separator);
    this.parts.push(text);
    this.plainWords += other.plainWords;
    this.linkWords += other.linkWords;
  }

  /** Whether the block stands on its own: an image, a short link, a formula or a tag alone does not. */
  standsAlone(): boolean {
    return this.plainWords > 0 || this.linkWords >= MIN_LINK_TITLE_WORDS;
  }

  /** The text, whitespace tidied: one space between words, no blank or padded lines. */
  text(): string {
    const raw = this.parts.join('');
    if (this.preformatted) return trimBlankLines(raw);
    const lines: string[] = [];
    for (const line of raw.split('\n')) {
      const tidy = line.replace(/[^\S\n]+/g, ' ').trim();
      if (tidy !== '') lines.push(tidy);
    }
    return lines.join('\n');
  }

  /** The text when the block stands on its own, else undefined. */
  finish(): string | undefined {
    if (!this.standsAlone()) return undefined;
    const text = this.text();
    return text === '' ? undefined : text;
  }
}

/** Code keeps its indentation; only trailing spaces and leading/trailing blank lines go. */
export function trimBlankLines(text: string): string {
  const lines = text.split('\n').map((l) => l.trimEnd());
  let first = 0;
  let last = lines.length;
  while (first < last && lines[first] === '') first++;
  while (last > first && lines[last - 1] === '') last--;
  return lines.slice(first, last).join('\n');
}

/** Headings label sections in every passage's index text; a runaway one is cut at a word boundary. */
export const MAX_HEADING_CHARS = 200;

export function headingText(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= MAX_HEADING_CHARS) return flat;
  const cut = flat.slice(0, MAX_HEADING_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${space > MAX_HEADING_CHARS / 2 ? cut.slice(0, space) : cut}…`;
}

/** Context parts (lead-ins, parent items, table headers, footnotes) help retrieval and nobody reads them: their first words suffice. */
export const MAX_CONTEXT_PART_WORDS = 40;

export function cutWords(text: string): string {
  if (countWords(text) <= MAX_CONTEXT_PART_WORDS) return text;
  const words = text.split(/\s+/);
  return `${words.slice(0, MAX_CONTEXT_PART_WORDS).join(' ')} …`;
}
