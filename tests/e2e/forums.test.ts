/**
 * End to end, where people ask: the bot started as `npm start` starts it, with the Message Content intent, in a
 * server with forums, driven by the real discord.js client through the emulator. Channel modes set by admins
 * (/channel), forum posts answered on the bot's own, follow-ups read with the conversation, a burst of posts
 * within Discord's rate limits.
 *
 * Absence is asserted in gateway order: discord.js handles events one by one and the bot decides at once whether a
 * message is for it, so once a later message that must be answered has its answer, an earlier one that must be
 * ignored has had its chance.
 */
import { ButtonStyle, ComponentType, GatewayDispatchEvents, MessageFlags, PermissionFlagsBits } from 'discord-api-types/v10';
import type { APIButtonComponent, APIEmbed, APIMessage } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snowflake, startDiscordEmulator, type AddedChannel, type ChannelMessageRecord, type DiscordEmulator, type EmulatedGuild } from '../support/discord-emulator.ts';
import { botEnv, registerAndStartBot, type SpawnedBot } from '../support/spawn-bot.ts';

let emulator: DiscordEmulator;
let bot: SpawnedBot;
let other: EmulatedGuild;
/** Auto, with an "Answered" tag for answered posts and a Solved tag; the bot may manage its threads. */
let forum: AddedChannel;
/** Left at the default mode: answers only when mentioned. */
let mentionForum: AddedChannel;
let offChannel: AddedChannel;
let burstForum: AddedChannel;
/** Auto, but the bot may not send messages in its threads. */
let closedForum: AddedChannel;
/** A text channel in auto mode. */
let autoText: AddedChannel;

const newUser = () => snowflake();
const owner = () => ({ userId: emulator.ownerUserId });

function buttons(message: APIMessage | ChannelMessageRecord['body']): APIButtonComponent[] {
  const inRows = (message.components ?? []).flatMap((row) => ('components' in row ? (row.components as readonly { type: ComponentType }[]) : []));
  return inRows.filter((c): c is APIButtonComponent => c.type === ComponentType.Button);
}

const customIds = (message: APIMessage | ChannelMessageRecord['body']) => buttons(message).map((b) => ('custom_id' in b ? b.custom_id : ''));

/** The bot's messages in a channel or thread so far. */
const botMessagesIn = (channelId: string) => emulator.channelMessages.items.filter((r) => r.channelId === channelId);

async function setMode(channelId: string, mode: string, extra: Record<string, string> = {}, actor: { userId: string; guildId?: string } = owner()) {
  const handle = emulator.injectInteraction({ commandName: 'channel', options: { mode, channel: channelId, ...extra }, ...actor });
  return (await handle.waitForCallback()).data!;
}

/** A post in the auto forum that the bot answers; resolves with the answer. */
async function answeredPost(title: string, authorId = newUser(), forumId = forum.channelId) {
  const post = emulator.injectForumPost({ forumId, title, authorId });
  return { post, answer: await emulator.waitForChannelMessage(post.threadId) };
}

beforeAll(async () => {
  emulator = await startDiscordEmulator({ waitTimeoutMs: 30_000, requireRegisteredCommands: true, otherGuilds: 1 });
  other = emulator.otherGuilds[0]!;
  forum = emulator.addChannel({ type: 'forum', name: 'career-help', tags: ['Answered', '✅ Solved', 'Python'] });
  mentionForum = emulator.addChannel({ type: 'forum', name: 'ask-when-mentioned' });
  offChannel = emulator.addChannel({ type: 'text', name: 'off-topic' });
  burstForum = emulator.addChannel({ type: 'forum', name: 'busy-forum' });
  closedForum = emulator.addChannel({ type: 'forum', name: 'read-only' });
  autoText = emulator.addChannel({ type: 'text', name: 'ask-here' });
  emulator.setChannelOverwrite(forum.channelId, { id: emulator.roleIds.bot, type: 'role', allow: PermissionFlagsBits.ManageThreads });
  emulator.setChannelOverwrite(closedForum.channelId, { id: emulator.roleIds.bot, type: 'role', deny: PermissionFlagsBits.SendMessagesInThreads });
  // Registered globally, so the commands reach the other server too.
  bot = await registerAndStartBot(await botEnv(emulator, { MESSAGE_CONTENT_INTENT: 'true', DISCORD_GUILD_ID: '' }));

  await setMode(forum.channelId, 'auto', { tag: 'Answered' });
  await setMode(offChannel.channelId, 'off');
  await setMode(burstForum.channelId, 'auto');
  await setMode(closedForum.channelId, 'auto');
  await setMode(autoText.channelId, 'auto');
}, 120_000);

