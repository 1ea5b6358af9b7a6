/**
 * A local Discord API + gateway emulator for end-to-end tests.
 *
 * The real discord.js `Client` / `REST` connect to it on 127.0.0.1 (pass `rest: { api: emulator.apiUrl }`).
 * It speaks REST under `/api/v10` and the JSON gateway over WebSocket on the same port, and it is deliberately
 * as strict as Discord where a bot can get things wrong: the 3 s acknowledgement window, double acknowledgement,
 * message/embed limits, command-definition rules, the MESSAGE_CONTENT intent, and unknown routes (which fail loudly
 * and are recorded so a test can assert there were none).
 *
 * Everything the bot sends is recorded, attached files with their bytes (at most 10 per message and 10 MiB per
 * request, as on Discord); interactions and messages can be injected through the gateway.
 * It deliberately does not import anything from src/: it is an independent oracle of Discord's rules.
 *
 *   const emulator = await startDiscordEmulator();
 *   const client = new Client({ intents, rest: { api: emulator.apiUrl } });
 *   await Promise.all([once(client, Events.ClientReady), client.login(emulator.token)]);
 *   const handle = emulator.injectInteraction({ commandName: 'ask', options: { question: 'How?' } });
 *   expect((await handle.waitForCallback()).elapsedMs).toBeLessThan(3_000);
 *   const answer = await handle.waitForOriginal();   // after a direct reply, or a defer + edits
 *   ...
 *   await client.destroy(); await emulator.close();   // clients first, or they try to resume
 *
 * Beyond slash commands it injects subcommands (`subcommand: 'add'`), attachment options (bytes hosted on the
 * emulator's own "CDN" with `hostAttachment()`), button clicks on any message the bot sent, modal submits shaped by
 * the modal the bot showed, and autocomplete requests (`injectAutocomplete()`).
 *
 * Sharding works as on Discord: a session that IDENTIFYs with `shard: [id, count]` owns the guild when
 * `(guild_id >> 22) % count === id` (see `shardIdForGuild()`; pick the guild's shard with `snowflakeOnShard()`).
 * Only the owning session gets the guild in READY, its GUILD_CREATE and its events (interactions, messages); DMs
 * go to shard 0; a session without `shard` is [0, 1]. `/gateway/bot` recommends `recommendedShards` (default 1).
 *
 * Forums and threads: `addChannel({ type: 'forum', tags })` adds a forum channel with its tags (or another text
 * channel), `injectForumPost()` creates a post as Discord does (THREAD_CREATE with `newly_created`, then the starter
 * message, whose id is the thread's), messages go into threads with `injectMessage({ channelId: threadId })`,
 * `setThreadState()` archives or locks one. The bot may edit a post's tags (PATCH, with Manage Threads; moderated
 * tags too), start a thread from a message, and post into threads (an archived, unlocked thread is unarchived by
 * it; a locked one refuses). Channel permission overwrites (`setChannelOverwrite()`) decide what the bot sees and
 * may do; events of channels it cannot view are not delivered.
 *
 * Rate limits are enforced as Discord documents them (./emulator-rate-limits.ts): every bot-token response carries
 * the `X-RateLimit-*` headers, a request beyond a bucket or the global limit gets 429, and each 429 is recorded in
 * `rateLimitHits` so a test can assert the bot never hit one.
 *
 * Notes on discord.js against it: `login()` resolves at READY, before the guild is cached (wait for clientReady);
 * DMs reach `messageCreate` only with `partials: [Partials.Channel]`; without the MESSAGE_CONTENT intent, guild
 * messages that do not mention the bot arrive with empty content (as on Discord).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { RateLimiter, type RateLimitHit, type RateLimitOptions } from './emulator-rate-limits.ts';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationFlags,
  ApplicationIntegrationType,
  ButtonStyle,
  ChannelType,
  ComponentType,
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
  InteractionContextType,
  InteractionResponseType,
  InteractionType,
  Locale,
  MessageFlags,
  MessageType,
  OverwriteType,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  TextInputStyle,
} from 'discord-api-types/v10';
import type {
  APIApplication,
  ChannelFlags,
  GuildMemberFlags,
  GuildSystemChannelFlags,
  RoleFlags,
  UserFlags,
  APIApplicationCommand,
  APIApplicationCommandInteractionDataOption,
  APIApplicationCommandInteractionDataSubcommandOption,
  APIApplicationCommandOption,
  APIApplicationCommandOptionChoice,
  APIAttachment,
  APIChannel,
  APIDMChannel,
  APIEmbed,
  APIGuild,
  APIGuildForumChannel,
  APIGuildForumTag,
  APIGuildMember,
  APIOverwrite,
  APIThreadChannel,
  APIInteraction,
  APIInteractionGuildMember,
  APIInteractionResponse,
  APIInteractionResponseCallbackData,
  APIMessage,
  APIMessageComponentInteraction,
  APIModalInteractionResponseCallbackData,
  APIModalSubmitInteraction,
  APIChatInputApplicationCommandInteraction,
  APIRole,
  APITextChannel,
  APIUser,
  GatewayGuildCreateDispatchData,
  GatewayIdentifyData,
  GatewayReadyDispatchData,
  RESTGetAPIGatewayBotResult,
  RESTPostAPIChannelMessageJSONBody,
  RESTPostAPIWebhookWithTokenJSONBody,
} from 'discord-api-types/v10';

// ---------------------------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------------------------

/** discord.js appends `/v10` to the `api` option; anything else is an unknown route. */
const API_VERSION = 10;
const API_PREFIX = `/api/v${API_VERSION}`;
const GATEWAY_PATH = '/gateway';
/** Discord's epoch (2015-01-01), the zero of snowflake timestamps. */
const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * Discord's documented limits. Lengths are counted in Unicode code points (Discord counts characters, not UTF-16
 * units), so a bot that truncates by `String#length` is never wrongly rejected here.
 * https://discord.com/developers/docs/resources/message#create-message
 * https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 * https://discord.com/developers/docs/interactions/application-commands#application-command-object
 */
export const DiscordLimits = {
  messageContent: 2_000,
  embedsPerMessage: 10,
  embedTitle: 256,
  embedDescription: 4_096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1_024,
  embedFooterText: 2_048,
  embedAuthorName: 256,
  /** Sum of every title, description, field name/value, footer text and author name across a message's embeds. */
  embedTotalCharacters: 6_000,
  actionRowsPerMessage: 5,
  componentsPerActionRow: 5,
  customId: 100,
  buttonLabel: 80,
  modalTitle: 45,
  modalComponents: 5,
  textInputLabel: 45,
  textInputPlaceholder: 100,
  textInputValue: 4_000,
  commandName: 32,
  commandDescription: 100,
  commandOptions: 25,
  commandChoices: 25,
  commandChoiceName: 100,
  commandChoiceStringValue: 100,
  commandStringOptionLength: 6_000,
  autocompleteChoices: 25,
  autocompleteChoiceName: 100,
  autocompleteChoiceValue: 100,
  /** Combined name, description and option/choice text of one command. */
  commandTotalCharacters: 4_000,
  /** Files one message may carry. */
  attachmentsPerMessage: 10,
  /** A bot's upload limit per request in a server without boosts (Discord lowered it to 10 MiB in 2024). */
  uploadBytes: 10 * 1024 * 1024,
  globalChatInputCommands: 100,
  /** Per context-menu type (USER, MESSAGE); Discord raised this from 5 to 15. */
  contextMenuCommands: 15,
} as const;

/** An interaction must be acknowledged this soon after Discord dispatches it. */
export const INTERACTION_RESPONSE_WINDOW_MS = 3_000;
/** Interaction tokens (follow-ups, @original edits) stay valid for 15 minutes. */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;
/** The interval Discord currently advertises in HELLO. */
const DEFAULT_HEARTBEAT_INTERVAL_MS = 41_250;
/** Below vitest's default 5 s test timeout, so our descriptive rejection wins over vitest's generic one. */
const DEFAULT_WAIT_TIMEOUT_MS = 4_000;
/**
 * Gap between READY and GUILD_CREATE. discord.js handles each gateway frame in its own async chain; back-to-back
 * frames currently stay in order only because both chains happen to await the same number of times, and a
 * GUILD_CREATE overtaking READY would be dropped from the ready bookkeeping (the shard then waits 15 s for the guild).
 * A few milliseconds make the frames arrive in separate socket reads, as they do from Discord.
 */
const GUILD_CREATE_DELAY_MS = 5;
/** Discord's servers add a `_trace` to HELLO and READY; discord.js ignores it. */
const TRACE = '["discord-emulator",{"micros":0}]';
/** How many dispatches a session keeps for RESUME replay. */
const RESUME_REPLAY_LIMIT = 1_000;

/**
 * Where Discord's CDN serves the files a user attached to a slash command: they are uploaded before the command
 * exists, so the path is keyed by the application, not a channel (`/ephemeral-attachments/<app id>/<id>/<name>`).
 */
const EPHEMERAL_ATTACHMENTS_PATH = 'ephemeral-attachments';
/** Signed CDN links carry `ex` (expiry, hex seconds); Discord's last about a day. */
const ATTACHMENT_LINK_LIFETIME_MS = 24 * 60 * 60_000;
/** Discord's CDN answer for a link it does not (or no longer) serve. */
const CDN_NOT_FOUND_TEXT = 'This content is no longer available.';
/** Used when a hosted file's type is neither given nor known by its extension (Discord then omits content_type). */
const FALLBACK_CONTENT_TYPE = 'application/octet-stream';
/**
 * The content_type Discord reports for common uploads; text types carry the charset, so a bot comparing
 * `content_type === 'text/plain'` fails here as it would on Discord.
 */
const CONTENT_TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  yaml: 'application/x-yaml; charset=utf-8',
  yml: 'application/x-yaml; charset=utf-8',
  pdf: 'application/pdf',
  zip: 'application/zip',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

/** The error bodies Discord returns; messages are Discord's wording. */
const DiscordErrors = {
  unauthorized: { status: 401, code: 0, message: '401: Unauthorized' },
  notFound: { status: 404, code: 0, message: '404: Not Found' },
  methodNotAllowed: { status: 405, code: 0, message: '405: Method Not Allowed' },
  unknownApplication: { status: 404, code: RESTJSONErrorCodes.UnknownApplication, message: 'Unknown Application' },
  unknownChannel: { status: 404, code: RESTJSONErrorCodes.UnknownChannel, message: 'Unknown Channel' },
  unknownGuild: { status: 404, code: RESTJSONErrorCodes.UnknownGuild, message: 'Unknown Guild' },
  unknownMember: { status: 404, code: RESTJSONErrorCodes.UnknownMember, message: 'Unknown Member' },
  unknownMessage: { status: 404, code: RESTJSONErrorCodes.UnknownMessage, message: 'Unknown Message' },
  unknownUser: { status: 404, code: RESTJSONErrorCodes.UnknownUser, message: 'Unknown User' },
  unknownWebhook: { status: 404, code: RESTJSONErrorCodes.UnknownWebhook, message: 'Unknown Webhook' },
  unknownInteraction: { status: 404, code: RESTJSONErrorCodes.UnknownInteraction, message: 'Unknown interaction' },
  unknownCommand: {
    status: 404,
    code: RESTJSONErrorCodes.UnknownApplicationCommand,
    message: 'Unknown application command',
  },
  notAuthorizedForApplication: {
    status: 403,
    code: RESTJSONErrorCodes.NotAuthorizedToPerformThisActionOnThisApplication,
    message: 'You are not authorized to perform this action on this application',
  },
  alreadyAcknowledged: {
    status: 400,
    code: RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged,
    message: 'Interaction has already been acknowledged.',
  },
  cannotEditOthersMessage: {
    status: 403,
    code: RESTJSONErrorCodes.CannotEditMessageAuthoredByAnotherUser,
    message: 'Cannot edit a message authored by another user',
  },
  emptyMessage: { status: 400, code: RESTJSONErrorCodes.CannotSendAnEmptyMessage, message: 'Cannot send an empty message' },
  invalidWebhookToken: { status: 401, code: RESTJSONErrorCodes.InvalidWebhookToken, message: 'Invalid Webhook Token' },
  missingAccess: { status: 403, code: RESTJSONErrorCodes.MissingAccess, message: 'Missing Access' },
  missingPermissions: { status: 403, code: RESTJSONErrorCodes.MissingPermissions, message: 'Missing Permissions' },
  wrongChannelType: {
    status: 400,
    code: RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType,
    message: 'Cannot execute action on this channel type',
  },
  threadAlreadyCreated: {
    status: 400,
    code: RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage,
    message: 'A thread has already been created for this message',
  },
  threadLocked: { status: 403, code: RESTJSONErrorCodes.ThreadLocked, message: 'Thread is locked' },
  invalidJson: {
    status: 400,
    code: RESTJSONErrorCodes.RequestBodyContainsInvalidJSON,
    message: 'The request body contains invalid JSON.',
  },
} as const;

type ErrorTemplate = (typeof DiscordErrors)[keyof typeof DiscordErrors];

/** Flag bitfields are typed as enums without a zero member; Discord sends 0 for "no flags". */
const NO_FLAGS = 0;

/** Gateway intents Discord calls privileged: a bot must enable them in the developer portal or IDENTIFY fails. */
const PRIVILEGED_INTENTS =
  GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;
const ALL_KNOWN_INTENTS = Object.values(GatewayIntentBits)
  .filter((value): value is number => typeof value === 'number')
  .reduce((all, bit) => all | bit, 0);

const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

/** Permission bitfields (decimal strings, as Discord sends them) for the emulated guild. */
export const EmulatorPermissions = {
  /** A freshly created server's @everyone permissions: the "typical member". */
  everyone: (
    PermissionFlagsBits.ViewChannel |
    PermissionFlagsBits.CreateInstantInvite |
    PermissionFlagsBits.ChangeNickname |
    PermissionFlagsBits.SendMessages |
    PermissionFlagsBits.SendMessagesInThreads |
    PermissionFlagsBits.CreatePublicThreads |
    PermissionFlagsBits.EmbedLinks |
    PermissionFlagsBits.AttachFiles |
    PermissionFlagsBits.AddReactions |
    PermissionFlagsBits.UseExternalEmojis |
    PermissionFlagsBits.ReadMessageHistory |
    PermissionFlagsBits.UseApplicationCommands |
    PermissionFlagsBits.Connect |
    PermissionFlagsBits.Speak
  ).toString(),
  /** What the bot's managed role grants (what an invite link with sensible scopes would give). */
  bot: (
    PermissionFlagsBits.ViewChannel |
    PermissionFlagsBits.SendMessages |
    PermissionFlagsBits.SendMessagesInThreads |
    PermissionFlagsBits.CreatePublicThreads |
    PermissionFlagsBits.EmbedLinks |
    PermissionFlagsBits.AttachFiles |
    PermissionFlagsBits.AddReactions |
    PermissionFlagsBits.ReadMessageHistory |
    PermissionFlagsBits.UseApplicationCommands
  ).toString(),
  /** The "Moderator" role: Manage Server (1 << 5) and Manage Messages. */
  moderator: (PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ManageMessages).toString(),
  manageGuild: PermissionFlagsBits.ManageGuild.toString(),
  administrator: ALL_PERMISSIONS.toString(),
  none: '0',
} as const;

/** Where a global command is usable when it does not say (Discord's default). */
const ALL_CONTEXTS = [InteractionContextType.Guild, InteractionContextType.BotDM, InteractionContextType.PrivateChannel];

/** Message flags a bot may set when creating a message (others are ignored by Discord or set by it). */
const SETTABLE_MESSAGE_FLAGS =
  MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications | MessageFlags.IsComponentsV2;
const SETTABLE_INTERACTION_FLAGS = SETTABLE_MESSAGE_FLAGS | MessageFlags.Ephemeral;

// ---------------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------------

export interface DiscordEmulatorOptions {
  /** Bot token the emulator accepts; a realistic-looking one is generated by default. */
  token?: string;
  applicationId?: string;
  botUserId?: string;
  botUsername?: string;
  guildId?: string;
  guildName?: string;
  channelId?: string;
  channelName?: string;
  /** Start with the token revoked: every authenticated route answers 401 (discord.js login → TokenInvalid). */
  invalidToken?: boolean;
  /** Acknowledgement window for interactions; Discord's is 3000 ms. Lower it only for late-callback tests. */
  interactionResponseWindowMs?: number;
  interactionTokenLifetimeMs?: number;
  heartbeatIntervalMs?: number;
  /** Default timeout of the `waitFor*` helpers. */
  waitTimeoutMs?: number;
  /** Privileged intents "enabled in the developer portal"; IDENTIFY with others closes 4014. Default: all. */
  enabledPrivilegedIntents?: number;
  /** Dispatch MESSAGE_CREATE/UPDATE/DELETE for the bot's own messages, as Discord does. Default true. */
  echoBotMessages?: boolean;
  /** Refuse to inject a command that was never registered (Discord could not dispatch it). Default false. */
  requireRegisteredCommands?: boolean;
  /** Print unknown routes and gateway protocol errors as they happen (they are always recorded). Default true. */
  logProblems?: boolean;
  /** The `shards` GET /gateway/bot recommends (what discord.js's ShardingManager uses for 'auto'). Default 1. */
  recommendedShards?: number;
  /** Discord's REST rate limits (./emulator-rate-limits.ts), or false for none. Default: Discord's. */
  rateLimits?: RateLimitOptions | false;
  /**
   * Further guilds the bot is in, beside the main one (`emulator.otherGuilds`): each with its own owner,
   * @everyone and Moderator roles and one text channel. Interactions are injected into one with `guildId`.
   */
  otherGuilds?: number;
  /** Further guilds with these ids, beside `otherGuilds` (e.g. from `snowflakeOnShard()`, to place each on a shard). */
  otherGuildIds?: readonly string[];
}

/** A further guild (see `otherGuilds`): inject into it with `{ guildId }`. */
export interface EmulatedGuild {
  readonly guildId: string;
  readonly channelId: string;
  /** Its owner (has every permission in it). */
  readonly ownerUserId: string;
  readonly roleIds: { readonly everyone: string; readonly bot: string; readonly moderator: string };
}

interface OtherGuildState extends EmulatedGuild {
  name: string;
  roles: APIRole[];
  members: Map<string, APIGuildMember>;
  channel: GuildChannelRecord;
}

export interface RecordedFile {
  readonly field: string;
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
  /** The uploaded bytes, so a test can read an attached report. */
  readonly bytes: Uint8Array;
}

export interface RecordedRequest {
  readonly method: string;
  /** Path below `/api/v10`, percent-decoded (so `%40original` reads `@original`); CDN requests keep their full path. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** JSON body, or the `payload_json` part of a multipart body. */
  readonly body: unknown;
  readonly files: readonly RecordedFile[];
  readonly authorization: string | undefined;
  readonly at: number;
  status: number;
  errorCode?: number;
}

export interface UnknownRoute {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly at: number;
}

export interface DiscordErrorBody {
  code: number;
  message: string;
  errors?: FormErrorTree;
}

export interface FormErrorLeaf {
  code: string;
  message: string;
}

export interface FormErrorTree {
  [key: string]: FormErrorTree | FormErrorLeaf[] | undefined;
}

export interface RegisteredCommandBatch {
  /** `'global'` or the guild id. */
  readonly scope: string;
  readonly method: 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  readonly body: unknown;
  readonly at: number;
}

export interface InteractionCallbackRecord {
  readonly type: InteractionResponseType;
  /** Message data of types 4 and 7 (and flags of type 5). */
  readonly data: APIInteractionResponseCallbackData | undefined;
  /** Modal data of type 9. */
  readonly modal: APIModalInteractionResponseCallbackData | undefined;
  /** Autocomplete choices of type 8. */
  readonly choices: readonly APIApplicationCommandOptionChoice[] | undefined;
  readonly body: APIInteractionResponse;
  readonly withResponse: boolean;
  readonly files: readonly RecordedFile[];
  readonly at: number;
  /** Milliseconds from dispatching INTERACTION_CREATE to receiving this callback. */
  readonly elapsedMs: number;
}

export interface WebhookMessageRecord {
  readonly kind: 'edit' | 'followUp';
  /** The message id; `@original` resolved. */
  readonly messageId: string;
  readonly body: RESTPostAPIWebhookWithTokenJSONBody;
  readonly files: readonly RecordedFile[];
  /** The message as it stands after this request. */
  readonly message: APIMessage;
  /** A follow-up sent while the deferred "thinking" message was pending replaces it, as on Discord. */
  readonly replacedDeferredOriginal: boolean;
  readonly at: number;
  readonly elapsedMs: number;
}

export interface RejectedInteractionRequest {
  readonly kind: 'callback' | 'edit' | 'followUp' | 'fetch' | 'delete';
  readonly status: number;
  readonly error: DiscordErrorBody;
  readonly body: unknown;
  readonly at: number;
  readonly elapsedMs: number;
}

export interface ChannelMessageRecord {
  readonly channelId: string;
  readonly body: RESTPostAPIChannelMessageJSONBody;
  readonly files: readonly RecordedFile[];
  readonly message: APIMessage;
  readonly at: number;
}

export interface InjectedMessage {
  readonly id: string;
  /** The full message; sessions without the MESSAGE_CONTENT intent receive it with content stripped. */
  readonly payload: APIMessage;
  /** Number of gateway sessions it was dispatched to (0 when no session has the needed intent). */
  readonly deliveredTo: number;
}

export interface AddChannelOptions {
  type: 'text' | 'forum';
  name?: string;
  /** A forum's tags: names, or tags with `moderated` (only Manage Threads may apply them) and an emoji. */
  tags?: readonly (string | { name: string; moderated?: boolean; emoji?: string })[];
}

export interface AddedChannel {
  readonly channelId: string;
  /** Tag ids by tag name (forums). */
  readonly tagIds: Readonly<Record<string, string>>;
}

export interface InjectForumPostOptions {
  forumId: string;
  title: string;
  /** The starter message's text (sessions without MESSAGE_CONTENT get it empty, unless it mentions the bot). */
  content?: string;
  authorId?: string;
  username?: string;
  authorIsBot?: boolean;
  /** Tag ids applied at creation (at most 5, each one of the forum's). */
  tags?: readonly string[];
  /** When the post was created (its snowflake's time): a post from before the bot started. Default: now. */
  createdAt?: number;
}

export interface InjectedForumPost {
  readonly threadId: string;
  readonly starter: InjectedMessage;
}

export interface WaitOptions {
  timeoutMs?: number;
}

/** Who performs an injected interaction or message, and where. */
export interface InjectActorOptions {
  /** Default: the emulator's plain member (`emulator.userId`). */
  userId?: string;
  username?: string;
  globalName?: string;
  /** Role ids of the member (the @everyone role is implicit). Default: none. */
  roles?: string[];
  /** Member permission bitfield; default: computed from @everyone + `roles` (the owner has all). */
  permissions?: string | bigint;
  /** In the bot's DM channel with the user instead of the guild channel. */
  dm?: boolean;
  /** Guild text channel; default: `emulator.channelId`. */
  channelId?: string;
  /** One of `emulator.otherGuilds` (interactions only); default: the main guild. */
  guildId?: string;
  locale?: Locale;
}

