import { MessageFlags } from 'discord.js';
import type { SlashCommand } from '../context.ts';
import { botError } from '../../errors.ts';
import { adminCommand, requireAdmin } from '../admin.ts';
import { NO_MENTIONS, statsEmbed } from '../format.ts';

const WINDOW_DAYS = 7;

export const stats: SlashCommand = {
  data: adminCommand('stats', "This server's questions, refusals, feedback and knowledge gaps (admins)")
    .addStringOption((o) =>
      o
        .setName('scope')
        .setDescription("Whose questions (default: this server's)")
        .addChoices({ name: 'this server', value: 'server' }, { name: 'every server and DM (bot owners only)', value: 'all' }),
    )
    .toJSON(),

  async execute(interaction, ctx) {
    if (!(await requireAdmin(interaction, ctx, 'Statistics'))) return;
    // An unreadable question log throws FEEDBACK_UNAVAILABLE, which the boundary shows as it is.
    // A server's admins see its own questions; every server's and the DMs' are for the bot's owners.
    const all = interaction.options.getString('scope') === 'all' || interaction.guildId === null;
    if (all && !ctx.owners.has(interaction.user.id)) throw botError('NOT_ALLOWED', { what: "Every server's statistics", who: "the bot's owners" });
    const report = await ctx.feedback.report({ days: WINDOW_DAYS, ...(all ? {} : { guildId: interaction.guildId! }) });
    await interaction.reply({ embeds: [statsEmbed(report)], allowedMentions: NO_MENTIONS, flags: MessageFlags.Ephemeral });
  },
};
