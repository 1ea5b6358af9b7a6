import { describe, expect, it } from 'vitest';
import { TermStats } from '../../src/search/term-stats.ts';
import { SurfaceWords, unknownNames } from '../../src/search/vocabulary.ts';

const TEXTS = [
  'Machine learning engineers need Python and statistics.',
  'Bootcamps and online certifications can replace a degree.',
  'Companies like Amazon and Shopify use recommendation systems.',
];
const knowledge = { termStats: TermStats.build(TEXTS), surfaceWords: SurfaceWords.build(TEXTS) };
const unknown = (q: string) => unknownNames(q, [knowledge]);

describe('unknownNames', () => {
  it('names the words of a question that the knowledge never mentions and English does not use every day', () => {
    expect(unknown('whats the average salary for a machine learning engineer in berlin?')).toEqual(['berlin']);
    expect(unknown('can a melanoma classifier help dermatologists?')).toEqual(['melanoma', 'classifier', 'dermatologists']);
    expect(unknown('Does Shopify sponsor an H-1B for engineers from Toronto?')).toEqual(['toronto']);
  });

  it('lets everyday words, misspellings of known words, short words and numbers pass', () => {
    // "desperate" and "seriously" are everyday English; "lerning" and "certifcations" are misspelt;
    // "ppl" is too short to name anything; "2024" and "20gb" hold digits.
    expect(unknown('why are companies desperate to hire ppl who know machine lerning, seriously')).toEqual([]);
    expect(unknown('do online certifcations count in 2024 for a 20gb model?')).toEqual([]);
    expect(unknown('Do I need python for Amazon?')).toEqual([]);
  });

  it('counts a word as known when any of the knowledge bases asked uses it', () => {
    const server = { termStats: TermStats.build(['Our Berlin meetup is on Tuesdays.']), surfaceWords: SurfaceWords.build(['Our Berlin meetup is on Tuesdays.']) };
    expect(unknownNames('ML salaries in Berlin?', [knowledge])).toEqual(['berlin']);
    expect(unknownNames('ML salaries in Berlin?', [knowledge, server])).toEqual([]);
  });
});
