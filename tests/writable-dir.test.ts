/**
 * A folder the bot must write that it cannot write stops start-up with one line naming the
 * variable and the folder, before any work is done.
 *
 * These checks must hold wherever the checkout lies and whoever runs them. A folder made
 * read-only with chmod is no such condition: root writes into it anyway, and running the bot as
 * another user (`nobody`) instead fails as soon as the checkout sits in a folder only its owner may
 * enter (a `mktemp -d` folder, root's home). So:
 * - `npm start` runs as whoever runs the tests, and the folder it must write lies under a file
 *   (a file stands where a parent folder should be), which no user, root included, can write into;
 * - each reason a write can fail for is checked on `assertWritableDir` itself, with the write
 *   failing as the system would fail it (permission denied for a read-only folder, a read-only file
 *   system, a full disk), because no file mode can make root see those on every machine.
 */
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertWritableDir } from '../src/writable-dir.ts';
import { runEntry } from './support/run-cli.ts';
import { REPO_ROOT, tempDir } from './support/temp.ts';

/** Folders where writing a file fails with the given errno code (see the comment at the top). */
const failingWrites = vi.hoisted(() => new Map<string, string>());

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const writeFileSync: typeof actual.writeFileSync = (file, ...rest) => {
    const code = failingWrites.get(path.dirname(String(file)));
    if (code !== undefined) throw Object.assign(new Error(`${code}: cannot write, open '${String(file)}'`), { code });
    actual.writeFileSync(file, ...rest);
  };
  return { ...actual, default: { ...actual, writeFileSync }, writeFileSync };
});

/** A regular file in a new temporary folder: no user, root included, can make a folder in its place or below it. */
async function folderUnderAFile(): Promise<{ work: string; file: string }> {
  const work = await tempDir('mlbot-w-');
  const file = path.join(work, 'not-a-folder');
  await writeFile(file, 'a file where a folder should be');
  return { work, file };
}

describe('assertWritableDir', () => {
  it('creates a missing folder and accepts a writable one', async () => {
    const dir = path.join(await tempDir('mlbot-w-'), 'a', 'b');
    expect(() => assertWritableDir(dir, 'INDEX_DIR')).not.toThrow();
    expect(() => assertWritableDir(dir, 'INDEX_DIR')).not.toThrow();
  });

  it('names the variable and the folder when a file stands where the folder should be', async () => {
    const { file } = await folderUnderAFile();
    for (const dir of [file, path.join(file, 'index')]) {
      expect(() => assertWritableDir(dir, 'INDEX_DIR')).toThrow(
        expect.objectContaining({ code: 'DIR_NOT_WRITABLE', message: `INDEX_DIR folder ${dir} is not writable (a file stands where a folder should be); make it writable or point INDEX_DIR elsewhere.` }),
      );
    }
  });

  it.each([
    ['EACCES', 'permission denied'],
    ['EPERM', 'permission denied'],
    ['EROFS', 'the file system is read-only'],
    ['ENOSPC', 'the disk is full'],
    ['EIO', 'EIO'], // no plainer reason known: the code itself
  ])('says why when writing in the folder fails with %s', async (code, reason) => {
    const dir = await tempDir('mlbot-w-');
    failingWrites.set(dir, code);
    try {
      expect(() => assertWritableDir(dir, 'DATA_DIR')).toThrow(
        expect.objectContaining({ code: 'DIR_NOT_WRITABLE', message: `DATA_DIR folder ${dir} is not writable (${reason}); make it writable or point DATA_DIR elsewhere.` }),
      );
    } finally {
      failingWrites.delete(dir);
    }
  });
});

describe('npm start with a folder it cannot write', () => {
  /** Stands in for Discord on a port of its own: the check comes before any work, so it must receive no request at all. */
  const requests: string[] = [];
  const discord = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(503).end();
  });
  let apiUrl = '';

  beforeAll(async () => {
    discord.listen(0, '127.0.0.1');
    await once(discord, 'listening');
    apiUrl = `http://127.0.0.1:${(discord.address() as AddressInfo).port}/api`;
  });
  afterAll(() => new Promise<void>((resolve) => discord.close(() => resolve())));

  it.each([
    ['INDEX_DIR', (blocked: string, work: string) => ({ INDEX_DIR: path.join(blocked, 'index'), DATA_DIR: path.join(work, 'data'), FEEDBACK_DB: path.join(work, 'feedback.sqlite') })],
    ['DATA_DIR', (blocked: string, work: string) => ({ INDEX_DIR: path.join(work, 'index'), DATA_DIR: path.join(blocked, 'data'), FEEDBACK_DB: path.join(work, 'feedback.sqlite') })],
    ['FEEDBACK_DB', (blocked: string, work: string) => ({ INDEX_DIR: path.join(work, 'index'), DATA_DIR: path.join(work, 'data'), FEEDBACK_DB: path.join(blocked, 'feedback.sqlite') })],
  ])('stops with one line naming %s and its folder, exit code 1', async (variable, dirs) => {
    const { work, file } = await folderUnderAFile();
    const env = dirs(file, work);
    const { code, stdout, stderr } = await runEntry('src/bin/start.ts', [], {
      DISCORD_TOKEN: 'not-a-real-token',
      DISCORD_API_URL: apiUrl,
      KNOWLEDGE_DIR: path.join(REPO_ROOT, 'knowledge'),
      LOG_LEVEL: 'silent',
      ...env,
    });
    const folder = variable === 'FEEDBACK_DB' ? path.dirname(env.FEEDBACK_DB) : env[variable as 'INDEX_DIR' | 'DATA_DIR'];
    expect(stderr.trim().split('\n'), stderr).toEqual([
      `${variable} folder ${folder} is not writable (a file stands where a folder should be); make it writable or point ${variable} elsewhere.`,
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(requests).toEqual([]);
  });
});
