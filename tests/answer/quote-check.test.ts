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

  it('reads code between fences as one piece, its brackets as code, not as citations', () => {
    const code = 'start = offsets[0][0]\n\nend = offsets[-1][1]';
    const passage = `Compute the span first.\n${code}`;
    const answer = `Compute the span first. [1]\n\`\`\`\n${code}\n\`\`\` [1]`;
    expect(quotedPieces(answer)).toEqual([
      { text: 'Compute the span first.', n: 1 },
      { text: code, n: 1 },
    ]);
    expect(findMisquotes(answer, [cite(1, passage)])).toEqual([]);
    expect(findMisquotes('```\nend = offsets[-1][2]\n``` [1]', [cite(1, passage)]).map((p) => p.problem)).toEqual(['not in the cited passage']);
  });
});

