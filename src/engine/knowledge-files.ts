/**
 * Safe changes to the knowledge folder (adding, replacing, removing one top-level document), each
 * returning what is needed to undo it, so a caller whose following reindex fails can put the folder
 * back as it was: "a failed add leaves the knowledge unchanged".
 *
 * File names are strict (see `safeKnowledgeFileName`); files in sub-folders, or with names outside the
 * rule, can only be managed on disk.
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { BotError, botError } from '../errors.ts';
import { KNOWLEDGE_EXTENSIONS, MAX_DOCUMENT_BYTES, rejectReason } from '../ingest/sources.ts';

export const MAX_KNOWLEDGE_FILE_NAME = 100;

export interface AddedKnowledgeFile {
  /**
   * The file name written: the existing file's when a document of that name in another case was
   * replaced, otherwise the requested name after `safeKnowledgeFileName`.
   */
  file: string;
  replaced: boolean;
  /** The bytes the file held before, when it was replaced: pass to `restoreKnowledgeFile` to undo. */
  previous?: Uint8Array;
}

function invalid(name: string, reason: string): BotError {
  return botError('KNOWLEDGE_FILE_NAME_INVALID', { name, reason });
}

/**
 * Checks a requested file name and returns the name to write. The rule:
 * - surrounding spaces are trimmed and each run of inner spaces becomes one `-`;
 * - then only ASCII letters, digits, `.`, `-` and `_` may remain, at most 100 characters;
 * - it must start with a letter or a digit (no hidden `.files`, no `-options`), so `.`, `..`, absolute
 *   paths and any folder part (`/`, `\`) are refused, as are NUL and other control characters;
 * - it must end in .md, .markdown or .txt (any case).
 * Anything else throws KNOWLEDGE_FILE_NAME_INVALID saying why.
 */
export function safeKnowledgeFileName(name: string): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalid(String(name ?? ''), 'it is empty');
  if (name.includes('\0')) throw invalid(name, 'it contains a NUL character');
  if (/[\u0000-\u001f\u007f]/.test(name)) throw invalid(name, 'it contains control characters');
  if (name.includes('/') || name.includes('\\')) {
    throw invalid(name, 'it must be a plain file name, without folders (no / or \\)');
  }
  const candidate = name.trim().replace(/\s+/g, '-');
  if (candidate === '.' || candidate === '..') throw invalid(name, 'it is not a file name');
  if (candidate.startsWith('.')) throw invalid(name, 'it starts with a dot (hidden files are not knowledge)');
  if (candidate.length > MAX_KNOWLEDGE_FILE_NAME) {
    throw invalid(name, `it is longer than ${MAX_KNOWLEDGE_FILE_NAME} characters`);
  }
  if (!/^[A-Za-z0-9._-]+$/.test(candidate)) {
    throw invalid(name, 'only letters a-z, digits, ".", "-", "_" and spaces are allowed');
  }
  if (!/^[A-Za-z0-9]/.test(candidate)) throw invalid(name, 'it must start with a letter or a digit');
  const extension = path.extname(candidate).toLowerCase();
  if (!(KNOWLEDGE_EXTENSIONS as readonly string[]).includes(extension) || candidate.length === extension.length) {
    throw invalid(name, `it must end in ${KNOWLEDGE_EXTENSIONS.join(', ')}`);
  }
  return candidate;
}

/**
 * One change at a time per document, so the bytes returned for undo are the ones actually
 * replaced. Keyed case-insensitively: `Guide.md` and `guide.md` are one document.
 */
const locks = new Map<string, Promise<unknown>>();

async function withLock<T>(dir: string, file: string, work: () => Promise<T>): Promise<T> {
  const target = path.join(dir, file.toLowerCase());
  const previous = locks.get(target) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(work);
  const tail = run.catch(() => undefined);
  locks.set(target, tail);
  try {
    return await run;
  } finally {
    if (locks.get(target) === tail) locks.delete(target);
  }
}

/**
 * The name already used in `dir` for `file`, ignoring case (document names that differ only in
 * case are one name, whatever the file system); `file` itself when there is none.
 */
