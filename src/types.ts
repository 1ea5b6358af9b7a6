/** The shapes that cross module boundaries. Surfaces (CLI, Discord) only see the Engine-level ones. */

export interface Section {
  /** Heading path, outermost first (the document title is not repeated here). */
  headingPath: string[];
  /** Raw text of the section body, headings excluded. */
  text: string;
}

export interface KnowledgeDocument {
  /** Stable id: the file name relative to the knowledge folder, POSIX separators. */
  id: string;
  title: string;
  url?: string;
  /** sha256 of the file's bytes. */
  hash: string;
  sections: Section[];
}

export interface Chunk {
  /** Derived from the chunk's content and location, so unchanged text keeps its id across rebuilds. */
  id: string;
  docId: string;
  docTitle: string;
  docUrl?: string;
  /** Section heading path, outermost first; empty for text before the first heading. */
  headingPath: string[];
  /** The passage itself, as it appears in the source. */
  text: string;
  /** What is embedded and lexically indexed: title + heading + passage. */
  indexText: string;
  /** Order of the chunk inside its document, for reading order in answers. */
  ordinal: number;
}

export interface Citation {
  n: number;
  /** Source document file name (relative to the knowledge folder). */
  source: string;
  title: string;
  section: string;
  text: string;
  /** Context-blended cosine similarity of the passage to the question. */
  score: number;
  /** Position in the fused (dense + lexical) ranking, 1 = best; citations are numbered in reading order. */
  rank: number;
  url?: string;
}

export type RefusalReason = 'empty' | 'unclear' | 'off-topic';

export interface Answer {
  question: string;
  refused: boolean;
  refusalReason?: RefusalReason;
  /** Answer text with `[n]` markers, or the refusal line. */
  answer: string;
  citations: Citation[];
  /** True when the question was cut to the length limit before answering. */
  truncated: boolean;
  /** Best context-blended cosine similarity found: the evidence the confidence gate judged. */
  confidence: number;
  timings: { totalMs: number; embedMs: number; searchMs: number };
}

export interface SkillEntry {
  name: string;
  description: string;
  citation: Citation;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface ReindexReport {
  documents: number;
  chunks: number;
  embedded: number;
  reused: number;
  added: string[];
  changed: string[];
  removed: string[];
  skipped: SkippedFile[];
  ms: number;
}

/**
 * How far a build is: passages that have their vector (reused ones count from the start) out of
 * all passages, then the indexes being built and written.
 */
export interface BuildProgress {
  phase: 'embedding' | 'indexing';
  done: number;
  total: number;
}

export interface EngineStats {
  documents: number;
  chunks: number;
  embedder: string;
  dim: number;
  /** Short hash of the knowledge the live index was built from. */
  knowledgeVersion: string;
  builtAt: string;
  documentsList: { id: string; title: string; sections: string[]; chunks: number; indexedAt: string }[];
}
