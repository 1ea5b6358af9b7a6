import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, expect } from 'vitest';

const testDirs: string[] = [];
const fileDirs: string[] = [];

/**
 * A temporary folder, removed after the test that made it; one made in a `beforeAll`, or with
 * `lifetime: 'file'` (for a process that outlives the test starting it), lives until the file's
 * tests are done.
 */
export async function tempDir(prefix = 'mlbot-', lifetime?: 'file'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  (lifetime === 'file' || expect.getState().currentTestName === undefined ? fileDirs : testDirs).push(dir);
  return dir;
}

const removeAll = (dirs: string[]) => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
afterEach(() => removeAll(testDirs));
afterAll(() => removeAll(fileDirs));

/** Writes files (name → content) into a new temporary knowledge folder. */
export async function knowledgeDir(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await tempDir('mlbot-knowledge-');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');

export const SAMPLE_MD = `---
title: Careers Handbook
url: https://example.org/handbook
---

# Careers Handbook

## Salaries

Data engineers earn good salaries in most countries.

## Tools

Engineers should know these tools:

- Git: version control for every project.
- Docker: containers that package an application.

## Banking

Banks use fraud detection models every day.
`;
