import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  MessageFlags,
  ModalBuilder,
  TextInputBuilder,
  TextInputStyle,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type ButtonInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { MAX_STORED_COMMENT_CHARS } from '../feedback/store.ts';
import type { BotContext } from './context.ts';
import { textReply } from './format.ts';

const VOTE_PREFIX = 'feedback';
const COMMENT_PREFIX = 'feedback-comment';
const COMMENT_FIELD = 'comment';
/** The store keeps at most this much of a comment. */
const FEEDBACK_COMMENT_MAX = MAX_STORED_COMMENT_CHARS;

/** 👍 / 👎 under an answer; the custom ids carry the recorded question's id. */
export function voteButtons(questionId: number): ButtonBuilder[] {
  return [
    new ButtonBuilder().setCustomId(`${VOTE_PREFIX}:up:${questionId}`).setEmoji('👍').setStyle(ButtonStyle.Secondary),
    new ButtonBuilder().setCustomId(`${VOTE_PREFIX}:down:${questionId}`).setEmoji('👎').setStyle(ButtonStyle.Secondary),
  ];
}

/** The row under an answer: 👍 / 👎 (when the question was recorded) and any further buttons; none at all: no row. */
export function answerButtons(questionId: number | undefined, extra: readonly ButtonBuilder[] = []): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const buttons = [...(questionId === undefined ? [] : voteButtons(questionId)), ...extra];
  return buttons.length === 0 ? [] : [new ActionRowBuilder<ButtonBuilder>().addComponents(buttons).toJSON()];
}

export function parseVoteId(customId: string): { vote: 'up' | 'down'; questionId: number } | undefined {
  const match = /^feedback:(up|down):(\d{1,15})$/.exec(customId);
  return match ? { vote: match[1] as 'up' | 'down', questionId: Number(match[2]) } : undefined;
}

export function parseCommentId(customId: string): number | undefined {
  const match = /^feedback-comment:(\d{1,15})$/.exec(customId);
  return match ? Number(match[1]) : undefined;
}

/** A click is acknowledged ephemerally; a 👎 opens an optional "what was wrong?" form instead. */
export async function handleVote(interaction: ButtonInteraction, ctx: BotContext): Promise<boolean> {
  const parsed = parseVoteId(interaction.customId);
  if (!parsed) return false;
  const known = await ctx.feedback.recordVote(parsed.questionId, interaction.user.id, parsed.vote, interaction.guildId);
  ctx.logger.info({ event: 'feedback', vote: parsed.vote, questionId: parsed.questionId, guildId: interaction.guildId }, 'vote');
  if (!known) {
    await interaction.reply({ ...textReply('This answer is too old to rate now — thanks all the same.'), flags: MessageFlags.Ephemeral });
  } else if (parsed.vote === 'down') {
    await interaction.showModal(
      new ModalBuilder()
        .setCustomId(`${COMMENT_PREFIX}:${parsed.questionId}`)
        .setTitle('What was wrong with this answer?')
        .addComponents(
          new ActionRowBuilder<TextInputBuilder>().addComponents(
            new TextInputBuilder()
              .setCustomId(COMMENT_FIELD)
              .setLabel('Optional: what did you expect?')
              .setStyle(TextInputStyle.Paragraph)
              .setRequired(false)
              .setMaxLength(FEEDBACK_COMMENT_MAX),
          ),
        ),
    );
  } else {
    await interaction.reply({ ...textReply('Thanks — glad it helped.'), flags: MessageFlags.Ephemeral });
  }
  return true;
}

export async function handleComment(interaction: ModalSubmitInteraction, ctx: BotContext): Promise<boolean> {
  const questionId = parseCommentId(interaction.customId);
  if (questionId === undefined) return false;
  const comment = interaction.fields.getTextInputValue(COMMENT_FIELD).trim();
  if (comment !== '') await ctx.feedback.recordComment(questionId, interaction.user.id, comment, interaction.guildId);
  await interaction.reply({ ...textReply('Thanks — your feedback helps fill the gaps in my sources.'), flags: MessageFlags.Ephemeral });
  return true;
}
