/**
 * Questions, votes, comments and settings in PostgreSQL, shared by every host: the same behaviour
 * as the SQLite FeedbackStore (src/feedback/store.ts), which the same tests check
 * (tests/state/feedback-contract.ts).
 *
 * User ids are stored only as HMAC-SHA256(salt, id), the salt random per database (in `meta`).
 * While the database is unreachable, writes wait in a bounded queue (WriteQueue) and an answer
 * never waits more than RECORD_WAIT_MS for its record: it then goes out without 👍/👎.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { botError, errorMessage } from '../../errors.ts';
import { DEFAULT_RETENTION_DAYS, MAX_PENDING_WRITES, MAX_STORED_COMMENT_CHARS, MAX_STORED_QUESTION_CHARS, normalizeQuestion, type FeedbackReport, type QuestionRecord, type Vote } from '../../feedback/store.ts';
import { silentLogger, type Logger } from '../../logger.ts';
import { graphemePrefix } from '../../text.ts';
import type { FeedbackState, SettingScope, StoredSetting } from '../types.ts';
import { isUnavailable, type Database } from './database.ts';
import { WriteQueue } from './write-queue.ts';

const DAY_MS = 86_400_000;
const MAX_RETENTION_DAYS = 3650;
/** While recording, old rows are pruned at most this often (by whichever host records). */
const PRUNE_INTERVAL_MS = 3_600_000;
/** An answer waits at most this long for its question's id; the write goes on without it. */
export const RECORD_WAIT_MS = 1_500;
/** /stats is answered within Discord's 3 s: a report the database has not given by then is "unavailable". */
const REPORT_WAIT_MS = 2_000;

export interface PostgresFeedbackOptions {
  retentionDays?: number;
  now?: () => Date;
  logger?: Logger;
  maxPendingWrites?: number;
}

/**
 * What `write` gives within RECORD_WAIT_MS, else `late` (the write goes on): a Discord interaction
 * must be acknowledged within 3 s, whatever the database does.
 */
async function withinWait<T, L>(write: Promise<T>, late: L, waitMs = RECORD_WAIT_MS): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<L>((resolve) => (timer = setTimeout(() => resolve(late), waitMs)));
  try {
    return await Promise.race([write, waited]);
  } finally {
    clearTimeout(timer);
  }
}

export class PostgresFeedback implements FeedbackState {
  private lastPruneMs = 0;

  private constructor(
    private readonly db: Database,
    private readonly salt: string,
    private readonly queue: WriteQueue,
    private readonly retentionDays: number,
    private readonly now: () => Date,
    private readonly logger: Logger,
  ) {}

