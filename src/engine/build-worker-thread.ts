/**
 * The worker thread behind BuildWorker: loads the configured embedder (only when there is
 * something to embed) and runs the build's heavy steps one request at a time. The index
 * libraries are imported only by a thread that builds indexes: a model thread starts sooner.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { embedInBatches } from '../embeddings/batches.ts';
import { createEmbedder, type Embedder } from '../embeddings/embedder.ts';
import { BotError, errorMessage } from '../errors.ts';
import { packVectors, unpackVectors, type WorkerReply, type WorkerRequest, type BuildWorkerData } from './build-worker-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('build-worker-thread.ts runs only as a worker thread');
const { embedder: config } = workerData as BuildWorkerData;

let embedder: Promise<Embedder> | undefined;
function loadEmbedder(): Promise<Embedder> {
  embedder ??= createEmbedder(config).catch((error: unknown) => {
    embedder = undefined; // the next request tries again
    throw error;
  });
  return embedder;
}

const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

async function handle(request: WorkerRequest): Promise<void> {
  const { id } = request;
  try {
    switch (request.type) {
      case 'embed': {
        const model = await loadEmbedder();
        const vectors = await embedInBatches(model, request.texts, { onProgress: (done) => reply({ id, type: 'progress', done }) });
        const packed = packVectors(vectors, model.dim);
        reply({ id, type: 'embedded', vectors: packed, dim: model.dim }, [packed.buffer as ArrayBuffer]);
        return;
      }
      case 'vector-index': {
        const { writeVectorIndexFile } = await import('./build-work.ts');
        writeVectorIndexFile(unpackVectors(request.vectors, request.dim), request.dim, request.file);
        reply({ id, type: 'done' });
        return;
      }
      case 'lexical': {
        const { serializedLexicalIndex } = await import('./build-work.ts');
        reply({ id, type: 'done', json: serializedLexicalIndex(request.docs) });
        return;
      }
    }
  } catch (error) {
    reply({ id, type: 'failed', ...(error instanceof BotError && { code: error.code }), message: errorMessage(error) });
  }
}

// One request at a time, in order: a build sends its steps one after another anyway.
let queue = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  queue = queue.then(() => handle(request));
});
