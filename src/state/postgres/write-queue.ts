/**
 * Writes that found the database unreachable wait here, in order, bounded, and are retried every
 * few seconds (and before any later write), so questions and votes made while PostgreSQL is down
 * are recorded once it is back, without a restart. What cannot be kept is logged by kind: records
 * pushed out of a full queue, refused by the database, or still waiting at shutdown.
 */
import { errorMessage } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { isUnavailable } from './database.ts';

export interface QueuedWrite {
  /** What it records, for the log: "question", "vote", "comment". */
  what: string;
  run(): Promise<unknown>;
}

const RETRY_MS = 2_000;

export class WriteQueue {
  private readonly queue: QueuedWrite[] = [];
  private flushing: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private droppedWhileDown = 0;
  private closed = false;

  constructor(
    private readonly max: number,
    private readonly logger: Logger,
    private readonly label: string,
  ) {}

  get size(): number {
    return this.queue.length;
  }

  /**
   * Runs a write now, unless earlier writes still wait (then it queues behind them, keeping their
   * order). Unreachable: queued, undefined. Refused by the database: dropped with a warning, undefined.
   */
  async run<T>(write: { what: string; run(): Promise<T> }): Promise<T | undefined> {
    if (this.queue.length > 0) {
      this.enqueue(write);
      void this.flush();
      return undefined;
    }
    try {
      return await write.run();
    } catch (error) {
      if (isUnavailable(error)) {
        if (!this.closed) this.enqueue(write, error);
        else this.lost([write], 'the database was unreachable at shutdown', error);
      } else {
        this.lost([write], 'the database refused it', error);
      }
      return undefined;
    }
  }

  /**
   * Writes what waits, oldest first (one attempt; a record the database refuses is dropped with a
   * warning). False while the database is still unreachable.
   */
  flush(): Promise<boolean> {
    this.flushing ??= this.writeQueued().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** One last attempt, then whatever still waits is logged as lost. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length > 0 && !(await this.flush())) {
      this.lost(this.queue.splice(0), 'the database was still unreachable at shutdown');
    }
  }

  private async writeQueued(): Promise<boolean> {
    let written = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      try {
        await next.run();
        written++;
      } catch (error) {
        if (isUnavailable(error)) {
          this.scheduleRetry();
          if (written > 0) this.logger.info({ store: this.label, written, waiting: this.queue.length }, 'wrote part of the queued records; the database went away again');
          return false;
        }
        this.lost([next], 'the database refused it', error);
      }
      this.queue.shift();
    }
    if (written > 0 || this.droppedWhileDown > 0) {
      this.logger.info({ store: this.label, written, lostWhileFull: this.droppedWhileDown }, 'the database is back: queued records written');
    }
    this.droppedWhileDown = 0;
    return true;
  }

  private enqueue(write: QueuedWrite, cause?: unknown): void {
    if (this.queue.length === 0) {
      this.logger.warn({ store: this.label, what: write.what, err: cause === undefined ? undefined : errorMessage(cause), bound: this.max }, 'the database is unreachable: records are queued and written when it is back');
    }
    this.queue.push(write);
    if (this.queue.length > this.max) {
      const [oldest] = this.queue.splice(0, 1);
      // One line for the first record lost and then one per hundred, each saying what went.
      if (this.droppedWhileDown++ % 100 === 0) this.lost([oldest!], `the queue is full (${this.max} records)`, undefined, this.droppedWhileDown);
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, RETRY_MS);
    this.timer.unref();
  }

  private lost(writes: readonly QueuedWrite[], why: string, error?: unknown, droppedSoFar?: number): void {
    const byKind: Record<string, number> = {};
    for (const w of writes) byKind[w.what] = (byKind[w.what] ?? 0) + 1;
    this.logger.warn(
      { store: this.label, lost: byKind, ...(droppedSoFar !== undefined && { droppedSoFar }), ...(error !== undefined && { err: errorMessage(error) }) },
      `records lost: ${why}`,
    );
  }
}
