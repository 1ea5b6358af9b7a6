/** The shapes that cross module boundaries. Surfaces (CLI, Discord) only see the Engine-level ones. */

export type BlockKind = 'paragraph' | 'list-item' | 'table-row' | 'code' | 'math' | 'quote';

/** One unit of a document as its reader sees it: a paragraph, a list item, a table row, a code block… */
export interface Block {
  kind: BlockKind;
  /** Heading path, outermost first; the document title (first H1) is not repeated here. */
  headingPath: string[];
  /** The source's own words, markup stripped (emphasis, link and image URLs, list markers). */
  text: string;
  /**
   * Retrieval-only context, never quoted: a list's lead-in and the parent items of a nested item,
   * a table's header cells, the footnotes a block refers to.
   */
  context?: string;
  /** The page it starts on, in a paged document (PDF). */
  page?: number;
}

/** Pages of a paged document (PDF) that a passage spans. */
export interface PageRange {
  first: number;
  last: number;
}

export interface KnowledgeDocument {
  /** Stable id: the file name relative to the knowledge folder, POSIX separators. */
  id: string;
  title: string;
  url?: string;
  /** sha256 of the file's bytes. */
  hash: string;
  blocks: Block[];
  /** A web page's: when its snapshot was fetched (ISO 8601). */
  fetchedAt?: string;
}

/** A passage: consecutive blocks of one section, cited as a whole. */
export interface Chunk {
  /** Hash of document, heading path and text, so unchanged text keeps its id across rebuilds. */
  id: string;
  docId: string;
  docTitle: string;
  docUrl?: string;
  /** Section heading path, outermost first; empty for text before the first heading. */
  headingPath: string[];
  /** The quote: the blocks' texts joined with '\n', the source's own words. */
  text: string;
  /** Where each block lies inside `text`. */
  spans: { start: number; end: number; kind: BlockKind }[];
  /** What is embedded and lexically indexed: title › heading path, the blocks' contexts, the text. */
  indexText: string;
  /** Order of the passage inside its document, for reading order in answers. */
  ordinal: number;
  /** The pages it spans, in a paged document (PDF). */
  pages?: PageRange;
}

export interface Citation {
  n: number;
  /**
   * Source document file name (relative to its knowledge folder); a server's own document reads
   * `server:<file>` (see src/engine/origin.ts).
   */
  source: string;
  title: string;
  section: string;
  text: string;
  /** Context-blended cosine similarity of the passage to the question. */
  score: number;
  /** Position in the fused (dense + lexical) ranking, 1 = best; citations are numbered in reading order. */
  rank: number;
  url?: string;
  /** The pages the cited passage spans, in a paged document (PDF). */
  pages?: PageRange;
}

/**
 * Why a question was not answered: nothing asked, nothing readable, no document supports it,
 * it names something the knowledge never mentions, or it asks for a figure no passage states.
 */
export type RefusalReason = 'empty' | 'unclear' | 'off-topic' | 'unknown-names' | 'no-figure';

export interface Answer {
  question: string;
  refused: boolean;
  refusalReason?: RefusalReason;
  /** Answer text with `[n]` markers, or the refusal line. */
  answer: string;
  citations: Citation[];
  /** True when the question was cut to the length limit before answering. */
  truncated: boolean;
  /**
   * The gate's margin: the question's evidence score minus the threshold measured for this
   * knowledge (src/search/gate.ts). Positive: answered; zero or below: refused.
   */
  confidence: number;
  timings: { totalMs: number; embedMs: number; searchMs: number };
  /**
   * Asked in a conversation: whether it was read as a follow-up of the earlier turns or as a new
   * topic, and the question that opened the topic it followed up on.
   */
  context?: { reading: 'follow-up' | 'new-topic'; readWith?: string };
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
  /** Web pages whose refresh failed: they answer from their last snapshot, and this says why. */
  stale?: SkippedFile[];
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
  /**
   * The documents answering here: the base's (shipped, the bot owners') and, in a server, that
   * server's own (`origin: 'server'`; their citations' `source` reads `server:<file>`).
   */
  documentsList: { id: string; title: string; sections: string[]; chunks: number; indexedAt: string; origin: KnowledgeOrigin }[];
}

/** Whose document: the base knowledge every server shares, or the asking server's own. */
export type KnowledgeOrigin = 'base' | 'server';
