import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../context.ts';
import { skillsReply, truncate } from '../format.ts';

/** Discord shows at most 25 autocomplete suggestions. */
const AUTOCOMPLETE_LIMIT = 25;

export const skills: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('skills')
    .setDescription('The skills an ML engineer needs, as the knowledge base lists them')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM, InteractionContextType.PrivateChannel)
    .addStringOption((o) =>
      o.setName('area').setDescription('Narrow the list, e.g. "cloud" or "math"').setMaxLength(100).setAutocomplete(true),
    )
    .toJSON(),

  async execute(interaction, ctx) {
    const area = interaction.options.getString('area')?.trim() || undefined;
    const knowledge = await ctx.engine.knowledgeOf(interaction.guildId === null ? {} : { server: interaction.guildId });
    await interaction.reply(skillsReply(knowledge.skills(area), area));
  },

  // Suggestions come from the knowledge, so they follow it after every reindex.
  async autocomplete(interaction, ctx) {
    const typed = interaction.options.getFocused().toLowerCase();
    const knowledge = await ctx.engine.knowledgeOf(interaction.guildId === null ? {} : { server: interaction.guildId });
    const names = knowledge
      .skills()
      .map((s) => s.name)
      .filter((name) => name.toLowerCase().includes(typed))
      .slice(0, AUTOCOMPLETE_LIMIT);
    await interaction.respond(names.map((name) => ({ name: truncate(name, 100), value: truncate(name, 100) })));
  },
};
