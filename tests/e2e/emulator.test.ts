/**
 * Self-test of the Discord emulator against the real discord.js Client and REST: if these pass, end-to-end tests of
 * the bot exercise the same protocol Discord speaks, including the rules a bot can break.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  type ClientOptions,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  Partials,
  REST,
  Routes,
  TextInputBuilder,
  TextInputStyle,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type Message,
  type ModalSubmitInteraction,
} from 'discord.js';
import {
  EmulatorPermissions,
  shardIdForGuild,
  snowflakeOnShard,
  startDiscordEmulator,
  type DiscordEmulator,
  type DiscordEmulatorOptions,
} from '../support/discord-emulator.ts';

const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];
const EVENT_TIMEOUT_MS = 2_000;

/** The emulator of the current test; tests needing other options start an extra one with newEmulator(). */
let emulator: DiscordEmulator;
let emulators: DiscordEmulator[] = [];
let clients: Client[] = [];

async function newEmulator(options: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
  const started = await startDiscordEmulator({ logProblems: false, ...options });
  emulators.push(started);
  return started;
}

function newClient(target: DiscordEmulator = emulator, options: Partial<ClientOptions> = {}): Client {
  const client = new Client({
    intents: INTENTS,
    rest: { api: target.apiUrl },
    allowedMentions: { parse: [] },
    ...options,
  });
  clients.push(client);
  return client;
}

/** Logs in and waits for clientReady (login() itself resolves at READY, before the guild is cached). */
async function readyClient(target: DiscordEmulator = emulator, options: Partial<ClientOptions> = {}): Promise<Client> {
  const client = newClient(target, options);
  const ready = once(client, Events.ClientReady, { signal: AbortSignal.timeout(EVENT_TIMEOUT_MS) });
  await Promise.all([ready, client.login(target.token)]);
  return client;
}

/** The next event of `name`, or a rejection after EVENT_TIMEOUT_MS. */
async function nextEvent<T>(client: Client, name: string): Promise<T> {
  const [value] = (await once(client, name, { signal: AbortSignal.timeout(EVENT_TIMEOUT_MS) })) as [T];
  return value;
}

/** Runs `handler` on the next interaction and resolves with its result. */
function onNextInteraction<T>(client: Client, handler: (interaction: Interaction) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no interactionCreate within the timeout')), EVENT_TIMEOUT_MS);
    client.once(Events.InteractionCreate, (interaction) => {
      clearTimeout(timer);
      handler(interaction).then(resolve, reject);
    });
  });
}

/** Registers /knowledge (subcommands list, add with an attachment, remove with autocomplete) in the guild. */
async function registerKnowledgeCommand(target: DiscordEmulator = emulator): Promise<void> {
  const rest = new REST({ api: target.apiUrl }).setToken(target.token);
  await rest.put(Routes.applicationGuildCommands(target.applicationId, target.guildId), {
    body: [
      {
        name: 'knowledge',
        description: 'Manage the knowledge base',
        options: [
          { type: 1, name: 'list', description: 'List the documents' },
          {
            type: 1,
            name: 'add',
            description: 'Add a document',
            options: [
              { type: 11, name: 'file', description: 'A .md or .txt file', required: true },
              { type: 5, name: 'replace', description: 'Replace a document with the same name' },
            ],
          },
          {
            type: 1,
            name: 'remove',
            description: 'Remove a document',
            options: [{ type: 3, name: 'name', description: 'File name', required: true, autocomplete: true }],
          },
        ],
      },
    ],
  });
}

/** An action row with the two feedback buttons of answer 42. */
function feedbackRow(): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId('feedback:up:42').setLabel('Helpful').setStyle(ButtonStyle.Success),
    new ButtonBuilder().setCustomId('feedback:comment:42').setLabel('Comment').setStyle(ButtonStyle.Secondary),
  );
}

/** The classic modal: one paragraph text input in an action row. */
function commentModal(): ModalBuilder {
  return new ModalBuilder()
    .setCustomId('feedback-comment:42')
    .setTitle('Your comment')
    .addComponents(
      new ActionRowBuilder<TextInputBuilder>().addComponents(
        new TextInputBuilder().setCustomId('comment').setLabel('Comment').setStyle(TextInputStyle.Paragraph).setMaxLength(500),
      ),
    );
}

beforeEach(async () => {
  emulator = await newEmulator();
});

afterEach(async () => {
  // Clients first: a client whose socket is cut tries to resume against the closed port.
  await Promise.all(clients.map((client) => client.destroy()));
  clients = [];
  await Promise.all(emulators.map((started) => started.close()));
  emulators = [];
});

