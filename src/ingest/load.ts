import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { botError, errorMessage } from '../errors.ts';
import type { KnowledgeDocument, SkippedFile } from '../types.ts';
import { parseMarkdown } from './markdown.ts';
import { sharedPdfReader, type PdfReader } from './pdf/pdf-reader.ts';
import { parsePlainText } from './plain-text.ts';
import { sha256 } from '../hash.ts';
import { isPdf, listKnowledgeFiles, maxBytesFor, MAX_DOCUMENT_BYTES, readUrlList, rejectReason } from './sources.ts';
import { UnreadableDocument } from './unreadable.ts';
import { readPageDocument } from './web/read-page.ts';
import { readSnapshot } from './web/snapshots.ts';

export interface LoadOptions {
  /** Reads the PDFs (on its own thread); by default the process's shared reader. */
  pdfReader?: PdfReader;
}

export interface LoadedKnowledge {
  documents: KnowledgeDocument[];
  skipped: SkippedFile[];
  /** The folder's `sourceFingerprint`, when the folder did not change while it was read. */
  fingerprint?: string;
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
