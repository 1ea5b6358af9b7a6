import type { SlashCommand } from '../context.ts';
import { ask } from './ask.ts';
import { channel } from './channel.ts';
import { help } from './help.ts';
import { knowledge } from './knowledge.ts';
import { reindex } from './reindex.ts';
import { skills } from './skills.ts';
import { stats } from './stats.ts';

/** Every slash command, by name: the one list the bot dispatches from and `npm run register` sends. */
export const commands: ReadonlyMap<string, SlashCommand> = new Map([ask, skills, reindex, knowledge, channel, stats, help].map((c) => [c.data.name, c]));
