/**
 * The feedback state's behaviour, the same for both implementations: SQLite (one host) and
 * PostgreSQL (several hosts, a real server started by this file). What only one of them has
 * (a file, a lock, an unreachable server) is tested beside it.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedbackStore, type QuestionRecord } from '../../src/feedback/store.ts';
import { Database } from '../../src/state/postgres/database.ts';
import { PostgresFeedback } from '../../src/state/postgres/feedback.ts';
import type { FeedbackState } from '../../src/state/types.ts';
import { silentLogger } from '../../src/logger.ts';
import { usePostgres } from '../support/postgres.ts';
import { tempDir } from '../support/temp.ts';

const USER = '123456789012345678';
const OTHER = '223456789012345678';
const GUILD = '987654321098765432';
const DAY = 86_400_000;

const postgres = usePostgres();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Opened {
  store: FeedbackState;
  clock: { ms: number };
  /** A second store on the same storage (another process, or a restart). */
  reopen(): Promise<FeedbackState>;
}

type Implementation = (retentionDays: number, start: number) => Promise<Opened>;

const sqlite: Implementation = async (retentionDays, start) => {
  const file = path.join(await tempDir('mlbot-feedback-'), 'feedback.sqlite');
  const clock = { ms: start };
  const open = () => {
    const store = FeedbackStore.open(file, { retentionDays, now: () => new Date(clock.ms) });
    cleanups.push(() => store.close());
    return store;
  };
  return { store: open(), clock, reopen: async () => open() };
};

const pg: Implementation = async (retentionDays, start) => {
  const url = await postgres.freshDatabase();
  const clock = { ms: start };
  const open = async () => {
    const db = await Database.open({ url, poolMax: 3, logger: silentLogger });
    cleanups.push(() => db.close());
    const store = await PostgresFeedback.open(db, { retentionDays, now: () => new Date(clock.ms) });
    cleanups.push(() => store.close());
    return store;
  };
  return { store: await open(), clock, reopen: open };
};

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

