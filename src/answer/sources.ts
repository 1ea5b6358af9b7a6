import type { Citation } from '../types.ts';

export interface SourceGroup {
  /** Citation numbers sharing this document and section, in order. */
  numbers: number[];
  source: string;
  title: string;
  section: string;
  url?: string;
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
      continue;
    }
    groups.push({ numbers: [c.n], source: c.source, title: c.title, section: c.section, ...(c.url !== undefined && { url: c.url }) });
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
