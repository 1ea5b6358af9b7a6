import { MessageFlags } from 'discord.js';
import { errorMessage } from '../../errors.ts';
import type { SlashCommand } from '../context.ts';
import { adminCommand, requireAdmin } from '../admin.ts';
import { errorReply, reindexReply } from '../format.ts';

export const reindex: SlashCommand = {
  data: adminCommand('reindex', 'Rebuild the knowledge index from the knowledge folder (admins)').toJSON(),

  async execute(interaction, ctx) {
    if (!(await requireAdmin(interaction, ctx, 'Reindexing'))) return;
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
