import { Client, Events, Partials, RESTEvents, type Interaction } from 'discord.js';
import type { Config } from '../config.ts';
import { Engine } from '../engine/engine.ts';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { commands } from './commands/index.ts';
import type { BotContext } from './context.ts';
import { AutoAnswerQueue } from './auto-answers.ts';
import { guardAutocomplete, guardInteraction } from './boundary.ts';
import { ChannelModes } from './channel-modes.ts';
import { NO_MENTIONS } from './format.ts';
import { handleFollowUpThread } from './follow-up-thread.ts';
import { handleSolved } from './forum.ts';
import { ConcurrencyLimiter, Cooldown } from './guard.ts';
import { handleComment, handleVote } from './feedback.ts';
import { botIntents, intentReport } from './intents.ts';
import { routeMessage } from './messages.ts';
import { openBotState } from '../state/open-state.ts';
import { watchKnowledge } from '../engine/watch-knowledge.ts';
import { assertWritableDir } from '../writable-dir.ts';
import { BotOwners } from './owners.ts';
import type { KnowledgeScope } from '../engine/engine.ts';

/** In-flight replies get this long to finish at shutdown before the client is closed anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

/** `rest.api` only when set: `{ api: undefined }` would replace discord.js's default and break it. */
export function restOptions(config: Pick<Config, 'discordApiUrl'>): { api: string } | Record<string, never> {
  return config.discordApiUrl !== undefined ? { api: config.discordApiUrl } : {};
}

export interface RunningBot {
  client: Client;
  /** Stop taking new work, let in-flight replies finish, close the client. */
  shutdown(): Promise<void>;
}

/** The intents are src/discord/intents.ts's; the Channel partial lets DMs (uncached channels) through. */
export function createClient(config: Config): Client {
  return new Client({
    intents: botIntents(config),
    partials: [Partials.Channel],
    allowedMentions: NO_MENTIONS,
    rest: restOptions(config),
  });
}

/** Wires handlers onto a client. Every interaction and message passes one error boundary. */
export function attachHandlers(client: Client, ctx: BotContext): RunningBot {
  const inFlight = new Set<Promise<unknown>>();
  let accepting = true;
  const track = (work: Promise<unknown>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  client.on(Events.InteractionCreate, (interaction) => {
    if (!accepting) return;
    track(handleInteraction(interaction, ctx));
  });
  client.on(Events.MessageCreate, (message) => {
    if (!accepting || !client.user) return;
    // src/discord/messages.ts decides: DMs, mentions, and in `auto` channels forum posts and follow-ups.
    track(routeMessage(message, ctx));
  });
  client.on(Events.ChannelDelete, (channel) => {
    if (!channel.isDMBased()) track(ctx.channelModes.forget(channel.guildId, channel.id));
  });
  // Each 429 is an invalid request Discord counts against the bot: worth a warning if it ever happens.
  client.rest.on(RESTEvents.RateLimited, (info) => ctx.logger.warn({ route: info.route, global: info.global, retryAfterMs: info.retryAfter }, 'rate limited by Discord'));
  client.on(Events.Error, (error) => ctx.logger.error({ err: error }, 'client error'));
  client.on(Events.ShardError, (error, shardId) => ctx.logger.error({ err: error, shardId }, 'gateway shard error'));
  client.on(Events.Warn, (message) => ctx.logger.warn(message));

  return {
    client,
    async shutdown() {
      accepting = false;
      // Automatic answers not started yet are not in flight: they are dropped, those running finish.
      ctx.autoAnswers.stop();
      const grace = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
      await Promise.race([Promise.allSettled([...inFlight]), grace]);
      await client.destroy();
    },
  };
}

async function handleInteraction(interaction: Interaction, ctx: BotContext): Promise<void> {
  const who = { userId: interaction.user.id, guildId: interaction.guildId };
  if (interaction.isAutocomplete()) {
    const command = commands.get(interaction.commandName);
    await guardAutocomplete(interaction, ctx.logger, { command: interaction.commandName, ...who }, async () => {
      await command?.autocomplete?.(interaction, ctx);
    });
    return;
  }
  if (interaction.isButton() || interaction.isModalSubmit()) {
    const where = { customId: interaction.customId, ...who };
    await guardInteraction(
      interaction,
      ctx.logger,
      where,
      async () => {
        const handled = interaction.isButton()
          ? (await handleVote(interaction, ctx)) || (await handleSolved(interaction, ctx)) || (await handleFollowUpThread(interaction, ctx))
          : await handleComment(interaction, ctx);
        if (!handled) ctx.logger.warn(where, 'unknown component');
      },
      'component',
    );
    return;
  }
  if (!interaction.isChatInputCommand()) return;
  const command = commands.get(interaction.commandName);
  await guardInteraction(interaction, ctx.logger, { command: interaction.commandName, ...who }, async () => {
    if (!command) throw new Error(`unknown command /${interaction.commandName}`);
    await command.execute(interaction, ctx);
  });
}

/** `npm start` with a token: open the engine, log in, and run until SIGINT/SIGTERM. */
export async function startBot(config: Config, logger: Logger): Promise<RunningBot> {
  assertWritableDir(config.indexDir, 'INDEX_DIR');
  assertWritableDir(config.dataDir, 'DATA_DIR');
  // The state first: a database out of reach stops start-up at once, before the model loads.
  const state = await openBotState(config, logger, { applicationName: shardName() });
  let engine: Engine;
  try {
    engine = await Engine.open({ config, logger, ...(state.knowledge && { shared: state.knowledge }) });
  } catch (error) {
    await state.close();
    throw error;
  }
  const feedback = state.feedback;
  logger.info({ state: state.where, shared: state.knowledge !== undefined }, 'state opened');
  const client = createClient(config);
  const owners = new BotOwners(config);
  const channelModes = new ChannelModes(feedback, logger);
  const ctx: BotContext = {
    engine,
    config,
    logger,
    cooldown: new Cooldown(config.askRateLimit, config.askRateWindowSec * 1000),
    limiter: new ConcurrencyLimiter(config.maxConcurrentAnswers),
    feedback,
    owners,
    channelModes,
    autoAnswers: new AutoAnswerQueue(config.autoAnswersPerSecond, logger),
    startedAt: Date.now(),
  };
  const bot = attachHandlers(client, ctx);
  shareKnowledgeChanges(client, engine, logger);

  const watcher = config.knowledgeWatch
    ? watchKnowledge(
        config.knowledgeDir,
        async () => {
          const report = await engine.reindex();
          logger.info({ documents: report.documents, embedded: report.embedded, removed: report.removed }, 'knowledge changed on disk; reindexed');
        },
        { logger },
      )
    : undefined;

  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight replies');
    watcher?.close();
    void bot
      .shutdown()
      .then(() => engine.close())
      .then(() => state.close())
      .catch((error: unknown) => logger.error({ err: errorMessage(error) }, 'error while shutting down'))
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));

  client.once(Events.ClientReady, (c) => {
    // Owners are known before the bot says it is ready, so no owner is refused in its first seconds;
    // so are the servers' channel modes, read once into memory (and said what they need of intents).
    void Promise.all([owners.refresh(c, logger), logIntents(config, channelModes, c.guilds.cache.keys(), logger)]).finally(() =>
      logger.info({ user: c.user.tag, guilds: c.guilds.cache.size }, 'bot ready'),
    );
  });
  try {
    await client.login(config.discordToken);
  } catch (error) {
    watcher?.close();
    await client.destroy();
    await engine.close();
    await state.close();
    throw new Error(`Discord login failed: ${describeLoginError(error)}`);
  }
  return bot;
}

