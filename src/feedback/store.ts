/**
 * Questions, refusals and feedback, kept in one SQLite file (better-sqlite3: every call is synchronous).
 *
 * Privacy: a user id is never stored. It is replaced by HMAC-SHA256(salt, id), the salt being random per
 * database and kept in its `meta` table, so the same person's votes can be matched (one vote per person
 * per question) without the file revealing who they are or matching ids across databases.
 * Rows older than the retention bound are deleted at open, at most hourly while recording, and on `prune()`.
 *
 * The log never holds up an answer: SQLite waits at most a few milliseconds for a lock. A write
 * that finds the file busy (another program holding it) is queued in memory, with a warning, and
 * written with the next write that gets through or by a retry every few seconds; the queue is
 * bounded (the oldest records are dropped, with a warning). Any other database error drops the
 * record with a warning. A file that is not a database at all is moved aside at open.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BotError, botError, errorMessage } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { FeedbackState, SettingScope, StoredSetting } from '../state/types.ts';
import { graphemePrefix } from '../text.ts';

/** Stored question text is cut here (the engine already cuts questions to this length). */
export const MAX_STORED_QUESTION_CHARS = 500;
export const MAX_STORED_COMMENT_CHARS = 1000;
export const DEFAULT_RETENTION_DAYS = 90;
const MAX_RETENTION_DAYS = 3650;
const DAY_MS = 86_400_000;
/** While recording, old rows are pruned at most this often. */
const PRUNE_INTERVAL_MS = 3_600_000;
/** How long a statement waits for another connection's lock before giving up: a few ms, never seconds. */
export const BUSY_TIMEOUT_MS = 5;
/** Records kept in memory while the file is busy; beyond this the oldest are dropped. */
export const MAX_PENDING_WRITES = 1_000;
/** While records are queued, the file is tried again this often (one attempt, off any answer's path). */
const RETRY_PENDING_MS = 5_000;
/** After the file was found busy, writes are queued at once for this long instead of each waiting again. */
const BUSY_BACKOFF_MS = 1_000;

/** Where a question came from: /ask, a mention or DM, the terminal, or a message the bot answered on its own (a forum post, a follow-up). */
export type Surface = 'slash' | 'mention' | 'cli' | 'auto';
export type Vote = 'up' | 'down';

export interface RecordedCitation {
  n: number;
  source: string;
  section: string;
  score: number;
}

export interface QuestionRecord {
  question: string;
  guildId: string | null;
  userId: string;
  surface: Surface;
  refused: boolean;
  confidence: number;
  citations: readonly RecordedCitation[];
}

export interface FeedbackReport {
  /** Start of the window (ISO 8601); the window ends now. */
  since: string;
  days: number;
  questions: number;
  refused: number;
  /** refused / questions, three decimals; 0 when nothing was asked. */
  refusalRate: number;
  /** Current votes on the questions asked in the window (a changed vote counts once, as it is now). */
  up: number;
  down: number;
  /** The server the report is limited to; absent: every server and DM. */
  guildId?: string;
  /** Most asked questions, grouped by normalised text; `question` is the latest recorded wording. */
  topQuestions: { question: string; count: number }[];
  /** Most asked questions that were refused at least once or got a 👎: what the knowledge lacks. */
  gaps: { question: string; count: number; refused: number; down: number }[];
}

export interface FeedbackStoreOptions {
  /** Whole days, 1..3650; default 90. */
  retentionDays?: number;
  /** Injected in tests. */
  now?: () => Date;
  /** Where warnings go: records queued or dropped, a corrupt file moved aside. */
  logger?: Logger;
  /**
   * A file SQLite cannot read as a database is renamed aside (`<file>.corrupt-<time>`) and a new
   * one started, with a warning: what the bot wants. Otherwise (reports) it throws. Default false.
   */
  recoverCorrupt?: boolean;
  /** Records kept in memory while the file is busy; default 1000. */
  maxPendingWrites?: number;
}

type Db = Database.Database;

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run.
 * Append new ones, never edit an applied one.
 */