describe('Discord emulator: login', () => {
  it('reaches ready with the guild, its channel and roles cached, and records IDENTIFY', async () => {
    const client = await readyClient();

    expect(client.user?.id).toBe(emulator.botUserId);
    expect(client.application?.id).toBe(emulator.applicationId);
    const guild = client.guilds.cache.get(emulator.guildId);
    expect(guild?.available).toBe(true);
    expect(guild?.channels.cache.get(emulator.channelId)?.isTextBased()).toBe(true);
    expect(guild?.roles.everyone.id).toBe(emulator.guildId);
    expect(guild?.members.me?.id).toBe(emulator.botUserId);
    expect(guild?.ownerId).toBe(emulator.ownerUserId);

    expect(emulator.identifies).toHaveLength(1);
    expect(emulator.identifies[0]?.token).toBe(emulator.token);
    expect(emulator.identifies[0]?.intents).toBe(
      GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.DirectMessages,
    );
    expect(emulator.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /gateway/bot']);
    emulator.assertNoUnknownRoutes();
    emulator.assertNoProtocolErrors();
  });

  it('rejects a wrong token with TokenInvalid', async () => {
    const client = newClient();
    await expect(client.login('not-the-token')).rejects.toMatchObject({ code: 'TokenInvalid' });
    expect(emulator.requests[0]).toMatchObject({ path: '/gateway/bot', status: 401 });
  });

  it('rejects its own token when started in invalid-token mode', async () => {
    const revoked = await newEmulator({ invalidToken: true });
    const client = newClient(revoked);
    await expect(client.login(revoked.token)).rejects.toMatchObject({ code: 'TokenInvalid' });
  });

  it('closes 4014 when a privileged intent is not enabled, and login fails', async () => {
    const strict = await newEmulator({ enabledPrivilegedIntents: 0 });
    const client = newClient(strict, { intents: [...INTENTS, GatewayIntentBits.MessageContent] });
    await expect(client.login(strict.token)).rejects.toThrow(/disallowed intents/i);
    expect(strict.gatewayCloses.map((close) => close.code)).toEqual([4014]);
  });

  it('acknowledges heartbeats', async () => {
    const fast = await newEmulator({ heartbeatIntervalMs: 20 });
    const client = await readyClient(fast);
    await vi.waitFor(() => expect(client.ws.ping).toBeGreaterThanOrEqual(0), { timeout: EVENT_TIMEOUT_MS });
    expect(fast.heartbeatCount).toBeGreaterThan(0);
  });

  it('resumes the session after a gateway RECONNECT and keeps delivering events', async () => {
    const client = await readyClient();
    const resumed = new Promise<void>((resolve) => client.ws.shards.first()?.once('resumed', () => resolve()));
    emulator.requestReconnect();
    await resumed;
    expect(emulator.resumes).toHaveLength(1);
    expect(emulator.identifies).toHaveLength(1);

    const received = nextEvent<Interaction>(client, Events.InteractionCreate);
    emulator.injectInteraction({ commandName: 'ping' });
    expect((await received).isChatInputCommand()).toBe(true);
  });
});

describe('Discord emulator: REST', () => {
  it('records guild command registration and returns the commands with ids', async () => {
    const rest = new REST({ api: emulator.apiUrl }).setToken(emulator.token);
    const body = [
      {
        name: 'ask',
        description: 'Ask about ML careers',
        options: [{ type: 3, name: 'question', description: 'Your question', required: true, max_length: 500 }],
      },
    ];
    const result = (await rest.put(Routes.applicationGuildCommands(emulator.applicationId, emulator.guildId), {
      body,
    })) as { id: string; name: string; guild_id: string }[];

    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({ name: 'ask', guild_id: emulator.guildId, application_id: emulator.applicationId });
    expect(result[0]?.id).toMatch(/^\d{17,20}$/);
    expect(emulator.registeredCommands.map((command) => command.name)).toEqual(['ask']);
    expect(emulator.commandRegistrations[0]).toMatchObject({ scope: emulator.guildId, method: 'PUT', body });

    // Re-registering keeps the id, as Discord does.
    const again = (await rest.put(Routes.applicationGuildCommands(emulator.applicationId, emulator.guildId), {
      body,
    })) as { id: string }[];
    expect(again[0]?.id).toBe(result[0]?.id);
  });

  it('rejects an invalid command definition with 50035', async () => {
    const rest = new REST({ api: emulator.apiUrl }).setToken(emulator.token);
    const error = await rest
      .put(Routes.applicationCommands(emulator.applicationId), { body: [{ name: 'Ask', description: '' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ status: 400, code: 50035 });
    expect((error as DiscordAPIError).message).toMatch(/0\.name\[APPLICATION_COMMAND_INVALID_NAME\]/);
    expect(emulator.registeredCommands).toEqual([]);
  });

  it('answers 401 to a request without the bot token', async () => {
    const response = await fetch(`${emulator.apiUrl}/v10/users/@me`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: 0, message: '401: Unauthorized' });
  });

  it('records unknown routes, and assertNoUnknownRoutes throws', async () => {
    const rest = new REST({ api: emulator.apiUrl }).setToken(emulator.token);
    await expect(rest.get(`/guilds/${emulator.guildId}/bans`)).rejects.toMatchObject({ status: 404 });
    expect(emulator.unknownRoutes).toEqual([expect.objectContaining({ method: 'GET', path: `/guilds/${emulator.guildId}/bans`, status: 404 })]);
    expect(() => emulator.assertNoUnknownRoutes()).toThrow(/GET \/guilds\/\d+\/bans/);
  });
});

describe('Discord emulator: interactions', () => {
  it('delivers a chat-input command; deferReply then editReply are recorded in time', async () => {
    const client = await readyClient();
    const handled = onNextInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a chat-input command');
      await interaction.deferReply();
      await interaction.editReply({ embeds: [new EmbedBuilder().setTitle('Answer').setDescription('Study linear algebra.')] });
      return interaction;
    });

    const handle = emulator.injectInteraction({ commandName: 'ask', options: { question: 'How do I start?' } });
    const interaction: ChatInputCommandInteraction = await handled;

    expect(interaction.commandName).toBe('ask');
    expect(interaction.options.getString('question')).toBe('How do I start?');
    expect(interaction.guildId).toBe(emulator.guildId);
    expect(interaction.user.id).toBe(emulator.userId);

    const callback = await handle.waitForCallback();
    expect(callback.type).toBe(5);
    expect(callback.elapsedMs).toBeLessThan(3_000);
    const edit = await handle.waitForEdit();
    expect(edit.body.embeds?.[0]).toMatchObject({ title: 'Answer', description: 'Study linear algebra.' });
    expect(edit.at).toBeGreaterThanOrEqual(callback.at);
    expect((await handle.waitForOriginal()).embeds[0]?.title).toBe('Answer');
    emulator.assertNoUnknownRoutes();
  });

  it('passes member permissions and roles through', async () => {
    const client = await readyClient();
    const received = nextEvent<ChatInputCommandInteraction>(client, Events.InteractionCreate);
    emulator.injectInteraction({ commandName: 'admin', roles: [emulator.roleIds.moderator] });
    const moderator = await received;
    expect(moderator.memberPermissions?.has('ManageGuild')).toBe(true);
    expect(moderator.inCachedGuild() && moderator.member.roles.cache.has(emulator.roleIds.moderator)).toBe(true);

    const receivedPlain = nextEvent<ChatInputCommandInteraction>(client, Events.InteractionCreate);
    emulator.injectInteraction({ commandName: 'admin', permissions: EmulatorPermissions.none });
    expect((await receivedPlain).memberPermissions?.has('ManageGuild')).toBe(false);
  });

  it('refuses a second acknowledgement with 40060 (discord.js itself refuses before sending)', async () => {
    const client = await readyClient();
    const handled = onNextInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a chat-input command');
      await interaction.deferReply();
      return interaction.reply('too late').catch((error: unknown) => error);
    });
    const handle = emulator.injectInteraction({ commandName: 'ask' });
    expect(await handled).toMatchObject({ code: 'InteractionAlreadyReplied' });

    const response = await fetch(`${emulator.apiUrl}/v10/interactions/${handle.id}/${handle.token}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'second' } }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ code: 40060, message: 'Interaction has already been acknowledged.' });
    expect(handle.callbacks.items).toHaveLength(1);
    expect(handle.rejected).toEqual([expect.objectContaining({ kind: 'callback', status: 400 })]);
  });

  it('expires an interaction not acknowledged within the window (10062)', async () => {
    const client = await readyClient();
    const handled = onNextInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a chat-input command');
      await sleep(250);
      return interaction.deferReply().catch((error: unknown) => error);
    });
    const handle = emulator.injectInteraction({ commandName: 'slow', responseWindowMs: 200 });

    const error = await handled;
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ status: 404, code: 10062 });
    await expect(handle.waitForCallback()).rejects.toThrow(/expired: callback → 404 10062/);
  });

  it('refuses an edit of @original before any callback (10015)', async () => {
    await readyClient();
    const handle = emulator.injectInteraction({ commandName: 'ask' });
    const response = await fetch(`${emulator.apiUrl}/v10/webhooks/${emulator.applicationId}/${handle.token}/messages/%40original`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'edit' }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 10015, message: 'Unknown Webhook' });
  });

  it('rejects an over-long reply with 50035 and an over-size embed set too', async () => {
    const client = await readyClient();
    const handled = onNextInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a chat-input command');
      const tooLong = await interaction.reply('x'.repeat(2_001)).catch((error: unknown) => error);
      // Plain objects bypass the builders' own checks: 2 × 3500 characters > the 6000 total.
      const tooBig = await interaction
        .reply({ embeds: [{ description: 'a'.repeat(3_500) }, { description: 'b'.repeat(3_500) }] })
        .catch((error: unknown) => error);
      await interaction.reply('x'.repeat(2_000));
      return { tooLong, tooBig };
    });
    const handle = emulator.injectInteraction({ commandName: 'ask' });
    const { tooLong, tooBig } = await handled;

    expect(tooLong).toMatchObject({ status: 400, code: 50035 });
    expect((tooLong as DiscordAPIError).rawError).toMatchObject({
      message: 'Invalid Form Body',
      errors: { data: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } },
    });
    expect(tooBig).toMatchObject({ status: 400, code: 50035 });
    expect((tooBig as DiscordAPIError).message).toMatch(/MAX_EMBED_SIZE_EXCEEDED/);
    // A rejected callback does not acknowledge: the valid reply after it succeeds.
    expect((await handle.waitForCallback()).data?.content).toHaveLength(2_000);
  });

  it('returns the callback resource with withResponse, and records follow-ups', async () => {
    const client = await readyClient();
    const handled = onNextInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a chat-input command');
      const response = await interaction.reply({ content: 'first', withResponse: true });
      await interaction.followUp({ content: 'second', flags: MessageFlags.Ephemeral });
      return response;
    });
    const handle = emulator.injectInteraction({ commandName: 'ask' });
    const response = await handled;

    expect(response.resource?.message?.content).toBe('first');
    expect(response.interaction.responseMessageId).toBe(handle.originalMessage()?.id);
    const followUp = await handle.waitForFollowUp();
    expect(followUp.body.content).toBe('second');
    expect(followUp.message.flags).toBe(MessageFlags.Ephemeral);
  });

  it('delivers a button click and records the update', async () => {
    const client = await readyClient();
    const first = onNextInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a chat-input command');
      const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setCustomId('more').setLabel('More').setStyle(ButtonStyle.Primary),
      );
      await interaction.reply({ content: 'Answer', components: [row] });
    });
    const command = emulator.injectInteraction({ commandName: 'ask' });
    await first;

    const clicked = onNextInteraction(client, async (interaction) => {
      if (!interaction.isButton()) throw new Error('expected a button');
      await interaction.update({ content: 'More answer', components: [] });
      return interaction;
    });
    const click = emulator.injectButton({ customId: 'more', message: command });
    const interaction: ButtonInteraction = await clicked;

    expect(interaction.customId).toBe('more');
    expect(interaction.message.id).toBe(command.originalMessage()?.id);
    expect((await click.waitForCallback()).type).toBe(7);
    expect(emulator.getMessage(interaction.message.id)?.content).toBe('More answer');
    expect(() => emulator.injectButton({ customId: 'nope', message: command })).toThrow(/no component with custom_id "nope"/);
  });

  it('delivers a modal submit with its fields', async () => {
    const client = await readyClient();
    const submitted = onNextInteraction(client, async (interaction) => {
      if (!interaction.isModalSubmit()) throw new Error('expected a modal submit');
      await interaction.reply({ content: 'Thanks', flags: MessageFlags.Ephemeral });
      return interaction;
    });
    const handle = emulator.injectModalSubmit({ customId: 'feedback', fields: { comment: 'Great bot' } });
    const interaction: ModalSubmitInteraction = await submitted;
    expect(interaction.fields.getTextInputValue('comment')).toBe('Great bot');
    expect((await handle.waitForCallback()).data?.flags).toBe(MessageFlags.Ephemeral);
  });

  it('validates injected options against the registered command', async () => {
    const rest = new REST({ api: emulator.apiUrl }).setToken(emulator.token);
    await rest.put(Routes.applicationGuildCommands(emulator.applicationId, emulator.guildId), {
      body: [{ name: 'ask', description: 'Ask', options: [{ type: 3, name: 'question', description: 'Q', required: true, max_length: 10 }] }],
    });
    await readyClient();
    expect(() => emulator.injectInteraction({ commandName: 'ask' })).toThrow(/required option "question" is missing/);
    expect(() => emulator.injectInteraction({ commandName: 'ask', options: { question: 'x'.repeat(11) } })).toThrow(/length 11/);
    const handle = emulator.injectInteraction({ commandName: 'ask', options: { question: 'short' } });
    expect(handle.payload.data).toMatchObject({ id: emulator.registeredCommands[0]?.id, name: 'ask' });
  });
});

describe('Discord emulator: messages', () => {
  it('delivers a mention with its content and records the reply with message_reference', async () => {
    const client = await readyClient();
    const replied = new Promise<Message>((resolve, reject) => {
      client.on(Events.MessageCreate, (message) => {
        if (message.author.bot || !message.mentions.users.has(client.user?.id ?? '')) return;
        message.reply('Here is an answer').then(() => resolve(message), reject);
      });
    });

    const injected = emulator.injectMessage({ content: `<@${emulator.botUserId}> what should I learn?` });
    const message = await replied;
    expect(message.content).toBe(`<@${emulator.botUserId}> what should I learn?`);
    expect(injected.deliveredTo).toBe(1);

    const reply = await emulator.waitForChannelMessage(emulator.channelId);
    expect(reply.body.content).toBe('Here is an answer');
    expect(reply.body.message_reference).toMatchObject({ message_id: injected.id });
    expect(reply.body.allowed_mentions).toEqual({ parse: [] });
    expect(reply.message.referenced_message?.id).toBe(injected.id);
  });

  it('delivers DMs only to a client with the Channel partial, as discord.js requires', async () => {
    const client = await readyClient(emulator, { partials: [Partials.Channel] });

    const received = nextEvent<Message>(client, Events.MessageCreate);
    emulator.injectMessage({ content: 'hello in private', dm: true });
    const message = await received;
    expect(message.content).toBe('hello in private');
    expect(message.channel.isDMBased()).toBe(true);
    await message.reply('hi');
    const reply = await emulator.waitForChannelMessage(emulator.dmChannelId());
    expect(reply.body.message_reference?.message_id).toBe(message.id);
  });

  it('strips the content of messages not mentioning the bot (no MESSAGE_CONTENT intent)', async () => {
    const client = await readyClient();
    const received = nextEvent<Message>(client, Events.MessageCreate);
    emulator.injectMessage({ content: 'just chatting' });
    expect((await received).content).toBe('');
  });

  it('rejects an over-long channel message with 50035 and a reply to an unknown message', async () => {
    const client = await readyClient();
    const channel = client.channels.cache.get(emulator.channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');

    await expect(channel.send('x'.repeat(2_001))).rejects.toMatchObject({ status: 400, code: 50035 });
    await expect(
      channel.send({ content: 'hi', reply: { messageReference: '123456789012345678' } }),
    ).rejects.toMatchObject({ code: 50035, message: expect.stringMatching(/MESSAGE_REFERENCE_UNKNOWN_MESSAGE/) });
    await expect(channel.send({ content: '   ' })).rejects.toMatchObject({ code: 50006 });
    expect(emulator.channelMessages.items).toHaveLength(0);
  });
});

describe('Discord emulator: attachments and subcommands', () => {
  it('records the files a reply attaches, bytes included, and refuses more than ten', async () => {
    await registerKnowledgeCommand();
    const client = await readyClient();
    const handled = onNextInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a chat-input command');
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const tooMany = Array.from({ length: 11 }, (_, i) => new AttachmentBuilder(Buffer.from(`file ${i}`), { name: `f${i}.txt` }));
      const refused = await interaction.editReply({ content: 'eleven', files: tooMany }).then(
        () => undefined,
        (error: unknown) => error,
      );
      await interaction.editReply({ content: 'The full list is attached.', files: [new AttachmentBuilder(Buffer.from('all 300 documents\n'), { name: 'knowledge.txt' })] });
      return refused;
    });
    const handle = emulator.injectInteraction({ commandName: 'knowledge', subcommand: 'list' });
    const refused = await handled;
    expect(refused).toBeInstanceOf(DiscordAPIError);
    expect(refused).toMatchObject({ code: 50035, message: expect.stringMatching(/attachments\[BASE_TYPE_MAX_LENGTH\]/) });
    const edit = await handle.waitForEdit();
    expect(edit.files).toHaveLength(1);
    expect(edit.files[0]).toMatchObject({ name: 'knowledge.txt', size: 18 });
    expect(Buffer.from(edit.files[0]!.bytes).toString('utf8')).toBe('all 300 documents\n');
    expect(edit.message.attachments.map((a) => a.filename)).toEqual(['knowledge.txt']);
  });

  it('delivers an attachment option of a subcommand whose URL serves the bytes', async () => {
    await registerKnowledgeCommand();
    const client = await readyClient();
    const attachment = emulator.hostAttachment('ml notes (v2).md', '# ML\nLinear algebra first.\n');
    expect(attachment).toMatchObject({ filename: 'ml_notes_v2.md', size: 27, content_type: 'text/markdown; charset=utf-8', ephemeral: true });

    const handled = onNextInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a chat-input command');
      const file = interaction.options.getAttachment('file', true);
      const response = await fetch(file.url);
      const text = await response.text();
      await interaction.reply({ content: `Added ${file.name}`, flags: MessageFlags.Ephemeral });
      return {
        subcommand: interaction.options.getSubcommand(),
        replace: interaction.options.getBoolean('replace'),
        file,
        text,
        status: response.status,
        length: response.headers.get('content-length'),
        type: response.headers.get('content-type'),
      };
    });
    const handle = emulator.injectInteraction({ commandName: 'knowledge', subcommand: 'add', options: { file: attachment, replace: true } });
    const result = await handled;

    expect(result).toMatchObject({ subcommand: 'add', replace: true, text: '# ML\nLinear algebra first.\n', status: 200, length: '27' });
    expect(result.type).toBe('text/markdown; charset=utf-8');
    expect(result.file).toMatchObject({ id: attachment.id, name: 'ml_notes_v2.md', size: 27, ephemeral: true });
    expect(handle.payload.data).toMatchObject({
      name: 'knowledge',
      options: [
        {
          type: 1,
          name: 'add',
          options: [
            { name: 'file', type: 11, value: attachment.id },
            { name: 'replace', type: 5, value: true },
          ],
        },
      ],
      resolved: { attachments: { [attachment.id]: attachment } },
    });
    expect(attachment.url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:\\d+/ephemeral-attachments/${emulator.applicationId}/${attachment.id}/ml_notes_v2\\.md\\?ex=`),
    );
    // The CDN fetch is recorded like any request, and is not an unknown route.
    expect(emulator.requests.find((request) => request.path.startsWith('/ephemeral-attachments/'))).toMatchObject({ method: 'GET', status: 200 });
    emulator.assertNoUnknownRoutes();
    expect((await handle.waitForCallback()).data?.content).toBe('Added ml_notes_v2.md');
  });

  it('serves binary bytes with their type, and 404s a wrong name without calling it an unknown route', async () => {
    const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    const image = emulator.hostAttachment('chart.png', bytes);
    const blob = emulator.hostAttachment('data.bin', new Uint8Array([1, 2, 3]), 'application/x-custom');
    const unknownType = emulator.hostAttachment('notes.xyz', 'x');
    expect(image.content_type).toBe('image/png');
    expect(unknownType.content_type).toBeUndefined();

    const response = await fetch(image.url);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect((await fetch(blob.proxy_url)).headers.get('content-type')).toBe('application/x-custom');
    expect((await fetch(unknownType.url)).headers.get('content-type')).toBe('application/octet-stream');
    const wrongName = await fetch(image.url.replace('chart.png', 'other.png'));
    expect(wrongName.status).toBe(404);
    expect(await wrongName.text()).toBe('This content is no longer available.');
    expect(emulator.unknownRoutes).toEqual([]);
  });

  it('covers subcommands without options, the raw-array form, and rejects impossible option sets', async () => {
    await registerKnowledgeCommand();
    const client = await readyClient();
    const received = nextEvent<ChatInputCommandInteraction>(client, Events.InteractionCreate);
    const list = emulator.injectInteraction({ commandName: 'knowledge', subcommand: 'list' });
    expect((await received).options.getSubcommand()).toBe('list');
    // Discord omits `options` of a subcommand run without any.
    expect(list.payload.data).toMatchObject({ options: [{ type: 1, name: 'list' }] });
    expect((list.payload.data as { options: object[] }).options[0]).not.toHaveProperty('options');

    const attachment = emulator.hostAttachment('a.txt', 'a');
    const raw = emulator.injectInteraction({ commandName: 'knowledge', subcommand: 'add', options: [{ name: 'file', type: 11, value: attachment.id }] });
    expect(raw.payload.data).toMatchObject({ resolved: { attachments: { [attachment.id]: { filename: 'a.txt' } } } });

    const inject = (options: Parameters<DiscordEmulator['injectInteraction']>[0]['options'], subcommand?: string) => () =>
      emulator.injectInteraction({ commandName: 'knowledge', subcommand, options });
    expect(inject(undefined)).toThrow(/exactly one subcommand \(one of: list, add, remove\)/);
    expect(inject({}, 'add')).toThrow(/required option "file" is missing/);
    expect(inject({ file: 'notes.md' }, 'add')).toThrow(/option "file" must be an attachment/);
    expect(inject({ file: attachment, replace: 'yes' }, 'add')).toThrow(/option "replace" of type 5 cannot have the value "yes"/);
    expect(inject(undefined, 'purge')).toThrow(/option "purge" is not declared/);
    expect(inject({ name: attachment }, 'remove')).toThrow(/has type 11, declared 3/);
  });
});

