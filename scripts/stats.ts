/**
 * What people asked, what was refused, and what to add to the knowledge, from the feedback database
 * (FEEDBACK_DB, or every host's questions in DATABASE_URL).
 * Usage: npm run stats [-- --days N] [-- --json]
 * stdout carries only the report. A missing database is not created: the text report says no questions
 * were recorded yet, and --json prints the same (empty) report shape as always.
 */
import { existsSync } from 'node:fs';
import 'dotenv/config';
import { loadConfig } from '../src/config.ts';
import { BotError, errorMessage } from '../src/errors.ts';
import { formatStatsText } from '../src/feedback/report.ts';
import { FeedbackStore } from '../src/feedback/store.ts';
import { silentLogger } from '../src/logger.ts';
import { Database } from '../src/state/postgres/database.ts';
import { PostgresFeedback } from '../src/state/postgres/feedback.ts';

const USAGE = `Usage: npm run stats [-- --days N] [-- --json]
  --days N   the window, in days (1 to 3650; default 7)
  --json     the report as one JSON object`;

interface Options {
  days: number;
  json: boolean;
}

function parseArgs(args: string[]): Options {
  const options: Options = { days: 7, json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') options.json = true;
    else if (arg === '--help' || arg === '-h') throw new BotError('USAGE', USAGE);
    else if (arg === '--days' || arg.startsWith('--days=')) {
      const value = arg === '--days' ? args[++i] : arg.slice('--days='.length);
      const days = Number(value);
      if (value === undefined || value.trim() === '' || !Number.isInteger(days) || days < 1 || days > 3650) {
        throw new BotError('USAGE', `--days needs a whole number from 1 to 3650.\n${USAGE}`);
      }
      options.days = days;
    } else throw new BotError('USAGE', `Unknown argument ${arg}.\n${USAGE}`);
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  if (config.databaseUrl !== undefined) {
    // Every host's questions, from the shared database.
    const db = await Database.open({ url: config.databaseUrl, poolMax: 1, logger: silentLogger, applicationName: 'ml-careers-bot stats' });
    try {
      const store = await PostgresFeedback.open(db, { retentionDays: config.feedbackRetentionDays });
      const report = await store.report({ days: options.days });
      process.stdout.write((options.json ? JSON.stringify(report) : formatStatsText(report)) + '\n');
    } finally {
      await db.close();
    }
    return;
  }
  const exists = config.feedbackDb === ':memory:' || existsSync(config.feedbackDb);
  if (!exists && !options.json) {
    process.stdout.write(
      `No questions recorded yet: ${config.feedbackDb} does not exist (the bot creates it when it records its first question).\n`,
    );
    return;
  }
  // A missing file still gets the report's JSON shape, from an empty in-memory store; nothing is created.
  const store = FeedbackStore.open(exists ? config.feedbackDb : ':memory:', {
    retentionDays: config.feedbackRetentionDays,
  });
  try {
    const report = store.report({ days: options.days });
    process.stdout.write((options.json ? JSON.stringify(report) : formatStatsText(report)) + '\n');
  } finally {
    store.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${errorMessage(error)}\n`);
  process.exitCode = error instanceof BotError && error.code === 'USAGE' ? 2 : 1;
});
