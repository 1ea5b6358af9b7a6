/**
 * Integration: embedding on the build worker thread with the real USE-lite model gives the
 * vectors the main thread's copy of the model gives, in input order, with progress on the way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { embedInBatches } from '../../src/embeddings/batches.ts';
import { createEmbedder } from '../../src/embeddings/embedder.ts';
import { BuildWorker } from '../../src/engine/build-worker.ts';

const worker = new BuildWorker({ embedder: 'use-lite' });
afterAll(() => worker.dispose());

// Lengths vary on purpose: the batches are sorted by length, the results must not be.
const texts = Array.from({ length: 21 }, (_, i) =>
  `Passage ${i}: ${'machine learning engineers deploy models '.repeat(1 + ((i * 7) % 5))}and note ${i * 13}.`,
);

describe('BuildWorker with USE-lite', () => {
  it('embeds on its thread exactly as in-process, in input order, reporting progress per batch', async () => {
    const progress: number[] = [];
    const fromThread = await worker.embed(texts, (done) => progress.push(done));
    const here = await createEmbedder({ embedder: 'use-lite' });
    const fromHere = await embedInBatches(here, texts);

    expect(fromThread).toHaveLength(texts.length);
    fromThread.forEach((v, i) => {
      expect(v.length).toBe(512);
      const maxDiff = Math.max(...v.map((x, d) => Math.abs(x - fromHere[i]![d]!)));
      expect(maxDiff, `passage ${i}`).toBeLessThan(1e-5);
    });
    expect(progress.length).toBeGreaterThan(2);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(texts.length);
  });
});
