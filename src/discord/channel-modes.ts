/**
 * How the bot behaves in each channel, as a server's admins set it with /channel. Each channel's
 * setting is one value in the settings store (src/state/types.ts: SQLite on one host, PostgreSQL
 * shared by several), under the channel and its server, so no server reads another's.
 */
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { SettingsStore } from '../state/types.ts';

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
  /** A forum's tag added to the posts the bot answered; absent: none. */
  answeredTagId?: string;
}

/** How many channels of each kind are in each mode: what the start-up line on intents needs. */
export type ModeSummary = Record<ChannelMode, Record<ChannelKind, number>>;

/** The settings store's key for a channel's mode; its value is this JSON. */
export const CHANNEL_MODE_KEY = 'channel-mode';
const StoredMode = z.object({
  mode: z.enum(CHANNEL_MODES),
  kind: z.enum(CHANNEL_KINDS),
  answeredTagId: z.string().regex(/^\d{15,21}$/).optional(),
});

/** Servers whose settings are held in memory at once. */
const CACHED_SERVERS = 10_000;

/**
 * The channel modes, read on every message: a server's settings are read from the store once (all
 * of them, at start or at its first message) and then from memory. A server's events and its
 * /channel commands all reach the one process serving its shard, which makes every change to it,
 * so memory and store agree. A store that cannot be read leaves the server at the default mode,
 * with a warning, and is asked again at the next message.
 */
export class ChannelModes {
  private readonly loaded = new LRUCache<string, Map<string, ChannelSetting>>({ max: CACHED_SERVERS });
  private readonly loading = new Map<string, Promise<Map<string, ChannelSetting>>>();

  constructor(
    private readonly store: SettingsStore,
    private readonly logger: Logger,
  ) {}

  /** The setting when the server's settings are in memory: null for none; undefined when not read yet. */
  peek(guildId: string, channelId: string): ChannelSetting | null | undefined {
    const server = this.loaded.get(guildId);
    return server === undefined ? undefined : (server.get(channelId) ?? null);
  }

  async setting(guildId: string, channelId: string): Promise<ChannelSetting | undefined> {
    return (await this.server(guildId)).get(channelId);
  }

  async modeOf(guildId: string, channelId: string): Promise<ChannelMode> {
    return (await this.setting(guildId, channelId))?.mode ?? DEFAULT_CHANNEL_MODE;
  }

  /** Every setting of one server. Throws SETTINGS_UNAVAILABLE when the store cannot be read. */
  async list(guildId: string): Promise<ChannelSetting[]> {
    return [...(await this.read(guildId)).values()].sort((a, b) => a.channelId.localeCompare(b.channelId));
  }

  /** Saves a setting; throws SETTINGS_UNAVAILABLE (nothing changed) when the store cannot take it. */
  async set(setting: ChannelSetting): Promise<void> {
    const value = { mode: setting.mode, kind: setting.kind, ...(setting.answeredTagId !== undefined && { answeredTagId: setting.answeredTagId }) };
    await this.store.setSetting({ guildId: setting.guildId, channelId: setting.channelId }, CHANNEL_MODE_KEY, JSON.stringify(value));
    this.loaded.get(setting.guildId)?.set(setting.channelId, setting);
  }

  /** A deleted channel's setting goes with it. */
  async forget(guildId: string, channelId: string): Promise<void> {
    try {
      if ((await this.setting(guildId, channelId)) === undefined) return;
      await this.store.setSetting({ guildId, channelId }, CHANNEL_MODE_KEY, null);
      this.loaded.get(guildId)?.delete(channelId);
      this.logger.info({ guildId, channelId }, 'channel deleted: its setting is forgotten');
    } catch (error) {
      this.logger.warn({ guildId, channelId, err: errorMessage(error) }, "could not forget a deleted channel's setting");
    }
  }

  /** Reads the servers' settings into memory and counts them, for the start-up line. */
  async summary(guildIds: Iterable<string>): Promise<ModeSummary> {
    const summary: ModeSummary = { auto: { text: 0, forum: 0 }, mention: { text: 0, forum: 0 }, off: { text: 0, forum: 0 } };
    const servers = await Promise.all([...guildIds].map((id) => this.server(id)));
    for (const server of servers) for (const s of server.values()) summary[s.mode][s.kind]++;
    return summary;
  }

  /** The server's settings, from memory or read once; empty (not kept) when the store cannot be read. */
  private async server(guildId: string): Promise<Map<string, ChannelSetting>> {
    const known = this.loaded.get(guildId);
    if (known !== undefined) return known;
    let pending = this.loading.get(guildId);
    if (pending === undefined) {
      pending = this.read(guildId).then(
        (settings) => {
          this.loaded.set(guildId, settings);
          return settings;
        },
        (error: unknown) => {
          this.logger.warn({ guildId, err: errorMessage(error) }, "could not read the server's channel modes; the default mode applies for now");
          return new Map<string, ChannelSetting>();
        },
      );
      this.loading.set(guildId, pending);
      void pending.finally(() => this.loading.delete(guildId));
    }
    return pending;
  }

  private async read(guildId: string): Promise<Map<string, ChannelSetting>> {
    const settings = new Map<string, ChannelSetting>();
    for (const stored of await this.store.settingsOf(guildId)) {
      if (stored.key !== CHANNEL_MODE_KEY || stored.channelId === null) continue;
      const parsed = StoredMode.safeParse(safeJson(stored.value));
      if (!parsed.success) {
        this.logger.warn({ guildId, channelId: stored.channelId }, 'a channel mode in the settings is unreadable: the default applies there');
        continue;
      }
      settings.set(stored.channelId, { guildId, channelId: stored.channelId, ...parsed.data });
    }
    return settings;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
