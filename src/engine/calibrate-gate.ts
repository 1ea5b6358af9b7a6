import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { embeddingModelKey, type Embedder } from '../embeddings/embedder.ts';
import { sha256 } from '../ingest/load.ts';
import type { EmbeddingCache } from '../state/types.ts';
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

async function embedProbes(embedder: Embedder, shared: EmbeddingCache | undefined): Promise<Float32Array[]> {
  const probes = offTopicProbes();
  const model = embeddingModelKey(embedder);
  const keys = probes.map((p) => sha256(p));
  // Another host (sharing DATABASE_URL) may have embedded them already.
  const known = (await shared?.get(model, keys)) ?? new Map<string, Float32Array>();
  const vectors = keys.map((k) => known.get(k));
  const missing = vectors.flatMap((v, i) => (v?.length === embedder.dim ? [] : [i]));
  for (let at = 0; at < missing.length; at += PROBE_BATCH) {
    const batch = missing.slice(at, at + PROBE_BATCH);
    const fresh = await embedder.embed(batch.map((i) => probes[i]!));
    batch.forEach((i, k) => (vectors[i] = fresh[k]!));
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (missing.length > 0) await shared?.put(model, new Map(missing.map((i) => [keys[i]!, vectors[i]!])));
  return vectors as Float32Array[];
}

/**
 * Probe vectors kept beside the base index, so a start-up with a persisted index embeds nothing:
 * the file is named by the model and the probes' text, and anything unreadable is recomputed.
 */
async function cachedProbeVectors(embedder: Embedder, cacheDir: string | undefined, shared: EmbeddingCache | undefined): Promise<Float32Array[]> {
  const probes = offTopicProbes();
  const key = createHash('sha256').update(`${embedder.name}\n${embedder.dim}\n${probes.join('\n')}`).digest('hex').slice(0, 16);
  const file = cacheDir === undefined ? undefined : path.join(cacheDir, `probe-vectors-${key}.f32`);
  if (file !== undefined) {
    const bytes = await readFile(file).catch(() => undefined);
    if (bytes && bytes.byteLength === probes.length * embedder.dim * 4) {
      const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      return probes.map((_, i) => all.slice(i * embedder.dim, (i + 1) * embedder.dim));
    }
  }
  const vectors = await embedProbes(embedder, shared);
  if (file !== undefined) {
    const all = new Float32Array(probes.length * embedder.dim);
    vectors.forEach((v, i) => all.set(v, i * embedder.dim));
    // Best effort: a cache that cannot be written costs one more embedding at the next start.
    await mkdir(cacheDir!, { recursive: true })
      .then(() => writeFile(`${file}.tmp`, new Uint8Array(all.buffer)))
      .then(() => rename(`${file}.tmp`, file))
      .catch(() => undefined);
  }
  return vectors;
}

function vectorsOf(embedder: Embedder, cacheDir: string | undefined, shared: EmbeddingCache | undefined): Promise<Float32Array[]> {
  let vectors = probeVectors.get(embedder);
  if (!vectors) {
    vectors = cachedProbeVectors(embedder, cacheDir, shared);
    probeVectors.set(embedder, vectors);
    vectors.catch(() => probeVectors.delete(embedder));
  }
  return vectors;
}

/** Where probe vectors may already be: a file beside the base index, and the shared embedding cache. */
interface ProbeCaches {
  probeCacheDir?: string | undefined;
  embeddingCache?: EmbeddingCache | undefined;
}

/** The evidence each off-topic probe finds in `index` (cached per index). */
function evidenceOf(index: Searchable, embedder: Embedder, settings: RetrievalSettings, cache: ProbeCaches): Promise<Evidence[]> {
  let evidence = probeEvidence.get(index);
  if (!evidence) {
    const probes = offTopicProbes();
    evidence = vectorsOf(embedder, cache.probeCacheDir, cache.embeddingCache).then((vectors) => vectors.map((v, i) => retrieve(index, v, probes[i]!, settings).evidence));
    probeEvidence.set(index, evidence);
    evidence.catch(() => probeEvidence.delete(index));
  }
  return evidence;
}

/**
 * Asks the off-topic probes against this knowledge: the gate's threshold is what they score. With
 * `more` (a server's index), against both together, as a question in that server is answered.
 */
export async function calibrateGate(
  index: Searchable,
  embedder: Embedder,
  settings: RetrievalSettings,
  options: { more?: Searchable | undefined } & ProbeCaches = {},
): Promise<GateCalibration> {
  const base = await evidenceOf(index, embedder, settings, options);
  if (options.more === undefined) return calibrate(base.map(evidenceScore));
  const extra = await evidenceOf(options.more, embedder, settings, options);
  return calibrate(base.map((e, i) => evidenceScore(combineEvidence([e, extra[i]!]))));
}
