import { describe, expect, it } from 'vitest';
import { asksForList } from '../../src/answer/select.ts';
import { calibrate, evidenceScore, passesGate } from '../../src/search/gate.ts';

describe('the gate', () => {
  it('sets the threshold at the 97th percentile of what the probes scored', () => {
    const scores = Array.from({ length: 101 }, (_, i) => i);
    expect(calibrate(scores)).toEqual({ threshold: 97, probes: 101, probeMedian: 50, probeMax: 100 });
  });

  it('answers only evidence that scores above the probes', () => {
    const calibration = calibrate([evidenceScore({ dense: 0.4, lexical: 0.5, known: 0.5 })]);
    expect(passesGate({ dense: 0.6, lexical: 2, known: 1 }, calibration)).toBe(true);
    expect(passesGate({ dense: 0.4, lexical: 0.5, known: 0.5 }, calibration)).toBe(false);
  });
});

describe('asksForList', () => {
  it('reads the question form, not the headings it matches', () => {
    for (const q of ['What skills do I need?', 'Which industries are hiring ML engineers?', 'What are the steps?', 'List the modules', 'which cloud platforms help?']) {
      expect(asksForList(q), q).toBe(true);
    }
    for (const q of ['What math do ML engineers use?', 'Is healthcare hiring?', 'What is the kv cache?', 'How does this work?', 'what goes in the query understanding step?']) {
      expect(asksForList(q), q).toBe(false);
    }
  });
});
