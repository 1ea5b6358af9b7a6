/**
 * Automatic answers against Discord's rate limits, end to end: the bot as `npm start` runs it, the real discord.js
 * client, and the Discord emulator (tests/support/discord-emulator.ts) enforcing Discord's documented rate limits
 * (per-route buckets, 50 requests/s global). A forum in `auto` mode with an "Answered" tag (two requests per answer:
 * the answer, the tag) takes a burst of posts at once, for each pacing AUTO_ANSWERS_PER_SECOND tried: answers per
 * second from the first post to the last answer, and the requests Discord would have refused (429). Also the
 * latency of a follow-up mention in a thread (the conversation read back from the thread, then answered with it)
 * against a plain mention. Asserts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PermissionFlagsBits } from 'discord.js';
import { ChannelModes } from '../src/discord/channel-modes.ts';
import { FeedbackStore } from '../src/feedback/store.ts';
import { silentLogger } from '../src/logger.ts';
import { startDiscordEmulator, type DiscordEmulator } from '../tests/support/discord-emulator.ts';
import { benchChildEnv, pct, r2 } from './bench-figures.ts';
import { readConversations } from './eval-conversations.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const READY_TIMEOUT_MS = 180_000;
const ANSWER_TIMEOUT_MS = 120_000;

export interface BurstRun {
  pacing_per_s: number;
  posts: number;
  answered: number;
  seconds: number;
  /** Over the whole burst, from the first post to the last answer. */
  answers_per_s: number;
  /** Past the first second's worth of answers (the pacing's bucket starts full). */
  steady_answers_per_s: number;
  /** Requests answered 429, per-route and global. */
  rate_limited: number;
  rate_limited_global: number;
  requests: number;
}

export interface ForumFigures {
  bursts: BurstRun[];
  /** The highest steady rate of a burst that drew no 429 and lost no answer. */
  sustained_answers_per_s_without_429: number;
  mention_p50_ms: number;
  mention_p95_ms: number;
  follow_up_mention_p50_ms: number;
  follow_up_mention_p95_ms: number;
  latency_samples: number;
}

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

function startBot(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'bin', 'start.ts')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bot was not ready within ${READY_TIMEOUT_MS} ms:\n${stderr.slice(-2000)}`)), READY_TIMEOUT_MS);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('"msg":"bot ready"')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bot exited (${code}) before it was ready:\n${stderr.slice(-2000)}`));
    });
  });
}

