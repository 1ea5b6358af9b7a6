/**
 * Every failure a user can cause, as a code with a templated message (Orama's habit), so tests
 * assert on codes and people read one clear line.
 */
import { graphemePrefix } from './text.ts';

const MESSAGES = {
  // The rejected value is never repeated: a token pasted into the wrong variable must not reach a log.
  CONFIG_INVALID: (p: { name: string; expected: string }) => `Configuration error: ${p.name} is not valid; expected ${p.expected}.`,
  DIR_NOT_WRITABLE: (p: { name: string; dir: string; cause: string }) =>
    `${p.name} folder ${p.dir} is not writable (${p.cause}); make it writable or point ${p.name} elsewhere.`,
  KNOWLEDGE_DIR_MISSING: (p: { dir: string }) =>
    `Knowledge folder not found: ${p.dir}. Create it and put .md, .txt or .pdf documents (or a urls.txt list of pages) in it (or set KNOWLEDGE_DIR).`,
  KNOWLEDGE_EMPTY: (p: { dir: string; skipped: number }) =>
    `No usable knowledge in ${p.dir}: no readable .md, .txt or .pdf document or web page with text` +
    (p.skipped > 0 ? ` (${p.skipped} file(s) skipped, see warnings).` : '.'),
  MODEL_DIR_MISSING: (p: { embedder: string }) =>
    `EMBEDDER=${p.embedder} needs MODEL_DIR: the folder that holds Xenova/all-MiniLM-L6-v2/ with its onnx/ weights.`,
  MODEL_FILE_MISSING: (p: { file: string; dir: string }) =>
    `Model weights missing: ${p.file} was not found in ${p.dir}. Put the ONNX weights there or use EMBEDDER=use-lite.`,
  MODEL_LOAD_FAILED: (p: { embedder: string; cause: string }) =>
    `Could not load the ${p.embedder} embedding model: ${p.cause}`,
  INDEX_CORRUPT: (p: { dir: string; cause: string }) => `The index in ${p.dir} is unusable: ${p.cause}`,
  DIMENSION_MISMATCH: (p: { expected: number; actual: number }) =>
    `Vector dimension mismatch: the index holds ${p.expected}-dimensional vectors but got ${p.actual}.`,
  REINDEX_FAILED: (p: { cause: string }) => `Reindex failed, the previous index keeps answering: ${p.cause}`,
  BUILD_WORKER_FAILED: (p: { cause: string }) => `The index build worker thread failed: ${p.cause}.`,
  MODEL_THREAD_FAILED: (p: { cause: string }) => `The embedding model's thread failed: ${p.cause}.`,
  KNOWLEDGE_FILE_NAME_INVALID: (p: { name: string; reason: string }) =>
    `${shown(p.name)} is not a usable knowledge file name: ${p.reason}.`,
  KNOWLEDGE_FILE_REJECTED: (p: { name: string; reason: string }) =>
    `${p.name} was not added to the knowledge: ${p.reason}. The knowledge is unchanged.`,
  KNOWLEDGE_PAGE_REFUSED: (p: { url: string; reason: string }) =>
    `${shown(p.url)} was not added to the knowledge: ${p.reason}. The knowledge is unchanged.`,
  KNOWLEDGE_FILE_EXISTS: (p: { name: string }) =>
    `A knowledge file named ${p.name} already exists; replace it explicitly or choose another name.`,
  KNOWLEDGE_FILE_NOT_FOUND: (p: { name: string }) => `There is no knowledge file named ${p.name}.`,
  KNOWLEDGE_QUOTA: (p: { limit: string }) =>
    `This server's knowledge is full: ${p.limit}. Remove a document (/knowledge remove) first; the knowledge is unchanged.`,
  KNOWLEDGE_NAME_IS_BASE: (p: { name: string }) =>
    `${p.name} is one of the bot's base documents, which only the bot's owners can change; a server's own documents need other names.`,
  SERVER_ID_INVALID: (p: { id: string }) => `${shown(p.id)} is not a Discord server id.`,
  NOT_ALLOWED: (p: { what: string; who: string }) => `${p.what} is for ${p.who} only.`,
  KNOWLEDGE_CHANGE_UNDONE: (p: { name: string; cause: string }) => `The change to ${p.name} was undone: ${p.cause}`,
  FEEDBACK_DB_UNUSABLE: (p: { file: string; cause: string }) =>
    `The feedback database ${p.file} is unusable: ${p.cause}. Move it aside (or set FEEDBACK_DB) to start a new one.`,
  FEEDBACK_UNAVAILABLE: (p: { cause: string }) =>
    `The question log is unavailable right now (${p.cause}); answers are not affected. Try again later.`,
  SETTINGS_UNAVAILABLE: (p: { cause: string }) => `Settings cannot be read or saved right now (${p.cause}); try again in a moment.`,
  DATABASE_UNAVAILABLE: (p: { database: string; cause: string }) =>
    `The database ${p.database} (DATABASE_URL) cannot be used: ${p.cause}. Check that PostgreSQL runs there and accepts this bot's connections.`,
  DATABASE_SCHEMA_NEWER: (p: { database: string; version: number; known: number }) =>
    `The database ${p.database} has schema version ${p.version}, newer than this bot knows (${p.known}): run the newer bot, or point DATABASE_URL elsewhere.`,
  KNOWLEDGE_NOT_SHARED: (p: { name: string; cause: string }) =>
    `${p.name} is left as it was: the shared database could not record the change (${p.cause}). Try again in a moment.`,
  USAGE: (p: { detail: string }) => p.detail,
} as const;

/** A user-supplied name, quoted with control characters escaped and cut to a readable length. */
function shown(name: string): string {
  return name.length > 78 ? `${JSON.stringify(graphemePrefix(name, 75))}…` : JSON.stringify(name);
}

export type ErrorCode = keyof typeof MESSAGES;
type ParamsOf<C extends ErrorCode> = Parameters<(typeof MESSAGES)[C]>[0];

export class BotError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BotError';
    this.code = code;
  }
}

export function botError<C extends ErrorCode>(code: C, params: ParamsOf<C>, cause?: unknown): BotError {
  const template = MESSAGES[code] as (p: ParamsOf<C>) => string;
  return new BotError(code, template(params), cause === undefined ? undefined : { cause });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