const MIGRATIONS: ((db: Db) => void)[] = [
  (db) => {
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        asked_at INTEGER NOT NULL,
        question TEXT NOT NULL,
        normalized TEXT NOT NULL,
        guild_id TEXT,
        user_hash TEXT NOT NULL,
        surface TEXT NOT NULL CHECK (surface IN ('slash', 'mention', 'cli')),
        refused INTEGER NOT NULL CHECK (refused IN (0, 1)),
        confidence REAL NOT NULL,
        citations TEXT NOT NULL
      ) STRICT;
      CREATE INDEX questions_asked_at ON questions (asked_at);
      CREATE TABLE votes (
        question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        user_hash TEXT NOT NULL,
        vote INTEGER NOT NULL CHECK (vote IN (1, -1)),
        voted_at INTEGER NOT NULL,
        PRIMARY KEY (question_id, user_hash)
      ) STRICT;
      CREATE TABLE comments (
        id INTEGER PRIMARY KEY,
        question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        user_hash TEXT NOT NULL,
        comment TEXT NOT NULL,
        commented_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX comments_question ON comments (question_id);
    `);
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('user_salt', randomBytes(32).toString('hex'));
  },
  // A server's /stats reads only its own questions.
  (db) => db.exec('CREATE INDEX questions_guild_asked_at ON questions (guild_id, asked_at)'),
  // Per-server and per-channel settings; channel_id '' is the server-wide one (a primary key cannot hold NULL).
  (db) =>
    db.exec(`
      CREATE TABLE settings (
        guild_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (guild_id, channel_id, key)
      ) STRICT`),
  // Automatic answers (forum posts, follow-ups) are their own surface. SQLite cannot change a CHECK
  // constraint in place: the table is rebuilt, its rows and ids kept (migrations run with foreign
  // keys off, so votes and comments stay as they are).
  (db) => {
    db.exec(`
      CREATE TABLE questions_new (
        id INTEGER PRIMARY KEY,
        asked_at INTEGER NOT NULL,
        question TEXT NOT NULL,
        normalized TEXT NOT NULL,
        guild_id TEXT,
        user_hash TEXT NOT NULL,
        surface TEXT NOT NULL CHECK (surface IN ('slash', 'mention', 'cli', 'auto')),
        refused INTEGER NOT NULL CHECK (refused IN (0, 1)),
        confidence REAL NOT NULL,
        citations TEXT NOT NULL
      ) STRICT;
      INSERT INTO questions_new SELECT id, asked_at, question, normalized, guild_id, user_hash, surface, refused, confidence, citations FROM questions;
      DROP TABLE questions;
      ALTER TABLE questions_new RENAME TO questions;
      CREATE INDEX questions_asked_at ON questions (asked_at);
      CREATE INDEX questions_guild_asked_at ON questions (guild_id, asked_at);
    `);
  },
];

/** Lower case, apostrophes dropped, other punctuation and runs of spaces collapsed to one space. */
export function normalizeQuestion(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function sqliteCode(error: unknown): string {
  return error instanceof Database.SqliteError ? error.code : '';
}

/** Another connection holds the lock: worth trying again later. */
function isBusy(error: unknown): boolean {
  return /^SQLITE_(BUSY|LOCKED)/.test(sqliteCode(error));
}

/** The file is not (or no longer) a readable SQLite database. */
function isCorrupt(error: unknown): boolean {
  return /^SQLITE_(NOTADB|CORRUPT)/.test(sqliteCode(error));
}

/** Renames the file (and its WAL companions) to `<file>.corrupt-<time>`; returns the new name. */
function moveAside(file: string, at: Date): string {
  const aside = `${file}.corrupt-${at.toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  }
  return aside;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** A report's rows: asked since `since` (ms), in server `guild`, or anywhere (DMs included) when null. */
interface Window {
  since: number;
  guild: string | null;
}

interface Statements {
  insertQuestion: Database.Statement<[number, string, string, string | null, string, Surface, number, number, string]>;
  upsertVote: Database.Statement<[number, string, number, number, number, string | null]>;
  insertComment: Database.Statement<[number, string, string, number, number, string | null]>;
  prune: Database.Statement<[number]>;
  totals: Database.Statement<[Window], { questions: number; refused: number }>;
  votes: Database.Statement<[Window], { up: number; down: number }>;
  top: Database.Statement<[Window & { limit: number }], { question: string; count: number }>;
  gaps: Database.Statement<
    [Window & { limit: number }],
    { question: string; count: number; refused_count: number; down_count: number }
  >;
  getSetting: Database.Statement<[string, string, string], { value: string }>;
  setSetting: Database.Statement<[string, string, string, string, number]>;
  deleteSetting: Database.Statement<[string, string, string]>;
  settingsOf: Database.Statement<[string], { channel_id: string; key: string; value: string }>;
}

/**
 * The single-host implementation of the bot's feedback state (FeedbackState): PostgresFeedback
 * (src/state/postgres/feedback.ts) is the other, for several hosts. Its methods answer at once.
 */
export class FeedbackStore implements FeedbackState {
  private lastPruneMs = 0;
  /** Writes that found the file busy, oldest first, each ready to run as it was meant to. */
  private readonly pending: (() => unknown)[] = [];
  private dropped = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Wall-clock ms before which the file is not tried again (it was just found busy). */
  private busyUntil = 0;

  private constructor(
    private readonly db: Db,
    private readonly salt: string,
    private readonly statements: Statements,
    private readonly retentionDays: number,
    private readonly now: () => Date,
    private readonly logger: Logger,
    private readonly maxPending: number,
  ) {}

  /**
   * Opens (creating the folder, file and schema when missing) and prunes old rows (unless the file
   * is busy). `file` may be `:memory:`. A file that is not a feedback database throws
   * FEEDBACK_DB_UNUSABLE, unless it is unreadable as a database and `recoverCorrupt` is set.
   */
  static open(file: string, options: FeedbackStoreOptions = {}): FeedbackStore {
    const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > MAX_RETENTION_DAYS) {
      throw new RangeError(`retentionDays must be a whole number from 1 to ${MAX_RETENTION_DAYS}, got ${retentionDays}`);
    }
    const now = options.now ?? (() => new Date());
    const logger = options.logger ?? silentLogger;
    const connect = () => FeedbackStore.connect(file, retentionDays, now, logger, options.maxPendingWrites ?? MAX_PENDING_WRITES);
    try {
      return connect();
    } catch (error) {
      if (!(options.recoverCorrupt && file !== ':memory:' && isCorrupt((error as Error).cause))) throw error;
      const aside = moveAside(file, now());
      logger.warn({ file, movedTo: aside, err: errorMessage((error as Error).cause) }, 'the feedback database was corrupt: moved it aside and started a new one');
      return connect();
    }
  }

  private static connect(file: string, retentionDays: number, now: () => Date, logger: Logger, maxPending: number): FeedbackStore {
    let db: Db | undefined;
    try {
      if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      // Waiting on another program's lock would hold up answers: give up after a few ms instead.
      db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      // Foreign keys (on by default in better-sqlite3) are enforced once the schema is current: a
      // migration that rebuilds a table must not cascade its drop into votes and comments.
      db.pragma('foreign_keys = OFF');
      migrate(db, file);
      db.pragma('foreign_keys = ON');
      const salt = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get('user_salt');
      if (!salt) throw new Error('its meta table has no user salt');
      const store = new FeedbackStore(db, salt.value, prepare(db), retentionDays, now, logger, maxPending);
      store.prune();
      return store;
    } catch (error) {
      db?.close();
      if (error instanceof BotError) throw error;
      throw botError('FEEDBACK_DB_UNUSABLE', { file, cause: errorMessage(error) }, error);
    }
  }

  /**
   * Records one asked question (answered or refused); returns its id for votes and comments, or
   * undefined when the record was queued (the file is busy) or dropped. Never throws for a
   * database problem, and never waits more than a few milliseconds.
   */
  recordQuestion(record: QuestionRecord): number | undefined {
    const nowMs = this.now().getTime();
    if (nowMs - this.lastPruneMs >= PRUNE_INTERVAL_MS) this.prune();
    const question = graphemePrefix(record.question, MAX_STORED_QUESTION_CHARS);
    const citations = JSON.stringify(record.citations.map(({ n, source, section, score }) => ({ n, source, section, score })));
    const userHash = this.hashUser(record.userId);
    const confidence = Number.isFinite(record.confidence) ? record.confidence : 0;
    return this.write('question', () =>
      Number(
        this.statements.insertQuestion.run(nowMs, question, normalizeQuestion(question), record.guildId, userHash, record.surface, record.refused ? 1 : 0, confidence, citations)
          .lastInsertRowid,
      ),
    );
  }

  /**
   * One vote per person per question: voting again replaces the vote. `guildId` is where the
   * click came from (null in DMs): a vote counts only on a question asked there, so no server can
   * weigh on another's figures. False when there is no such question; true when recorded, or
   * queued while the file is busy.
   */
  recordVote(questionId: number, userId: string, vote: Vote, guildId: string | null): boolean {
    if (vote !== 'up' && vote !== 'down') throw new TypeError(`vote must be 'up' or 'down', got ${String(vote)}`);
    const value = vote === 'up' ? 1 : -1;
    const userHash = this.hashUser(userId);
    const at = this.now().getTime();
    return this.write('vote', () => this.statements.upsertVote.run(questionId, userHash, value, at, questionId, guildId).changes > 0) ?? true;
  }

  /**
   * Keeps a comment (cut to 1000 characters; a person may comment more than once), on a question
   * asked where the comment came from (`guildId`, null in DMs), as votes are.
   * False when there is no such question or the comment is blank; true when recorded or queued.
   */
  recordComment(questionId: number, userId: string, comment: string, guildId: string | null): boolean {
    const text = graphemePrefix(comment.trim(), MAX_STORED_COMMENT_CHARS);
    if (text === '') return false;
    const userHash = this.hashUser(userId);
    const at = this.now().getTime();
    return this.write('comment', () => this.statements.insertComment.run(questionId, userHash, text, at, questionId, guildId).changes > 0) ?? true;
  }

  /** Records waiting for the file to be free. */
  get pendingWrites(): number {
    return this.pending.length;
  }

  /**
   * Deletes questions (with their votes and comments) older than the retention bound; returns how
   * many. A busy file skips it (0): it is tried again within the hour.
   */
  prune(): number {
    const nowMs = this.now().getTime();
    this.lastPruneMs = nowMs;
    try {
      return this.statements.prune.run(nowMs - this.retentionDays * DAY_MS).changes;
    } catch (error) {
      if (!(error instanceof Database.SqliteError)) throw error;
      this.logger.warn({ err: errorMessage(error) }, 'could not prune the question log; trying again later');
      return 0;
    }
  }

  /** Runs a write now, after any queued ones; queues it when the file is busy, drops it on any other database error. */
  private write<T>(what: string, run: () => T): T | undefined {
    // While the file was just found busy, queue at once rather than wait for the lock again.
    if (this.pending.length > 0 && (Date.now() < this.busyUntil || !this.flushPending())) {
      this.enqueue(what, run);
      return undefined;
    }
    try {
      return run();
    } catch (error) {
      if (isBusy(error)) {
        this.busyUntil = Date.now() + BUSY_BACKOFF_MS;
        this.enqueue(what, run);
      } else if (error instanceof Database.SqliteError) {
        this.logger.warn({ what, err: errorMessage(error) }, 'could not write to the question log; the record is dropped');
      } else {
        throw error;
      }
      return undefined;
    }
  }

  private enqueue(what: string, run: () => unknown): void {
    if (this.pending.length === 0) {
      this.logger.warn({ what }, 'the question log is busy (another program holds it): records are queued and written later');
    }
    this.pending.push(run);
    if (this.pending.length > this.maxPending) {
      this.pending.shift();
      if (this.dropped++ % 100 === 0) this.logger.warn({ dropped: this.dropped, queued: this.maxPending }, 'the question log is still busy: dropping the oldest queued records');
    }
    this.scheduleRetry();
  }

  /** One attempt every few seconds while records wait, even when nobody asks anything. */
  private scheduleRetry(): void {
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      if (this.db.open && this.pending.length > 0 && !this.flushPending()) this.scheduleRetry();
    }, RETRY_PENDING_MS).unref();
  }

  /**
   * Writes the queued records in one transaction (one attempt, waiting at most a few ms); false
   * while the file is still busy. Runs by itself every few seconds while records wait.
   */
  flushPending(): boolean {
    const count = this.pending.length;
    if (count === 0) return true;
    try {
      this.db.transaction(() => {
        for (const run of this.pending) run();
      })();
    } catch (error) {
      if (isBusy(error)) {
        this.busyUntil = Date.now() + BUSY_BACKOFF_MS;
        return false;
      }
      if (!(error instanceof Database.SqliteError)) throw error;
      this.logger.warn({ dropped: count, err: errorMessage(error) }, 'could not write the queued records to the question log; they are dropped');
    }
    this.pending.length = 0;
    this.dropped = 0;
    this.logger.info({ written: count }, 'the question log is free again: queued records written');
    return true;
  }

  /**
   * What people asked in the last `days` days, what was refused or disliked; `limit` rows per list.
   * With `guildId`, only questions asked in that server; without, every question (DMs included).
   */
  report(options: { days?: number; limit?: number; guildId?: string } = {}): FeedbackReport {
    const days = options.days ?? 7;
    const limit = options.limit ?? 10;
    if (!(days > 0)) throw new RangeError(`days must be positive, got ${days}`);
    const sinceMs = this.now().getTime() - days * DAY_MS;
    // Records queued while the file was busy count as soon as it is free again.
    this.flushPending();
    const read = this.db.transaction((): FeedbackReport => {
      const window: Window = { since: sinceMs, guild: options.guildId ?? null };
      const totals = this.statements.totals.get(window) ?? { questions: 0, refused: 0 };
      const votes = this.statements.votes.get(window) ?? { up: 0, down: 0 };
      return {
        since: new Date(sinceMs).toISOString(),
        days,
        questions: totals.questions,
        refused: totals.refused,
        refusalRate: totals.questions === 0 ? 0 : round3(totals.refused / totals.questions),
        up: votes.up,
        down: votes.down,
        ...(options.guildId !== undefined && { guildId: options.guildId }),
        topQuestions: this.statements.top.all({ ...window, limit }).map(({ question, count }) => ({ question, count })),
        gaps: this.statements.gaps.all({ ...window, limit }).map((g) => ({
          question: g.question,
          count: g.count,
          refused: g.refused_count,
          down: g.down_count,
        })),
      };
    });
    try {
      return read();
    } catch (error) {
      if (isBusy(error)) throw botError('FEEDBACK_UNAVAILABLE', { cause: 'another program holds the database locked' }, error);
      if (error instanceof Database.SqliteError) throw botError('FEEDBACK_UNAVAILABLE', { cause: `the database cannot be read: ${error.message}` }, error);
      throw error;
    }
  }

  getSetting(scope: SettingScope, key: string): string | undefined {
    return this.settingsCall(() => this.statements.getSetting.get(scope.guildId, scope.channelId ?? '', key)?.value);
  }

  setSetting(scope: SettingScope, key: string, value: string | null): void {
    const where = [scope.guildId, scope.channelId ?? '', key] as const;
    this.settingsCall(() =>
      value === null ? this.statements.deleteSetting.run(...where) : this.statements.setSetting.run(...where, value, this.now().getTime()),
    );
  }

  settingsOf(guildId: string): StoredSetting[] {
    return this.settingsCall(() =>
      this.statements.settingsOf.all(guildId).map((r) => ({ guildId, channelId: r.channel_id === '' ? null : r.channel_id, key: r.key, value: r.value })),
    );
  }

  /** Settings are read and changed by admins, who are told when the file is busy or unreadable. */
  private settingsCall<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (!(error instanceof Database.SqliteError)) throw error;
      throw botError('SETTINGS_UNAVAILABLE', { cause: isBusy(error) ? 'another program holds the database locked' : error.message }, error);
    }
  }

  /** Writes what is queued if it can (one attempt), then closes. */
  close(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (!this.db.open) return;
    if (!this.flushPending()) {
      this.logger.warn({ dropped: this.pending.length }, 'the question log is still busy at shutdown: queued records are dropped');
    }
    this.db.close();
  }

  private hashUser(userId: string): string {
    return createHmac('sha256', this.salt).update(String(userId)).digest('hex');
  }
}

