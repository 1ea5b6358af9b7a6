import { GatewayIntentBits } from 'discord.js';
import type { Config } from '../config.ts';
import type { ModeSummary } from './channel-modes.ts';

/**
 * Guilds delivers slash commands' context, channels, threads and forum posts (THREAD_CREATE);
 * GuildMessages the messages in channels and threads; DirectMessages the DMs. A message that
 * mentions the bot carries its text without more. The privileged Message Content intent, only
 * with MESSAGE_CONTENT_INTENT=true, adds the text of every other message: forum posts' bodies,
 * follow-ups without a mention, questions in `auto` text channels.
 */
export function botIntents(config: Pick<Config, 'messageContentIntent'>): GatewayIntentBits[] {
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];
  return config.messageContentIntent ? [...intents, GatewayIntentBits.MessageContent] : intents;
}

/**
 * The one start-up line on intents: what works, and what the modes admins chose need but will not
 * get without the Message Content intent.
 */
export function intentReport(config: Pick<Config, 'messageContentIntent'>, modes: ModeSummary): { level: 'info' | 'warn'; fields: Record<string, number | boolean>; message: string } {
  const autoForums = modes.auto.forum;
  const autoText = modes.auto.text;
  const fields = { messageContentIntent: config.messageContentIntent, autoForums, autoTextChannels: autoText };
  if (config.messageContentIntent) {
    return { level: 'info', fields, message: 'Message Content intent on: auto channels read forum posts, questions and follow-ups in full' };
  }
  if (autoForums === 0 && autoText === 0) {
    return { level: 'info', fields, message: 'Message Content intent off: slash commands, mentions and DMs work everywhere; no channel is in auto mode' };
  }
  const missing = [
    ...(autoForums > 0 ? [`${autoForums} auto forum(s) are answered from post titles only`] : []),
    ...(autoText > 0 ? [`${autoText} auto text channel(s) get no automatic answers`] : []),
    'follow-ups in threads are answered only when they mention the bot',
  ];
  return {
    level: 'warn',
    fields,
    message: `Message Content intent off: ${missing.join('; ')}. Set MESSAGE_CONTENT_INTENT=true and enable it in the developer portal (Bot → Privileged Gateway Intents) to read them`,
  };
}
