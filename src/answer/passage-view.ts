import type { BlockKind, Chunk } from '../types.ts';

/** One block of a passage: where it sits in the passage's text, and what kind of block it is. */
export interface PassageBlock {
  start: number;
  end: number;
  kind: BlockKind;
}

/** The blocks of a passage, in order; their offsets index the passage's own text. */
export function blocksOf(chunk: Pick<Chunk, 'text' | 'spans'>): PassageBlock[] {
  return chunk.spans.length > 0 ? chunk.spans : [{ start: 0, end: chunk.text.length, kind: 'paragraph' }];
}

export { sectionKey } from '../ingest/chunk.ts';

/** The section a citation names: its heading path, or the document's title before the first heading. */
export function sectionLabel(chunk: Pick<Chunk, 'headingPath' | 'docTitle'>): string {
  return chunk.headingPath.length > 0 ? chunk.headingPath.join(' › ') : chunk.docTitle;
}
