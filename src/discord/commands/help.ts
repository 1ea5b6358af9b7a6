import { InteractionContextType, MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../context.ts';
import { escapeMarkdown, fitEmbed, NO_MENTIONS, truncate } from '../format.ts';
import { EMBED_FIELD_VALUE_LIMIT } from '../limits.ts';

export const help: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('help')
    .setDescription('What this bot knows, its commands, and where its knowledge comes from')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM, InteractionContextType.PrivateChannel)
    .toJSON(),

  async execute(interaction, ctx) {
    const stats = ctx.engine.stats();
    const topics = stats.documentsList.flatMap((d) => d.sections).filter((s, i, all) => all.indexOf(s) === i);
    const sources = stats.documentsList.map((d) => `• ${escapeMarkdown(d.title)} (\`${d.id}\`, ${d.chunks} passages)`);
    await interaction.reply({
      embeds: [
        fitEmbed({
          title: 'ML careers bot',
          description:
            'I answer questions about machine-learning careers from my knowledge base only, and cite every ' +
            "claim. When my sources don't cover something, I say so instead of guessing.",
          fields: [
            { name: 'I know about', value: truncate(topics.map((t) => `• ${escapeMarkdown(t)}`).join('\n') || '—', EMBED_FIELD_VALUE_LIMIT) },
            {
              name: 'Commands',
              value:
                '`/ask question:` ask anything (add `private:True` to see the answer alone)\n' +
                '`/skills [area:]` the skills list\n`/reindex` reload the knowledge (Manage Server)\n' +
                'Or mention me with your question.',
            },
            { name: 'Sources', value: truncate(sources.join('\n') || '—', EMBED_FIELD_VALUE_LIMIT) },
          ],
          footer: { text: `Knowledge ${stats.knowledgeVersion} · built ${stats.builtAt} · ${stats.embedder}` },
        }),
      ],
      allowedMentions: NO_MENTIONS,
      flags: MessageFlags.Ephemeral,
    });
  },
};
