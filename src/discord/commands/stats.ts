import { MessageFlags } from 'discord.js';
import type { SlashCommand } from '../context.ts';
import { adminCommand, requireAdmin } from '../admin.ts';
import { NO_MENTIONS, statsEmbed } from '../format.ts';

const WINDOW_DAYS = 7;

export const stats: SlashCommand = {
  data: adminCommand('stats', 'Questions, refusals, feedback and the gaps in the knowledge (admins)').toJSON(),

  async execute(interaction, ctx) {
    if (!(await requireAdmin(interaction, ctx, 'Statistics'))) return;
    // An unreadable question log throws FEEDBACK_UNAVAILABLE, which the boundary shows as it is.
    const report = ctx.feedback.report({ days: WINDOW_DAYS });
    await interaction.reply({ embeds: [statsEmbed(report)], allowedMentions: NO_MENTIONS, flags: MessageFlags.Ephemeral });
  },
};
