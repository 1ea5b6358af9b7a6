import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { botError, errorMessage } from '../errors.ts';
import type { KnowledgeDocument, Section, SkippedFile } from '../types.ts';

export const KNOWLEDGE_EXTENSIONS = ['.md', '.markdown', '.txt'] as const;
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
    const doc = parseDocument(id, bytes.toString('utf8'), sha256(bytes));
    if (doc.sections.every((s) => s.text.trim() === '')) {
      skipped.push({ file: id, reason: 'no text besides headings' });
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

export function parseDocument(id: string, raw: string, hash: string): KnowledgeDocument {
  const { meta, body } = splitFrontMatter(raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));
  const isMarkdown = !id.toLowerCase().endsWith('.txt');
  const parsed = isMarkdown ? parseMarkdownSections(body) : parsePlainTextSections(body);
  const title = meta.title ?? parsed.title ?? titleFromFileName(id);
  return {
    id,
    title,
    ...(meta.url !== undefined && { url: meta.url }),
    hash,
    sections: parsed.sections.filter((s) => s.text.trim() !== ''),
  };
}

/** Only `key: value` lines are supported: front matter here carries a title and a url, nothing nested. */
function splitFrontMatter(text: string): { meta: { title?: string; url?: string }; body: string } {
  const match = /^---\n([\s\S]*?)\n---\n?/.exec(text);
  if (!match) return { meta: {}, body: text };
  const meta: { title?: string; url?: string } = {};
  for (const line of (match[1] ?? '').split('\n')) {
    const kv = /^(title|url)\s*:\s*(.+)$/i.exec(line.trim());
    if (!kv) continue;
    const key = kv[1]!.toLowerCase() as 'title' | 'url';
    meta[key] = kv[2]!.trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return { meta, body: text.slice(match[0].length) };
}

interface ParsedBody {
  title?: string;
  sections: Section[];
}

function parseMarkdownSections(body: string): ParsedBody {
  const sections: Section[] = [];
  const stack: { level: number; text: string }[] = [];
  let title: string | undefined;
  let current: string[] = [];
  let inFence = false;

  const flush = () => {
    sections.push({ headingPath: stack.map((h) => h.text), text: current.join('\n').trim() });
    current = [];
  };

  for (const line of body.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) {
      current.push(line);
      continue;
    }
    flush();
    const level = heading[1]!.length;
    const text = heading[2]!.trim();
    // The first H1 names the document; repeating it in every heading path would only add noise.
    if (level === 1 && title === undefined && sections.every((s) => s.text === '')) {
      title = text;
      stack.length = 0;
      continue;
    }
    while (stack.length > 0 && stack[stack.length - 1]!.level >= level) stack.pop();
    stack.push({ level, text });
  }
  flush();
  return { ...(title !== undefined && { title }), sections };
}

const SENTENCE_END = /[.!?:;,)"”’]$/;

/**
 * Plain text has no markup, so a heading is recognised by its shape: a short line that does not
 * end like a sentence, is not a list item, and is followed by more text.
 */
function looksLikeHeading(line: string, next: string | undefined): boolean {
  const t = line.trim();
  return (
    t.length > 0 &&
    t.length <= 80 &&
    t.split(/\s+/).length <= 12 &&
    !SENTENCE_END.test(t) &&
    !/^([-*•]|\d+[.)])\s/.test(t) &&
    /^[\p{Lu}\d]/u.test(t) &&
    next !== undefined
  );
}

function parsePlainTextSections(body: string): ParsedBody {
  const lines = body.split('\n').map((l) => l.trimEnd());
  const nonEmpty = lines.filter((l) => l.trim() !== '').map((l) => ({ l }));
  const sections: Section[] = [];
  let title: string | undefined;
  let heading: string[] = [];
  let current: string[] = [];
  nonEmpty.forEach(({ l }, k) => {
    const next = nonEmpty[k + 1]?.l;
    if (k === 0 && looksLikeHeading(l, next)) {
      title = l.trim();
      return;
    }
    if (looksLikeHeading(l, next)) {
      sections.push({ headingPath: heading, text: current.join('\n\n').trim() });
      heading = [l.trim()];
      current = [];
      return;
    }
    current.push(l);
  });
  sections.push({ headingPath: heading, text: current.join('\n\n').trim() });
  return { ...(title !== undefined && { title }), sections: mergeBulletLines(sections) };
}

/** In plain text every line was made its own paragraph; consecutive bullets stay one list. */
function mergeBulletLines(sections: Section[]): Section[] {
  return sections.map((s) => ({ ...s, text: s.text.replace(/\n\n(?=[-*•] )/g, '\n') }));
}

function titleFromFileName(id: string): string {
  const base = path.basename(id, path.extname(id)).replace(/[-_]+/g, ' ').trim();
  return base.charAt(0).toUpperCase() + base.slice(1);
}
