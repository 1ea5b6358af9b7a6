/**
 * `npm run register`: sends every slash command in one PUT — to DISCORD_GUILD_ID when set
 * (instant), else globally. The bot never registers on start-up.
 */
import 'dotenv/config';
import { REST, Routes } from 'discord.js';
import { loadConfig } from '../src/config.ts';
import { commands } from '../src/discord/commands/index.ts';
import { restOptions } from '../src/discord/bot.ts';
import { errorMessage } from '../src/errors.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.discordToken) throw new Error('DISCORD_TOKEN is not set: registering commands needs the bot token.');
  if (!config.discordClientId) throw new Error('DISCORD_CLIENT_ID is not set: it is the application id from the developer portal.');
  const rest = new REST(restOptions(config)).setToken(config.discordToken);
  const body = [...commands.values()].map((c) => c.data);
  const route = config.discordGuildId
    ? Routes.applicationGuildCommands(config.discordClientId, config.discordGuildId)
    : Routes.applicationCommands(config.discordClientId);
  const result = (await rest.put(route, { body })) as { name: string }[];
  const where = config.discordGuildId ? `in server ${config.discordGuildId}` : 'globally (may take up to an hour to appear)';
  console.log(`Registered ${result.length} command(s) ${where}: ${result.map((c) => `/${c.name}`).join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(`Could not register commands: ${errorMessage(error)}`);
  process.exit(1);
});
