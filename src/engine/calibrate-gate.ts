import type { Embedder } from '../embeddings/embedder.ts';
import { calibrate, evidenceScore, type Evidence, type GateCalibration } from '../search/gate.ts';
import { offTopicProbes } from '../search/probes.ts';
import { retrieve, type RetrievalSettings, type Searchable } from '../search/retrieve.ts';
import { combineEvidence } from './merged-retrieval.ts';

/** Probe vectors depend only on the model, so each embedder computes them once per process. */
const probeVectors = new WeakMap<Embedder, Promise<Float32Array[]>>();

/**
 * What the probes score against one index, kept while that index lives: a server's gate is measured
 * against the base and the server together, and the base's half of that never changes between
 * servers, so each server's calibration only searches its own (small) index.
 */
const probeEvidence = new WeakMap<Searchable, Promise<Evidence[]>>();

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

function vectorsOf(embedder: Embedder): Promise<Float32Array[]> {
  let vectors = probeVectors.get(embedder);
  if (!vectors) {
    vectors = embedProbes(embedder);
    probeVectors.set(embedder, vectors);
    vectors.catch(() => probeVectors.delete(embedder));
  }
  return vectors;
}

/** The evidence each off-topic probe finds in `index` (cached per index). */
function evidenceOf(index: Searchable, embedder: Embedder, settings: RetrievalSettings): Promise<Evidence[]> {
  let evidence = probeEvidence.get(index);
  if (!evidence) {
    const probes = offTopicProbes();
    evidence = vectorsOf(embedder).then((vectors) => vectors.map((v, i) => retrieve(index, v, probes[i]!, settings).evidence));
    probeEvidence.set(index, evidence);
    evidence.catch(() => probeEvidence.delete(index));
  }
  return evidence;
}

/**
 * Asks the off-topic probes against this knowledge: the gate's threshold is what they score. With
 * `more` (a server's index), against both together, as a question in that server is answered.
 */
export async function calibrateGate(index: Searchable, embedder: Embedder, settings: RetrievalSettings, more?: Searchable): Promise<GateCalibration> {
  const base = await evidenceOf(index, embedder, settings);
  if (more === undefined) return calibrate(base.map(evidenceScore));
  const extra = await evidenceOf(more, embedder, settings);
  return calibrate(base.map((e, i) => evidenceScore(combineEvidence([e, extra[i]!]))));
}
