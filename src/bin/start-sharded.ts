/**
 * `npm run start:sharded`: the same bot under discord.js's ShardingManager, for bots in more
 * than ~2,500 servers (Discord requires sharding there). The index is built once here, before
 * any shard starts, so shards only load the persisted index; a /reindex in one shard is
 * broadcast so every shard reloads.
 *
 * Several hosts: each runs `SHARD_LIST` (its shards) of `SHARD_COUNT` (the total all hosts agree
 * on), with DATABASE_URL shared, so any host serves any server from the same state. The schema is
 * migrated here first (under a lock), so an unreachable database stops the host before any shard.
 */
import 'dotenv/config';
import type { ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { REST, Routes, ShardingManager, type RESTGetAPIGatewayBotResult } from 'discord.js';
import { failAndExit } from '../cli/cli.ts';
import { loadConfig, type Config } from '../config.ts';
import { restOptions } from '../discord/bot.ts';
import { Engine } from '../engine/engine.ts';
import { createLogger } from '../logger.ts';
import { siblingModule, needsTsx } from '../start-worker.ts';
import { openBotState } from '../state/open-state.ts';
import { assertWritableDir } from '../writable-dir.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (!config.discordToken) throw new Error('DISCORD_TOKEN is not set: sharding only applies to the Discord bot.');
  assertWritableDir(config.indexDir, 'INDEX_DIR');
  assertWritableDir(config.dataDir, 'DATA_DIR');
  // The state first (with DATABASE_URL: reachable, schema migrated), then the base index, built or
  // validated once so shards never race to rebuild it (with shared embeddings: embedding nothing
  // another host already embedded).
  const state = await openBotState(config, logger, { applicationName: 'ml-careers-bot manager' });
  try {
    await (await Engine.open({ config, logger, ...(state.knowledge && { shared: state.knowledge }) })).close();
  } finally {
    await state.close();
  }
  const totalShards = config.shardCount ?? (await recommendedShardCount(config));
  // Each shard runs start.ts under tsx, or start.js once compiled: as this process runs.
  const shardEntry = siblingModule('start', import.meta.url);
  const manager = new ShardingManager(fileURLToPath(shardEntry), {
    token: config.discordToken,
    totalShards,
    // This host's part of the shards (SHARD_LIST), or all of them.
    ...(config.shardList && { shardList: config.shardList }),
    execArgv: needsTsx(shardEntry) ? ['--import', 'tsx'] : [],
  });
  logger.info({ totalShards, shards: config.shardList ?? 'all', state: state.where }, 'starting shards');
  let stopping = false;
  manager.on('shardCreate', (shard) => {
    logger.info({ shardId: shard.id }, 'shard launched');
    // A shard forked while stopping would otherwise outlive the manager.
    shard.on('spawn', (child: ChildProcess | Worker) => {
      if (stopping && 'kill' in child) child.kill('SIGTERM');
    });
  });
  // The ShardingManager neither stops its shards when it is signalled nor notices them gone:
  // without this, `kill <manager>` leaves every shard running, still connected to Discord.
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    manager.respawn = false;
    logger.info({ signal }, 'stopping every shard');
    const exits = [...manager.shards.values()].map((shard) => {
      const child = shard.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // Always SIGTERM: a shard that already got SIGINT from the terminal ignores a second one.
      child.kill('SIGTERM');
      return exited;
    });
    void Promise.all(exits).then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  await manager.spawn();
}

/**
 * Discord's recommendation, asked through the configured API URL: discord.js's own 'auto' would
 * always ask discord.com, ignoring DISCORD_API_URL.
 */
async function recommendedShardCount(config: Config): Promise<number> {
  const rest = new REST(restOptions(config)).setToken(config.discordToken!);
  const { shards } = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
  return shards;
}

main().catch(failAndExit);
