import type { Citation, PageRange } from '../types.ts';

export interface SourceGroup {
  /** Citation numbers sharing this document and section, in order. */
  numbers: number[];
  source: string;
  title: string;
  section: string;
  url?: string;
  /** The pages the group's passages span, in a paged document (PDF). */
  pages?: PageRange;
}

/**
 * Consecutive citations of one document section are listed once ("[2–7] doc — section"):
 * a list answer cites every item, but a reader needs the section named only once.
 */
export function groupSources(citations: readonly Citation[]): SourceGroup[] {
  const groups: SourceGroup[] = [];
  for (const c of citations) {
    const last = groups[groups.length - 1];
    if (last && last.source === c.source && last.section === c.section) {
      last.numbers.push(c.n);
      if (c.pages !== undefined) {
        last.pages = last.pages === undefined ? c.pages : { first: Math.min(last.pages.first, c.pages.first), last: Math.max(last.pages.last, c.pages.last) };
      }
      continue;
    }
    groups.push({
      numbers: [c.n],
      source: c.source,
      title: c.title,
      section: c.section,
      ...(c.url !== undefined && { url: c.url }),
      ...(c.pages !== undefined && { pages: c.pages }),
    });
  }
  return groups;
}

/** "[3]", "[2–7]" for a run, "[1, 4]" otherwise. */
export function citationLabel(numbers: readonly number[]): string {
  const first = numbers[0]!;
  const last = numbers[numbers.length - 1]!;
  if (numbers.length === 1) return `[${first}]`;
  const contiguous = numbers.every((n, i) => n === first + i);
  return contiguous ? `[${first}–${last}]` : `[${numbers.join(', ')}]`;
}

/** ", p. 12" or ", pp. 3–4" after a document's name; empty for a document without pages. */
export function pagesSuffix(pages: PageRange | undefined): string {
  if (pages === undefined) return '';
  return pages.first === pages.last ? `, p. ${pages.first}` : `, pp. ${pages.first}–${pages.last}`;
}
