import { InteractionContextType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { errorMessage } from '../../errors.ts';
import type { SlashCommand } from '../context.ts';
import { errorReply, reindexReply, textReply } from '../format.ts';
import { isAdmin } from '../guard.ts';

export const reindex: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('reindex')
    .setDescription('Rebuild the knowledge index from the knowledge folder (admins)')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .toJSON(),

  async execute(interaction, ctx) {
    // Server admins can re-grant commands to anyone, so the registration default is not enough.
    const allowed = isAdmin(
      { userId: interaction.user.id, permissions: interaction.memberPermissions, member: interaction.member },
      ctx.config,
    );
    if (!allowed) {
      ctx.logger.warn({ command: 'reindex', userId: interaction.user.id, guildId: interaction.guildId }, 'reindex refused');
      await interaction.reply({
        ...textReply('Reindexing needs the **Manage Server** permission (or being listed as a bot admin).'),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    ctx.logger.info({ command: 'reindex', userId: interaction.user.id, guildId: interaction.guildId }, 'reindex requested');
    try {
      const report = await ctx.engine.reindex();
      await ctx.onReindexed();
      await interaction.editReply(reindexReply(report));
    } catch (error) {
      await interaction.editReply(errorReply(errorMessage(error)));
    }
  },
};
