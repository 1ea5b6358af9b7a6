import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { embeddingModelKey, type Embedder } from '../embeddings/embedder.ts';
import { sha256 } from '../hash.ts';
import { documentNull, evidenceScore, EVIDENCE_WEIGHTS, NULL_SD_FLOOR, type DocumentNull, type GateCalibration } from '../search/gate.ts';
import { TERM_RULES_VERSION } from '../search/lexical-index.ts';
import { offTopicProbes } from '../search/probes.ts';
import { documentEvidence, type Searchable } from '../search/retrieve.ts';
import { contentTerms } from '../search/term-stats.ts';
import type { EmbeddingCache } from '../state/types.ts';

/** Probe vectors depend only on the model, so each embedder computes them once per process. */
const probeVectors = new WeakMap<Embedder, Promise<Float32Array[]>>();

/**
 * Each index's document nulls, kept while that index lives: a server's gate uses the base's and its
 * own, and the base's never change between servers, so a server's calibration only measures its own
 * (small) index.
 */
const documentNulls = new WeakMap<Searchable, Promise<DocumentNull>>();

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

/** Where probe vectors may already be: a file beside the base index, and the shared embedding cache. */
interface ProbeCaches {
  probeCacheDir?: string | undefined;
  embeddingCache?: EmbeddingCache | undefined;
}

/**
 * What the off-topic probes score against each document of `index`: every probe's evidence
 * against every document, reduced to each document's mean and deviation. Kept while the index
 * lives, and for the base on disk beside its index (`document-null.json`, named by the index's
 * generation and everything the figures depend on), so a start-up with a persisted index
 * measures nothing.
 */
function nullOf(index: Searchable, embedder: Embedder, caches: ProbeCaches, fileKey: string | undefined): Promise<DocumentNull> {
  let result = documentNulls.get(index);
  if (!result) {
    result = cachedNull(index, embedder, caches, fileKey);
    documentNulls.set(index, result);
    result.catch(() => documentNulls.delete(index));
  }
  return result;
}

async function cachedNull(index: Searchable, embedder: Embedder, caches: ProbeCaches, fileKey: string | undefined): Promise<DocumentNull> {
  const cacheDir = caches.probeCacheDir;
  const file = cacheDir !== undefined && fileKey !== undefined ? path.join(cacheDir, NULL_FILE) : undefined;
  const key = fileKey === undefined ? undefined : nullKey(embedder, fileKey);
  if (file !== undefined) {
    const stored = await readFile(file, 'utf8')
      .then((text) => StoredNull.safeParse(JSON.parse(text)))
      .catch(() => undefined);
    if (stored?.success && stored.data.key === key && stored.data.mean.length === index.documents.size && stored.data.sd.length === index.documents.size) {
      return { mean: Float64Array.from(stored.data.mean), sd: Float64Array.from(stored.data.sd) };
    }
  }
  const vectors = await vectorsOf(embedder, cacheDir, caches.embeddingCache);
  const probes = offTopicProbes();
  const all = index.documents.labels.map((_, doc) => doc);
  const scores: Float64Array[] = [];
  for (let i = 0; i < probes.length; i++) {
    const question = probes[i]!;
    const evidence = documentEvidence(index, vectors[i]!, contentTerms(question), index.lexical.search(question, Infinity), all);
    scores.push(Float64Array.from(evidence, (e) => evidenceScore(e.evidence)));
    // A calibration beside live answers never holds the thread for long.
    if (i % PROBE_BATCH === PROBE_BATCH - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  const measured = documentNull(scores, index.documents.size);
  if (file !== undefined) {
    // Best effort: a cache that cannot be written costs one more measurement at the next start.
    const json = JSON.stringify({ key, mean: [...measured.mean], sd: [...measured.sd] });
    await writeFile(`${file}.tmp`, json)
      .then(() => rename(`${file}.tmp`, file))
      .catch(() => undefined);
  }
  return measured;
}

const NULL_FILE = 'document-null.json';
const StoredNull = z.object({ key: z.string(), mean: z.array(z.number()), sd: z.array(z.number()) });

/** Everything a stored null depends on besides the index itself: the model, the probes, the evidence and its terms. */
function nullKey(embedder: Embedder, indexKey: string): string {
  return createHash('sha256')
    .update([indexKey, embedder.name, embedder.dim, offTopicProbes().join('\n'), JSON.stringify(EVIDENCE_WEIGHTS), NULL_SD_FLOOR, TERM_RULES_VERSION].join('\n'))
    .digest('hex');
}

/**
 * The gate's calibration for this knowledge: each document's null, measured with the off-topic
 * probes. With `more` (a server's index), that index's documents' nulls too: a question in that
 * server is judged against the base's documents and the server's alike.
 */
export async function calibrateGate(
  index: Searchable,
  embedder: Embedder,
  options: { more?: Searchable | undefined; indexKey?: string | undefined } & ProbeCaches = {},
): Promise<GateCalibration> {
  const base = await nullOf(index, embedder, options, options.indexKey);
  if (options.more === undefined) return { nulls: [base], probes: offTopicProbes().length };
  // A server's nulls are quick to measure and not kept on disk; its probe vectors are the base's.
  const extra = await nullOf(options.more, embedder, { embeddingCache: options.embeddingCache }, undefined);
  return { nulls: [base, extra], probes: offTopicProbes().length };
}
