import { InteractionContextType, MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../context.ts';
import { answerForDiscord } from '../answer-flow.ts';
import { followUpButton, followUpButtonFits } from '../follow-up-thread.ts';
import { textReply } from '../format.ts';
import { ASK_QUESTION_MAX } from '../limits.ts';

export const ask: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('ask')
    .setDescription('Ask about machine-learning careers; the answer cites its sources')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM, InteractionContextType.PrivateChannel)
    .addStringOption((o) =>
      o.setName('question').setDescription('Your question').setRequired(true).setMaxLength(ASK_QUESTION_MAX),
    )
    .addBooleanOption((o) => o.setName('private').setDescription('Only you see the answer'))
    .toJSON(),

  async execute(interaction, ctx) {
    const question = interaction.options.getString('question', true);
    const ephemeral = interaction.options.getBoolean('private') ?? false;
    const wait = ctx.cooldown.take(interaction.user.id);
    if (wait > 0) {
      await interaction.reply({ ...textReply(`You're asking quickly — try again in ${wait} s.`), flags: MessageFlags.Ephemeral });
      return;
    }
    // Acknowledge before any embedding or search: Discord allows 3 s for the first response.
    await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    const buttons = followUpButtonFits(interaction, ephemeral) ? [followUpButton()] : [];
    const { reply } = await answerForDiscord(question, { userId: interaction.user.id, guildId: interaction.guildId, surface: 'slash' }, ctx, { buttons });
    await interaction.editReply(reply);
  },
};