afterAll(async () => {
  if (bot && bot.child.exitCode === null) bot.child.kill('SIGKILL');
  await emulator?.close();
});

describe('/channel', () => {
  it('is an admin command, registered for Manage Server, and refused to other members', async () => {
    const command = emulator.registeredCommands.find((c) => c.name === 'channel')!;
    expect(command.default_member_permissions).toBe('32');
    expect(command.options?.map((o) => o.name)).toEqual(['mode', 'channel', 'tag']);
    const handle = emulator.injectInteraction({ commandName: 'channel', options: { mode: 'auto', channel: offChannel.channelId }, userId: newUser() });
    const refusal = await handle.waitForCallback();
    expect(refusal.data!.flags).toBe(MessageFlags.Ephemeral);
    expect(refusal.data!.content).toMatch(/Manage Server/);
    // Nothing changed: the channel is still off (a mention there is ignored, below).
    expect(bot.stderr()).not.toMatch(new RegExp(`"channelId":"${offChannel.channelId}","mode":"auto"`));
  });

  it('tells the admin what the mode does and what is missing for it', async () => {
    const reply = await setMode(closedForum.channelId, 'auto');
    expect(reply.flags).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toContain(`<#${closedForum.channelId}> (forum): **auto**`);
    expect(reply.content).toMatch(/can't answer there yet: I'm missing SendMessagesInThreads/);
    const tagged = await setMode(forum.channelId, 'auto', { tag: 'Answered' });
    expect(tagged.content).toContain('answered posts get the tag Answered');
    expect(tagged.content).not.toMatch(/⚠️/);
    const unknownTag = emulator.injectInteraction({ commandName: 'channel', options: { mode: 'auto', channel: forum.channelId, tag: 'Nope' }, ...owner() });
    const shown = (await unknownTag.waitForCallback()).data!.embeds![0]!.description!.replaceAll('\\', '');
    expect(shown).toBe('career-help has no tag named “Nope” (its tags: Answered, ✅ Solved, Python).');
  });

  it('offers the forum\'s tags as suggestions', async () => {
    const handle = emulator.injectAutocomplete({ commandName: 'channel', focused: 'tag', value: 'sol', options: { mode: 'auto', channel: forum.channelId }, ...owner() });
    expect((await handle.waitForCallback()).choices!.map((c) => c.name)).toEqual(['✅ Solved']);
  });

  it("keeps each server's modes to itself: /help lists them for its admins only", async () => {
    const inOther = await setMode(other.channelId, 'off', {}, { userId: other.ownerUserId, guildId: other.guildId });
    expect(inOther.content).toContain(`<#${other.channelId}> (text): **off**`);

    const help = async (actor: { userId: string; guildId?: string }) => {
      const handle = emulator.injectInteraction({ commandName: 'help', ...actor });
      return (await handle.waitForCallback()).data!.embeds![0]!.fields!.find((f) => f.name.startsWith('Channel modes'));
    };
    const here = await help(owner());
    expect(here!.value).toContain(`<#${forum.channelId}> (forum): **auto**`);
    expect(here!.value).toContain(`<#${offChannel.channelId}> (text): **off**`);
    expect(here!.value).not.toContain(other.channelId);
    const there = await help({ userId: other.ownerUserId, guildId: other.guildId });
    expect(there!.value).toContain(`<#${other.channelId}> (text): **off**`);
    expect(there!.value).not.toContain(forum.channelId);
    // Not an admin: no modes at all.
    expect(await help({ userId: newUser() })).toBeUndefined();
  });
});

