import { describe, expect, it } from 'vitest';
import { citationLabel, groupSources } from '../../src/answer/sources.ts';
import type { Citation } from '../../src/types.ts';

const cite = (n: number, source: string, section: string): Citation => ({ n, source, title: source, section, text: '', score: 0, rank: n });

describe('groupSources', () => {
  it('lists consecutive citations of one section once, and keeps separate runs apart', () => {
    const groups = groupSources([cite(1, 'a.md', 'X'), cite(2, 'a.md', 'X'), cite(3, 'a.md', 'Y'), cite(4, 'b.md', 'Y'), cite(5, 'a.md', 'X')]);
    expect(groups.map((g) => [g.numbers, g.source, g.section])).toEqual([
      [[1, 2], 'a.md', 'X'],
      [[3], 'a.md', 'Y'],
      [[4], 'b.md', 'Y'],
      [[5], 'a.md', 'X'],
    ]);
  });
});

describe('citationLabel', () => {
  it('shows one number, a run, or a list', () => {
    expect(citationLabel([3])).toBe('[3]');
    expect(citationLabel([2, 3, 4])).toBe('[2–4]');
    expect(citationLabel([1, 4])).toBe('[1, 4]');
  });
});
