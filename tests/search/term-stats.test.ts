import { describe, expect, it } from 'vitest';
import { processTerm } from '../../src/search/lexical-index.ts';
import { contentTerms, TermStats, weightedCoverage } from '../../src/search/term-stats.ts';

describe('question terms', () => {
  it('drops the halves of contractions and chat spellings of function words', () => {
    expect([...contentTerms("I don't get why you'll need it, isn't it done?")]).toEqual(['done']);
    expect([...contentTerms('whats the diff, im new here and u said pls')]).toEqual(['diff', 'new', 'said']);
  });

  it('keeps and stems the words that single something out', () => {
    expect(processTerm('Banking')).toBe('bank');
    expect(processTerm('recommendations')).toBe(processTerm('recommendation'));
    expect(processTerm('the')).toBeNull();
    expect(processTerm('5')).toBe('5');
  });

  it('counts a chatty question as known when its content words are', () => {
    const stats = TermStats.build(['Recall at k is the fraction of relevant items retrieved.', 'Precision at k is the share of retrieved items that are relevant.']);
    const terms = contentTerms("whats the difference between recall and precision? i don't get it");
    const known = weightedCoverage(stats, terms, (t) => stats.knows(t));
    // Only "difference" is new to this knowledge; no contraction fragment weighs in as unknown.
    expect([...terms].sort()).toEqual(['differ', 'precis', 'recal'].sort());
    expect(known).toBeGreaterThan(0.5);
  });
});
