/**
 * `npm start`: the Discord bot when DISCORD_TOKEN is set, otherwise the terminal chat on the
 * same engine, so a fresh clone shows the bot working with no Discord application at all.
 */
import 'dotenv/config';
import { chat, failAndExit } from '../cli/cli.ts';
import { loadConfig } from '../config.ts';
import { ThreadEmbedder } from '../engine/thread-embedder.ts';
import { createLogger } from '../logger.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  // The model loads on its own thread while the rest of the bot is imported and its index opened.
  ThreadEmbedder.prelaunch(config);
  if (config.discordToken === undefined) {
    await chat(config, createLogger(process.env.LOG_LEVEL?.trim() || 'warn'));
    return;
  }
  const { startBot } = await import('../discord/bot.ts');
  await startBot(config, createLogger(config.logLevel));
  // As a shard, a lost manager (even one killed with SIGKILL) means: shut down cleanly too.
  if (process.send) process.once('disconnect', () => process.emit('SIGTERM'));
}

main().catch(failAndExit);
