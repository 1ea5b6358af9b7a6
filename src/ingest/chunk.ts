import type { Chunk, KnowledgeDocument } from '../types.ts';
import { sha256 } from './load.ts';

/**
 * A passage is cited on its own, so it must stand on its own: one paragraph or one list item.
 * Longer blocks are split at sentence ends to stay within the budget (USE-lite's cost grows with
 * tokens, and a long passage dilutes both its vector and its citation).
 */
export const MAX_CHUNK_WORDS = 120;

/** A Markdown or plain-text list item marker: `-`, `*`, `+`, `•`, `1.` or `1)`. */
export const BULLET = /^\s*(?:[-*+•]|\d+[.)])\s+/;

/** Identifies the section a chunk belongs to (document and heading path). */
export const sectionKey = (c: Pick<Chunk, 'docId' | 'headingPath'>): string => `${c.docId}\n${c.headingPath.join('\n')}`;

export function chunkDocument(doc: KnowledgeDocument, maxWords = MAX_CHUNK_WORDS): Chunk[] {
  const chunks: Chunk[] = [];
  const seen = new Map<string, number>();
  for (const section of doc.sections) {
    for (const block of splitBlocks(section.text)) {
      for (const piece of splitToBudget(block, maxWords)) {
        const base = sha256(`${doc.id}\n${section.headingPath.join('\n')}\n${piece}`).slice(0, 16);
        // Identical passages in one section still need distinct ids; the n-th copy gets a suffix.
        const copies = seen.get(base) ?? 0;
        seen.set(base, copies + 1);
        chunks.push({
          id: copies === 0 ? base : `${base}-${copies}`,
          docId: doc.id,
          docTitle: doc.title,
          ...(doc.url !== undefined && { docUrl: doc.url }),
          headingPath: section.headingPath,
          text: piece,
          spans: [{ start: 0, end: piece.length, kind: BULLET.test(piece) ? 'list-item' : 'paragraph' }],
          indexText: indexTextFor(doc.title, section.headingPath, piece),
          ordinal: chunks.length,
        });
      }
    }
  }
  return chunks;
}

/** The heading travels with the passage, so "banks" finds "Finance & Banking" under "Industries". */
export function indexTextFor(title: string, headingPath: string[], text: string): string {
  const context = headingPath.length > 0 ? headingPath.join(' › ') : title;
  return `${context}\n${stripMarkup(text)}`;
}

function stripMarkup(text: string): string {
  return text
    .replace(BULLET, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Paragraphs are separated by blank lines; inside one, every list item starts its own block. */
export function splitBlocks(text: string): string[] {
  const blocks: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    let current: string[] = [];
    const flush = () => {
      const block = current.join('\n').trim();
      if (block !== '' && !/^[-=_*]{3,}$/.test(block)) blocks.push(block);
      current = [];
    };
    for (const line of paragraph.split('\n')) {
      if (BULLET.test(line)) flush();
      current.push(line);
    }
    flush();
  }
  return blocks;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export function splitToBudget(block: string, maxWords: number): string[] {
  if (wordCount(block) <= maxWords) return [block];
  const sentences = block.match(/[^.!?]+(?:[.!?]+["”’)]*\s*|$)/g) ?? [block];
  const pieces: string[] = [];
  let current = '';
  for (const sentence of sentences) {
    if (current !== '' && wordCount(current + sentence) > maxWords) {
      pieces.push(current.trim());
      current = '';
    }
    current += sentence;
    // A single sentence over budget is cut at word boundaries: rare, but it must not grow unbounded.
    while (wordCount(current) > maxWords) {
      const words = current.trim().split(/\s+/);
      pieces.push(words.slice(0, maxWords).join(' '));
      current = words.slice(maxWords).join(' ') + ' ';
    }
  }
  if (current.trim() !== '') pieces.push(current.trim());
  return pieces;
}
