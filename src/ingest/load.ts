import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { botError, errorMessage } from '../errors.ts';
import type { KnowledgeDocument, SkippedFile } from '../types.ts';
import { parseMarkdown } from './markdown.ts';
import { PDF_LIMITS } from './pdf/limits.ts';
import { looksLikePdf, sharedPdfReader, type PdfReader } from './pdf/pdf-reader.ts';
import { parsePlainText } from './plain-text.ts';
import { UnreadableDocument } from './unreadable.ts';
import { readPageDocument } from './web/read-page.ts';
import { readSnapshot } from './web/snapshots.ts';
import { parseUrlList, type UrlList } from './web/url-list.ts';

export const KNOWLEDGE_EXTENSIONS = ['.md', '.markdown', '.mdx', '.txt', '.pdf'] as const;
/** Knowledge documents are articles, not data dumps; anything bigger is almost surely a mistake. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
/**
 * The list of web pages of a knowledge folder (one URL a line, `#` comments), at its top level:
 * not a document itself (see src/ingest/web/).
 */
export const URL_LIST_FILE = 'urls.txt';

const isPdf = (name: string) => path.extname(name).toLowerCase() === '.pdf';

/** The size limit of one knowledge file: PDFs carry fonts and images beside their text. */
export function maxBytesFor(name: string): number {
  return isPdf(name) ? PDF_LIMITS.maxBytes : MAX_DOCUMENT_BYTES;
}

export interface LoadOptions {
  /** Reads the PDFs (on its own thread); by default the process's shared reader. */
  pdfReader?: PdfReader;
}

export interface LoadedKnowledge {
  documents: KnowledgeDocument[];
  skipped: SkippedFile[];
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

/** Reads every knowledge file under `dir` (recursively); bad files are reported, never fatal. */
export async function loadKnowledge(dir: string, options: LoadOptions = {}): Promise<LoadedKnowledge> {
  const dirStat = await stat(dir).catch(() => undefined);
  if (!dirStat?.isDirectory()) throw botError('KNOWLEDGE_DIR_MISSING', { dir });

  const files = await listKnowledgeFiles(dir);
  const documents: KnowledgeDocument[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of files) {
    const id = path.relative(dir, file).split(path.sep).join('/');
    let bytes: Buffer;
    try {
      const info = await stat(file);
      const limit = maxBytesFor(id);
      if (info.size > limit) {
        skipped.push({ file: id, reason: `too large (${info.size} bytes; the limit is ${limit})` });
        continue;
      }
      bytes = await readFile(file);
    } catch (error) {
      skipped.push({ file: id, reason: `unreadable (${errorMessage(error)})` });
      continue;
    }
    const read = await readDocument(id, bytes, options);
    if ('reason' in read) skipped.push({ file: id, reason: read.reason });
    else documents.push(read.document);
  }
  const pages = await loadPages(dir, options.pdfReader ?? sharedPdfReader);
  return { documents: [...documents, ...pages.documents], skipped: [...skipped, ...pages.skipped] };
}

/** The web pages listed in the folder's `urls.txt`, each read from its snapshot (src/ingest/web/). */
async function loadPages(dir: string, pdfReader: PdfReader): Promise<LoadedKnowledge> {
  const list = await readUrlList(dir);
  const documents: KnowledgeDocument[] = [];
  const skipped: SkippedFile[] = [...list.invalid];
  for (const url of list.urls) {
    const snapshot = await readSnapshot(dir, url);
    if (snapshot === undefined) {
      skipped.push({ file: url, reason: 'not fetched yet' });
      continue;
    }
    try {
      const doc = await readPageDocument(snapshot, sha256(snapshot.body), pdfReader);
      if (doc.blocks.length === 0) skipped.push({ file: url, reason: 'no text in its main content' });
      else documents.push(doc);
    } catch (error) {
      skipped.push({ file: url, reason: error instanceof UnreadableDocument ? error.message : `cannot be parsed (${errorMessage(error)})` });
    }
  }
  return { documents, skipped };
}

/** The folder's list of web pages; empty when it has none. */
export async function readUrlList(dir: string): Promise<UrlList> {
  const text = await readFile(path.join(dir, URL_LIST_FILE), 'utf8').catch(() => '');
  return parseUrlList(text);
}

/**
 * One file's bytes → a document, or the reason it is skipped (never thrown: a bad file is
 * reported, never fatal). Used by the loader and to check a document before it is added.
 */
export async function readDocument(id: string, bytes: Uint8Array, options: LoadOptions = {}): Promise<{ document: KnowledgeDocument } | { reason: string }> {
  const reason = rejectReason(bytes, MAX_DOCUMENT_BYTES, id);
  if (reason !== undefined) return { reason };
  let doc: KnowledgeDocument;
  try {
    doc = isPdf(id) ? await parsePdfDocument(id, bytes, options.pdfReader ?? sharedPdfReader) : parseDocument(id, Buffer.from(bytes).toString('utf8'), sha256(bytes));
  } catch (error) {
    // A limit the file goes past, or a parser failing on input nobody foresaw: never fatal.
    return { reason: error instanceof UnreadableDocument ? error.message : `cannot be parsed (${errorMessage(error)})` };
  }
  if (doc.blocks.length === 0) {
    return { reason: isPdf(id) ? 'no text in the PDF (scanned pages need OCR, which the bot does not do)' : 'no text besides headings, images, links or markup' };
  }
  return { document: doc };
}

async function parsePdfDocument(id: string, bytes: Uint8Array, reader: PdfReader): Promise<KnowledgeDocument> {
  const hash = sha256(bytes);
  const read = await reader.read(bytes, hash);
  return { id, title: read.title ?? titleFromFileName(id), hash, blocks: read.blocks };
}

async function listKnowledgeFiles(dir: string): Promise<string[]> {
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

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * One file's text → a document of blocks. Title: front matter, else the first H1 (or, in plain
 * text, a heading-like first line), else the file name made readable. Throws UnreadableDocument
 * when the file goes past a parsing limit.
 */
export function parseDocument(id: string, raw: string, hash: string): KnowledgeDocument {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  if (id.toLowerCase().endsWith('.txt')) {
    const parsed = parsePlainText(text.replace(/\r\n?/g, '\n'));
    return { id, title: parsed.title ?? titleFromFileName(id), hash, blocks: parsed.collector.blocks };
  }
  const parsed = parseMarkdown(text, id.toLowerCase().endsWith('.mdx') ? 'mdx' : 'markdown');
  const { title, url } = parsed.frontMatter;
  return {
    id,
    title: title ?? parsed.firstH1 ?? titleFromFileName(id),
    ...(url !== undefined && { url }),
    hash,
    blocks: parsed.collector.blocks,
  };
}

/** "interview-prep_notes.md" → "Interview prep notes". */
export function titleFromFileName(id: string): string {
  const base = path.basename(id, path.extname(id)).replace(/[-_]+/g, ' ').replace(/\s+/g, ' ').trim();
  return base.charAt(0).toUpperCase() + base.slice(1);
}
