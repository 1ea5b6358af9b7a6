import type { KnowledgeDocument } from '../types.ts';
import { countWords } from './block-text.ts';

/**
 * Text repeated across many documents (a copyright footer, a licence notice, "subscribe to our
 * newsletter") answers nothing and would be cited for everything. A block is boilerplate when its
 * normalised text appears in at least MIN_DOCUMENTS documents and in more than SHARE of them,
 * and it has at least MIN_WORDS words: a short item repeated across documents ("Python",
 * "Further reading") is vocabulary, not a notice.
 */
export const BOILERPLATE = { MIN_DOCUMENTS: 3, SHARE: 0.25, MIN_WORDS: 4 } as const;

/** The documents without their boilerplate blocks (documents themselves are kept, even if emptied). */
export function withoutBoilerplate(documents: readonly KnowledgeDocument[]): KnowledgeDocument[] {
  const repeated = boilerplateKeys(documents);
  if (repeated.size === 0) return [...documents];
  return documents.map((doc) => ({ ...doc, blocks: doc.blocks.filter((b) => !repeated.has(normalise(b.text))) }));
}

/** Normalised texts of the blocks that count as boilerplate in this set of documents. */
export function boilerplateKeys(documents: readonly KnowledgeDocument[]): Set<string> {
  const documentsWith = new Map<string, number>();
  for (const doc of documents) {
    const own = new Set<string>();
    for (const block of doc.blocks) own.add(normalise(block.text));
    for (const key of own) documentsWith.set(key, (documentsWith.get(key) ?? 0) + 1);
  }
  const repeated = new Set<string>();
  for (const [key, count] of documentsWith) {
    if (count >= BOILERPLATE.MIN_DOCUMENTS && count > documents.length * BOILERPLATE.SHARE && countWords(key) >= BOILERPLATE.MIN_WORDS) {
      repeated.add(key);
    }
  }
  return repeated;
}

/** Case, punctuation and spacing do not make two notices different (© 2023 vs (c) 2024 do). */
function normalise(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}
