import { describeSections, type SectionInfo } from '../answer/select.ts';
import { extractSkills } from '../answer/skills.ts';
import { normalize } from '../embeddings/embedder.ts';
import { sectionKey } from '../ingest/chunk.ts';
import { sha256 } from '../ingest/load.ts';
import type { LexicalDoc, LexicalIndex } from '../search/lexical-index.ts';
import { VectorIndex } from '../search/vector-index.ts';
import type { Manifest } from '../store/index-store.ts';
import type { Chunk, SkillEntry } from '../types.ts';

/**
 * Everything one answer needs, in memory and immutable: a reindex builds a new LiveIndex and the
 * engine swaps the reference, so a question in flight finishes on the index it started with.
 */
export interface LiveIndex {
  manifest: Manifest;
  chunks: Chunk[];
  vectors: Float32Array[];
  /** Per chunk, the normalised centroid of its section's vectors (section context for scoring). */
  sectionVectors: Float32Array[];
  vectorIndex: VectorIndex;
  lexical: LexicalIndex;
  skills: SkillEntry[];
  sections: SectionInfo[];
  /** Section headings worth naming when the bot explains what it can talk about. */
  topics: string[];
}

/** Key under which a chunk's vector can be reused: the exact text that was embedded. */
export function embeddingKey(chunk: Pick<Chunk, 'indexText'>): string {
  return sha256(chunk.indexText);
}

export function assembleLiveIndex(
  manifest: Manifest,
  chunks: Chunk[],
  vectors: Float32Array[],
  vectorIndex: VectorIndex,
  lexical: LexicalIndex,
): LiveIndex {
  return {
    manifest,
    chunks,
    vectors,
    sectionVectors: sectionCentroids(chunks, vectors),
    vectorIndex,
    lexical,
    skills: extractSkills(chunks),
    sections: describeSections(chunks),
    topics: topicsOf(chunks),
  };
}

/** What the lexical index reads of each chunk; the label is the chunk's position. */
export function lexicalDocs(chunks: readonly Chunk[]): LexicalDoc[] {
  return chunks.map((c, label) => ({ label, heading: [c.docTitle, ...c.headingPath].join(' '), text: c.text }));
}

function sectionCentroids(chunks: readonly Chunk[], vectors: readonly Float32Array[]): Float32Array[] {
  const sums = new Map<string, Float32Array>();
  chunks.forEach((c, i) => {
    const v = vectors[i]!;
    const key = sectionKey(c);
    const sum = sums.get(key) ?? new Float32Array(v.length);
    for (let d = 0; d < v.length; d++) sum[d]! += v[d]!;
    sums.set(key, sum);
  });
  for (const sum of sums.values()) normalize(sum);
  return chunks.map((c) => sums.get(sectionKey(c))!);
}

const GENERIC_HEADINGS = /^(introduction|conclusion|summary|overview|contents|table of contents)$/i;

function topicsOf(chunks: readonly Chunk[]): string[] {
  const topics = new Set<string>();
  for (const c of chunks) {
    const heading = c.headingPath[c.headingPath.length - 1];
    if (heading !== undefined && !GENERIC_HEADINGS.test(heading)) topics.add(heading);
  }
  return [...topics];
}
