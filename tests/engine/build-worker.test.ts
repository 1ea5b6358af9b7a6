/**
 * BuildWorker: the build's heavy steps on a worker thread (here without a model: the HNSW graph
 * and the BM25 index; embedding through the thread is in tests/integration/build-worker.test.ts).
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inProcessBuildWork } from '../../src/engine/build-work.ts';
import { BuildWorker } from '../../src/engine/build-worker.ts';
import { LexicalIndex, type LexicalDoc } from '../../src/search/lexical-index.ts';
import { VectorIndex } from '../../src/search/vector-index.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { tempDir } from '../support/temp.ts';

const config = { embedder: 'use-lite' as const };
const texts = [
  'Banks use fraud detection models every day.',
  'Data engineers earn good salaries in most countries.',
  'Docker packages an application in a container.',
  'Git keeps the history of every project.',
  'Remote work is common for engineers.',
];
const docs: LexicalDoc[] = texts.map((text, label) => ({ label, heading: `Section ${label}`, text }));
const fake = new FakeEmbedder(16);
const vectors = texts.map((t) => fake.vectorOf(t));

let worker: BuildWorker | undefined;
afterEach(async () => {
  await worker?.dispose();
  worker = undefined;
});

describe('BuildWorker', () => {
  it('writes the same HNSW graph and BM25 index on its thread as in-process work does', async () => {
    worker = new BuildWorker(config);
    const dir = await tempDir('mlbot-worker-');
    await worker.writeVectorIndex(vectors, 16, path.join(dir, 'thread.bin'));
    await inProcessBuildWork(fake).writeVectorIndex(vectors, 16, path.join(dir, 'here.bin'));
    const fromThread = VectorIndex.load(path.join(dir, 'thread.bin'), 16, texts.length);
    const fromHere = VectorIndex.load(path.join(dir, 'here.bin'), 16, texts.length);
    for (const v of vectors) expect(fromThread.search(v, 3)).toEqual(fromHere.search(v, 3));

    const lexical = LexicalIndex.fromJSON(await worker.lexicalJson(docs));
    expect(lexical.search('fraud banks', 2)).toEqual(LexicalIndex.build(docs).search('fraud banks', 2));
    expect(lexical.search('fraud banks', 2)[0]!.label).toBe(0);
  });

  it('fails what is in flight when it is stopped, and starts a new thread for the next request', async () => {
    worker = new BuildWorker(config);
    const inFlight = expect(worker.lexicalJson(docs)).rejects.toMatchObject({ code: 'BUILD_WORKER_FAILED' });
    await worker.dispose();
    await inFlight;
    expect(JSON.parse(await worker.lexicalJson(docs))).toBeTypeOf('object');
  });

  it('fails every request with BUILD_WORKER_FAILED when its thread dies', async () => {
    worker = new BuildWorker(config, { entry: new URL('../support/crashing-build-worker.ts', import.meta.url) });
    await expect(worker.lexicalJson(docs)).rejects.toMatchObject({
      code: 'BUILD_WORKER_FAILED',
      message: 'The index build worker thread failed: it exited with code 70.',
    });
  });

  it('names its failures as the thread hosting the model when it is that thread', async () => {
    worker = new BuildWorker(config, { entry: new URL('../support/crashing-build-worker.ts', import.meta.url), failureCode: 'MODEL_THREAD_FAILED' });
    await expect(worker.embed(['a question'])).rejects.toMatchObject({
      code: 'MODEL_THREAD_FAILED',
      message: "The embedding model's thread failed: it exited with code 70.",
    });
  });

  it('embeds on the given embedder one text per request, starting no thread of its own for it', async () => {
    const shared = new FakeEmbedder(16);
    worker = new BuildWorker(config, { embedder: shared, entry: new URL('../support/crashing-build-worker.ts', import.meta.url) });
    const progress: number[] = [];
    const embedded = await worker.embed(texts, (done) => progress.push(done));
    expect(embedded).toEqual(texts.map((t) => shared.vectorOf(t)));
    expect(shared.calls).toBe(texts.length);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses vectors of the wrong dimension before sending them', async () => {
    worker = new BuildWorker(config);
    const dir = await tempDir('mlbot-worker-');
    await expect(worker.writeVectorIndex([new Float32Array(8)], 16, path.join(dir, 'bad.bin'))).rejects.toMatchObject({ code: 'DIMENSION_MISMATCH' });
  });

  it('passes a failure inside the thread on with its error code, and keeps serving', async () => {
    // minilm without MODEL_DIR: the thread's createEmbedder refuses it.
    worker = new BuildWorker({ embedder: 'minilm' });
    await expect(worker.embed(['a passage'])).rejects.toMatchObject({ code: 'MODEL_DIR_MISSING', message: expect.stringMatching(/needs MODEL_DIR/) });
    expect(JSON.parse(await worker.lexicalJson(docs))).toBeTypeOf('object');
  });
});
