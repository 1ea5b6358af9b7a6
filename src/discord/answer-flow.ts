import type { ButtonBuilder } from 'discord.js';
import type { ConversationTurn } from '../engine/follow-up.ts';
import type { Surface } from '../feedback/store.ts';
import type { Answer } from '../types.ts';
import type { BotContext } from './context.ts';
import { answerButtons } from './feedback.ts';
import { answerReply, type AnswerNotes, type ReplyPayload } from './format.ts';

export interface AnswerOptions {
  /** Earlier turns of the thread the question was asked in (src/discord/conversation.ts). */
  conversation?: readonly ConversationTurn[];
  /** Buttons beside 👍/👎: "Follow up in a thread", "Mark solved". */
  buttons?: readonly ButtonBuilder[];
  notes?: AnswerNotes;
}

/**
 * The one path from a question to a Discord reply, shared by /ask, mentions and the answers the
 * bot gives on its own: answer within the concurrency cap, record the question (for /stats and
 * the gaps report), attach 👍/👎.
 */
export async function answerForDiscord(
  question: string,
  who: { userId: string; guildId: string | null; surface: Surface },
  ctx: BotContext,
  options: AnswerOptions = {},
): Promise<{ answer: Answer; reply: ReplyPayload }> {
  // In a server: its own documents and the base, in one ranking; in a DM: the base alone.
  const scope = who.guildId === null ? {} : { server: who.guildId };
  const conversation = options.conversation ?? [];
  const answer = await ctx.limiter.run(() => ctx.engine.ask(question, { ...scope, conversation }));
  // Never throws and never waits long: a busy or unreachable question log queues the record (then
  // the answer goes out without 👍/👎, having no id to vote on yet).
  const questionId = await ctx.feedback.recordQuestion({
    question: answer.question,
    guildId: who.guildId,
    userId: who.userId,
    surface: who.surface,
    refused: answer.refused,
    confidence: answer.confidence,
    citations: answer.citations.map(({ n, source, section, score }) => ({ n, source, section, score })),
  });
  ctx.logger.info(
    {
      surface: who.surface,
      userId: who.userId,
      guildId: who.guildId,
      refused: answer.refused,
      ms: answer.timings.totalMs,
      ...(answer.context !== undefined && { reading: answer.context.reading, turns: conversation.length }),
    },
    'answered',
  );
  const components = answerButtons(questionId, options.buttons);
  return { answer, reply: answerReply(answer, (await ctx.engine.knowledgeOf(scope)).stats, components, options.notes) };
}
