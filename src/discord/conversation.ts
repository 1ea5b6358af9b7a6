import { ChannelType, type AnyThreadChannel, type Message } from 'discord.js';
import { MAX_CONVERSATION_TURNS, type ConversationTurn } from '../engine/follow-up.ts';
import { readAnswerEmbed } from './format.ts';

/**
 * Messages read back from a thread to find its last turns: the bot's answers among whatever
 * else people wrote. One request (Discord returns at most 100).
 */
export const CONVERSATION_FETCH_LIMIT = 50;

export interface ThreadConversation {
  /** Who asked: the forum post's author, or who asked the /ask answer the thread was started from. */
  askerId: string | undefined;
  /** The bot's last answers in the thread, oldest first, at most MAX_CONVERSATION_TURNS. */
  turns: ConversationTurn[];
}

/**
 * A thread's conversation with the bot, read from Discord and from that thread only: the bot's
 * own answers before `beforeId` (the question and the answer each embed shows) and, for a thread
 * started from an /ask answer, that answer. Nothing is kept between messages, so it survives a
 * restart and never mixes threads.
 */
export async function readThreadConversation(thread: AnyThreadChannel, botId: string, beforeId: string): Promise<ThreadConversation> {
  const fetched = await thread.messages.fetch({ limit: CONVERSATION_FETCH_LIMIT, before: beforeId });
  const turns = [...fetched.values()]
    .filter((m) => m.author.id === botId)
    .sort((a, b) => a.createdTimestamp - b.createdTimestamp)
    .map(turnOf)
    .filter((t): t is ConversationTurn => t !== undefined);
  if (thread.parent?.type === ChannelType.GuildForum) return { askerId: thread.ownerId ?? undefined, turns: turns.slice(-MAX_CONVERSATION_TURNS) };
  // A thread the bot started holds, as its starter, the /ask answer it was started from.
  let askerId: string | undefined;
  if (thread.ownerId === botId) {
    const starter = await thread.fetchStarterMessage().catch(() => null);
    const first = starter !== null && starter.author.id === botId ? turnOf(starter) : undefined;
    if (first !== undefined) {
      turns.unshift(first);
      askerId = starter?.interactionMetadata?.user.id;
    }
  }
  return { askerId, turns: turns.slice(-MAX_CONVERSATION_TURNS) };
}

function turnOf(message: Message): ConversationTurn | undefined {
  const read = readAnswerEmbed(message.embeds[0]?.toJSON());
  return read === undefined ? undefined : { question: read.question, ...(read.answer !== undefined && { answer: read.answer }) };
}
