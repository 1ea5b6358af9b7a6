/**
 * Self-test of the Discord emulator's forums, threads, channel permissions and rate limits, against the real
 * discord.js Client and REST: what the bot's forum and follow-up features are tested on must behave as Discord does.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  ForumChannel,
  GatewayIntentBits,
  PermissionFlagsBits,
  REST,
  Routes,
  type AnyThreadChannel,
  type Message,
  type TextChannel,
} from 'discord.js';
import { snowflake, startDiscordEmulator, type DiscordEmulator, type DiscordEmulatorOptions } from '../support/discord-emulator.ts';

const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];
const EVENT_TIMEOUT_MS = 2_000;

let emulators: DiscordEmulator[] = [];
let clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

async function setup(options: DiscordEmulatorOptions = {}, intents = INTENTS) {
  const emulator = await startDiscordEmulator({ logProblems: false, ...options });
  emulators.push(emulator);
  const forum = emulator.addChannel({ type: 'forum', name: 'help', tags: ['Answered', { name: 'Solved', moderated: true }, 'Python'] });
  const client = new Client({ intents, rest: { api: emulator.apiUrl }, allowedMentions: { parse: [] } });
  clients.push(client);
  const ready = once(client, Events.ClientReady, { signal: AbortSignal.timeout(EVENT_TIMEOUT_MS) });
  await Promise.all([ready, client.login(emulator.token)]);
  return { emulator, client, forum };
}

async function nextEvent<T>(client: Client, name: string): Promise<T> {
  const [value] = (await once(client, name, { signal: AbortSignal.timeout(EVENT_TIMEOUT_MS) })) as [T];
  return value;
}

describe('forum channels', () => {
  it('are in GUILD_CREATE with their tags', async () => {
    const { client, forum } = await setup();
    const channel = client.channels.cache.get(forum.channelId);
    expect(channel).toBeInstanceOf(ForumChannel);
    expect((channel as ForumChannel).availableTags.map((t) => [t.name, t.moderated])).toEqual([
      ['Answered', false],
      ['Solved', true],
      ['Python', false],
    ]);
  });

  it('deliver a new post as THREAD_CREATE (newly created) then its starter message, whose id is the thread id', async () => {
    const { emulator, client, forum } = await setup({}, [...INTENTS, GatewayIntentBits.MessageContent]);
    const threadEvent = new Promise<[AnyThreadChannel, boolean]>((resolve) => client.once(Events.ThreadCreate, (t, n) => resolve([t, n])));
    const message = nextEvent<Message>(client, Events.MessageCreate);
    const post = emulator.injectForumPost({ forumId: forum.channelId, title: 'Is a masters worth it?', content: 'I work as an analyst.', tags: [forum.tagIds.Python!] });
    const [thread, newlyCreated] = await threadEvent;
    expect(newlyCreated).toBe(true);
    expect(thread.id).toBe(post.threadId);
    expect(thread.parentId).toBe(forum.channelId);
    expect(thread.name).toBe('Is a masters worth it?');
    expect(thread.ownerId).toBe(emulator.userId);
    expect(thread.appliedTags).toEqual([forum.tagIds.Python]);
    const starter = await message;
    expect(starter.id).toBe(post.threadId);
    expect(starter.channelId).toBe(post.threadId);
    expect(starter.content).toBe('I work as an analyst.');
  });

  it('strip the starter text for a session without the Message Content intent, and for REST reads when the portal has it off', async () => {
    const { emulator, client, forum } = await setup({ enabledPrivilegedIntents: 0 });
    const message = nextEvent<Message>(client, Events.MessageCreate);
    const post = emulator.injectForumPost({ forumId: forum.channelId, title: 'Title only', content: 'the body' });
    expect((await message).content).toBe('');
    const rest = new REST({ api: emulator.apiUrl }).setToken(emulator.token);
    const [read] = (await rest.get(Routes.channelMessages(post.threadId))) as { content: string }[];
    expect(read!.content).toBe('');
  });

  it('let a bot with Manage Threads set a post\'s tags, validate them, and refuse moderated tags without it', async () => {
    const { emulator, client, forum } = await setup();
    const post = emulator.injectForumPost({ forumId: forum.channelId, title: 'Tags' });
    await nextEvent(client, Events.MessageCreate);
    const thread = client.channels.cache.get(post.threadId) as AnyThreadChannel;
    // The bot's role has no Manage Threads: editing another member's post is refused.
    await expect(thread.setAppliedTags([forum.tagIds.Answered!])).rejects.toMatchObject({ code: 50013 });

    emulator.setChannelOverwrite(forum.channelId, { id: emulator.roleIds.bot, type: 'role', allow: PermissionFlagsBits.ManageThreads });
    await nextEvent(client, Events.ChannelUpdate);
    await thread.setAppliedTags([forum.tagIds.Answered!, forum.tagIds.Solved!]);
    expect(emulator.getThread(post.threadId)!.applied_tags).toEqual([forum.tagIds.Answered, forum.tagIds.Solved]);
    await expect(thread.setAppliedTags([snowflake()])).rejects.toBeInstanceOf(DiscordAPIError);
  });

  it('unarchive a post the bot writes in, refuse a locked one, and count messages', async () => {
    const { emulator, client, forum } = await setup();
    const post = emulator.injectForumPost({ forumId: forum.channelId, title: 'Archive me' });
    await nextEvent(client, Events.MessageCreate);
    const thread = client.channels.cache.get(post.threadId) as AnyThreadChannel;
    emulator.setThreadState(post.threadId, { archived: true });
    await nextEvent(client, Events.ThreadUpdate);
    expect(thread.archived).toBe(true);
    await thread.send('still here');
    expect(emulator.getThread(post.threadId)!.thread_metadata!.archived).toBe(false);
    expect(emulator.getThread(post.threadId)!.message_count).toBe(1);

    emulator.setThreadState(post.threadId, { archived: true, locked: true });
    await expect(thread.send('locked out')).rejects.toMatchObject({ code: 160005 });
    expect(() => emulator.injectMessage({ channelId: post.threadId, content: 'member' })).toThrow(/locked/);
  });

  it('deliver nothing of a forum the bot cannot view, and refuse its messages where it may not send in threads', async () => {
    const { emulator, client, forum } = await setup();
    emulator.setChannelOverwrite(forum.channelId, { id: emulator.roleIds.bot, type: 'role', deny: PermissionFlagsBits.SendMessagesInThreads });
    await nextEvent(client, Events.ChannelUpdate);
    const post = emulator.injectForumPost({ forumId: forum.channelId, title: 'No reply allowed' });
    await nextEvent(client, Events.MessageCreate);
    const thread = client.channels.cache.get(post.threadId) as AnyThreadChannel;
    expect(thread.sendable).toBe(false);
    await expect(thread.send('hi')).rejects.toMatchObject({ code: 50013 });

    emulator.setChannelOverwrite(forum.channelId, { id: emulator.guildId, type: 'role', deny: PermissionFlagsBits.ViewChannel });
    const hidden = emulator.injectForumPost({ forumId: forum.channelId, title: 'Hidden' });
    expect(hidden.starter.deliveredTo).toBe(0);
  });
});

describe('threads from messages', () => {
  it('start a public thread on a message: the thread id is the message id, the parent the channel', async () => {
    const { emulator, client } = await setup();
    const channel = client.channels.cache.get(emulator.channelId) as TextChannel;
    const message = await channel.send('an answer');
    const thread = await message.startThread({ name: 'Follow-ups' });
    expect(thread.id).toBe(message.id);
    expect(thread.parentId).toBe(emulator.channelId);
    expect(thread.type).toBe(ChannelType.PublicThread);
    expect((await thread.fetchStarterMessage())?.content).toBe('an answer');
    await expect(message.startThread({ name: 'Again' })).rejects.toMatchObject({ code: 160004 });

    const replies = nextEvent<Message>(client, Events.MessageCreate);
    emulator.injectMessage({ channelId: thread.id, content: 'and for a phd?' });
    expect((await replies).channelId).toBe(thread.id);
    const fetched = await thread.messages.fetch({ limit: 10 });
    expect(fetched.size).toBe(1);
  });
});

describe('rate limits', () => {
  it('send the bucket headers, answer 429 beyond the limit, and discord.js waits instead of failing', async () => {
    const { emulator, client } = await setup({ rateLimits: { routes: { 'POST /channels/:channelId/messages': { limit: 2, windowMs: 600 } } } });
    const raw = await fetch(`${emulator.apiUrl}/v10/channels/${emulator.channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${emulator.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'one' }),
    });
    expect(raw.headers.get('x-ratelimit-limit')).toBe('2');
    expect(raw.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(Number(raw.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
    expect(raw.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{8}$/);
    const second = await fetch(raw.url, { method: 'POST', headers: { authorization: `Bot ${emulator.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ content: 'two' }) });
    expect(second.status).toBe(200);
    const third = await fetch(raw.url, { method: 'POST', headers: { authorization: `Bot ${emulator.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ content: 'three' }) });
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ message: 'You are being rate limited.', global: false });
    expect(emulator.rateLimitHits).toHaveLength(1);

    // The real client reads the headers and paces itself: 6 messages over 3 windows, no 429.
    const channel = client.channels.cache.get(emulator.channelId) as TextChannel;
    await new Promise((resolve) => setTimeout(resolve, 650));
    const hitsBefore = emulator.rateLimitHits.length;
    await Promise.all(Array.from({ length: 6 }, (_, i) => channel.send(`message ${i}`)));
    expect(emulator.rateLimitHits.length - hitsBefore).toBe(0);
    expect(emulator.channelMessages.items.filter((r) => r.body.content?.startsWith('message ')).length).toBe(6);
  });

  it('enforce the global limit over every bot-token route, never over interaction callbacks', async () => {
    const emulator = await startDiscordEmulator({ logProblems: false, rateLimits: { globalPerSecond: 3, defaultRoute: { limit: 100, windowMs: 1_000 } } });
    emulators.push(emulator);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${emulator.apiUrl}/v10/users/@me`, { headers: { authorization: `Bot ${emulator.token}` } });
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get('x-ratelimit-global')).toBe('true');
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(emulator.rateLimitHits.every((h) => h.global)).toBe(true);
  });
});
