/**
 * Where each server's knowledge lives and which servers' indexes are held in memory.
 */
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { botError } from '../errors.ts';

/** A Discord id (snowflake): digits only, so it is always one safe folder name. */
const SERVER_ID = /^\d{1,25}$/;

export function checkServerId(id: string): string {
  if (typeof id !== 'string' || !SERVER_ID.test(id)) throw botError('SERVER_ID_INVALID', { id: String(id) });
  return id;
}

/** `<DATA_DIR>/servers/<id>/knowledge` (its documents) and `.../index` (their persisted index). */
export function serverDirs(dataDir: string, id: string): { root: string; knowledgeDir: string; indexDir: string } {
  const root = path.join(dataDir, 'servers', checkServerId(id));
  return { root, knowledgeDir: path.join(root, 'knowledge'), indexDir: path.join(root, 'index') };
}

/**
 * The servers whose knowledge is held in memory: at most `max` recently used ones, plus any with a
 * change or build in progress (unloaded only once it ends, so no second copy ever writes the same
 * folder). An unloaded server is opened again from disk on its next question.
 */
export class ServerRegistry<T extends { isBusy(): boolean }> {
  private readonly held = new Map<string, T>();
  private readonly recent: LRUCache<string, true>;

  constructor(
    max: number,
    private readonly open: (id: string) => T,
  ) {
    this.recent = new LRUCache<string, true>({
      max,
      noDisposeOnSet: true,
      dispose: (_value, id, reason) => {
        // During `dispose` the key is still present: decide once the removal is complete.
        if (reason === 'evict' || reason === 'delete') queueMicrotask(() => this.releaseIfIdle(id));
      },
    });
  }

  /** The server's entry, opened if it is not held; marks it as just used. */
  get(id: string): T {
    checkServerId(id);
    let entry = this.held.get(id);
    if (entry === undefined) {
      entry = this.open(id);
      this.held.set(id, entry);
    }
    this.recent.set(id, true);
    return entry;
  }

  /** The entry if held, without opening or marking it. */
  peek(id: string): T | undefined {
    return this.held.get(id);
  }

  /** Called when a server's work ends: one pushed out of the recent set meanwhile is let go now. */
  releaseIfIdle(id: string): void {
    const entry = this.held.get(id);
    if (entry !== undefined && !this.recent.has(id) && !entry.isBusy()) this.held.delete(id);
  }

  /** Forgets an entry at once (its opening failed), so the next use opens it again. */
  forget(id: string, entry: T): void {
    if (this.held.get(id) === entry) this.held.delete(id);
    this.recent.delete(id);
  }

  get size(): number {
    return this.held.size;
  }

  values(): IterableIterator<T> {
    return this.held.values();
  }
}
