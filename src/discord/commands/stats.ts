import { MessageFlags } from 'discord.js';
import type { SlashCommand } from '../context.ts';
import { adminCommand, requireAdmin } from '../admin.ts';
import { fitEmbed, linesToFields, NO_MENTIONS, truncate } from '../format.ts';

const WINDOW_DAYS = 7;

export const stats: SlashCommand = {
  data: adminCommand('stats', 'Questions, refusals, feedback and the gaps in the knowledge (admins)').toJSON(),

  async execute(interaction, ctx) {
    if (!(await requireAdmin(interaction, ctx, 'Statistics'))) return;
    const r = ctx.feedback.report({ days: WINDOW_DAYS });
    const quote = (q: string) => `“${truncate(q, 120)}”`;
    const fields = [
      ...linesToFields('Top questions', r.topQuestions.map((t) => `${t.count}× ${quote(t.question)}`), 1),
      ...linesToFields(
        'Gaps — refused or 👎',
        r.gaps.map((g) => `${g.count}× ${quote(g.question)} (${g.refused} refused, ${g.down} 👎)`),
        2,
      ),
    ];
    await interaction.reply({
      embeds: [
        fitEmbed({
          title: `Last ${WINDOW_DAYS} days`,
          description: `**${r.questions}** questions · **${Math.round(r.refusalRate * 100)}%** refused · 👍 ${r.up} · 👎 ${r.down}`,
          fields,
        }),
      ],
      allowedMentions: NO_MENTIONS,
      flags: MessageFlags.Ephemeral,
    });
  },
};
