/**
 * Integration: the process's one copy of USE-lite on its own thread, shared by questions and
 * builds (a reindex embeds there one passage per request instead of loading a second copy).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedInBatches } from '../../src/embeddings/batches.ts';
import { createEmbedder } from '../../src/embeddings/embedder.ts';
import { BuildWorker } from '../../src/engine/build-worker.ts';
import { ThreadEmbedder } from '../../src/engine/thread-embedder.ts';

const texts = Array.from({ length: 12 }, (_, i) => `Passage ${i}: ${'engineers deploy and monitor models in production '.repeat(1 + (i % 4))}`);

let model: ThreadEmbedder;
let build: BuildWorker;
beforeAll(async () => {
  model = await ThreadEmbedder.start({ embedder: 'use-lite' });
  build = new BuildWorker({ embedder: 'use-lite' }, { embedder: model });
});
afterAll(async () => {
  await build.dispose();
  await model.dispose();
});

describe('ThreadEmbedder', () => {
  it('names the model and gives the vectors an in-process copy gives', async () => {
    expect(model.name).toBe('use-lite');
    expect(model.dim).toBe(512);
    const here = await createEmbedder({ embedder: 'use-lite' });
    const [fromThread, fromHere] = [await model.embed(texts.slice(0, 3)), await here.embed(texts.slice(0, 3))];
    fromThread.forEach((v, i) => expect(Math.max(...v.map((x, d) => Math.abs(x - fromHere[i]![d]!)))).toBeLessThan(1e-5));
  });

  it('answers a question sent during a build before the build is done', async () => {
    const order: string[] = [];
    const progress: number[] = [];
    const bulk = build.embed(texts, (done) => progress.push(done)).then((vectors) => {
      order.push('build');
      return vectors;
    });
    // Once the build has embedded its first passage, a question joins the thread's queue.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => progress.length > 0 && (clearInterval(poll), resolve()), 1);
    });
    const [question] = await model.embed(['how do engineers monitor models?']);
    order.push('question');
    const vectors = await bulk;
    expect(order).toEqual(['question', 'build']);
    expect(question).toHaveLength(512);
    expect(vectors).toHaveLength(texts.length);
    // One passage per request on the shared thread: progress moves one at a time.
    expect(progress).toEqual(texts.map((_, i) => i + 1));
    const reference = await embedInBatches(await createEmbedder({ embedder: 'use-lite' }), texts);
    vectors.forEach((v, i) => expect(Math.max(...v.map((x, d) => Math.abs(x - reference[i]![d]!)))).toBeLessThan(1e-5));
  });

  it('fails to start with the model loader\'s own error', async () => {
    await expect(ThreadEmbedder.start({ embedder: 'minilm' })).rejects.toMatchObject({ code: 'MODEL_DIR_MISSING' });
  });
});
