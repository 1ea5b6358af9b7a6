/**
 * Calls `onChange` (typically a reindex) when knowledge files change on disk, debounced: a burst of
 * events makes one call, and events during a running call make exactly one more call after it.
 * Hidden paths (any segment starting with a dot, e.g. the atomic-write temp files and editors' swap
 * files) and files that are not knowledge (.md, .markdown, .txt) are ignored, except that a new or
 * renamed sub-folder counts, since it may hold documents.
 */
import { watch, statSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { botError, errorMessage } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { KNOWLEDGE_EXTENSIONS } from '../ingest/load.ts';

export interface KnowledgeWatcher {
  close(): void;
}

export interface WatchOptions {
  /** Quiet time after the last event before `onChange` runs; default 1000 ms. */
  debounceMs?: number;
  logger?: Logger;
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

  let watcher: FSWatcher;
  try {
    watcher = watch(dir, { recursive: true }, (event, filename) => {
      if (closed) return;
      const relative = filename === null ? null : String(filename);
      if (!isKnowledgeChange(dir, relative)) return;
      logger.debug({ event, file: relative }, 'knowledge file changed');
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(fire, debounceMs);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw botError('KNOWLEDGE_DIR_MISSING', { dir });
    throw error;
  }
  watcher.on('error', (error) => {
    logger.warn({ err: errorMessage(error), dir }, 'knowledge watcher failed; changes are no longer watched');
  });
  logger.info({ dir, debounceMs }, 'watching the knowledge folder');

  return {
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      watcher.close();
    },
  };
}
