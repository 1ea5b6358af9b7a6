import { describe, expect, it } from 'vitest';
import { sentences, sentenceSpans } from '../../src/answer/sentences.ts';

describe('sentenceSpans', () => {
  it('never splits inside abbreviations, decimals, versions, URLs or ellipses', () => {
    const text =
      'Do I need a Ph.D. to work in ML? No. About 18.83% of onsites, e.g. the ones in the U.S., ' +
      'asked about v2.1 of the API. See https://example.org/a.b/c.html?x=1.2 for details. ' +
      'He paused… Then he went on... and finished. J. Smith and Dr. Ng agree, i.e. nobody objects.';
    expect(sentences(text)).toEqual([
      'Do I need a Ph.D. to work in ML?',
      'No.',
      'About 18.83% of onsites, e.g. the ones in the U.S., asked about v2.1 of the API.',
      'See https://example.org/a.b/c.html?x=1.2 for details.',
      // Unicode's rules do not end a sentence at an ellipsis; a longer quote is the safe side.
      'He paused… Then he went on... and finished.',
      'J. Smith and Dr. Ng agree, i.e. nobody objects.',
    ]);
  });

  it('keeps "Ph.D.?" a sentence end, and a capitalised word after "U.S." with it', () => {
    expect(sentences('Do I need a Ph.D.? Yes. I moved to the U.S. Then I applied.')).toEqual([
      'Do I need a Ph.D.?',
      'Yes.',
      'I moved to the U.S. Then I applied.',
    ]);
  });

  it('returns trimmed offsets into the text, in order', () => {
    const text = '  First one.   Second one!\n\nThird?  ';
    const spans = sentenceSpans(text);
    expect(spans).toEqual([
      { start: 2, end: 12 },
      { start: 15, end: 26 },
      { start: 28, end: 34 },
    ]);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['First one.', 'Second one!', 'Third?']);
  });

  it('finds every sentence of a text far longer than one segmenter window, cutting none', () => {
    const sentence = 'Engineers with a Ph.D. earn 18.83% more in the U.S. market, e.g. in banks. ';
    const text = sentence.repeat(400);
    const found = sentences(text);
    expect(found).toHaveLength(400);
    expect(new Set(found)).toEqual(new Set([sentence.trim()]));
  });

  it('gives one span for text without any sentence end, and none for blank text', () => {
    expect(sentenceSpans('x'.repeat(10_000))).toEqual([{ start: 0, end: 10_000 }]);
    expect(sentenceSpans('   \n ')).toEqual([]);
  });
});
