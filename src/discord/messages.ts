/**
 * Which messages the bot answers, and how. Slash commands are not messages: they work in every
 * channel the bot can speak in, whatever its mode.
 *
 * - A DM: always (every DM is a question).
 * - A channel in `off` mode (a thread follows its parent): never.
 * - A new post in an `auto` forum: answered inside the post, once, on the bot's own.
 * - A message that mentions the bot: answered as a reply (in a thread, with the conversation).
 * - In an `auto` channel, with the Message Content intent: in a thread the bot answered in, the
 *   asker's messages; in a text channel, messages that ask something. Both on the bot's own.
 *
 * Never: a bot's message (its own included), a system message, or, on the bot's own, a message
 * from before it started. Automatic answers go through the paced queue (src/discord/auto-answers.ts).
 */
import { ChannelType, type ForumChannel, type Message } from 'discord.js';
import { guardMessage } from './boundary.ts';
import { DEFAULT_CHANNEL_MODE } from './channel-modes.ts';
import type { BotContext } from './context.ts';
import { answerForumPost } from './forum.ts';
import { answerAutoFollowUp, answerAutoQuestion, answerMention } from './mention.ts';

/**
 * The work a message starts, done when the message is answered or found not to be for the bot.
 * Whether it is for the bot is decided before anything is awaited, once the server's channel
 * modes are in memory (they are read at start), so messages are decided in the order they came.
 */
export async function routeMessage(message: Message, ctx: BotContext): Promise<void> {
  const me = message.client.user;
  if (message.author.bot || message.author.id === me.id || message.system || message.webhookId !== null) return;
  const guard = (event: string, work: () => Promise<void>) =>
    guardMessage(message, ctx.logger, { event, userId: message.author.id, guildId: message.guildId, channelId: message.channelId }, work);
  if (!message.inGuild()) return guard('mention', () => answerMention(message, me.id, ctx));

  const channel = message.channel;
  const thread = channel.isThread() ? channel : undefined;
  const home = thread === undefined ? channel : thread.parent;
  if (home === null) return;
  const known = ctx.channelModes.peek(message.guildId, home.id);
  const mode = known === undefined ? await ctx.channelModes.modeOf(message.guildId, home.id) : (known?.mode ?? DEFAULT_CHANNEL_MODE);
  if (mode === 'off') return;
  const onOwn = mode === 'auto' && message.createdTimestamp >= ctx.startedAt;

  // A forum post's starter message has the post's (thread's) id.
  if (thread !== undefined && home.type === ChannelType.GuildForum && message.id === thread.id && onOwn) {
    return ctx.autoAnswers.add(`post:${thread.id}`, () => guard('forum post', () => answerForumPost(message, thread, home as ForumChannel, ctx)));
  }
  if (message.mentions.users.has(me.id)) return guard('mention', () => answerMention(message, me.id, ctx));
  // Without the intent a message that does not mention the bot arrives empty: nothing to answer.
  if (!onOwn || !ctx.config.messageContentIntent || !readsAsQuestion(message.content)) return;
  if (thread !== undefined) return ctx.autoAnswers.add(`message:${message.id}`, () => guard('follow-up', () => answerAutoFollowUp(message, ctx)));
  return ctx.autoAnswers.add(`message:${message.id}`, () => guard('auto question', () => answerAutoQuestion(message, ctx)));
}

const QUESTION_OPENERS = new Set(
  ('what which who whom whose when where why how is are am was were do does did can could should would will may might must shall ' +
    'any anyone anybody and but so also tell explain compare list recommend whats hows wheres whos').split(' '),
);

/**
 * Whether a message asks something: it has a question mark, or opens the way questions and
 * follow-ups do ("how do I…", "and for a phd", "tell me…"). Chat ("thanks!", "nice") is left alone
 * in auto channels, where the bot answers without being asked. One linear pass.
 */
export function readsAsQuestion(text: string): boolean {
  if (text.includes('?')) return true;
  const first = /^[^\p{L}\p{N}]*([\p{L}\p{N}']+)/u.exec(text)?.[1]?.toLowerCase().replace(/['’]/g, '');
  return first !== undefined && QUESTION_OPENERS.has(first);
}

