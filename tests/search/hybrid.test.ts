import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRIEVAL, fuseAndGate } from '../../src/search/hybrid.ts';

const settings = { ...DEFAULT_RETRIEVAL, minConfidence: 0.4, maxDropFromBest: 0.1, maxPassages: 3 };

describe('fuseAndGate', () => {
  it('refuses when the best dense similarity is under the bar, however strong the lexical match', () => {
    const r = fuseAndGate([{ label: 0, similarity: 0.39 }], [{ label: 0, score: 50 }], settings);
    expect(r.confident).toBe(false);
    expect(r.selected).toEqual([]);
    expect(r.confidence).toBeCloseTo(0.39);
  });

  it('answers at the bar and keeps only passages close to the best one', () => {
    const r = fuseAndGate(
      [
        { label: 0, similarity: 0.7 },
        { label: 1, similarity: 0.65 },
        { label: 2, similarity: 0.5 },
      ],
      [],
      settings,
    );
    expect(r.confident).toBe(true);
    expect(r.selected.map((p) => p.label)).toEqual([0, 1]);
  });

  it('ranks a passage found by both indexes above one found by a single index', () => {
    const r = fuseAndGate(
      [
        { label: 1, similarity: 0.8 },
        { label: 2, similarity: 0.79 },
      ],
      [
        { label: 2, score: 9 },
        { label: 3, score: 5 },
      ],
      settings,
    );
    expect(r.ranked[0]!.label).toBe(2);
    expect(r.ranked.map((p) => p.label)).toContain(3);
  });

  it('caps the number of passages', () => {
    const dense = [0, 1, 2, 3, 4].map((label) => ({ label, similarity: 0.9 - label * 0.01 }));
    expect(fuseAndGate(dense, [], settings).selected).toHaveLength(3);
  });
});
