import { spawn } from 'node:child_process';
import path from 'node:path';
import { childEnv } from './child-env.ts';
import { REPO_ROOT } from './temp.ts';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as `npm run ask` would (tsx on src/cli/cli.ts), with the given env and stdin. */
export function runCli(args: string[], env: Record<string, string>, stdin = ''): Promise<CliResult> {
  return runEntry('src/cli/cli.ts', args, env, stdin);
}

/** Runs an entry point under tsx, as its npm script does, with `env` on top of {@link childEnv}, feeding `stdin` and collecting output. */
export function runEntry(entry: string, args: string[], env: Record<string, string>, stdin = ''): Promise<CliResult> {
  return runEntryIn(REPO_ROOT, entry, args, env, stdin);
}

/** {@link runEntry} in the checkout at `root` (its own folder, the working folder of `npm run`). */
export function runEntryIn(root: string, entry: string, args: string[], env: Record<string, string>, stdin = ''): Promise<CliResult> {
  return runNode(root, ['--import', 'tsx', path.join(root, entry), ...args], env, stdin);
}

/** Runs node with `nodeArgs` in `root`, with `env` on top of {@link childEnv}, feeding `stdin` and collecting output. */
export function runNode(root: string, nodeArgs: string[], env: Record<string, string>, stdin = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, {
      cwd: root,
      env: childEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
