/**
 * End to end: the bot started as `npm start` starts it (src/bin/start.ts under tsx, a token in the
 * environment), the real discord.js client, and the Discord API emulator on 127.0.0.1.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GatewayIntentBits, InteractionResponseType, MessageFlags } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citationLabel, groupSources } from '../../src/answer/sources.ts';
import { loadConfig } from '../../src/config.ts';
import { Engine } from '../../src/engine/engine.ts';
import { EmulatorPermissions, snowflake, startDiscordEmulator, type DiscordEmulator } from '../support/discord-emulator.ts';
import { botEnv, registerAndStartBot, spawnEntry, type SpawnedBot } from '../support/spawn-bot.ts';
import { REPO_ROOT, tempDir } from '../support/temp.ts';

let emulator: DiscordEmulator;
let bot: SpawnedBot;
let reference: Engine;

/** A fresh member per test, so per-user cooldowns never couple tests. */
const newUser = () => snowflake();

beforeAll(async () => {
  emulator = await startDiscordEmulator({ waitTimeoutMs: 10_000, requireRegisteredCommands: true });
  const env = await botEnv(emulator);

  bot = await registerAndStartBot(env);
  // The same engine in-process, on the same knowledge: the oracle for the citations the bot shows.
  reference = await Engine.open({
    config: loadConfig({ KNOWLEDGE_DIR: env.KNOWLEDGE_DIR!, INDEX_DIR: path.join(await tempDir('mlbot-ref-'), 'index') }, REPO_ROOT),
  });
});

afterAll(async () => {
  if (bot && bot.child.exitCode === null) bot.child.kill('SIGKILL');
  await reference?.close();
  await emulator?.close();
});

describe('npm run register', () => {
  it('sends every command in one PUT; admin commands default to Manage Server and are server-only', () => {
    const puts = emulator.commandRegistrations.filter((b) => b.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.scope).toBe(emulator.guildId);
    const byName = Object.fromEntries(emulator.registeredCommands.map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['ask', 'channel', 'help', 'knowledge', 'reindex', 'skills', 'stats']);
    for (const admin of ['reindex', 'knowledge', 'channel', 'stats']) {
      expect(byName[admin]!.default_member_permissions).toBe('32');
      expect(byName[admin]!.contexts).toEqual([0]);
    }
    expect(byName.ask!.default_member_permissions ?? null).toBeNull();
    expect(byName.ask!.options?.[0]).toMatchObject({ name: 'question', required: true, max_length: 500 });
  });
});

describe('gateway', () => {
  it('identifies with only the Guilds, GuildMessages and DirectMessages intents (no privileged ones)', () => {
    expect(emulator.identifies).toHaveLength(1);
    expect(Number(emulator.identifies[0]!.intents)).toBe(GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.DirectMessages);
  });
});

