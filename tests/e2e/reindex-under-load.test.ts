/**
 * End to end: while a /reindex embeds 300 new documents (on its worker thread), ten /ask
 * interactions are all acknowledged within Discord's 3-second window and answered. The bot runs
 * as `npm start` runs it, against the Discord API emulator.
 */
import { InteractionResponseType } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snowflake, startDiscordEmulator, type DiscordEmulator, type InteractionHandle } from '../support/discord-emulator.ts';
import { writeGeneratedKnowledge } from '../support/generated-knowledge.ts';
import { botEnv, registerAndStartBot, type SpawnedBot } from '../support/spawn-bot.ts';

const DOCUMENTS = 300;
const QUESTIONS = [
  'Which industries are hiring ML engineers?',
  'What math do ML engineers use?',
  'Do I need a degree to work in ML?',
  'Which cloud platforms are useful for ML engineers?',
  'What programming languages are used in ML projects?',
  'How do I start a career in machine learning?',
  'What skills do I need to become an ML engineer?',
  'Why are machine learning engineers in demand?',
  'Which industries are hiring ML engineers?',
  'What math do ML engineers use?',
];

let emulator: DiscordEmulator;
let bot: SpawnedBot;

beforeAll(async () => {
  emulator = await startDiscordEmulator({ waitTimeoutMs: 10_000, requireRegisteredCommands: true });
  const env = await botEnv(emulator);
  bot = await registerAndStartBot(env);
});

afterAll(async () => {
  if (bot && bot.child.exitCode === null) bot.child.kill('SIGKILL');
  await emulator?.close();
});

describe('a reindex of 300 new documents', () => {
  it('shows its progress, and ten /ask meanwhile are all acknowledged within 3 s and answered', { timeout: 180_000 }, async () => {
    await writeGeneratedKnowledge(bot.knowledgeDir, DOCUMENTS);
    // The base knowledge is rebuilt by a bot owner (the application's owner).
    const reindex = emulator.injectInteraction({ commandName: 'reindex', options: { target: 'base' }, userId: emulator.ownerUserId });
    expect((await reindex.waitForCallback()).type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);

    // The first progress edit: the reindex is under way, embedding.
    const progress = await reindex.waitForEdit((e) => e.body.embeds?.[0]?.title === 'Reindexing…', { timeoutMs: 60_000 });
    const shown = /\*\*(\d+)\*\* of \*\*(\d+)\*\* passages done/.exec(progress.body.embeds![0]!.description ?? '');
    expect(shown, progress.body.embeds![0]!.description).not.toBeNull();
    expect(Number(shown![1])).toBeLessThan(Number(shown![2]));

    const asks: InteractionHandle[] = [];
    for (const question of QUESTIONS) {
      asks.push(emulator.injectInteraction({ commandName: 'ask', options: { question }, userId: snowflake() }));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const acks = await Promise.all(asks.map((a) => a.waitForCallback()));
    const answers = await Promise.all(asks.map((a) => a.waitForEdit()));

    const report = await reindex.waitForEdit((e) => e.body.embeds?.[0]?.title === 'Reindex complete', { timeoutMs: 150_000 });
    for (const [i, ack] of acks.entries()) {
      expect(ack.type, QUESTIONS[i]).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
      expect(ack.elapsedMs, QUESTIONS[i]).toBeLessThan(3_000);
      // Answered with sources, and before the reindex ended: the asks ran while it did.
      expect(answers[i]!.body.embeds![0]!.fields!.length, QUESTIONS[i]).toBeGreaterThan(0);
      expect(answers[i]!.at).toBeLessThan(report.at);
    }
    expect(report.body.embeds![0]!.description).toMatch(new RegExp(`\\*\\*${DOCUMENTS + 1}\\*\\* document\\(s\\)`));
    // Progress edits are at least 2 s apart, and the report is the last edit.
    const progressEdits = reindex.edits.items.filter((e) => e.body.embeds?.[0]?.title === 'Reindexing…');
    for (let i = 1; i < progressEdits.length; i++) expect(progressEdits[i]!.at - progressEdits[i - 1]!.at).toBeGreaterThanOrEqual(2_000);
    expect(reindex.edits.items.at(-1)).toBe(report);
    expect(reindex.rejected).toEqual([]);
    emulator.assertNoUnknownRoutes();
  });
});
