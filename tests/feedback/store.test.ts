import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedbackStore, normalizeQuestion, type QuestionRecord } from '../../src/feedback/store.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { tempDir } from '../support/temp.ts';

const USER = '123456789012345678';
const OTHER = '223456789012345678';
const GUILD = '987654321098765432';
const DAY = 86_400_000;

const open: FeedbackStore[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

/** A store on a temp file with a clock the test moves. */
async function storeWithClock(start = Date.UTC(2025, 0, 15, 12), retentionDays = 90) {
  const file = path.join(await tempDir('mlbot-feedback-'), 'nested', 'feedback.sqlite');
  const clock = { ms: start };
  const store = FeedbackStore.open(file, { retentionDays, now: () => new Date(clock.ms) });
  open.push(store);
  return { store, file, clock };
}

function ask(question: string, extra: Partial<QuestionRecord> = {}): QuestionRecord {
  return {
    question,
    guildId: GUILD,
    userId: USER,
    surface: 'slash',
    refused: false,
    confidence: 0.61,
    citations: [{ n: 1, source: 'roles.md', section: 'Skills', score: 0.61 }],
    ...extra,
  };
}

function rows(file: string, sql: string): Record<string, unknown>[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

describe('FeedbackStore', () => {
  it('creates its folder and schema and round-trips a question', async () => {
    const { store, file, clock } = await storeWithClock();
    const id = store.recordQuestion(ask('What skills does an ML engineer need?', { surface: 'mention', guildId: null }))!;
    expect(id).toBeGreaterThan(0);
    expect(existsSync(file)).toBe(true);
    store.close();

    const [row] = rows(file, 'SELECT * FROM questions');
    expect(row).toMatchObject({
      id,
      asked_at: clock.ms,
      question: 'What skills does an ML engineer need?',
      normalized: 'what skills does an ml engineer need',
      guild_id: null,
      surface: 'mention',
      refused: 0,
      confidence: 0.61,
    });
    expect(JSON.parse(row!.citations as string)).toEqual([{ n: 1, source: 'roles.md', section: 'Skills', score: 0.61 }]);
    expect(row!.user_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows(file, 'PRAGMA user_version')[0]).toEqual({ user_version: 4 });
    expect(rows(file, 'PRAGMA journal_mode')[0]).toEqual({ journal_mode: 'wal' });
  });

  it('reopens an existing database without losing rows or changing the salt', async () => {
    const { store, file } = await storeWithClock();
    const id = store.recordQuestion(ask('Is Python enough?'))!;
    expect(store.recordVote(id, USER, 'up', GUILD)).toBe(true);
    store.close();
    const again = FeedbackStore.open(file, { now: () => new Date(Date.UTC(2025, 0, 15, 13)) });
    open.push(again);
    // Same salt, so the same person still has one vote.
    expect(again.recordVote(id, USER, 'down', GUILD)).toBe(true);
    expect(again.report({ days: 1 })).toMatchObject({ questions: 1, up: 0, down: 1 });
  });

  it('truncates the stored question to 500 characters and a comment to 1000', async () => {
    const { store, file } = await storeWithClock();
    const id = store.recordQuestion(ask('q'.repeat(700)))!;
    expect(store.recordComment(id, USER, 'c'.repeat(1500), GUILD)).toBe(true);
    store.close();
    expect((rows(file, 'SELECT question FROM questions')[0]!.question as string).length).toBe(500);
    expect((rows(file, 'SELECT comment FROM comments')[0]!.comment as string).length).toBe(1000);
  });

  it('never writes the raw user id to the database file or its WAL', async () => {
    const { store, file } = await storeWithClock();
    const id = store.recordQuestion(ask('How do I get into MLOps?'))!;
    store.recordVote(id, USER, 'down', GUILD);
    store.recordComment(id, USER, 'Please add a section on MLOps.', GUILD);
    // While open, the WAL holds the writes: check it too.
    const needle = Buffer.from(USER);
    const filesNow = [file, `${file}-wal`].filter(existsSync);
    expect(filesNow.length).toBeGreaterThan(0);
    for (const f of filesNow) expect(readFileSync(f).includes(needle)).toBe(false);
    store.close();
    expect(readFileSync(file).includes(needle)).toBe(false);
    if (existsSync(`${file}-wal`)) expect(readFileSync(`${file}-wal`).includes(needle)).toBe(false);
    // The guild id is kept (it is not personal), so the search above would have found a stored id.
    expect(readFileSync(file).includes(Buffer.from('987654321098765432'))).toBe(true);
  });

  it('keeps one vote per person per question: a second click changes it', async () => {
    const { store, file } = await storeWithClock();
    const id = store.recordQuestion(ask('Do I need a PhD?'))!;
    expect(store.recordVote(id, USER, 'up', GUILD)).toBe(true);
    expect(store.recordVote(id, USER, 'down', GUILD)).toBe(true);
    expect(store.recordVote(id, OTHER, 'up', GUILD)).toBe(true);
    expect(store.report()).toMatchObject({ up: 1, down: 1 });
    store.close();
    expect(rows(file, 'SELECT vote FROM votes ORDER BY vote')).toEqual([{ vote: -1 }, { vote: 1 }]);
  });

  it('refuses votes and comments on an unknown question, and blank comments', async () => {
    const { store } = await storeWithClock();
    const id = store.recordQuestion(ask('Which industries hire?'))!;
    expect(store.recordVote(id + 1, USER, 'up', GUILD)).toBe(false);
    expect(store.recordComment(id + 1, USER, 'hello', GUILD)).toBe(false);
    expect(store.recordComment(id, USER, '   ', GUILD)).toBe(false);
    expect(store.recordComment(id, USER, 'More on salaries please', GUILD)).toBe(true);
    expect(store.report()).toMatchObject({ up: 0, down: 0 });
  });

  it('counts a vote or comment only from where its question was asked', async () => {
    const { store, file } = await storeWithClock();
    const inServer = store.recordQuestion(ask('Asked in this server?'))!;
    const inDm = store.recordQuestion(ask('Asked in a DM?', { guildId: null }))!;
    expect(store.recordVote(inServer, USER, 'down', '111111111111111111')).toBe(false);
    expect(store.recordVote(inServer, USER, 'down', null)).toBe(false);
    expect(store.recordComment(inServer, USER, 'from elsewhere', '111111111111111111')).toBe(false);
    expect(store.recordVote(inDm, USER, 'up', GUILD)).toBe(false);
    expect(store.report()).toMatchObject({ up: 0, down: 0 });
    expect(store.recordVote(inServer, USER, 'down', GUILD)).toBe(true);
    expect(store.recordVote(inDm, USER, 'up', null)).toBe(true);
    expect(store.report()).toMatchObject({ up: 1, down: 1 });
    store.close();
    expect(rows(file, 'SELECT COUNT(*) AS n FROM comments')).toEqual([{ n: 0 }]);
  });

  it('prunes questions, votes and comments past the retention bound', async () => {
    const { store, file, clock } = await storeWithClock(Date.UTC(2025, 0, 1), 30);
    const old = store.recordQuestion(ask('Old question'))!;
    store.recordVote(old, USER, 'up', GUILD);
    store.recordComment(old, USER, 'old comment', GUILD);
    clock.ms += 20 * DAY;
    const recent = store.recordQuestion(ask('Recent question'))!;
    clock.ms += 11 * DAY; // `old` is now 31 days old, `recent` 11
    expect(store.prune()).toBe(1);
    expect(store.prune()).toBe(0);
    expect(store.recordVote(old, USER, 'down', GUILD)).toBe(false);
    expect(store.recordVote(recent, USER, 'down', GUILD)).toBe(true);
    store.close();
    expect(rows(file, 'SELECT question FROM questions')).toEqual([{ question: 'Recent question' }]);
    expect(rows(file, 'SELECT COUNT(*) AS n FROM votes')).toEqual([{ n: 1 }]);
    expect(rows(file, 'SELECT COUNT(*) AS n FROM comments')).toEqual([{ n: 0 }]);
  });

  it('prunes at open', async () => {
    const { store, file } = await storeWithClock(Date.UTC(2025, 0, 1), 30);
    store.recordQuestion(ask('Old question'));
    store.close();
    const later = FeedbackStore.open(file, { retentionDays: 30, now: () => new Date(Date.UTC(2025, 2, 1)) });
    open.push(later);
    expect(later.report({ days: 365 }).questions).toBe(0);
  });

  it('reports counts, refusal rate, top questions grouped by normalised text, and gaps', async () => {
    const { store, clock } = await storeWithClock();
    const start = clock.ms;
    // Outside a 7-day window.
    clock.ms = start - 8 * DAY;
    store.recordQuestion(ask('Ancient question?', { refused: true }));
    clock.ms = start;

    store.recordQuestion(ask('What skills does an ML engineer need?'));
    store.recordQuestion(ask('what skills does an ML engineer need'));
    clock.ms += 1000;
    store.recordQuestion(ask('  What   SKILLS does an ML-engineer need?!  ', { userId: OTHER }));
    const salary = store.recordQuestion(ask('How much do ML engineers earn?'))!;
    store.recordQuestion(ask('How much do ML engineers earn'));
    store.recordVote(salary, USER, 'down', GUILD);
    store.recordVote(salary, OTHER, 'down', GUILD);
    store.recordQuestion(ask("What's the best pizza?", { refused: true, confidence: 0.1, citations: [] }));
    const good = store.recordQuestion(ask('Which industries hire ML engineers?'))!;
    store.recordVote(good, USER, 'up', GUILD);
    store.recordQuestion(ask('???', { refused: true, confidence: 0, citations: [] }));

    const report = store.report({ days: 7 });
    expect(report.since).toBe(new Date(clock.ms - 7 * DAY).toISOString());
    expect(report.days).toBe(7);
    expect(report.questions).toBe(8);
    expect(report.refused).toBe(2);
    expect(report.refusalRate).toBe(0.25);
    expect(report.up).toBe(1);
    expect(report.down).toBe(2);
    // "ML-engineer" and "ML engineer" normalise alike; the latest wording represents the group.
    expect(report.topQuestions[0]).toEqual({ question: '  What   SKILLS does an ML-engineer need?!  ', count: 3 });
    expect(report.topQuestions[1]).toEqual({ question: 'How much do ML engineers earn', count: 2 });
    expect(report.topQuestions.map((q) => q.question)).not.toContain('???');
    expect(report.topQuestions.map((q) => q.question)).not.toContain('Ancient question?');
    expect(report.gaps).toEqual([
      { question: 'How much do ML engineers earn', count: 2, refused: 0, down: 2 },
      { question: "What's the best pizza?", count: 1, refused: 1, down: 0 },
    ]);
    expect(store.report({ days: 30 }).questions).toBe(9);
    expect(store.report({ days: 7, limit: 1 }).topQuestions).toHaveLength(1);
  });

  it("reports one server's questions only when asked for that server; every question (DMs included) otherwise", async () => {
    const { store } = await storeWithClock();
    const A = '111111111111111111';
    const B = '222222222222222222';
    store.recordQuestion(ask('Asked in A?', { guildId: A }));
    const inB = store.recordQuestion(ask('Private question in B?', { guildId: B, refused: true }))!;
    store.recordVote(inB, USER, 'down', B);
    store.recordQuestion(ask('Asked in a DM?', { guildId: null, refused: true }));

    const a = store.report({ guildId: A });
    expect(a).toMatchObject({ guildId: A, questions: 1, refused: 0, down: 0, gaps: [] });
    expect(JSON.stringify(a)).not.toMatch(/in B|DM/);
    expect(store.report({ guildId: B })).toMatchObject({ questions: 1, refused: 1, down: 1 });
    const all = store.report();
    expect(all.guildId).toBeUndefined();
    expect(all.topQuestions.map((t) => t.question).sort()).toEqual(['Asked in A?', 'Asked in a DM?', 'Private question in B?']);
  });

  it('reports zeros on an empty database', async () => {
    const { store } = await storeWithClock();
    expect(store.report()).toMatchObject({ questions: 0, refused: 0, refusalRate: 0, up: 0, down: 0, topQuestions: [], gaps: [] });
  });

  it('refuses a file that is not a feedback database with FEEDBACK_DB_UNUSABLE (reports never move it)', async () => {
    const file = path.join(await tempDir('mlbot-feedback-'), 'feedback.sqlite');
    writeFileSync(file, 'this is not sqlite, just text that is long enough to look like a header '.repeat(20));
    expect(() => FeedbackStore.open(file)).toThrow(expect.objectContaining({ code: 'FEEDBACK_DB_UNUSABLE' }));
  });

  it('refuses a database from a newer schema', async () => {
    const { store, file } = await storeWithClock();
    store.close();
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => FeedbackStore.open(file)).toThrow(expect.objectContaining({ code: 'FEEDBACK_DB_UNUSABLE', message: expect.stringContaining('newer') }));
  });

  it('works in memory', () => {
    const store = FeedbackStore.open(':memory:');
    open.push(store);
    const id = store.recordQuestion(ask('In memory?'))!;
    expect(store.recordVote(id, USER, 'up', GUILD)).toBe(true);
    expect(store.report().questions).toBe(1);
  });
});

describe('FeedbackStore when another program holds the file', () => {
  /** A second connection (as another process would) holding the write lock until released. */
  function lockExclusively(file: string): { release: () => void } {
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    return {
      release: () => {
        other.exec('COMMIT');
        other.close();
      },
    };
  }

  it('queues ten questions without waiting for the lock, with a warning, and writes them once it is free', async () => {
    const file = path.join(await tempDir('mlbot-feedback-'), 'feedback.sqlite');
    const { logger, lines } = captureLogger();
    const store = FeedbackStore.open(file, { logger });
    open.push(store);
    const first = store.recordQuestion(ask('Before the lock'))!;
    expect(first).toBeGreaterThan(0);

    const lock = lockExclusively(file);
    const ids = Array.from({ length: 10 }, (_, i) => store.recordQuestion(ask(`Asked while locked ${i}`)));
    expect(ids).toEqual(Array(10).fill(undefined));
    expect(store.recordVote(first, USER, 'up', GUILD)).toBe(true);
    expect(store.pendingWrites).toBe(11);
    expect(lines().filter((l) => l.level === 40 && String(l.msg).includes('busy'))).toHaveLength(1);
    // Readers are not blocked by a writer (WAL): the report still works, without the queued rows.
    expect(store.report().questions).toBe(1);

    lock.release();
    expect(store.flushPending()).toBe(true);
    expect(store.pendingWrites).toBe(0);
    expect(store.report()).toMatchObject({ questions: 11, up: 1 });
    expect(rows(file, "SELECT COUNT(*) AS n FROM questions WHERE question LIKE 'Asked while locked %'")).toEqual([{ n: 10 }]);
  });

  it('keeps at most the configured number of queued records, dropping the oldest with a warning', async () => {
    const file = path.join(await tempDir('mlbot-feedback-'), 'feedback.sqlite');
    const { logger, lines } = captureLogger();
    const store = FeedbackStore.open(file, { logger, maxPendingWrites: 3 });
    open.push(store);
    const lock = lockExclusively(file);
    for (const q of ['one', 'two', 'three', 'four', 'five']) store.recordQuestion(ask(q));
    expect(store.pendingWrites).toBe(3);
    expect(lines().some((l) => String(l.msg).includes('dropping the oldest'))).toBe(true);
    lock.release();
    store.close();
    expect(rows(file, 'SELECT question FROM questions ORDER BY id')).toEqual([{ question: 'three' }, { question: 'four' }, { question: 'five' }]);
  });

  it('says plainly when the log cannot be read, and still takes questions', async () => {
    const { store, file } = await storeWithClock();
    const other = new Database(file);
    other.exec('DROP TABLE comments; DROP TABLE votes');
    other.close();
    expect(() => store.report()).toThrow(expect.objectContaining({ code: 'FEEDBACK_UNAVAILABLE', message: expect.stringMatching(/question log is unavailable/) }));
    expect(() => store.recordQuestion(ask('Still answered?'))).not.toThrow();
  });

  it('moves a file that is not a database aside and starts a new one, with a warning (the bot)', async () => {
    const dir = await tempDir('mlbot-feedback-');
    const file = path.join(dir, 'feedback.sqlite');
    const garbage = 'this is not sqlite, just text that is long enough to look like a header '.repeat(20);
    writeFileSync(file, garbage);
    const { logger, lines } = captureLogger();
    const store = FeedbackStore.open(file, { logger, recoverCorrupt: true });
    open.push(store);
    expect(store.recordQuestion(ask('Fresh start?'))).toBe(1);
    const aside = readdirSync(dir).filter((f) => f.startsWith('feedback.sqlite.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(dir, aside[0]!), 'utf8')).toBe(garbage);
    expect(lines().some((l) => l.level === 40 && String(l.msg).includes('moved it aside'))).toBe(true);
  });
});

describe('normalizeQuestion', () => {
  it('lower-cases and drops punctuation and extra spaces', () => {
    expect(normalizeQuestion("  What's   an ML-Engineer?! ")).toBe('whats an ml engineer');
    expect(normalizeQuestion('Ｆｕｌｌ width')).toBe('full width');
    expect(normalizeQuestion('?!')).toBe('');
  });
});
