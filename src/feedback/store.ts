/**
 * Questions, refusals and feedback, kept in one SQLite file (better-sqlite3: every call is synchronous).
 *
 * Privacy: a user id is never stored. It is replaced by HMAC-SHA256(salt, id), the salt being random per
 * database and kept in its `meta` table, so the same person's votes can be matched (one vote per person
 * per question) without the file revealing who they are or matching ids across databases.
 * Rows older than the retention bound are deleted at open, at most hourly while recording, and on `prune()`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BotError, botError, errorMessage } from '../errors.ts';

/** Stored question text is cut here (the engine already cuts questions to this length). */
export const MAX_STORED_QUESTION_CHARS = 500;
export const MAX_STORED_COMMENT_CHARS = 1000;
export const DEFAULT_RETENTION_DAYS = 90;
const MAX_RETENTION_DAYS = 3650;
const DAY_MS = 86_400_000;
/** While recording, old rows are pruned at most this often. */
const PRUNE_INTERVAL_MS = 3_600_000;

export type Surface = 'slash' | 'mention' | 'cli';
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

/** Cuts by code points, so a surrogate pair is never split. */
function truncate(text: string, max: number): string {
  const points = Array.from(text);
  return points.length > max ? points.slice(0, max).join('') : text;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

interface Statements {
  insertQuestion: Database.Statement<[number, string, string, string | null, string, Surface, number, number, string]>;
  upsertVote: Database.Statement<[number, string, number, number, number]>;
  insertComment: Database.Statement<[number, string, string, number, number]>;
  prune: Database.Statement<[number]>;
  totals: Database.Statement<[number], { questions: number; refused: number }>;
  votes: Database.Statement<[number], { up: number; down: number }>;
  top: Database.Statement<[number, number], { question: string; count: number }>;
  gaps: Database.Statement<
    [number, number],
    { question: string; count: number; refused_count: number; down_count: number }
  >;
}

export class FeedbackStore {
  private lastPruneMs = 0;

  private constructor(
    private readonly db: Db,
    private readonly salt: string,
    private readonly statements: Statements,
    private readonly retentionDays: number,
    private readonly now: () => Date,
  ) {}

  /**
   * Opens (creating the folder, file and schema when missing) and prunes old rows.
   * `file` may be `:memory:`. A file that is not a feedback database throws FEEDBACK_DB_UNUSABLE.
   */
  static open(file: string, options: FeedbackStoreOptions = {}): FeedbackStore {
    const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > MAX_RETENTION_DAYS) {
      throw new RangeError(`retentionDays must be a whole number from 1 to ${MAX_RETENTION_DAYS}, got ${retentionDays}`);
    }
    const now = options.now ?? (() => new Date());
    let db: Db | undefined;
    try {
      if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      // The bot writes while `npm run stats` reads: wait for the other connection rather than fail.
      db.pragma('busy_timeout = 5000');
      migrate(db, file);
      const salt = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get('user_salt');
      if (!salt) throw new Error('its meta table has no user salt');
      const store = new FeedbackStore(db, salt.value, prepare(db), retentionDays, now);
      store.prune();
      return store;
    } catch (error) {
      db?.close();
      if (error instanceof BotError) throw error;
      throw botError('FEEDBACK_DB_UNUSABLE', { file, cause: errorMessage(error) }, error);
    }
  }

  /** Records one asked question (answered or refused); returns its id for votes and comments. */
  recordQuestion(record: QuestionRecord): number {
    const nowMs = this.now().getTime();
    if (nowMs - this.lastPruneMs >= PRUNE_INTERVAL_MS) this.prune();
    const question = truncate(record.question, MAX_STORED_QUESTION_CHARS);
    const citations = record.citations.map(({ n, source, section, score }) => ({ n, source, section, score }));
    const result = this.statements.insertQuestion.run(
      nowMs,
      question,
      normalizeQuestion(question),
      record.guildId,
      this.hashUser(record.userId),
      record.surface,
      record.refused ? 1 : 0,
      Number.isFinite(record.confidence) ? record.confidence : 0,
      JSON.stringify(citations),
    );
    return Number(result.lastInsertRowid);
  }

  /** One vote per person per question: voting again replaces the vote. False when the question is unknown. */
  recordVote(questionId: number, userId: string, vote: Vote): boolean {
    if (vote !== 'up' && vote !== 'down') throw new TypeError(`vote must be 'up' or 'down', got ${String(vote)}`);
    const value = vote === 'up' ? 1 : -1;
    return this.statements.upsertVote.run(questionId, this.hashUser(userId), value, this.now().getTime(), questionId).changes > 0;
  }

  /**
   * Keeps a comment (cut to 1000 characters; a person may comment more than once).
   * False when the question is unknown or the comment is blank.
   */
  recordComment(questionId: number, userId: string, comment: string): boolean {
    const text = truncate(comment.trim(), MAX_STORED_COMMENT_CHARS);
    if (text === '') return false;
    return this.statements.insertComment.run(questionId, this.hashUser(userId), text, this.now().getTime(), questionId).changes > 0;
  }

  /** Deletes questions (with their votes and comments) older than the retention bound; returns how many. */
  prune(): number {
    const nowMs = this.now().getTime();
    this.lastPruneMs = nowMs;
    return this.statements.prune.run(nowMs - this.retentionDays * DAY_MS).changes;
  }

  /** What people asked in the last `days` days, what was refused or disliked; `limit` rows per list. */
  report(options: { days?: number; limit?: number } = {}): FeedbackReport {
    const days = options.days ?? 7;
    const limit = options.limit ?? 10;
    if (!(days > 0)) throw new RangeError(`days must be positive, got ${days}`);
    const sinceMs = this.now().getTime() - days * DAY_MS;
    const read = this.db.transaction(() => {
      const totals = this.statements.totals.get(sinceMs) ?? { questions: 0, refused: 0 };
      const votes = this.statements.votes.get(sinceMs) ?? { up: 0, down: 0 };
      return {
        since: new Date(sinceMs).toISOString(),
        days,
        questions: totals.questions,
        refused: totals.refused,
        refusalRate: totals.questions === 0 ? 0 : round3(totals.refused / totals.questions),
        up: votes.up,
        down: votes.down,
        topQuestions: this.statements.top.all(sinceMs, limit).map(({ question, count }) => ({ question, count })),
        gaps: this.statements.gaps.all(sinceMs, limit).map((g) => ({
          question: g.question,
          count: g.count,
          refused: g.refused_count,
          down: g.down_count,
        })),
      };
    });
    return read();
  }

  close(): void {
    if (this.db.open) this.db.close();
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
      SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM questions WHERE id = ?)
      ON CONFLICT (question_id, user_hash) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at`),
    insertComment: db.prepare(`
      INSERT INTO comments (question_id, user_hash, comment, commented_at)
      SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM questions WHERE id = ?)`),
    prune: db.prepare('DELETE FROM questions WHERE asked_at < ?'),
    totals: db.prepare(`
      SELECT COUNT(*) AS questions, COALESCE(SUM(refused), 0) AS refused FROM questions WHERE asked_at >= ?`),
    votes: db.prepare(`
      SELECT COALESCE(SUM(v.vote = 1), 0) AS up, COALESCE(SUM(v.vote = -1), 0) AS down
      FROM votes v JOIN questions q ON q.id = v.question_id
      WHERE q.asked_at >= ?`),
    // A bare column beside a single MAX() comes from the row holding the maximum: the latest wording.
    top: db.prepare(`
      SELECT question, COUNT(*) AS count, MAX(id) AS last_id
      FROM questions
      WHERE asked_at >= ? AND normalized <> ''
      GROUP BY normalized
      ORDER BY count DESC, last_id DESC
      LIMIT ?`),
    gaps: db.prepare(`
      WITH downs AS (SELECT question_id, COUNT(*) AS n FROM votes WHERE vote = -1 GROUP BY question_id)
      SELECT q.question AS question, COUNT(*) AS count, SUM(q.refused) AS refused_count,
             COALESCE(SUM(downs.n), 0) AS down_count, MAX(q.id) AS last_id
      FROM questions q LEFT JOIN downs ON downs.question_id = q.id
      WHERE q.asked_at >= ? AND q.normalized <> ''
      GROUP BY q.normalized
      HAVING refused_count > 0 OR down_count > 0
      ORDER BY count DESC, refused_count + down_count DESC, last_id DESC
      LIMIT ?`),
  };
}
