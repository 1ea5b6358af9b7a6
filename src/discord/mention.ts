import type { Message } from 'discord.js';
import type { BotContext } from './context.ts';
import { answerForDiscord } from './answer-flow.ts';
import { readThreadConversation } from './conversation.ts';
import { NO_MENTIONS, textReply } from './format.ts';
import { canAnswerIn } from './permissions.ts';

/** The question is the message without the bot's own mention (`<@id>` or the legacy `<@!id>`). */
export function questionFromMention(content: string, botId: string): string {
  return content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').replace(/\s+/g, ' ').trim();
}

const REPLY_OPTIONS = { allowedMentions: { ...NO_MENTIONS, repliedUser: false }, failIfNotExists: false };

/**
 * Answers a message that mentions the bot (or any DM), as a reply to that message. In a thread
 * where the bot answered before, the conversation so far is read with it (src/discord/conversation.ts).
 */
export async function answerMention(message: Message, botId: string, ctx: BotContext): Promise<void> {
  if (message.inGuild() && !canAnswerIn(message.channel)) {
    ctx.logger.info({ event: 'mention', guildId: message.guildId, channelId: message.channelId }, 'mention not answered: I may not answer in this channel');
    return;
  }
  const question = questionFromMention(message.content, botId);
  if (question === '') {
    await message.reply({ ...textReply('Ask me something after the mention, e.g. “@me which skills do ML engineers need?” — or use `/ask`.'), ...REPLY_OPTIONS });
    return;
  }
  const wait = ctx.cooldown.take(message.author.id);
  if (wait > 0) {
    await message.reply({ ...textReply(`You're asking quickly — try again in ${wait} s.`), ...REPLY_OPTIONS });
    return;
  }
  const conversation = message.channel.isThread() ? (await readThreadConversation(message.channel, botId, message.id)).turns : [];
  const { reply } = await answerForDiscord(question, { userId: message.author.id, guildId: message.guildId, surface: 'mention' }, ctx, { conversation });
  await message.reply({ ...reply, ...REPLY_OPTIONS });
}

/**
 * A follow-up the asker wrote in a thread of an `auto` channel without mentioning the bot: answered
 * as a reply with the conversation, when the thread is one the bot answered in and the author is
 * its asker; anything else in the thread is left alone.
 */
export async function answerAutoFollowUp(message: Message<true>, ctx: BotContext): Promise<void> {
  if (!message.channel.isThread() || !canAnswerIn(message.channel)) return;
  const botId = message.client.user.id;
  const { askerId, turns } = await readThreadConversation(message.channel, botId, message.id);
  if (turns.length === 0 || askerId !== message.author.id) return;
  const wait = ctx.cooldown.take(message.author.id);
  if (wait > 0) {
    await message.reply({ ...textReply(`You're asking quickly — mention me in ${wait} s and I'll answer.`), ...REPLY_OPTIONS });
    return;
  }
  const { reply } = await answerForDiscord(message.content, { userId: message.author.id, guildId: message.guildId, surface: 'auto' }, ctx, { conversation: turns });
  await ctx.autoAnswers.beforeSend();
  await message.reply({ ...reply, ...REPLY_OPTIONS });
}

/** A question in an `auto` text channel, answered as a reply without a mention. */
export async function answerAutoQuestion(message: Message<true>, ctx: BotContext): Promise<void> {
  if (!canAnswerIn(message.channel)) return;
  const wait = ctx.cooldown.take(message.author.id);
  if (wait > 0) {
    await message.reply({ ...textReply(`You're asking quickly — try again in ${wait} s.`), ...REPLY_OPTIONS });
    return;
  }
  const { reply } = await answerForDiscord(message.content, { userId: message.author.id, guildId: message.guildId, surface: 'auto' }, ctx);
  await ctx.autoAnswers.beforeSend();
  await message.reply({ ...reply, ...REPLY_OPTIONS });
}
