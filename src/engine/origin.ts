/**
 * A server's own documents are told apart from the base's wherever they are cited: their chunks'
 * `docId` (and so a citation's `source`) carries this prefix once loaded. The index on disk keeps
 * plain file names, so a server's folder can be moved as it is.
 */
import type { Chunk, KnowledgeOrigin } from '../types.ts';

export const SERVER_SOURCE_PREFIX = 'server:';

export function originOf(source: string): KnowledgeOrigin {
  return source.startsWith(SERVER_SOURCE_PREFIX) ? 'server' : 'base';
}

/** The file name a citation's source refers to, in its own knowledge folder. */
export function fileOf(source: string): string {
  return source.startsWith(SERVER_SOURCE_PREFIX) ? source.slice(SERVER_SOURCE_PREFIX.length) : source;
}

export function asServerChunks(chunks: readonly Chunk[]): Chunk[] {
  return chunks.map((c) => ({ ...c, docId: `${SERVER_SOURCE_PREFIX}${c.docId}` }));
}
