/**
 * "Follow up in a thread" under an /ask answer in a text channel: a click starts a public thread on
 * that answer, where mentions of the bot (and, in an `auto` channel, the asker's messages) are
 * answered with the conversation so far.
 */
import {
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  DiscordAPIError,
  MessageFlags,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  ThreadAutoArchiveDuration,
  type ButtonInteraction,
  type Interaction,
} from 'discord.js';
import type { BotContext } from './context.ts';
import { readAnswerEmbed, textReply, truncate } from './format.ts';
import { THREAD_NAME_LIMIT } from './limits.ts';

export const FOLLOW_UP_BUTTON_ID = 'ask:thread';

/** Shown under /ask answers that can take a thread: public ones in a server's text or announcement channel. */
export function followUpButtonFits(interaction: Interaction, ephemeral: boolean): boolean {
  const type = interaction.channel?.type;
  return !ephemeral && interaction.inGuild() && (type === ChannelType.GuildText || type === ChannelType.GuildAnnouncement);
}

export function followUpButton(): ButtonBuilder {
  return new ButtonBuilder().setCustomId(FOLLOW_UP_BUTTON_ID).setLabel('Follow up in a thread').setEmoji('🧵').setStyle(ButtonStyle.Secondary);
}

export async function handleFollowUpThread(interaction: ButtonInteraction, ctx: BotContext): Promise<boolean> {
  if (interaction.customId !== FOLLOW_UP_BUTTON_ID) return false;
  const reply = (text: string) => interaction.reply({ ...textReply(text), flags: MessageFlags.Ephemeral });
  const channel = interaction.channel;
  if (!interaction.inGuild() || (channel?.type !== ChannelType.GuildText && channel?.type !== ChannelType.GuildAnnouncement)) {
    await reply('Threads can be started from answers in a server\'s text channels only.');
    return true;
  }
  const existing = interaction.message.thread;
  if (existing) {
    await reply(`This answer already has a thread: ${existing.toString()}. Ask your follow-up there and mention me.`);
    return true;
  }
  const needed = [PermissionFlagsBits.CreatePublicThreads, PermissionFlagsBits.SendMessagesInThreads];
  if (!interaction.appPermissions.has(needed)) {
    await reply('I can\'t start threads here: I need the Create Public Threads and Send Messages in Threads permissions. Mention me with your follow-up instead.');
    return true;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const question = readAnswerEmbed(interaction.message.embeds[0]?.toJSON())?.question ?? 'Follow-up';
  let thread;
  try {
    thread = await interaction.message.startThread({ name: truncate(question, THREAD_NAME_LIMIT), autoArchiveDuration: ThreadAutoArchiveDuration.OneDay });
  } catch (error) {
    // Two clicks at once: the other one started it.
    if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage) {
      await interaction.editReply(textReply('Someone just started a thread on this answer: ask your follow-up there and mention me.'));
      return true;
    }
    throw error;
  }
  ctx.logger.info({ event: 'follow-up thread', guildId: interaction.guildId, channelId: thread.id, userId: interaction.user.id }, 'thread started from an answer');
  const auto = (await ctx.channelModes.modeOf(interaction.guildId, channel.id)) === 'auto' && ctx.config.messageContentIntent;
  await interaction.editReply(
    textReply(
      `Started ${thread.toString()}: ask your follow-up there and mention me — I'll read it with this answer.` +
        (auto ? ' Who asked can also just write: I answer their messages there on my own.' : ''),
    ),
  );
  return true;
}
