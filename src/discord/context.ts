import type { AutocompleteInteraction, ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { Config } from '../config.ts';
import type { Engine } from '../engine/engine.ts';
import type { FeedbackState } from '../state/types.ts';
import type { Logger } from '../logger.ts';
import type { AutoAnswerQueue } from './auto-answers.ts';
import type { ChannelModes } from './channel-modes.ts';
import type { ConcurrencyLimiter, Cooldown } from './guard.ts';
import type { BotOwners } from './owners.ts';

/** What a command handler may use. Handlers reach knowledge only through the engine façade. */
export interface BotContext {
  engine: Engine;
  config: Config;
  logger: Logger;
  cooldown: Cooldown;
  limiter: ConcurrencyLimiter;
  /** Questions, refusals and 👍/👎 (for /stats and the gaps report), and settings: SQLite or PostgreSQL. */
  feedback: FeedbackState;
  /** Who owns the bot: they change the base knowledge and see every server's figures. */
  owners: BotOwners;
  /** How the bot behaves in each channel, as admins set it (/channel). */
  channelModes: ChannelModes;
  /** Forum posts and follow-ups answered on the bot's own, paced. */
  autoAnswers: AutoAnswerQueue;
  /** When this process started (ms): nothing older is answered on the bot's own. */
  startedAt: number;
}

/** One slash command: its registration data and its handler (the discord.js guide's shape). */
export interface SlashCommand {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
}