describe('/ask', () => {
  it('defers within 3 s, then edits in an embed whose sources match the engine citations', async () => {
    const question = 'Which industries are hiring ML engineers?';
    const handle = emulator.injectInteraction({ commandName: 'ask', options: { question }, userId: newUser() });
    const callback = await handle.waitForCallback();
    expect(callback.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    expect(callback.elapsedMs).toBeLessThan(3_000);

    const edit = await handle.waitForEdit();
    const embed = edit.body.embeds![0]!;
    const expected = await reference.ask(question);
    expect(expected.refused).toBe(false);
    const sources = embed.fields!.filter((f) => f.name.startsWith('Sources')).flatMap((f) => f.value.split('\n'));
    expect(sources).toEqual(groupSources(expected.citations).map((g) => `**${citationLabel(g.numbers)}** ${g.title} — ${g.section}`));
    // A list question: the industries section's passages, named once.
    expect(sources[0]).toMatch(/^\*\*\[1(–\d)?\]\*\* The Growing Demand for Machine Learning Engineers — Industries That Need Machine Learning Engineers$/);
    expect(embed.description).toContain('[1]');
    expect(embed.footer!.text).toContain(reference.stats().knowledgeVersion);
    expect(edit.body.allowed_mentions).toEqual({ parse: [] });
  });

  it('gives a refused question the friendly refusal', async () => {
    const handle = emulator.injectInteraction({ commandName: 'ask', options: { question: 'What is the capital of France?' }, userId: newUser() });
    const edit = await handle.waitForEdit();
    const embed = edit.body.embeds![0]!;
    // France is named nowhere in the knowledge: the refusal says so.
    expect(embed.description).toMatch(/My sources never mention “france”, so I won't guess/);
    expect(embed.description).toMatch(/I can answer questions about/);
    expect(embed.fields ?? []).toEqual([]);
  });

  it('pings nobody when the question holds @everyone, a role or a user mention', async () => {
    const question = `@everyone <@&${emulator.roleIds.moderator}> <@${emulator.ownerUserId}> which skills do ML engineers need?`;
    const handle = emulator.injectInteraction({ commandName: 'ask', options: { question }, userId: newUser() });
    const edit = await handle.waitForEdit();
    expect(edit.body.allowed_mentions).toEqual({ parse: [] });
    expect(edit.message.mention_everyone).toBe(false);
    expect(edit.message.mentions).toEqual([]);
    expect(edit.message.mention_roles).toEqual([]);
  });

  it('answers privately when asked to', async () => {
    const handle = emulator.injectInteraction({ commandName: 'ask', options: { question: 'What math do ML engineers use?', private: true }, userId: newUser() });
    const callback = await handle.waitForCallback();
    expect(callback.data?.flags).toBe(MessageFlags.Ephemeral);
    await handle.waitForEdit();
  });

  it('answers the sixth rapid question of one user with an ephemeral "try again"', async () => {
    const userId = newUser();
    const handles = Array.from({ length: 6 }, (_, i) =>
      emulator.injectInteraction({ commandName: 'ask', options: { question: `What programming languages are used in ML projects? (${i})` }, userId }),
    );
    const callbacks = await Promise.all(handles.map((h) => h.waitForCallback()));
    const limited = callbacks.filter((c) => c.type === InteractionResponseType.ChannelMessageWithSource);
    expect(limited).toHaveLength(1);
    expect(limited[0]!.data?.flags).toBe(MessageFlags.Ephemeral);
    expect(limited[0]!.data?.content).toMatch(/try again in \d+ s/);
    expect(callbacks.filter((c) => c.type === InteractionResponseType.DeferredChannelMessageWithSource)).toHaveLength(5);
  });
});

describe('/skills', () => {
  it('lists the skills from the knowledge, one field each', async () => {
    const handle = emulator.injectInteraction({ commandName: 'skills', userId: newUser() });
    const callback = await handle.waitForCallback();
    expect(callback.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    const fields = callback.data!.embeds![0]!.fields!;
    expect(fields.map((f) => f.name)).toEqual(reference.skills().map((s) => s.name));
    expect(fields[0]!.value).toMatch(/\[1\]$/);
  });

  it('narrows the list to an area', async () => {
    const handle = emulator.injectInteraction({ commandName: 'skills', options: { area: 'cloud' }, userId: newUser() });
    const fields = (await handle.waitForCallback()).data!.embeds![0]!.fields!;
    expect(fields.map((f) => f.name)).toEqual(['Big Data & Cloud Computing']);
  });
});

describe('mentions', () => {
  it('answers a message that mentions the bot as a reply to it, without the mention in the question', async () => {
    const injected = emulator.injectMessage({ content: `<@${emulator.botUserId}> Which cloud platforms are useful for ML engineers?`, authorId: newUser() });
    expect(injected.deliveredTo).toBe(1);
    const reply = await emulator.waitForChannelMessage(emulator.channelId, (m) => m.body.message_reference?.message_id === injected.id);
    const embed = reply.body.embeds![0]!;
    expect(embed.title).toBe('Which cloud platforms are useful for ML engineers?');
    expect(embed.description).toContain('AWS');
    expect(reply.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
  });

  it('answers any message in a DM, without a mention', async () => {
    const userId = newUser();
    const injected = emulator.injectMessage({ content: 'Which cloud platforms are useful for ML engineers?', authorId: userId, dm: true });
    const reply = await emulator.waitForChannelMessage(emulator.dmChannelId(userId), (m) => m.body.message_reference?.message_id === injected.id);
    expect(reply.body.embeds![0]!.description).toContain('AWS');
  });

  it('ignores messages from bots', async () => {
    const fromBot = emulator.injectMessage({ content: `<@${emulator.botUserId}> which skills?`, authorId: newUser(), authorIsBot: true });
    expect(fromBot.payload.author.bot).toBe(true);
    // Messages are handled in gateway order: once a later human mention is answered, a reply to
    // the bot's message would have been sent already.
    const fromHuman = emulator.injectMessage({ content: `<@${emulator.botUserId}> which skills?`, authorId: newUser() });
    await emulator.waitForChannelMessage(emulator.channelId, (m) => m.body.message_reference?.message_id === fromHuman.id);
    expect(emulator.channelMessages.items.some((m) => m.body.message_reference?.message_id === fromBot.id)).toBe(false);
  });
});

describe('/reindex', () => {
  it('refuses a member without Manage Server, ephemerally, naming the permission', async () => {
    const handle = emulator.injectInteraction({ commandName: 'reindex', userId: newUser(), permissions: EmulatorPermissions.everyone });
    const callback = await handle.waitForCallback();
    expect(callback.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    expect(callback.data?.flags).toBe(MessageFlags.Ephemeral);
    expect(callback.data?.content).toMatch(/Manage Server/);
  });

  it('lets an admin reindex while /ask keeps being answered, and the new knowledge is answerable', async () => {
    await writeFile(
      path.join(bot.knowledgeDir, 'interviews.md'),
      '# Interviews\n\n## Technical Interviews\n\nML interviews often include a take-home assignment and a system design round.\n',
    );
    // The base knowledge is rebuilt by a bot owner (the application's owner).
    const reindex = emulator.injectInteraction({ commandName: 'reindex', options: { target: 'base' }, userId: emulator.ownerUserId });
    const ask = emulator.injectInteraction({ commandName: 'ask', options: { question: 'Which industries are hiring ML engineers?' }, userId: newUser() });

    const ack = await reindex.waitForCallback();
    expect(ack.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    expect(ack.data?.flags).toBe(MessageFlags.Ephemeral);
    expect((await ask.waitForEdit()).body.embeds![0]!.fields!.length).toBeGreaterThan(0);

    // Progress edits may come first when the reindex takes a few seconds; the report is the last edit.
    const report = (await reindex.waitForEdit((e) => e.body.embeds?.[0]?.title !== 'Reindexing…', { timeoutMs: 30_000 })).body.embeds![0]!;
    expect(report.title).toBe('Reindex complete');
    expect(report.description).toMatch(/\*\*2\*\* document\(s\)/);
    expect(report.description).toMatch(/Added: interviews\.md/);

    const after = emulator.injectInteraction({ commandName: 'ask', options: { question: 'What happens in a technical interview for ML roles?' }, userId: newUser() });
    const sources = (await after.waitForEdit()).body.embeds![0]!.fields!.map((f) => f.value).join('\n');
    expect(sources).toContain('Interviews — Technical Interviews');
  });
});

describe('errors', () => {
  it('apologises ephemerally when a handler throws, and keeps answering the next interaction', async () => {
    // An /ask without its required option makes the handler throw inside discord.js's option parsing.
    const broken = emulator.injectInteraction({ commandName: 'ask', options: [], validateOptions: false, userId: newUser() });
    const apology = await broken.waitForCallback();
    expect(apology.data?.flags).toBe(MessageFlags.Ephemeral);
    expect(apology.data?.embeds?.[0]?.description).toMatch(/something went wrong/);
    await bot.waitForLog(/"msg":"command failed"/, 5_000);

    const next = emulator.injectInteraction({ commandName: 'ask', options: { question: 'Do I need a degree to work in ML?' }, userId: newUser() });
    expect((await next.waitForEdit()).body.embeds![0]!.fields!.length).toBeGreaterThan(0);
  });

  it('never logs the token and spoke only known routes', () => {
    expect(bot.stderr()).not.toContain(emulator.token);
    emulator.assertNoUnknownRoutes();
  });
});

describe('shutdown', () => {
  it('finishes the reply in flight on SIGTERM, closes the connection and exits 0', async () => {
    const handle = emulator.injectInteraction({ commandName: 'ask', options: { question: 'How do I start a career in machine learning?' }, userId: newUser() });
    await handle.waitForCallback();
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(handle.edits.items.length).toBe(1);
  });
});

describe('start-up', () => {
  it('stops with one clear line and a non-zero code when Discord rejects the token', async () => {
    const bad = await startDiscordEmulator({ invalidToken: true, logProblems: false });
    try {
      const env = await botEnv(bad, { LOG_LEVEL: 'silent' });
      const run = spawnEntry('src/bin/start.ts', env);
      expect(await run.exited).toBe(1);
      expect(run.stderr().trim()).toBe('Discord login failed: the token in DISCORD_TOKEN was rejected; reset it in the developer portal.');
      expect(run.stderr()).not.toContain(bad.token);
    } finally {
      await bad.close();
    }
  });
});
