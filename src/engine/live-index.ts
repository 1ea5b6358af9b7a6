import { extractSkills } from '../answer/skills.ts';
import { normalize } from '../embeddings/embedder.ts';
import { sectionKey } from '../answer/passage-view.ts';
import type { GateCalibration } from '../search/gate.ts';
import { TermStats } from '../search/term-stats.ts';
import { sha256 } from '../ingest/load.ts';
import type { LexicalDoc, LexicalIndex } from '../search/lexical-index.ts';
import type { NearestVectors } from '../search/vector-index.ts';
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
  vectorIndex: NearestVectors;
  lexical: LexicalIndex;
  skills: SkillEntry[];
  /** Document frequencies of the knowledge's terms: IDF for the gate and for choosing quotes. */
  termStats: TermStats;
  /** The gate's threshold for this knowledge, measured with the off-topic probes. */
  gate: GateCalibration;
  /** Section headings worth naming when the bot explains what it can talk about. */
  topics: string[];
}

/** A freshly built or loaded index, before the engine measures its gate against the probes. */
export type IndexWithoutGate = Omit<LiveIndex, 'gate'>;

/** Key under which a chunk's vector can be reused: the exact text that was embedded. */
export function embeddingKey(chunk: Pick<Chunk, 'indexText'>): string {
  return sha256(embeddingText(chunk));
}

/**
 * USE-lite's cost grows with a text's length and it reads little past about eighty words, so a
 * passage is embedded by the start of its index text (title, headings, context, then its words);
 * BM25 still reads all of it.
 */
export const EMBED_MAX_WORDS = 48;

export function embeddingText(chunk: Pick<Chunk, 'indexText'>): string {
  let words = 0;
  let inWord = false;
  const text = chunk.indexText;
  for (let i = 0; i < text.length; i++) {
    const space = text[i] === ' ' || text[i] === '\n' || text[i] === '\t';
    if (!space && !inWord && ++words > EMBED_MAX_WORDS) return text.slice(0, i).trimEnd();
    inWord = !space;
  }
  return text;
}

export function assembleLiveIndex(
  manifest: Manifest,
  chunks: Chunk[],
  vectors: Float32Array[],
  vectorIndex: NearestVectors,
  lexical: LexicalIndex,
): IndexWithoutGate {
  return {
    manifest,
    chunks,
    vectors,
    sectionVectors: sectionCentroids(chunks, vectors),
    vectorIndex,
    lexical,
    skills: extractSkills(chunks),
    termStats: TermStats.build(chunks.map((c) => `${c.docTitle} ${c.headingPath.join(' ')} ${c.text}`)),
    topics: topicsOf(chunks),
  };
}

/** What the lexical index reads of each chunk (its passage and retrieval context); the label is the chunk's position. */
export function lexicalDocs(chunks: readonly Chunk[]): LexicalDoc[] {
  return chunks.map((c, label) => ({ label, heading: [c.docTitle, ...c.headingPath].join(' '), text: c.indexText }));
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
