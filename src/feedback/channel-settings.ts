/**
 * How the bot behaves in each channel, as a server's admins set it with /channel: one row per
 * channel in the `channel_settings` table of the feedback database (created by its migrations),
 * always scoped to the server. `ChannelSettingsStore` is the whole contract, so another database
 * can take this table over without the callers changing.
 */
import Database from 'better-sqlite3';
import { botError, errorMessage } from '../errors.ts';

/** `auto`: answer every new forum post (and the asker's follow-ups) on my own; `mention`: only when mentioned (the default); `off`: never. */
export const CHANNEL_MODES = ['auto', 'mention', 'off'] as const;
export type ChannelMode = (typeof CHANNEL_MODES)[number];
/** A mode is set on a text channel (messages) or a forum channel (posts). */
export const CHANNEL_KINDS = ['text', 'forum'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
/** What a channel without a setting gets. */
export const DEFAULT_CHANNEL_MODE: ChannelMode = 'mention';

export interface ChannelSetting {
  guildId: string;
  channelId: string;
  kind: ChannelKind;
  mode: ChannelMode;
  /** A forum's tag applied to the posts the bot answered; absent: none. */
  answeredTagId?: string;
  /** When it was last set (ms since the epoch). */
  updatedAt: number;
}

/** How many channels of each kind are in each mode, over every server: what the start-up log line needs. */
export type ModeSummary = Record<ChannelMode, Record<ChannelKind, number>>;

export interface ChannelSettingsStore {
  /** The channel's setting in that server; undefined when never set. */
  get(guildId: string, channelId: string): ChannelSetting | undefined;
  /** Creates or replaces the channel's setting. Throws CHANNEL_SETTINGS_UNAVAILABLE when the database cannot take it. */
  set(setting: ChannelSetting): void;
  /** Forgets a channel (it was deleted); false when there was nothing to forget. */
  remove(guildId: string, channelId: string): boolean;
  /** Every setting of one server, by channel id. */
  list(guildId: string): ChannelSetting[];
  summary(): ModeSummary;
}

interface Row {
  guild_id: string;
  channel_id: string;
  kind: ChannelKind;
  mode: ChannelMode;
  answered_tag_id: string | null;
  updated_at: number;
}

/** The table, as a migration of the feedback database creates it. */
export const CHANNEL_SETTINGS_SCHEMA = `
  CREATE TABLE channel_settings (
    guild_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'forum')),
    mode TEXT NOT NULL CHECK (mode IN ('auto', 'mention', 'off')),
    answered_tag_id TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
  ) STRICT;
`;

function fromRow(row: Row): ChannelSetting {
  return {
    guildId: row.guild_id,
    channelId: row.channel_id,
    kind: row.kind,
    mode: row.mode,
    ...(row.answered_tag_id !== null && { answeredTagId: row.answered_tag_id }),
    updatedAt: row.updated_at,
  };
}

/** The SQLite implementation, on the feedback database's connection. */
export class SqliteChannelSettings implements ChannelSettingsStore {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      get: db.prepare<[string, string], Row>('SELECT * FROM channel_settings WHERE guild_id = ? AND channel_id = ?'),
      upsert: db.prepare<[string, string, string, string, string | null, number]>(`
        INSERT INTO channel_settings (guild_id, channel_id, kind, mode, answered_tag_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (guild_id, channel_id) DO UPDATE SET
          kind = excluded.kind, mode = excluded.mode, answered_tag_id = excluded.answered_tag_id, updated_at = excluded.updated_at`),
      remove: db.prepare<[string, string]>('DELETE FROM channel_settings WHERE guild_id = ? AND channel_id = ?'),
      list: db.prepare<[string], Row>('SELECT * FROM channel_settings WHERE guild_id = ? ORDER BY channel_id'),
      summary: db.prepare<[], { mode: ChannelMode; kind: ChannelKind; count: number }>('SELECT mode, kind, COUNT(*) AS count FROM channel_settings GROUP BY mode, kind'),
    };
  }

  get(guildId: string, channelId: string): ChannelSetting | undefined {
    const row = this.statements.get.get(guildId, channelId);
    return row === undefined ? undefined : fromRow(row);
  }

  set(setting: ChannelSetting): void {
    try {
      this.statements.upsert.run(setting.guildId, setting.channelId, setting.kind, setting.mode, setting.answeredTagId ?? null, setting.updatedAt);
    } catch (error) {
      if (error instanceof Database.SqliteError) throw botError('CHANNEL_SETTINGS_UNAVAILABLE', { cause: errorMessage(error) }, error);
      throw error;
    }
  }

  remove(guildId: string, channelId: string): boolean {
    return this.statements.remove.run(guildId, channelId).changes > 0;
  }

  list(guildId: string): ChannelSetting[] {
    return this.statements.list.all(guildId).map(fromRow);
  }

  summary(): ModeSummary {
    const summary: ModeSummary = { auto: { text: 0, forum: 0 }, mention: { text: 0, forum: 0 }, off: { text: 0, forum: 0 } };
    for (const { mode, kind, count } of this.statements.summary.all()) summary[mode][kind] = count;
    return summary;
  }
}
