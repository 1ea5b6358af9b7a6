import type { Embedder } from '../embeddings/embedder.ts';
import { calibrate, evidenceScore, type GateCalibration } from '../search/gate.ts';
import { offTopicProbes } from '../search/probes.ts';
import { retrieve, type RetrievalSettings, type Searchable } from '../search/retrieve.ts';

/** Probe vectors depend only on the model, so each embedder computes them once per process. */
const probeVectors = new WeakMap<Embedder, Promise<Float32Array[]>>();

/** Small batches, so a calibration running beside live answers never holds the thread for long. */
const PROBE_BATCH = 8;

async function embedProbes(embedder: Embedder): Promise<Float32Array[]> {
  const probes = offTopicProbes();
  const vectors: Float32Array[] = [];
  for (let i = 0; i < probes.length; i += PROBE_BATCH) {
    vectors.push(...(await embedder.embed(probes.slice(i, i + PROBE_BATCH))));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return vectors;
}

/** Asks the off-topic probes against this knowledge: the gate's threshold is what they score. */
export async function calibrateGate(index: Searchable, embedder: Embedder, settings: RetrievalSettings): Promise<GateCalibration> {
  let vectors = probeVectors.get(embedder);
  if (!vectors) {
    vectors = embedProbes(embedder);
    probeVectors.set(embedder, vectors);
    vectors.catch(() => probeVectors.delete(embedder));
  }
  const probes = offTopicProbes();
  const resolved = await vectors;
  return calibrate(resolved.map((v, i) => evidenceScore(retrieve(index, v, probes[i]!, settings).evidence)));
}
