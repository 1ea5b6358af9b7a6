import { describe, expect, it } from 'vitest';
import { figureAsked, statesFigure } from '../../src/answer/answer-type.ts';

describe('figureAsked', () => {
  it('reads counts, spans and money as asking for a figure of that kind', () => {
    expect(figureAsked('how many leetcode problems should i grind?')).toBe('count');
    expect(figureAsked('How long will the public link keep working?')).toBe('duration');
    expect(figureAsked('how often should I retrain?')).toBe('duration');
    expect(figureAsked('how much does a PRO subscription cost per month?')).toBe('money');
    expect(figureAsked('How much money has the company raised?')).toBe('money');
    expect(figureAsked("what's the average salary for an ML engineer?")).toBe('money');
    expect(figureAsked('median pay of a data scientist')).toBe('money');
  });

  it('reads degrees, reasons and ways as asking for prose', () => {
    for (const q of ['How much math do I need for ML?', 'Are ML engineering jobs well paid?', 'How do I become an ML engineer?', 'Why is the average pooled embedding used?', 'What does mean reciprocal rank measure?']) {
      expect(figureAsked(q), q).toBeUndefined();
    }
  });
});

describe('statesFigure', () => {
  it('finds any number for a count, not the word "one"', () => {
    expect(statesFigure('I practiced with around 350 problems.', 'count')).toBe(true);
    expect(statesFigure('Never tag more than three people.', 'count')).toBe(true);
    expect(statesFigure('ML engineering remains one of the most exciting paths.', 'count')).toBe(false);
    expect(statesFigure('Those who learn ML can secure high-paying jobs.', 'count')).toBe(false);
  });

  it('wants a currency for money and a unit for a span', () => {
    expect(statesFigure('The median is $150k in the U.S.', 'money')).toBe(true);
    expect(statesFigure('It costs 9 dollars a month.', 'money')).toBe(true);
    expect(statesFigure('Chapter 4 has 12 sections.', 'money')).toBe(false);
    expect(statesFigure('The link works for up to 72 hours.', 'duration')).toBe(true);
    expect(statesFigure('Links expire after 72h.', 'duration')).toBe(true);
    expect(statesFigure('Version 2.1 of the library.', 'duration')).toBe(false);
  });
});
