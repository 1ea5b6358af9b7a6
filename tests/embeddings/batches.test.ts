import { describe, expect, it } from 'vitest';
import { embedInBatches } from '../../src/embeddings/batches.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';

const texts = Array.from({ length: 37 }, (_, i) => `text ${i} ${'word '.repeat((i * 5) % 11)}`.trim());

describe('embedInBatches', () => {
  it('embeds in batches of similar length and returns the vectors in input order, with progress', async () => {
    const fake = new FakeEmbedder();
    const batches: string[][] = [];
    const progress: number[] = [];
    const vectors = await embedInBatches([(b) => (batches.push([...b]), fake.embed(b))], texts, { batchSize: 8, onProgress: (d) => progress.push(d) });
    expect(vectors).toEqual(texts.map((t) => fake.vectorOf(t)));
    expect(batches.map((b) => b.length)).toEqual([8, 8, 8, 8, 5]);
    // Sorted by length: no batch holds a text shorter than one of an earlier batch.
    for (let i = 1; i < batches.length; i++) {
      expect(Math.min(...batches[i]!.map((t) => t.length))).toBeGreaterThanOrEqual(Math.max(...batches[i - 1]!.map((t) => t.length)));
    }
    expect(progress).toEqual([8, 16, 24, 32, 37]);
  });

  it('puts long texts in smaller batches, so no batch pads to more than the character budget', async () => {
    const fake = new FakeEmbedder();
    const mixed = [...Array.from({ length: 10 }, (_, i) => `short ${i}`), ...Array.from({ length: 6 }, (_, i) => `long ${i} ${'x'.repeat(500)}`)];
    const batches: string[][] = [];
    const vectors = await embedInBatches([(b) => (batches.push([...b]), fake.embed(b))], mixed, { batchSize: 8, maxPaddedChars: 1_600 });
    expect(vectors).toEqual(mixed.map((t) => fake.vectorOf(t)));
    expect(batches.map((b) => b.length)).toEqual([8, 3, 3, 2]);
    for (const b of batches) expect(b.length * Math.max(...b.map((t) => t.length))).toBeLessThanOrEqual(1_600);
  });

  it('shares the batches between lanes, each taking the next one when free', async () => {
    const fake = new FakeEmbedder();
    const taken = { fast: 0, slow: 0 };
    const lane = (name: keyof typeof taken, ms: number) => async (batch: readonly string[]) => {
      taken[name]++;
      await new Promise((resolve) => setTimeout(resolve, ms));
      return fake.embed(batch);
    };
    const vectors = await embedInBatches([lane('fast', 1), lane('slow', 40)], texts, { batchSize: 8 });
    expect(vectors).toEqual(texts.map((t) => fake.vectorOf(t)));
    expect(taken.slow).toBeGreaterThanOrEqual(1);
    expect(taken.fast).toBeGreaterThan(taken.slow);
    expect(taken.fast + taken.slow).toBe(5);
  });

  it('fails when a lane fails, and the other lanes stop taking batches', async () => {
    const fake = new FakeEmbedder();
    let healthyBatches = 0;
    const failing = async () => {
      throw new Error('lane broke');
    };
    const healthy = async (batch: readonly string[]) => {
      healthyBatches++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return fake.embed(batch);
    };
    await expect(embedInBatches([failing, healthy], texts)).rejects.toThrow('lane broke');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(healthyBatches).toBe(1);
  });
});