async function stopBot(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** One emulator and one bot paced at `pacing` answers/s; `measure` runs while both are up. */
async function withBot<T>(work: string, pacing: number, measure: (emulator: DiscordEmulator, forumId: string, tagId: string) => Promise<T>): Promise<T> {
  const emulator = await startDiscordEmulator({ logProblems: false, waitTimeoutMs: ANSWER_TIMEOUT_MS });
  const forum = emulator.addChannel({ type: 'forum', name: 'career-help', tags: ['Answered'] });
  emulator.setChannelOverwrite(forum.channelId, { id: emulator.roleIds.bot, type: 'role', allow: PermissionFlagsBits.ManageThreads });
  const env: Record<string, string> = benchChildEnv({
    DISCORD_TOKEN: emulator.token,
    DISCORD_CLIENT_ID: emulator.applicationId,
    DISCORD_API_URL: emulator.apiUrl,
    KNOWLEDGE_DIR: path.join(work, 'knowledge'),
    INDEX_DIR: path.join(work, 'index'),
    DATA_DIR: path.join(work, 'data'),
    FEEDBACK_DB: path.join(work, `feedback-${pacing}.sqlite`),
    MESSAGE_CONTENT_INTENT: 'true',
    AUTO_ANSWERS_PER_SECOND: String(pacing),
    // Per-user limits are not what is measured: every post has its own author anyway.
    ASK_RATE_LIMIT: '1000',
    // "bot ready" is an info line.
    LOG_LEVEL: 'info',
  });
  const store = FeedbackStore.open(env.FEEDBACK_DB!);
  await new ChannelModes(store, silentLogger).set({ guildId: emulator.guildId, channelId: forum.channelId, kind: 'forum', mode: 'auto', answeredTagId: forum.tagIds.Answered! });
  store.close();
  let bot: ChildProcess | undefined;
  try {
    bot = await startBot(env);
    return await measure(emulator, forum.channelId, forum.tagIds.Answered!);
  } finally {
    if (bot) await stopBot(bot);
    await emulator.close();
  }
}

async function burst(emulator: DiscordEmulator, forumId: string, tagId: string, posts: number, titles: readonly string[], pacing: number): Promise<BurstRun> {
  const hitsBefore = emulator.rateLimitHits.length;
  const requestsBefore = emulator.requests.length;
  const started = performance.now();
  // Every post its own words (no two questions share a cached embedding), its own author.
  const injected = Array.from({ length: posts }, (_, i) =>
    emulator.injectForumPost({ forumId, title: `${titles[i % titles.length]!} (#${i + 1})`, authorId: String(10n ** 17n + BigInt(i)) }),
  );
  const arrivals: number[] = [];
  await Promise.allSettled(injected.map((p) => emulator.waitForChannelMessage(p.threadId).then(() => void arrivals.push(performance.now()))));
  arrivals.sort((a, b) => a - b);
  const answered = arrivals.length;
  const last = arrivals[answered - 1] ?? started;
  const seconds = (last - started) / 1000;
  // Steady rate: past the first second's worth (the pacing's bucket starts full), answers over the time they took.
  const k = Math.min(pacing, Math.floor(answered / 2));
  const steady = answered - 1 > k ? (answered - 1 - k) / ((last - arrivals[k]!) / 1000) : NaN;
  // The tags follow the answers: count requests (and 429s) once they are done too.
  const settleUntil = Date.now() + 10_000;
  while (Date.now() < settleUntil && injected.some((p) => !emulator.getThread(p.threadId)?.applied_tags?.includes(tagId))) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const hits = emulator.rateLimitHits.slice(hitsBefore);
  return {
    pacing_per_s: pacing,
    posts,
    answered,
    seconds: r2(seconds),
    answers_per_s: r2(answered / seconds),
    steady_answers_per_s: r2(steady),
    rate_limited: hits.length,
    rate_limited_global: hits.filter((h) => h.global).length,
    requests: emulator.requests.length - requestsBefore,
  };
}

/** Mention latency: a plain question in a channel of its own, and a follow-up in an answered post's thread. */
async function mentionLatency(emulator: DiscordEmulator, forumId: string, samples: number, pairs: readonly { first: string; followUp: string }[]) {
  const plain: number[] = [];
  const followUp: number[] = [];
  for (let i = 0; i < samples; i++) {
    const pair = pairs[i % pairs.length]!;
    const author = String(2n * 10n ** 17n + BigInt(i));
    const channel = emulator.addChannel({ type: 'text' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    let start = performance.now();
    const asked = emulator.injectMessage({ channelId: channel.channelId, content: `<@${emulator.botUserId}> ${pair.first}`, authorId: author });
    await emulator.waitForChannelMessage(channel.channelId, (m) => m.body.message_reference?.message_id === asked.id);
    plain.push(performance.now() - start);

    const post = emulator.injectForumPost({ forumId, title: pair.first.slice(0, 100), authorId: author });
    await emulator.waitForChannelMessage(post.threadId);
    start = performance.now();
    const next = emulator.injectMessage({ channelId: post.threadId, content: `<@${emulator.botUserId}> ${pair.followUp}`, authorId: author });
    await emulator.waitForChannelMessage(post.threadId, (m) => m.body.message_reference?.message_id === next.id);
    followUp.push(performance.now() - start);
  }
  return { plain, followUp };
}

export async function benchForum(tmp: string, options: { smoke: boolean }): Promise<ForumFigures> {
  const work = path.join(tmp, 'forum');
  await mkdir(work, { recursive: true });
  await cp(path.join(REPO_ROOT, 'knowledge'), path.join(work, 'knowledge'), { recursive: true });
  const conversations = (await readConversations()).filter((c) => c.knowledge === 'article');
  const titles = conversations.map((c) => c.turns[0]!.q);
  const pairs = conversations.flatMap((c) => (c.turns[1]!.kind === 'follow-up' ? [{ first: c.turns[0]!.q, followUp: c.turns[1]!.q }] : []));
  const pacings = options.smoke ? [5] : [5, 10, 25, 50];
  const posts = options.smoke ? 10 : 100;
  const bursts: BurstRun[] = [];
  let latency = { plain: [] as number[], followUp: [] as number[] };
  for (const [i, pacing] of pacings.entries()) {
    log(`forum: ${posts} posts at once, automatic answers paced at ${pacing}/s`);
    await withBot(work, pacing, async (emulator, forumId, tagId) => {
      // First, while no question is in the bot's query cache: each pair once.
      if (i === 0) {
        log('mention latency: plain question vs follow-up in a thread');
        latency = await mentionLatency(emulator, forumId, options.smoke ? 2 : pairs.length, pairs);
      }
      bursts.push(await burst(emulator, forumId, tagId, posts, titles, pacing));
    });
  }
  const clean = bursts.filter((b) => b.rate_limited === 0 && b.answered === b.posts);
  return {
    bursts,
    sustained_answers_per_s_without_429: clean.length === 0 ? 0 : Math.max(...clean.map((b) => b.steady_answers_per_s)),
    mention_p50_ms: r2(pct(latency.plain, 0.5)),
    mention_p95_ms: r2(pct(latency.plain, 0.95)),
    follow_up_mention_p50_ms: r2(pct(latency.followUp, 0.5)),
    follow_up_mention_p95_ms: r2(pct(latency.followUp, 0.95)),
    latency_samples: latency.plain.length,
  };
}
