import { describe, expect, it } from 'vitest';
import { findMisquotes, quotedPieces } from '../../src/answer/quote-check.ts';
import type { Citation } from '../../src/types.ts';

const cite = (n: number, text: string): Citation => ({ n, source: 'a.md', title: 'A', section: 'S', text, score: 1, rank: n });
const SOURCE = 'Do I need a Ph.D.? Of onsites, 18.83% passed (see https://example.com/a.b?x=1). Use e.g. PyTorch.';

describe('quotedPieces', () => {
  it('reads the text before each [n] marker, bullets and notes aside', () => {
    expect(quotedPieces('(A note.)\nOne thing. [1] Two things. [2]\n• An item [3]')).toEqual([
      { text: 'One thing.', n: 1 },
      { text: 'Two things.', n: 2 },
      { text: 'An item', n: 3 },
    ]);
  });
});

describe('findMisquotes', () => {
  it('accepts whole sentences and whole passages', () => {
    expect(findMisquotes(`Do I need a Ph.D.? [1] ${SOURCE} [2]`, [cite(1, SOURCE), cite(2, SOURCE)])).toEqual([]);
  });

  it('flags a piece cut inside an abbreviation or a decimal, and words the passage does not have', () => {
    const problems = findMisquotes('D.? [1]\n83% passed [1]\nPyTorch is great. [1]\nfine [4]', [cite(1, SOURCE)]);
    expect(problems.map((p) => p.problem)).toEqual(['cut inside a word or number', 'cut inside a word or number', 'not in the cited passage', 'unknown citation']);
  });
});
