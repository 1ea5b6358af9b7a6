import type { KnowledgeDocument } from '../../types.ts';
import type { PdfReader } from '../pdf/pdf-reader.ts';
import type { PageSnapshot } from './snapshots.ts';

/**
 * A page snapshot as a document (see page-document.ts), with the page reader imported on first
 * use: its DOM library alone takes about 170 ms to load, which a knowledge base without web
 * pages, and every start-up with a current index, never needs to pay.
 */
export async function readPageDocument(snapshot: PageSnapshot, hash: string, pdfReader: PdfReader): Promise<KnowledgeDocument> {
  const { pageDocument } = await import('./page-document.ts');
  return pageDocument(snapshot, hash, pdfReader);
}
