/**
 * `npm run build`: the compiled bot runs with plain node, model thread and data files included.
 * Built into a folder of the test's own, beside a link to node_modules, so the checkout is untouched.
 */
import { copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findMisquotes } from '../src/answer/quote-check.ts';
import type { Citation } from '../src/types.ts';
import { runEntry, runNode, type CliResult } from './support/run-cli.ts';
import { REPO_ROOT, tempDir } from './support/temp.ts';

let root = '';
let dist = '';

/** The compiled build's `entry` run with plain node, as a host runs it. */
const runCompiled = (entry: string, args: string[], env: Record<string, string>): Promise<CliResult> => runNode(root, [path.join(dist, entry), ...args], env);

beforeAll(async () => {
  root = await tempDir('mlbot-build-');
  await copyFile(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'));
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  dist = path.join(root, 'dist');
  const built = await runEntry('scripts/build.ts', ['--out-dir', dist], {});
  expect(built.stderr).toContain('1 data file copied');
  expect(built.code).toBe(0);
}, 120_000);

describe('npm run build', () => {
  it('gives JavaScript that answers with plain node: index built on the model thread, then a cited verbatim quote', async () => {
    const env = { KNOWLEDGE_DIR: path.join(REPO_ROOT, 'knowledge'), INDEX_DIR: path.join(root, 'index') };
    const r = await runCompiled('cli/cli.js', ['ask', '--json', 'Which industries are hiring ML engineers?'], env);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as { refused: boolean; answer: string; citations: Citation[] };
    expect(answer.refused).toBe(false);
    expect(answer.answer).toContain('Finance & Banking');
    expect(answer.citations.length).toBeGreaterThan(0);
    expect(answer.citations.every((c) => c.source === 'ml-engineer-demand.md')).toBe(true);
    // Every quoted piece is its cited passage's own words, and each passage is the article's.
    expect(findMisquotes(answer.answer, answer.citations)).toEqual([]);
    const article = await readFile(path.join(REPO_ROOT, 'knowledge', 'ml-engineer-demand.md'), 'utf8');
    for (const c of answer.citations) for (const line of c.text.split('\n')) expect(article).toContain(line);
    // Off-topic questions are refused by the compiled gate too (its probes are a data file the build copies).
    const offTopic = await runCompiled('cli/cli.js', ['ask', '--json', 'Give me a recipe for banana bread.'], env);
    expect(JSON.parse(offTopic.stdout)).toMatchObject({ refused: true, citations: [] });
  });

  it('never empties a folder that holds anything but an earlier build', async () => {
    const other = path.join(root, 'mine');
    await mkdir(other);
    await writeFile(path.join(other, 'notes.txt'), 'keep me');
    const r = await runEntry('scripts/build.ts', ['--out-dir', other], {});
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`${other} holds files that are not an earlier build; choose an empty folder with --out-dir.`);
    expect(existsSync(path.join(other, 'notes.txt'))).toBe(true);
  });

  it('replaces its own earlier build', async () => {
    const again = await runEntry('scripts/build.ts', ['--out-dir', dist], {});
    expect(again.code).toBe(0);
    expect(existsSync(path.join(dist, 'cli', 'cli.js'))).toBe(true);
  }, 120_000);
});
