/**
 * Terminal surface: `ask` (text, --json, --jsonl), `reindex` (--json), `skills`, `chat`.
 * stdout carries only answers (or exactly the JSON the contract names); logs go to stderr.
 */
import { realpathSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import 'dotenv/config';
import { loadConfig, type Config } from '../config.ts';
import type { Engine, EngineOptions } from '../engine/engine.ts';
import { ThreadEmbedder } from '../engine/thread-embedder.ts';
import { BotError, errorMessage } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import { assertWritableDir } from '../writable-dir.ts';
import { formatAnswerText, formatReindexReport, formatSkillsText, toJsonAnswer } from './format.ts';
import { buildProgressView } from './progress.ts';

const USAGE = `Usage:
  npm run ask -- "question"            answer one question
  npm run ask -- --json "question"     the answer as one JSON object
  npm run ask -- --jsonl < file.jsonl  one JSON answer per input line {"id","question"}
  npm run reindex [-- --json]          rebuild the index from the knowledge folder
  npm run skills                       the skills list from the knowledge
  npm start                            chat in the terminal (when DISCORD_TOKEN is not set)`;

/**
 * The engine's modules are imported when first needed: the model thread, launched first
 * (ThreadEmbedder.prelaunch), loads the model meanwhile.
 */
async function openEngine(options: EngineOptions): Promise<Engine> {
  const { Engine } = await import('../engine/engine.ts');
  return Engine.open(options);
}

/** CLI runs are quiet unless LOG_LEVEL asks otherwise: a person wants the answer, not the log. */
function cliLogger(): Logger {
  return createLogger(process.env.LOG_LEVEL?.trim() || 'warn');
}

async function ask(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const jsonl = args.includes('--jsonl');
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--json' && a !== '--jsonl');
  if (unknown.length > 0) throw new BotError('USAGE', `Unknown option ${unknown.join(' ')}.\n${USAGE}`);
  const question = args.filter((a) => !a.startsWith('--')).join(' ');
  if (!jsonl && !json && question.trim() === '') throw new BotError('USAGE', `Ask a question.\n${USAGE}`);

  const engine = await openEngine({ config: loadConfig(), logger: cliLogger() });
  try {
    if (jsonl) {
      await answerJsonLines(engine);
    } else if (json) {
      process.stdout.write(JSON.stringify(toJsonAnswer(await engine.ask(question))) + '\n');
    } else {
      process.stdout.write(formatAnswerText(await engine.ask(question)) + '\n');
    }
  } finally {
    await engine.close();
  }
}

/** Every input line gets exactly one output line, in order, even when the line is not valid. */
async function answerJsonLines(engine: Engine): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let id = `line-${lineNo}`;
    let question = '';
    let problem: string | undefined;
    try {
      const parsed = JSON.parse(line) as { id?: unknown; question?: unknown };
      if (parsed && typeof parsed === 'object') {
        if (typeof parsed.id === 'string' || typeof parsed.id === 'number') id = String(parsed.id);
        if (typeof parsed.question === 'string') question = parsed.question;
        else problem = 'the line has no "question" string';
      } else problem = 'the line is not a JSON object';
    } catch {
      problem = 'the line is not valid JSON';
    }
    const answer = await engine.ask(question);
    const out = toJsonAnswer(answer);
    if (problem !== undefined) out.answer = `Could not read this input line: ${problem}.`;
    process.stdout.write(JSON.stringify({ id, ...out }) + '\n');
  }
}

async function reindex(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const config = loadConfig();
  assertWritableDir(config.indexDir, 'INDEX_DIR');
  const progress = buildProgressView(process.stderr);
  let engine: Engine | undefined;
  try {
    engine = await openEngine({ config, logger: cliLogger(), onBuildProgress: (p) => progress.update(p) });
    // A missing or stale index was built by open, from the knowledge as it is now: that build is
    // this reindex, and its report counts the passages it embedded.
    const report = engine.builtAtOpen ?? (await engine.reindex({ onProgress: (p) => progress.update(p) }));
    progress.stop();
    const { added, changed, removed, ...contract } = report;
    process.stdout.write(
      json ? JSON.stringify({ ...contract, added, changed, removed }) + '\n' : formatReindexReport(report) + '\n',
    );
  } finally {
    progress.stop();
    await engine?.close();
  }
}

async function skills(): Promise<void> {
  const engine = await openEngine({ config: loadConfig(), logger: cliLogger() });
  try {
    process.stdout.write(formatSkillsText(engine.skills()) + '\n');
  } finally {
    await engine.close();
  }
}

/** Interactive chat on the same engine; also reads questions piped in, one per line. */
export async function chat(config: Config, logger: Logger): Promise<void> {
  const engine = await openEngine({ config, logger });
  const interactive = process.stdin.isTTY === true;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
  const stats = engine.stats();
  process.stdout.write(
    `ML careers bot — ${stats.documents} document(s), ${stats.chunks} passages (${stats.embedder}).\n` +
      'Ask a question, or type /skills, /reindex, /help or /quit.\n',
  );
  rl.setPrompt('> ');
  if (interactive) rl.prompt();
  try {
    for await (const line of rl) {
      const input = line.trim();
      if (input === '/quit' || input === '/exit') break;
      if (input === '/help') process.stdout.write(`${USAGE}\nIn this chat: /skills, /reindex, /quit.\n`);
      else if (input === '/skills') process.stdout.write(formatSkillsText(engine.skills()) + '\n');
      else if (input === '/reindex') {
        try {
          process.stdout.write(formatReindexReport(await engine.reindex()) + '\n');
        } catch (error) {
          process.stdout.write(`${errorMessage(error)}\n`);
        }
      } else if (input !== '') process.stdout.write(formatAnswerText(await engine.ask(input)) + '\n');
      if (interactive) rl.prompt();
    }
  } finally {
    rl.close();
    await engine.close();
  }
}

export async function runCli(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === 'ask' || command === 'reindex' || command === 'skills' || command === 'chat') ThreadEmbedder.prelaunch(loadConfig());
  switch (command) {
    case 'ask':
      return ask(args);
    case 'reindex':
      return reindex(args);
    case 'skills':
      return skills();
    case 'chat':
      return chat(loadConfig(), cliLogger());
    default:
      throw new BotError('USAGE', USAGE);
  }
}

/**
 * A broken setup ends with one clear line and a non-zero code; never a stack trace. A model thread
 * still loading is stopped first (see ThreadEmbedder.dispose).
 */
export async function failAndExit(error: unknown): Promise<never> {
  process.stderr.write(`${errorMessage(error)}\n`);
  await ThreadEmbedder.stopPrelaunched().catch(() => undefined);
  process.exit(error instanceof BotError && error.code === 'USAGE' ? 2 : 1);
}

/**
 * Whether node was started on this file (`npm run ask …`) rather than importing it (`npm start`).
 * Compared as real paths: the checkout's path may hold characters a file URL escapes (a space) or
 * run through a symlink, and node names its main module by the real path.
 */
function startedAsProgram(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (startedAsProgram()) {
  runCli(process.argv.slice(2)).catch(failAndExit);
}
