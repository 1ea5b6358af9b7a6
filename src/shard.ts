/**
 * `npm run start:sharded`: the same bot under discord.js's ShardingManager, for bots in more
 * than ~2,500 servers (Discord requires sharding there). The index is built once here, before
 * any shard starts, so shards only load the persisted index; a /reindex in one shard is
 * broadcast so every shard reloads.
 */
import 'dotenv/config';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REST, Routes, ShardingManager, type RESTGetAPIGatewayBotResult } from 'discord.js';
import { failAndExit } from './cli.ts';
import { loadConfig, type Config } from './config.ts';
import { restOptions } from './discord/bot.ts';
import { Engine } from './engine.ts';
import { createLogger } from './logger.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (!config.discordToken) throw new Error('DISCORD_TOKEN is not set: sharding only applies to the Discord bot.');
  // Build or validate the persisted index once, so shards never race to rebuild it.
  await (await Engine.open({ config, logger })).close();
  const manager = new ShardingManager(path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts'), {
    token: config.discordToken,
    totalShards: config.shardCount ?? (await recommendedShardCount(config)),
    execArgv: ['--import', 'tsx'],
  });
  manager.on('shardCreate', (shard) => logger.info({ shardId: shard.id }, 'shard launched'));
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