async function existingName(dir: string, file: string): Promise<string> {
  const wanted = file.toLowerCase();
  const entries = await readdir(dir);
  return entries.find((entry) => entry === file) ?? entries.find((entry) => entry.toLowerCase() === wanted) ?? file;
}

async function ensureDir(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw botError('KNOWLEDGE_DIR_MISSING', { dir });
}

/** The file's bytes, or undefined when there is no file of that name; a folder of that name throws `onFolder`. */
async function readExisting(target: string, onFolder: () => BotError): Promise<Uint8Array | undefined> {
  const info = await lstat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (info === undefined) return undefined;
  if (info.isDirectory()) throw onFolder();
  return new Uint8Array(await readFile(target));
}

/**
 * Writes `bytes` to `target` atomically: a dot-prefixed temporary file in the same folder (which the
 * loader and the watcher ignore), flushed, then renamed over the target; or, when `overwrite` is false,
 * hard-linked to it, which fails with EEXIST rather than replace a file created meanwhile.
 */
async function writeAtomically(target: string, bytes: Uint8Array, overwrite: boolean): Promise<void> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (overwrite) {
      await rename(temp, target);
    } else {
      await link(temp, target).catch(async (error: NodeJS.ErrnoException) => {
        // A file system without hard links: the per-file lock still keeps this process from racing itself.
        if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(error.code ?? '')) throw error;
        if (await lstat(target).then(() => true, () => false)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
        await rename(temp, target);
      });
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Adds a document to the knowledge folder (top level). Refuses bad names (KNOWLEDGE_FILE_NAME_INVALID),
 * bytes that could not be knowledge (KNOWLEDGE_FILE_REJECTED: empty, binary, not UTF-8, too large) and,
 * unless `replace`, an existing file (KNOWLEDGE_FILE_EXISTS). Nothing is written when it throws.
 */
export async function addKnowledgeFile(
  dir: string,
  name: string,
  bytes: Uint8Array,
  options: { replace: boolean },
): Promise<AddedKnowledgeFile> {
  const requested = safeKnowledgeFileName(name);
  const reason = rejectReason(bytes, MAX_DOCUMENT_BYTES, requested);
  if (reason !== undefined) throw botError('KNOWLEDGE_FILE_REJECTED', { name: requested, reason });
  await ensureDir(dir);
  return withLock(dir, requested, async () => {
    const file = await existingName(dir, requested);
    const target = path.join(dir, file);
    const previous = await readExisting(target, () =>
      botError('KNOWLEDGE_FILE_REJECTED', { name: file, reason: 'a folder of that name exists' }),
    );
    if (previous !== undefined && !options.replace) throw botError('KNOWLEDGE_FILE_EXISTS', { name: file });
    try {
      await writeAtomically(target, bytes, previous !== undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw botError('KNOWLEDGE_FILE_EXISTS', { name: file });
      throw error;
    }
    return previous === undefined ? { file, replaced: false } : { file, replaced: true, previous };
  });
}

/**
 * Deletes a top-level knowledge document (its name matched ignoring case) and returns the name it
 * had and its bytes (for undo); KNOWLEDGE_FILE_NOT_FOUND if absent.
 */
export async function removeKnowledgeFile(dir: string, name: string): Promise<{ file: string; previous: Uint8Array }> {
  const requested = safeKnowledgeFileName(name);
  await ensureDir(dir);
  return withLock(dir, requested, async () => {
    const file = await existingName(dir, requested);
    const target = path.join(dir, file);
    const notFound = () => botError('KNOWLEDGE_FILE_NOT_FOUND', { name: requested });
    const previous = await readExisting(target, notFound);
    if (previous === undefined) throw notFound();
    await unlink(target);
    return { file, previous };
  });
}

/**
 * Undoes an add, replace or remove: with `previous` the file is written back as it was (atomically);
 * without it (the add created the file) the file is deleted, if it is there.
 */
export async function restoreKnowledgeFile(dir: string, name: string, previous: Uint8Array | undefined): Promise<void> {
  const file = safeKnowledgeFileName(name);
  const target = path.join(dir, file);
  await withLock(dir, file, async () => {
    if (previous === undefined) {
      await unlink(target).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    } else {
      await writeAtomically(target, previous, true);
    }
  });
}
