/**
 * End to end, sharded: the bot started as `npm run start:sharded` starts it (src/bin/start-sharded.ts under tsx: discord.js's
 * ShardingManager forking src/bin/start.ts once per shard), against the Discord emulator recommending two shards.
 *
 * The guild is placed on shard 1, so shard 0 owns no guild and serves DMs: a /reindex in the guild runs on shard 1,
 * and a DM (shard 0) shows that the other shard reloaded the index shard 1 built. The shards' stderr is inherited
 * by the manager (ShardingManager's default `silent: false`), so every process logs into the manager's stderr.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InteractionResponseType, MessageFlags } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snowflake, snowflakeOnShard, startDiscordEmulator, type DiscordEmulator } from '../support/discord-emulator.ts';
import { botEnv, spawnEntry, type SpawnedBot } from '../support/spawn-bot.ts';

const SHARDS = 2;
/** The guild's shard; the other one (0) owns no guild and gets the DMs. */
const GUILD_SHARD = 1;
/** The manager waits 5.5 s between shards; each shard then opens the engine and logs in. */
const READY_TIMEOUT_MS = 40_000;
const EXIT_TIMEOUT_MS = 15_000;

let emulator: DiscordEmulator;
let manager: SpawnedBot;
/**
 * The shard processes the manager forked (`node --import tsx src/bin/start.ts`), found through /proc while they ran, by
 * pid → start time: a pid is only ever checked or killed while it still names the process seen then.
 */
const shardPids = new Map<number, number>();
/** Every process seen under the manager (shards and anything they start), for the orphan check and clean-up. */
const descendantPids = new Map<number, number>();
const SHARD_ENTRY = path.join('src', 'bin', 'start.ts');

const newUser = () => snowflake();