function migrate(db: Db, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw botError('FEEDBACK_DB_UNUSABLE', {
      file,
      cause: `its schema version ${version} is newer than this bot knows (${MIGRATIONS.length})`,
    });
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      MIGRATIONS[v]!(db);
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new Error(`migration ${v + 1} left ${broken.length} row(s) pointing nowhere`);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

function prepare(db: Db): Statements {
  return {
    insertQuestion: db.prepare(`
      INSERT INTO questions (asked_at, question, normalized, guild_id, user_hash, surface, refused, confidence, citations)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    upsertVote: db.prepare(`
      INSERT INTO votes (question_id, user_hash, vote, voted_at)
      SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM questions WHERE id = ? AND guild_id IS ?)
      ON CONFLICT (question_id, user_hash) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at`),
    insertComment: db.prepare(`
      INSERT INTO comments (question_id, user_hash, comment, commented_at)
      SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM questions WHERE id = ? AND guild_id IS ?)`),
    prune: db.prepare('DELETE FROM questions WHERE asked_at < ?'),
    totals: db.prepare(`
      SELECT COUNT(*) AS questions, COALESCE(SUM(refused), 0) AS refused FROM questions
      WHERE asked_at >= @since AND (@guild IS NULL OR guild_id = @guild)`),
    votes: db.prepare(`
      SELECT COALESCE(SUM(v.vote = 1), 0) AS up, COALESCE(SUM(v.vote = -1), 0) AS down
      FROM votes v JOIN questions q ON q.id = v.question_id
      WHERE q.asked_at >= @since AND (@guild IS NULL OR q.guild_id = @guild)`),
    // A bare column beside a single MAX() comes from the row holding the maximum: the latest wording.
    top: db.prepare(`
      SELECT question, COUNT(*) AS count, MAX(id) AS last_id
      FROM questions
      WHERE asked_at >= @since AND (@guild IS NULL OR guild_id = @guild) AND normalized <> ''
      GROUP BY normalized
      ORDER BY count DESC, last_id DESC
      LIMIT @limit`),
    gaps: db.prepare(`
      WITH downs AS (SELECT question_id, COUNT(*) AS n FROM votes WHERE vote = -1 GROUP BY question_id)
      SELECT q.question AS question, COUNT(*) AS count, SUM(q.refused) AS refused_count,
             COALESCE(SUM(downs.n), 0) AS down_count, MAX(q.id) AS last_id
      FROM questions q LEFT JOIN downs ON downs.question_id = q.id
      WHERE q.asked_at >= @since AND (@guild IS NULL OR q.guild_id = @guild) AND q.normalized <> ''
      GROUP BY q.normalized
      HAVING refused_count > 0 OR down_count > 0
      ORDER BY count DESC, refused_count + down_count DESC, last_id DESC
      LIMIT @limit`),
    getSetting: db.prepare('SELECT value FROM settings WHERE guild_id = ? AND channel_id = ? AND key = ?'),
    setSetting: db.prepare(`
      INSERT INTO settings (guild_id, channel_id, key, value, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (guild_id, channel_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
    deleteSetting: db.prepare('DELETE FROM settings WHERE guild_id = ? AND channel_id = ? AND key = ?'),
    settingsOf: db.prepare('SELECT channel_id, key, value FROM settings WHERE guild_id = ? ORDER BY channel_id, key'),
  };
}
