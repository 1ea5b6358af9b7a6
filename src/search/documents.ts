import type { Chunk } from '../types.ts';
import { contentTerms } from './term-stats.ts';

/**
 * The passages of each document and the terms each document uses. The gate judges evidence one
 * document at a time (see gate.ts), so a question a document answers is judged against that
 * document as it always was, however many other documents join the knowledge.
 */
export class DocumentMap {
  private constructor(
    /** Document ids, in order of first passage. */
    readonly ids: readonly string[],
    /** Each passage's document, by position in `ids`. */
    readonly ofLabel: Int32Array,
    /** Each document's passages (labels), in order. */
    readonly labels: readonly (readonly number[])[],
    /** Each document's content terms (title, headings, passage text and context). */
    readonly terms: readonly ReadonlySet<string>[],
  ) {}

  static build(chunks: readonly Pick<Chunk, 'docId' | 'docTitle' | 'headingPath' | 'indexText'>[]): DocumentMap {
    const position = new Map<string, number>();
    const ids: string[] = [];
    const labels: number[][] = [];
    const terms: Set<string>[] = [];
    const ofLabel = new Int32Array(chunks.length);
    chunks.forEach((chunk, label) => {
      let doc = position.get(chunk.docId);
      if (doc === undefined) {
        doc = ids.length;
        position.set(chunk.docId, doc);
        ids.push(chunk.docId);
        labels.push([]);
        terms.push(new Set());
      }
      ofLabel[label] = doc;
      labels[doc]!.push(label);
      for (const term of contentTerms(`${chunk.docTitle} ${chunk.headingPath.join(' ')} ${chunk.indexText}`)) terms[doc]!.add(term);
    });
    return new DocumentMap(ids, ofLabel, labels, terms);
  }

  get size(): number {
    return this.ids.length;
  }
}
