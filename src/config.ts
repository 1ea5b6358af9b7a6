import path from 'node:path';
import { z } from 'zod';
import { botError } from './errors.ts';
import { parseRange } from './fetch/address-guard.ts';

export const EMBEDDER_NAMES = ['use-lite', 'minilm'] as const;
export type EmbedderName = (typeof EMBEDDER_NAMES)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface Config {
  discordToken?: string;
  discordClientId?: string;
  discordGuildId?: string;
  discordApiUrl?: string;
  knowledgeDir: string;
  indexDir: string;
  /** Per-server knowledge and indexes live under `<dataDir>/servers/<guildId>/`. */
  dataDir: string;
  /** Server indexes held in memory at once; the least recently used is unloaded beyond this. */
  maxLoadedServers: number;
  embedder: EmbedderName;
  modelDir?: string;
  adminUserIds: string[];
  adminRoleIds: string[];
  logLevel: string;
  /** Questions one user may ask per cooldown window. */
  askRateLimit: number;
  askRateWindowSec: number;
  /** Answers composed at once; further questions wait their turn. */
  maxConcurrentAnswers: number;
  /** Shards for `npm run start:sharded`: the total over every host; absent: Discord's recommendation. */
  shardCount?: number;
  /** The shards this host runs (`SHARD_LIST`), each below `shardCount`; absent: all of them. */
  shardList?: number[];
  /**
   * `postgres://…`: questions, votes, settings, each server's documents and the passages'
   * embeddings are kept in this database, shared by every host; absent: SQLite and local folders.
   */
  databaseUrl?: string;
  /** Connections this process keeps open to DATABASE_URL at most. */
  databasePoolMax: number;
  /** SQLite file of questions, refusals and feedback (src/feedback/store.ts). */
  feedbackDb: string;
  /** Recorded questions (with their votes and comments) older than this are deleted. */
  feedbackRetentionDays: number;
  /** Reindex automatically when a knowledge file changes on disk (src/knowledge/watch.ts). */
  knowledgeWatch: boolean;
  /**
   * Addresses (IPs or CIDR ranges) web pages may be fetched from although they are not public:
   * for tests, which serve pages on 127.0.0.1. Production leaves it empty (src/fetch/).
   */
  fetchAllow: string[];
  /**
   * Ask Discord for the privileged Message Content intent: needed to read forum posts' text and
   * messages that do not mention the bot (auto channels, follow-ups without a mention).
   */
  messageContentIntent: boolean;
  /** Automatic answers (forum posts, follow-ups) started, and sent, per second at most, whatever the burst. */
  autoAnswersPerSecond: number;
}

type Env = Record<string, string | undefined>;

const SNOWFLAKE = /^\d{15,21}$/;
const snowflake = z.string().regex(SNOWFLAKE);
const flag = z
  .string()
  .transform((v) => v.toLowerCase())
  .pipe(z.enum(['1', 'true', '0', 'false']))
  .transform((v) => v === '1' || v === 'true');
const wholeNumber = (max: number) => z.string().regex(/^\d{1,9}$/).transform(Number).pipe(z.number().int().min(1).max(max));

/**
 * The environment the bot reads, validated in one place (zod). Values arrive trimmed, and an empty
 * one counts as unset.
 */
