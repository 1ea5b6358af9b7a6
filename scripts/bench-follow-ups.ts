/**
 * What a follow-up costs over a plain question, in the engine: the later turns of the conversation set
 * (tests/fixtures/conversations.jsonl) about the knowledge being measured, each asked with its earlier turns
 * (resolved, rewritten, embedded and searched; answered alone when the context would cost the answer) and the same
 * words asked plainly, each on a fresh engine, so no query embedding is cached. Asserts nothing.
 */
import type { Engine } from '../src/engine/engine.ts';
import type { ConversationTurn } from '../src/engine/follow-up.ts';
import { pct, r2 } from './bench-figures.ts';
import { readConversations } from './eval-conversations.ts';

export interface FollowUpFigures {
  /** Later turns measured (per round) and rounds. */
  turns: number;
  rounds: number;
  follow_up_p50_ms: number;
  follow_up_p95_ms: number;
  plain_p50_ms: number;
  plain_p95_ms: number;
  /** Per question: with its conversation minus alone. */
  extra_p50_ms: number;
  extra_p95_ms: number;
  /** Of the later turns, how many the engine read as follow-ups (the rest as new topics). */
  read_as_follow_up: number;
}


async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

/** `open` gives a fresh engine on the measured knowledge; `corpora` names what it holds (e.g. ["article"]). */
export async function benchFollowUps(open: () => Promise<Engine>, corpora: readonly string[], rounds: number): Promise<FollowUpFigures> {
  const conversations = (await readConversations()).filter((c) => c.knowledge.split('+').every((k) => corpora.includes(k)));
  const withContext: number[] = [];
  const plain: number[] = [];
  const extra: number[] = [];
  let followUps = 0;
  let turns = 0;
  for (let round = 0; round <= rounds; round++) {
    const inConversation = await open();
    const alone = await open();
    try {
      for (const c of conversations) {
        const earlier: ConversationTurn[] = [];
        for (const [i, turn] of c.turns.entries()) {
          if (i === 0) {
            const first = await inConversation.ask(turn.q);
            earlier.push({ question: turn.q, ...(first.refused ? {} : { answer: first.answer }) });
            continue;
          }
          const [answer, ctxMs] = await timed(() => inConversation.ask(turn.q, { conversation: earlier }));
          const [, plainMs] = await timed(() => alone.ask(turn.q));
          earlier.push({ question: turn.q, ...(answer.refused ? {} : { answer: answer.answer }) });
          // Round 0 warms the model's thread up; it is not counted.
          if (round === 0) continue;
          withContext.push(ctxMs);
          plain.push(plainMs);
          extra.push(ctxMs - plainMs);
          if (round === 1) {
            turns++;
            if (answer.context?.reading === 'follow-up') followUps++;
          }
        }
      }
    } finally {
      await inConversation.close();
      await alone.close();
    }
  }
  return {
    turns,
    rounds,
    follow_up_p50_ms: r2(pct(withContext, 0.5)),
    follow_up_p95_ms: r2(pct(withContext, 0.95)),
    plain_p50_ms: r2(pct(plain, 0.5)),
    plain_p95_ms: r2(pct(plain, 0.95)),
    extra_p50_ms: r2(pct(extra, 0.5)),
    extra_p95_ms: r2(pct(extra, 0.95)),
    read_as_follow_up: followUps,
  };
}
