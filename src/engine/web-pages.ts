/**
 * Keeping a knowledge folder's web pages fresh: each page listed in its `urls.txt` is fetched
 * (conditionally, with the ETag and Last-Modified of its snapshot) and its snapshot replaced
 * when the page changed and still gives text. A page whose fetch fails keeps its last snapshot,
 * which goes on answering, and the report says so.
 */
import { FetchRefused, type PageFetcher } from '../fetch/page-fetcher.ts';
import { readUrlList } from '../ingest/sources.ts';
import { sha256 } from '../hash.ts';
import type { PdfReader } from '../ingest/pdf/pdf-reader.ts';
import { sharedPdfReader } from '../ingest/pdf/pdf-reader.ts';
import { UnreadableDocument } from '../ingest/unreadable.ts';
import { readPageDocument } from '../ingest/web/read-page.ts';
import { readSnapshot, writeSnapshot, type PageSnapshot } from '../ingest/web/snapshots.ts';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { SkippedFile } from '../types.ts';

/** Pages fetched at once during a refresh. */
const CONCURRENT_FETCHES = 4;

export interface PageRefresh {
  /** Pages whose new content replaced their snapshot. */
  updated: string[];
  /** Pages that failed to refresh and answer from their last snapshot, with why. */
  stale: SkippedFile[];
  /** Pages without a snapshot whose fetch failed, with why (they do not answer). */
  failed: Map<string, string>;
}

/**
 * Fetches the pages of `knowledgeDir`'s list: all of them, or (`missingOnly`, at start-up) only
 * those without a snapshot, so starting never waits on pages that already answer.
 */
export async function refreshPages(
  knowledgeDir: string,
  fetcher: PageFetcher,
  options: { missingOnly: boolean; logger: Logger; label: string; pdfReader?: PdfReader },
): Promise<PageRefresh> {
  const { urls } = await readUrlList(knowledgeDir);
  const result: PageRefresh = { updated: [], stale: [], failed: new Map() };
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const url = urls[next++]!;
      const previous = await readSnapshot(knowledgeDir, url);
      if (options.missingOnly && previous !== undefined) continue;
      try {
        const fresh = await fetchSnapshot(fetcher, url, previous, options.pdfReader);
        if (fresh === undefined) continue;
        await writeSnapshot(knowledgeDir, fresh);
        result.updated.push(url);
      } catch (error) {
        const reason = errorMessage(error);
        options.logger.warn({ knowledge: options.label, url, reason }, previous ? 'a page could not be refreshed; its last snapshot is kept' : 'a page could not be fetched');
        if (previous === undefined) result.failed.set(url, reason);
        else result.stale.push({ file: url, reason: `${reason}; its snapshot of ${previous.fetchedAt} is kept` });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_FETCHES, urls.length) }, worker));
  return result;
}

/**
 * A new snapshot of `url`, or undefined when the page is unchanged (HTTP 304, or the same bytes).
 * Throws FetchRefused when the page cannot be fetched or gives no text.
 */
export async function fetchSnapshot(fetcher: PageFetcher, url: string, previous: PageSnapshot | undefined, pdfReader: PdfReader = sharedPdfReader): Promise<PageSnapshot | undefined> {
  const fetched = await fetcher.fetch(url, previous ? { ...(previous.etag && { etag: previous.etag }), ...(previous.lastModified && { lastModified: previous.lastModified }) } : {});
  if (fetched.status === 'not-modified') return undefined;
  const body = Buffer.from(fetched.body).toString('base64');
  if (previous !== undefined && previous.body === body && previous.kind === fetched.kind) return undefined;
  const snapshot: PageSnapshot = {
    url,
    finalUrl: fetched.finalUrl,
    fetchedAt: new Date().toISOString(),
    contentType: fetched.contentType,
    kind: fetched.kind,
    ...(fetched.charset !== undefined && { charset: fetched.charset }),
    ...(fetched.etag !== undefined && { etag: fetched.etag }),
    ...(fetched.lastModified !== undefined && { lastModified: fetched.lastModified }),
    body,
  };
  // A page that gives no text (or cannot be read) is refused here, before it replaces anything.
  try {
    const doc = await readPageDocument(snapshot, sha256(body), pdfReader);
    if (doc.blocks.length === 0) throw new FetchRefused('its main content has no text');
  } catch (error) {
    if (error instanceof FetchRefused) throw error;
    throw new FetchRefused(error instanceof UnreadableDocument ? error.message : `it cannot be read (${errorMessage(error)})`);
  }
  return snapshot;
}