describe('Discord emulator: buttons and modals', () => {
  it('clicks a button of a deferred-then-edited reply, shows a modal and delivers its submit', async () => {
    const client = await readyClient();
    const answered = onNextInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a chat-input command');
      await interaction.deferReply();
      await interaction.editReply({ content: 'Study linear algebra.', components: [feedbackRow()] });
    });
    const command = emulator.injectInteraction({ commandName: 'ask' });
    await answered;
    expect(await command.waitForOriginal()).toMatchObject({ content: 'Study linear algebra.' });

    const clicked = onNextInteraction(client, async (interaction) => {
      if (!interaction.isButton()) throw new Error('expected a button');
      await interaction.showModal(commentModal());
      return interaction;
    });
    const click = emulator.injectButton({ customId: 'feedback:comment:42', message: command, userId: emulator.ownerUserId });
    expect((await clicked).message.id).toBe(command.originalMessage()?.id);
    const shown = await click.waitForCallback();
    expect(shown).toMatchObject({ type: 9, modal: { custom_id: 'feedback-comment:42', title: 'Your comment' } });

    const submitted = onNextInteraction(client, async (interaction) => {
      if (!interaction.isModalSubmit()) throw new Error('expected a modal submit');
      await interaction.reply({ content: 'Thanks', flags: MessageFlags.Ephemeral });
      return interaction;
    });
    const submit = emulator.injectModalSubmit({ customId: 'feedback-comment:42', fields: { comment: 'Great answer' } });
    const modalSubmit: ModalSubmitInteraction = await submitted;

    expect(modalSubmit.customId).toBe('feedback-comment:42');
    // Submitted by the user the modal was shown to.
    expect(modalSubmit.user.id).toBe(emulator.ownerUserId);
    expect(modalSubmit.fields.getTextInputValue('comment')).toBe('Great answer');
    // Opened from a button: the submit carries that message, so the bot can update it.
    expect(modalSubmit.isFromMessage() && modalSubmit.message.id).toBe(command.originalMessage()?.id);
    expect(submit.payload.data).toEqual({
      custom_id: 'feedback-comment:42',
      components: [{ type: 1, id: 1, components: [{ type: 4, id: 2, custom_id: 'comment', value: 'Great answer' }] }],
    });
    expect((await submit.waitForCallback()).elapsedMs).toBeLessThan(3_000);
    expect(() => emulator.injectModalSubmit({ customId: 'feedback-comment:42', fields: { comment: 'again' } })).toThrow(/already submitted/);
  });

  it('mirrors a Label modal, enforces its inputs, and rejects a modal in answer to a modal submit', async () => {
    const client = await readyClient();
    const shown = onNextInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a chat-input command');
      const modal = new ModalBuilder()
        .setCustomId('suggest')
        .setTitle('Suggest a source')
        .addLabelComponents(
          new LabelBuilder()
            .setLabel('Link')
            .setTextInputComponent(new TextInputBuilder().setCustomId('link').setStyle(TextInputStyle.Short).setMinLength(5)),
          new LabelBuilder()
            .setLabel('Why')
            .setTextInputComponent(new TextInputBuilder().setCustomId('why').setStyle(TextInputStyle.Paragraph).setRequired(false)),
        );
      // Two inputs in one action row: Discord refuses the modal, and the interaction is still unanswered.
      const input = { type: 4, style: 1, label: 'Link' };
      const invalid = await interaction
        .showModal({ custom_id: 'bad', title: 'Bad', components: [{ type: 1, components: [{ ...input, custom_id: 'a' }, { ...input, custom_id: 'b' }] }] })
        .catch((error: unknown) => error);
      await interaction.showModal(modal);
      return invalid;
    });
    emulator.injectInteraction({ commandName: 'suggest' });
    expect(await shown).toMatchObject({ status: 400, code: 50035, message: expect.stringMatching(/components\[0\]\.components\[BASE_TYPE_BAD_LENGTH\]/) });

    expect(() => emulator.injectModalSubmit({ customId: 'suggest', fields: {} })).toThrow(/"link" is required/);
    expect(() => emulator.injectModalSubmit({ customId: 'suggest', fields: { link: 'ab' } })).toThrow(/length 2 is outside \[5, 4000\]/);
    expect(() => emulator.injectModalSubmit({ customId: 'suggest', fields: { mood: 'ok' } })).toThrow(/no input "mood" \(it has: link, why\)/);

    const answered = onNextInteraction(client, async (interaction) => {
      if (!interaction.isModalSubmit()) throw new Error('expected a modal submit');
      // discord.js has no showModal on a modal submit; a bot sending the raw callback gets Discord's refusal.
      const refused = await client.rest
        .post(Routes.interactionCallback(interaction.id, interaction.token), { body: { type: 9, data: commentModal().toJSON() }, auth: false })
        .catch((error: unknown) => error);
      await interaction.reply({ content: `Got ${interaction.fields.getTextInputValue('link')}`, flags: MessageFlags.Ephemeral });
      return { refused, why: interaction.fields.getTextInputValue('why') };
    });
    const submit = emulator.injectModalSubmit({ customId: 'suggest', fields: { link: 'https://example.org' } });
    const { refused, why } = await answered;

    expect(refused).toMatchObject({ status: 400, code: 50035 });
    expect((refused as DiscordAPIError).message).toMatch(/INTERACTION_RESPONSE_TYPE_INVALID/);
    expect(why).toBe('');
    expect(submit.payload.data).toMatchObject({
      components: [
        { type: 18, component: { type: 4, custom_id: 'link', value: 'https://example.org' } },
        { type: 18, component: { type: 4, custom_id: 'why', value: '' } },
      ],
    });
    expect(submit.payload).not.toHaveProperty('message');
    expect((await submit.waitForCallback()).data?.content).toBe('Got https://example.org');
  });

  it('expires a modal submit not answered within the window (10062)', async () => {
    const client = await readyClient();
    const handled = onNextInteraction(client, async (interaction) => {
      if (!interaction.isModalSubmit()) throw new Error('expected a modal submit');
      await sleep(150);
      return interaction.reply('late').catch((error: unknown) => error);
    });
    emulator.injectModalSubmit({ customId: 'feedback', fields: { comment: 'x' }, responseWindowMs: 100 });
    expect(await handled).toMatchObject({ status: 404, code: 10062 });
  });

  it('clicks a button on a channel reply to a mention, by message or by id, but not a disabled one', async () => {
    const client = await readyClient();
    client.on(Events.MessageCreate, (message) => {
      if (message.author.bot || !message.mentions.users.has(client.user?.id ?? '')) return;
      const disabled = new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setCustomId('feedback:down:42').setLabel('Not helpful').setStyle(ButtonStyle.Danger).setDisabled(true),
      );
      void message.reply({ content: 'An answer', components: [feedbackRow(), disabled] });
    });
    emulator.injectMessage({ content: `<@${emulator.botUserId}> what should I learn?` });
    const record = await emulator.waitForChannelMessage(emulator.channelId);
    expect(record.message.components).toHaveLength(2);

    const clicked = onNextInteraction(client, async (interaction) => {
      if (!interaction.isButton()) throw new Error('expected a button');
      await interaction.update({ content: 'An answer (thanks for the feedback)', components: [] });
      return interaction;
    });
    const click = emulator.injectButton({ customId: 'feedback:up:42', message: record.message });
    const interaction: ButtonInteraction = await clicked;
    expect(interaction.customId).toBe('feedback:up:42');
    expect(interaction.message.id).toBe(record.message.id);
    expect((await click.waitForCallback()).type).toBe(7);
    expect(emulator.getMessage(record.message.id)?.components).toEqual([]);
    // The message as it stands now: the update removed the buttons.
    expect(() => emulator.injectButton({ customId: 'feedback:up:42', message: record.message.id })).toThrow(/no component/);

    // A second reply, clicked by message id.
    emulator.injectMessage({ content: `<@${emulator.botUserId}> again` });
    const again = await emulator.waitForChannelMessage(emulator.channelId, (candidate) => candidate !== record);
    const byId = onNextInteraction(client, async (next) => {
      if (!next.isButton()) throw new Error('expected a button');
      await next.deferUpdate();
      return next.message.id;
    });
    emulator.injectButton({ customId: 'feedback:comment:42', message: again.message.id });
    expect(await byId).toBe(again.message.id);
    expect(() => emulator.injectButton({ customId: 'feedback:down:42', message: again.message })).toThrow(/is disabled/);
  });
});

