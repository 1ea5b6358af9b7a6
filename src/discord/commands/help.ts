import { ChannelType, InteractionContextType, MessageFlags, SlashCommandBuilder, type ForumChannel } from 'discord.js';
import { errorMessage } from '../../errors.ts';
import type { SlashCommand } from '../context.ts';
import { channelSettingLine, helpEmbed, NO_MENTIONS } from '../format.ts';
import { isAdmin } from '../guard.ts';

export const help: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('help')
    .setDescription('What this bot knows, its commands, and where its knowledge comes from')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM, InteractionContextType.PrivateChannel)
    .toJSON(),

  async execute(interaction, ctx) {
    const { stats } = await ctx.engine.knowledgeOf(interaction.guildId === null ? {} : { server: interaction.guildId });
    await interaction.reply({ embeds: [helpEmbed(stats, await channelLines(interaction, ctx))], allowedMentions: NO_MENTIONS, flags: MessageFlags.Ephemeral });
  },
};

/** This server's channel modes, for its admins only (undefined for everyone else, and in DMs). */
async function channelLines(interaction: Parameters<SlashCommand['execute']>[0], ctx: Parameters<SlashCommand['execute']>[1]): Promise<string[] | undefined> {
  const guildId = interaction.guildId;
  if (guildId === null) return undefined;
  const admin = ctx.owners.has(interaction.user.id) || isAdmin({ userId: interaction.user.id, permissions: interaction.memberPermissions, member: interaction.member }, ctx.config);
  if (!admin) return undefined;
  try {
    return (await ctx.channelModes.list(guildId)).map((setting) => {
      const channel = interaction.guild?.channels.cache.get(setting.channelId);
      const tag = channel?.type === ChannelType.GuildForum && setting.answeredTagId !== undefined ? (channel as ForumChannel).availableTags.find((t) => t.id === setting.answeredTagId)?.name : undefined;
      return channelSettingLine(setting, tag);
    });
  } catch (error) {
    ctx.logger.warn({ guildId, err: errorMessage(error) }, 'could not list the channel modes for /help');
    return ['(the channel settings cannot be read right now)'];
  }
}
