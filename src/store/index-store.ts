import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { botError, errorMessage } from '../errors.ts';
import { PASSAGE_SIZE } from '../ingest/chunk.ts';
import { TERM_RULES_VERSION } from '../search/lexical-index.ts';
import { sha256 } from '../hash.ts';
import { byCodeUnits } from '../text.ts';
import type { Chunk, SkippedFile } from '../types.ts';

/** Bumped whenever the files' layout or the chunking changes, so old indexes are rebuilt. */
export const INDEX_FORMAT_VERSION = 2;

const MANIFEST = 'manifest.json';
const FILES = { chunks: 'chunks.json', vectors: 'vectors.f32', hnsw: 'hnsw.bin', lexical: 'lexical.json' } as const;

export interface DocumentEntry {
  id: string;
  title: string;
  hash: string;
  sections: string[];
  chunks: number;
  indexedAt: string;
}

export interface Manifest {
  formatVersion: number;
  /** Folder (inside the index dir) that holds this generation's files. */
  generation: string;
  embedder: string;
  dim: number;
  chunkCount: number;
  knowledgeHash: string;
  createdAt: string;
  documents: DocumentEntry[];
  skipped: SkippedFile[];
  /** sha256 of every file of the generation: a torn or tampered file is caught before parsing. */
  checksums: Record<string, string>;
}

export interface IndexFiles {
  chunks: Chunk[];
  vectors: Float32Array[];
  /** Writes the serialized hnswlib index to a path (VectorIndex.save, possibly on another thread). */
  writeHnsw(file: string): void | Promise<void>;
  lexicalJson: string;
}

export interface LoadedIndexFiles {
  manifest: Manifest;
  chunks: Chunk[];
  vectors: Float32Array[];
  hnswFile: string;
  lexicalJson: string;
}

/** The rules an index is made by: changing any of them makes every index out of date. */
const BUILD_RULES = `format ${INDEX_FORMAT_VERSION} terms ${TERM_RULES_VERSION} passages ${PASSAGE_SIZE.minWords}-${PASSAGE_SIZE.maxWords}`;

/** Hash of what an index is built from: the documents' bytes, the chunk format and the term rules. */
export function knowledgeHash(documents: readonly { id: string; hash: string }[]): string {
  const lines = [...documents].sort((a, b) => byCodeUnits(a.id, b.id)).map((d) => `${d.id}\t${d.hash}`);
  return sha256(`${BUILD_RULES}\n${lines.join('\n')}`);
}

/** The folder as the loader would find it (its `folderDigest`) under these build rules. */
export function sourceFingerprint(folderDigest: string): string {
  return sha256(`${BUILD_RULES}\nfolder ${folderDigest}`);
}

/**
 * Which folder a generation is current for: the `sourceFingerprint` of the folder its documents
 * were read from, recorded after it was built or found current. Kept beside the manifest, not in
 * it, so recording it can never change which generation is live (other processes write manifests).
 */
const SOURCE_FILE = 'source.json';
const SourceRecord = z.object({ generation: z.string(), fingerprint: z.string() });
export type SourceRecord = z.infer<typeof SourceRecord>;