describe.each([
  { name: 'SQLite', open: sqlite, skip: false },
  { name: `PostgreSQL ${postgres.label}`, open: pg, skip: postgres.skipReason !== undefined },
])('feedback state: $name', ({ open, skip }) => {
  const opened = (retentionDays = 90, start = Date.UTC(2025, 0, 15, 12)) => open(retentionDays, start);

  it.skipIf(skip)('records a question and gives it an id; another store on the same storage sees it, with the same salt', async () => {
    const { store, reopen } = await opened();
    const id = (await store.recordQuestion(ask('Is Python enough?')))!;
    expect(id).toBeGreaterThan(0);
    expect(await store.recordVote(id, USER, 'up', GUILD)).toBe(true);
    const again = await reopen();
    // Same salt, so the same person still has one vote: the second replaces the first.
    expect(await again.recordVote(id, USER, 'down', GUILD)).toBe(true);
    expect(await again.report({ days: 1 })).toMatchObject({ questions: 1, up: 0, down: 1 });
    expect(await store.report({ days: 1 })).toMatchObject({ questions: 1, up: 0, down: 1 });
  });

  it.skipIf(skip)('records every surface, answers the bot gave on its own (forum posts, follow-ups) included', async () => {
    const { store } = await opened();
    for (const surface of ['slash', 'mention', 'cli', 'auto'] as const) expect(await store.recordQuestion(ask(`From ${surface}?`, { surface }))).toBeGreaterThan(0);
    expect(await store.report({ days: 1 })).toMatchObject({ questions: 4 });
  });

  it.skipIf(skip)('truncates the stored question to 500 characters', async () => {
    const { store } = await opened();
    await store.recordQuestion(ask('q'.repeat(700)));
    expect((await store.report()).topQuestions[0]!.question).toHaveLength(500);
  });

  it.skipIf(skip)('keeps one vote per person per question', async () => {
    const { store } = await opened();
    const id = (await store.recordQuestion(ask('Do I need a PhD?')))!;
    expect(await store.recordVote(id, USER, 'up', GUILD)).toBe(true);
    expect(await store.recordVote(id, USER, 'down', GUILD)).toBe(true);
    expect(await store.recordVote(id, OTHER, 'up', GUILD)).toBe(true);
    expect(await store.report()).toMatchObject({ up: 1, down: 1 });
  });

  it.skipIf(skip)('refuses votes and comments on an unknown question, and blank comments', async () => {
    const { store } = await opened();
    const id = (await store.recordQuestion(ask('Which industries hire?')))!;
    expect(await store.recordVote(id + 1000, USER, 'up', GUILD)).toBe(false);
    expect(await store.recordComment(id + 1000, USER, 'hello', GUILD)).toBe(false);
    expect(await store.recordComment(id, USER, '   ', GUILD)).toBe(false);
    expect(await store.recordComment(id, USER, 'More on salaries please', GUILD)).toBe(true);
    expect(await store.report()).toMatchObject({ up: 0, down: 0 });
  });

  it.skipIf(skip)('counts a vote or comment only from where its question was asked', async () => {
    const { store } = await opened();
    const inServer = (await store.recordQuestion(ask('Asked in this server?')))!;
    const inDm = (await store.recordQuestion(ask('Asked in a DM?', { guildId: null })))!;
    expect(await store.recordVote(inServer, USER, 'down', '111111111111111111')).toBe(false);
    expect(await store.recordVote(inServer, USER, 'down', null)).toBe(false);
    expect(await store.recordComment(inServer, USER, 'from elsewhere', '111111111111111111')).toBe(false);
    expect(await store.recordVote(inDm, USER, 'up', GUILD)).toBe(false);
    expect(await store.report()).toMatchObject({ up: 0, down: 0 });
    expect(await store.recordVote(inServer, USER, 'down', GUILD)).toBe(true);
    expect(await store.recordVote(inDm, USER, 'up', null)).toBe(true);
    expect(await store.report()).toMatchObject({ up: 1, down: 1 });
  });

  it.skipIf(skip)('prunes questions with their votes past the retention bound, and at open', async () => {
    const { store, clock, reopen } = await opened(30, Date.UTC(2025, 0, 1));
    const old = (await store.recordQuestion(ask('Old question')))!;
    await store.recordVote(old, USER, 'up', GUILD);
    clock.ms += 20 * DAY;
    const recent = (await store.recordQuestion(ask('Recent question')))!;
    clock.ms += 11 * DAY; // `old` is now 31 days old, `recent` 11
    expect(await store.prune()).toBe(1);
    expect(await store.prune()).toBe(0);
    expect(await store.recordVote(old, USER, 'down', GUILD)).toBe(false);
    expect(await store.recordVote(recent, USER, 'down', GUILD)).toBe(true);
    expect(await store.report({ days: 365 })).toMatchObject({ questions: 1, up: 0, down: 1 });
    clock.ms += 30 * DAY;
    const later = await reopen();
    expect((await later.report({ days: 365 })).questions).toBe(0);
  });

  it.skipIf(skip)('reports counts, refusal rate, top questions grouped by normalised text, and gaps', async () => {
    const { store, clock } = await opened();
    const start = clock.ms;
    clock.ms = start - 8 * DAY; // outside a 7-day window
    await store.recordQuestion(ask('Ancient question?', { refused: true }));
    clock.ms = start;

    await store.recordQuestion(ask('What skills does an ML engineer need?'));
    await store.recordQuestion(ask('what skills does an ML engineer need'));
    clock.ms += 1000;
    await store.recordQuestion(ask('  What   SKILLS does an ML-engineer need?!  ', { userId: OTHER }));
    const salary = (await store.recordQuestion(ask('How much do ML engineers earn?')))!;
    await store.recordQuestion(ask('How much do ML engineers earn'));
    await store.recordVote(salary, USER, 'down', GUILD);
    await store.recordVote(salary, OTHER, 'down', GUILD);
    await store.recordQuestion(ask("What's the best pizza?", { refused: true, confidence: 0.1, citations: [] }));
    const good = (await store.recordQuestion(ask('Which industries hire ML engineers?')))!;
    await store.recordVote(good, USER, 'up', GUILD);
    await store.recordQuestion(ask('???', { refused: true, confidence: 0, citations: [] }));

    const report = await store.report({ days: 7 });
    expect(report).toMatchObject({ since: new Date(clock.ms - 7 * DAY).toISOString(), days: 7, questions: 8, refused: 2, refusalRate: 0.25, up: 1, down: 2 });
    expect(report.topQuestions[0]).toEqual({ question: '  What   SKILLS does an ML-engineer need?!  ', count: 3 });
    expect(report.topQuestions[1]).toEqual({ question: 'How much do ML engineers earn', count: 2 });
    expect(report.topQuestions.map((q) => q.question)).not.toContain('???');
    expect(report.gaps).toEqual([
      { question: 'How much do ML engineers earn', count: 2, refused: 0, down: 2 },
      { question: "What's the best pizza?", count: 1, refused: 1, down: 0 },
    ]);
    expect((await store.report({ days: 30 })).questions).toBe(9);
    expect((await store.report({ days: 7, limit: 1 })).topQuestions).toHaveLength(1);
  });

  it.skipIf(skip)("reports one server's questions only when asked for it; every question (DMs included) otherwise", async () => {
    const { store } = await opened();
    const A = '111111111111111111';
    const B = '222222222222222222';
    await store.recordQuestion(ask('Asked in A?', { guildId: A }));
    const inB = (await store.recordQuestion(ask('Private question in B?', { guildId: B, refused: true })))!;
    await store.recordVote(inB, USER, 'down', B);
    await store.recordQuestion(ask('Asked in a DM?', { guildId: null, refused: true }));

    const a = await store.report({ guildId: A });
    expect(a).toMatchObject({ guildId: A, questions: 1, refused: 0, down: 0, gaps: [] });
    expect(JSON.stringify(a)).not.toMatch(/in B|DM/);
    expect(await store.report({ guildId: B })).toMatchObject({ questions: 1, refused: 1, down: 1 });
    const all = await store.report();
    expect(all.guildId).toBeUndefined();
    expect(all.topQuestions.map((t) => t.question).sort()).toEqual(['Asked in A?', 'Asked in a DM?', 'Private question in B?']);
  });

  it.skipIf(skip)('reports zeros when nothing was asked', async () => {
    const { store } = await opened();
    expect(await store.report()).toMatchObject({ questions: 0, refused: 0, refusalRate: 0, up: 0, down: 0, topQuestions: [], gaps: [] });
  });

  it.skipIf(skip)('keeps settings per server and per channel, each server seeing only its own', async () => {
    const { store, reopen } = await opened();
    const A = '111111111111111111';
    const B = '222222222222222222';
    const channel = '333333333333333333';
    expect(await store.getSetting({ guildId: A, channelId: channel }, 'mode')).toBeUndefined();
    await store.setSetting({ guildId: A, channelId: channel }, 'mode', 'auto');
    await store.setSetting({ guildId: A, channelId: null }, 'mode', 'mention');
    await store.setSetting({ guildId: B, channelId: channel }, 'mode', 'off');
    expect(await store.getSetting({ guildId: A, channelId: channel }, 'mode')).toBe('auto');
    expect(await store.getSetting({ guildId: A, channelId: null }, 'mode')).toBe('mention');
    expect(await store.getSetting({ guildId: B, channelId: channel }, 'mode')).toBe('off');
    // Set again: replaced, not added.
    await store.setSetting({ guildId: A, channelId: channel }, 'mode', 'off');
    const other = await reopen();
    expect(await other.settingsOf(A)).toEqual([
      { guildId: A, channelId: null, key: 'mode', value: 'mention' },
      { guildId: A, channelId: channel, key: 'mode', value: 'off' },
    ]);
    await other.setSetting({ guildId: A, channelId: null }, 'mode', null);
    expect(await store.settingsOf(A)).toEqual([{ guildId: A, channelId: channel, key: 'mode', value: 'off' }]);
    expect(await store.settingsOf(B)).toHaveLength(1);
  });
});
