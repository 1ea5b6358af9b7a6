import { describe, expect, it } from 'vitest';
import { embedForBuild, embedInBatches, SECOND_MODEL_FROM } from '../../src/embeddings/batches.ts';
import type { Embedder } from '../../src/embeddings/embedder.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';

const texts = Array.from({ length: 37 }, (_, i) => `text ${i} ${'word '.repeat((i * 5) % 11)}`.trim());

/** The fake embedder, recording the batches it is given. */
function recording(): { embedder: Embedder; fake: FakeEmbedder; batches: string[][] } {
  const fake = new FakeEmbedder();
  const batches: string[][] = [];
  const embedder: Embedder = { name: fake.name, dim: fake.dim, embed: (b) => (batches.push([...b]), fake.embed(b)) };
  return { embedder, fake, batches };
}

describe('embedInBatches', () => {
  it('embeds in batches of similar length and returns the vectors in input order, with progress', async () => {
    const { embedder, fake, batches } = recording();
    const progress: number[] = [];
    const vectors = await embedInBatches(embedder, texts, { batchSize: 8, onProgress: (d) => progress.push(d) });
    expect(vectors).toEqual(texts.map((t) => fake.vectorOf(t)));
    expect(batches.map((b) => b.length)).toEqual([8, 8, 8, 8, 5]);
    // Sorted by length: no batch holds a text shorter than one of an earlier batch.
    for (let i = 1; i < batches.length; i++) {
      expect(Math.min(...batches[i]!.map((t) => t.length))).toBeGreaterThanOrEqual(Math.max(...batches[i - 1]!.map((t) => t.length)));
    }
    expect(progress).toEqual([8, 16, 24, 32, 37]);
  });

  it('puts long texts in smaller batches, so no batch pads to more than the character budget', async () => {
    const { embedder, fake, batches } = recording();
    const mixed = [...Array.from({ length: 10 }, (_, i) => `short ${i}`), ...Array.from({ length: 6 }, (_, i) => `long ${i} ${'x'.repeat(500)}`)];
    const vectors = await embedInBatches(embedder, mixed, { batchSize: 8, maxPaddedChars: 1_600 });
    expect(vectors).toEqual(mixed.map((t) => fake.vectorOf(t)));
    expect(batches.map((b) => b.length)).toEqual([8, 3, 3, 2]);
    for (const b of batches) expect(b.length * Math.max(...b.map((t) => t.length))).toBeLessThanOrEqual(1_600);
  });

  it('lets other work run between batches', async () => {
    const { embedder } = recording();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const slow: Embedder = {
      ...embedder,
      embed: async (b) => {
        const until = Date.now() + 3; // a batch that keeps the thread busy
        while (Date.now() < until);
        return embedder.embed(b);
      },
    };
    await embedInBatches(slow, texts, { batchSize: 4 });
    clearInterval(ticker);
    expect(ticks).toBeGreaterThanOrEqual(5);
  });

  it('fails with the embedder’s error, and when it returns the wrong number of vectors', async () => {
    const { embedder } = recording();
    await expect(embedInBatches({ ...embedder, embed: async () => Promise.reject(new Error('model broke')) }, texts)).rejects.toThrow('model broke');
    await expect(embedInBatches({ ...embedder, embed: async () => [] }, texts)).rejects.toThrow(/0 vectors came back for \d+ texts/);
  });
});

describe('embedForBuild', () => {
  /** A second model thread: the fake, counting the batches it embeds and the times it is stopped. */
  function secondModel(fails = false): { embedder: Pick<Embedder, 'embed' | 'dispose'>; batches: () => number; stops: () => number } {
    const fake = new FakeEmbedder();
    let batches = 0;
    let stops = 0;
    return {
      embedder: {
        embed: async (b) => {
          batches++;
          if (fails) throw new Error('the second thread died');
          return fake.embed(b);
        },
        dispose: async () => void stops++,
      },
      batches: () => batches,
      stops: () => stops,
    };
  }
  const many = Array.from({ length: SECOND_MODEL_FROM + 16 }, (_, i) => `passage ${i} ${'word '.repeat(i % 9)}`);

  it('embeds a long build on both models, then stops the second one', async () => {
    const { embedder, fake } = recording();
    const second = secondModel();
    const vectors = await embedForBuild(embedder, 1, second.embedder, many);
    expect(vectors).toEqual(many.map((t) => fake.vectorOf(t)));
    expect(second.batches()).toBeGreaterThan(0);
    expect(second.stops()).toBe(1);
  });

  it('leaves the second model alone for a short build', async () => {
    const { embedder } = recording();
    const second = secondModel();
    await embedForBuild(embedder, 1, second.embedder, texts);
    expect(second.batches()).toBe(0);
    expect(second.stops()).toBe(0);
  });

  it('stops the second model when it failed too, and the first finishes the work', async () => {
    const { embedder, fake } = recording();
    const second = secondModel(true);
    expect(await embedForBuild(embedder, 1, second.embedder, many)).toEqual(many.map((t) => fake.vectorOf(t)));
    expect(second.stops()).toBe(1);
  });
});