const EnvSchema = z.object({
  DISCORD_TOKEN: z.string().optional(),
  DISCORD_CLIENT_ID: snowflake.optional(),
  DISCORD_GUILD_ID: snowflake.optional(),
  DISCORD_API_URL: z
    .url({ protocol: /^https?$/ })
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
  KNOWLEDGE_DIR: z.string().optional(),
  INDEX_DIR: z.string().optional(),
  DATA_DIR: z.string().optional(),
  MAX_LOADED_SERVERS: wholeNumber(100_000).optional(),
  EMBEDDER: z.enum(EMBEDDER_NAMES).optional(),
  MODEL_DIR: z.string().optional(),
  ADMIN_USER_IDS: z.string().transform(idList).pipe(z.array(snowflake)).optional(),
  ADMIN_ROLE_IDS: z.string().transform(idList).pipe(z.array(snowflake)).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  ASK_RATE_LIMIT: wholeNumber(1000).optional(),
  ASK_RATE_WINDOW_SEC: wholeNumber(86_400).optional(),
  MAX_CONCURRENT_ANSWERS: wholeNumber(64).optional(),
  FEEDBACK_DB: z.string().optional(),
  FEEDBACK_RETENTION_DAYS: wholeNumber(3650).optional(),
  KNOWLEDGE_WATCH: flag.optional(),
  SHARD_COUNT: wholeNumber(4096).optional(),
  SHARD_LIST: z.string().transform(shardList).pipe(z.array(z.number().int().min(0).max(4095)).min(1)).optional(),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_MAX: wholeNumber(100).optional(),
  TEST_ONLY_FETCH_ALLOW: z
    .string()
    .transform(idList)
    .refine((ranges) => ranges.every(isRange))
    .optional(),
  MESSAGE_CONTENT_INTENT: flag.optional(),
  AUTO_ANSWERS_PER_SECOND: wholeNumber(50).optional(),
});

function isRange(text: string): boolean {
  try {
    parseRange(text);
    return true;
  } catch {
    return false;
  }
}

type EnvName = keyof z.input<typeof EnvSchema>;

/** What each variable expects, as a configuration error says it (never with the rejected value). */
const EXPECTED: Record<EnvName, string> = {
  DISCORD_TOKEN: 'the bot token from the developer portal',
  DISCORD_CLIENT_ID: 'a Discord id (15–21 digits)',
  DISCORD_GUILD_ID: 'a Discord id (15–21 digits)',
  DISCORD_API_URL: 'an http(s) URL such as https://discord.com/api',
  KNOWLEDGE_DIR: 'a folder path',
  INDEX_DIR: 'a folder path',
  DATA_DIR: 'a folder path',
  MAX_LOADED_SERVERS: 'a whole number from 1 to 100000',
  EMBEDDER: `one of ${EMBEDDER_NAMES.join(', ')}`,
  MODEL_DIR: 'a folder path',
  ADMIN_USER_IDS: 'comma-separated Discord ids (15–21 digits)',
  ADMIN_ROLE_IDS: 'comma-separated Discord ids (15–21 digits)',
  LOG_LEVEL: `one of ${LOG_LEVELS.join(', ')}`,
  ASK_RATE_LIMIT: 'a whole number from 1 to 1000',
  ASK_RATE_WINDOW_SEC: 'a whole number from 1 to 86400',
  MAX_CONCURRENT_ANSWERS: 'a whole number from 1 to 64',
  FEEDBACK_DB: 'a file path',
  FEEDBACK_RETENTION_DAYS: 'a whole number from 1 to 3650',
  KNOWLEDGE_WATCH: '1, true, 0 or false',
  SHARD_COUNT: 'a whole number from 1 to 4096',
  SHARD_LIST: 'shard ids below SHARD_COUNT, comma-separated, ranges allowed (0,1,4-7), together with SHARD_COUNT',
  DATABASE_URL: 'a postgres:// or postgresql:// connection URL',
  DATABASE_POOL_MAX: 'a whole number from 1 to 100',
  TEST_ONLY_FETCH_ALLOW: 'comma-separated IP addresses or CIDR ranges (tests only)',
  MESSAGE_CONTENT_INTENT: '1, true, 0 or false',
  AUTO_ANSWERS_PER_SECOND: 'a whole number from 1 to 50',
};

/** Default for DATABASE_POOL_MAX: a host's shard answers a few questions at once, each needing one connection briefly. */
export const DEFAULT_DATABASE_POOL_MAX = 5;

function idList(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}