export interface InjectInteractionCommonOptions extends InjectActorOptions {
  /** Override the acknowledgement window for this interaction only. */
  responseWindowMs?: number;
  /** Last-chance edit of the raw payload before dispatch. */
  mutate?: (payload: APIInteraction) => void;
}

/** A shorthand option value; an attachment (from `hostAttachment()`) becomes a type 11 option plus its `resolved` entry. */
export type CommandOptionValue = string | number | boolean | APIAttachment;

/**
 * Options as Discord sends them, or a `{ name: value }` shorthand typed from the registered command. With
 * `subcommand`, both forms are the subcommand's own options (they are nested under it).
 */
export type CommandOptionsInput =
  | APIApplicationCommandInteractionDataOption[]
  | Readonly<Record<string, CommandOptionValue>>;

export interface InjectCommandOptions extends InjectInteractionCommonOptions {
  commandName: string;
  /** Run this subcommand (option type 1): `options` become its options. */
  subcommand?: string;
  /** The group (option type 2) holding `subcommand`. */
  subcommandGroup?: string;
  options?: CommandOptionsInput;
  /** Check options against the registered definition (unknown/missing/out-of-range → throws). Default true. */
  validateOptions?: boolean;
}

export interface InjectAutocompleteOptions extends InjectInteractionCommonOptions {
  commandName: string;
  subcommand?: string;
  subcommandGroup?: string;
  /** The option the user is typing in; a registered command must declare it with `autocomplete: true`. */
  focused: string;
  /** What the user has typed so far (Discord sends the partial input as a string, whatever the option type). */
  value: string;
  /** Other options already filled in (required ones may be missing: the command is not complete yet). */
  options?: CommandOptionsInput;
  /** Check the options against the registered definition. Default true. */
  validateOptions?: boolean;
}

export type MessageTarget = string | APIMessage | InteractionHandle;

export interface InjectButtonOptions extends InjectInteractionCommonOptions {
  customId: string;
  /** The message carrying the button: an id, a message, or an interaction whose @original it is. */
  message?: MessageTarget;
}

export interface InjectModalSubmitOptions extends InjectInteractionCommonOptions {
  /**
   * The modal's custom_id. When the bot showed a modal with it (callback type 9), the submit mirrors that modal:
   * its layout, component ids, pre-filled values and required/length rules, and the message it was opened from.
   */
  customId: string;
  /** Text-input values by custom_id (inputs left out submit their pre-filled value, or ''). */
  fields: Readonly<Record<string, string>>;
  /** The component message the modal was opened from; default: the message of the interaction that showed it. */
  message?: MessageTarget;
}

