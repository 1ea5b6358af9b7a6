import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { botError, errorMessage } from '../errors.ts';
import type { KnowledgeDocument, SkippedFile } from '../types.ts';
import { parseMarkdown } from './markdown.ts';
import { parsePlainText } from './plain-text.ts';
import { UnreadableDocument } from './unreadable.ts';

export const KNOWLEDGE_EXTENSIONS = ['.md', '.markdown', '.mdx', '.txt'] as const;
/** Knowledge documents are articles, not data dumps; anything bigger is almost surely a mistake. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

export interface LoadedKnowledge {
  documents: KnowledgeDocument[];
  skipped: SkippedFile[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why a file's bytes cannot be knowledge, or undefined when they can. */
export function rejectReason(bytes: Uint8Array, maxBytes = MAX_DOCUMENT_BYTES): string | undefined {
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
export async function loadKnowledge(dir: string): Promise<LoadedKnowledge> {
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
      if (info.size > MAX_DOCUMENT_BYTES) {
        skipped.push({ file: id, reason: `too large (${info.size} bytes; the limit is ${MAX_DOCUMENT_BYTES})` });
        continue;
      }
      bytes = await readFile(file);
    } catch (error) {
      skipped.push({ file: id, reason: `unreadable (${errorMessage(error)})` });
      continue;
    }
    const reason = rejectReason(bytes);
    if (reason !== undefined) {
      skipped.push({ file: id, reason });
      continue;
    }
    let doc: KnowledgeDocument;
    try {
      doc = parseDocument(id, bytes.toString('utf8'), sha256(bytes));
    } catch (error) {
      // A limit the file goes past, or a parser failing on input nobody foresaw: never fatal.
      skipped.push({ file: id, reason: error instanceof UnreadableDocument ? error.message : `cannot be parsed (${errorMessage(error)})` });
      continue;
    }
    if (doc.blocks.length === 0) {
      skipped.push({ file: id, reason: 'no text besides headings, images, links or markup' });
      continue;
    }
    documents.push(doc);
  }
  return { documents, skipped };
}

async function listKnowledgeFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
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
