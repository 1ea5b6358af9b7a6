/**
 * Calls `onChange` (typically a reindex) when knowledge files change on disk, debounced: a burst of
 * events makes one call, and events during a running call make exactly one more call after it.
 * Hidden paths (any segment starting with a dot, e.g. the atomic-write temp files and editors' swap
 * files) and files that are not knowledge (.md, .markdown, .txt) are ignored, except that a new or
 * renamed sub-folder counts, since it may hold documents.
 *
 * A watch follows the folder it was opened on: when the knowledge folder is deleted (or replaced,
 * e.g. a deploy that swaps it) the watch goes dead. The folder itself is therefore checked every
 * few seconds; when it is back (a new folder at the same path), it is watched again and its
 * contents count as a change.
 */
import { watch, statSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { botError, errorMessage } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { KNOWLEDGE_EXTENSIONS } from '../ingest/sources.ts';

export interface KnowledgeWatcher {
  close(): void;
}

export interface WatchOptions {
  /** Quiet time after the last event before `onChange` runs; default 1000 ms. */
  debounceMs?: number;
  logger?: Logger;
  /** How often the folder itself is checked (gone, or a new one in its place); default 2000 ms. */
  checkMs?: number;
}

/** What tells one folder from another at the same path; undefined when there is no folder there. */
function folderIdentity(dir: string): string | undefined {
  try {
    const info = statSync(dir);
    return info.isDirectory() ? `${info.dev}:${info.ino}:${info.birthtimeMs}` : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a path reported by fs.watch (relative to `dir`) can change the knowledge. */
export function isKnowledgeChange(dir: string, relative: string | null): boolean {
  // Some platforms do not say which file changed: assume it matters.
  if (relative === null || relative === '') return true;
  const segments = relative.split(/[\\/]/).filter(Boolean);
  if (segments.some((s) => s.startsWith('.'))) return false;
  const extension = path.extname(relative).toLowerCase();
  if ((KNOWLEDGE_EXTENSIONS as readonly string[]).includes(extension)) return true;
  if (extension !== '') return false;
  try {
    return statSync(path.join(dir, relative)).isDirectory();
  } catch {
    return false;
  }
}

export function watchKnowledge(
  dir: string,
  onChange: () => Promise<unknown>,
  options: WatchOptions = {},
): KnowledgeWatcher {
  const debounceMs = options.debounceMs ?? 1000;
  const logger = options.logger ?? silentLogger;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let pending = false;
  let closed = false;

  const run = async (): Promise<void> => {
    running = true;
    try {
      await onChange();
    } catch (error) {
      logger.warn({ err: errorMessage(error) }, 'knowledge change handling failed');
    } finally {
      running = false;
    }
    if (pending && !closed) {
      pending = false;
      void run();
    }
  };

  const fire = (): void => {
    timer = undefined;
    if (closed) return;
    if (running) pending = true;
    else void run();
  };

  const schedule = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  };

  let watcher: FSWatcher | undefined;
  let watched: string | undefined;
  let gone = false;

  const unwatch = (): void => {
    watcher?.close();
    watcher = undefined;
    watched = undefined;
  };

  /** Opens the watch on the folder now at `dir`; false when there is none. */
  const rewatch = (): boolean => {
    unwatch();
    const identity = folderIdentity(dir);
    if (identity === undefined) return false;
    try {
      watcher = watch(dir, { recursive: true }, (event, filename) => {
        if (closed) return;
        const relative = filename === null ? null : String(filename);
        if (!isKnowledgeChange(dir, relative)) return;
        logger.debug({ event, file: relative }, 'knowledge file changed');
        schedule();
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    watcher.on('error', (error) => {
      // The next check of the folder opens a new watch once the folder is usable again.
      logger.warn({ err: errorMessage(error), dir }, 'knowledge watcher failed; watching again once the folder is back');
      unwatch();
    });
    watched = identity;
    return true;
  };

  if (!rewatch()) throw botError('KNOWLEDGE_DIR_MISSING', { dir });
  logger.info({ dir, debounceMs }, 'watching the knowledge folder');

  const check = setInterval(() => {
    if (closed) return;
    const identity = folderIdentity(dir);
    if (identity === undefined) {
      if (!gone) logger.warn({ dir }, 'the knowledge folder is gone; the index keeps answering, and the folder is watched again when it is back');
      gone = true;
      unwatch();
      return;
    }
    if (identity === watched) return;
    if (rewatch()) {
      gone = false;
      logger.info({ dir }, 'the knowledge folder is back; watching it again');
      schedule();
    }
  }, options.checkMs ?? 2000);
  check.unref();

  return {
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      clearInterval(check);
      unwatch();
    },
  };
}
