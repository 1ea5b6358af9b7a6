import { describe, expect, it } from 'vitest';
import { sentenceSpans } from '../../src/answer/sentences.ts';

const sentences = (text: string) => sentenceSpans(text).map((s) => text.slice(s.start, s.end));

describe('sentenceSpans', () => {
  it('never splits inside abbreviations, decimals, versions, URLs or a mid-sentence ellipsis', () => {
    expect(sentences('Do I need a Ph.D.? Not really. Many e.g. engineers in the U.S. work without one.')).toEqual([
      'Do I need a Ph.D.?',
      'Not really.',
      'Many e.g. engineers in the U.S. work without one.',
    ]);
    expect(sentences('Of onsites, 18.83% passed. Version v2.1 is out... and stable. See https://example.com/a.b?x=1. Done.')).toEqual([
      'Of onsites, 18.83% passed.',
      'Version v2.1 is out... and stable.',
      'See https://example.com/a.b?x=1.',
      'Done.',
    ]);
    expect(sentences('Use a framework, e.g. PyTorch or Keras. Mr. Smith agreed.')).toEqual(['Use a framework, e.g. PyTorch or Keras.', 'Mr. Smith agreed.']);
  });

  it('covers every word of a long text in order, one sentence per sentence', () => {
    const text = 'Word one. '.repeat(5_000);
    const spans = sentenceSpans(text);
    expect(spans).toHaveLength(5_000);
    expect(spans.every((s, i) => i === 0 || s.start > spans[i - 1]!.end)).toBe(true);
  });

  it('keeps a text without sentence ends whole', () => {
    expect(sentences('a'.repeat(10_000))).toEqual(['a'.repeat(10_000)]);
    expect(sentences('')).toEqual([]);
  });
});
