/**
 * Snapshots of web pages: what a page held when it was last fetched, kept in a hidden folder of
 * its knowledge folder (`.web/`, ignored by the loader and the watcher) so the page answers
 * without the network and keeps answering when a later fetch fails. One JSON file per page,
 * written atomically, with the URL, the fetch time, the HTTP validators (ETag, Last-Modified) for
 * conditional re-fetches, and the body as fetched.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { sha256 } from '../../hash.ts';

export const SNAPSHOT_DIR = '.web';

const Snapshot = z.object({
  url: z.string(),
  finalUrl: z.string(),
  fetchedAt: z.string(),
  contentType: z.string(),
  kind: z.enum(['html', 'text', 'markdown', 'pdf']),
  charset: z.string().optional(),
  etag: z.string().optional(),
  lastModified: z.string().optional(),
  /** The body, base64. */
  body: z.string(),
});
export type PageSnapshot = z.infer<typeof Snapshot>;

export function snapshotFile(knowledgeDir: string, url: string): string {
  return path.join(knowledgeDir, SNAPSHOT_DIR, `${sha256(url).slice(0, 24)}.json`);
}

/** The page's snapshot, or undefined when there is none (or it is unreadable: it is fetched again). */
export async function readSnapshot(knowledgeDir: string, url: string): Promise<PageSnapshot | undefined> {
  const raw = await readFile(snapshotFile(knowledgeDir, url), 'utf8').catch(() => undefined);
  if (raw === undefined) return undefined;
  try {
    const parsed = Snapshot.safeParse(JSON.parse(raw));
    return parsed.success && parsed.data.url === url ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The snapshot's bytes as written, for undo. */
export async function readSnapshotBytes(knowledgeDir: string, url: string): Promise<Uint8Array | undefined> {
  return readFile(snapshotFile(knowledgeDir, url)).then((b) => new Uint8Array(b), () => undefined);
}

export async function writeSnapshot(knowledgeDir: string, snapshot: PageSnapshot): Promise<void> {
  await writeSnapshotBytes(knowledgeDir, snapshot.url, Buffer.from(JSON.stringify(snapshot)));
}

/** Writes (or, with undefined, deletes) a page's snapshot file; atomic (temporary file, then rename). */
export async function writeSnapshotBytes(knowledgeDir: string, url: string, bytes: Uint8Array | undefined): Promise<void> {
  const file = snapshotFile(knowledgeDir, url);
  if (bytes === undefined) {
    await unlink(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    return;
  }
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, bytes);
  await rename(temp, file);
}

export const snapshotBody = (snapshot: PageSnapshot): Uint8Array => new Uint8Array(Buffer.from(snapshot.body, 'base64'));