/** `0,1,4-7` → [0, 1, 4, 5, 6, 7]; anything else gives NaN, which the schema rejects. */
function shardList(value: string): number[] {
  const ids = new Set<number>();
  for (const part of value.split(/[\s,]+/).filter(Boolean)) {
    const range = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part);
    if (!range) return [Number.NaN];
    const from = Number(range[1]);
    const to = Number(range[2] ?? range[1]);
    if (to < from) return [Number.NaN];
    for (let id = from; id <= to; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** Reads and validates the environment; a bad value throws one BotError naming the variable. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const trimmed: Partial<Record<EnvName, string>> = {};
  for (const name of Object.keys(EXPECTED) as EnvName[]) {
    const value = env[name]?.trim();
    if (value) trimmed[name] = value;
  }
  const parsed = EnvSchema.safeParse(trimmed);
  if (!parsed.success) {
    const name = String(parsed.error.issues[0]?.path[0]) as EnvName;
    throw botError('CONFIG_INVALID', { name, expected: EXPECTED[name] ?? 'a valid value' });
  }
  const e = parsed.data;
  // A host running part of the shards must know the total every host agreed on, and run only shards of it.
  if (e.SHARD_LIST !== undefined && (e.SHARD_COUNT === undefined || e.SHARD_LIST.some((id) => id >= e.SHARD_COUNT!))) {
    throw botError('CONFIG_INVALID', { name: 'SHARD_LIST', expected: EXPECTED.SHARD_LIST });
  }
  return {
    ...(e.DISCORD_TOKEN !== undefined && { discordToken: e.DISCORD_TOKEN }),
    ...(e.DISCORD_CLIENT_ID !== undefined && { discordClientId: e.DISCORD_CLIENT_ID }),
    ...(e.DISCORD_GUILD_ID !== undefined && { discordGuildId: e.DISCORD_GUILD_ID }),
    ...(e.DISCORD_API_URL !== undefined && { discordApiUrl: e.DISCORD_API_URL }),
    knowledgeDir: path.resolve(cwd, e.KNOWLEDGE_DIR ?? 'knowledge'),
    indexDir: path.resolve(cwd, e.INDEX_DIR ?? path.join('data', 'index')),
    dataDir: path.resolve(cwd, e.DATA_DIR ?? 'data'),
    maxLoadedServers: e.MAX_LOADED_SERVERS ?? 64,
    embedder: e.EMBEDDER ?? 'use-lite',
    ...(e.MODEL_DIR !== undefined && { modelDir: path.resolve(cwd, e.MODEL_DIR) }),
    adminUserIds: e.ADMIN_USER_IDS ?? [],
    adminRoleIds: e.ADMIN_ROLE_IDS ?? [],
    logLevel: e.LOG_LEVEL ?? 'info',
    askRateLimit: e.ASK_RATE_LIMIT ?? 5,
    askRateWindowSec: e.ASK_RATE_WINDOW_SEC ?? 60,
    maxConcurrentAnswers: e.MAX_CONCURRENT_ANSWERS ?? 4,
    feedbackDb: path.resolve(cwd, e.FEEDBACK_DB ?? path.join('data', 'feedback.sqlite')),
    feedbackRetentionDays: e.FEEDBACK_RETENTION_DAYS ?? 90,
    knowledgeWatch: e.KNOWLEDGE_WATCH ?? false,
    messageContentIntent: e.MESSAGE_CONTENT_INTENT ?? false,
    autoAnswersPerSecond: e.AUTO_ANSWERS_PER_SECOND ?? 5,
    ...(e.SHARD_COUNT !== undefined && { shardCount: e.SHARD_COUNT }),
    ...(e.SHARD_LIST !== undefined && { shardList: e.SHARD_LIST }),
    ...(e.DATABASE_URL !== undefined && { databaseUrl: e.DATABASE_URL }),
    databasePoolMax: e.DATABASE_POOL_MAX ?? DEFAULT_DATABASE_POOL_MAX,
    fetchAllow: e.TEST_ONLY_FETCH_ALLOW ?? [],
  };
}
