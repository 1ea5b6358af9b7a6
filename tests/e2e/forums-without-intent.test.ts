/**
 * End to end without the privileged Message Content intent (the default): the application's portal has it off and
 * the bot does not ask for it. Forum posts are still answered, from their titles; mentions work everywhere; what the
 * admins' auto channels miss is said once at start. Asking for the intent when the portal refuses it stops the bot
 * with one clear line.
 */
import { GatewayIntentBits } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelModes } from '../../src/discord/channel-modes.ts';
import { FeedbackStore } from '../../src/feedback/store.ts';
import { silentLogger } from '../../src/logger.ts';
import { snowflake, startDiscordEmulator, type AddedChannel, type DiscordEmulator } from '../support/discord-emulator.ts';
import { botEnv, registerAndStartBot, spawnEntry, type SpawnedBot } from '../support/spawn-bot.ts';

let emulator: DiscordEmulator;
let bot: SpawnedBot;
let env: Record<string, string>;
let forum: AddedChannel;
const newUser = () => snowflake();

beforeAll(async () => {
  emulator = await startDiscordEmulator({ waitTimeoutMs: 30_000, requireRegisteredCommands: true, enabledPrivilegedIntents: 0 });
  forum = emulator.addChannel({ type: 'forum', name: 'career-help' });
  env = await botEnv(emulator);
  // An admin made the forum auto in an earlier run: the setting is in the database when the bot starts.
  const store = FeedbackStore.open(env.FEEDBACK_DB!);
  await new ChannelModes(store, silentLogger).set({ guildId: emulator.guildId, channelId: forum.channelId, kind: 'forum', mode: 'auto' });
  store.close();
  bot = await registerAndStartBot(env);
}, 120_000);

afterAll(async () => {
  if (bot && bot.child.exitCode === null) bot.child.kill('SIGKILL');
  await emulator?.close();
});

describe('without the Message Content intent', () => {
  it('asks for no privileged intent and says at start what the auto forum will miss', () => {
    expect(Number(emulator.identifies[0]!.intents)).toBe(GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.DirectMessages);
    const line = bot
      .stderr()
      .split('\n')
      .filter((l) => l.includes('Message Content intent'));
    expect(line).toHaveLength(1);
    expect(JSON.parse(line[0]!)).toMatchObject({ level: 40, autoForums: 1, autoTextChannels: 0, messageContentIntent: false });
    expect(line[0]).toContain('1 auto forum(s) are answered from post titles only');
    expect(line[0]).toContain('MESSAGE_CONTENT_INTENT=true');
  });

  it('answers a new post from its title, and says so', async () => {
    const post = emulator.injectForumPost({
      forumId: forum.channelId,
      title: 'Which industries are hiring ML engineers?',
      content: 'Please be detailed, I want to know about cooking robots too.',
      authorId: newUser(),
    });
    expect(post.starter.payload.content).not.toBe('');
    const answer = await emulator.waitForChannelMessage(post.threadId);
    const embed = answer.body.embeds![0]!;
    expect(embed.title).toBe('Which industries are hiring ML engineers?');
    expect(embed.description).toContain('Finance & Banking');
    expect(embed.footer!.text).toMatch(/^Read from the post's title · Knowledge /);
  });

  it('refuses a post whose title is no question, naming what it can talk about and how to ask', async () => {
    const post = emulator.injectForumPost({ forumId: forum.channelId, title: 'Help please!!', content: 'What skills do ML engineers need?', authorId: newUser() });
    const answer = await emulator.waitForChannelMessage(post.threadId);
    const description = answer.body.embeds![0]!.description!;
    expect(description).toMatch(/I don't know that from my sources, so I won't guess\. I can answer questions about: /);
    expect(description).toContain("I could read only this post's title: mention me here with your question to ask again.");
  });

  it("answers the author's follow-up only when it mentions the bot, with the conversation", async () => {
    const author = newUser();
    const post = emulator.injectForumPost({ forumId: forum.channelId, title: 'What skills do ML engineers need?', authorId: author });
    await emulator.waitForChannelMessage(post.threadId);
    const unread = emulator.injectMessage({ channelId: post.threadId, content: 'what about the second one?', authorId: author });
    const mentioned = emulator.injectMessage({ channelId: post.threadId, content: `<@${emulator.botUserId}> what about the second one?`, authorId: author });
    const reply = await emulator.waitForChannelMessage(post.threadId, (m) => m.body.message_reference?.message_id === mentioned.id);
    expect(reply.body.embeds![0]!.description).toContain('linear algebra, probability, and statistics');
    expect(emulator.channelMessages.items.filter((m) => m.body.message_reference?.message_id === unread.id)).toEqual([]);
  });
});

describe('MESSAGE_CONTENT_INTENT=true when the portal has the intent off', () => {
  it('stops with one clear line and a non-zero code', async () => {
    const refused = spawnEntry('src/bin/start.ts', { ...env, MESSAGE_CONTENT_INTENT: 'true', INDEX_DIR: `${env.INDEX_DIR}-intent` });
    const code = await refused.exited;
    expect(code).not.toBe(0);
    expect(refused.stderr()).toMatch(/Message Content Intent.*developer portal/);
    expect(emulator.gatewayCloses.some((c) => c.code === 4014)).toBe(true);
  }, 120_000);
});
