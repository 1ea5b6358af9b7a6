import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNEL_MODE_KEY, ChannelModes } from '../../src/discord/channel-modes.ts';
import { BotError } from '../../src/errors.ts';
import { FeedbackStore } from '../../src/feedback/store.ts';
import type { SettingsStore } from '../../src/state/types.ts';
import { captureLogger } from '../support/capture-logger.ts';
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

async function storeFile(file?: string) {
  const at = file ?? path.join(await tempDir('mlbot-modes-'), 'feedback.sqlite');
  const store = FeedbackStore.open(at);
  open.push(store);
  return { store, file: at };
}

describe('ChannelModes', () => {
  it('keeps one setting per channel of a server, in the settings store, across a restart', async () => {
    const { store, file } = await storeFile();
    const { logger } = captureLogger();
    const modes = new ChannelModes(store, logger);
    expect(await modes.modeOf(GUILD, FORUM)).toBe('mention');
    await modes.set({ guildId: GUILD, channelId: FORUM, kind: 'forum', mode: 'auto', answeredTagId: TAG });
    await modes.set({ guildId: GUILD, channelId: TEXT, kind: 'text', mode: 'off' });
    expect(modes.peek(GUILD, FORUM)).toEqual({ guildId: GUILD, channelId: FORUM, kind: 'forum', mode: 'auto', answeredTagId: TAG });
    expect(store.getSetting({ guildId: GUILD, channelId: FORUM }, CHANNEL_MODE_KEY)).toBe(JSON.stringify({ mode: 'auto', kind: 'forum', answeredTagId: TAG }));

    store.close();
    open.length = 0;
    const { store: again } = await storeFile(file);
    const reopened = new ChannelModes(again, logger);
    expect(reopened.peek(GUILD, TEXT)).toBeUndefined();
    expect(await reopened.modeOf(GUILD, TEXT)).toBe('off');
    expect(reopened.peek(GUILD, TEXT)?.mode).toBe('off');
    expect((await reopened.list(GUILD)).map((s) => s.channelId)).toEqual([FORUM, TEXT]);
    await reopened.forget(GUILD, TEXT);
    expect(await reopened.modeOf(GUILD, TEXT)).toBe('mention');
    expect(again.getSetting({ guildId: GUILD, channelId: TEXT }, CHANNEL_MODE_KEY)).toBeUndefined();
  });

  it("scopes every setting to its server: one server never reads or lists another's", async () => {
    const { store } = await storeFile();
    const modes = new ChannelModes(store, captureLogger().logger);
    await modes.set({ guildId: GUILD, channelId: FORUM, kind: 'forum', mode: 'auto' });
    expect(await modes.modeOf(OTHER_GUILD, FORUM)).toBe('mention');
    expect(await modes.list(OTHER_GUILD)).toEqual([]);
    await modes.set({ guildId: OTHER_GUILD, channelId: FORUM, kind: 'forum', mode: 'off' });
    expect(await modes.modeOf(GUILD, FORUM)).toBe('auto');
    expect(await modes.summary([GUILD, OTHER_GUILD])).toEqual({ auto: { text: 0, forum: 1 }, mention: { text: 0, forum: 0 }, off: { text: 0, forum: 1 } });
    expect(await modes.summary([OTHER_GUILD])).toMatchObject({ auto: { forum: 0 }, off: { forum: 1 } });
  });

  it('ignores a stored value it cannot read, with a warning', async () => {
    const { store } = await storeFile();
    store.setSetting({ guildId: GUILD, channelId: FORUM }, CHANNEL_MODE_KEY, '{"mode":"loud"}');
    store.setSetting({ guildId: GUILD, channelId: TEXT }, 'something-else', 'x');
    const { logger, lines } = captureLogger();
    const modes = new ChannelModes(store, logger);
    expect(await modes.modeOf(GUILD, FORUM)).toBe('mention');
    expect(lines().some((l) => l.msg === 'a channel mode in the settings is unreadable: the default applies there')).toBe(true);
    expect(await modes.list(GUILD)).toEqual([]);
  });

  it('falls back to the default mode while the store cannot be read, and asks again next time; a save it cannot take throws', async () => {
    let fail = true;
    const inner = new Map<string, string>();
    const flaky: SettingsStore = {
      getSetting: () => undefined,
      setSetting: () => {
        throw new BotError('SETTINGS_UNAVAILABLE', 'busy');
      },
      settingsOf: (guildId) => {
        if (fail) throw new BotError('SETTINGS_UNAVAILABLE', 'busy');
        return [...inner].map(([channelId, value]) => ({ guildId, channelId, key: CHANNEL_MODE_KEY, value }));
      },
    };
    const { logger, lines } = captureLogger();
    const modes = new ChannelModes(flaky, logger);
    expect(await modes.modeOf(GUILD, FORUM)).toBe('mention');
    expect(lines().some((l) => String(l.msg).startsWith("could not read the server's channel modes"))).toBe(true);
    fail = false;
    inner.set(FORUM, JSON.stringify({ mode: 'auto', kind: 'forum' }));
    expect(await modes.modeOf(GUILD, FORUM)).toBe('auto');
    await expect(modes.set({ guildId: GUILD, channelId: TEXT, kind: 'text', mode: 'off' })).rejects.toMatchObject({ code: 'SETTINGS_UNAVAILABLE' });
    expect(await modes.modeOf(GUILD, TEXT)).toBe('mention');
  });
});

describe('the question log after the automatic-answers migration', () => {
  it('keeps questions, votes and their ids from the previous schema, and takes the new surface', async () => {
    const { store, file } = await storeFile();
    const id = store.recordQuestion({ question: 'Is Python enough?', guildId: GUILD, userId: '123456789012345678', surface: 'slash', refused: false, confidence: 0.5, citations: [] })!;
    expect(store.recordVote(id, '123456789012345678', 'up', GUILD)).toBe(true);
    store.close();
    open.length = 0;
    // Put the file back to schema 3: the old surface constraint.
    const db = new Database(file);
    db.pragma('foreign_keys = OFF');
    db.exec(`
      CREATE TABLE q3 (id INTEGER PRIMARY KEY, asked_at INTEGER NOT NULL, question TEXT NOT NULL, normalized TEXT NOT NULL, guild_id TEXT,
        user_hash TEXT NOT NULL, surface TEXT NOT NULL CHECK (surface IN ('slash', 'mention', 'cli')), refused INTEGER NOT NULL CHECK (refused IN (0, 1)),
        confidence REAL NOT NULL, citations TEXT NOT NULL) STRICT;
      INSERT INTO q3 SELECT * FROM questions;
      DROP TABLE questions;
      ALTER TABLE q3 RENAME TO questions;
      CREATE INDEX questions_asked_at ON questions (asked_at);
      CREATE INDEX questions_guild_asked_at ON questions (guild_id, asked_at);
      PRAGMA user_version = 3;
    `);
    db.close();

    const { store: migrated } = await storeFile(file);
    expect(migrated.report({ guildId: GUILD })).toMatchObject({ questions: 1, up: 1 });
    const auto = migrated.recordQuestion({ question: 'A forum post', guildId: GUILD, userId: '123456789012345678', surface: 'auto', refused: false, confidence: 0.5, citations: [] })!;
    expect(auto).toBeGreaterThan(id);
    expect(migrated.recordVote(id, '223456789012345678', 'down', GUILD)).toBe(true);
    expect(migrated.report({ guildId: GUILD })).toMatchObject({ questions: 2, up: 1, down: 1 });
  });
});
