import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEmbedder } from '../../src/embeddings/embedder.ts';
import { BuildWorker } from '../../src/engine/build-worker.ts';
import { SHARED_DIR } from '../support/temp.ts';

describe('EMBEDDER=minilm', () => {
  it('fails with one line naming the missing weights file and where it looked (tokenizer-only folder)', async () => {
    const modelDir = path.join(SHARED_DIR, 'models');
    const error = await createEmbedder({ embedder: 'minilm', modelDir }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_FILE_MISSING' });
    const message = (error as Error).message;
    expect(message).toContain(path.join('Xenova', 'all-MiniLM-L6-v2', 'onnx', 'model_quantized.onnx'));
    expect(message).toContain(modelDir);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('reports the same from the build worker thread, which loads the model from the same MODEL_DIR', async () => {
    const modelDir = path.join(SHARED_DIR, 'models');
    const worker = new BuildWorker({ embedder: 'minilm', modelDir });
    try {
      const error = await worker.embed(['a passage']).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'MODEL_FILE_MISSING' });
      expect((error as Error).message).toContain(modelDir);
    } finally {
      await worker.dispose();
    }
  });

  it('asks for MODEL_DIR when it is not set', async () => {
    await expect(createEmbedder({ embedder: 'minilm' })).rejects.toMatchObject({ code: 'MODEL_DIR_MISSING' });
  });
});
