import { spawn, type ChildProcess } from 'node:child_process';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { childEnv } from './child-env.ts';
import type { DiscordEmulator } from './discord-emulator.ts';
import { REPO_ROOT, tempDir } from './temp.ts';

export interface SpawnedBot {
  child: ChildProcess;
  knowledgeDir: string;
  env: Record<string, string>;
  stderr(): string;
  /** Resolves when stderr has a line matching `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Env that points the bot at the emulator, with its own copy of the knowledge and its own index. */
export async function botEnv(emulator: DiscordEmulator, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  // A bot often outlives the test that starts it (hosts.test.ts): its folders stay until the file is done.
  const work = await tempDir('mlbot-e2e-', 'file');
  const knowledgeDir = path.join(work, 'knowledge');
  await cp(path.join(REPO_ROOT, 'knowledge'), knowledgeDir, { recursive: true });
  return childEnv({
    DISCORD_TOKEN: emulator.token,
    DISCORD_CLIENT_ID: emulator.applicationId,
    DISCORD_GUILD_ID: emulator.guildId,
    DISCORD_API_URL: emulator.apiUrl,
    KNOWLEDGE_DIR: knowledgeDir,
    INDEX_DIR: path.join(work, 'index'),
    DATA_DIR: path.join(work, 'data'),
    FEEDBACK_DB: path.join(work, 'feedback.sqlite'),
    LOG_LEVEL: 'info',
    ...extra,
  });
}

/** Runs an entry point the way its npm script does (tsx), e.g. src/bin/start.ts for `npm start`. */
export function spawnEntry(entry: string, env: Record<string, string>): SpawnedBot {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, entry)], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const l of listeners) l();
  });
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    knowledgeDir: env.KNOWLEDGE_DIR ?? '',
    env,
    stderr: () => stderr,
    exited,
    waitForLog(pattern, timeoutMs = 45_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(stderr)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms; stderr:\n${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then((code) => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`process exited (${code}) before logging ${pattern}; stderr:\n${stderr}`));
          }
        });
        check();
      });
    },
  };
}

/** Registers the slash commands with the emulator, then starts the bot and waits until it is ready. */
export async function registerAndStartBot(env: Record<string, string>, readyTimeoutMs?: number): Promise<SpawnedBot> {
  const register = spawnEntry('scripts/register-commands.ts', env);
  const code = await register.exited;
  if (code !== 0) throw new Error(`register-commands exited with ${code}; stderr:\n${register.stderr()}`);
  const bot = spawnEntry('src/bin/start.ts', env);
  await bot.waitForLog(/"msg":"bot ready"/, readyTimeoutMs);
  return bot;
}
