/**
 * End to end, several hosts: two bot processes (each `npm run start:sharded` with its own SHARD_LIST
 * of SHARD_COUNT=2, its own folders) sharing one real PostgreSQL (DATABASE_URL) and the Discord
 * emulator. Guild G is on shard 0, served by host A; guild H on shard 1, served by host B.
 *
 * - A document added in G through host A is answered in G by host B, once B has taken over
 *   A's shard (A stopped, as a failed host would be), B building G's index from the database;
 * - `/stats scope:all` on either host sees both hosts' questions;
 * - host B, started cold after A indexed, embeds nothing (every build logs `"embedded":0`);
 * - PostgreSQL stopped mid-run: answers go on (without 👍/👎), and once it is back the questions
 *   asked meanwhile are recorded.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snowflake, snowflakeOnShard, startDiscordEmulator, type DiscordEmulator } from '../support/discord-emulator.ts';
import { usePostgres } from '../support/postgres.ts';
import { botEnv, spawnEntry, type SpawnedBot } from '../support/spawn-bot.ts';

const postgres = usePostgres();
const skip = postgres.skipReason !== undefined;
const SHARDS = 2;
const READY_TIMEOUT_MS = 60_000;
const DOC_NAME = 'interview-loops.md';
const DOC =
  '# Interview loops\n\n## Take-home assignments\n\nML interview loops often include a take-home assignment on a real dataset, reviewed with the hiring team.\n';

let emulator: DiscordEmulator;
let G: string;
let H: string;
const hosts: SpawnedBot[] = [];

/** Starts one host: the sharded entry for `shards` of SHARD_COUNT, with its own fresh folders. */
async function startHost(shards: string): Promise<SpawnedBot> {
  const env = await botEnv(emulator, { DATABASE_URL: postgres.server().url('bot'), SHARD_COUNT: String(SHARDS), SHARD_LIST: shards });
  const host = spawnEntry('src/bin/start-sharded.ts', env);
  hosts.push(host);
  await waitForLines(host, /"msg":"bot ready"/, shards.split(',').length, READY_TIMEOUT_MS);
  return host;
}

async function stopHost(host: SpawnedBot): Promise<void> {
  host.child.kill('SIGTERM');
  expect(await host.exited).toBe(0);
}

function lines(host: SpawnedBot, pattern: RegExp): string[] {
  return host.stderr().split('\n').filter((l) => pattern.test(l));
}

async function waitForLines(host: SpawnedBot, pattern: RegExp, count: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (lines(host, pattern).length < count) {
    if (host.child.exitCode !== null) throw new Error(`the host exited (${host.child.exitCode}) before ${count} × ${pattern}; stderr:\n${host.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no ${count} lines matching ${pattern} within ${timeoutMs} ms; stderr:\n${host.stderr()}`);
    await sleep(50);
  }
}

/** Asks with /ask in `guildId`; the answer's embeds as text, and whether it carried 👍/👎. */
async function ask(question: string, guildId: string): Promise<{ text: string; buttons: boolean }> {
  const handle = emulator.injectInteraction({ commandName: 'ask', options: { question }, userId: snowflake(), guildId });
  const edit = await handle.waitForEdit(undefined, { timeoutMs: 20_000 });
  return { text: JSON.stringify(edit.body.embeds), buttons: JSON.stringify(edit.body.components ?? []).includes('feedback:up:') };
}

/** `/stats scope:all` by the bot's owner in `guildId`: the embed as text. */
async function statsEverywhere(guildId: string): Promise<string> {
  const handle = emulator.injectInteraction({ commandName: 'stats', options: { scope: 'all' }, userId: emulator.ownerUserId, guildId });
  return JSON.stringify((await handle.waitForCallback()).data?.embeds);
}

beforeAll(async () => {
  if (skip) return;
  G = snowflakeOnShard(0, SHARDS);
  H = snowflakeOnShard(1, SHARDS);
  emulator = await startDiscordEmulator({ guildId: G, otherGuildIds: [H], waitTimeoutMs: 20_000, requireRegisteredCommands: true });
  await postgres.server().createDatabase('bot');
  // Registered globally (no DISCORD_GUILD_ID), so both guilds have the commands.
  const { DISCORD_GUILD_ID: _guild, ...registerEnv } = await botEnv(emulator);
  const register = spawnEntry('scripts/register-commands.ts', registerEnv);
  expect(await register.exited).toBe(0);
}, 60_000);

