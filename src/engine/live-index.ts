import { extractSkills } from '../answer/skills.ts';
import { DocumentMap } from '../search/documents.ts';
import { TermStats } from '../search/term-stats.ts';
import { SurfaceWords } from '../search/vocabulary.ts';
import { sha256 } from '../hash.ts';
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
  vectorIndex: NearestVectors;
  lexical: LexicalIndex;
  skills: SkillEntry[];
  /** Document frequencies of the knowledge's terms: IDF for the gate and for choosing quotes. */
  termStats: TermStats;
  /** Each document's passages and terms: the gate judges evidence per document. */
  documents: DocumentMap;
  /** The knowledge's words as written, so a misspelt question word is still recognised as known. */
  surfaceWords: SurfaceWords;
  /** Section headings worth naming when the bot explains what it can talk about. */
  topics: string[];
}

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
): LiveIndex {
  const texts = chunks.map((c) => `${c.docTitle} ${c.headingPath.join(' ')} ${c.text}`);
  return {
    manifest,
    chunks,
    vectors,
    vectorIndex,
    lexical,
    skills: extractSkills(chunks),
    termStats: TermStats.build(texts),
    documents: DocumentMap.build(chunks),
    surfaceWords: SurfaceWords.build(texts),
    topics: topicsOf(chunks),
  };
}

/** What the lexical index reads of each chunk (its passage and retrieval context); the label is the chunk's position. */
export function lexicalDocs(chunks: readonly Chunk[]): LexicalDoc[] {
  return chunks.map((c, label) => ({ label, heading: [c.docTitle, ...c.headingPath].join(' '), text: c.indexText }));
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
