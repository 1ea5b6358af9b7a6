import { spawn } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertWritableDir } from '../src/writable-dir.ts';
import { REPO_ROOT, tempDir } from './support/temp.ts';

/** Root writes anywhere: run as `nobody` then, so a read-only folder is really read-only. */
const AS_UNPRIVILEGED = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

function npmStart(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/bin/start.ts')], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: '/tmp', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      ...AS_UNPRIVILEGED,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** A folder anyone may enter (the unprivileged child too) holding a read-only sub-folder. */
async function readOnlyFolder(): Promise<{ work: string; readOnly: string }> {
  const work = await tempDir('mlbot-ro-');
  await chmod(work, 0o777);
  const readOnly = path.join(work, 'read-only');
  await mkdir(readOnly);
  await chmod(readOnly, 0o555);
  return { work, readOnly };
}

describe('assertWritableDir', () => {
  it('creates a missing folder and accepts a writable one', async () => {
    const dir = path.join(await tempDir('mlbot-w-'), 'a', 'b');
    expect(() => assertWritableDir(dir, 'INDEX_DIR')).not.toThrow();
    expect(() => assertWritableDir(dir, 'INDEX_DIR')).not.toThrow();
  });

  it('names the variable and the folder when a file stands where the folder should be', async () => {
    const file = path.join(await tempDir('mlbot-w-'), 'data');
    await writeFile(file, 'not a folder');
    expect(() => assertWritableDir(path.join(file, 'index'), 'INDEX_DIR')).toThrow(
      expect.objectContaining({ code: 'DIR_NOT_WRITABLE', message: expect.stringMatching(/^INDEX_DIR folder .*data\/index is not writable \(a file stands where a folder should be\)/) }),
    );
  });
});

describe('npm start with a folder it cannot write', () => {
  it.each([
    ['INDEX_DIR', (ro: string, work: string) => ({ INDEX_DIR: path.join(ro, 'index'), DATA_DIR: path.join(work, 'data'), FEEDBACK_DB: path.join(work, 'feedback.sqlite') })],
    ['DATA_DIR', (ro: string, work: string) => ({ INDEX_DIR: path.join(work, 'index'), DATA_DIR: path.join(ro, 'data'), FEEDBACK_DB: path.join(work, 'feedback.sqlite') })],
    ['FEEDBACK_DB', (ro: string, work: string) => ({ INDEX_DIR: path.join(work, 'index'), DATA_DIR: path.join(work, 'data'), FEEDBACK_DB: path.join(ro, 'feedback.sqlite') })],
  ])('stops with one line naming %s', async (variable, dirs) => {
    const { work, readOnly } = await readOnlyFolder();
    const { code, stderr } = await npmStart({
      DISCORD_TOKEN: 'not-a-real-token',
      DISCORD_API_URL: 'http://127.0.0.1:9/api',
      KNOWLEDGE_DIR: path.join(REPO_ROOT, 'knowledge'),
      LOG_LEVEL: 'silent',
      ...dirs(readOnly, work),
    });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(new RegExp(`^${variable} folder ${readOnly}\\S* is not writable \\(permission denied\\)`));
  });
});
