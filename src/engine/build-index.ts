import { embeddingModelKey, type Embedder } from '../embeddings/embedder.ts';
import { botError } from '../errors.ts';
import { withoutBoilerplate } from '../ingest/boilerplate.ts';
import { chunkDocument } from '../ingest/chunk.ts';
import type { LoadedKnowledge } from '../ingest/load.ts';
import { sectionLabel } from '../answer/passage-view.ts';
import { assembleLiveIndex, embeddingKey, embeddingText, lexicalDocs, type LiveIndex } from './live-index.ts';
import type { BuildWork } from './build-work.ts';
import { VectorIndex, type NearestVectors } from '../search/vector-index.ts';
import { ExactVectors } from './exact-vectors.ts';
import { knowledgeHash, loadIndexFiles, saveIndex, type Manifest } from '../store/index-store.ts';
import type { BuildProgress, ReindexReport } from '../types.ts';
import type { EmbeddingCache } from '../state/types.ts';
import { LexicalIndex } from '../search/lexical-index.ts';
import { byCodeUnits } from '../text.ts';

export interface BuildResult {
  live: LiveIndex;
  report: ReindexReport;
}

export interface BuildInput {
  knowledge: LoadedKnowledge;
  /** The model the vectors come from: its name and dimension go into the manifest. */
  embedder: Pick<Embedder, 'name' | 'dim'>;
  /** Where the heavy steps run: a worker thread during a reindex, this thread at start-up. */
  work: BuildWork;
  indexDir: string;
  /** The live index, whose vectors are reused for passages whose text is unchanged. */
  previous?: LiveIndex;
  onProgress?: (progress: BuildProgress) => void;
  /** Search the vectors exactly instead of loading the HNSW file, up to this many passages (a server's small index). */
  exactUpTo?: number;
  /**
   * Vectors by model and content hash, consulted for passages the previous index lacks before
   * embedding them, and given what this build embedded (shared by every host with DATABASE_URL).
   */
  embeddingCache?: EmbeddingCache;
}

/**
 * Chunks the knowledge (text repeated across many documents left out), embeds only the chunks
 * whose text has no vector yet (reused by content hash), builds both indexes and persists them
 * atomically in `indexDir`. The live index is read back from what was written, so it is exactly
 * what the next start-up will load.
 */