  /** Reads (or, the first time, makes) the database's salt and prunes old rows. */
  static async open(db: Database, options: PostgresFeedbackOptions = {}): Promise<PostgresFeedback> {
    const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > MAX_RETENTION_DAYS) {
      throw new RangeError(`retentionDays must be a whole number from 1 to ${MAX_RETENTION_DAYS}, got ${retentionDays}`);
    }
    const logger = options.logger ?? silentLogger;
    // Hosts opening together may both try: the first salt written is everyone's.
    await db.query("INSERT INTO meta (key, value) VALUES ('user_salt', $1) ON CONFLICT (key) DO NOTHING", [randomBytes(32).toString('hex')]);
    const [salt] = await db.query<{ value: string }>("SELECT value FROM meta WHERE key = 'user_salt'");
    const store = new PostgresFeedback(
      db,
      salt!.value,
      new WriteQueue(options.maxPendingWrites ?? MAX_PENDING_WRITES, logger, 'question log'),
      retentionDays,
      options.now ?? (() => new Date()),
      logger,
    );
    await store.prune();
    return store;
  }

  get pendingWrites(): number {
    return this.queue.size;
  }

  async recordQuestion(record: QuestionRecord): Promise<number | undefined> {
    const at = this.now();
    if (at.getTime() - this.lastPruneMs >= PRUNE_INTERVAL_MS) void this.prune();
    const question = graphemePrefix(record.question, MAX_STORED_QUESTION_CHARS);
    const citations = JSON.stringify(record.citations.map(({ n, source, section, score }) => ({ n, source, section, score })));
    const params = [
      at,
      question,
      normalizeQuestion(question),
      record.guildId,
      this.hashUser(record.userId),
      record.surface,
      record.refused,
      Number.isFinite(record.confidence) ? record.confidence : 0,
      citations,
    ];
    const write = this.queue.run({
      what: 'question',
      run: async () => {
        const [row] = await this.db.query<{ id: string }>(
          `INSERT INTO questions (asked_at, question, normalized, guild_id, user_hash, surface, refused, confidence, citations)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
          params,
        );
        return Number(row!.id);
      },
    });
    return withinWait(write, undefined);
  }

  async recordVote(questionId: number, userId: string, vote: Vote, guildId: string | null): Promise<boolean> {
    if (vote !== 'up' && vote !== 'down') throw new TypeError(`vote must be 'up' or 'down', got ${String(vote)}`);
    const params = [questionId, this.hashUser(userId), vote === 'up' ? 1 : -1, this.now(), guildId];
    const recorded = this.queue.run({
      what: 'vote',
      run: async () =>
        (
          await this.db.pool.query(
            `INSERT INTO votes (question_id, user_hash, vote, voted_at)
             SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM questions WHERE id = $1 AND guild_id IS NOT DISTINCT FROM $5)
             ON CONFLICT (question_id, user_hash) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at`,
            params,
          )
        ).rowCount! > 0,
    });
    // Queued, or still on its way after the wait: taken (as the SQLite store says of a queued vote).
    return (await withinWait(recorded, true)) ?? true;
  }

  async recordComment(questionId: number, userId: string, comment: string, guildId: string | null): Promise<boolean> {
    const text = graphemePrefix(comment.trim(), MAX_STORED_COMMENT_CHARS);
    if (text === '') return false;
    const params = [questionId, this.hashUser(userId), text, this.now(), guildId];
    const recorded = this.queue.run({
      what: 'comment',
      run: async () =>
        (
          await this.db.pool.query(
            `INSERT INTO comments (question_id, user_hash, comment, commented_at)
             SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM questions WHERE id = $1 AND guild_id IS NOT DISTINCT FROM $5)`,
            params,
          )
        ).rowCount! > 0,
    });
    return (await withinWait(recorded, true)) ?? true;
  }

  async prune(): Promise<number> {
    const nowMs = this.now().getTime();
    this.lastPruneMs = nowMs;
    try {
      return (await this.db.pool.query('DELETE FROM questions WHERE asked_at < $1', [new Date(nowMs - this.retentionDays * DAY_MS)])).rowCount ?? 0;
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'could not prune the question log; trying again later');
      return 0;
    }
  }

  /** Writes what waits (one attempt); false while the database is unreachable. */
  flushPending(): Promise<boolean> {
    return this.queue.flush();
  }

  async report(options: { days?: number; limit?: number; guildId?: string } = {}): Promise<FeedbackReport> {
    const days = options.days ?? 7;
    const limit = options.limit ?? 10;
    if (!(days > 0)) throw new RangeError(`days must be positive, got ${days}`);
    const since = new Date(this.now().getTime() - days * DAY_MS);
    const guild = options.guildId ?? null;
    const late = Symbol('late');
    const report = await withinWait(this.readReport(since, guild, days, limit, options.guildId), late, REPORT_WAIT_MS);
    if (report === late) throw botError('FEEDBACK_UNAVAILABLE', { cause: 'the database did not answer in time' });
    return report;
  }

  private async readReport(since: Date, guild: string | null, days: number, limit: number, guildId: string | undefined): Promise<FeedbackReport> {
    // Records queued while the database was away count as soon as it is back.
    await this.queue.flush();
    try {
      return await this.db.transaction(async (client) => {
        // One snapshot for the four reads, as SQLite's read transaction gives.
        await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        const window = [since, guild];
        const totals = (
          await client.query<{ questions: number; refused: number }>(
            `SELECT count(*)::int AS questions, count(*) FILTER (WHERE refused)::int AS refused
             FROM questions WHERE asked_at >= $1 AND ($2::text IS NULL OR guild_id = $2)`,
            window,
          )
        ).rows[0]!;
        const votes = (
          await client.query<{ up: number; down: number }>(
            `SELECT count(*) FILTER (WHERE v.vote = 1)::int AS up, count(*) FILTER (WHERE v.vote = -1)::int AS down
             FROM votes v JOIN questions q ON q.id = v.question_id
             WHERE q.asked_at >= $1 AND ($2::text IS NULL OR q.guild_id = $2)`,
            window,
          )
        ).rows[0]!;
        // The latest wording of each group represents it, as in the SQLite store.
        const top = (
          await client.query<{ question: string; count: number }>(
            `SELECT (array_agg(question ORDER BY id DESC))[1] AS question, count(*)::int AS count
             FROM questions
             WHERE asked_at >= $1 AND ($2::text IS NULL OR guild_id = $2) AND normalized <> ''
             GROUP BY normalized
             ORDER BY count DESC, max(id) DESC
             LIMIT $3`,
            [...window, limit],
          )
        ).rows;
        const gaps = (
          await client.query<{ question: string; count: number; refused_count: number; down_count: number }>(
            `WITH downs AS (SELECT question_id, count(*) AS n FROM votes WHERE vote = -1 GROUP BY question_id)
             SELECT (array_agg(q.question ORDER BY q.id DESC))[1] AS question, count(*)::int AS count,
                    count(*) FILTER (WHERE q.refused)::int AS refused_count, COALESCE(sum(downs.n), 0)::int AS down_count
             FROM questions q LEFT JOIN downs ON downs.question_id = q.id
             WHERE q.asked_at >= $1 AND ($2::text IS NULL OR q.guild_id = $2) AND q.normalized <> ''
             GROUP BY q.normalized
             HAVING count(*) FILTER (WHERE q.refused) > 0 OR COALESCE(sum(downs.n), 0) > 0
             ORDER BY count DESC, count(*) FILTER (WHERE q.refused) + COALESCE(sum(downs.n), 0) DESC, max(q.id) DESC
             LIMIT $3`,
            [...window, limit],
          )
        ).rows;
        return {
          since: since.toISOString(),
          days,
          questions: totals.questions,
          refused: totals.refused,
          refusalRate: totals.questions === 0 ? 0 : Math.round((totals.refused / totals.questions) * 1000) / 1000,
          up: votes.up,
          down: votes.down,
          ...(guildId !== undefined && { guildId }),
          topQuestions: top.map(({ question, count }) => ({ question, count })),
          gaps: gaps.map((g) => ({ question: g.question, count: g.count, refused: g.refused_count, down: g.down_count })),
        };
      });
    } catch (error) {
      throw botError('FEEDBACK_UNAVAILABLE', { cause: isUnavailable(error) ? 'the database cannot be reached' : `the database cannot be read: ${errorMessage(error)}` }, error);
    }
  }

  async getSetting(scope: SettingScope, key: string): Promise<string | undefined> {
    const rows = await this.settingsQuery<{ value: string }>('SELECT value FROM settings WHERE guild_id = $1 AND channel_id = $2 AND key = $3', [
      scope.guildId,
      scope.channelId ?? '',
      key,
    ]);
    return rows[0]?.value;
  }

  async setSetting(scope: SettingScope, key: string, value: string | null): Promise<void> {
    const where = [scope.guildId, scope.channelId ?? '', key];
    if (value === null) {
      await this.settingsQuery('DELETE FROM settings WHERE guild_id = $1 AND channel_id = $2 AND key = $3', where);
      return;
    }
    await this.settingsQuery(
      `INSERT INTO settings (guild_id, channel_id, key, value, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (guild_id, channel_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [...where, value, this.now()],
    );
  }

  async settingsOf(guildId: string): Promise<StoredSetting[]> {
    const rows = await this.settingsQuery<{ channel_id: string; key: string; value: string }>(
      'SELECT channel_id, key, value FROM settings WHERE guild_id = $1 ORDER BY channel_id, key',
      [guildId],
    );
    return rows.map((r) => ({ guildId, channelId: r.channel_id === '' ? null : r.channel_id, key: r.key, value: r.value }));
  }

  /** Writes what waits if it can (one attempt), logs what cannot be written, and lets go of the database. */
  async close(): Promise<void> {
    await this.queue.close();
  }

  /** Settings are read and changed by admins, who are told when the database is away. */
  private async settingsQuery<R extends Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<R[]> {
    try {
      return await this.db.query<R>(sql, params);
    } catch (error) {
      throw botError('SETTINGS_UNAVAILABLE', { cause: isUnavailable(error) ? 'the database cannot be reached' : errorMessage(error) }, error);
    }
  }

  private hashUser(userId: string): string {
    return createHmac('sha256', this.salt).update(String(userId)).digest('hex');
  }
}
