/**
 * Integration, real model and real documents: every answer to every question of the three
 * question sets quotes its sources verbatim, whole words and numbers only, on the article alone
 * and on the article plus the ML interviews guide (read from ../shared, copied to a temp folder).
 * Quality figures (hit@k, refusals) belong to `npm run eval`; this asserts the property.
 */
import { cp, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findMisquotes } from '../../src/answer/quote-check.ts';
import { loadConfig } from '../../src/config.ts';
import { Engine } from '../../src/engine/engine.ts';
import { REPO_ROOT, SHARED_DIR, tempDir } from '../support/temp.ts';

const GUIDE = path.join(SHARED_DIR, 'corpora', 'ml-interviews-guide', 'docs');
const QUESTION_FILES = [
  path.join(SHARED_DIR, 'eval', 'questions.dev.jsonl'),
  path.join(SHARED_DIR, 'eval', 'questions.guide.jsonl'),
  path.join(REPO_ROOT, 'tests', 'fixtures', 'questions.paraphrased.jsonl'),
];

let questions: string[] = [];

async function openOn(folders: string[]): Promise<Engine> {
  const knowledgeDir = await tempDir('mlbot-verbatim-knowledge-');
  for (const folder of folders) {
    for (const name of await readdir(folder)) await cp(path.join(folder, name), path.join(knowledgeDir, path.basename(folder), name));
  }
  const indexDir = path.join(await tempDir('mlbot-verbatim-index-'), 'index');
  return Engine.open({ config: loadConfig({ KNOWLEDGE_DIR: knowledgeDir, INDEX_DIR: indexDir }, REPO_ROOT) });
}

beforeAll(async () => {
  for (const file of QUESTION_FILES) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (line.trim() !== '') questions.push((JSON.parse(line) as { question: string }).question);
    }
  }
  expect(questions.length).toBeGreaterThan(100);
});

describe.each([
  ['the article alone', [path.join(REPO_ROOT, 'knowledge')]],
  ['the article and the guide', [path.join(REPO_ROOT, 'knowledge'), GUIDE]],
])('every answer on %s', (_name, folders) => {
  it('quotes its cited passages verbatim, never cutting a word or a number', { timeout: 600_000 }, async () => {
    const engine = await openOn(folders);
    try {
      let answered = 0;
      for (const question of questions) {
        const answer = await engine.ask(question);
        if (answer.refused) continue;
        answered++;
        expect(answer.citations.length).toBeGreaterThan(0);
        expect(findMisquotes(answer.answer, answer.citations), question).toEqual([]);
        // Every citation number appears in the answer, and only those.
        for (const c of answer.citations) expect(answer.answer).toContain(`[${c.n}]`);
      }
      expect(answered).toBeGreaterThan(questions.length / 3);
    } finally {
      await engine.close();
    }
  });
});