export async function buildIndex(input: BuildInput): Promise<BuildResult> {
  const { knowledge, embedder, work, indexDir, previous } = input;
  const onProgress = input.onProgress ?? (() => {});
  const started = performance.now();
  const chunks = withoutBoilerplate(knowledge.documents).flatMap((doc) => chunkDocument(doc));
  // A document whose every block is too short, too long a run or boilerplate gives no passage: say so.
  const withPassages = new Set(chunks.map((c) => c.docId));
  const documents = knowledge.documents.filter((d) => withPassages.has(d.id));
  const skipped = [
    ...knowledge.skipped,
    ...knowledge.documents
      .filter((d) => !withPassages.has(d.id))
      .map((d) => ({ file: d.id, reason: 'no passage to index (only fragments, runs too long to be words, or text repeated across documents)' })),
  ].sort((a, b) => byCodeUnits(a.file, b.file));

  const reusable = new Map<string, Float32Array>();
  if (previous && previous.manifest.embedder === embedder.name && previous.manifest.dim === embedder.dim) {
    previous.chunks.forEach((c, i) => reusable.set(embeddingKey(c), previous.vectors[i]!));
  }
  const vectors = new Array<Float32Array>(chunks.length);
  let missing: number[] = [];
  chunks.forEach((c, i) => {
    const known = reusable.get(embeddingKey(c));
    if (known) vectors[i] = known;
    else missing.push(i);
  });
  const fromCache = new Set<number>();
  if (missing.length > 0 && input.embeddingCache) {
    const cached = await input.embeddingCache.get(embeddingModelKey(embedder), missing.map((i) => embeddingKey(chunks[i]!)));
    missing = missing.filter((i) => {
      const known = cached.get(embeddingKey(chunks[i]!));
      if (known?.length !== embedder.dim) return true;
      vectors[i] = known;
      fromCache.add(i);
      return false;
    });
  }
  const reused = chunks.length - missing.length;
  onProgress({ phase: 'embedding', done: reused, total: chunks.length });
  if (missing.length > 0) {
    const fresh = await work.embed(
      missing.map((i) => embeddingText(chunks[i]!)),
      (done) => onProgress({ phase: 'embedding', done: reused + done, total: chunks.length }),
    );
    if (fresh.length !== missing.length) throw new Error(`${fresh.length} vectors came back for ${missing.length} passages`);
    fresh.forEach((v, k) => {
      if (v.length !== embedder.dim) throw botError('DIMENSION_MISMATCH', { expected: embedder.dim, actual: v.length });
      vectors[missing[k]!] = v;
    });
  }
  if (input.embeddingCache && fromCache.size < chunks.length) {
    // What this build embedded, and what it kept from the previous index (which the cache may not have yet).
    const shared = new Map<string, Float32Array>();
    chunks.forEach((c, i) => {
      if (!fromCache.has(i)) shared.set(embeddingKey(c), vectors[i]!);
    });
    await input.embeddingCache.put(embeddingModelKey(embedder), shared);
  }

  onProgress({ phase: 'indexing', done: chunks.length, total: chunks.length });
  const lexicalJson = await work.lexicalJson(lexicalDocs(chunks));
  let hnswFile = '';
  const now = new Date().toISOString();
  const previousDocs = new Map(previous?.manifest.documents.map((d) => [d.id, d]));
  const manifest = await saveIndex(
    indexDir,
    {
      chunks,
      vectors,
      writeHnsw: async (file) => {
        hnswFile = file;
        await work.writeVectorIndex(vectors, embedder.dim, file);
      },
      lexicalJson,
    },
    {
      embedder: embedder.name,
      dim: embedder.dim,
      // Of every document read, so an unchanged folder is recognised at the next start.
      knowledgeHash: knowledgeHash(knowledge.documents),
      createdAt: now,
      skipped,
      documents: documents.map((doc) => {
        const own = chunks.filter((c) => c.docId === doc.id);
        const before = previousDocs.get(doc.id);
        return {
          id: doc.id,
          title: doc.title,
          hash: doc.hash,
          sections: [...new Set(own.map((c) => sectionLabel(c)))],
          chunks: own.length,
          indexedAt: before?.hash === doc.hash ? before.indexedAt : now,
        };
      }),
    },
  );
  const vectorIndex = nearestVectors(hnswFile, embedder.dim, vectors, input.exactUpTo);
  const lexical = parseLexical(lexicalJson, indexDir);

  const currentIds = new Set(documents.map((d) => d.id));
  const report: ReindexReport = {
    documents: documents.length,
    chunks: chunks.length,
    embedded: missing.length,
    reused,
    added: documents.filter((d) => !previousDocs.has(d.id)).map((d) => d.id),
    changed: documents.filter((d) => previousDocs.has(d.id) && previousDocs.get(d.id)!.hash !== d.hash).map((d) => d.id),
    removed: [...previousDocs.keys()].filter((id) => !currentIds.has(id)),
    skipped,
    ms: Math.round(performance.now() - started),
  };
  return { live: assembleLiveIndex(manifest, chunks, vectors, vectorIndex, lexical), report };
}

/**
 * Opens a persisted index whose manifest the caller has checked; throws INDEX_CORRUPT if unusable.
 * Up to `exactUpTo` passages the vectors are searched exactly and the HNSW file is not loaded.
 */
export async function openPersistedIndex(indexDir: string, manifest: Manifest, exactUpTo?: number): Promise<LiveIndex> {
  const files = await loadIndexFiles(indexDir, manifest);
  if (files.vectors.length !== manifest.chunkCount) {
    throw botError('INDEX_CORRUPT', { dir: indexDir, cause: `it holds ${files.vectors.length} vectors, the manifest says ${manifest.chunkCount}` });
  }
  const vectorIndex = nearestVectors(files.hnswFile, manifest.dim, files.vectors, exactUpTo);
  return assembleLiveIndex(manifest, files.chunks, files.vectors, vectorIndex, parseLexical(files.lexicalJson, indexDir));
}

function nearestVectors(hnswFile: string, dim: number, vectors: Float32Array[], exactUpTo = 0): NearestVectors {
  if (vectors.length <= exactUpTo) return new ExactVectors(vectors, dim);
  return VectorIndex.load(hnswFile, dim, vectors.length);
}

function parseLexical(json: string, indexDir: string): LexicalIndex {
  try {
    return LexicalIndex.fromJSON(json);
  } catch {
    throw botError('INDEX_CORRUPT', { dir: indexDir, cause: 'the lexical index cannot be parsed' });
  }
}
