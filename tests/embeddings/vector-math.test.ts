import { describe, expect, it } from 'vitest';
import { cosine, dot } from '../../src/embeddings/embedder.ts';

function oneSum(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe('dot', () => {
  it('equals the plain sum of products for every length, including those not a multiple of four', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 7, 8, 9, 511, 512]) {
      const a = Float32Array.from({ length }, (_, i) => Math.sin(i + 1));
      const b = Float32Array.from({ length }, (_, i) => Math.cos(3 * i));
      expect(dot(a, b)).toBeCloseTo(oneSum(a, b), 10);
    }
  });

  it('is the cosine of unit vectors', () => {
    const a = Float32Array.from([3, 4, 0, 0, 0]).map((x) => x / 5);
    const b = Float32Array.from([0, 0.6, 0.8, 0, 0]);
    expect(dot(a, b)).toBeCloseTo(cosine(a, b), 6);
    expect(dot(a, a)).toBeCloseTo(1, 6);
  });
});
