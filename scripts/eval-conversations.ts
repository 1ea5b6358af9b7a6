/**
 * Follow-up quality: conversations of two and three turns (tests/fixtures/conversations.jsonl),
 * each later turn asked twice — with the earlier turns as context, as the bot asks it in a thread,
 * and alone, as a bot without conversations would — and judged like `npm run eval` judges a
 * question: a hit at 3 when one of the first three citations' passages holds a gold phrase.
 *
 * Turn kinds: "first" opens the conversation; "follow-up" leans on it ("and for ranking?", "what
 * about the second one?"); "topic-change" is a new question the knowledge answers;
 * "uncovered-topic" is a new question it does not ("how do I bake bread?") and
 * "uncovered-follow-up" a follow-up whose new subject it does not cover ("and for a phd?"): both
 * must be refused. The set was written from the documents before the follow-up resolver existed,
 * and the resolver was not tuned to it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { findMisquotes } from '../src/answer/quote-check.ts';
import type { Engine } from '../src/engine/engine.ts';
import type { ConversationTurn } from '../src/engine/follow-up.ts';
import type { Answer } from '../src/types.ts';

export const CONVERSATIONS_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'fixtures', 'conversations.jsonl');

const TURN_KINDS = ['first', 'follow-up', 'topic-change', 'uncovered-topic', 'uncovered-follow-up'] as const;
type TurnKind = (typeof TURN_KINDS)[number];

const Conversation = z.object({
  id: z.string(),
  /** The corpora it is about, joined by "+": "article" or "article+guide". */
  knowledge: z.string(),
  turns: z
    .array(z.object({ q: z.string(), kind: z.enum(TURN_KINDS), gold: z.array(z.string()).optional() }))
    .min(2)
    .max(3),
});
type Conversation = z.infer<typeof Conversation>;

export async function readConversations(file = CONVERSATIONS_FILE): Promise<Conversation[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        json = undefined;
      }
      const parsed = Conversation.safeParse(json);
      if (!parsed.success) throw new Error(`${file}:${i + 1} is not a conversation {"id","knowledge","turns":[{"q","kind","gold"}]}`);
      return parsed.data;
    });
}

const mustRefuse = (kind: TurnKind) => kind === 'uncovered-topic' || kind === 'uncovered-follow-up';

const fold = (s: string) => s.toLowerCase().replace(/[’‘]/g, "'").replace(/[“”]/g, '"').replace(/\s+/g, ' ');

function hitAt3(answer: Answer, gold: readonly string[]): boolean {
  return [...answer.citations]
    .sort((a, b) => a.n - b.n)
    .slice(0, 3)
    .some((c) => gold.some((g) => fold(c.text).includes(fold(g))));
}

interface TurnOutcome {
  id: string;
  turn: number;
  kind: TurnKind;
  question: string;
  withContext: Answer;
  alone: Answer;
}

export interface ConversationReport {
  knowledge: string;
  conversations: number;
  follow_ups: number;
  follow_up_hit3_with_context: number;
  follow_up_hit3_alone: number;
  topic_changes: number;
  topic_change_hit3_with_context: number;
  uncovered_topic_changes: number;
  uncovered_topic_refused_with_context: number;
  uncovered_topic_refused_alone: number;
  uncovered_follow_ups: number;
  uncovered_follow_up_refused_with_context: number;
  uncovered_follow_up_refused_alone: number;
  misquoted_answers: number;
  /** Later turns (id/turn) that missed with context: a follow-up or topic change not hit at 3, an uncovered one answered. */
  misses: string[];
}

/**
 * Asks every conversation about corpora that `corpora` (the knowledge set's, e.g. ["article",
 * "guide"]) holds, through `engine`, and returns one report row; `verbose` gets one line per turn.
 */
