/**
 * How much knowledge one server may keep: its own documents, on top of the base. Bounds the disk
 * and memory a server's admins can claim and the time a server's index takes to build.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { botError } from '../errors.ts';
import { readUrlList, URL_LIST_FILE } from '../ingest/sources.ts';
import { snapshotFile } from '../ingest/web/snapshots.ts';

export const SERVER_QUOTA = {
  documents: 50,
  bytes: 5 * 1024 * 1024,
} as const;

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * Throws KNOWLEDGE_QUOTA when writing `bytes` as `file` (replacing a file of that name, compared
 * ignoring case, if there is one; or, for a web page, its URL's snapshot) would take the folder
 * beyond the server quota. Each listed web page counts as a document, its snapshot as its bytes.
 */
export async function checkServerQuota(dir: string, file: string, bytes: number): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let documents = 0;
  let total = 0;
  for (const entry of entries) {
    // Hidden files are temporary writes and snapshots (counted below), never documents themselves.
    if (!entry.isFile() || entry.name.startsWith('.') || entry.name.toLowerCase() === file.toLowerCase()) continue;
    if (entry.name.toLowerCase() === URL_LIST_FILE) continue;
    documents++;
    total += (await stat(path.join(dir, entry.name)).catch(() => ({ size: 0 }))).size;
  }
  for (const url of (await readUrlList(dir)).urls) {
    if (url === file) continue;
    documents++;
    total += (await stat(snapshotFile(dir, url)).catch(() => ({ size: 0 }))).size;
  }
  if (documents + 1 > SERVER_QUOTA.documents) {
    throw botError('KNOWLEDGE_QUOTA', { limit: `it already has ${documents} documents, the most a server may keep` });
  }
  if (total + bytes > SERVER_QUOTA.bytes) {
    throw botError('KNOWLEDGE_QUOTA', {
      limit: `its documents take ${mib(total)}, and this one (${mib(bytes)}) would take them beyond ${mib(SERVER_QUOTA.bytes)}`,
    });
  }
}
