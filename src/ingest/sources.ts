/**
 * What a knowledge folder is made of, known without parsing any document: which files count as
 * documents and their size limits, the list of web pages, and a digest of all of it. Kept apart
 * from the parsers (load.ts) so that a start-up whose folder has not changed loads none of them.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from '../hash.ts';
import { PDF_LIMITS } from './pdf/limits.ts';
import { looksLikePdf } from './pdf/pdf-reader.ts';
import { snapshotFile } from './web/snapshots.ts';
import { parseUrlList, type UrlList } from './web/url-list.ts';

export const KNOWLEDGE_EXTENSIONS = ['.md', '.markdown', '.mdx', '.txt', '.pdf'] as const;
/** Knowledge documents are articles, not data dumps; anything bigger is almost surely a mistake. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
/**
 * The list of web pages of a knowledge folder (one URL a line, `#` comments), at its top level:
 * not a document itself (see src/ingest/web/).
 */
export const URL_LIST_FILE = 'urls.txt';

/** Whether a knowledge file is a PDF, by its name (its bytes are checked when it is read). */
export const isPdf = (name: string): boolean => path.extname(name).toLowerCase() === '.pdf';

/** The size limit of one knowledge file: PDFs carry fonts and images beside their text. */
export function maxBytesFor(name: string): number {
  return isPdf(name) ? PDF_LIMITS.maxBytes : MAX_DOCUMENT_BYTES;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Why a file's bytes cannot be knowledge, or undefined when they can: a quick check of the bytes
 * (a PDF's content is checked only by reading it, see `readDocument`).
 */
export function rejectReason(bytes: Uint8Array, maxBytes = MAX_DOCUMENT_BYTES, name = ''): string | undefined {
  if (isPdf(name)) {
    if (bytes.byteLength > PDF_LIMITS.maxBytes) return `too large (${bytes.byteLength} bytes; the limit for a PDF is ${PDF_LIMITS.maxBytes})`;
    return looksLikePdf(bytes) ? undefined : 'not a PDF (it does not start with %PDF-)';
  }
  if (bytes.byteLength > maxBytes) return `too large (${bytes.byteLength} bytes; the limit is ${maxBytes})`;
  if (bytes.includes(0)) return 'binary content (NUL bytes), not text';
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return 'not valid UTF-8 text';
  }
  if (text.trim() === '') return 'empty';
  return undefined;
}

/** The folder's list of web pages; empty when it has none. */
export async function readUrlList(dir: string): Promise<UrlList> {
  const text = await readFile(path.join(dir, URL_LIST_FILE), 'utf8').catch(() => '');
  return parseUrlList(text);
}

/** The folder's document files (recursively), sorted; hidden files and folders and `urls.txt` are not documents. */
export async function listKnowledgeFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    // Hidden folders (the snapshots of web pages, editors' and tools' folders) hold no documents.
    .filter((e) => !path.relative(dir, e.parentPath).split(path.sep).some((segment) => segment.startsWith('.')))
    .filter((e) => !(e.name.toLowerCase() === URL_LIST_FILE && path.resolve(e.parentPath) === path.resolve(dir)))
    .filter((e) => (KNOWLEDGE_EXTENSIONS as readonly string[]).includes(path.extname(e.name).toLowerCase()))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/**
 * A digest of everything the loader reads from the folder: each document file's bytes (or that it
 * is too large or unreadable), the list of web pages and each page's snapshot. Equal digests mean
 * the loader would read the same documents, so an index built from them is still current.
 */
export async function folderDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await listKnowledgeFiles(dir)) {
    const id = path.relative(dir, file).split(path.sep).join('/');
    // Names are JSON-quoted: no file name can pass for another line of the digest.
    hash.update(`${JSON.stringify(id)} ${await fileState(file, maxBytesFor(id))}\n`);
  }
  const list = await readFile(path.join(dir, URL_LIST_FILE)).catch(() => undefined);
  hash.update(`urls ${list === undefined ? 'none' : sha256(list)}\n`);
  for (const url of parseUrlList(list?.toString('utf8') ?? '').urls) {
    const snapshot = await readFile(snapshotFile(dir, url)).catch(() => undefined);
    hash.update(`${JSON.stringify(url)} ${snapshot === undefined ? 'none' : sha256(snapshot)}\n`);
  }
  return hash.digest('hex');
}

async function fileState(file: string, limit: number): Promise<string> {
  try {
    const info = await stat(file);
    if (info.size > limit) return `too large ${info.size}`;
    return sha256(await readFile(file));
  } catch {
    return 'unreadable';
  }
}