describe('Discord emulator: autocomplete', () => {
  it('delivers the focused option of a subcommand and validates the choices', async () => {
    await registerKnowledgeCommand();
    const client = await readyClient();
    const handled = onNextInteraction(client, async (interaction) => {
      if (!interaction.isAutocomplete()) throw new Error('expected an autocomplete interaction');
      const tooMany = Array.from({ length: 26 }, (_, index) => ({ name: `doc-${index}.md`, value: `doc-${index}.md` }));
      const errors = [
        await interaction.respond(tooMany).catch((error: unknown) => error),
        await interaction.respond([{ name: 'x'.repeat(101), value: 'x' }]).catch((error: unknown) => error),
        await interaction.respond([{ name: 'x', value: 'v'.repeat(101) }]).catch((error: unknown) => error),
        await interaction.respond([{ name: 'x', value: 3 }]).catch((error: unknown) => error),
      ];
      await interaction.respond([{ name: 'ml-basics.md', value: 'ml-basics.md' }]);
      return { interaction, errors };
    });
    const handle = emulator.injectAutocomplete({ commandName: 'knowledge', subcommand: 'remove', focused: 'name', value: 'ml' });
    const { interaction, errors } = await handled;
    const autocomplete: AutocompleteInteraction = interaction;

    expect(autocomplete.commandName).toBe('knowledge');
    expect(autocomplete.options.getSubcommand()).toBe('remove');
    expect(autocomplete.options.getFocused(true)).toMatchObject({ name: 'name', value: 'ml', focused: true });
    expect(handle.payload).toMatchObject({
      type: 4,
      data: { name: 'knowledge', options: [{ type: 1, name: 'remove', options: [{ name: 'name', type: 3, value: 'ml', focused: true }] }] },
    });
    for (const error of errors) expect(error).toMatchObject({ status: 400, code: 50035 });
    expect((errors[0] as DiscordAPIError).message).toMatch(/data\.choices\[BASE_TYPE_MAX_LENGTH\]/);
    const callback = await handle.waitForCallback();
    expect(callback).toMatchObject({ type: 8, choices: [{ name: 'ml-basics.md', value: 'ml-basics.md' }] });
    expect(callback.elapsedMs).toBeLessThan(3_000);
  });

  it('refuses autocomplete for an option without it, and any answer but choices', async () => {
    await registerKnowledgeCommand();
    await readyClient();
    expect(() => emulator.injectAutocomplete({ commandName: 'knowledge', subcommand: 'add', focused: 'replace', value: 't' })).toThrow(
      /option "replace" is not declared with autocomplete: true/,
    );
    const handle = emulator.injectAutocomplete({ commandName: 'knowledge', subcommand: 'remove', focused: 'name', value: '' });
    const response = await fetch(`${emulator.apiUrl}/v10/interactions/${handle.id}/${handle.token}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 5 }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 50035, errors: { type: { _errors: [{ code: 'INTERACTION_RESPONSE_TYPE_INVALID' }] } } });
  });
});

describe('Discord emulator: sharding', () => {
  /** Every gateway dispatch a client receives (`t` and `d`), in arrival order. */
  function recordPackets(client: Client): { t: string; d: Record<string, unknown> }[] {
    const packets: { t: string; d: Record<string, unknown> }[] = [];
    client.on(Events.Raw, (packet: { t?: string | null; d?: unknown }) => {
      if (packet.t) packets.push({ t: packet.t, d: (packet.d ?? {}) as Record<string, unknown> });
    });
    return packets;
  }

  /** A client for one shard of two, recording its packets from the start (READY included). */
  async function shardClient(target: DiscordEmulator, shardId: number) {
    const client = newClient(target, { shards: shardId, shardCount: 2, partials: [Partials.Channel] });
    const packets = recordPackets(client);
    const ready = once(client, Events.ClientReady, { signal: AbortSignal.timeout(EVENT_TIMEOUT_MS) });
    await Promise.all([ready, client.login(target.token)]);
    return { client, packets };
  }

  it('computes the owning shard as Discord does, and places a chosen guild id on a shard', () => {
    // Discord's documented example snowflake: 175928847299117063 >> 22 = 41944705796 (ms since 2015).
    expect(shardIdForGuild('175928847299117063', 1)).toBe(0);
    expect(shardIdForGuild('175928847299117063', 2)).toBe(0);
    expect(shardIdForGuild('175928847299117063', 3)).toBe(2);
    expect(shardIdForGuild('175928847299117063', 16)).toBe(4);
    for (const count of [1, 2, 3, 16]) {
      for (let shard = 0; shard < count; shard += 1) expect(shardIdForGuild(snowflakeOnShard(shard, count), count)).toBe(shard);
    }
  });

  it('recommends the configured shard count in GET /gateway/bot (1 by default)', async () => {
    const sharded = await newEmulator({ recommendedShards: 2 });
    const get = (target: DiscordEmulator) => new REST({ api: target.apiUrl }).setToken(target.token).get(Routes.gatewayBot());
    expect(await get(sharded)).toMatchObject({ shards: 2, url: sharded.gatewayUrl });
    expect(await get(emulator)).toMatchObject({ shards: 1 });
  });

  it('gives the guild and its events only to the owning shard, and DMs only to shard 0', async () => {
    // The guild on shard 1, so that the DM shard (0) is not the guild's shard.
    const sharded = await newEmulator({ guildId: snowflakeOnShard(1, 2), recommendedShards: 2 });
    expect(sharded.guildShardId(2)).toBe(1);
    const shard0 = await shardClient(sharded, 0);
    const shard1 = await shardClient(sharded, 1);

    expect(sharded.identifies.map((identify) => identify.shard)).toEqual([[0, 2], [1, 2]]);
    expect(sharded.connectedShards).toEqual([[0, 2], [1, 2]]);
    // READY lists only the owned guild; a shard owning none is ready at once, without a GUILD_CREATE.
    expect(shard0.packets.find((p) => p.t === 'READY')?.d).toMatchObject({ guilds: [], shard: [0, 2] });
    expect(shard1.packets.find((p) => p.t === 'READY')?.d).toMatchObject({ guilds: [{ id: sharded.guildId, unavailable: true }], shard: [1, 2] });
    expect(shard0.client.guilds.cache.size).toBe(0);
    expect(shard1.client.guilds.cache.get(sharded.guildId)?.available).toBe(true);
    expect(shard0.packets.filter((p) => p.t === 'GUILD_CREATE')).toEqual([]);
    expect(shard1.packets.filter((p) => p.t === 'GUILD_CREATE')).toHaveLength(1);

    // A guild interaction reaches shard 1 only; its reply is recorded once.
    const shard0Interactions: Interaction[] = [];
    shard0.client.on(Events.InteractionCreate, (interaction) => shard0Interactions.push(interaction));
    const handled = onNextInteraction(shard1.client, async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a chat-input command');
      await interaction.reply('from shard 1');
      return interaction;
    });
    const handle = sharded.injectInteraction({ commandName: 'ping' });
    expect((await handled).guildId).toBe(sharded.guildId);
    expect((await handle.waitForCallback()).data?.content).toBe('from shard 1');

    // A DM reaches shard 0 only. Each socket is ordered, so once shard 0 has the DM it would have had the interaction.
    const dmOnShard0 = nextEvent<Message>(shard0.client, Events.MessageCreate);
    const dm = sharded.injectMessage({ content: 'hello in private', dm: true });
    expect(dm.deliveredTo).toBe(1);
    expect((await dmOnShard0).channel.isDMBased()).toBe(true);
    expect(shard0Interactions).toEqual([]);
    expect(shard0.packets.filter((p) => p.t === 'INTERACTION_CREATE')).toEqual([]);

    // A guild message after the DM reaches shard 1 only, and shard 1 never saw the DM.
    const onShard1 = nextEvent<Message>(shard1.client, Events.MessageCreate);
    const inGuild = sharded.injectMessage({ content: `<@${sharded.botUserId}> hi` });
    expect(inGuild.deliveredTo).toBe(1);
    expect((await onShard1).guildId).toBe(sharded.guildId);
    // The echo of the bot's own reply is a guild event too: shard 1, before the injected message.
    const original = await handle.waitForOriginal();
    expect(shard1.packets.filter((p) => p.t === 'MESSAGE_CREATE').map((p) => p.d.id)).toEqual([original.id, inGuild.id]);
    expect(shard1.packets.filter((p) => p.t === 'INTERACTION_CREATE').map((p) => p.d.id)).toEqual([handle.id]);
    expect(shard0.packets.filter((p) => p.t === 'MESSAGE_CREATE').map((p) => p.d.id)).toEqual([dm.id]);

    // A DM interaction goes to shard 0 as well.
    const dmInteraction = onNextInteraction(shard0.client, async (interaction) => interaction);
    sharded.injectInteraction({ commandName: 'ping', dm: true });
    expect((await dmInteraction).channel?.isDMBased()).toBe(true);
    sharded.assertNoProtocolErrors();
  });

  it('says which shard is missing when no connected session owns the guild', async () => {
    const sharded = await newEmulator({ guildId: snowflakeOnShard(1, 2) });
    await shardClient(sharded, 0);
    expect(() => sharded.injectInteraction({ commandName: 'ping' })).toThrow(/No connected gateway session is the shard owning guild \d+ \(connected shards: \[0, 2\]\)/);
    expect(sharded.injectMessage({ content: 'in the guild' }).deliveredTo).toBe(0);
  });
});