export async function evaluateConversations(
  engine: Engine,
  knowledge: string,
  corpora: readonly string[],
  options: { file?: string; verbose?: (line: string) => void } = {},
): Promise<ConversationReport> {
  const conversations = (await readConversations(options.file)).filter((c) => c.knowledge.split('+').every((k) => corpora.includes(k)));
  const outcomes: TurnOutcome[] = [];
  for (const c of conversations) {
    const earlier: ConversationTurn[] = [];
    for (const [i, turn] of c.turns.entries()) {
      const withContext = await engine.ask(turn.q, { conversation: earlier });
      const alone = i === 0 ? withContext : await engine.ask(turn.q);
      outcomes.push({ id: c.id, turn: i + 1, kind: turn.kind, question: turn.q, withContext, alone });
      earlier.push({ question: turn.q, ...(withContext.refused ? {} : { answer: withContext.answer }) });
    }
  }
  const goldOf = (o: TurnOutcome) => conversations.find((c) => c.id === o.id)!.turns[o.turn - 1]!.gold ?? [];
  const of = (kind: TurnKind) => outcomes.filter((o) => o.kind === kind);
  const hits = (list: TurnOutcome[], pick: (o: TurnOutcome) => Answer) => list.filter((o) => hitAt3(pick(o), goldOf(o))).length;
  const refused = (list: TurnOutcome[], pick: (o: TurnOutcome) => Answer) => list.filter((o) => pick(o).refused).length;
  const withContext = (o: TurnOutcome) => o.withContext;
  const alone = (o: TurnOutcome) => o.alone;

  if (options.verbose) {
    for (const o of outcomes.filter((x) => x.turn > 1)) {
      const verdict = (a: Answer) => (mustRefuse(o.kind) ? (a.refused ? 'refused' : 'ANSWERED') : a.refused ? 'REFUSED' : hitAt3(a, goldOf(o)) ? 'hit' : 'MISS');
      const reading = o.withContext.context?.reading ?? '-';
      options.verbose(`${knowledge.padEnd(14)} ${`${o.id}/${o.turn}`.padEnd(6)} ${o.kind.padEnd(19)} with ${verdict(o.withContext).padEnd(8)} (${reading.padEnd(9)}) alone ${verdict(o.alone).padEnd(8)} ${o.question}\n`);
    }
  }

  const later = outcomes.filter((o) => o.turn > 1);
  return {
    knowledge,
    conversations: conversations.length,
    follow_ups: of('follow-up').length,
    follow_up_hit3_with_context: hits(of('follow-up'), withContext),
    follow_up_hit3_alone: hits(of('follow-up'), alone),
    topic_changes: of('topic-change').length,
    topic_change_hit3_with_context: hits(of('topic-change'), withContext),
    uncovered_topic_changes: of('uncovered-topic').length,
    uncovered_topic_refused_with_context: refused(of('uncovered-topic'), withContext),
    uncovered_topic_refused_alone: refused(of('uncovered-topic'), alone),
    uncovered_follow_ups: of('uncovered-follow-up').length,
    uncovered_follow_up_refused_with_context: refused(of('uncovered-follow-up'), withContext),
    uncovered_follow_up_refused_alone: refused(of('uncovered-follow-up'), alone),
    misquoted_answers: outcomes.filter((o) => findMisquotes(o.withContext.answer, o.withContext.citations).length > 0).length,
    misses: later
      .filter((o) => (mustRefuse(o.kind) ? !o.withContext.refused : !hitAt3(o.withContext, goldOf(o))))
      .map((o) => `${o.id}/${o.turn}`),
  };
}

export function printConversationTable(reports: readonly ConversationReport[], print: (line: string) => void = console.log): void {
  const head = ['knowledge', 'conversations', 'follow-up hit@3 with context', 'alone', 'topic change hit@3', 'uncovered topic refused (alone)', 'uncovered follow-up refused (alone)', 'misquoted', 'misses'];
  const rows = reports.map((r) => [
    r.knowledge,
    String(r.conversations),
    `${r.follow_up_hit3_with_context}/${r.follow_ups}`,
    `${r.follow_up_hit3_alone}/${r.follow_ups}`,
    `${r.topic_change_hit3_with_context}/${r.topic_changes}`,
    `${r.uncovered_topic_refused_with_context}/${r.uncovered_topic_changes} (${r.uncovered_topic_refused_alone})`,
    `${r.uncovered_follow_up_refused_with_context}/${r.uncovered_follow_ups} (${r.uncovered_follow_up_refused_alone})`,
    String(r.misquoted_answers),
    r.misses.join(' ') || '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  print(line(head));
  print(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) print(line(r));
}
