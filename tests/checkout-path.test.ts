/**
 * The entry points run wherever the checkout lies: a path holding characters a file URL escapes
 * (a space, brackets, `+`, `%`), and a checkout reached through a symlink, whose real path node
 * uses for the main module. The checkout here is a copy of `src/` and `package.json` with
 * `node_modules` linked in, so nothing outside the temporary folder changes.
 */
import { cp, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runEntryIn } from './support/run-cli.ts';
import { REPO_ROOT, tempDir } from './support/temp.ts';

let checkout = '';
let linked = '';

beforeAll(async () => {
  const work = await tempDir('mlbot-checkout-');
  checkout = path.join(work, 'my checkout (1) +50%');
  await mkdir(checkout);
  await cp(path.join(REPO_ROOT, 'src'), path.join(checkout, 'src'), { recursive: true });
  await cp(path.join(REPO_ROOT, 'package.json'), path.join(checkout, 'package.json'));
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(checkout, 'node_modules'), 'dir');
  linked = path.join(work, 'linked');
  await symlink(checkout, linked, 'dir');
});

describe('the CLI (npm run ask, reindex, skills) from an unusual checkout path', () => {
  it.each([
    ['a path with a space, brackets, + and %', () => checkout],
    ['a path through a symlink', () => linked],
  ])('runs from %s: no command prints the usage and exits 2', async (_, root) => {
    const r = await runEntryIn(root(), 'src/cli/cli.ts', [], {});
    expect(r.stderr).toMatch(/^Usage:\n {2}npm run ask -- "question"/);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});