/** State, parent pid and start time (clock ticks since boot) of a process, from /proc/<pid>/stat; undefined once gone. */
function procStat(pid: number): { state: string; ppid: number; start: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: fields 3, 4, ... follow its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', ppid: Number(fields[1]), start: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

/** The command line of a live process ('' once it is gone). */
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Pids of the live descendants of `root` (children, grandchildren, ...). */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat) parentOf.set(Number(entry), stat.ppid);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of parentOf) {
      if (ppid === parent && !found.includes(pid)) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

/** Whether the process seen as `pid` started at `start` still runs (a zombie runs nothing; a reused pid is another process). */
function isRunning(pid: number, start: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.start === start && stat.state !== 'Z' && stat.state !== 'X';
}

/** Notes the live descendants of `root` in `into` (pid → start time). */
function noteDescendants(root: number, into: Map<number, number>): void {
  for (const pid of descendants(root)) {
    const stat = procStat(pid);
    if (stat && !into.has(pid)) into.set(pid, stat.start);
  }
}

const running = (processes: Map<number, number>): number[] => [...processes].filter(([pid, start]) => isRunning(pid, start)).map(([pid]) => pid);

function countLines(pattern: RegExp): number {
  return manager.stderr().split('\n').filter((line) => pattern.test(line)).length;
}

/** Waits until stderr holds `count` lines matching `pattern`. */
async function waitForLines(pattern: RegExp, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (countLines(pattern) < count) {
    if (manager.child.exitCode !== null || manager.child.signalCode !== null) {
      throw new Error(`the manager exited (${manager.child.exitCode ?? manager.child.signalCode}) before ${count} × ${pattern}; stderr:\n${manager.stderr()}`);
    }
    if (Date.now() > deadline) throw new Error(`no ${count} lines matching ${pattern} within ${timeoutMs} ms; stderr:\n${manager.stderr()}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  emulator = await startDiscordEmulator({
    guildId: snowflakeOnShard(GUILD_SHARD, SHARDS),
    recommendedShards: SHARDS,
    waitTimeoutMs: 10_000,
    requireRegisteredCommands: true,
  });
  const env = await botEnv(emulator);
  expect(env.SHARD_COUNT).toBeUndefined(); // the shard count comes from GET /gateway/bot

  const register = spawnEntry('scripts/register-commands.ts', env);
  expect(await register.exited).toBe(0);

  manager = spawnEntry('src/bin/start-sharded.ts', env);
  const managerPid = manager.child.pid!;
  const note = () => {
    noteDescendants(managerPid, descendantPids);
    for (const [pid, start] of descendantPids) {
      if (procStat(pid)?.ppid === managerPid && cmdline(pid).includes(SHARD_ENTRY)) shardPids.set(pid, start);
    }
  };
  const noting = setInterval(note, 100);
  try {
    await waitForLines(/"msg":"bot ready"/, SHARDS, READY_TIMEOUT_MS);
  } finally {
    clearInterval(noting);
  }
  note();
}, READY_TIMEOUT_MS + 15_000);

afterAll(async () => {
  // Whatever happened, leave no process behind: the manager and every shard it forked.
  if (manager && manager.child.exitCode === null && manager.child.signalCode === null) manager.child.kill('SIGKILL');
  for (const pid of running(descendantPids)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await emulator?.close();
});

describe('npm run start:sharded', () => {
  it('launches the recommended two shards, each identifying as its shard and becoming ready', () => {
    expect(emulator.requests.some((r) => r.method === 'GET' && r.path === '/gateway/bot')).toBe(true);
    expect(countLines(/"msg":"shard launched"/)).toBe(SHARDS);
    expect(manager.stderr()).toMatch(/"shardId":0,"msg":"shard launched"/);
    expect(manager.stderr()).toMatch(/"shardId":1,"msg":"shard launched"/);
    expect(countLines(/"msg":"bot ready"/)).toBe(SHARDS);
    expect(emulator.connectedShards).toEqual([[0, 2], [1, 2]]);
    expect(emulator.identifies.map((identify) => identify.shard).sort()).toEqual([[0, 2], [1, 2]]);
    // Only the guild's shard has it cached.
    expect(manager.stderr()).toMatch(/"guilds":0,"msg":"bot ready"/);
    expect(manager.stderr()).toMatch(/"guilds":1,"msg":"bot ready"/);
    // Two shard processes under the manager.
    expect(running(shardPids)).toHaveLength(SHARDS);
  });

  it('answers an /ask in the guild exactly once', async () => {
    const handle = emulator.injectInteraction({ commandName: 'ask', options: { question: 'Which industries are hiring ML engineers?' }, userId: newUser() });
    const callback = await handle.waitForCallback();
    expect(callback.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    expect(callback.elapsedMs).toBeLessThan(3_000);
    const edit = await handle.waitForEdit();
    expect(edit.body.embeds![0]!.fields!.length).toBeGreaterThan(0);
    // Give a second shard (were it wrongly handling the guild too) time to acknowledge or edit.
    await sleep(500);
    expect(handle.callbacks.items).toHaveLength(1);
    expect(handle.edits.items).toHaveLength(1);
    expect(handle.followUps.items).toHaveLength(0);
    expect(handle.rejected).toEqual([]);
  });

  it('a /reindex on the guild shard makes the other shard reload the new index', async () => {
    await writeFile(
      path.join(manager.knowledgeDir, 'interviews.md'),
      '# Interviews\n\n## Technical Interviews\n\nML interviews often include a take-home assignment and a system design round.\n',
    );
    const reloadsBefore = countLines(/"msg":"reloaded the index another process built"/);
    // The base knowledge is rebuilt by a bot owner (the application's owner).
    const reindex = emulator.injectInteraction({ commandName: 'reindex', options: { target: 'base' }, userId: emulator.ownerUserId });
    const ack = await reindex.waitForCallback();
    expect(ack.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    expect(ack.data?.flags).toBe(MessageFlags.Ephemeral);
    const report = (await reindex.waitForEdit((e) => e.body.embeds?.[0]?.title !== 'Reindexing…', { timeoutMs: 20_000 })).body.embeds![0]!;
    expect(report.title).toBe('Reindex complete');
    expect(report.description).toMatch(/Added: interviews\.md/);
    expect(reindex.rejected).toEqual([]);

    // The other shard (and only it: the reindexing one already has the index) reloads, asynchronously.
    await waitForLines(/"msg":"reloaded the index another process built"/, reloadsBefore + 1, 10_000);
    await sleep(300);
    expect(countLines(/"msg":"reloaded the index another process built"/)).toBe(reloadsBefore + 1);
    expect(countLines(/"msg":"reindex complete"/)).toBe(1);

    // A DM goes to shard 0, the shard that did not reindex: it answers from the new knowledge.
    const userId = newUser();
    const dm = emulator.injectMessage({ content: 'What happens in a technical interview for ML roles?', authorId: userId, dm: true });
    expect(dm.deliveredTo).toBe(1);
    const reply = await emulator.waitForChannelMessage(emulator.dmChannelId(userId), (m) => m.body.message_reference?.message_id === dm.id);
    expect(JSON.stringify(reply.body.embeds)).toContain('Interviews — Technical Interviews');

    // And the guild shard answers from it too.
    const ask = emulator.injectInteraction({ commandName: 'ask', options: { question: 'What happens in a technical interview for ML roles?' }, userId: newUser() });
    expect(JSON.stringify((await ask.waitForEdit()).body.embeds)).toContain('Interviews — Technical Interviews');
  });

  it('spoke only known routes and the gateway protocol', () => {
    emulator.assertNoUnknownRoutes();
    emulator.assertNoProtocolErrors();
    expect(manager.stderr()).not.toContain(emulator.token);
  });

  it('stops the manager and every shard on SIGTERM to the manager, leaving no orphan', async () => {
    expect(running(shardPids)).toHaveLength(SHARDS);
    noteDescendants(manager.child.pid!, descendantPids);
    manager.child.kill('SIGTERM');
    const exit = await Promise.race([manager.exited.then((code) => ({ code })), sleep(EXIT_TIMEOUT_MS).then(() => 'timeout' as const)]);
    expect(exit, `the manager did not exit within ${EXIT_TIMEOUT_MS} ms of SIGTERM`).not.toBe('timeout');

    const deadline = Date.now() + EXIT_TIMEOUT_MS;
    while (running(descendantPids).length > 0 && Date.now() < deadline) await sleep(100);
    const orphans = running(descendantPids).map((pid) => `${pid} (parent ${procStat(pid)?.ppid}): ${cmdline(pid)}`);
    expect(orphans, `processes still running after the manager exited:\n${manager.stderr().slice(-2_000)}`).toEqual([]);
    expect(emulator.connectedSessionCount).toBe(0);
    // Each shard shut down the graceful way (finishing in-flight replies), and the manager exited 0.
    expect(countLines(/"msg":"shutting down: finishing in-flight replies"/)).toBe(SHARDS);
    expect(exit).toEqual({ code: 0 });
  });
});