/** Records that `record.generation` is current for the folder of `record.fingerprint` (atomically). */
export async function recordSource(dir: string, record: SourceRecord): Promise<void> {
  const tmp = path.join(dir, `${SOURCE_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(tmp, JSON.stringify(record));
  await rename(tmp, path.join(dir, SOURCE_FILE));
}

/** The recorded source, or undefined when there is none or it cannot be read. */
export async function readSource(dir: string): Promise<SourceRecord | undefined> {
  try {
    const parsed = SourceRecord.safeParse(JSON.parse(await readFile(path.join(dir, SOURCE_FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes a new generation folder completely, then points the manifest at it with one atomic
 * rename. A crash at any moment leaves either the old index or the new one, never half of one.
 */
export async function saveIndex(
  dir: string,
  files: IndexFiles,
  meta: Omit<Manifest, 'formatVersion' | 'generation' | 'chunkCount' | 'checksums'>,
): Promise<Manifest> {
  await mkdir(dir, { recursive: true });
  const generation = `gen-${Date.now()}-${randomBytes(3).toString('hex')}`;
  const genDir = path.join(dir, generation);
  await mkdir(genDir);

  const checksums: Record<string, string> = {};
  const put = async (name: string, data: string | Uint8Array) => {
    await writeDurably(path.join(genDir, name), data);
    checksums[name] = sha256(data);
  };
  await put(FILES.chunks, JSON.stringify(files.chunks));
  await put(FILES.vectors, packVectors(files.vectors, meta.dim));
  await put(FILES.lexical, files.lexicalJson);
  const hnswPath = path.join(genDir, FILES.hnsw);
  await files.writeHnsw(hnswPath);
  checksums[FILES.hnsw] = sha256(await readFile(hnswPath));

  const manifest: Manifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    generation,
    chunkCount: files.chunks.length,
    checksums,
    ...meta,
  };
  const tmp = path.join(dir, `${MANIFEST}.${generation}.tmp`);
  await writeDurably(tmp, JSON.stringify(manifest, null, 2));
  await rename(tmp, path.join(dir, MANIFEST));
  await removeOtherGenerations(dir, generation);
  return manifest;
}

/** Reads the manifest only: enough to decide whether the index on disk is current. */
export async function readManifest(dir: string): Promise<Manifest | undefined> {
  let raw: string;
  try {
    raw = await readFile(path.join(dir, MANIFEST), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw botError('INDEX_CORRUPT', { dir, cause: `cannot read the manifest (${errorMessage(error)})` });
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(raw) as Manifest;
  } catch {
    throw botError('INDEX_CORRUPT', { dir, cause: 'the manifest is not valid JSON' });
  }
  if (
    typeof manifest !== 'object' ||
    manifest === null ||
    typeof manifest.generation !== 'string' ||
    !/^gen-[\w-]+$/.test(manifest.generation) ||
    typeof manifest.dim !== 'number' ||
    typeof manifest.checksums !== 'object'
  ) {
    throw botError('INDEX_CORRUPT', { dir, cause: 'the manifest is incomplete' });
  }
  return manifest;
}

/** Loads and verifies every file of the manifest's generation; any mismatch is INDEX_CORRUPT. */
export async function loadIndexFiles(dir: string, manifest: Manifest): Promise<LoadedIndexFiles> {
  const genDir = path.join(dir, manifest.generation);
  const read = async (name: string): Promise<Buffer> => {
    let data: Buffer;
    try {
      data = await readFile(path.join(genDir, name));
    } catch (error) {
      throw botError('INDEX_CORRUPT', { dir, cause: `cannot read ${name} (${errorMessage(error)})` });
    }
    if (sha256(data) !== manifest.checksums[name]) {
      throw botError('INDEX_CORRUPT', { dir, cause: `${name} does not match its checksum` });
    }
    return data;
  };
  const [chunksRaw, vectorsRaw, lexicalRaw] = await Promise.all([
    read(FILES.chunks),
    read(FILES.vectors),
    read(FILES.lexical),
    read(FILES.hnsw),
  ]);
  const chunks = JSON.parse(chunksRaw.toString('utf8')) as Chunk[];
  const vectors = unpackVectors(vectorsRaw, manifest.dim);
  if (chunks.length !== manifest.chunkCount || vectors.length !== manifest.chunkCount) {
    throw botError('INDEX_CORRUPT', { dir, cause: 'chunk and vector counts disagree with the manifest' });
  }
  return { manifest, chunks, vectors, hnswFile: path.join(genDir, FILES.hnsw), lexicalJson: lexicalRaw.toString('utf8') };
}

function packVectors(vectors: readonly Float32Array[], dim: number): Uint8Array {
  const packed = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => packed.set(v, i * dim));
  return new Uint8Array(packed.buffer);
}

function unpackVectors(data: Buffer, dim: number): Float32Array[] {
  if (data.byteLength % (dim * 4) !== 0) throw new Error('vector file size is not a multiple of the dimension');
  // Copy into an aligned buffer: a Buffer's offset into Node's pool need not be 4-byte aligned.
  const all = new Float32Array(new Uint8Array(data).buffer);
  const out: Float32Array[] = [];
  for (let i = 0; i < all.length; i += dim) out.push(all.subarray(i, i + dim));
  return out;
}

async function writeDurably(file: string, data: string | Uint8Array): Promise<void> {
  await writeFile(file, data);
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Removes old generations but keeps the newest other one: another process (the CLI beside the
 * bot) may be writing it right now, and its manifest may yet point there. Leftover manifest
 * temp files of removed generations go too.
 */
async function removeOtherGenerations(dir: string, keep: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const stamp = (name: string) => Number(/^gen-(\d+)-/.exec(name)?.[1] ?? 0);
  const others = entries
    .filter((e) => e.isDirectory() && e.name.startsWith('gen-') && e.name !== keep)
    .map((e) => e.name)
    .sort((a, b) => stamp(b) - stamp(a));
  const doomed = new Set(others.slice(1));
  const doomedTmp = entries
    .filter((e) => e.name.endsWith('.tmp'))
    .map((e) => e.name)
    .filter((name) => [...doomed].some((gen) => name.includes(gen)));
  await Promise.all([...doomed, ...doomedTmp].map((name) => rm(path.join(dir, name), { recursive: true, force: true })));
}
