/**
 * Part of `npm run bench`: `npm run ask` as a person runs it, from spawn to the answer on stdout,
 * on a persisted index, two ways: the sources under tsx (what `npm run ask` runs) and the build
 * `npm run build` makes (`node dist/cli/cli.js ask`, what a host running the bot for good runs).
 * The build goes to a folder of the run's own, beside a link to this project's node_modules, so
 * the checkout's `dist/` is left alone.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchChildEnv, pct } from './bench-figures.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface AskStartupFigures {
  question: string;
  build_ms: number;
  tsx_runs_ms: number[];
  compiled_runs_ms: number[];
  tsx_p50_ms: number;
  compiled_p50_ms: number;
}

/** Milliseconds from spawn to the first output on stdout (the answer), checking the run succeeded. */
function timeToAnswer(args: readonly string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: benchChildEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let answeredAt: number | undefined;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      answeredAt ??= performance.now();
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || answeredAt === undefined) {
        reject(new Error(`${args.join(' ')} failed (exit ${code}): ${stderr.trim().slice(-1000)}`));
        return;
      }
      const answer = JSON.parse(stdout) as { answer?: unknown };
      if (typeof answer.answer !== 'string') {
        reject(new Error(`${args.join(' ')} printed no answer: ${stdout.slice(0, 300)}`));
        return;
      }
      resolve(answeredAt - started);
    });
  });
}

/**
 * `env` names the persisted index (KNOWLEDGE_DIR, INDEX_DIR, EMBEDDER…); `workDir` is an empty
 * folder of the run's. Runs alternate between the two ways, so a change in the machine's load
 * falls on both.
 */
export async function benchAskStartup(workDir: string, env: Record<string, string>, question: string, runs: number): Promise<AskStartupFigures> {
  const buildRoot = path.join(workDir, 'compiled');
  await mkdir(buildRoot, { recursive: true });
  await copyFile(path.join(REPO_ROOT, 'package.json'), path.join(buildRoot, 'package.json'));
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(buildRoot, 'node_modules'), 'dir');
  const outDir = path.join(buildRoot, 'dist');
  const buildStarted = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'build.ts'), '--out-dir', outDir], {
      cwd: REPO_ROOT,
      env: benchChildEnv({}),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build failed: ${stderr.trim().slice(-1000)}`))));
  });
  const buildMs = performance.now() - buildStarted;

  const ask = ['ask', '--json', question];
  const tsxRuns: number[] = [];
  const compiledRuns: number[] = [];
  for (let i = 0; i < runs; i++) {
    tsxRuns.push(await timeToAnswer(['--import', 'tsx', path.join(REPO_ROOT, 'src', 'cli', 'cli.ts'), ...ask], env));
    compiledRuns.push(await timeToAnswer([path.join(outDir, 'cli', 'cli.js'), ...ask], env));
  }
  return {
    question,
    build_ms: Math.round(buildMs),
    tsx_runs_ms: tsxRuns.map(Math.round),
    compiled_runs_ms: compiledRuns.map(Math.round),
    tsx_p50_ms: Math.round(pct(tsxRuns, 0.5)),
    compiled_p50_ms: Math.round(pct(compiledRuns, 0.5)),
  };
}
