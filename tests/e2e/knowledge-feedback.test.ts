/**
 * End to end, issue "knowledge admins can trust": /knowledge add|list|remove with real attachments
 * served by the emulator, 👍/👎 buttons and the comment modal landing in SQLite, and /stats gaps.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { InteractionResponseType, MessageFlags } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_BYTES } from '../../src/ingest/sources.ts';
import { snowflake, startDiscordEmulator, type DiscordEmulator, type InteractionHandle } from '../support/discord-emulator.ts';
import { botEnv, registerAndStartBot, type SpawnedBot } from '../support/spawn-bot.ts';

let emulator: DiscordEmulator;
let bot: SpawnedBot;

const newUser = () => snowflake();

beforeAll(async () => {
  emulator = await startDiscordEmulator({ waitTimeoutMs: 10_000, requireRegisteredCommands: true });
  const env = await botEnv(emulator);
  bot = await registerAndStartBot(env);
});

afterAll(async () => {
  if (bot && bot.child.exitCode === null) {
    bot.child.kill('SIGTERM');
    await bot.exited;
  }
  await emulator?.close();
});

function db(): Database.Database {
  return new Database(bot.env.FEEDBACK_DB!, { readonly: true, fileMustExist: true });
}

async function ask(question: string, userId = newUser()): Promise<{ handle: InteractionHandle; questionId: number }> {
  const handle = emulator.injectInteraction({ commandName: 'ask', options: { question }, userId });
  const edit = await handle.waitForEdit();
  const ids = JSON.stringify(edit.body.components ?? []).match(/feedback:(?:up|down):\d+/g) ?? [];
  expect(ids).toHaveLength(2);
  return { handle, questionId: Number(/^feedback:up:(\d+)$/.exec(ids[0]!)![1]) };
}

const serverKnowledge = () => path.join(bot.env.DATA_DIR!, 'servers', emulator.guildId, 'knowledge');
const moderator = () => ({ userId: newUser(), roles: [emulator.roleIds.moderator] });

describe('feedback', () => {
  it('records a 👍 from the button under an answer, acknowledged privately', async () => {
    const { handle, questionId } = await ask('Which cloud platforms are useful for ML engineers?');
    const click = emulator.injectButton({ customId: `feedback:up:${questionId}`, message: handle, userId: newUser() });
    const ack = await click.waitForCallback();
    expect(ack.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    expect(ack.data?.flags).toBe(MessageFlags.Ephemeral);
    const row = db().prepare('SELECT vote FROM votes WHERE question_id = ?').get(questionId) as { vote: number };
    expect(row.vote).toBe(1);
  });

  it('opens the "what was wrong?" form on 👎 and stores the comment, never the user id', async () => {
    const { handle, questionId } = await ask('How is machine learning used in finance?');
    const voter = newUser();
    const click = emulator.injectButton({ customId: `feedback:down:${questionId}`, message: handle, userId: voter });
    const modal = await click.waitForCallback();
    expect(modal.type).toBe(InteractionResponseType.Modal);
    expect(modal.modal?.custom_id).toBe(`feedback-comment:${questionId}`);

    const submit = emulator.injectModalSubmit({ customId: `feedback-comment:${questionId}`, fields: { comment: 'I wanted salary figures' }, userId: voter });
    expect((await submit.waitForCallback()).data?.flags).toBe(MessageFlags.Ephemeral);

    const conn = db();
    expect(conn.prepare('SELECT vote FROM votes WHERE question_id = ?').get(questionId)).toEqual({ vote: -1 });
    expect(conn.prepare('SELECT comment FROM comments WHERE question_id = ?').get(questionId)).toEqual({ comment: 'I wanted salary figures' });
    const hashes = conn.prepare('SELECT user_hash FROM votes UNION SELECT user_hash FROM questions').all() as { user_hash: string }[];
    expect(hashes.some((h) => h.user_hash.includes(voter))).toBe(false);
  });
});

describe('/stats', () => {
  it('shows a refused question as a gap, to admins only', async () => {
    const refused = emulator.injectInteraction({ commandName: 'ask', options: { question: 'What is the capital of France?' }, userId: newUser() });
    await refused.waitForEdit();

    const denied = emulator.injectInteraction({ commandName: 'stats', userId: newUser() });
    const refusal = await denied.waitForCallback();
    expect(refusal.data?.flags).toBe(MessageFlags.Ephemeral);
    expect(refusal.data?.content).toMatch(/Manage Server/);

    const shown = emulator.injectInteraction({ commandName: 'stats', ...moderator() });
    const embed = (await shown.waitForCallback()).data!.embeds![0]!;
    expect(embed.description).toMatch(/\*\*\d+\*\* questions/);
    const gaps = embed.fields!.find((f) => f.name.startsWith('Gaps'))!;
    expect(gaps.value).toContain('What is the capital of France?');
    expect(gaps.value).toContain('How is machine learning used in finance?'); // the 👎 above
  });
});

describe('/knowledge', () => {
  it('is refused to members without Manage Server', async () => {
    const handle = emulator.injectInteraction({ commandName: 'knowledge', subcommand: 'list', userId: newUser() });
    const callback = await handle.waitForCallback();
    expect(callback.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    expect(callback.data?.content).toMatch(/Manage Server/);
  });

  it('adds an attached document that is answerable right away, lists it, and removes it', async () => {
    const file = emulator.hostAttachment(
      'interview-tips.md',
      '# Interview tips\n\n## Take-home assignments\n\nMany ML interviews include a take-home assignment graded on code quality and evaluation.\n',
    );
    const add = emulator.injectInteraction({ commandName: 'knowledge', subcommand: 'add', options: { file }, ...moderator() });
    expect((await add.waitForCallback()).data?.flags).toBe(MessageFlags.Ephemeral);
    const report = (await add.waitForEdit()).body.embeds![0]!;
    expect(report.title).toBe('Reindex complete');
    expect(report.description).toMatch(/Added: interview-tips\.md/);
    // A server admin's document goes to that server's own folder, not the base.
    expect(await readdir(serverKnowledge())).toContain('interview-tips.md');
    expect(await readdir(bot.knowledgeDir)).not.toContain('interview-tips.md');

    const { handle } = await ask('Do ML interviews have take-home assignments?');
    const sources = (await handle.waitForEdit()).body.embeds![0]!.fields!.map((f) => f.value).join('\n');
    expect(sources).toContain('Interview tips — Take-home assignments');

    const list = emulator.injectInteraction({ commandName: 'knowledge', subcommand: 'list', ...moderator() });
    const listed = (await list.waitForEdit()).body.embeds![0]!.fields!.map((f) => f.name);
    expect(listed).toContain("interview-tips.md — Interview tips (this server's document)");

    const again = emulator.injectInteraction({ commandName: 'knowledge', subcommand: 'add', options: { file }, ...moderator() });
    expect((await again.waitForEdit()).body.embeds![0]!.description).toMatch(/already exists|replace/i);

    const remove = emulator.injectInteraction({ commandName: 'knowledge', subcommand: 'remove', options: { name: 'interview-tips.md' }, ...moderator() });
    expect((await remove.waitForEdit()).body.embeds![0]!.description).toMatch(/Removed: interview-tips\.md/);
    expect(await readdir(serverKnowledge())).not.toContain('interview-tips.md');
  });

  it.each([
    ['a binary file', 'data.md', new Uint8Array([0x23, 0x20, 0x00, 0x01, 0x02]), /binary/],
    ['a non-UTF-8 file', 'latin.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9]), /UTF-8/],
    ['an empty file', 'empty.md', '   \n', /empty/],
    ['another extension', 'slides.docx', 'PK not really', /must end in \.md, \.markdown, \.mdx, \.txt, \.pdf/],
  ])('refuses %s with the reason and leaves the knowledge unchanged', async (_what, name, bytes, reason) => {
    const before = await readdir(bot.knowledgeDir);
    const file = emulator.hostAttachment(name, bytes);
    const add = emulator.injectInteraction({ commandName: 'knowledge', subcommand: 'add', options: { file }, ...moderator() });
    const reply = (await add.waitForEdit()).body.embeds![0]!;
    expect(reply.description).toMatch(reason);
    expect(await readdir(bot.knowledgeDir)).toEqual(before);
  });

  it('refuses an oversized attachment before downloading it', async () => {
    const file = emulator.hostAttachment('huge.md', 'x'.repeat(MAX_DOCUMENT_BYTES + 1));
    const add = emulator.injectInteraction({ commandName: 'knowledge', subcommand: 'add', options: { file }, ...moderator() });
    expect((await add.waitForEdit()).body.embeds![0]!.description).toMatch(/too large/);
    expect(emulator.requests.some((r) => r.path.includes('huge.md'))).toBe(false);
  });

  it('spoke only known routes', () => {
    emulator.assertNoUnknownRoutes();
  });
});
