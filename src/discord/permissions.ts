import { PermissionFlagsBits, PermissionsBitField, type GuildTextBasedChannel } from 'discord.js';

/** What answering in a channel takes: seeing it, sending (in threads: in threads), embeds, and reading history (replies, conversations). */
const IN_CHANNEL = [PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages, PermissionFlagsBits.EmbedLinks, PermissionFlagsBits.ReadMessageHistory];
const IN_THREAD = [PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessagesInThreads, PermissionFlagsBits.EmbedLinks, PermissionFlagsBits.ReadMessageHistory];

/**
 * The permissions the bot lacks to answer in `channel`, by name (empty: it may answer). A locked
 * thread takes no answer; an archived one would be reopened by one, so it takes none either.
 */
export function missingToAnswer(channel: GuildTextBasedChannel): string[] {
  const me = channel.guild.members.me;
  const granted = me ? channel.permissionsFor(me) : null;
  const needed = channel.isThread() ? IN_THREAD : IN_CHANNEL;
  const missing = granted === null ? needed : needed.filter((p) => !granted.has(p));
  const names: string[] = new PermissionsBitField(missing).toArray();
  if (channel.isThread() && channel.locked) names.push('an unlocked thread');
  if (channel.isThread() && channel.archived) names.push('an open (not archived) thread');
  return names;
}

export function canAnswerIn(channel: GuildTextBasedChannel): boolean {
  return missingToAnswer(channel).length === 0;
}
