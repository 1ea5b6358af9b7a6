import { describe, expect, it } from 'vitest';
import { asksForFigure, statesFigure } from '../../src/answer/answer-type.ts';

describe('asksForFigure', () => {
  it('reads counts, durations, sizes and money as asking for a figure', () => {
    for (const q of [
      'how many leetcode problems should i grind?',
      'How long will the public link keep working?',
      'how much does a PRO subscription cost per month?',
      'How much money has the company raised?',
      "what's the average salary for an ML engineer?",
      'median pay of a data scientist',
    ]) {
      expect(asksForFigure(q), q).toBe(true);
    }
  });

  it('reads degrees, reasons and ways as asking for prose', () => {
    for (const q of ['How much math do I need for ML?', 'Are ML engineering jobs well paid?', 'How do I become an ML engineer?', 'Why is the average pooled embedding used?', 'What does mean reciprocal rank measure?']) {
      expect(asksForFigure(q), q).toBe(false);
    }
  });
});

describe('statesFigure', () => {
  it('finds digits and numbers written as words, not the word "one"', () => {
    expect(statesFigure('I practiced with around 350 problems.')).toBe(true);
    expect(statesFigure('Never tag more than three people.')).toBe(true);
    expect(statesFigure('Salaries reach hundreds of thousands.')).toBe(true);
    expect(statesFigure('ML engineering remains one of the most exciting paths.')).toBe(false);
    expect(statesFigure('Those who learn ML can secure high-paying jobs.')).toBe(false);
  });
});