export interface InjectMessageOptions {
  content: string;
  /** Default: the emulator's plain member. */
  authorId?: string;
  username?: string;
  globalName?: string;
  /** Author is a bot (for testing that the bot ignores bots). */
  authorIsBot?: boolean;
  /** Extra user ids mentioned (mentions in `<@id>` form in the content are parsed anyway). */
  mentions?: string[];
  roles?: string[];
  channelId?: string;
  dm?: boolean;
  /** Make it a reply to this message. */
  replyTo?: MessageTarget;
  /** Whether the reply pings the replied-to author (Discord's default: yes). */
  replyMention?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------------------------------------------

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Characters as Discord counts them (code points). */
function charCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

let snowflakeCounter = 0n;

/** A Discord-shaped id: @discordjs/rest only recognises 17–19 digit ids as route major parameters. */
export function snowflake(at: number = Date.now()): string {
  snowflakeCounter = (snowflakeCounter + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | snowflakeCounter).toString();
}

/** The shard that receives a guild's events among `shardCount` shards: Discord's `(guild_id >> 22) % num_shards`. */
export function shardIdForGuild(guildId: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`shardCount must be a positive integer, got ${shardCount}`);
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** A snowflake (e.g. a `guildId` option) that shard `shardId` of `shardCount` owns: its timestamp is nudged back. */
export function snowflakeOnShard(shardId: number, shardCount: number, at: number = Date.now()): string {
  if (!Number.isInteger(shardId) || shardId < 0 || shardId >= shardCount) {
    throw new RangeError(`shardId must be in [0, ${shardCount}), got ${shardId}`);
  }
  const sinceEpoch = BigInt(at) - DISCORD_EPOCH;
  const count = BigInt(shardCount);
  const back = (((sinceEpoch % count) - BigInt(shardId)) % count + count) % count;
  const id = snowflake(at - Number(back));
  if (shardIdForGuild(id, shardCount) !== shardId) throw new Error(`snowflakeOnShard: ${id} is not on shard ${shardId}`);
  return id;
}

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** Discord bot tokens are `base64(user id).timestamp.hmac`; some code decodes the first part. */
function makeBotToken(botUserId: string): string {
  return `${Buffer.from(botUserId).toString('base64url')}.${randomToken(5).slice(0, 6)}.${randomToken(28).slice(0, 38)}`;
}

function makeInteractionToken(interactionId: string): string {
  return `aW50ZXJhY3Rpb246${Buffer.from(`${interactionId}:${randomToken(48)}`).toString('base64url')}`;
}

function isoTime(at: number): string {
  return new Date(at).toISOString().replace('Z', '+00:00');
}

/** A Discord HTTP error; thrown by handlers and turned into the response. */
class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: DiscordErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${body.code}: ${body.message}`);
  }

  static of(template: ErrorTemplate): DiscordHttpError {
    return new DiscordHttpError(template.status, { code: template.code, message: template.message });
  }
}

/** Collects Discord's nested 50035 "Invalid Form Body" errors: `{ data: { content: { _errors: [...] } } }`. */
class FormErrors {
  readonly tree: FormErrorTree = {};
  private count = 0;

  add(path: readonly (string | number)[], code: string, message: string): void {
    let node = this.tree;
    for (const key of path) {
      const existing = node[String(key)];
      if (isObject(existing)) {
        node = existing as FormErrorTree;
      } else {
        const child: FormErrorTree = {};
        node[String(key)] = child;
        node = child;
      }
    }
    const leaves = (node._errors ??= []) as FormErrorLeaf[];
    leaves.push({ code, message });
    this.count += 1;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  throwIfAny(): void {
    if (this.empty) return;
    throw new DiscordHttpError(400, {
      code: RESTJSONErrorCodes.InvalidFormBodyOrContentType,
      message: 'Invalid Form Body',
      errors: this.tree,
    });
  }
}

type Path = readonly (string | number)[];

function checkMaxLength(errors: FormErrors, path: Path, value: unknown, max: number): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'string') {
    errors.add(path, 'BASE_TYPE_STRING', 'Must be a string.');
    return 0;
  }
  const length = charCount(value);
  if (length > max) errors.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  return length;
}

function checkLengthBetween(errors: FormErrors, path: Path, value: unknown, min: number, max: number): number {
  if (typeof value !== 'string') {
    errors.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return 0;
  }
  const length = charCount(value);
  if (length < min || length > max) {
    errors.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
  }
  return length;
}

// ---------------------------------------------------------------------------------------------------------------
// Message validation (limits Discord enforces with 50035 / 50006)
// ---------------------------------------------------------------------------------------------------------------

/** Validates one embed and returns the characters it contributes to the 6000 total. */
function validateEmbed(errors: FormErrors, path: Path, embed: unknown): number {
  if (!isObject(embed)) {
    errors.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return 0;
  }
  let total = 0;
  total += checkMaxLength(errors, [...path, 'title'], embed.title, DiscordLimits.embedTitle);
  total += checkMaxLength(errors, [...path, 'description'], embed.description, DiscordLimits.embedDescription);
  if (embed.fields !== undefined) {
    if (!Array.isArray(embed.fields)) {
      errors.add([...path, 'fields'], 'BASE_TYPE_LIST', 'Must be a list.');
    } else {
      if (embed.fields.length > DiscordLimits.embedFields) {
        errors.add([...path, 'fields'], 'BASE_TYPE_MAX_LENGTH', `Must be ${DiscordLimits.embedFields} or fewer in length.`);
      }
      embed.fields.forEach((field: unknown, index) => {
        const fieldPath = [...path, 'fields', index];
        if (!isObject(field)) {
          errors.add(fieldPath, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
          return;
        }
        total += checkLengthBetween(errors, [...fieldPath, 'name'], field.name, 1, DiscordLimits.embedFieldName);
        total += checkLengthBetween(errors, [...fieldPath, 'value'], field.value, 1, DiscordLimits.embedFieldValue);
      });
    }
  }
  if (isObject(embed.footer)) {
    total += checkMaxLength(errors, [...path, 'footer', 'text'], embed.footer.text, DiscordLimits.embedFooterText);
  }
  if (isObject(embed.author)) {
    total += checkMaxLength(errors, [...path, 'author', 'name'], embed.author.name, DiscordLimits.embedAuthorName);
  }
  return total;
}

function validateActionRows(errors: FormErrors, path: Path, components: unknown[], flags: number): void {
  // Components V2 messages have a different, much larger layout grammar; only the classic rows are checked.
  if ((flags & MessageFlags.IsComponentsV2) !== 0) return;
  if (components.length > DiscordLimits.actionRowsPerMessage) {
    errors.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${DiscordLimits.actionRowsPerMessage} or fewer in length.`);
  }
  components.forEach((row, rowIndex) => {
    const rowPath = [...path, rowIndex];
    if (!isObject(row) || row.type !== ComponentType.ActionRow || !Array.isArray(row.components)) {
      errors.add(rowPath, 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).');
      return;
    }
    if (row.components.length === 0 || row.components.length > DiscordLimits.componentsPerActionRow) {
      errors.add([...rowPath, 'components'], 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${DiscordLimits.componentsPerActionRow} in length.`);
    }
    row.components.forEach((component: unknown, index) => {
      const componentPath = [...rowPath, 'components', index];
      if (!isObject(component)) return;
      const isLinkLike = component.style === ButtonStyle.Link || component.style === ButtonStyle.Premium;
      if (component.type === ComponentType.Button && !isLinkLike) {
        checkLengthBetween(errors, [...componentPath, 'custom_id'], component.custom_id, 1, DiscordLimits.customId);
      } else if (component.type !== ComponentType.Button) {
        checkLengthBetween(errors, [...componentPath, 'custom_id'], component.custom_id, 1, DiscordLimits.customId);
      }
      if (component.type === ComponentType.Button) {
        checkMaxLength(errors, [...componentPath, 'label'], component.label, DiscordLimits.buttonLabel);
      }
    });
  });
}

/** Content, embeds and components limits; `path` prefixes the error keys (`['data']` for callbacks). */
function validateMessageFields(errors: FormErrors, path: Path, body: JsonObject): void {
  checkMaxLength(errors, [...path, 'content'], body.content, DiscordLimits.messageContent);
  if (body.embeds !== undefined && body.embeds !== null) {
    if (!Array.isArray(body.embeds)) {
      errors.add([...path, 'embeds'], 'BASE_TYPE_LIST', 'Must be a list.');
    } else {
      if (body.embeds.length > DiscordLimits.embedsPerMessage) {
        errors.add([...path, 'embeds'], 'BASE_TYPE_MAX_LENGTH', `Must be ${DiscordLimits.embedsPerMessage} or fewer in length.`);
      }
      const total = body.embeds.reduce<number>(
        (sum, embed: unknown, index) => sum + validateEmbed(errors, [...path, 'embeds', index], embed),
        0,
      );
      if (total > DiscordLimits.embedTotalCharacters) {
        errors.add(
          [...path, 'embeds'],
          'MAX_EMBED_SIZE_EXCEEDED',
          `Embed size exceeds maximum size of ${DiscordLimits.embedTotalCharacters}`,
        );
      }
    }
  }
  if (body.components !== undefined && body.components !== null) {
    if (!Array.isArray(body.components)) errors.add([...path, 'components'], 'BASE_TYPE_LIST', 'Must be a list.');
    else validateActionRows(errors, [...path, 'components'], body.components, Number(body.flags ?? 0));
  }
}

/** Discord refuses a message with nothing to show (50006); whitespace-only content counts as nothing. */
function isEmptyMessage(fields: JsonObject, fileCount: number): boolean {
  const hasContent = typeof fields.content === 'string' && fields.content.trim().length > 0;
  const nonEmpty = (value: unknown): boolean => Array.isArray(value) && value.length > 0;
  return (
    !hasContent &&
    !nonEmpty(fields.embeds) &&
    !nonEmpty(fields.components) &&
    !nonEmpty(fields.sticker_ids) &&
    !nonEmpty(fields.attachments) &&
    fields.poll === undefined &&
    fileCount === 0
  );
}

function validateNewMessage(body: unknown, path: Path, fileCount: number): JsonObject {
  const fields = isObject(body) ? body : {};
  const errors = new FormErrors();
  validateMessageFields(errors, path, fields);
  errors.throwIfAny();
  if (isEmptyMessage(fields, fileCount)) throw DiscordHttpError.of(DiscordErrors.emptyMessage);
  return fields;
}

/** A text input of a modal; the classic action-row form needs its own label, the Label form carries it outside. */
function validateTextInput(errors: FormErrors, path: Path, input: JsonObject, needsLabel: boolean): void {
  checkLengthBetween(errors, [...path, 'custom_id'], input.custom_id, 1, DiscordLimits.customId);
  if (input.style !== TextInputStyle.Short && input.style !== TextInputStyle.Paragraph) {
    errors.add([...path, 'style'], 'BASE_TYPE_CHOICES', `Value must be one of (${TextInputStyle.Short}, ${TextInputStyle.Paragraph}).`);
  }
  if (needsLabel) checkLengthBetween(errors, [...path, 'label'], input.label, 1, DiscordLimits.textInputLabel);
  else checkMaxLength(errors, [...path, 'label'], input.label, DiscordLimits.textInputLabel);
  checkMaxLength(errors, [...path, 'placeholder'], input.placeholder, DiscordLimits.textInputPlaceholder);
  checkMaxLength(errors, [...path, 'value'], input.value, DiscordLimits.textInputValue);
  for (const [key, min] of [['min_length', 0], ['max_length', 1]] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > DiscordLimits.textInputValue) {
      errors.add([...path, key], 'NUMBER_TYPE_MAX', `Must be between ${min} and ${DiscordLimits.textInputValue}.`);
    }
  }
}

/**
 * A modal's top level holds action rows of exactly one text input (the classic form), labels wrapping one input,
 * or text displays; custom_ids must be unique, since the submit reports values by custom_id.
 */
function validateModalComponents(errors: FormErrors, components: readonly unknown[]): void {
  const seen = new Set<string>();
  const noteCustomId = (path: Path, component: JsonObject): void => {
    if (typeof component.custom_id !== 'string') return;
    if (seen.has(component.custom_id)) errors.add([...path, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
    seen.add(component.custom_id);
  };
  components.forEach((component, index) => {
    const path = ['data', 'components', index];
    if (!isObject(component)) {
      errors.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    if (component.type === ComponentType.ActionRow) {
      const children = Array.isArray(component.components) ? component.components : [];
      if (children.length !== 1) errors.add([...path, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 1 in length.');
      children.forEach((child: unknown, childIndex) => {
        const childPath = [...path, 'components', childIndex];
        if (!isObject(child) || child.type !== ComponentType.TextInput) {
          errors.add(childPath, 'UNION_TYPE_CHOICES', `Value of field "type" must be one of (${ComponentType.TextInput},).`);
          return;
        }
        validateTextInput(errors, childPath, child, true);
        noteCustomId(childPath, child);
      });
    } else if (component.type === ComponentType.Label) {
      checkLengthBetween(errors, [...path, 'label'], component.label, 1, DiscordLimits.textInputLabel);
      const child = component.component;
      const childPath = [...path, 'component'];
      if (!isObject(child)) {
        errors.add(childPath, 'BASE_TYPE_REQUIRED', 'This field is required');
      } else {
        if (child.type === ComponentType.TextInput) validateTextInput(errors, childPath, child, false);
        else checkLengthBetween(errors, [...childPath, 'custom_id'], child.custom_id, 1, DiscordLimits.customId);
        noteCustomId(childPath, child);
      }
    } else if (component.type !== ComponentType.TextDisplay) {
      const allowed = [ComponentType.ActionRow, ComponentType.TextDisplay, ComponentType.Label].join(', ');
      errors.add(path, 'UNION_TYPE_CHOICES', `Value of field "type" must be one of (${allowed}).`);
    }
  });
}

function validateModal(data: unknown): APIModalInteractionResponseCallbackData {
  const errors = new FormErrors();
  const modal = isObject(data) ? data : {};
  checkLengthBetween(errors, ['data', 'custom_id'], modal.custom_id, 1, DiscordLimits.customId);
  checkLengthBetween(errors, ['data', 'title'], modal.title, 1, DiscordLimits.modalTitle);
  const components = Array.isArray(modal.components) ? modal.components : [];
  if (components.length === 0 || components.length > DiscordLimits.modalComponents) {
    errors.add(['data', 'components'], 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${DiscordLimits.modalComponents} in length.`);
  }
  validateModalComponents(errors, components);
  errors.throwIfAny();
  return modal as unknown as APIModalInteractionResponseCallbackData;
}

/**
 * Type 8 callbacks: at most 25 choices, names 1–100 characters, string values up to 100, and values of the focused
 * option's type (Discord cannot fill an integer option with a string choice).
 */
function validateAutocompleteChoices(data: unknown, focusedType: ApplicationCommandOptionType | undefined): APIApplicationCommandOptionChoice[] {
  const errors = new FormErrors();
  const choices = isObject(data) ? data.choices : undefined;
  if (!Array.isArray(choices)) {
    errors.add(['data', 'choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
    errors.throwIfAny();
    return [];
  }
  if (choices.length > DiscordLimits.autocompleteChoices) {
    errors.add(['data', 'choices'], 'BASE_TYPE_MAX_LENGTH', `Must be ${DiscordLimits.autocompleteChoices} or fewer in length.`);
  }
  choices.forEach((choice: unknown, index) => {
    const path = ['data', 'choices', index];
    if (!isObject(choice)) {
      errors.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    checkLengthBetween(errors, [...path, 'name'], choice.name, 1, DiscordLimits.autocompleteChoiceName);
    const value = choice.value;
    if (value === undefined || value === null) {
      errors.add([...path, 'value'], 'BASE_TYPE_REQUIRED', 'This field is required');
    } else if (focusedType === ApplicationCommandOptionType.Integer || focusedType === ApplicationCommandOptionType.Number) {
      const valid = typeof value === 'number' && (focusedType === ApplicationCommandOptionType.Number || Number.isInteger(value));
      if (!valid) {
        const kind = focusedType === ApplicationCommandOptionType.Integer ? 'int' : 'number';
        errors.add([...path, 'value'], 'NUMBER_TYPE_COERCE', `Value "${String(value)}" is not ${kind}.`);
      }
    } else if (focusedType === ApplicationCommandOptionType.String || typeof value === 'string') {
      // checkMaxLength also rejects a non-string value (BASE_TYPE_STRING).
      checkMaxLength(errors, [...path, 'value'], value, DiscordLimits.autocompleteChoiceValue);
    } else if (typeof value !== 'number') {
      errors.add([...path, 'value'], 'BASE_TYPE_STRING', 'Must be a string.');
    }
  });
  errors.throwIfAny();
  return choices as APIApplicationCommandOptionChoice[];
}

// ---------------------------------------------------------------------------------------------------------------
// Application command validation (bulk overwrite / create)
// ---------------------------------------------------------------------------------------------------------------

/** Discord's rule for CHAT_INPUT command and option names (and they must be lower case). */
const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function checkChatInputName(errors: FormErrors, path: Path, name: unknown): number {
  if (typeof name !== 'string') {
    errors.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return 0;
  }
  if (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase()) {
    errors.add(path, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  }
  return charCount(name);
}

function isSubcommandLike(option: JsonObject): boolean {
  return (
    option.type === ApplicationCommandOptionType.Subcommand ||
    option.type === ApplicationCommandOptionType.SubcommandGroup
  );
}

/** Validates an options array (recursively) and returns its characters for the 4000 total. */
function validateCommandOptions(errors: FormErrors, path: Path, options: unknown): number {
  if (options === undefined || options === null) return 0;
  if (!Array.isArray(options)) {
    errors.add(path, 'BASE_TYPE_LIST', 'Must be a list.');
    return 0;
  }
  if (options.length > DiscordLimits.commandOptions) {
    errors.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${DiscordLimits.commandOptions} or fewer in length.`);
  }
  let total = 0;
  let seenOptional = false;
  const names = new Set<string>();
  options.forEach((option: unknown, index) => {
    const optionPath = [...path, index];
    if (!isObject(option)) {
      errors.add(optionPath, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    total += checkChatInputName(errors, [...optionPath, 'name'], option.name);
    if (typeof option.name === 'string') {
      if (names.has(option.name)) {
        errors.add([...optionPath, 'name'], 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', 'Option name already exists');
      }
      names.add(option.name);
    }
    total += checkLengthBetween(errors, [...optionPath, 'description'], option.description, 1, DiscordLimits.commandDescription);
    if (option.required === true && seenOptional) {
      errors.add(optionPath, 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options');
    }
    if (option.required !== true && !isSubcommandLike(option)) seenOptional = true;
    if (option.choices !== undefined) {
      if (option.autocomplete === true) {
        errors.add([...optionPath, 'autocomplete'], 'APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE', 'Autocomplete cannot be set with choices');
      }
      const choices = Array.isArray(option.choices) ? option.choices : [];
      if (choices.length > DiscordLimits.commandChoices) {
        errors.add([...optionPath, 'choices'], 'BASE_TYPE_MAX_LENGTH', `Must be ${DiscordLimits.commandChoices} or fewer in length.`);
      }
      choices.forEach((choice: unknown, choiceIndex) => {
        if (!isObject(choice)) return;
        const choicePath = [...optionPath, 'choices', choiceIndex];
        total += checkLengthBetween(errors, [...choicePath, 'name'], choice.name, 1, DiscordLimits.commandChoiceName);
        if (typeof choice.value === 'string') {
          total += checkLengthBetween(errors, [...choicePath, 'value'], choice.value, 1, DiscordLimits.commandChoiceStringValue);
        } else {
          total += String(choice.value).length;
        }
      });
    }
    for (const key of ['min_length', 'max_length'] as const) {
      const value = option[key];
      if (value === undefined) continue;
      const min = key === 'max_length' ? 1 : 0;
      if (typeof value !== 'number' || value < min || value > DiscordLimits.commandStringOptionLength) {
        errors.add([...optionPath, key], 'NUMBER_TYPE_MAX', `Must be between ${min} and ${DiscordLimits.commandStringOptionLength}.`);
      }
    }
    if (isSubcommandLike(option)) total += validateCommandOptions(errors, [...optionPath, 'options'], option.options);
  });
  return total;
}

function validateCommand(errors: FormErrors, path: Path, command: unknown): void {
  if (!isObject(command)) {
    errors.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return;
  }
  const type = command.type ?? ApplicationCommandType.ChatInput;
  let total = 0;
  if (type === ApplicationCommandType.ChatInput) {
    total += checkChatInputName(errors, [...path, 'name'], command.name);
    total += checkLengthBetween(errors, [...path, 'description'], command.description, 1, DiscordLimits.commandDescription);
    total += validateCommandOptions(errors, [...path, 'options'], command.options);
  } else {
    total += checkLengthBetween(errors, [...path, 'name'], command.name, 1, DiscordLimits.commandName);
    if (typeof command.description === 'string' && command.description !== '') {
      errors.add([...path, 'description'], 'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION', 'Context menu commands cannot have a description');
    }
    if (command.options !== undefined) {
      errors.add([...path, 'options'], 'APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS', 'Context menu commands cannot have options');
    }
  }
  if (total > DiscordLimits.commandTotalCharacters) {
    errors.add(path, 'APPLICATION_COMMAND_TOO_LARGE', `Command exceeds maximum size (${DiscordLimits.commandTotalCharacters})`);
  }
}

function validateCommandList(body: unknown, isGlobal: boolean): JsonObject[] {
  const errors = new FormErrors();
  if (!Array.isArray(body)) {
    errors.add([], 'BASE_TYPE_LIST', 'Must be a list.');
    errors.throwIfAny();
    return [];
  }
  body.forEach((command: unknown, index) => validateCommand(errors, [index], command));
  const seen = new Set<string>();
  const perType = new Map<number, number>();
  body.forEach((command: unknown, index) => {
    if (!isObject(command)) return;
    const type = Number(command.type ?? ApplicationCommandType.ChatInput);
    const key = `${type}:${String(command.name)}`;
    if (seen.has(key)) errors.add([index, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique');
    seen.add(key);
    perType.set(type, (perType.get(type) ?? 0) + 1);
  });
  const chatInputCount = perType.get(ApplicationCommandType.ChatInput) ?? 0;
  if (isGlobal && chatInputCount > DiscordLimits.globalChatInputCommands) {
    errors.add([], 'BASE_TYPE_MAX_LENGTH', `Must be ${DiscordLimits.globalChatInputCommands} or fewer in length.`);
  }
  for (const type of [ApplicationCommandType.User, ApplicationCommandType.Message]) {
    if ((perType.get(type) ?? 0) > DiscordLimits.contextMenuCommands) {
      errors.add([], 'APPLICATION_COMMANDS_TOO_MANY_CONTEXT_MENU', `Max ${DiscordLimits.contextMenuCommands} context menu commands of each type`);
    }
  }
  errors.throwIfAny();
  return body as JsonObject[];
}

// ---------------------------------------------------------------------------------------------------------------
// Request bodies
// ---------------------------------------------------------------------------------------------------------------

async function readRequestBody(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const joined = Buffer.concat(chunks);
  const copy = new Uint8Array(joined.length);
  copy.set(joined);
  return copy;
}

/** JSON, or multipart/form-data whose `payload_json` part is the JSON body and whose file parts are recorded. */
async function parseRequestBody(
  contentType: string | undefined,
  raw: Uint8Array<ArrayBuffer>,
): Promise<{ body: unknown; files: RecordedFile[] }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'multipart/form-data') {
    const form = await new Response(raw, { headers: { 'content-type': contentType ?? '' } }).formData();
    let body: JsonObject = {};
    const files: RecordedFile[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value !== 'string') {
        files.push({ field, name: value.name, size: value.size, contentType: value.type, bytes: new Uint8Array(await value.arrayBuffer()) });
      } else if (field === 'payload_json') {
        const parsed = parseJson(value);
        body = isObject(parsed) ? { ...body, ...parsed } : body;
      } else {
        body[field] = value;
      }
    }
    checkUploads(files);
    return { body, files };
  }
  return { body: parseJson(Buffer.from(raw).toString('utf8')), files: [] };
}

/** Discord refuses more than 10 files in one message (50035) and a request over the upload limit (40005). */
function checkUploads(files: readonly RecordedFile[]): void {
  if (files.reduce((total, file) => total + file.size, 0) > DiscordLimits.uploadBytes) {
    throw new DiscordHttpError(413, { code: RESTJSONErrorCodes.RequestEntityTooLarge, message: 'Request entity too large' });
  }
  if (files.length > DiscordLimits.attachmentsPerMessage) {
    const errors = new FormErrors();
    errors.add(['attachments'], 'BASE_TYPE_MAX_LENGTH', `Must be ${DiscordLimits.attachmentsPerMessage} or fewer in length.`);
    errors.throwIfAny();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw DiscordHttpError.of(DiscordErrors.invalidJson);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Waitable record lists
// ---------------------------------------------------------------------------------------------------------------

interface Waiter<T> {
  predicate: (item: T) => boolean;
  resolve: (item: T) => void;
  reject: (error: Error) => void;
}

/**
 * A list of records that tests can await. A wait resolves with the first record (past or future) matching the
 * predicate; a terminal failure (e.g. the interaction expired) rejects current and later waits at once.
 */
export class WaitableList<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();
  private terminal: Error | undefined;

  push(item: T): void {
    this.items.push(item);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(item)) waiter.resolve(item);
    }
  }

  fail(error: Error): void {
    this.terminal ??= error;
    for (const waiter of [...this.waiters]) waiter.reject(error);
  }

  wait(predicate: (item: T) => boolean, timeoutMs: number, describeTimeout: () => string): Promise<T> {
    const existing = this.items.find(predicate);
    if (existing !== undefined) return Promise.resolve(existing);
    if (this.terminal) return Promise.reject(this.terminal);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        predicate,
        resolve: (item) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(item);
        },
        reject: (error) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(error);
        },
      };
      const timer = setTimeout(() => waiter.reject(new Error(describeTimeout())), timeoutMs);
      this.waiters.add(waiter);
    });
  }
}

function summarize(value: unknown, max = 160): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

// ---------------------------------------------------------------------------------------------------------------
// Payload builders
// ---------------------------------------------------------------------------------------------------------------

function buildUser(id: string, username: string, options: { bot?: boolean; globalName?: string | null } = {}): APIUser {
  return {
    id,
    username,
    discriminator: '0',
    global_name: options.globalName ?? (options.bot ? null : username),
    avatar: null,
    ...(options.bot ? { bot: true } : {}),
    public_flags: NO_FLAGS as UserFlags,
    flags: NO_FLAGS as UserFlags,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
  };
}

function buildRole(id: string, name: string, permissions: string, position: number, extra: Partial<APIRole> = {}): APIRole {
  return {
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions,
    managed: false,
    mentionable: false,
    flags: NO_FLAGS as RoleFlags,
    ...extra,
  };
}

function buildMember(user: APIUser, roles: string[], joinedAt: string): APIGuildMember {
  return {
    user,
    nick: null,
    avatar: null,
    banner: null,
    roles,
    joined_at: joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: NO_FLAGS as GuildMemberFlags,
    pending: false,
    communication_disabled_until: null,
  };
}

/** Gateway message payloads carry the author's member without its `user` (that is the `author`). */
function memberWithoutUser(member: APIGuildMember): Omit<APIGuildMember, 'user'> {
  const { user: _user, ...rest } = member;
  return rest;
}

function attachmentsFromFiles(files: readonly RecordedFile[], channelId: string): APIAttachment[] {
  return files.map((file) => {
    const id = snowflake();
    const url = `https://cdn.discordapp.com/attachments/${channelId}/${id}/${encodeURIComponent(file.name)}`;
    return { id, filename: file.name, size: file.size, url, proxy_url: url, content_type: file.contentType };
  });
}

/**
 * Discord cleans uploaded file names like werkzeug's secure_filename (spaces become `_`, `my notes (v2).md` becomes
 * `my_notes_v2.md`), so a bot must use `attachment.name` and not the name the user had locally.
 */
function secureFilename(name: string): string {
  const ascii = [...name.normalize('NFKD')].filter((char) => (char.codePointAt(0) ?? 0) < 0x80).join('');
  const cleaned = ascii
    .replace(/[/\\]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .join('_')
    .replace(/[^A-Za-z0-9_.-]/g, '')
    .replace(/^[._]+|[._]+$/g, '');
  return cleaned || 'unknown';
}

function contentTypeFor(filename: string): string | undefined {
  const dot = filename.lastIndexOf('.');
  return dot < 0 ? undefined : CONTENT_TYPES_BY_EXTENSION[filename.slice(dot + 1).toLowerCase()];
}

/** Discord's signed CDN query (`ex` expiry, `is` issue time, `hm` signature), trailing `&` included. */
function signedCdnQuery(at: number): string {
  const hexSeconds = (ms: number): string => Math.floor(ms / 1000).toString(16);
  return `?ex=${hexSeconds(at + ATTACHMENT_LINK_LIFETIME_MS)}&is=${hexSeconds(at)}&hm=${randomBytes(32).toString('hex')}&`;
}

function isAttachmentValue(value: unknown): value is APIAttachment {
  return isObject(value) && typeof value.id === 'string' && typeof value.filename === 'string' && typeof value.url === 'string';
}

interface MessageInit {
  id?: string;
  channelId: string;
  author: APIUser;
  content?: string;
  embeds?: APIEmbed[];
  components?: APIMessage['components'];
  attachments?: APIAttachment[];
  flags?: number;
  type?: MessageType;
  mentions?: APIUser[];
  mentionRoles?: string[];
  mentionEveryone?: boolean;
  reference?: APIMessage['message_reference'];
  referencedMessage?: APIMessage | null;
  extra?: Partial<APIMessage>;
  at: number;
}

function buildMessage(init: MessageInit): APIMessage {
  return {
    id: init.id ?? snowflake(init.at),
    channel_id: init.channelId,
    author: init.author,
    content: init.content ?? '',
    timestamp: isoTime(init.at),
    edited_timestamp: null,
    tts: false,
    mention_everyone: init.mentionEveryone ?? false,
    mentions: init.mentions ?? [],
    mention_roles: init.mentionRoles ?? [],
    attachments: init.attachments ?? [],
    embeds: init.embeds ?? [],
    components: init.components ?? [],
    pinned: false,
    type: init.type ?? MessageType.Default,
    flags: init.flags ?? 0,
    ...(init.reference ? { message_reference: init.reference } : {}),
    ...(init.referencedMessage !== undefined ? { referenced_message: init.referencedMessage } : {}),
    ...init.extra,
  };
}

/** The content, embeds, attachments and components a session without MESSAGE_CONTENT does not get. */
function redactContent(message: APIMessage): APIMessage {
  return { ...message, content: '', embeds: [], attachments: [], components: [] };
}

function collectCustomIds(components: readonly unknown[] | undefined): string[] {
  const ids: string[] = [];
  const visit = (node: unknown): void => {
    if (!isObject(node)) return;
    if (typeof node.custom_id === 'string') ids.push(node.custom_id);
    if (Array.isArray(node.components)) node.components.forEach(visit);
    if (node.component !== undefined) visit(node.component);
    if (node.accessory !== undefined) visit(node.accessory);
  };
  components?.forEach(visit);
  return ids;
}

/** The component with `customId` anywhere in a message's component tree (rows, sections, containers). */
function findComponent(components: readonly unknown[] | undefined, customId: string): JsonObject | undefined {
  let found: JsonObject | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined || !isObject(node)) return;
    if (node.custom_id === customId) {
      found = node;
      return;
    }
    if (Array.isArray(node.components)) node.components.forEach(visit);
    if (node.component !== undefined) visit(node.component);
    if (node.accessory !== undefined) visit(node.accessory);
  };
  components?.forEach(visit);
  return found;
}

/** The Discord client checks a text input's required flag and length bounds before it lets the user submit. */
function checkTextInputValue(input: JsonObject, value: string, what: string): void {
  const length = charCount(value);
  if (length === 0) {
    if (input.required !== false) throw new Error(`${what} is required; the Discord client cannot submit the modal without it`);
    return;
  }
  const min = typeof input.min_length === 'number' ? input.min_length : 0;
  const max = typeof input.max_length === 'number' ? input.max_length : DiscordLimits.textInputValue;
  if (length < min || length > max) throw new Error(`${what}: length ${length} is outside [${min}, ${max}]`);
}

/**
 * MODAL_SUBMIT `data.components` for a modal the bot showed: the same layout (action rows or labels, text
 * displays), every component with its numeric id, text inputs with their values. Only text inputs can be filled;
 * other inputs in labels (selects, file uploads) are submitted empty.
 */
function modalSubmitComponents(
  modal: APIModalInteractionResponseCallbackData,
  fields: Readonly<Record<string, string>>,
  where: string,
): JsonObject[] {
  const inputIds = collectCustomIds(modal.components);
  const unknown = Object.keys(fields).filter((customId) => !inputIds.includes(customId));
  if (unknown.length > 0) {
    throw new Error(
      `${where} has no input ${unknown.map((id) => `"${id}"`).join(', ')} (it has: ${inputIds.join(', ') || 'none'}); ` +
        'Discord could not submit it.',
    );
  }
  let counter = 0;
  // Discord numbers the components a bot left without an `id` in layout order, from 1.
  const idOf = (component: JsonObject): number => {
    counter += 1;
    return typeof component.id === 'number' ? component.id : counter;
  };
  const submitInput = (input: JsonObject): JsonObject => {
    const id = idOf(input);
    const customId = String(input.custom_id);
    if (input.type !== ComponentType.TextInput) {
      if (fields[customId] !== undefined) throw new Error(`${where}: "${customId}" is not a text input; only text inputs can be filled`);
      return { type: input.type, id, custom_id: customId, values: [] };
    }
    const value = fields[customId] ?? (typeof input.value === 'string' ? input.value : '');
    checkTextInputValue(input, value, `${where}: text input "${customId}"`);
    return { type: ComponentType.TextInput, id, custom_id: customId, value };
  };
  return (modal.components as unknown[]).filter(isObject).map((component): JsonObject => {
    if (component.type === ComponentType.ActionRow) {
      const id = idOf(component);
      const children = Array.isArray(component.components) ? component.components.filter(isObject) : [];
      return { type: ComponentType.ActionRow, id, components: children.map(submitInput) };
    }
    if (component.type === ComponentType.Label && isObject(component.component)) {
      const id = idOf(component);
      return { type: ComponentType.Label, id, component: submitInput(component.component) };
    }
    return { type: component.type, id: idOf(component) };
  });
}

/** MODAL_SUBMIT components for a modal the emulator never saw: one action row per text input. */
function freeformModalSubmitComponents(fields: Readonly<Record<string, string>>): JsonObject[] {
  return Object.entries(fields).map(([customId, value], index) => ({
    type: ComponentType.ActionRow,
    id: index * 2 + 1,
    components: [{ type: ComponentType.TextInput, id: index * 2 + 2, custom_id: customId, value }],
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Interaction handle
// ---------------------------------------------------------------------------------------------------------------

/** The test's view of one injected interaction: what the bot answered, and when. */
export class InteractionHandle {
  readonly callbacks = new WaitableList<InteractionCallbackRecord>();
  readonly edits = new WaitableList<WebhookMessageRecord>();
  readonly followUps = new WaitableList<WebhookMessageRecord>();
  /** Every state the @original message went through (reply, loading, each edit). */
  readonly originalStates = new WaitableList<APIMessage>();
  readonly rejected: RejectedInteractionRequest[] = [];

  constructor(
    readonly payload: APIInteraction,
    /** When INTERACTION_CREATE was written to the gateway (Date.now()). */
    readonly dispatchedAt: number,
    private readonly defaultTimeoutMs: number,
    private readonly describeRecentRequests: () => string,
  ) {}

  get id(): string {
    return this.payload.id;
  }

  get token(): string {
    return this.payload.token;
  }

  /** The current @original message, if the bot has created one. */
  originalMessage(): APIMessage | undefined {
    return this.originalStates.items.at(-1);
  }

  /** The first accepted callback (reply, defer, update, modal). Rejects at once if the interaction expired. */
  waitForCallback(options: WaitOptions = {}): Promise<InteractionCallbackRecord> {
    return this.callbacks.wait(() => true, this.timeout(options), () => this.timeoutMessage('an interaction callback'));
  }

  /** The first PATCH of @original matching `predicate` (past or future); use the predicate to pick the final one. */
  waitForEdit(predicate: (edit: WebhookMessageRecord) => boolean = () => true, options: WaitOptions = {}): Promise<WebhookMessageRecord> {
    return this.edits.wait(predicate, this.timeout(options), () => this.timeoutMessage('an edit of @original'));
  }

  waitForFollowUp(
    predicate: (followUp: WebhookMessageRecord) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<WebhookMessageRecord> {
    return this.followUps.wait(predicate, this.timeout(options), () => this.timeoutMessage('a follow-up message'));
  }

  /**
   * The @original message once it matches `predicate` (default: no longer "thinking"), however the bot got there:
   * a direct reply, or a defer followed by edits.
   */
  waitForOriginal(
    predicate: (message: APIMessage) => boolean = (message) => ((message.flags ?? 0) & MessageFlags.Loading) === 0,
    options: WaitOptions = {},
  ): Promise<APIMessage> {
    return this.originalStates.wait(predicate, this.timeout(options), () => this.timeoutMessage('the @original message'));
  }

  /** @internal */
  recordRejection(rejection: RejectedInteractionRequest): void {
    this.rejected.push(rejection);
    if (rejection.kind === 'callback' && rejection.error.code === RESTJSONErrorCodes.UnknownInteraction) {
      this.callbacks.fail(new Error(`${this.describe()} expired: ${this.describeRejection(rejection)}`));
    }
  }

  private timeout(options: WaitOptions): number {
    return options.timeoutMs ?? this.defaultTimeoutMs;
  }

  private describe(): string {
    const data: unknown = this.payload.data;
    const name = isObject(data) && typeof data.name === 'string' ? `/${data.name}` : isObject(data) ? String(data.custom_id) : '';
    return `interaction ${this.id} (${InteractionType[this.payload.type]} ${name})`;
  }

  private describeRejection(rejection: RejectedInteractionRequest): string {
    return `${rejection.kind} → ${rejection.status} ${rejection.error.code} "${rejection.error.message}" at +${rejection.elapsedMs} ms`;
  }

  private timeoutMessage(what: string): string {
    const lines = [
      `Timed out waiting for ${what} of ${this.describe()}.`,
      `  callbacks: ${this.callbacks.items.map((c) => `type ${c.type} at +${c.elapsedMs} ms`).join(', ') || 'none'}`,
      `  edits: ${this.edits.items.map((e) => summarize(e.body, 100)).join(' | ') || 'none'}`,
      `  follow-ups: ${this.followUps.items.map((f) => summarize(f.body, 100)).join(' | ') || 'none'}`,
      `  rejected: ${this.rejected.map((r) => this.describeRejection(r)).join('; ') || 'none'}`,
      `  recent requests: ${this.describeRecentRequests()}`,
    ];
    return lines.join('\n');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Gateway
// ---------------------------------------------------------------------------------------------------------------

interface GatewayPayload {
  op: GatewayOpcodes;
  d: unknown;
  s: number | null;
  t: string | null;
}

/** An identified gateway session; survives its socket so it can be resumed. */
interface GatewaySession {
  readonly id: string;
  readonly identify: GatewayIdentifyData;
  /** `[shard_id, num_shards]` from IDENTIFY; [0, 1] when it sent none. */
  readonly shard: readonly [number, number];
  readonly intents: number;
  sequence: number;
  socket: WebSocket | undefined;
  readonly log: GatewayPayload[];
}

/**
 * Which sessions an event goes to, as Discord routes it among shards: a guild's events to the session owning the
 * guild, DM events to shard 0, and the rest to every session.
 */
type Audience = { readonly guildId: string } | 'dm' | 'all';

export interface GatewayClose {
  readonly code: number;
  readonly reason: string;
  readonly at: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------------------------

interface RouteContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly files: readonly RecordedFile[];
  readonly at: number;
}

interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Route {
  readonly method: string;
  /** `/channels/:channelId/messages`: the rate-limit bucket's route. */
  readonly template: string;
  readonly segments: readonly string[];
  /** Interaction callbacks and webhook-token routes are authenticated by their token, not the bot token. */
  readonly auth: 'bot' | 'none';
  readonly handle: (ctx: RouteContext) => RouteResult | Promise<RouteResult>;
}

function matchRoute(route: Route, segments: readonly string[]): Record<string, string> | undefined {
  if (route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i += 1) {
    const expected = route.segments[i] ?? '';
    const actual = segments[i] ?? '';
    if (expected.startsWith(':')) params[expected.slice(1)] = actual;
    else if (expected !== actual) return undefined;
  }
  return params;
}

const json = (body: unknown, status = 200): RouteResult => ({ status, body });
const noContent = (): RouteResult => ({ status: 204 });

// ---------------------------------------------------------------------------------------------------------------
// Interaction state
// ---------------------------------------------------------------------------------------------------------------

interface InteractionState {
  readonly payload: APIInteraction;
  readonly handle: InteractionHandle;
  readonly responseWindowMs: number;
  acknowledgement: InteractionResponseType | undefined;
  originalMessageId: string | undefined;
  /** A defer (type 5) whose "thinking" message has not been edited or replaced yet. */
  originalIsLoading: boolean;
  ephemeral: boolean;
  readonly followUpIds: Set<string>;
}

interface StoredMessage {
  message: APIMessage;
  readonly ephemeral: boolean;
}

/** A modal the bot showed (callback type 9), kept so that a submit can mirror it. */
interface ShownModal {
  readonly modal: APIModalInteractionResponseCallbackData;
  readonly source: InteractionState;
  /** Discord closes a modal on submit: each showing is submitted at most once. */
  submitted: boolean;
}

/** A file served by the emulator's CDN (`hostAttachment()`). */
interface HostedAttachment {
  readonly attachment: APIAttachment;
  readonly bytes: Buffer;
}

type GuildChannelRecord = APITextChannel | APIGuildForumChannel | APIThreadChannel;

/** A forum post or a thread started from a message: channel types 11 (public thread). */
function isThread(channel: GuildChannelRecord | APIDMChannel | undefined): channel is APIThreadChannel {
  return channel?.type === ChannelType.PublicThread || channel?.type === ChannelType.PrivateThread || channel?.type === ChannelType.AnnouncementThread;
}

/** Snowflakes compare as numbers: newest first. */
function byIdDescending(a: { id: string }, b: { id: string }): number {
  const x = BigInt(a.id);
  const y = BigInt(b.id);
  return x < y ? 1 : x > y ? -1 : 0;
}

type MessageEvent = GatewayDispatchEvents.MessageCreate | GatewayDispatchEvents.MessageUpdate;

interface ValidatedCallback {
  type: InteractionResponseType;
  data: JsonObject | undefined;
  files: readonly RecordedFile[];
}

interface InteractionMessageFields {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIMessage['components'];
  attachments: APIAttachment[];
  flags: number;
  at: number;
}

// ---------------------------------------------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------------------------------------------

export class DiscordEmulator {
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly guildId: string;
  readonly channelId: string;
  /** The guild owner (has every permission). */
  readonly ownerUserId: string;
  /** A plain member: the default actor of injected interactions and messages. */
  readonly userId: string;
  readonly roleIds: { readonly everyone: string; readonly bot: string; readonly moderator: string };
  /** The further guilds the bot is in (option `otherGuilds`). */
  readonly otherGuilds: EmulatedGuild[] = [];

  /** Every REST request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  readonly unknownRoutes: UnknownRoute[] = [];
  /** Gateway protocol violations by the client (bad payloads, unsupported compression, ...). */
  readonly protocolErrors: string[] = [];
  /** Closes the emulator initiated (4004 bad token, 4014 disallowed intents, ...). */
  readonly gatewayCloses: GatewayClose[] = [];
  readonly identifies: GatewayIdentifyData[] = [];
  readonly resumes: { sessionId: string; seq: number; at: number }[] = [];
  readonly presenceUpdates: unknown[] = [];
  /** Heartbeats (op 1) received and acknowledged. */
  heartbeatCount = 0;
  /** Currently registered commands; guild commands carry `guild_id`. */
  readonly registeredCommands: APIApplicationCommand[] = [];
  readonly commandRegistrations: RegisteredCommandBatch[] = [];
  readonly channelMessages = new WaitableList<ChannelMessageRecord>();
  readonly typingIndicators: { channelId: string; at: number }[] = [];
  /** Every request answered 429 (rate limited): a well-behaved bot leaves this empty. */
  readonly rateLimitHits: RateLimitHit[] = [];
  readonly reactions: { channelId: string; messageId: string; emoji: string; method: 'PUT' | 'DELETE'; at: number }[] = [];

  private readonly options: Required<
    Pick<
      DiscordEmulatorOptions,
      | 'interactionResponseWindowMs'
      | 'interactionTokenLifetimeMs'
      | 'heartbeatIntervalMs'
      | 'waitTimeoutMs'
      | 'enabledPrivilegedIntents'
      | 'echoBotMessages'
      | 'requireRegisteredCommands'
      | 'logProblems'
      | 'recommendedShards'
    >
  >;
  private tokenValid: boolean;
  private port = 0;
  private closed = false;
  private readonly createdAt = Date.now();
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly routes: Route[];
  private readonly rateLimiter: RateLimiter | undefined;
  private readonly sessions = new Map<string, GatewaySession>();
  private readonly pendingTimers = new Set<NodeJS.Timeout>();

  private readonly users = new Map<string, APIUser>();
  private readonly members = new Map<string, APIGuildMember>();
  private readonly roles: APIRole[];
  private readonly guildChannels = new Map<string, GuildChannelRecord>();
  private readonly dmChannels = new Map<string, APIDMChannel>();
  private readonly messages = new Map<string, StoredMessage>();
  private readonly interactions = new Map<string, InteractionState>();
  private readonly shownModals: ShownModal[] = [];
  private readonly hostedAttachments = new Map<string, HostedAttachment>();
  private readonly guildName: string;
  private readonly others = new Map<string, OtherGuildState>();

  constructor(options: DiscordEmulatorOptions = {}) {
    this.applicationId = options.applicationId ?? snowflake();
    this.botUserId = options.botUserId ?? this.applicationId;
    this.guildId = options.guildId ?? snowflake();
    this.channelId = options.channelId ?? snowflake();
    this.ownerUserId = snowflake();
    this.userId = snowflake();
    this.token = options.token ?? makeBotToken(this.botUserId);
    this.tokenValid = !options.invalidToken;
    this.guildName = options.guildName ?? 'Emulated Guild';
    this.options = {
      interactionResponseWindowMs: options.interactionResponseWindowMs ?? INTERACTION_RESPONSE_WINDOW_MS,
      interactionTokenLifetimeMs: options.interactionTokenLifetimeMs ?? INTERACTION_TOKEN_LIFETIME_MS,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      waitTimeoutMs: options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
      enabledPrivilegedIntents: options.enabledPrivilegedIntents ?? PRIVILEGED_INTENTS,
      echoBotMessages: options.echoBotMessages ?? true,
      requireRegisteredCommands: options.requireRegisteredCommands ?? false,
      logProblems: options.logProblems ?? true,
      recommendedShards: options.recommendedShards ?? 1,
    };
    if (!Number.isInteger(this.options.recommendedShards) || this.options.recommendedShards < 1) {
      throw new RangeError(`recommendedShards must be a positive integer, got ${this.options.recommendedShards}`);
    }

    this.roleIds = { everyone: this.guildId, bot: snowflake(), moderator: snowflake() };
    this.roles = [
      buildRole(this.roleIds.everyone, '@everyone', EmulatorPermissions.everyone, 0),
      buildRole(this.roleIds.moderator, 'Moderator', EmulatorPermissions.moderator, 1),
      buildRole(this.roleIds.bot, options.botUsername ?? 'Emulated Bot', EmulatorPermissions.bot, 2, {
        managed: true,
        tags: { bot_id: this.botUserId },
      }),
    ];

    const joinedAt = isoTime(this.createdAt);
    const bot = buildUser(this.botUserId, options.botUsername ?? 'Emulated Bot', { bot: true });
    this.addMember(bot, [this.roleIds.bot], joinedAt);
    this.addMember(buildUser(this.ownerUserId, 'guild_owner'), [], joinedAt);
    this.addMember(buildUser(this.userId, 'plain_member'), [], joinedAt);

    this.guildChannels.set(this.channelId, {
      id: this.channelId,
      type: ChannelType.GuildText,
      guild_id: this.guildId,
      name: options.channelName ?? 'general',
      position: 0,
      permission_overwrites: [],
      parent_id: null,
      topic: null,
      nsfw: false,
      last_message_id: null,
      last_pin_timestamp: null,
      rate_limit_per_user: 0,
      default_auto_archive_duration: 4320,
      flags: NO_FLAGS as ChannelFlags,
    });
    for (let i = 0; i < (options.otherGuilds ?? 0); i++) this.addOtherGuild(`Emulated Guild ${i + 2}`, options.botUsername ?? 'Emulated Bot');
    for (const [i, id] of (options.otherGuildIds ?? []).entries()) {
      this.addOtherGuild(`Emulated Guild ${(options.otherGuilds ?? 0) + i + 2}`, options.botUsername ?? 'Emulated Bot', id);
    }

    this.rateLimiter = options.rateLimits === false ? undefined : new RateLimiter(options.rateLimits ?? {});
    this.server = createServer((req, res) => void this.handleHttp(req, res));
    this.server.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket, head));
    this.wss.on('connection', (socket, req) => this.onGatewayConnection(socket, req));
    this.routes = this.buildRoutes();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------------------------------------------

  /** @internal Use startDiscordEmulator(). */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:PORT/api`: pass as discord.js `rest: { api }` (it appends `/v10`). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}${GATEWAY_PATH}`;
  }

  /** Gateway sessions with an open socket. */
  get connectedSessionCount(): number {
    return this.openSessions().length;
  }

  /** `[shard_id, num_shards]` of each session with an open socket, sorted (unsharded sessions are [0, 1]). */
  get connectedShards(): [number, number][] {
    return this.openSessions()
      .map((session): [number, number] => [session.shard[0], session.shard[1]])
      .sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  }

  /** The shard id owning the emulated guild when the bot runs `shardCount` shards. */
  guildShardId(shardCount: number): number {
    return shardIdForGuild(this.guildId, shardCount);
  }

  /** Destroy discord.js clients first: a client whose socket is cut tries to resume against a closed port. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.pendingTimers) clearTimeout(timer);
    this.pendingTimers.clear();
    const closedError = new Error('Discord emulator closed');
    this.channelMessages.fail(closedError);
    for (const state of this.interactions.values()) {
      state.handle.callbacks.fail(closedError);
      state.handle.edits.fail(closedError);
      state.handle.followUps.fail(closedError);
      state.handle.originalStates.fail(closedError);
    }
    for (const socket of this.wss.clients) socket.terminate();
    this.wss.close();
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await serverClosed;
  }

  /** Revoke (false) or restore (true) the bot token: authenticated routes answer 401 while revoked. */
  setTokenValid(valid: boolean): void {
    this.tokenValid = valid;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Assertions
  // -------------------------------------------------------------------------------------------------------------

  assertNoUnknownRoutes(): void {
    if (this.unknownRoutes.length === 0) return;
    const list = this.unknownRoutes.map((route) => `  ${route.method} ${route.path} → ${route.status}`).join('\n');
    throw new Error(`The bot called ${this.unknownRoutes.length} route(s) the Discord emulator does not know:\n${list}`);
  }

  assertNoProtocolErrors(): void {
    if (this.protocolErrors.length === 0) return;
    throw new Error(`Gateway protocol errors:\n${this.protocolErrors.map((error) => `  ${error}`).join('\n')}`);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Waiting on the bot
  // -------------------------------------------------------------------------------------------------------------

  /** The first message the bot POSTed to `channelId` matching `predicate` (past or future). */
  waitForChannelMessage(
    channelId: string,
    predicate: (record: ChannelMessageRecord) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<ChannelMessageRecord> {
    return this.channelMessages.wait(
      (record) => record.channelId === channelId && predicate(record),
      options.timeoutMs ?? this.options.waitTimeoutMs,
      () =>
        [
          `Timed out waiting for a bot message in channel ${channelId}.`,
          `  channel messages: ${this.channelMessages.items.map((r) => `${r.channelId}: ${summarize(r.body, 100)}`).join(' | ') || 'none'}`,
          `  recent requests: ${this.describeRecentRequests()}`,
        ].join('\n'),
    );
  }

  /** A stored message (injected or bot-sent), as the emulator currently holds it. */
  getMessage(messageId: string): APIMessage | undefined {
    return this.messages.get(messageId)?.message;
  }

  /** The DM channel between the bot and `userId` (created on first use, as POST /users/@me/channels does). */
  dmChannelId(userId: string = this.userId): string {
    return this.ensureDmChannel(this.ensureUser(userId)).id;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Channels, forums and threads
  // -------------------------------------------------------------------------------------------------------------

  /**
   * Adds a text or forum channel to the main guild (a forum with its tags). Added before the bot connects, it is in
   * GUILD_CREATE; after, the bot gets CHANNEL_CREATE (when it can view it).
   */
  addChannel(options: AddChannelOptions): AddedChannel {
    const channelId = snowflake();
    const tagIds: Record<string, string> = {};
    const main = this.guildChannels.get(this.channelId) as APITextChannel;
    const common = {
      id: channelId,
      guild_id: this.guildId,
      name: options.name ?? (options.type === 'forum' ? 'help-forum' : `channel-${channelId.slice(-4)}`),
      position: this.guildChannels.size,
      permission_overwrites: [] as APIOverwrite[],
      parent_id: null,
      nsfw: false,
      flags: NO_FLAGS as ChannelFlags,
    };
    let channel: GuildChannelRecord;
    if (options.type === 'forum') {
      const tags = (options.tags ?? []).map((t) => (typeof t === 'string' ? { name: t } : t));
      if (tags.length > 20) throw new Error('A forum has at most 20 tags');
      const available_tags: APIGuildForumTag[] = tags.map((tag) => {
        if (charCount(tag.name) < 1 || charCount(tag.name) > 20) throw new Error(`A forum tag's name has 1 to 20 characters: ${tag.name}`);
        const id = snowflake();
        tagIds[tag.name] = id;
        return { id, name: tag.name, moderated: tag.moderated ?? false, emoji_id: null, emoji_name: tag.emoji ?? null };
      });
      channel = {
        ...common,
        type: ChannelType.GuildForum,
        topic: null,
        last_message_id: null,
        rate_limit_per_user: 0,
        default_auto_archive_duration: 4320,
        available_tags,
        default_reaction_emoji: null,
        default_sort_order: null,
        default_forum_layout: 0,
        default_thread_rate_limit_per_user: 0,
      } as APIGuildForumChannel;
    } else {
      channel = { ...main, ...common, type: ChannelType.GuildText, last_message_id: null, last_pin_timestamp: null };
    }
    this.guildChannels.set(channelId, channel);
    this.dispatchChannelEvent(GatewayDispatchEvents.ChannelCreate, channel);
    return { channelId, tagIds };
  }

  /**
   * Sets (replaces) one permission overwrite of a channel of the main guild: for a role (`id` a role id, the guild
   * id for @everyone) or a member. Threads take their parent's overwrites. The bot gets CHANNEL_UPDATE.
   */
  setChannelOverwrite(channelId: string, overwrite: { id: string; type: 'role' | 'member'; allow?: bigint; deny?: bigint }): void {
    const channel = this.guildChannels.get(channelId);
    if (!channel || isThread(channel)) throw new Error(`Unknown channel ${channelId}, or a thread (threads take their parent's overwrites)`);
    const entry: APIOverwrite = {
      id: overwrite.id,
      type: overwrite.type === 'role' ? OverwriteType.Role : OverwriteType.Member,
      allow: (overwrite.allow ?? 0n).toString(),
      deny: (overwrite.deny ?? 0n).toString(),
    };
    channel.permission_overwrites = [...(channel.permission_overwrites ?? []).filter((o) => o.id !== overwrite.id), entry];
    this.dispatchChannelEvent(GatewayDispatchEvents.ChannelUpdate, channel);
  }

  /**
   * A member opens a forum post, as Discord delivers it: THREAD_CREATE (`newly_created`), then MESSAGE_CREATE of the
   * starter message, whose id is the thread's. Sessions without MESSAGE_CONTENT get the starter's text empty.
   */
  injectForumPost(options: InjectForumPostOptions): InjectedForumPost {
    if (this.connectedSessionCount === 0) {
      throw new Error('No connected gateway session: log a client in and wait for clientReady before injecting.');
    }
    const forum = this.guildChannels.get(options.forumId);
    if (forum?.type !== ChannelType.GuildForum) throw new Error(`${options.forumId} is not a forum channel of the main guild`);
    const title = options.title;
    if (charCount(title) < 1 || charCount(title) > 100) throw new Error('A post title has 1 to 100 characters');
    const tags = options.tags ?? [];
    if (tags.length > 5) throw new Error('A post has at most 5 tags');
    for (const tag of tags) if (!forum.available_tags.some((t) => t.id === tag)) throw new Error(`Tag ${tag} is not one of the forum's`);
    const at = options.createdAt ?? Date.now();
    const author = this.ensureUser(options.authorId ?? this.userId, { username: options.username, bot: options.authorIsBot });
    this.ensureMember(author, undefined);
    const threadId = snowflake(at);
    const thread: APIThreadChannel = {
      id: threadId,
      type: ChannelType.PublicThread,
      guild_id: this.guildId,
      parent_id: forum.id,
      owner_id: author.id,
      name: title,
      last_message_id: threadId,
      rate_limit_per_user: 0,
      flags: NO_FLAGS as ChannelFlags,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      applied_tags: [...tags],
      thread_metadata: {
        archived: false,
        auto_archive_duration: forum.default_auto_archive_duration ?? 4320,
        archive_timestamp: isoTime(at),
        locked: false,
        create_timestamp: isoTime(at),
      },
    };
    this.guildChannels.set(threadId, thread);
    forum.last_message_id = threadId;
    this.dispatchThreadEvent(GatewayDispatchEvents.ThreadCreate, thread, { newly_created: true });
    const content = options.content ?? '';
    const message = buildMessage({
      id: threadId,
      channelId: threadId,
      author,
      content,
      mentions: parseUserMentions(content).map((id) => this.mentionedUser(id, true)),
      mentionRoles: parseRoleMentions(content).filter((id) => this.roles.some((role) => role.id === id)),
      at,
      extra: { position: 0 },
    });
    this.storeMessage(message, false);
    const deliveredTo = this.broadcastMessage(GatewayDispatchEvents.MessageCreate, message);
    return { threadId, starter: { id: message.id, payload: message, deliveredTo } };
  }

  /** Archives, unarchives, locks or unlocks a thread, as a moderator would; the bot gets THREAD_UPDATE. */
  setThreadState(threadId: string, state: { archived?: boolean; locked?: boolean }): APIThreadChannel {
    const thread = this.requireThread(threadId);
    const metadata = thread.thread_metadata!;
    if (state.archived !== undefined && state.archived !== metadata.archived) {
      metadata.archived = state.archived;
      metadata.archive_timestamp = isoTime(Date.now());
    }
    if (state.locked !== undefined) metadata.locked = state.locked;
    this.dispatchThreadEvent(GatewayDispatchEvents.ThreadUpdate, thread);
    return structuredClone(thread);
  }

  /** A thread (forum post) as it stands now: its tags, archived and locked state, message count. */
  getThread(threadId: string): APIThreadChannel | undefined {
    const thread = this.guildChannels.get(threadId);
    return isThread(thread) ? structuredClone(thread) : undefined;
  }

  private requireThread(threadId: string): APIThreadChannel {
    const thread = this.guildChannels.get(threadId);
    if (!isThread(thread)) throw new Error(`Unknown thread ${threadId}`);
    return thread;
  }

  /** The bot's permissions in a channel of the main guild: its roles, then the channel's overwrites (a thread's parent's). */
  private botPermissionsIn(channelId: string): bigint {
    const base = BigInt(this.botPermissions);
    if ((base & PermissionFlagsBits.Administrator) !== 0n) return ALL_PERMISSIONS;
    const channel = this.guildChannels.get(channelId);
    const holder = isThread(channel) ? this.guildChannels.get(channel.parent_id ?? '') : channel;
    const overwrites = holder?.permission_overwrites ?? [];
    const roles = this.members.get(this.botUserId)?.roles ?? [];
    const apply = (bits: bigint, o: APIOverwrite | undefined) => (o ? (bits & ~BigInt(o.deny)) | BigInt(o.allow) : bits);
    let bits = apply(base, overwrites.find((o) => o.id === this.guildId));
    let allow = 0n;
    let deny = 0n;
    for (const o of overwrites) {
      if (o.type === OverwriteType.Role && o.id !== this.guildId && roles.includes(o.id)) {
        allow |= BigInt(o.allow);
        deny |= BigInt(o.deny);
      }
    }
    bits = (bits & ~deny) | allow;
    return apply(bits, overwrites.find((o) => o.type === OverwriteType.Member && o.id === this.botUserId));
  }

  private botCan(channelId: string, permissions: bigint): boolean {
    return (this.botPermissionsIn(channelId) & permissions) === permissions;
  }

  /** Discord's answers to a bot lacking permissions: 50001 when it cannot even see the channel, else 50013. */
  private requireBotPermissions(channelId: string, permissions: bigint): void {
    if (!this.guildChannels.has(channelId)) return;
    if (!this.botCan(channelId, PermissionFlagsBits.ViewChannel)) throw DiscordHttpError.of(DiscordErrors.missingAccess);
    if (!this.botCan(channelId, permissions)) throw DiscordHttpError.of(DiscordErrors.missingPermissions);
  }

  /** CHANNEL_CREATE/UPDATE of a main-guild channel, to the sessions that own the guild and can view it. */
  private dispatchChannelEvent(event: GatewayDispatchEvents, channel: GuildChannelRecord): void {
    this.dispatchToSessions(
      event,
      (session) => ((session.intents & GatewayIntentBits.Guilds) !== 0 && this.botCan(channel.id, PermissionFlagsBits.ViewChannel) ? channel : undefined),
      { guildId: this.guildId },
    );
  }

  /** THREAD_CREATE/UPDATE (GUILDS intent), to the sessions that own the guild and can view the thread's parent. */
  private dispatchThreadEvent(event: GatewayDispatchEvents, thread: APIThreadChannel, extra: JsonObject = {}): void {
    this.dispatchToSessions(
      event,
      (session) =>
        (session.intents & GatewayIntentBits.Guilds) !== 0 && this.botCan(thread.id, PermissionFlagsBits.ViewChannel) ? { ...thread, ...extra } : undefined,
      { guildId: this.guildId },
    );
  }

  /**
   * A message arriving in a thread: counted, and an archived thread is unarchived (a locked one takes messages
   * only from those who may manage threads, which `byBot` says for the bot).
   */
  private noteThreadMessage(channelId: string, byBot: boolean): void {
    const thread = this.guildChannels.get(channelId);
    if (!isThread(thread)) return;
    const metadata = thread.thread_metadata!;
    if (metadata.locked && !(byBot && this.botCan(thread.id, PermissionFlagsBits.ManageThreads))) {
      if (byBot) throw DiscordHttpError.of(DiscordErrors.threadLocked);
      throw new Error(`Thread ${thread.id} is locked: members cannot post in it`);
    }
    thread.message_count = (thread.message_count ?? 0) + 1;
    thread.total_message_sent = (thread.total_message_sent ?? 0) + 1;
    if (metadata.archived) {
      metadata.archived = false;
      metadata.archive_timestamp = isoTime(Date.now());
      this.dispatchThreadEvent(GatewayDispatchEvents.ThreadUpdate, thread);
    }
  }

  /**
   * Content a REST read returns: without the Message Content intent enabled for the application (in the
   * developer portal), guild messages read by REST come without content too, unless the bot wrote them or they
   * mention it.
   */
  private readableByRest(message: APIMessage): APIMessage {
    const inGuild = this.guildChannels.has(message.channel_id);
    const canRead =
      !inGuild ||
      (this.options.enabledPrivilegedIntents & GatewayIntentBits.MessageContent) !== 0 ||
      message.author.id === this.botUserId ||
      message.mentions.some((user) => user.id === this.botUserId);
    return canRead ? message : redactContent(message);
  }

  // -------------------------------------------------------------------------------------------------------------
  // CDN
  // -------------------------------------------------------------------------------------------------------------

  /**
   * Stores a file as if a user had attached it to a slash command and returns its attachment object: pass it as a
   * shorthand option value (`options: { file: attachment }`), or its id as the value of a type 11 option. The bytes
   * are served without authentication, like Discord's CDN, at `url` (= `proxy_url`) on the emulator's own server:
   * `http://127.0.0.1:PORT/ephemeral-attachments/<application id>/<id>/<filename>?ex=…&is=…&hm=…&`.
   * The filename is cleaned as Discord does (`my notes.md` → `my_notes.md`); `contentType` defaults from the
   * extension (text types with `; charset=utf-8`, as Discord reports them) and is omitted when unknown.
   */
  hostAttachment(filename: string, bytes: Uint8Array | string, contentType?: string): APIAttachment {
    if (this.port === 0) throw new Error('hostAttachment() needs a listening emulator: use startDiscordEmulator().');
    const at = Date.now();
    const id = snowflake(at);
    const name = secureFilename(filename);
    // A copy: the test may reuse its buffer, and Discord's copy would not change either.
    const body = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
    const type = contentType ?? contentTypeFor(name);
    const url = `http://127.0.0.1:${this.port}/${EPHEMERAL_ATTACHMENTS_PATH}/${this.applicationId}/${id}/${name}${signedCdnQuery(at)}`;
    const attachment: APIAttachment = {
      id,
      filename: name,
      size: body.length,
      url,
      proxy_url: url,
      ...(type !== undefined ? { content_type: type } : {}),
      ephemeral: true,
    };
    this.hostedAttachments.set(id, { attachment, bytes: body });
    return attachment;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Injection
  // -------------------------------------------------------------------------------------------------------------

  /**
   * Dispatch a chat-input APPLICATION_COMMAND interaction (type 2) as a user running `/commandName`, or
   * `/commandName subcommand` with `subcommand` (and `subcommandGroup`).
   */
  injectInteraction(options: InjectCommandOptions): InteractionHandle {
    const data = this.buildCommandData(options, undefined);
    return this.dispatchInteraction(InteractionType.ApplicationCommand, data, options, undefined);
  }

  /**
   * Dispatch an APPLICATION_COMMAND_AUTOCOMPLETE interaction (type 4): the user is typing `value` into the option
   * `focused`. The bot answers with callback type 8 (`interaction.respond([...])`), validated like Discord does.
   */
  injectAutocomplete(options: InjectAutocompleteOptions): InteractionHandle {
    const data = this.buildCommandData(options, { name: options.focused, value: options.value });
    return this.dispatchInteraction(InteractionType.ApplicationCommandAutocomplete, data, options, undefined);
  }

  /**
   * Dispatch a MESSAGE_COMPONENT interaction (type 3) for a button click. `message` may be any message the bot
   * sent (an interaction's @original, a follow-up, a channel message or reply), as it stands after its edits.
   */
  injectButton(options: InjectButtonOptions): InteractionHandle {
    const message = options.message
      ? this.resolveMessageTarget(options.message)
      : this.createComponentMessage(options.customId, options);
    const component = findComponent(message.components, options.customId);
    if (!component) {
      const customIds = collectCustomIds(message.components);
      throw new Error(
        `Message ${message.id} has no component with custom_id "${options.customId}" ` +
          `(it has: ${customIds.join(', ') || 'none'}); Discord could not dispatch this click.`,
      );
    }
    if (component.type !== ComponentType.Button) {
      const type = ComponentType[Number(component.type)] ?? String(component.type);
      throw new Error(`Component "${options.customId}" of message ${message.id} is a ${type}, not a button; it cannot be clicked.`);
    }
    if (component.disabled === true) {
      throw new Error(`Button "${options.customId}" of message ${message.id} is disabled; Discord clients cannot click it.`);
    }
    const data = { custom_id: options.customId, component_type: ComponentType.Button };
    return this.dispatchInteraction(InteractionType.MessageComponent, data, options, message);
  }

  /**
   * Dispatch a MODAL_SUBMIT interaction (type 5) with text-input values. If the bot showed a modal with this
   * custom_id, the submit mirrors it (layout, ids, required and length rules, the message it was opened from) and
   * consumes it: Discord closes a modal on submit.
   */
  injectModalSubmit(options: InjectModalSubmitOptions): InteractionHandle {
    const shown = this.shownModals.filter((candidate) => candidate.modal.custom_id === options.customId);
    const open = shown.findLast((candidate) => !candidate.submitted);
    if (shown.length > 0 && !open) {
      throw new Error(`Modal "${options.customId}" was already submitted; Discord closed it (the bot must show it again).`);
    }
    const message = options.message ? this.resolveMessageTarget(options.message) : open && this.modalSourceMessage(open);
    const components = open
      ? modalSubmitComponents(open.modal, options.fields, `Modal "${options.customId}"`)
      : freeformModalSubmitComponents(options.fields);
    const data = { custom_id: options.customId, components };
    const handle = this.dispatchInteraction(InteractionType.ModalSubmit, data, open ? this.modalActor(open, options) : options, message);
    if (open) open.submitted = true;
    return handle;
  }

  /** Only the user a modal was shown to can submit it, where it was shown: that is the default actor. */
  private modalActor(shown: ShownModal, options: InjectModalSubmitOptions): InjectModalSubmitOptions {
    if (options.userId !== undefined) return options;
    const payload = shown.source.payload;
    const userId = payload.member?.user.id ?? payload.user?.id;
    if (payload.guild_id === undefined) return { ...options, userId, dm: true };
    return { ...options, userId, channelId: options.channelId ?? payload.channel?.id };
  }

  /** A modal opened from a component carries that component's message (as it stands now) into its submit. */
  private modalSourceMessage(shown: ShownModal): APIMessage | undefined {
    const payload = shown.source.payload;
    if (payload.type !== InteractionType.MessageComponent) return undefined;
    return this.messages.get(payload.message.id)?.message ?? payload.message;
  }

  /** Dispatch MESSAGE_CREATE for a user's message (mentions in the content are parsed as Discord does). */
  injectMessage(options: InjectMessageOptions): InjectedMessage {
    if (this.connectedSessionCount === 0) {
      throw new Error('No connected gateway session: log a client in and wait for clientReady before injecting.');
    }
    const at = Date.now();
    const author = this.ensureUser(options.authorId ?? this.userId, {
      username: options.username,
      globalName: options.globalName,
      bot: options.authorIsBot,
    });
    const channelId = options.dm ? this.ensureDmChannel(author).id : (options.channelId ?? this.channelId);
    this.requireChannel(channelId);
    const inGuild = this.guildChannels.has(channelId);
    if (inGuild) this.ensureMember(author, options.roles);
    if (this.guildChannels.get(channelId)?.type === ChannelType.GuildForum) {
      throw new Error('A forum takes posts, not messages: use injectForumPost(), or post into one of its threads');
    }
    this.noteThreadMessage(channelId, false);

    const referenced = options.replyTo ? this.resolveMessageTarget(options.replyTo) : undefined;
    const mentionIds = new Set([...parseUserMentions(options.content), ...(options.mentions ?? [])]);
    if (referenced && options.replyMention !== false) mentionIds.add(referenced.author.id);
    const mentions = [...mentionIds].map((id) => this.mentionedUser(id, inGuild));

    const message = buildMessage({
      channelId,
      author,
      content: options.content,
      mentions,
      mentionRoles: parseRoleMentions(options.content).filter((id) => this.roles.some((role) => role.id === id)),
      mentionEveryone: /@(everyone|here)\b/.test(options.content),
      type: referenced ? MessageType.Reply : MessageType.Default,
      reference: referenced
        ? { type: 0, message_id: referenced.id, channel_id: referenced.channel_id, ...(inGuild ? { guild_id: this.guildId } : {}) }
        : undefined,
      referencedMessage: referenced,
      at,
    });
    this.storeMessage(message, false);
    const deliveredTo = this.broadcastMessage(GatewayDispatchEvents.MessageCreate, message);
    return { id: message.id, payload: message, deliveredTo };
  }

  /**
   * Dispatch any gateway event (for events without a dedicated helper): to the session owning `data.guild_id` when
   * the data has one, as Discord routes guild events among shards, else to every session.
   */
  dispatch(event: GatewayDispatchEvents | string, data: unknown): number {
    const guildId = isObject(data) && typeof data.guild_id === 'string' ? data.guild_id : undefined;
    return this.dispatchToSessions(event, () => data, guildId !== undefined ? { guildId } : 'all');
  }

  /** Ask connected clients to reconnect (op 7); discord.js then RESUMEs its session. */
  requestReconnect(): void {
    for (const session of this.sessions.values()) {
      this.send(session.socket, { op: GatewayOpcodes.Reconnect, d: null, s: null, t: null });
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Guild state
  // -------------------------------------------------------------------------------------------------------------

  private addOtherGuild(name: string, botUsername: string, guildId = snowflake()): void {
    const channelId = snowflake();
    const ownerUserId = snowflake();
    const roleIds = { everyone: guildId, bot: snowflake(), moderator: snowflake() };
    const roles = [
      buildRole(roleIds.everyone, '@everyone', EmulatorPermissions.everyone, 0),
      buildRole(roleIds.moderator, 'Moderator', EmulatorPermissions.moderator, 1),
      buildRole(roleIds.bot, botUsername, EmulatorPermissions.bot, 2, { managed: true, tags: { bot_id: this.botUserId } }),
    ];
    const joinedAt = isoTime(this.createdAt);
    const owner = buildUser(ownerUserId, 'other_guild_owner');
    this.users.set(ownerUserId, owner);
    const members = new Map<string, APIGuildMember>([
      [this.botUserId, buildMember(this.botUser, [roleIds.bot], joinedAt)],
      [ownerUserId, buildMember(owner, [], joinedAt)],
    ]);
    const main = this.guildChannels.get(this.channelId)!;
    const channel = { ...main, id: channelId, guild_id: guildId, last_message_id: null } as GuildChannelRecord;
    const state: OtherGuildState = { guildId, channelId, ownerUserId, roleIds, name, roles, members, channel };
    this.others.set(guildId, state);
    this.otherGuilds.push({ guildId, channelId, ownerUserId, roleIds });
  }

  private otherGuild(guildId: string | undefined): OtherGuildState | undefined {
    if (guildId === undefined || guildId === this.guildId) return undefined;
    const state = this.others.get(guildId);
    if (!state) throw new Error(`Unknown guild ${guildId}: the bot is in ${[this.guildId, ...this.others.keys()].join(', ')}`);
    return state;
  }

  private buildOtherGuildCreate(state: OtherGuildState, intents: number): GatewayGuildCreateDispatchData {
    const main = this.buildGuildCreate(intents);
    const members = (intents & GatewayIntentBits.GuildPresences) !== 0 ? [...state.members.values()] : [state.members.get(this.botUserId)!];
    const { guild_id: _guildId, ...channel } = state.channel;
    return {
      ...main,
      id: state.guildId,
      name: state.name,
      owner_id: state.ownerUserId,
      roles: state.roles,
      system_channel_id: state.channelId,
      member_count: state.members.size,
      members,
      channels: [channel as APITextChannel],
    };
  }

  private addMember(user: APIUser, roles: string[], joinedAt: string): APIGuildMember {
    this.users.set(user.id, user);
    const member = buildMember(user, roles, joinedAt);
    this.members.set(user.id, member);
    return member;
  }

  private get botUser(): APIUser {
    const user = this.users.get(this.botUserId);
    if (!user) throw new Error('bot user missing');
    return user;
  }

  private ensureUser(id: string, details: { username?: string; globalName?: string; bot?: boolean } = {}): APIUser {
    const existing = this.users.get(id);
    const sameBotFlag = details.bot === undefined || details.bot === (existing?.bot ?? false);
    if (existing && details.username === undefined && details.globalName === undefined && sameBotFlag) return existing;
    const user = buildUser(id, details.username ?? existing?.username ?? `user_${id.slice(-6)}`, {
      bot: details.bot ?? existing?.bot,
      globalName: details.globalName,
    });
    this.users.set(id, user);
    const member = this.members.get(id);
    if (member) member.user = user;
    return user;
  }

  private ensureMember(user: APIUser, roles: string[] | undefined): APIGuildMember {
    const existing = this.members.get(user.id);
    if (existing) {
      if (roles) existing.roles = roles;
      return existing;
    }
    return this.addMember(user, roles ?? [], isoTime(Date.now()));
  }

  private ensureDmChannel(user: APIUser): APIDMChannel {
    const existing = [...this.dmChannels.values()].find((channel) => channel.recipients?.[0]?.id === user.id);
    if (existing) return existing;
    const channel: APIDMChannel = {
      id: snowflake(),
      type: ChannelType.DM,
      recipients: [user],
      last_message_id: null,
      flags: NO_FLAGS as ChannelFlags,
      name: null,
    };
    this.dmChannels.set(channel.id, channel);
    return channel;
  }

  private requireChannel(channelId: string): GuildChannelRecord | APIDMChannel {
    const channel = this.guildChannels.get(channelId) ?? this.dmChannels.get(channelId);
    if (!channel) throw DiscordHttpError.of(DiscordErrors.unknownChannel);
    return channel;
  }

  /** Permissions of a member: the owner has all; Administrator implies all; else @everyone | roles. */
  private permissionsFor(userId: string, roleIds: readonly string[], other?: OtherGuildState): string {
    if (userId === (other?.ownerUserId ?? this.ownerUserId)) return ALL_PERMISSIONS.toString();
    let bits = BigInt(EmulatorPermissions.everyone);
    for (const role of other?.roles ?? this.roles) if (roleIds.includes(role.id)) bits |= BigInt(role.permissions);
    return (bits & PermissionFlagsBits.Administrator) !== 0n ? ALL_PERMISSIONS.toString() : bits.toString();
  }

  private get botPermissions(): string {
    return this.permissionsFor(this.botUserId, this.members.get(this.botUserId)?.roles ?? []);
  }

  private mentionedUser(id: string, inGuild: boolean): APIUser {
    const user = this.ensureUser(id);
    const member = this.members.get(id);
    // In guild messages each mentioned user carries a partial `member`.
    return inGuild && member ? ({ ...user, member: memberWithoutUser(member) } as APIUser) : user;
  }

  private buildGuild(): APIGuild {
    return {
      id: this.guildId,
      name: this.guildName,
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      owner_id: this.ownerUserId,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: 1,
      default_message_notifications: 1,
      explicit_content_filter: 2,
      roles: this.roles,
      emojis: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: this.channelId,
      system_channel_flags: NO_FLAGS as GuildSystemChannelFlags,
      rules_channel_id: null,
      max_presences: null,
      max_members: 500_000,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: Locale.EnglishUS,
      public_updates_channel_id: null,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      nsfw_level: 0,
      stickers: [],
      premium_progress_bar_enabled: false,
      hub_type: null,
      safety_alerts_channel_id: null,
      incidents_data: null,
    };
  }

  /** GUILD_CREATE: without GUILD_PRESENCES Discord only includes the bot's own member. */
  private buildGuildCreate(intents: number): GatewayGuildCreateDispatchData {
    const members = (intents & GatewayIntentBits.GuildPresences) !== 0
      ? [...this.members.values()]
      : [this.members.get(this.botUserId)].filter((member): member is APIGuildMember => member !== undefined);
    return {
      ...this.buildGuild(),
      joined_at: isoTime(this.createdAt),
      large: false,
      unavailable: false,
      member_count: this.members.size,
      voice_states: [],
      members,
      channels: [...this.guildChannels.values()].filter((c) => !isThread(c)).map(({ guild_id: _guildId, ...channel }) => channel as APITextChannel),
      threads: [...this.guildChannels.values()].filter(isThread).filter((t) => !t.thread_metadata?.archived),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  /** The "limited" gateway flags of an unverified app with its privileged intents enabled. */
  private get applicationFlags(): ApplicationFlags {
    const enabled = this.options.enabledPrivilegedIntents;
    let flags = 0;
    if (enabled & GatewayIntentBits.GuildPresences) flags |= ApplicationFlags.GatewayPresenceLimited;
    if (enabled & GatewayIntentBits.GuildMembers) flags |= ApplicationFlags.GatewayGuildMembersLimited;
    if (enabled & GatewayIntentBits.MessageContent) flags |= ApplicationFlags.GatewayMessageContentLimited;
    return flags as ApplicationFlags;
  }

  private buildApplication(): APIApplication {
    const flags = this.applicationFlags;
    return {
      id: this.applicationId,
      name: this.botUser.username,
      icon: null,
      description: '',
      bot_public: true,
      bot_require_code_grant: false,
      summary: '',
      verify_key: randomBytes(32).toString('hex'),
      team: null,
      flags,
      flags_new: String(flags),
      owner: this.users.get(this.ownerUserId),
      bot: this.botUser,
      approximate_guild_count: 1,
      integration_types_config: { [ApplicationIntegrationType.GuildInstall]: {} },
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Messages
  // -------------------------------------------------------------------------------------------------------------

  private storeMessage(message: APIMessage, ephemeral: boolean): void {
    this.messages.set(message.id, { message, ephemeral });
    const channel = this.guildChannels.get(message.channel_id) ?? this.dmChannels.get(message.channel_id);
    if (channel && !ephemeral) channel.last_message_id = message.id;
  }

  private resolveMessageTarget(target: MessageTarget): APIMessage {
    if (target instanceof InteractionHandle) {
      const original = target.originalMessage();
      if (!original) throw new Error(`Interaction ${target.id} has no @original message yet`);
      return this.messages.get(original.id)?.message ?? original;
    }
    const id = typeof target === 'string' ? target : target.id;
    const stored = this.messages.get(id)?.message;
    if (stored) return stored;
    if (typeof target === 'string') throw new Error(`Unknown message ${id}: the emulator has not seen it`);
    // A message the test built itself: remember it so the bot can edit or reply to it.
    this.storeMessage(target, ((target.flags ?? 0) & MessageFlags.Ephemeral) !== 0);
    return target;
  }

  /** A bot message carrying one button, for clicks on messages the test did not create through the bot. */
  private createComponentMessage(customId: string, actor: InjectActorOptions): APIMessage {
    const user = this.ensureUser(actor.userId ?? this.userId);
    const channelId = actor.dm ? this.ensureDmChannel(user).id : (actor.channelId ?? this.channelId);
    const message = buildMessage({
      channelId,
      author: this.botUser,
      content: 'Emulated message with a button',
      components: [
        {
          type: ComponentType.ActionRow,
          components: [{ type: ComponentType.Button, style: ButtonStyle.Primary, custom_id: customId, label: customId }],
        },
      ],
      at: Date.now(),
    });
    this.storeMessage(message, false);
    return message;
  }

  /**
   * Sends MESSAGE_CREATE/UPDATE to every session with the needed intent. Without MESSAGE_CONTENT, guild messages
   * arrive with empty content unless they mention the bot or are the bot's own (Discord's rule).
   */
  private broadcastMessage(event: MessageEvent, message: APIMessage): number {
    const inGuild = this.guildChannels.has(message.channel_id);
    const intent = inGuild ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages;
    const member = inGuild ? this.members.get(message.author.id) : undefined;
    const extras = inGuild
      ? { guild_id: this.guildId, ...(member ? { member: memberWithoutUser(member) } : {}) }
      : { channel_type: ChannelType.DM };
    // Discord delivers no events of a channel the bot cannot view.
    if (inGuild && !this.botCan(message.channel_id, PermissionFlagsBits.ViewChannel)) return 0;
    return this.dispatchToSessions(event, (session) => {
      if ((session.intents & intent) === 0) return undefined;
      const canRead =
        !inGuild ||
        (session.intents & GatewayIntentBits.MessageContent) !== 0 ||
        message.author.id === this.botUserId ||
        message.mentions.some((user) => user.id === this.botUserId);
      return { ...(canRead ? message : redactContent(message)), ...extras };
    }, inGuild ? { guildId: this.guildId } : 'dm');
  }

  private echoBotMessage(event: MessageEvent, message: APIMessage, ephemeral: boolean): void {
    if (this.options.echoBotMessages && !ephemeral) this.broadcastMessage(event, message);
  }

  private echoBotMessageDelete(message: APIMessage, ephemeral: boolean): void {
    if (!this.options.echoBotMessages || ephemeral) return;
    const inGuild = this.guildChannels.has(message.channel_id);
    const intent = inGuild ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages;
    this.dispatchToSessions(GatewayDispatchEvents.MessageDelete, (session) =>
      (session.intents & intent) === 0
        ? undefined
        : { id: message.id, channel_id: message.channel_id, ...(inGuild ? { guild_id: this.guildId } : {}) },
      inGuild ? { guildId: this.guildId } : 'dm',
    );
  }

  /** Applies an edit body to a message (absent fields are kept, `null` clears). */
  private applyEdit(message: APIMessage, body: JsonObject, files: readonly RecordedFile[], at: number): APIMessage {
    const edited: APIMessage = { ...message, edited_timestamp: isoTime(at) };
    if (body.content !== undefined) edited.content = typeof body.content === 'string' ? body.content : '';
    if (body.embeds !== undefined) edited.embeds = Array.isArray(body.embeds) ? (body.embeds as APIEmbed[]) : [];
    if (body.components !== undefined) {
      edited.components = Array.isArray(body.components) ? (body.components as APIMessage['components']) : [];
    }
    if (body.attachments !== undefined || files.length > 0) {
      const kept = Array.isArray(body.attachments)
        ? message.attachments.filter((existing) => (body.attachments as unknown[]).some((a) => isObject(a) && a.id === existing.id))
        : message.attachments;
      edited.attachments = [...kept, ...attachmentsFromFiles(files, message.channel_id)];
    }
    if (typeof body.flags === 'number') {
      edited.flags = ((message.flags ?? 0) & ~SETTABLE_MESSAGE_FLAGS) | (body.flags & SETTABLE_MESSAGE_FLAGS);
    }
    // The first edit of a deferred "thinking" message turns it into a normal message.
    edited.flags = (edited.flags ?? 0) & ~MessageFlags.Loading;
    return edited;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Interactions
  // -------------------------------------------------------------------------------------------------------------

  private findRegisteredCommand(name: string, guildId: string | undefined): APIApplicationCommand | undefined {
    const matches = (command: APIApplicationCommand): boolean =>
      command.name === name && (command.type ?? ApplicationCommandType.ChatInput) === ApplicationCommandType.ChatInput;
    return (
      this.registeredCommands.find((command) => matches(command) && guildId !== undefined && command.guild_id === guildId) ??
      this.registeredCommands.find((command) => matches(command) && command.guild_id === undefined)
    );
  }

  private describeCommands(): string {
    return this.registeredCommands.map((command) => `${command.guild_id ? 'guild' : 'global'} /${command.name}`).join(', ') || 'none';
  }

  /**
   * The `data` of a chat-input command or autocomplete interaction: options typed from the registered command and
   * nested under the subcommand, attachment options with their `resolved.attachments` entries.
   */
  private buildCommandData(
    options: InjectCommandOptions | InjectAutocompleteOptions,
    focus: { name: string; value: string } | undefined,
  ): JsonObject {
    const { commandName, subcommand, subcommandGroup } = options;
    const command = this.findRegisteredCommand(commandName, options.dm ? undefined : (options.guildId ?? this.guildId));
    if (!command && this.options.requireRegisteredCommands) {
      throw new Error(`/${commandName} is not registered (registered: ${this.describeCommands()}); Discord could not dispatch it.`);
    }
    const where = `/${commandName}`;
    if (subcommandGroup !== undefined && subcommand === undefined) {
      throw new Error(`${where} ${subcommandGroup}: a subcommand group is run through one of its subcommands; pass \`subcommand\``);
    }
    const schema = command ? subcommandSchema(command.options ?? [], subcommandGroup, subcommand) : undefined;
    const attachments = new Map<string, APIAttachment>();
    let leaf = resolveShorthandOptions(options.options, schema, attachments);
    if (focus) {
      const type = schema?.find((option) => option.name === focus.name)?.type ?? ApplicationCommandOptionType.String;
      const focused = { name: focus.name, type, value: focus.value, focused: true } as APIApplicationCommandInteractionDataOption;
      leaf = [...leaf.filter((option) => option.name !== focus.name), focused];
    }
    const dataOptions = nestUnderSubcommand(leaf, subcommandGroup, subcommand);
    if (command && options.validateOptions !== false) {
      validateInjectedOptions(dataOptions, command.options ?? [], where, focus !== undefined);
      if (focus) requireAutocomplete(schema ?? [], focus.name, [where, subcommandGroup, subcommand].filter(Boolean).join(' '));
    }
    this.resolveAttachmentOptions(dataOptions, attachments, where);
    const channels = focus ? {} : this.resolveChannelOptions(leaf, schema, options.guildId, where);
    const resolved = {
      ...(attachments.size > 0 ? { attachments: Object.fromEntries(attachments) } : {}),
      ...(Object.keys(channels).length > 0 ? { channels } : {}),
    };
    return {
      id: command?.id ?? snowflake(),
      name: commandName,
      type: ApplicationCommandType.ChatInput,
      ...(dataOptions.length > 0 ? { options: dataOptions } : {}),
      ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
      ...(command?.guild_id ? { guild_id: command.guild_id } : {}),
    };
  }

  /**
   * A channel option (type 7) names a channel of the guild the command runs in, of a type the option allows
   * (`channel_types`); Discord sends it with its `resolved.channels` entry (id, name, type, the member's permissions).
   */
  private resolveChannelOptions(
    leaf: readonly APIApplicationCommandInteractionDataOption[],
    schema: readonly APIApplicationCommandOption[] | undefined,
    guildId: string | undefined,
    where: string,
  ): Record<string, JsonObject> {
    const resolved: Record<string, JsonObject> = {};
    for (const option of leaf) {
      if (option.type !== ApplicationCommandOptionType.Channel) continue;
      const id = String(option.value);
      const other = this.otherGuild(guildId);
      const channel: GuildChannelRecord | undefined = other ? (other.channel.id === id ? other.channel : undefined) : this.guildChannels.get(id);
      if (!channel) throw new Error(`${where}: option "${option.name}" names ${id}, which is no channel of that guild; Discord offers only the guild's channels`);
      const allowed = (schema?.find((o) => o.name === option.name) as { channel_types?: ChannelType[] } | undefined)?.channel_types;
      if (allowed && allowed.length > 0 && !allowed.includes(channel.type)) {
        throw new Error(`${where}: option "${option.name}" takes channels of types ${allowed.join(', ')}, not ${channel.type}; Discord would not offer it`);
      }
      resolved[id] = {
        id,
        name: channel.name,
        type: channel.type,
        permissions: ALL_PERMISSIONS.toString(),
        ...(isThread(channel) ? { parent_id: channel.parent_id, thread_metadata: channel.thread_metadata } : {}),
      };
    }
    return resolved;
  }

  /**
   * Every attachment option (type 11) must name an attachment Discord has: one passed as a shorthand value or one
   * from `hostAttachment()`; Discord never sends an attachment option without its `resolved` entry.
   */
  private resolveAttachmentOptions(
    options: readonly APIApplicationCommandInteractionDataOption[],
    attachments: Map<string, APIAttachment>,
    where: string,
  ): void {
    for (const option of options) {
      if (option.type === ApplicationCommandOptionType.Subcommand || option.type === ApplicationCommandOptionType.SubcommandGroup) {
        this.resolveAttachmentOptions(option.options ?? [], attachments, `${where} ${option.name}`);
        continue;
      }
      if (option.type !== ApplicationCommandOptionType.Attachment) continue;
      const value: unknown = option.value;
      const hosted = typeof value === 'string' ? (attachments.get(value) ?? this.hostedAttachments.get(value)?.attachment) : undefined;
      if (!hosted) {
        throw new Error(
          `${where}: option "${option.name}" must be an attachment (an APIAttachment from emulator.hostAttachment(), or its id); ` +
            `got ${summarize(value, 60)}`,
        );
      }
      attachments.set(hosted.id, hosted);
    }
  }

  private dispatchInteraction(
    type: InteractionType,
    data: JsonObject,
    options: InjectInteractionCommonOptions,
    message: APIMessage | undefined,
  ): InteractionHandle {
    const at = Date.now();
    const id = snowflake(at);
    const user = this.ensureUser(options.userId ?? this.userId, { username: options.username, globalName: options.globalName });
    const locale = options.locale ?? Locale.EnglishUS;
    const payload = options.dm
      ? this.buildDmInteractionBase(id, type, user, locale)
      : this.buildGuildInteractionBase(id, type, user, locale, options);
    const interaction = { ...payload, data, ...(message ? { message } : {}) } as unknown as APIInteraction;
    options.mutate?.(interaction);

    const handle = new InteractionHandle(interaction, at, this.options.waitTimeoutMs, () => this.describeRecentRequests());
    this.interactions.set(id, {
      payload: interaction,
      handle,
      responseWindowMs: options.responseWindowMs ?? this.options.interactionResponseWindowMs,
      acknowledgement: undefined,
      originalMessageId: undefined,
      originalIsLoading: false,
      ephemeral: false,
      followUpIds: new Set(),
    });
    // INTERACTION_CREATE needs no intent; it goes to the shard owning the guild, or shard 0 for a DM.
    const guildId = options.guildId ?? this.guildId;
    const audience: Audience = options.dm ? 'dm' : { guildId };
    const delivered = this.dispatchToSessions(GatewayDispatchEvents.InteractionCreate, () => interaction, audience);
    if (delivered === 0) {
      const connected = this.connectedShards;
      const which = options.dm ? 'shard 0 (DMs)' : `the shard owning guild ${guildId}`;
      throw new Error(
        connected.length === 0
          ? 'No connected gateway session: log a client in and wait for clientReady before injecting.'
          : `No connected gateway session is ${which} (connected shards: ${connected.map((s) => `[${s.join(', ')}]`).join(' ')}).`,
      );
    }
    return handle;
  }

  private buildGuildInteractionBase(id: string, type: InteractionType, user: APIUser, locale: Locale, options: InjectActorOptions): JsonObject {
    const other = this.otherGuild(options.guildId);
    if (other) return this.buildOtherGuildInteractionBase(other, id, type, user, locale, options);
    const channelId = options.channelId ?? this.channelId;
    const channel = this.guildChannels.get(channelId);
    if (!channel) throw new Error(`Unknown guild channel ${channelId}`);
    const member = this.ensureMember(user, options.roles);
    const permissions =
      options.permissions !== undefined ? options.permissions.toString() : this.permissionsFor(user.id, member.roles);
    const interactionMember: APIInteractionGuildMember = { ...member, user, permissions };
    return {
      id,
      application_id: this.applicationId,
      type,
      guild: { id: this.guildId, locale: Locale.EnglishUS, features: [] },
      guild_id: this.guildId,
      channel: { ...channel, permissions },
      channel_id: channelId,
      member: interactionMember,
      token: makeInteractionToken(id),
      version: 1,
      app_permissions: this.botPermissions,
      locale,
      guild_locale: Locale.EnglishUS,
      entitlements: [],
      authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: this.guildId },
      context: InteractionContextType.Guild,
      attachment_size_limit: 10 * 1024 * 1024,
    };
  }

  private buildOtherGuildInteractionBase(
    other: OtherGuildState,
    id: string,
    type: InteractionType,
    user: APIUser,
    locale: Locale,
    options: InjectActorOptions,
  ): JsonObject {
    if (options.channelId !== undefined && options.channelId !== other.channelId) throw new Error(`Unknown channel ${options.channelId} in guild ${other.guildId}`);
    let member = other.members.get(user.id);
    if (!member) {
      member = buildMember(user, options.roles ?? [], isoTime(Date.now()));
      other.members.set(user.id, member);
    } else if (options.roles) member.roles = options.roles;
    const permissions = options.permissions !== undefined ? options.permissions.toString() : this.permissionsFor(user.id, member.roles, other);
    const botPermissions = this.permissionsFor(this.botUserId, other.members.get(this.botUserId)?.roles ?? [], other);
    return {
      id,
      application_id: this.applicationId,
      type,
      guild: { id: other.guildId, locale: Locale.EnglishUS, features: [] },
      guild_id: other.guildId,
      channel: { ...other.channel, permissions },
      channel_id: other.channelId,
      member: { ...member, user, permissions } as APIInteractionGuildMember,
      token: makeInteractionToken(id),
      version: 1,
      app_permissions: botPermissions,
      locale,
      guild_locale: Locale.EnglishUS,
      entitlements: [],
      authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: other.guildId },
      context: InteractionContextType.Guild,
      attachment_size_limit: 10 * 1024 * 1024,
    };
  }

  private buildDmInteractionBase(id: string, type: InteractionType, user: APIUser, locale: Locale): JsonObject {
    const channel = this.ensureDmChannel(user);
    return {
      id,
      application_id: this.applicationId,
      type,
      channel,
      channel_id: channel.id,
      user,
      token: makeInteractionToken(id),
      version: 1,
      app_permissions: EmulatorPermissions.bot,
      locale,
      entitlements: [],
      // "0" stands for the bot's own DM in the guild-install slot.
      authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: '0' },
      context: InteractionContextType.BotDM,
      attachment_size_limit: 10 * 1024 * 1024,
    };
  }

  private interactionByToken(applicationId: string, token: string): InteractionState {
    if (applicationId !== this.applicationId) throw DiscordHttpError.of(DiscordErrors.unknownWebhook);
    const state = [...this.interactions.values()].find((candidate) => candidate.payload.token === token);
    if (!state) throw DiscordHttpError.of(DiscordErrors.unknownWebhook);
    return state;
  }

  /** Runs `action`, recording a Discord error against the interaction before rethrowing it. */
  private recordingRejections<T>(state: InteractionState, kind: RejectedInteractionRequest['kind'], ctx: RouteContext, action: () => T): T {
    try {
      return action();
    } catch (error) {
      if (error instanceof DiscordHttpError) {
        state.handle.recordRejection({
          kind,
          status: error.status,
          error: error.body,
          body: ctx.body,
          at: ctx.at,
          elapsedMs: ctx.at - state.handle.dispatchedAt,
        });
      }
      throw error;
    }
  }

  private allowedCallbackTypes(state: InteractionState): readonly InteractionResponseType[] {
    switch (state.payload.type) {
      case InteractionType.ApplicationCommand:
        return [
          InteractionResponseType.ChannelMessageWithSource,
          InteractionResponseType.DeferredChannelMessageWithSource,
          InteractionResponseType.Modal,
        ];
      case InteractionType.MessageComponent:
        return [
          InteractionResponseType.ChannelMessageWithSource,
          InteractionResponseType.DeferredChannelMessageWithSource,
          InteractionResponseType.DeferredMessageUpdate,
          InteractionResponseType.UpdateMessage,
          InteractionResponseType.Modal,
        ];
      case InteractionType.ModalSubmit:
        // Updating is only possible when the modal was opened from a component on a message.
        return state.payload.message
          ? [
              InteractionResponseType.ChannelMessageWithSource,
              InteractionResponseType.DeferredChannelMessageWithSource,
              InteractionResponseType.DeferredMessageUpdate,
              InteractionResponseType.UpdateMessage,
            ]
          : [InteractionResponseType.ChannelMessageWithSource, InteractionResponseType.DeferredChannelMessageWithSource];
      case InteractionType.ApplicationCommandAutocomplete:
        // Suggestions only: no message, no defer, no modal.
        return [InteractionResponseType.ApplicationCommandAutocompleteResult];
      default:
        return [];
    }
  }

  private interactionCallback(ctx: RouteContext): RouteResult {
    const state = this.interactions.get(ctx.params.interactionId ?? '');
    if (!state || state.payload.token !== ctx.params.token) throw DiscordHttpError.of(DiscordErrors.unknownInteraction);
    const { type, data, files } = this.recordingRejections(state, 'callback', ctx, () => {
      if (state.acknowledgement !== undefined) throw DiscordHttpError.of(DiscordErrors.alreadyAcknowledged);
      if (ctx.at - state.handle.dispatchedAt > state.responseWindowMs) throw DiscordHttpError.of(DiscordErrors.unknownInteraction);
      return this.validateCallback(state, ctx);
    });

    state.acknowledgement = type;
    const message = this.applyCallback(state, { type, data, files }, ctx.at);
    const withResponse = ctx.query.get('with_response') === 'true';
    const isModal = type === InteractionResponseType.Modal;
    const isChoices = type === InteractionResponseType.ApplicationCommandAutocompleteResult;
    const modal = isModal ? (data as unknown as APIModalInteractionResponseCallbackData) : undefined;
    if (modal) this.shownModals.push({ modal, source: state, submitted: false });
    state.handle.callbacks.push({
      type,
      data: isModal || isChoices ? undefined : (data as APIInteractionResponseCallbackData | undefined),
      modal,
      choices: isChoices ? (data?.choices as APIApplicationCommandOptionChoice[]) : undefined,
      body: ctx.body as APIInteractionResponse,
      withResponse,
      files,
      at: ctx.at,
      elapsedMs: ctx.at - state.handle.dispatchedAt,
    });
    if (!withResponse) return noContent();
    const includesMessage = type === InteractionResponseType.ChannelMessageWithSource || type === InteractionResponseType.UpdateMessage;
    return json({
      interaction: {
        id: state.payload.id,
        type: state.payload.type,
        ...(state.originalMessageId
          ? {
              response_message_id: state.originalMessageId,
              response_message_loading: state.originalIsLoading,
              response_message_ephemeral: state.ephemeral,
            }
          : {}),
      },
      resource: { type, ...(includesMessage && message ? { message } : {}) },
    });
  }

  private validateCallback(state: InteractionState, ctx: RouteContext): ValidatedCallback {
    const body = isObject(ctx.body) ? ctx.body : {};
    const type = body.type;
    const allowed = this.allowedCallbackTypes(state);
    if (typeof type !== 'number' || !allowed.includes(type)) {
      const errors = new FormErrors();
      errors.add(['type'], 'INTERACTION_RESPONSE_TYPE_INVALID', `Value must be one of ${JSON.stringify(allowed)} for this interaction.`);
      errors.throwIfAny();
    }
    const responseType = type as InteractionResponseType;
    const data = isObject(body.data) ? body.data : undefined;
    switch (responseType) {
      case InteractionResponseType.ChannelMessageWithSource:
        validateNewMessage(data, ['data'], ctx.files.length);
        break;
      case InteractionResponseType.UpdateMessage: {
        const errors = new FormErrors();
        validateMessageFields(errors, ['data'], data ?? {});
        errors.throwIfAny();
        break;
      }
      case InteractionResponseType.Modal:
        validateModal(data);
        break;
      case InteractionResponseType.ApplicationCommandAutocompleteResult:
        validateAutocompleteChoices(data, focusedOptionType(state.payload));
        break;
      default:
        break;
    }
    return { type: responseType, data, files: ctx.files };
  }

  /** Creates or updates the @original message for an accepted callback; returns it when there is one. */
  private applyCallback(state: InteractionState, { type, data, files }: ValidatedCallback, at: number): APIMessage | undefined {
    const flags = Number(data?.flags ?? 0);
    switch (type) {
      case InteractionResponseType.ChannelMessageWithSource:
      case InteractionResponseType.DeferredChannelMessageWithSource: {
        const deferred = type === InteractionResponseType.DeferredChannelMessageWithSource;
        state.ephemeral = (flags & MessageFlags.Ephemeral) !== 0;
        state.originalIsLoading = deferred;
        const message = this.buildInteractionMessage(state, {
          content: deferred ? '' : (data?.content as string | undefined),
          embeds: deferred ? [] : (data?.embeds as APIEmbed[] | undefined),
          components: deferred ? [] : (data?.components as APIMessage['components']),
          attachments: attachmentsFromFiles(files, this.interactionChannelId(state)),
          flags: (flags & SETTABLE_INTERACTION_FLAGS) | (deferred ? MessageFlags.Loading : 0),
          at,
        });
        state.originalMessageId = message.id;
        this.storeMessage(message, state.ephemeral);
        state.handle.originalStates.push(message);
        this.echoBotMessage(GatewayDispatchEvents.MessageCreate, message, state.ephemeral);
        return message;
      }
      case InteractionResponseType.DeferredMessageUpdate:
      case InteractionResponseType.UpdateMessage: {
        const target = state.payload.message;
        if (!target) return undefined;
        const stored = this.messages.get(target.id);
        state.originalMessageId = target.id;
        state.ephemeral = stored?.ephemeral ?? ((target.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
        let message = stored?.message ?? target;
        if (type === InteractionResponseType.UpdateMessage) {
          message = this.applyEdit(message, data ?? {}, files, at);
          this.storeMessage(message, state.ephemeral);
          this.echoBotMessage(GatewayDispatchEvents.MessageUpdate, message, state.ephemeral);
        }
        state.handle.originalStates.push(message);
        return message;
      }
      default:
        return undefined;
    }
  }

  private interactionChannelId(state: InteractionState): string {
    return state.payload.channel?.id ?? state.payload.channel_id ?? this.channelId;
  }

  private buildInteractionMessage(
    state: InteractionState,
    fields: InteractionMessageFields,
  ): APIMessage {
    const payload = state.payload;
    const user = payload.member?.user ?? payload.user;
    const isCommand = payload.type === InteractionType.ApplicationCommand;
    const commandName = isCommand && isObject(payload.data) ? String(payload.data.name) : undefined;
    return buildMessage({
      channelId: this.interactionChannelId(state),
      author: this.botUser,
      content: fields.content,
      embeds: fields.embeds,
      components: fields.components,
      attachments: fields.attachments,
      flags: fields.flags,
      type: isCommand ? MessageType.ChatInputCommand : MessageType.Default,
      at: fields.at,
      extra: {
        webhook_id: this.applicationId,
        application_id: this.applicationId,
        interaction_metadata: {
          id: payload.id,
          type: payload.type,
          user,
          authorizing_integration_owners: payload.authorizing_integration_owners,
          ...(payload.type === InteractionType.MessageComponent && payload.message ? { interacted_message_id: payload.message.id } : {}),
        } as APIMessage['interaction_metadata'],
        ...(user && commandName ? { interaction: { id: payload.id, type: payload.type, name: commandName, user } } : {}),
      },
    });
  }

  /** Common checks of the webhook-token routes: token alive, interaction acknowledged. */
  private acknowledgedInteraction(ctx: RouteContext): InteractionState {
    const state = this.interactionByToken(ctx.params.applicationId ?? '', ctx.params.token ?? '');
    if (ctx.at - state.handle.dispatchedAt > this.options.interactionTokenLifetimeMs) {
      throw DiscordHttpError.of(DiscordErrors.invalidWebhookToken);
    }
    // Before the first callback the interaction's webhook does not exist yet; autocomplete never gets one.
    if (state.acknowledgement === undefined || state.payload.type === InteractionType.ApplicationCommandAutocomplete) {
      throw DiscordHttpError.of(DiscordErrors.unknownWebhook);
    }
    return state;
  }

  /** `@original` or a follow-up id of this interaction. */
  private webhookMessageId(state: InteractionState, messageId: string): string {
    const id = messageId === '@original' ? state.originalMessageId : messageId;
    const known = id !== undefined && (id === state.originalMessageId || state.followUpIds.has(id)) && this.messages.has(id);
    if (!known || id === undefined) throw DiscordHttpError.of(DiscordErrors.unknownMessage);
    return id;
  }

  private editWebhookMessage(ctx: RouteContext): RouteResult {
    const state = this.tryInteractionByToken(ctx);
    const run = (): RouteResult => {
      const live = this.acknowledgedInteraction(ctx);
      const id = this.webhookMessageId(live, ctx.params.messageId ?? '');
      const stored = this.messages.get(id);
      if (!stored) throw DiscordHttpError.of(DiscordErrors.unknownMessage);
      const body = isObject(ctx.body) ? ctx.body : {};
      const errors = new FormErrors();
      validateMessageFields(errors, [], body);
      errors.throwIfAny();
      const edited = this.applyEdit(stored.message, body, ctx.files, ctx.at);
      if (isEmptyMessage(edited as unknown as JsonObject, 0)) throw DiscordHttpError.of(DiscordErrors.emptyMessage);
      this.storeMessage(edited, stored.ephemeral);
      if (id === live.originalMessageId) {
        live.originalIsLoading = false;
        live.handle.originalStates.push(edited);
      }
      live.handle.edits.push(this.webhookRecord('edit', live, id, ctx, edited, false));
      this.echoBotMessage(GatewayDispatchEvents.MessageUpdate, edited, stored.ephemeral);
      return json(edited);
    };
    return state ? this.recordingRejections(state, 'edit', ctx, run) : run();
  }

  private getWebhookMessage(ctx: RouteContext): RouteResult {
    const state = this.tryInteractionByToken(ctx);
    const run = (): RouteResult => {
      const live = this.acknowledgedInteraction(ctx);
      const id = this.webhookMessageId(live, ctx.params.messageId ?? '');
      return json(this.messages.get(id)?.message);
    };
    return state ? this.recordingRejections(state, 'fetch', ctx, run) : run();
  }

  private deleteWebhookMessage(ctx: RouteContext): RouteResult {
    const state = this.tryInteractionByToken(ctx);
    const run = (): RouteResult => {
      const live = this.acknowledgedInteraction(ctx);
      const id = this.webhookMessageId(live, ctx.params.messageId ?? '');
      const stored = this.messages.get(id);
      this.messages.delete(id);
      if (stored) this.echoBotMessageDelete(stored.message, stored.ephemeral);
      return noContent();
    };
    return state ? this.recordingRejections(state, 'delete', ctx, run) : run();
  }

  private createFollowUp(ctx: RouteContext): RouteResult {
    const state = this.tryInteractionByToken(ctx);
    const run = (): RouteResult => {
      const live = this.acknowledgedInteraction(ctx);
      const body = validateNewMessage(ctx.body, [], ctx.files.length);
      const channelId = this.interactionChannelId(live);
      let message: APIMessage;
      let ephemeral: boolean;
      const replacesDeferred = live.originalIsLoading && live.originalMessageId !== undefined;
      if (replacesDeferred && live.originalMessageId) {
        // Discord turns the first follow-up after a defer into the deferred message itself (keeping its ephemerality).
        const stored = this.messages.get(live.originalMessageId);
        if (!stored) throw DiscordHttpError.of(DiscordErrors.unknownMessage);
        message = this.applyEdit(stored.message, body, ctx.files, ctx.at);
        message = { ...message, edited_timestamp: null };
        ephemeral = stored.ephemeral;
        live.originalIsLoading = false;
        live.handle.originalStates.push(message);
        this.storeMessage(message, ephemeral);
        this.echoBotMessage(GatewayDispatchEvents.MessageUpdate, message, ephemeral);
      } else {
        const flags = Number(body.flags ?? 0);
        ephemeral = (flags & MessageFlags.Ephemeral) !== 0;
        message = buildMessage({
          channelId,
          author: this.botUser,
          content: body.content as string | undefined,
          embeds: body.embeds as APIEmbed[] | undefined,
          components: body.components as APIMessage['components'],
          attachments: attachmentsFromFiles(ctx.files, channelId),
          flags: flags & SETTABLE_INTERACTION_FLAGS,
          at: ctx.at,
          extra: { webhook_id: this.applicationId, application_id: this.applicationId },
        });
        this.storeMessage(message, ephemeral);
        this.echoBotMessage(GatewayDispatchEvents.MessageCreate, message, ephemeral);
      }
      live.followUpIds.add(message.id);
      live.handle.followUps.push(this.webhookRecord('followUp', live, message.id, ctx, message, replacesDeferred));
      return ctx.query.get('wait') === 'true' ? json(message) : noContent();
    };
    return state ? this.recordingRejections(state, 'followUp', ctx, run) : run();
  }

  private tryInteractionByToken(ctx: RouteContext): InteractionState | undefined {
    return [...this.interactions.values()].find((state) => state.payload.token === ctx.params.token);
  }

  private webhookRecord(
    kind: WebhookMessageRecord['kind'],
    state: InteractionState,
    messageId: string,
    ctx: RouteContext,
    message: APIMessage,
    replacedDeferredOriginal: boolean,
  ): WebhookMessageRecord {
    return {
      kind,
      messageId,
      body: (isObject(ctx.body) ? ctx.body : {}) as RESTPostAPIWebhookWithTokenJSONBody,
      files: ctx.files,
      message,
      replacedDeferredOriginal,
      at: ctx.at,
      elapsedMs: ctx.at - state.handle.dispatchedAt,
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Application commands
  // -------------------------------------------------------------------------------------------------------------

  private commandScope(ctx: RouteContext): string | undefined {
    if (ctx.params.applicationId !== this.applicationId) throw DiscordHttpError.of(DiscordErrors.notAuthorizedForApplication);
    const guildId = ctx.params.guildId;
    if (guildId !== undefined && guildId !== this.guildId) throw DiscordHttpError.of(DiscordErrors.unknownGuild);
    return guildId;
  }

  private commandsIn(guildId: string | undefined): APIApplicationCommand[] {
    return this.registeredCommands.filter((command) => command.guild_id === guildId);
  }

  /** Normalises a command as Discord returns it, keeping the id of an existing command with the same name/type. */
  private toRegisteredCommand(body: JsonObject, guildId: string | undefined, existing: APIApplicationCommand | undefined): APIApplicationCommand {
    const type = (body.type as ApplicationCommandType | undefined) ?? ApplicationCommandType.ChatInput;
    return {
      ...(body as unknown as APIApplicationCommand),
      id: existing?.id ?? snowflake(),
      application_id: this.applicationId,
      version: snowflake(),
      type,
      name: String(body.name),
      description: typeof body.description === 'string' ? body.description : '',
      default_member_permissions: (body.default_member_permissions as string | null | undefined) ?? null,
      nsfw: body.nsfw === true,
      integration_types: (body.integration_types as ApplicationIntegrationType[] | undefined) ?? [ApplicationIntegrationType.GuildInstall],
      contexts: (body.contexts as InteractionContextType[] | null | undefined) ?? (guildId ? null : ALL_CONTEXTS),
      ...(guildId ? { guild_id: guildId } : {}),
    };
  }

  private replaceCommands(guildId: string | undefined, commands: APIApplicationCommand[]): void {
    const others = this.registeredCommands.filter((command) => command.guild_id !== guildId);
    this.registeredCommands.splice(0, this.registeredCommands.length, ...others, ...commands);
  }

  private bulkOverwriteCommands(ctx: RouteContext): RouteResult {
    const guildId = this.commandScope(ctx);
    this.commandRegistrations.push({ scope: guildId ?? 'global', method: 'PUT', body: ctx.body, at: ctx.at });
    const bodies = validateCommandList(ctx.body, guildId === undefined);
    const previous = this.commandsIn(guildId);
    const commands = bodies.map((body) =>
      this.toRegisteredCommand(
        body,
        guildId,
        previous.find((command) => command.name === body.name && command.type === (body.type ?? ApplicationCommandType.ChatInput)),
      ),
    );
    this.replaceCommands(guildId, commands);
    return json(commands);
  }

  private createCommand(ctx: RouteContext): RouteResult {
    const guildId = this.commandScope(ctx);
    this.commandRegistrations.push({ scope: guildId ?? 'global', method: 'POST', body: ctx.body, at: ctx.at });
    const errors = new FormErrors();
    validateCommand(errors, [], ctx.body);
    errors.throwIfAny();
    const body = ctx.body as JsonObject;
    const current = this.commandsIn(guildId);
    const existing = current.find((command) => command.name === body.name && command.type === (body.type ?? ApplicationCommandType.ChatInput));
    const command = this.toRegisteredCommand(body, guildId, existing);
    this.replaceCommands(guildId, [...current.filter((c) => c !== existing), command]);
    return json(command, existing ? 200 : 201);
  }

  private findCommand(ctx: RouteContext): APIApplicationCommand {
    const guildId = this.commandScope(ctx);
    const command = this.commandsIn(guildId).find((candidate) => candidate.id === ctx.params.commandId);
    if (!command) throw DiscordHttpError.of(DiscordErrors.unknownCommand);
    return command;
  }

  private editCommand(ctx: RouteContext): RouteResult {
    const existing = this.findCommand(ctx);
    const guildId = existing.guild_id;
    this.commandRegistrations.push({ scope: guildId ?? 'global', method: 'PATCH', body: ctx.body, at: ctx.at });
    const merged = { ...(existing as unknown as JsonObject), ...(isObject(ctx.body) ? ctx.body : {}) };
    const errors = new FormErrors();
    validateCommand(errors, [], merged);
    errors.throwIfAny();
    const command = this.toRegisteredCommand(merged, guildId, existing);
    this.replaceCommands(guildId, this.commandsIn(guildId).map((c) => (c === existing ? command : c)));
    return json(command);
  }

  private deleteCommand(ctx: RouteContext): RouteResult {
    const existing = this.findCommand(ctx);
    this.commandRegistrations.push({ scope: existing.guild_id ?? 'global', method: 'DELETE', body: undefined, at: ctx.at });
    this.registeredCommands.splice(this.registeredCommands.indexOf(existing), 1);
    return noContent();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Channels
  // -------------------------------------------------------------------------------------------------------------

  private createChannelMessage(ctx: RouteContext): RouteResult {
    const channelId = ctx.params.channelId ?? '';
    const channel = this.requireChannel(channelId);
    if (channel.type === ChannelType.GuildForum) throw DiscordHttpError.of(DiscordErrors.wrongChannelType);
    this.requireBotPermissions(channelId, isThread(channel) ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages);
    const body = validateNewMessage(ctx.body, [], ctx.files.length);
    this.noteThreadMessage(channelId, true);
    const referenced = this.resolveReference(body, channelId);
    const flags = Number(body.flags ?? 0);
    const message = buildMessage({
      channelId,
      author: this.botUser,
      content: body.content as string | undefined,
      embeds: body.embeds as APIEmbed[] | undefined,
      components: body.components as APIMessage['components'],
      attachments: attachmentsFromFiles(ctx.files, channelId),
      flags: flags & SETTABLE_MESSAGE_FLAGS,
      type: referenced ? MessageType.Reply : MessageType.Default,
      reference: referenced
        ? {
            type: 0,
            message_id: referenced.id,
            channel_id: referenced.channel_id,
            ...(this.guildChannels.has(channelId) ? { guild_id: this.guildId } : {}),
          }
        : undefined,
      referencedMessage: referenced,
      at: ctx.at,
    });
    this.storeMessage(message, false);
    this.channelMessages.push({
      channelId,
      body: body as RESTPostAPIChannelMessageJSONBody,
      files: ctx.files,
      message,
      at: ctx.at,
    });
    this.echoBotMessage(GatewayDispatchEvents.MessageCreate, message, false);
    return json(message);
  }

  /** A reply's `message_reference` must point at an existing message unless `fail_if_not_exists` is false. */
  private resolveReference(body: JsonObject, channelId: string): APIMessage | undefined {
    const reference = body.message_reference;
    if (!isObject(reference) || typeof reference.message_id !== 'string') return undefined;
    const stored = this.messages.get(reference.message_id);
    const sameChannel = stored && stored.message.channel_id === (typeof reference.channel_id === 'string' ? reference.channel_id : channelId);
    if (stored && sameChannel && !stored.ephemeral) return stored.message;
    if (reference.fail_if_not_exists === false) return undefined;
    const errors = new FormErrors();
    errors.add(['message_reference'], 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
    errors.throwIfAny();
    return undefined;
  }

  private channelMessage(ctx: RouteContext): StoredMessage {
    this.requireChannel(ctx.params.channelId ?? '');
    const stored = this.messages.get(ctx.params.messageId ?? '');
    if (!stored || stored.ephemeral || stored.message.channel_id !== ctx.params.channelId) {
      throw DiscordHttpError.of(DiscordErrors.unknownMessage);
    }
    return stored;
  }

  private editChannelMessage(ctx: RouteContext): RouteResult {
    const stored = this.channelMessage(ctx);
    if (stored.message.author.id !== this.botUserId) throw DiscordHttpError.of(DiscordErrors.cannotEditOthersMessage);
    const body = isObject(ctx.body) ? ctx.body : {};
    const errors = new FormErrors();
    validateMessageFields(errors, [], body);
    errors.throwIfAny();
    const edited = this.applyEdit(stored.message, body, ctx.files, ctx.at);
    if (isEmptyMessage(edited as unknown as JsonObject, 0)) throw DiscordHttpError.of(DiscordErrors.emptyMessage);
    this.storeMessage(edited, false);
    this.echoBotMessage(GatewayDispatchEvents.MessageUpdate, edited, false);
    return json(edited);
  }

  private deleteChannelMessage(ctx: RouteContext): RouteResult {
    const stored = this.channelMessage(ctx);
    this.messages.delete(stored.message.id);
    this.echoBotMessageDelete(stored.message, false);
    return noContent();
  }

  private react(ctx: RouteContext, method: 'PUT' | 'DELETE'): RouteResult {
    const stored = this.channelMessage(ctx);
    this.reactions.push({ channelId: stored.message.channel_id, messageId: stored.message.id, emoji: ctx.params.emoji ?? '', method, at: ctx.at });
    return noContent();
  }

  /**
   * PATCH of a thread: name, tags, archived, locked. Needs Manage Threads, except to unarchive an unlocked thread,
   * and except for the thread's creator; moderated tags always need it. Other channels need Manage Channels.
   */
  private editChannel(ctx: RouteContext): RouteResult {
    const channelId = ctx.params.channelId ?? '';
    const channel = this.requireChannel(channelId);
    const body = isObject(ctx.body) ? ctx.body : {};
    if (!isThread(channel)) {
      this.requireBotPermissions(channelId, PermissionFlagsBits.ManageChannels);
      throw DiscordHttpError.of(DiscordErrors.wrongChannelType);
    }
    const parent = this.guildChannels.get(channel.parent_id ?? '');
    const available = parent?.type === ChannelType.GuildForum ? parent.available_tags : [];
    const errors = new FormErrors();
    if (body.name !== undefined) checkLengthBetween(errors, ['name'], body.name, 1, 100);
    const tags = body.applied_tags;
    if (tags !== undefined) {
      if (!Array.isArray(tags)) errors.add(['applied_tags'], 'BASE_TYPE_BAD_ARRAY', 'Must be an array.');
      else {
        if (tags.length > 5) errors.add(['applied_tags'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
        tags.forEach((tag, i) => {
          if (!available.some((t) => t.id === tag)) errors.add(['applied_tags', i], 'FORUM_TAG_UNKNOWN', 'Unknown tag.');
        });
      }
    }
    errors.throwIfAny();
    this.requireBotPermissions(channelId, 0n);
    const metadata = channel.thread_metadata!;
    const manage = this.botCan(channelId, PermissionFlagsBits.ManageThreads);
    const onlyUnarchives = Object.keys(body).every((key) => key === 'archived' && body.archived === false);
    if (onlyUnarchives && metadata.locked && !manage) throw DiscordHttpError.of(DiscordErrors.threadLocked);
    if (!onlyUnarchives && !manage && channel.owner_id !== this.botUserId) throw DiscordHttpError.of(DiscordErrors.missingPermissions);
    if (Array.isArray(tags)) {
      const before = new Set(channel.applied_tags ?? []);
      const after = new Set(tags as string[]);
      const changed = available.filter((t) => before.has(t.id) !== after.has(t.id));
      if (changed.some((t) => t.moderated) && !manage) throw DiscordHttpError.of(DiscordErrors.missingPermissions);
      channel.applied_tags = [...after];
    }
    if (typeof body.name === 'string') channel.name = body.name;
    if (typeof body.locked === 'boolean') metadata.locked = body.locked;
    if (typeof body.archived === 'boolean' && body.archived !== metadata.archived) {
      metadata.archived = body.archived;
      metadata.archive_timestamp = isoTime(ctx.at);
    }
    this.dispatchThreadEvent(GatewayDispatchEvents.ThreadUpdate, channel);
    return json(channel);
  }

  /** Starts a public thread on a message of a text channel: the thread's id is the message's, its owner the bot. */
  private startThreadFromMessage(ctx: RouteContext): RouteResult {
    const channelId = ctx.params.channelId ?? '';
    const channel = this.requireChannel(channelId);
    if (channel.type !== ChannelType.GuildText) throw DiscordHttpError.of(DiscordErrors.wrongChannelType);
    this.requireBotPermissions(channelId, PermissionFlagsBits.CreatePublicThreads);
    const stored = this.channelMessage(ctx);
    if (this.guildChannels.has(stored.message.id)) throw DiscordHttpError.of(DiscordErrors.threadAlreadyCreated);
    const body = isObject(ctx.body) ? ctx.body : {};
    const errors = new FormErrors();
    checkLengthBetween(errors, ['name'], body.name, 1, 100);
    const duration = body.auto_archive_duration ?? 4320;
    if (![60, 1440, 4320, 10080].includes(Number(duration))) errors.add(['auto_archive_duration'], 'BASE_TYPE_CHOICES', 'Value must be one of {60, 1440, 4320, 10080}.');
    errors.throwIfAny();
    const thread: APIThreadChannel = {
      id: stored.message.id,
      type: ChannelType.PublicThread,
      guild_id: this.guildId,
      parent_id: channelId,
      owner_id: this.botUserId,
      name: String(body.name),
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: NO_FLAGS as ChannelFlags,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: Number(duration) as 4320,
        archive_timestamp: isoTime(ctx.at),
        locked: false,
        create_timestamp: isoTime(ctx.at),
      },
    };
    this.guildChannels.set(thread.id, thread);
    const starter = { ...stored.message, thread, flags: (stored.message.flags ?? 0) | MessageFlags.HasThread };
    this.storeMessage(starter, false);
    this.dispatchThreadEvent(GatewayDispatchEvents.ThreadCreate, thread, { newly_created: true });
    return json(thread, 201);
  }

  private getChannel(channelId: string): APIChannel {
    return this.requireChannel(channelId);
  }

  private getMember(ctx: RouteContext): RouteResult {
    if (ctx.params.guildId !== this.guildId) throw DiscordHttpError.of(DiscordErrors.unknownGuild);
    const member = this.members.get(ctx.params.userId ?? '');
    if (!member) throw DiscordHttpError.of(DiscordErrors.unknownMember);
    return json(member);
  }

  private requireGuild(ctx: RouteContext): void {
    if (ctx.params.guildId !== this.guildId) throw DiscordHttpError.of(DiscordErrors.unknownGuild);
  }

  // -------------------------------------------------------------------------------------------------------------
  // REST
  // -------------------------------------------------------------------------------------------------------------

  private buildRoutes(): Route[] {
    const route = (method: string, template: string, auth: Route['auth'], handle: Route['handle']): Route => ({
      method,
      template,
      segments: template.split('/').filter(Boolean),
      auth,
      handle,
    });
    const gatewayBot: RESTGetAPIGatewayBotResult = {
      url: '',
      shards: this.options.recommendedShards,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
    };
    return [
      route('GET', '/gateway', 'none', () => json({ url: this.gatewayUrl })),
      route('GET', '/gateway/bot', 'bot', () => json({ ...gatewayBot, url: this.gatewayUrl })),
      route('GET', '/users/@me', 'bot', () => json({ ...this.botUser, verified: true, mfa_enabled: false, email: null, locale: 'en-US' })),
      route('POST', '/users/@me/channels', 'bot', (ctx) => {
        const recipient = isObject(ctx.body) ? ctx.body.recipient_id : undefined;
        if (typeof recipient !== 'string') throw DiscordHttpError.of(DiscordErrors.unknownUser);
        return json(this.ensureDmChannel(this.ensureUser(recipient)));
      }),
      route('GET', '/users/:userId', 'bot', (ctx) => {
        const user = this.users.get(ctx.params.userId ?? '');
        if (!user) throw DiscordHttpError.of(DiscordErrors.unknownUser);
        return json(user);
      }),
      route('GET', '/applications/@me', 'bot', () => json(this.buildApplication())),
      route('GET', '/oauth2/applications/@me', 'bot', () => json(this.buildApplication())),
      route('GET', '/applications/:applicationId/commands', 'bot', (ctx) => json(this.commandsIn(this.commandScope(ctx)))),
      route('PUT', '/applications/:applicationId/commands', 'bot', (ctx) => this.bulkOverwriteCommands(ctx)),
      route('POST', '/applications/:applicationId/commands', 'bot', (ctx) => this.createCommand(ctx)),
      route('GET', '/applications/:applicationId/commands/:commandId', 'bot', (ctx) => json(this.findCommand(ctx))),
      route('PATCH', '/applications/:applicationId/commands/:commandId', 'bot', (ctx) => this.editCommand(ctx)),
      route('DELETE', '/applications/:applicationId/commands/:commandId', 'bot', (ctx) => this.deleteCommand(ctx)),
      route('GET', '/applications/:applicationId/guilds/:guildId/commands', 'bot', (ctx) => json(this.commandsIn(this.commandScope(ctx)))),
      route('PUT', '/applications/:applicationId/guilds/:guildId/commands', 'bot', (ctx) => this.bulkOverwriteCommands(ctx)),
      route('POST', '/applications/:applicationId/guilds/:guildId/commands', 'bot', (ctx) => this.createCommand(ctx)),
      route('GET', '/applications/:applicationId/guilds/:guildId/commands/:commandId', 'bot', (ctx) => json(this.findCommand(ctx))),
      route('PATCH', '/applications/:applicationId/guilds/:guildId/commands/:commandId', 'bot', (ctx) => this.editCommand(ctx)),
      route('DELETE', '/applications/:applicationId/guilds/:guildId/commands/:commandId', 'bot', (ctx) => this.deleteCommand(ctx)),
      route('POST', '/interactions/:interactionId/:token/callback', 'none', (ctx) => this.interactionCallback(ctx)),
      route('GET', '/webhooks/:applicationId/:token/messages/:messageId', 'none', (ctx) => this.getWebhookMessage(ctx)),
      route('PATCH', '/webhooks/:applicationId/:token/messages/:messageId', 'none', (ctx) => this.editWebhookMessage(ctx)),
      route('DELETE', '/webhooks/:applicationId/:token/messages/:messageId', 'none', (ctx) => this.deleteWebhookMessage(ctx)),
      route('POST', '/webhooks/:applicationId/:token', 'none', (ctx) => this.createFollowUp(ctx)),
      route('GET', '/channels/:channelId', 'bot', (ctx) => json(this.getChannel(ctx.params.channelId ?? ''))),
      route('GET', '/channels/:channelId/messages', 'bot', (ctx) => {
        this.requireChannel(ctx.params.channelId ?? '');
        this.requireBotPermissions(ctx.params.channelId ?? '', PermissionFlagsBits.ReadMessageHistory);
        const limit = Math.min(Math.max(Number(ctx.query.get('limit') ?? 50), 1), 100);
        const before = ctx.query.get('before');
        const inChannel = [...this.messages.values()]
          .filter((stored) => !stored.ephemeral && stored.message.channel_id === ctx.params.channelId)
          .map((stored) => stored.message)
          .filter((message) => before === null || BigInt(message.id) < BigInt(before))
          .sort(byIdDescending);
        return json(inChannel.slice(0, limit).map((message) => this.readableByRest(message)));
      }),
      route('POST', '/channels/:channelId/messages', 'bot', (ctx) => this.createChannelMessage(ctx)),
      route('GET', '/channels/:channelId/messages/:messageId', 'bot', (ctx) => {
        this.requireBotPermissions(ctx.params.channelId ?? '', PermissionFlagsBits.ReadMessageHistory);
        return json(this.readableByRest(this.channelMessage(ctx).message));
      }),
      route('POST', '/channels/:channelId/messages/:messageId/threads', 'bot', (ctx) => this.startThreadFromMessage(ctx)),
      route('PATCH', '/channels/:channelId', 'bot', (ctx) => this.editChannel(ctx)),
      route('PATCH', '/channels/:channelId/messages/:messageId', 'bot', (ctx) => this.editChannelMessage(ctx)),
      route('DELETE', '/channels/:channelId/messages/:messageId', 'bot', (ctx) => this.deleteChannelMessage(ctx)),
      route('PUT', '/channels/:channelId/messages/:messageId/reactions/:emoji/@me', 'bot', (ctx) => this.react(ctx, 'PUT')),
      route('DELETE', '/channels/:channelId/messages/:messageId/reactions/:emoji/@me', 'bot', (ctx) => this.react(ctx, 'DELETE')),
      route('POST', '/channels/:channelId/typing', 'bot', (ctx) => {
        this.requireChannel(ctx.params.channelId ?? '');
        this.typingIndicators.push({ channelId: ctx.params.channelId ?? '', at: ctx.at });
        return noContent();
      }),
      route('GET', '/guilds/:guildId', 'bot', (ctx) => {
        this.requireGuild(ctx);
        return json({ ...this.buildGuild(), approximate_member_count: this.members.size, approximate_presence_count: 0 });
      }),
      route('GET', '/guilds/:guildId/channels', 'bot', (ctx) => {
        this.requireGuild(ctx);
        return json([...this.guildChannels.values()].filter((c) => !isThread(c)));
      }),
      route('GET', '/guilds/:guildId/roles', 'bot', (ctx) => {
        this.requireGuild(ctx);
        return json(this.roles);
      }),
      route('GET', '/guilds/:guildId/members/:userId', 'bot', (ctx) => this.getMember(ctx)),
    ];
  }

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const versioned = url.pathname.startsWith(`${API_PREFIX}/`);
    if (url.pathname.startsWith(`/${EPHEMERAL_ATTACHMENTS_PATH}/`)) {
      await this.serveAttachment(req, res, url, method, at);
      return;
    }
    const segments = versioned ? decodeSegments(url.pathname.slice(API_PREFIX.length)) : undefined;
    const path = segments ? `/${segments.join('/')}` : url.pathname;
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      files: [],
      authorization: req.headers.authorization,
      at,
      status: 0,
    };
    let result: RouteResult;
    try {
      const raw = await readRequestBody(req);
      const parsed = await parseRequestBody(req.headers['content-type'], raw).catch((error: unknown) => {
        this.requests.push(record);
        throw error;
      });
      Object.assign(record, { body: parsed.body, files: parsed.files });
      this.requests.push(record);
      result = await this.route(method, segments, record, url.searchParams, at, req.headers.authorization);
    } catch (error) {
      if (!(error instanceof DiscordHttpError)) {
        console.error('[discord-emulator] handler crashed', error);
      }
      const httpError =
        error instanceof DiscordHttpError ? error : new DiscordHttpError(500, { code: 0, message: `500: Emulator error: ${String(error)}` });
      result = { status: httpError.status, body: httpError.body, headers: httpError.headers };
      record.errorCode = httpError.body.code;
    }
    record.status = result.status;
    if (result.body === undefined) {
      res.writeHead(result.status, result.headers ?? {}).end();
    } else {
      res.writeHead(result.status, { ...result.headers, 'content-type': 'application/json' }).end(JSON.stringify(result.body));
    }
  }

  /** GET/HEAD of a hosted file, unauthenticated like Discord's CDN (which checks the signature; this does not). */
  private async serveAttachment(req: IncomingMessage, res: ServerResponse, url: URL, method: string, at: number): Promise<void> {
    await readRequestBody(req);
    const segments = decodeSegments(url.pathname);
    const record: RecordedRequest = {
      method,
      path: `/${segments.join('/')}`,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      files: [],
      authorization: req.headers.authorization,
      at,
      status: 0,
    };
    this.requests.push(record);
    if (method !== 'GET' && method !== 'HEAD') {
      record.status = 405;
      this.recordUnknownRoute(method, record.path, record.status, at);
      res.writeHead(record.status, { allow: 'GET, HEAD' }).end();
      return;
    }
    const [, applicationId, id, filename] = segments;
    const hosted = this.hostedAttachments.get(id ?? '');
    const matches =
      hosted !== undefined && segments.length === 4 && applicationId === this.applicationId && filename === hosted.attachment.filename;
    if (!matches) {
      // A missing file is an answer the CDN gives, not a route the emulator lacks.
      record.status = 404;
      res.writeHead(record.status, { 'content-type': 'text/plain; charset=utf-8' }).end(CDN_NOT_FOUND_TEXT);
      return;
    }
    record.status = 200;
    res.writeHead(record.status, {
      'content-type': hosted.attachment.content_type ?? FALLBACK_CONTENT_TYPE,
      'content-length': hosted.bytes.length,
    });
    res.end(method === 'HEAD' ? undefined : hosted.bytes);
  }

  private async route(
    method: string,
    segments: string[] | undefined,
    record: RecordedRequest,
    query: URLSearchParams,
    at: number,
    authorization: string | undefined,
  ): Promise<RouteResult> {
    const candidates = segments ? this.routes.filter((route) => matchRoute(route, segments)) : [];
    const route = candidates.find((candidate) => candidate.method === method);
    if (!route) {
      const template = candidates.length > 0 ? DiscordErrors.methodNotAllowed : DiscordErrors.notFound;
      this.recordUnknownRoute(method, record.path, template.status, at);
      throw DiscordHttpError.of(template);
    }
    if (route.auth === 'bot' && (!this.tokenValid || authorization !== `Bot ${this.token}`)) {
      throw DiscordHttpError.of(DiscordErrors.unauthorized);
    }
    const params = matchRoute(route, segments ?? []) ?? {};
    // Only bot-token routes are limited here: interaction callbacks and webhooks are outside the global limit.
    const verdict = route.auth === 'bot' ? this.rateLimiter?.take(method, route.template, params, at, true) : undefined;
    if (verdict && !verdict.allowed) {
      this.rateLimitHits.push({ method, path: record.path, bucket: verdict.bucket, global: verdict.global, retryAfterMs: verdict.retryAfterMs, at });
      if (this.options.logProblems) console.warn(`[discord-emulator] 429 ${method} ${record.path} (${verdict.bucket})`);
      throw new DiscordHttpError(429, verdict.body as unknown as DiscordErrorBody, verdict.headers);
    }
    const result = await route.handle({ params, query, body: record.body, files: record.files, at });
    return verdict ? { ...result, headers: { ...result.headers, ...verdict.headers } } : result;
  }

  private recordUnknownRoute(method: string, path: string, status: number, at: number): void {
    this.unknownRoutes.push({ method, path, status, at });
    if (this.options.logProblems) console.warn(`[discord-emulator] unknown route ${method} ${path} → ${status}`);
  }

  private describeRecentRequests(count = 8): string {
    const recent = this.requests.slice(-count);
    if (recent.length === 0) return 'none';
    // Interaction tokens are ~200 characters; elide them so the summary stays readable.
    const shorten = (path: string): string => path.replace(/[\w-]{60,}/g, (token) => `${token.slice(0, 8)}…`);
    return recent
      .map((request) => `${request.method} ${shorten(request.path)} → ${request.status}${request.errorCode ? ` (${request.errorCode})` : ''}`)
      .join('; ');
  }

  // -------------------------------------------------------------------------------------------------------------
  // Gateway
  // -------------------------------------------------------------------------------------------------------------

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== GATEWAY_PATH) {
      this.recordUnknownRoute('WS', url.pathname, 404, Date.now());
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (url.searchParams.has('compress')) {
      // zlib-sync is not installed, so discord.js never asks for transport compression; if it ever does, say so.
      this.recordProtocolError(`unsupported gateway compression "${url.searchParams.get('compress')}" requested (the emulator speaks plain JSON)`);
      socket.end(
        'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n' +
          'zlib-stream compression is not supported by the Discord emulator',
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  private onGatewayConnection(socket: WebSocket, req: IncomingMessage): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const version = url.searchParams.get('v');
    const encoding = url.searchParams.get('encoding') ?? 'json';
    let session: GatewaySession | undefined;
    socket.on('message', (raw, isBinary) => {
      session = this.onGatewayMessage(socket, session, raw, isBinary);
    });
    socket.on('close', () => {
      if (session && session.socket === socket) session.socket = undefined;
    });
    socket.on('error', () => undefined);
    if (version !== String(API_VERSION)) {
      this.closeGateway(socket, GatewayCloseCodes.InvalidAPIVersion, `Invalid API version: ${version ?? 'none'}`, true);
      return;
    }
    if (encoding !== 'json') {
      this.closeGateway(socket, GatewayCloseCodes.DecodeError, `Unsupported encoding "${encoding}": the emulator speaks json`, true);
      return;
    }
    const hello = { heartbeat_interval: this.options.heartbeatIntervalMs, _trace: [TRACE] };
    this.send(socket, { op: GatewayOpcodes.Hello, d: hello, s: null, t: null });
  }

  /** Handles one client frame; returns the session the socket is bound to afterwards. */
  private onGatewayMessage(socket: WebSocket, session: GatewaySession | undefined, raw: RawData, isBinary: boolean): GatewaySession | undefined {
    const payload = isBinary ? undefined : safeJson(rawToString(raw));
    if (!isObject(payload) || typeof payload.op !== 'number') {
      this.closeGateway(socket, GatewayCloseCodes.DecodeError, 'Error while decoding payload.', true);
      return session;
    }
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        this.heartbeatCount += 1;
        this.send(socket, { op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null });
        return session;
      case GatewayOpcodes.Identify:
        if (session) {
          this.closeGateway(socket, GatewayCloseCodes.AlreadyAuthenticated, 'You sent more than one identify payload.', true);
          return session;
        }
        return this.identify(socket, payload.d);
      case GatewayOpcodes.Resume:
        if (session) {
          this.closeGateway(socket, GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.', true);
          return session;
        }
        return this.resume(socket, payload.d);
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
      case GatewayOpcodes.RequestGuildMembers:
      case GatewayOpcodes.RequestSoundboardSounds:
        if (!session) {
          this.closeGateway(socket, GatewayCloseCodes.NotAuthenticated, 'Not authenticated.', true);
          return session;
        }
        if (payload.op === GatewayOpcodes.PresenceUpdate) this.presenceUpdates.push(payload.d);
        if (payload.op === GatewayOpcodes.RequestGuildMembers) this.sendMemberChunk(session, payload.d);
        return session;
      default:
        this.closeGateway(socket, GatewayCloseCodes.UnknownOpcode, `Unknown opcode ${payload.op}.`, true);
        return session;
    }
  }

  private identify(socket: WebSocket, data: unknown): GatewaySession | undefined {
    const identify = (isObject(data) ? data : {}) as unknown as GatewayIdentifyData;
    this.identifies.push(identify);
    if (!this.tokenValid || identify.token !== this.token) {
      this.closeGateway(socket, GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.', false);
      return undefined;
    }
    const [shardId, shardCount] = identify.shard ?? [0, 1];
    if (!Number.isInteger(shardId) || !Number.isInteger(shardCount) || shardCount < 1 || shardId < 0 || shardId >= shardCount) {
      this.closeGateway(socket, GatewayCloseCodes.InvalidShard, 'Invalid shard.', false);
      return undefined;
    }
    const intents = Number(identify.intents);
    if (!Number.isInteger(intents) || intents < 0 || (intents & ~ALL_KNOWN_INTENTS) !== 0) {
      this.closeGateway(socket, GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).', false);
      return undefined;
    }
    if ((intents & PRIVILEGED_INTENTS & ~this.options.enabledPrivilegedIntents) !== 0) {
      this.closeGateway(socket, GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).', false);
      return undefined;
    }
    const session: GatewaySession = {
      id: randomBytes(16).toString('hex'),
      identify,
      shard: [shardId, shardCount],
      intents,
      sequence: 0,
      socket,
      log: [],
    };
    this.sessions.set(session.id, session);
    // A shard owning no guild gets an empty list, and discord.js is then ready without waiting for GUILD_CREATE.
    const ownsGuild = this.sessionOwnsGuild(session, this.guildId);
    const ownedOthers = [...this.others.values()].filter((other) => this.sessionOwnsGuild(session, other.guildId));
    const ready: GatewayReadyDispatchData = {
      v: API_VERSION,
      user: { ...this.botUser, verified: true, mfa_enabled: false, email: null },
      guilds: [...(ownsGuild ? [this.guildId] : []), ...ownedOthers.map((o) => o.guildId)].map((id) => ({ id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.gatewayUrl,
      ...(identify.shard ? { shard: identify.shard } : {}),
      application: { id: this.applicationId, flags: this.applicationFlags, flags_new: String(this.applicationFlags) },
    };
    this.dispatchToSession(session, GatewayDispatchEvents.Ready, {
      ...ready,
      // Fields real READY payloads carry that discord.js ignores; present for realism.
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: ['emulated'],
      session_type: 'normal',
      auth: {},
      _trace: [TRACE],
    });
    if ((ownsGuild || ownedOthers.length > 0) && (intents & GatewayIntentBits.Guilds) !== 0) {
      const timer = setTimeout(() => {
        this.pendingTimers.delete(timer);
        if (ownsGuild) this.dispatchToSession(session, GatewayDispatchEvents.GuildCreate, this.buildGuildCreate(intents));
        for (const other of ownedOthers) this.dispatchToSession(session, GatewayDispatchEvents.GuildCreate, this.buildOtherGuildCreate(other, intents));
      }, GUILD_CREATE_DELAY_MS);
      this.pendingTimers.add(timer);
    }
    return session;
  }

  private resume(socket: WebSocket, data: unknown): GatewaySession | undefined {
    const resume = isObject(data) ? data : {};
    const session = this.sessions.get(String(resume.session_id));
    const seq = Number(resume.seq ?? 0);
    this.resumes.push({ sessionId: String(resume.session_id), seq, at: Date.now() });
    if (!this.tokenValid || resume.token !== this.token) {
      this.closeGateway(socket, GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.', false);
      return undefined;
    }
    if (!session) {
      this.send(socket, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
      return undefined;
    }
    if (session.socket && session.socket !== socket) session.socket.terminate();
    session.socket = socket;
    for (const payload of session.log) if (payload.s !== null && payload.s > seq) this.send(socket, payload);
    this.dispatchToSession(session, GatewayDispatchEvents.Resumed, null);
    return session;
  }

  /** Answers op 8 with one GUILD_MEMBERS_CHUNK of the members the emulator knows. */
  private sendMemberChunk(session: GatewaySession, data: unknown): void {
    const request = isObject(data) ? data : {};
    const userIds = Array.isArray(request.user_ids)
      ? request.user_ids.map(String)
      : typeof request.user_ids === 'string'
        ? [request.user_ids]
        : undefined;
    const query = typeof request.query === 'string' ? request.query.toLowerCase() : '';
    const limit = typeof request.limit === 'number' && request.limit > 0 ? request.limit : Number.POSITIVE_INFINITY;
    const members = [...this.members.values()]
      .filter((member) => (userIds ? userIds.includes(member.user.id) : member.user.username.toLowerCase().startsWith(query)))
      .slice(0, limit);
    this.dispatchToSession(session, GatewayDispatchEvents.GuildMembersChunk, {
      guild_id: this.guildId,
      members,
      chunk_index: 0,
      chunk_count: 1,
      ...(userIds ? { not_found: userIds.filter((id) => !this.members.has(id)) } : {}),
      ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
    });
  }

  private openSessions(): GatewaySession[] {
    return [...this.sessions.values()].filter((session) => session.socket?.readyState === WebSocket.OPEN);
  }

  /** Discord's rule: shard `(guild_id >> 22) % num_shards` receives the guild. */
  private sessionOwnsGuild(session: GatewaySession, guildId: string): boolean {
    return shardIdForGuild(guildId, session.shard[1]) === session.shard[0];
  }

  private inAudience(session: GatewaySession, audience: Audience): boolean {
    if (audience === 'all') return true;
    if (audience === 'dm') return session.shard[0] === 0;
    return this.sessionOwnsGuild(session, audience.guildId);
  }

  /** Dispatches to every session of `audience` for which `dataFor` returns data; returns how many got it. */
  private dispatchToSessions(event: string, dataFor: (session: GatewaySession) => unknown, audience: Audience = 'all'): number {
    let delivered = 0;
    for (const session of this.openSessions()) {
      if (!this.inAudience(session, audience)) continue;
      const data = dataFor(session);
      if (data === undefined) continue;
      this.dispatchToSession(session, event, data);
      delivered += 1;
    }
    return delivered;
  }

  private dispatchToSession(session: GatewaySession, event: string, data: unknown): void {
    session.sequence += 1;
    const payload: GatewayPayload = { op: GatewayOpcodes.Dispatch, d: data, s: session.sequence, t: event };
    session.log.push(payload);
    if (session.log.length > RESUME_REPLAY_LIMIT) session.log.shift();
    this.send(session.socket, payload);
  }

  private send(socket: WebSocket | undefined, payload: GatewayPayload): void {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
  }

  private closeGateway(socket: WebSocket, code: number, reason: string, protocolError: boolean): void {
    this.gatewayCloses.push({ code, reason, at: Date.now() });
    if (protocolError) this.recordProtocolError(`closed ${code}: ${reason}`);
    socket.close(code, reason);
  }

  private recordProtocolError(error: string): void {
    this.protocolErrors.push(error);
    if (this.options.logProblems) console.warn(`[discord-emulator] gateway: ${error}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers used by the emulator
// ---------------------------------------------------------------------------------------------------------------

function decodeSegments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

function rawToString(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  return Buffer.from(raw as ArrayBuffer).toString('utf8');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseUserMentions(content: string): string[] {
  return [...content.matchAll(/<@!?(\d{17,20})>/g)].map((match) => match[1] ?? '').filter(Boolean);
}

function parseRoleMentions(content: string): string[] {
  return [...content.matchAll(/<@&(\d{17,20})>/g)].map((match) => match[1] ?? '').filter(Boolean);
}

function inferOptionType(value: string | number | boolean): ApplicationCommandOptionType {
  if (typeof value === 'boolean') return ApplicationCommandOptionType.Boolean;
  if (typeof value === 'number') return Number.isInteger(value) ? ApplicationCommandOptionType.Integer : ApplicationCommandOptionType.Number;
  return ApplicationCommandOptionType.String;
}

function isSubcommandType(type: ApplicationCommandOptionType): boolean {
  return type === ApplicationCommandOptionType.Subcommand || type === ApplicationCommandOptionType.SubcommandGroup;
}

/**
 * Turns the `{ name: value }` shorthand into Discord's option objects, typed from `schema` (the declared options of
 * the command or subcommand); attachment values become type 11 options whose objects go into `attachments`.
 */
function resolveShorthandOptions(
  input: CommandOptionsInput | undefined,
  schema: readonly APIApplicationCommandOption[] | undefined,
  attachments: Map<string, APIAttachment>,
): APIApplicationCommandInteractionDataOption[] {
  if (input === undefined) return [];
  if (Array.isArray(input)) return input;
  return Object.entries(input).map(([name, value]) => {
    if (isAttachmentValue(value)) {
      attachments.set(value.id, value);
      return { name, type: ApplicationCommandOptionType.Attachment, value: value.id };
    }
    const type = schema?.find((option) => option.name === name)?.type ?? inferOptionType(value);
    return { name, type, value } as APIApplicationCommandInteractionDataOption;
  });
}

/** The declared options of a subcommand (in its group); undefined when not declared (validation then says so). */
function subcommandSchema(
  declared: readonly APIApplicationCommandOption[],
  group: string | undefined,
  subcommand: string | undefined,
): readonly APIApplicationCommandOption[] | undefined {
  let options: readonly APIApplicationCommandOption[] = declared;
  const steps: [string | undefined, ApplicationCommandOptionType][] = [
    [group, ApplicationCommandOptionType.SubcommandGroup],
    [subcommand, ApplicationCommandOptionType.Subcommand],
  ];
  for (const [name, type] of steps) {
    if (name === undefined) continue;
    const found = options.find((option) => option.name === name && option.type === type);
    if (!found) return undefined;
    options = 'options' in found ? (found.options ?? []) : [];
  }
  return options;
}

/** Discord nests a subcommand's options under it, and omits `options` of a subcommand run without any. */
function nestUnderSubcommand(
  options: APIApplicationCommandInteractionDataOption[],
  group: string | undefined,
  subcommand: string | undefined,
): APIApplicationCommandInteractionDataOption[] {
  if (subcommand === undefined) return options;
  const nested = {
    type: ApplicationCommandOptionType.Subcommand,
    name: subcommand,
    ...(options.length > 0 ? { options } : {}),
  } as APIApplicationCommandInteractionDataSubcommandOption;
  if (group === undefined) return [nested];
  return [{ type: ApplicationCommandOptionType.SubcommandGroup, name: group, options: [nested] }];
}

/** The option an autocomplete interaction is about (its `focused` flag), at any subcommand depth. */
function findFocusedOption(options: readonly APIApplicationCommandInteractionDataOption[] | undefined): APIApplicationCommandInteractionDataOption | undefined {
  for (const option of options ?? []) {
    if (isSubcommandType(option.type)) {
      const nested = findFocusedOption('options' in option ? option.options : undefined);
      if (nested) return nested;
    } else if ((option as { focused?: boolean }).focused === true) {
      return option;
    }
  }
  return undefined;
}

function focusedOptionType(payload: APIInteraction): ApplicationCommandOptionType | undefined {
  if (payload.type !== InteractionType.ApplicationCommandAutocomplete) return undefined;
  return findFocusedOption(payload.data.options)?.type;
}

/** Discord only asks for suggestions for options declared with `autocomplete: true`. */
function requireAutocomplete(schema: readonly APIApplicationCommandOption[], name: string, where: string): void {
  const option = schema.find((candidate) => candidate.name === name);
  if (option && 'autocomplete' in option && option.autocomplete === true) return;
  throw new Error(`${where}: option "${name}" is not declared with autocomplete: true; Discord sends no autocomplete for it`);
}

/** Whether an option value has the JSON type Discord sends for the option type. */
function valueFitsType(type: ApplicationCommandOptionType, value: unknown): boolean {
  switch (type) {
    case ApplicationCommandOptionType.String:
      return typeof value === 'string';
    case ApplicationCommandOptionType.Integer:
      return typeof value === 'number' && Number.isInteger(value);
    case ApplicationCommandOptionType.Number:
      return typeof value === 'number';
    case ApplicationCommandOptionType.Boolean:
      return typeof value === 'boolean';
    default:
      // Users, channels, roles, mentionables and attachments are sent as ids.
      return typeof value === 'string';
  }
}

/**
 * Discord's client enforces a command's option schema before an interaction exists, so an injected interaction
 * that violates it could never happen: reject it loudly rather than test an impossible input. `partial` is an
 * autocomplete request: the command is still being typed, so required options may be missing and the focused
 * value is raw text.
 */
function validateInjectedOptions(
  given: readonly APIApplicationCommandInteractionDataOption[],
  declared: readonly APIApplicationCommandOption[],
  where: string,
  partial = false,
): void {
  const subcommands = declared.filter((schema) => isSubcommandType(schema.type));
  if (subcommands.length > 0 && (given.length !== 1 || !given.every((option) => isSubcommandType(option.type)))) {
    throw new Error(
      `${where} is run through exactly one subcommand (one of: ${subcommands.map((schema) => schema.name).join(', ')}); ` +
        `pass \`subcommand\` (got: ${given.map((option) => option.name).join(', ') || 'none'})`,
    );
  }
  for (const option of given) {
    const schema = declared.find((candidate) => candidate.name === option.name);
    if (!schema) {
      throw new Error(`${where}: option "${option.name}" is not declared (declared: ${declared.map((d) => d.name).join(', ') || 'none'})`);
    }
    if (schema.type !== option.type) {
      throw new Error(`${where}: option "${option.name}" has type ${option.type}, declared ${schema.type}`);
    }
    if (isSubcommandType(schema.type)) {
      const nested = 'options' in option ? (option.options ?? []) : [];
      const nestedSchema = 'options' in schema ? (schema.options ?? []) : [];
      validateInjectedOptions(nested, nestedSchema, `${where} ${option.name}`, partial);
      continue;
    }
    if (!('value' in option)) continue;
    const value: unknown = option.value;
    // The focused option of an autocomplete request is what the user has typed so far: always text, unchecked.
    if (partial && (option as { focused?: boolean }).focused === true) continue;
    if (!valueFitsType(schema.type, value)) {
      throw new Error(`${where}: option "${option.name}" of type ${schema.type} cannot have the value ${summarize(value, 60)}`);
    }
    if (typeof value === 'string' && schema.type === ApplicationCommandOptionType.String) {
      const length = charCount(value);
      if ((schema.min_length !== undefined && length < schema.min_length) || (schema.max_length !== undefined && length > schema.max_length)) {
        const bounds = `[${schema.min_length ?? 0}, ${schema.max_length ?? DiscordLimits.commandStringOptionLength}]`;
        throw new Error(`${where}: option "${option.name}" length ${length} is outside ${bounds}`);
      }
      if (length > DiscordLimits.commandStringOptionLength) {
        throw new Error(`${where}: option "${option.name}" is longer than Discord's ${DiscordLimits.commandStringOptionLength} characters`);
      }
    }
    const numeric = schema.type === ApplicationCommandOptionType.Integer || schema.type === ApplicationCommandOptionType.Number;
    if (typeof value === 'number' && numeric) {
      const { min_value: min, max_value: max } = schema;
      if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
        throw new Error(`${where}: option "${option.name}" value ${value} is outside [${min ?? '-∞'}, ${max ?? '∞'}]`);
      }
    }
    if ('choices' in schema && schema.choices && schema.choices.length > 0) {
      const choices: readonly { value: unknown }[] = schema.choices;
      if (!choices.some((choice) => choice.value === value)) {
        throw new Error(`${where}: option "${option.name}" value ${JSON.stringify(value)} is not one of its choices`);
      }
    }
  }
  if (partial) return;
  for (const schema of declared) {
    if ('required' in schema && schema.required && !given.some((option) => option.name === schema.name)) {
      throw new Error(`${where}: required option "${schema.name}" is missing`);
    }
  }
}

/** Starts an emulator on 127.0.0.1 with a random port. */
export async function startDiscordEmulator(options: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
  const emulator = new DiscordEmulator(options);
  await emulator.listen();
  return emulator;
}

export type {
  APIChatInputApplicationCommandInteraction,
  APIInteraction,
  APIMessage,
  APIMessageComponentInteraction,
  APIModalSubmitInteraction,
};
