import { InteractionContextType, MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../context.ts';
import { helpEmbed, NO_MENTIONS } from '../format.ts';

export const help: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('help')
    .setDescription('What this bot knows, its commands, and where its knowledge comes from')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM, InteractionContextType.PrivateChannel)
    .toJSON(),

  async execute(interaction, ctx) {
    const { stats } = await ctx.engine.knowledgeOf(interaction.guildId === null ? {} : { server: interaction.guildId });
    await interaction.reply({ embeds: [helpEmbed(stats)], allowedMentions: NO_MENTIONS, flags: MessageFlags.Ephemeral });
  },
};
