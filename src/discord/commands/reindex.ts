import { MessageFlags } from 'discord.js';
import type { SlashCommand } from '../context.ts';
import { adminCommand, requireAdmin } from '../admin.ts';
import { reindexReply } from '../format.ts';

export const reindex: SlashCommand = {
  data: adminCommand('reindex', 'Rebuild the knowledge index from the knowledge folder (admins)').toJSON(),

  async execute(interaction, ctx) {
    if (!(await requireAdmin(interaction, ctx, 'Reindexing'))) return;
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    ctx.logger.info({ command: 'reindex', userId: interaction.user.id, guildId: interaction.guildId }, 'reindex requested');
    // A failed reindex throws REINDEX_FAILED (the previous index keeps answering); the boundary shows it.
    const report = await ctx.engine.reindex();
    await ctx.onReindexed();
    await interaction.editReply(reindexReply(report));
  },
};
