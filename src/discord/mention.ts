import type { Message } from 'discord.js';
import type { BotContext } from './context.ts';
import { answerForDiscord } from './answer-flow.ts';
import { NO_MENTIONS, textReply } from './format.ts';

/** The question is the message without the bot's own mention (`<@id>` or the legacy `<@!id>`). */
export function questionFromMention(content: string, botId: string): string {
  return content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').replace(/\s+/g, ' ').trim();
}

/** Answers a message that mentions the bot, as a reply to that message. */
export async function answerMention(message: Message, botId: string, ctx: BotContext): Promise<void> {
  const question = questionFromMention(message.content, botId);
  const replyOptions = { allowedMentions: { ...NO_MENTIONS, repliedUser: false }, failIfNotExists: false };
  if (question === '') {
    await message.reply({ ...textReply('Ask me something after the mention, e.g. “@me which skills do ML engineers need?” — or use `/ask`.'), ...replyOptions });
    return;
  }
  const wait = ctx.cooldown.take(message.author.id);
  if (wait > 0) {
    await message.reply({ ...textReply(`You're asking quickly — try again in ${wait} s.`), ...replyOptions });
    return;
  }
  const { reply } = await answerForDiscord(question, { userId: message.author.id, guildId: message.guildId, surface: 'mention' }, ctx);
  await message.reply({ ...reply, ...replyOptions });
}
