/**
 * Integration: knowledge that grows keeps what it answered. The real USE-lite model answers the
 * article's paraphrased questions, then 100 generated documents of the same field join the
 * knowledge and the same questions are asked again: documents recombined from the Hugging Face
 * course's prose (../shared/corpora, read where it lies), as varied as real knowledge. Before the
 * gate judged each document against its own null, this growth turned answers into refusals.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { Answer } from '../../src/types.ts';
import { writeSampledKnowledge } from '../support/generated-knowledge.ts';
import { knowledgeDir, REPO_ROOT, tempDir } from '../support/temp.ts';

interface LabelledQuestion {
  question: string;
  expect: 'answer' | 'refuse';
  gold: string[];
}

/** Article questions: the dev set (../shared/eval) and the paraphrased set (tests/fixtures). */
async function questionsOf(file: string): Promise<LabelledQuestion[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LabelledQuestion);
}

let engine: Engine;
let dir: string;

beforeAll(async () => {
  const article = await readFile(path.join(REPO_ROOT, 'knowledge', 'ml-engineer-demand.md'), 'utf8');
  dir = await knowledgeDir({ 'ml-engineer-demand.md': article });
  const indexDir = path.join(await tempDir('mlbot-growth-'), 'index');
  engine = await Engine.open({ config: loadConfig({ KNOWLEDGE_DIR: dir, INDEX_DIR: indexDir }, REPO_ROOT) });
}, 120_000);

afterAll(() => engine?.close());

const SHARED_EVAL = path.join(REPO_ROOT, '..', 'shared', 'eval');
const firstPassage = (a: Answer) => (a.citations[0] ? `${a.citations[0].source}: ${a.citations[0].text}` : undefined);

describe('a knowledge base that grows by 100 documents of its own field', () => {
  it('answers what it answered and refuses what it refused; a question in the article’s words keeps its passage', async () => {
    const dev = await questionsOf(path.join(SHARED_EVAL, 'questions.dev.jsonl'));
    const paraphrased = await questionsOf(path.join(REPO_ROOT, 'tests', 'fixtures', 'questions.paraphrased.jsonl'));
    const questions = [...dev, ...paraphrased];
    const before = new Map<string, Answer>();
    for (const { question } of questions) before.set(question, await engine.ask(question));
    const answered = questions.filter((q) => q.expect === 'answer' && !before.get(q.question)!.refused);
    const refused = questions.filter((q) => q.expect === 'refuse').map((q) => q.question);
    // The article alone answers nearly all of them (see the eval), and refuses every off-topic one.
    expect(answered.length).toBeGreaterThanOrEqual(dev.filter((q) => q.expect === 'answer').length + 18);
    for (const q of refused) expect(before.get(q)!.refused, q).toBe(true);

    await writeSampledKnowledge(dir, 100, path.join(REPO_ROOT, '..', 'shared', 'corpora', 'hf-course', 'docs'));
    const report = await engine.reindex();
    expect(report.documents).toBe(101);

    // Every change for the worse, so that a failure names them all.
    const lost: string[] = [];
    const devQuestions = new Set(dev.map((q) => q.question));
    for (const { question } of answered) {
      const now = await engine.ask(question);
      if (now.refused) lost.push(`refused: ${question}`);
      else if (devQuestions.has(question) && firstPassage(now) !== firstPassage(before.get(question)!)) {
        lost.push(`cites another passage first: ${question} (${firstPassage(now)?.slice(0, 60)}…)`);
      }
    }
    for (const q of refused) if (!(await engine.ask(q)).refused) lost.push(`answered: ${q}`);
    expect(lost).toEqual([]);
  }, 300_000);
});
