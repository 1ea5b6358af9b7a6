import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BotError } from '../../src/errors.ts';
import { FeedbackStore } from '../../src/feedback/store.ts';
import { tempDir } from '../support/temp.ts';

const GUILD = '987654321098765432';
const OTHER_GUILD = '887654321098765432';
const FORUM = '111111111111111111';
const TEXT = '222222222222222222';
const TAG = '333333333333333333';

const open: FeedbackStore[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

async function store(file?: string) {
  const at = file ?? path.join(await tempDir('mlbot-channels-'), 'feedback.sqlite');
  const s = FeedbackStore.open(at);
  open.push(s);
  return { store: s, file: at };
}

describe('channel settings', () => {
  it('keeps one setting per channel and server, replaced on set, forgotten on remove', async () => {
    const { store: s, file } = await store();
    expect(s.channels.get(GUILD, FORUM)).toBeUndefined();
    s.channels.set({ guildId: GUILD, channelId: FORUM, kind: 'forum', mode: 'auto', answeredTagId: TAG, updatedAt: 1 });
    s.channels.set({ guildId: GUILD, channelId: TEXT, kind: 'text', mode: 'off', updatedAt: 2 });
    expect(s.channels.get(GUILD, FORUM)).toEqual({ guildId: GUILD, channelId: FORUM, kind: 'forum', mode: 'auto', answeredTagId: TAG, updatedAt: 1 });
    s.channels.set({ guildId: GUILD, channelId: FORUM, kind: 'forum', mode: 'mention', updatedAt: 3 });
    expect(s.channels.get(GUILD, FORUM)).toEqual({ guildId: GUILD, channelId: FORUM, kind: 'forum', mode: 'mention', updatedAt: 3 });
    expect(s.channels.list(GUILD).map((c) => c.channelId)).toEqual([FORUM, TEXT]);

    // Survives a restart.
    s.close();
    open.length = 0;
    const { store: again } = await store(file);
    expect(again.channels.get(GUILD, TEXT)?.mode).toBe('off');
    expect(again.channels.remove(GUILD, TEXT)).toBe(true);
    expect(again.channels.remove(GUILD, TEXT)).toBe(false);
    expect(again.channels.get(GUILD, TEXT)).toBeUndefined();
  });

  it('scopes every setting to its server: one server never reads or lists another\'s', async () => {
    const { store: s } = await store();
    s.channels.set({ guildId: GUILD, channelId: FORUM, kind: 'forum', mode: 'auto', updatedAt: 1 });
    expect(s.channels.get(OTHER_GUILD, FORUM)).toBeUndefined();
    expect(s.channels.list(OTHER_GUILD)).toEqual([]);
    s.channels.set({ guildId: OTHER_GUILD, channelId: FORUM, kind: 'forum', mode: 'off', updatedAt: 2 });
    expect(s.channels.get(GUILD, FORUM)?.mode).toBe('auto');
    expect(s.channels.summary()).toEqual({ auto: { text: 0, forum: 1 }, mention: { text: 0, forum: 0 }, off: { text: 0, forum: 1 } });
  });

  it('refuses values outside the schema, and says so when the database is locked', async () => {
    const { store: s, file } = await store();
    expect(() => s.channels.set({ guildId: GUILD, channelId: FORUM, kind: 'forum', mode: 'loud' as never, updatedAt: 1 })).toThrow(BotError);
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    try {
      const error = (() => {
        try {
          s.channels.set({ guildId: GUILD, channelId: FORUM, kind: 'forum', mode: 'auto', updatedAt: 1 });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(BotError);
      expect((error as BotError).code).toBe('CHANNEL_SETTINGS_UNAVAILABLE');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('migrates a database of the previous schema, keeping questions, votes and their ids', async () => {
    const file = path.join(await tempDir('mlbot-migrate-'), 'feedback.sqlite');
    const { store: s } = await store(file);
    const id = s.recordQuestion({ question: 'Is Python enough?', guildId: GUILD, userId: '123456789012345678', surface: 'slash', refused: false, confidence: 0.5, citations: [] })!;
    expect(s.recordVote(id, '123456789012345678', 'up', GUILD)).toBe(true);
    s.close();
    open.length = 0;
    // Put the file back to schema 2: the old surface constraint, no channel settings.
    const db = new Database(file);
    db.pragma('foreign_keys = OFF');
    db.exec(`
      DROP TABLE channel_settings;
      CREATE TABLE q2 (id INTEGER PRIMARY KEY, asked_at INTEGER NOT NULL, question TEXT NOT NULL, normalized TEXT NOT NULL, guild_id TEXT,
        user_hash TEXT NOT NULL, surface TEXT NOT NULL CHECK (surface IN ('slash', 'mention', 'cli')), refused INTEGER NOT NULL CHECK (refused IN (0, 1)),
        confidence REAL NOT NULL, citations TEXT NOT NULL) STRICT;
      INSERT INTO q2 SELECT * FROM questions;
      DROP TABLE questions;
      ALTER TABLE q2 RENAME TO questions;
      CREATE INDEX questions_asked_at ON questions (asked_at);
      CREATE INDEX questions_guild_asked_at ON questions (guild_id, asked_at);
      PRAGMA user_version = 2;
    `);
    db.close();

    const { store: migrated } = await store(file);
    expect(migrated.report({ guildId: GUILD })).toMatchObject({ questions: 1, up: 1 });
    const auto = migrated.recordQuestion({ question: 'A forum post', guildId: GUILD, userId: '123456789012345678', surface: 'auto', refused: false, confidence: 0.5, citations: [] })!;
    expect(auto).toBeGreaterThan(id);
    expect(migrated.recordVote(id, '223456789012345678', 'down', GUILD)).toBe(true);
    migrated.channels.set({ guildId: GUILD, channelId: FORUM, kind: 'forum', mode: 'auto', updatedAt: 1 });
    expect(migrated.report({ guildId: GUILD })).toMatchObject({ questions: 2, up: 1, down: 1 });
  });
});
