import { LRUCache } from 'lru-cache';
import { errorMessage } from '../errors.ts';
import {
  DEFAULT_CHANNEL_MODE,
  type ChannelMode,
  type ChannelSetting,
  type ChannelSettingsStore,
  type ModeSummary,
} from '../feedback/channel-settings.ts';
import type { Logger } from '../logger.ts';

/** Channel settings held in memory; every message in a server asks for one. */
const CACHED_CHANNELS = 10_000;

/**
 * The channel modes admins set (/channel), read on every message. Reads go to memory after the
 * first, since a server's events all reach one process (its shard) and that process makes every
 * change to it. A database that cannot be read leaves the channel at the default mode, with a
 * warning, rather than holding up a message.
 */
export class ChannelModes {
  private readonly cache = new LRUCache<string, ChannelSetting | false>({ max: CACHED_CHANNELS });

  constructor(
    private readonly store: ChannelSettingsStore,
    private readonly logger: Logger,
  ) {}

  setting(guildId: string, channelId: string): ChannelSetting | undefined {
    const key = `${guildId}/${channelId}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached === false ? undefined : cached;
    try {
      const setting = this.store.get(guildId, channelId);
      this.cache.set(key, setting ?? false);
      return setting;
    } catch (error) {
      this.logger.warn({ guildId, channelId, err: errorMessage(error) }, 'could not read the channel setting; the default mode applies');
      return undefined;
    }
  }

  modeOf(guildId: string, channelId: string): ChannelMode {
    return this.setting(guildId, channelId)?.mode ?? DEFAULT_CHANNEL_MODE;
  }

  /** Saves a setting; throws CHANNEL_SETTINGS_UNAVAILABLE (the database could not take it), changing nothing. */
  set(setting: ChannelSetting): void {
    this.store.set(setting);
    this.cache.set(`${setting.guildId}/${setting.channelId}`, setting);
  }

  /** A deleted channel's setting goes with it. */
  forget(guildId: string, channelId: string): void {
    this.cache.delete(`${guildId}/${channelId}`);
    try {
      if (this.store.remove(guildId, channelId)) this.logger.info({ guildId, channelId }, 'channel deleted: its setting is forgotten');
    } catch (error) {
      this.logger.warn({ guildId, channelId, err: errorMessage(error) }, 'could not forget a deleted channel\'s setting');
    }
  }

  list(guildId: string): ChannelSetting[] {
    return this.store.list(guildId);
  }

  summary(): ModeSummary {
    return this.store.summary();
  }
}