/** How this process appears among the database's connections: the bot, and its shards when sharded. */
function shardName(): string {
  const shards = process.env.SHARDS;
  return shards === undefined ? 'ml-careers-bot' : `ml-careers-bot shard ${shards}`;
}

const KNOWLEDGE_CHANGED = 'knowledgeChanged';

/**
 * Every knowledge change this process makes (the base's or one server's) is announced to the other
 * shards under the ShardingManager, and each reloads that one knowledge set from disk: the one
 * path by which all shards follow a change, whatever made it (a command, the watcher).
 */
function shareKnowledgeChanges(client: Client, engine: Engine, logger: Logger): void {
  engine.onKnowledgeChanged(async (scope) => {
    const origin = client.shard?.ids[0];
    await client.shard?.broadcastEval(
      (c, context: { origin: number | undefined; server: string | null }) => {
        if (c.shard?.ids[0] !== context.origin) c.emit('knowledgeChanged', context.server);
      },
      { context: { origin, server: scope.server ?? null } },
    );
  });
  client.on(KNOWLEDGE_CHANGED as never, (server: string | null) => {
    const scope: KnowledgeScope = server === null ? {} : { server };
    void engine.reload(scope).catch((error: unknown) => logger.error({ err: errorMessage(error), server }, 'shard reload failed'));
  });
}

/**
 * The one start-up line on intents (src/discord/intents.ts), for the modes admins chose in the
 * servers this process serves; reading them also puts every server's modes in memory.
 */
async function logIntents(config: Config, modes: ChannelModes, guildIds: Iterable<string>, logger: Logger): Promise<void> {
  const report = intentReport(config, await modes.summary(guildIds));
  logger[report.level](report.fields, report.message);
}

function describeLoginError(error: unknown): string {
  const code = (error as { code?: string | number }).code;
  if (code === 'TokenInvalid') return 'the token in DISCORD_TOKEN was rejected; reset it in the developer portal.';
  // @discordjs/ws rejects the login with this message when the gateway closes with 4014.
  if (code === 'DisallowedIntents' || /disallowed intents/i.test(errorMessage(error))) {
    return 'Discord refused the Message Content intent: MESSAGE_CONTENT_INTENT=true needs "Message Content Intent" switched on in the developer portal (Bot → Privileged Gateway Intents); switch it on, or unset MESSAGE_CONTENT_INTENT.';
  }
  return errorMessage(error).replaceAll(/[\w-]{20,}\.[\w-]{5,}\.[\w-]{20,}/g, '[redacted]');
}
