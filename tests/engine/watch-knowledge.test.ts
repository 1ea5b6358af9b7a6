import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { watchKnowledge, type KnowledgeWatcher } from '../../src/engine/watch-knowledge.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { knowledgeDir } from '../support/temp.ts';

const DEBOUNCE_MS = 50;
/** Long enough for a debounced call that should not happen to have happened. */
const QUIET_MS = DEBOUNCE_MS * 5;

const watchers: KnowledgeWatcher[] = [];
afterEach(() => {
  for (const w of watchers.splice(0)) w.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

async function watched(debounceMs = DEBOUNCE_MS) {
  const dir = await knowledgeDir({ 'existing.md': '# Existing\n\ntext' });
  const state = { calls: 0 };
  const watcher = watchKnowledge(dir, async () => void state.calls++, { debounceMs });
  watchers.push(watcher);
  return { dir, state, watcher };
}

describe('watchKnowledge', () => {
  it('calls once, debounced, when a .md file is written', async () => {
    const { dir, state } = await watched();
    await writeFile(path.join(dir, 'new.md'), '# New\n\ntext');
    await waitFor(() => state.calls === 1);
    await sleep(QUIET_MS);
    expect(state.calls).toBe(1);
  });

  it('calls once for a burst of writes, edits and renames', async () => {
    // A longer quiet time here, so a slow machine cannot split the burst.
    const { dir, state } = await watched(200);
    for (let i = 0; i < 10; i++) await writeFile(path.join(dir, `doc-${i}.md`), `# Doc ${i}\n\ntext`);
    await writeFile(path.join(dir, 'existing.md'), '# Existing\n\nchanged');
    await rename(path.join(dir, 'doc-0.md'), path.join(dir, 'doc-zero.txt'));
    await waitFor(() => state.calls === 1);
    await sleep(600);
    expect(state.calls).toBe(1);
  });

  it('ignores dot-files, hidden folders and non-knowledge extensions', async () => {
    const { dir, state } = await watched();
    await writeFile(path.join(dir, '.existing.md.1a2b.tmp'), 'temp');
    await writeFile(path.join(dir, '.hidden.md'), 'hidden');
    await writeFile(path.join(dir, 'report.docx'), 'PK');
    await writeFile(path.join(dir, 'existing.md.swp'), 'swap');
    await mkdir(path.join(dir, '.git'));
    await writeFile(path.join(dir, '.git', 'notes.md'), 'not knowledge');
    await sleep(QUIET_MS);
    expect(state.calls).toBe(0);
  });

  it('sees documents in sub-folders', async () => {
    const { dir, state } = await watched();
    await mkdir(path.join(dir, 'roles'));
    await writeFile(path.join(dir, 'roles', 'mlops.md'), '# MLOps\n\ntext');
    await waitFor(() => state.calls === 1);
  });

  it('runs once more after a call when files change during it, never twice at once', async () => {
    const dir = await knowledgeDir({});
    let calls = 0;
    let running = 0;
    let maxRunning = 0;
    let release: () => void = () => undefined;
    const watcher = watchKnowledge(
      dir,
      async () => {
        calls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
        running--;
      },
      { debounceMs: DEBOUNCE_MS },
    );
    watchers.push(watcher);
    await writeFile(path.join(dir, 'a.md'), 'a');
    await waitFor(() => calls === 1);
    // Two debounced bursts while the first call is still running: one more call, after it.
    await writeFile(path.join(dir, 'b.md'), 'b');
    await sleep(QUIET_MS);
    await writeFile(path.join(dir, 'c.md'), 'c');
    await sleep(QUIET_MS);
    expect(calls).toBe(1);
    release();
    await waitFor(() => calls === 2);
    await sleep(QUIET_MS);
    expect(calls).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('keeps watching after a failing call, and stops on close', async () => {
    const dir = await knowledgeDir({});
    let calls = 0;
    const watcher = watchKnowledge(dir, async () => {
      calls++;
      throw new Error('reindex failed');
    }, { debounceMs: DEBOUNCE_MS });
    await writeFile(path.join(dir, 'a.md'), 'a');
    await waitFor(() => calls === 1);
    await writeFile(path.join(dir, 'b.md'), 'b');
    await waitFor(() => calls === 2);
    await writeFile(path.join(dir, 'c.md'), 'c');
    watcher.close();
    await sleep(QUIET_MS);
    expect(calls).toBe(2);
  });

  it('watches again when the folder is deleted and created anew, counting its contents as a change', async () => {
    const dir = await knowledgeDir({ 'existing.md': '# Existing\n\ntext' });
    const state = { calls: 0 };
    const { logger, lines } = captureLogger();
    watchers.push(watchKnowledge(dir, async () => void state.calls++, { debounceMs: DEBOUNCE_MS, checkMs: 20, logger }));

    await rm(dir, { recursive: true });
    await waitFor(() => lines().some((l) => String(l.msg).includes('folder is gone')));
    // The deletion itself may have been seen as a change: let that call happen first.
    await sleep(QUIET_MS);
    const callsWhileGone = state.calls;

    await mkdir(dir);
    await writeFile(path.join(dir, 'restored.md'), '# Restored\n\ntext');
    await waitFor(() => lines().some((l) => String(l.msg).includes('folder is back')));
    await waitFor(() => state.calls > callsWhileGone);

    // The new folder is really watched: a later write is seen too.
    await sleep(QUIET_MS);
    const settled = state.calls;
    await writeFile(path.join(dir, 'later.md'), '# Later\n\ntext');
    await waitFor(() => state.calls === settled + 1);
  });

  it('refuses a missing folder with KNOWLEDGE_DIR_MISSING', async () => {
    const dir = await knowledgeDir({});
    expect(() => watchKnowledge(path.join(dir, 'nope'), async () => undefined)).toThrow(expect.objectContaining({ code: 'KNOWLEDGE_DIR_MISSING' }));
  });
});

describe('KNOWLEDGE_WATCH', () => {
  it.each([
    ['1', true],
    ['true', true],
    ['TRUE', true],
    ['0', false],
    ['false', false],
    ['', false],
  ])('%j → %s', (value, expected) => {
    expect(loadConfig({ KNOWLEDGE_WATCH: value }).knowledgeWatch).toBe(expected);
  });

  it('rejects anything else with CONFIG_INVALID', () => {
    expect(() => loadConfig({ KNOWLEDGE_WATCH: 'yes' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('KNOWLEDGE_WATCH') }));
  });
});