describe('a new post in an auto forum', () => {
  it('is answered once, inside the post, with the cited embed, 👍/👎, the answered tag and "Mark solved"', async () => {
    const author = newUser();
    const post = emulator.injectForumPost({
      forumId: forum.channelId,
      title: 'What skills do ML engineers need?',
      content: 'I work as a data analyst and want to switch.',
      authorId: author,
      tags: [forum.tagIds.Python!],
    });
    const answer = await emulator.waitForChannelMessage(post.threadId);
    const embed = answer.body.embeds![0]!;
    expect(embed.title).toBe('What skills do ML engineers need? I work as a data analyst and want to switch.');
    expect(embed.description).toContain('Programming Proficiency');
    expect(embed.fields![0]!.value).toContain('Essential Skills for Machine Learning Engineers');
    expect(embed.footer!.text).not.toContain("post's title");
    expect(answer.body.allowed_mentions).toEqual({ parse: [] });
    expect(customIds(answer.body)).toEqual([expect.stringMatching(/^feedback:up:\d+$/), expect.stringMatching(/^feedback:down:\d+$/), 'forum:solved']);
    await waitFor(() => emulator.getThread(post.threadId)!.applied_tags!.includes(forum.tagIds.Answered!));
    expect(emulator.getThread(post.threadId)!.applied_tags).toEqual([forum.tagIds.Python, forum.tagIds.Answered]);

    // The same post delivered again (a replayed event) is not answered again.
    emulator.dispatch(GatewayDispatchEvents.MessageCreate, { ...post.starter.payload, guild_id: emulator.guildId });
    await answeredPost('Which industries are hiring ML engineers?');
    expect(botMessagesIn(post.threadId)).toHaveLength(1);
  });

  it('lets only its author mark it solved: the forum\'s Solved tag is added and the button says so', async () => {
    const author = newUser();
    const { post, answer } = await answeredPost('How do I become a machine learning engineer?', author);
    const message = emulator.getMessage(answer.message.id)!;

    const stranger = emulator.injectButton({ customId: 'forum:solved', message, channelId: post.threadId, userId: newUser() });
    const refused = await stranger.waitForCallback();
    expect(refused.data!.flags).toBe(MessageFlags.Ephemeral);
    expect(refused.data!.content).toMatch(/Only the post's author/);

    const click = emulator.injectButton({ customId: 'forum:solved', message, channelId: post.threadId, userId: author });
    const edit = await click.waitForEdit();
    expect(emulator.getThread(post.threadId)!.applied_tags).toContain(forum.tagIds['✅ Solved']);
    const solved = buttons(edit.message).find((b) => 'custom_id' in b && b.custom_id === 'forum:solved')!;
    expect(solved).toMatchObject({ label: 'Solved', disabled: true, style: ButtonStyle.Success });
    expect(customIds(edit.message).filter((id) => id.startsWith('feedback:'))).toHaveLength(2);
  });

  it("answers its author's follow-up with the earlier turn's topic, and leaves others' messages alone", async () => {
    const author = newUser();
    const { post } = await answeredPost('What skills do ML engineers need?', author);
    const bystander = emulator.injectMessage({ channelId: post.threadId, content: 'what about the second one?', authorId: newUser() });
    const followUp = emulator.injectMessage({ channelId: post.threadId, content: 'what about the second one?', authorId: author });
    const reply = await emulator.waitForChannelMessage(post.threadId, (m) => m.body.message_reference?.message_id === followUp.id);
    const embed = reply.body.embeds![0]!;
    // "the second one" is the second skill of the first answer: Mathematics & Statistics, and its
    // passage alone, not the whole list again.
    expect(embed.description).toContain('linear algebra, probability, and statistics');
    expect(embed.description).not.toContain('Big Data & Cloud Computing');
    expect(embed.author!.name).toBe('↪ Follow-up to “What skills do ML engineers need?”');
    expect(botMessagesIn(post.threadId).filter((m) => m.body.message_reference?.message_id === bystander.id)).toEqual([]);
  });

  it('is never answered when a bot wrote it, when it predates the bot, or where the bot may not send', async () => {
    const byBot = emulator.injectForumPost({ forumId: forum.channelId, title: 'What skills do ML engineers need?', authorId: newUser(), authorIsBot: true });
    const old = emulator.injectForumPost({ forumId: forum.channelId, title: 'Which industries hire ML engineers?', authorId: newUser(), createdAt: Date.now() - 3_600_000 });
    const closed = emulator.injectForumPost({ forumId: closedForum.channelId, title: 'Which industries hire ML engineers?', authorId: newUser() });
    await answeredPost('Why are ML engineers in demand?');
    for (const threadId of [byBot.threadId, old.threadId, closed.threadId]) expect(botMessagesIn(threadId)).toEqual([]);
    // Never even tried: no request was refused for missing permissions.
    expect(emulator.requests.filter((r) => r.status === 403)).toEqual([]);
  });

  it('arrives in a burst of 50 and every post is answered once, without one 429', async () => {
    const posts = Array.from({ length: 50 }, (_, i) =>
      emulator.injectForumPost({ forumId: burstForum.channelId, title: `${['What skills do ML engineers need', 'Which industries hire ML engineers', 'How do I become an ML engineer'][i % 3]}? (${i + 1})`, authorId: newUser() }),
    );
    await Promise.all(posts.map((p) => emulator.waitForChannelMessage(p.threadId, () => true, { timeoutMs: 60_000 })));
    for (const p of posts) expect(botMessagesIn(p.threadId)).toHaveLength(1);
    expect(emulator.rateLimitHits).toEqual([]);
  }, 90_000);
});

describe('an auto text channel', () => {
  it('answers questions without a mention, leaves chat alone, and answers the asker\'s follow-ups in a thread of the answer', async () => {
    const asker = newUser();
    const chat = emulator.injectMessage({ channelId: autoText.channelId, content: 'thanks, that helped!', authorId: newUser() });
    const question = emulator.injectMessage({ channelId: autoText.channelId, content: 'Do I need a degree to become an ML engineer?', authorId: asker });
    const answer = await emulator.waitForChannelMessage(autoText.channelId, (m) => m.body.message_reference?.message_id === question.id);
    expect(answer.body.embeds![0]!.description).toContain('A degree in computer science, data science, or mathematics');
    expect(botMessagesIn(autoText.channelId).filter((m) => m.body.message_reference?.message_id === chat.id)).toEqual([]);

    // A thread started from an /ask answer here: the asker's next message needs no mention.
    const ask = emulator.injectInteraction({ commandName: 'ask', options: { question: 'Do I need a degree to become an ML engineer?' }, channelId: autoText.channelId, userId: asker });
    const first = await ask.waitForEdit();
    const click = emulator.injectButton({ customId: 'ask:thread', message: ask, channelId: autoText.channelId, userId: asker });
    expect((await click.waitForEdit()).body.content).toContain('Who asked can also just write');
    const threadId = first.message.id;
    const stranger = emulator.injectMessage({ channelId: threadId, content: "and what if I don't have one?", authorId: newUser() });
    const followUp = emulator.injectMessage({ channelId: threadId, content: "and what if I don't have one?", authorId: asker });
    const reply = await emulator.waitForChannelMessage(threadId, (m) => m.body.message_reference?.message_id === followUp.id);
    expect(reply.body.embeds![0]!.description).toContain('online certifications and bootcamps');
    expect(botMessagesIn(threadId).filter((m) => m.body.message_reference?.message_id === stranger.id)).toEqual([]);
  });

  it('holds automatic answers to the per-user cooldown: the sixth post in a minute gets a note instead', async () => {
    const author = newUser();
    const posts = ['What skills do ML engineers need?', 'Which industries hire ML engineers?', 'How do I become an ML engineer?', 'Why are ML engineers in demand?', 'Which cloud platforms matter?', 'Do I need a degree?'].map((title) =>
      emulator.injectForumPost({ forumId: forum.channelId, title, authorId: author }),
    );
    const answers = await Promise.all(posts.map((p) => emulator.waitForChannelMessage(p.threadId)));
    expect(answers.filter((a) => a.body.embeds?.length === 1)).toHaveLength(5);
    expect(answers[5]!.body.content).toMatch(/You're asking quickly — mention me here in \d+ s and I'll answer this post\./);
  });
});

describe('channels in other modes', () => {
  it('ignores everything in an off channel but slash commands, which still work there', async () => {
    const ignored = emulator.injectMessage({ channelId: offChannel.channelId, content: `<@${emulator.botUserId}> What skills do ML engineers need?`, authorId: newUser() });
    const ask = emulator.injectInteraction({ commandName: 'ask', options: { question: 'What skills do ML engineers need?' }, channelId: offChannel.channelId, userId: newUser() });
    expect((await ask.waitForEdit()).body.embeds![0]!.description).toContain('Programming Proficiency');
    const sentinel = emulator.injectMessage({ content: `<@${emulator.botUserId}> What skills do ML engineers need?`, authorId: newUser() });
    await emulator.waitForChannelMessage(emulator.channelId, (m) => m.body.message_reference?.message_id === sentinel.id);
    expect(botMessagesIn(offChannel.channelId).filter((m) => m.body.message_reference?.message_id === ignored.id)).toEqual([]);
  });

  it('answers a post in a mention forum only when it mentions the bot', async () => {
    const quiet = emulator.injectForumPost({ forumId: mentionForum.channelId, title: 'What skills do ML engineers need?', authorId: newUser() });
    const called = emulator.injectForumPost({
      forumId: mentionForum.channelId,
      title: 'Industries',
      content: `<@${emulator.botUserId}> which industries are hiring ML engineers?`,
      authorId: newUser(),
    });
    const reply = await emulator.waitForChannelMessage(called.threadId);
    expect(reply.body.message_reference?.message_id).toBe(called.threadId);
    expect(reply.body.embeds![0]!.description).toContain('Finance & Banking');
    expect(botMessagesIn(quiet.threadId)).toEqual([]);
  });
});

describe('a thread started from an /ask answer', () => {
  it('reads the answer as the conversation: a follow-up that alone would be refused is answered on its topic', async () => {
    const asker = newUser();
    const ask = emulator.injectInteraction({ commandName: 'ask', options: { question: 'Do I need a degree to become an ML engineer?' }, userId: asker });
    const first = await ask.waitForEdit();
    expect(customIds(first.message)).toContain('ask:thread');

    const click = emulator.injectButton({ customId: 'ask:thread', message: ask, userId: asker });
    await click.waitForCallback();
    const started = await click.waitForEdit();
    const threadId = first.message.id;
    expect(started.body.content).toContain(`Started <#${threadId}>`);
    expect(emulator.getThread(threadId)).toMatchObject({ parent_id: emulator.channelId, owner_id: emulator.botUserId, name: 'Do I need a degree to become an ML engineer?' });

    const inThread = emulator.injectMessage({ channelId: threadId, content: `<@${emulator.botUserId}> and what if I don't have one?`, authorId: asker });
    const reply = await emulator.waitForChannelMessage(threadId, (m) => m.body.message_reference?.message_id === inThread.id);
    const embed: APIEmbed = reply.body.embeds![0]!;
    expect(embed.description).toContain('online certifications and bootcamps');
    expect(embed.author!.name).toBe('↪ Follow-up to “Do I need a degree to become an ML engineer?”');

    // The same words outside the thread have no conversation to lean on.
    const alone = emulator.injectMessage({ content: `<@${emulator.botUserId}> and what if I don't have one?`, authorId: newUser() });
    const refused = await emulator.waitForChannelMessage(emulator.channelId, (m) => m.body.message_reference?.message_id === alone.id);
    expect(refused.body.embeds![0]!.description).toMatch(/I don't know that from my sources/);

    // A second click finds the thread already there.
    const again = emulator.injectButton({ customId: 'ask:thread', message: ask, userId: newUser() });
    expect((await again.waitForCallback()).data!.content).toContain(`already has a thread: <#${threadId}>`);
  });

  it('is offered only where a thread can start: not under a private answer', async () => {
    const ask = emulator.injectInteraction({ commandName: 'ask', options: { question: 'What skills do ML engineers need?', private: true }, userId: newUser() });
    expect(customIds((await ask.waitForEdit()).message)).not.toContain('ask:thread');
  });
});

describe('safety', () => {
  it('never answers its own messages and spoke only known routes', () => {
    for (const record of emulator.channelMessages.items) {
      const referenced = record.body.message_reference?.message_id;
      if (referenced !== undefined) expect(emulator.getMessage(referenced)?.author.id).not.toBe(emulator.botUserId);
      expect(record.body.allowed_mentions?.parse).toEqual([]);
    }
    emulator.assertNoUnknownRoutes();
  });

  it('logged the intents it has at start', () => {
    expect(bot.stderr()).toMatch(/"messageContentIntent":true.*Message Content intent on/);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
