import { LRUCache } from 'lru-cache';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Automatic answers waiting at most; beyond, a new one is dropped with a warning (its post stays unanswered). */
export const AUTO_QUEUE_MAX = 1_000;
/** Posts and messages already taken, remembered so a redelivered event is never answered twice. */
const REMEMBERED_KEYS = 20_000;

interface Job {
  key: string;
  run: () => Promise<void>;
  done: () => void;
}

/**
 * The automatic answers' queue: forum posts and follow-ups the bot answers on its own are taken
 * once each (by key), in arrival order, and started at most `perSecond` a second; each answer also
 * waits its turn to be sent (`beforeSend`), at most `perSecond` a second, since answers computed
 * at different speeds would otherwise reach Discord together (measured: on a loaded machine,
 * start pacing alone let a burst's answers bunch up and draw a 429). Both are token buckets
 * holding one second's worth, so a burst of posts is spread out instead of meeting Discord's rate
 * limits; the answers themselves still run under the concurrency cap.
 */
export class AutoAnswerQueue {
  private readonly queue: Job[] = [];
  private readonly taken = new LRUCache<string, true>({ max: REMEMBERED_KEYS });
  private tokens: number;
  private refilledAt: number;
  private timer: NodeJS.Timeout | undefined;
  private running = 0;
  private stopped = false;
  private sendTokens: number;
  private sendRefilledAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = perSecond;
    this.refilledAt = now();
    this.sendTokens = perSecond;
    this.sendRefilledAt = now();
  }

  /**
   * Resolves when this automatic answer may be sent: each call takes the next slot of the send
   * bucket (reserving ahead when it is empty), so sends go out at most `perSecond` a second.
   */
  async beforeSend(): Promise<void> {
    const now = this.now();
    this.sendTokens = Math.min(this.perSecond, this.sendTokens + ((now - this.sendRefilledAt) / 1000) * this.perSecond);
    this.sendRefilledAt = now;
    this.sendTokens -= 1;
    if (this.sendTokens < 0) await new Promise((resolve) => setTimeout(resolve, Math.ceil((-this.sendTokens / this.perSecond) * 1000)));
  }

  /**
   * Queues an answer under `key` (a post's or message's id); resolves when it has run. Undefined
   * when that key was already taken, the queue is full, or the bot is stopping.
   */
  add(key: string, run: () => Promise<void>): Promise<void> | undefined {
    if (this.stopped || this.taken.has(key)) return undefined;
    if (this.queue.length >= AUTO_QUEUE_MAX) {
      this.logger.warn({ key, queued: this.queue.length }, 'too many automatic answers waiting: this one is dropped');
      return undefined;
    }
    this.taken.set(key, true);
    const done = new Promise<void>((resolve) => this.queue.push({ key, run, done: resolve }));
    this.pump();
    return done;
  }

  /** Answers waiting to start. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Answers started and not finished. */
  get active(): number {
    return this.running;
  }

  /** Stops starting answers; those waiting are dropped (their posts predate the next start, which will not answer them). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length > 0) this.logger.warn({ dropped: this.queue.length }, 'stopping: automatic answers not started are dropped');
    for (const job of this.queue.splice(0)) job.done();
  }

  private pump(): void {
    if (this.stopped) return;
    const now = this.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = now;
    while (this.queue.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.start(this.queue.shift()!);
    }
    if (this.queue.length > 0 && this.timer === undefined) {
      const wait = Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
    }
  }

  private start(job: Job): void {
    this.running++;
    void job
      .run()
      .catch((error: unknown) => this.logger.error({ key: job.key, err: errorMessage(error) }, 'automatic answer failed'))
      .finally(() => {
        this.running--;
        job.done();
      });
  }
}
