import type { Answer } from '../types.ts';
import type { Surface } from '../feedback/store.ts';
import type { BotContext } from './context.ts';
import { feedbackButtons } from './feedback.ts';
import { answerReply, type ReplyPayload } from './format.ts';

/**
 * The one path from a question to a Discord reply, shared by /ask and mentions: answer within
 * the concurrency cap, record the question (for /stats and the gaps report), attach 👍/👎.
 */
export async function answerForDiscord(
  question: string,
  who: { userId: string; guildId: string | null; surface: Surface },
  ctx: BotContext,
): Promise<{ answer: Answer; reply: ReplyPayload }> {
  // In a server: its own documents and the base, in one ranking; in a DM: the base alone.
  const scope = who.guildId === null ? {} : { server: who.guildId };
  const answer = await ctx.limiter.run(() => ctx.engine.ask(question, scope));
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
    { surface: who.surface, userId: who.userId, guildId: who.guildId, refused: answer.refused, ms: answer.timings.totalMs },
    'answered',
  );
  const components = questionId === undefined ? [] : [feedbackButtons(questionId)];
  return { answer, reply: answerReply(answer, (await ctx.engine.knowledgeOf(scope)).stats, components) };
}
