import path from 'node:path';
import { botError } from './errors.ts';

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
  /** Shards for `npm run start:sharded`; absent: Discord's recommendation. */
  shardCount?: number;
  /** SQLite file of questions, refusals and feedback (src/feedback/store.ts). */
  feedbackDb: string;
  /** Recorded questions (with their votes and comments) older than this are deleted. */
  feedbackRetentionDays: number;
  /** Reindex automatically when a knowledge file changes on disk (src/knowledge/watch.ts). */
  knowledgeWatch: boolean;
}

type Env = Record<string, string | undefined>;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

const SNOWFLAKE = /^\d{15,21}$/;

function snowflake(env: Env, name: string): string | undefined {
  const value = optional(env, name);
  if (value !== undefined && !SNOWFLAKE.test(value)) {
    throw botError('CONFIG_INVALID', { name, value, expected: 'a Discord id (15–21 digits)' });
  }
  return value;
}

function snowflakeList(env: Env, name: string): string[] {
  const value = optional(env, name);
  if (value === undefined) return [];
  const ids = value.split(/[\s,]+/).filter(Boolean);
  const bad = ids.find((id) => !SNOWFLAKE.test(id));
  if (bad !== undefined) {
    throw botError('CONFIG_INVALID', { name, value: bad, expected: 'comma-separated Discord ids (15–21 digits)' });
  }
  return ids;
}

function positiveInt(env: Env, name: string, fallback: number, max: number): number {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw botError('CONFIG_INVALID', { name, value, expected: `a whole number from 1 to ${max}` });
  }
  return n;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw botError('CONFIG_INVALID', { name, value, expected: `one of ${allowed.join(', ')}` });
  }
  return value as T;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  switch (value.toLowerCase()) {
    case '1':
    case 'true':
      return true;
    case '0':
    case 'false':
      return false;
    default:
      throw botError('CONFIG_INVALID', { name, value, expected: '1, true, 0 or false' });
  }
}

function url(env: Env, name: string): string | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw botError('CONFIG_INVALID', { name, value, expected: 'an http(s) URL such as https://discord.com/api' });
  }
  return value.replace(/\/+$/, '');
}

/** Reads and validates the environment; the first bad value throws one clear BotError. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const embedder = oneOf(env, 'EMBEDDER', EMBEDDER_NAMES, 'use-lite');
  const modelDir = optional(env, 'MODEL_DIR');
  const discordToken = optional(env, 'DISCORD_TOKEN');
  const discordClientId = snowflake(env, 'DISCORD_CLIENT_ID');
  const discordGuildId = snowflake(env, 'DISCORD_GUILD_ID');
  const discordApiUrl = url(env, 'DISCORD_API_URL');
  return {
    ...(discordToken !== undefined && { discordToken }),
    ...(discordClientId !== undefined && { discordClientId }),
    ...(discordGuildId !== undefined && { discordGuildId }),
    ...(discordApiUrl !== undefined && { discordApiUrl }),
    knowledgeDir: path.resolve(cwd, optional(env, 'KNOWLEDGE_DIR') ?? 'knowledge'),
    indexDir: path.resolve(cwd, optional(env, 'INDEX_DIR') ?? path.join('data', 'index')),
    embedder,
    ...(modelDir !== undefined && { modelDir: path.resolve(cwd, modelDir) }),
    adminUserIds: snowflakeList(env, 'ADMIN_USER_IDS'),
    adminRoleIds: snowflakeList(env, 'ADMIN_ROLE_IDS'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    askRateLimit: positiveInt(env, 'ASK_RATE_LIMIT', 5, 1000),
    askRateWindowSec: positiveInt(env, 'ASK_RATE_WINDOW_SEC', 60, 86_400),
    maxConcurrentAnswers: positiveInt(env, 'MAX_CONCURRENT_ANSWERS', 4, 64),
    feedbackDb: path.resolve(cwd, optional(env, 'FEEDBACK_DB') ?? path.join('data', 'feedback.sqlite')),
    feedbackRetentionDays: positiveInt(env, 'FEEDBACK_RETENTION_DAYS', 90, 3650),
    knowledgeWatch: flag(env, 'KNOWLEDGE_WATCH', false),
    ...(optional(env, 'SHARD_COUNT') !== undefined && { shardCount: positiveInt(env, 'SHARD_COUNT', 1, 4096) }),
  };
}