afterAll(async () => {
  for (const host of hosts) if (host.child.exitCode === null && host.child.signalCode === null) host.child.kill('SIGKILL');
  await Promise.all(hosts.map((h) => h.exited));
  await emulator?.close();
});

describe.skipIf(skip)(`two hosts sharing PostgreSQL ${postgres.label}`, () => {
  let a: SpawnedBot;
  let b: SpawnedBot;

  it('host A (shard 0) takes a document in G and answers from it', async () => {
    a = await startHost('0');
    expect(lines(a, /"msg":"starting shards"/)[0]).toMatch(/"totalShards":2,"shards":\[0\]/);
    const file = emulator.hostAttachment(DOC_NAME, DOC);
    const admin = snowflake();
    const add = emulator.injectInteraction({ commandName: 'knowledge', subcommand: 'add', options: { file }, userId: admin, roles: [emulator.roleIds.moderator] });
    const report = await add.waitForEdit((e) => e.body.embeds?.[0]?.title !== 'Reindexing…', { timeoutMs: 30_000 });
    expect(JSON.stringify(report.body.embeds)).toContain(DOC_NAME);
    // The database keeps the document as the source of truth, with who added it.
    const db = new pg.Client({ connectionString: postgres.server().url('bot') });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT guild_id, name, size, added_by FROM server_documents');
      expect(rows).toEqual([{ guild_id: G, name: DOC_NAME, size: Buffer.byteLength(DOC), added_by: admin }]);
    } finally {
      await db.end();
    }
    const answer = await ask('What do ML interview loops include?', G);
    expect(answer.text).toContain('Interview loops');
    expect(answer.buttons).toBe(true);
  }, 120_000);

  it('host B (shard 1), started cold after A indexed, embeds nothing and answers in H', async () => {
    b = await startHost('1');
    const builds = lines(b, /"msg":"index built"/);
    expect(builds.length).toBeGreaterThan(0);
    for (const line of builds) expect(line).toMatch(/"embedded":0[,}]/);
    const answer = await ask('Which industries are hiring ML engineers?', H);
    expect(answer.text).toContain('Healthcare');
    expect(answer.buttons).toBe(true);
  }, 120_000);

  it('/stats scope:all on either host sees both hosts\' questions', async () => {
    for (const guild of [G, H]) {
      const stats = await statsEverywhere(guild);
      expect(stats).toContain('What do ML interview loops include?');
      expect(stats).toContain('Which industries are hiring ML engineers?');
    }
  }, 60_000);

  it('once B takes over A\'s shard, B answers in G from the document added through A, embedding nothing', async () => {
    await stopHost(a);
    await stopHost(b);
    b = await startHost('0,1');
    const answer = await ask('What do ML interview loops include?', G);
    expect(answer.text).toContain('Interview loops');
    expect(lines(b, /"msg":"server documents brought up to date from the database"/).length).toBeGreaterThan(0);
    const serverBuild = lines(b, /"knowledge":"server \d+".*"msg":"index built"/);
    expect(serverBuild).toHaveLength(1);
    expect(serverBuild[0]).toMatch(/"embedded":0[,}]/);
  }, 180_000);

  it('PostgreSQL stopped mid-run: answers go on, and the questions asked meanwhile are recorded once it is back', async () => {
    await postgres.server().stop();
    let during: { text: string; buttons: boolean }[];
    try {
      during = [await ask('Do ML engineers need cloud platform skills?', G), await ask('What does an MLOps engineer do?', H)];
    } finally {
      await postgres.server().start();
    }
    for (const answer of during) {
      expect(answer.text.length).toBeGreaterThan(50);
      expect(answer.buttons).toBe(false); // no id to vote on yet
    }
    // Each shard is a process with its own queue: G's question waits in shard 0, H's in shard 1.
    expect(lines(b, /records are queued and written when it is back/)).toHaveLength(2);
    await waitForLines(b, /"msg":"the database is back: queued records written"/, 2, 30_000);
    expect(lines(b, /records lost/)).toEqual([]);
    const stats = await statsEverywhere(G);
    expect(stats).toContain('Do ML engineers need cloud platform skills?');
    expect(stats).toContain('What does an MLOps engineer do?');
    // And service is normal again, without a restart.
    expect((await ask('Which industries are hiring ML engineers?', G)).buttons).toBe(true);
  }, 120_000);

  it('spoke only known routes and the gateway protocol, and stops cleanly', async () => {
    emulator.assertNoUnknownRoutes();
    emulator.assertNoProtocolErrors();
    await stopHost(b);
    for (const host of hosts) expect(host.stderr()).not.toContain(emulator.token);
  }, 60_000);
});
