/**
 * Integration: the real USE-lite model on the real knowledge. Behaviour only (answered, refused,
 * cited from the right section); quality figures belong to `npm run eval`.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { Engine } from '../../src/engine/engine.ts';
import { REPO_ROOT, tempDir } from '../support/temp.ts';

let engine: Engine;

beforeAll(async () => {
  const indexDir = path.join(await tempDir('mlbot-int-'), 'index');
  engine = await Engine.open({ config: loadConfig({ INDEX_DIR: indexDir }, REPO_ROOT) });
});

describe('answers from the seed knowledge', () => {
  it('answers the skills question with the skills list, every item cited', async () => {
    const a = await engine.ask('What skills do I need to become an ML engineer?');
    expect(a.refused).toBe(false);
    const sections = new Set(a.citations.map((c) => c.section));
    expect(sections).toContain('Essential Skills for Machine Learning Engineers');
    expect(a.answer).toContain('Programming Proficiency');
    for (const c of a.citations) expect(a.answer).toContain(`[${c.n}]`);
  });

  it('finds "Finance & Banking" for a question about banks', async () => {
    const a = await engine.ask('Are banks hiring people who know machine learning?');
    expect(a.citations.some((c) => c.text.includes('Finance & Banking'))).toBe(true);
  });

  it.each(['What is the capital of France?', 'Give me a recipe for banana bread.', 'asdf jkl qwer uiop'])('refuses %j', async (q) => {
    const a = await engine.ask(q);
    expect(a).toMatchObject({ refused: true, citations: [] });
    expect(a.answer).toMatch(/I can answer questions about/);
  });

  it('lists the skills from the knowledge, not from code', () => {
    const skills = engine.skills();
    expect(skills.map((s) => s.name)).toEqual([
      'Programming Proficiency',
      'Mathematics & Statistics',
      'Data Handling & Processing',
      'Machine Learning Algorithms',
      'Deep Learning & Neural Networks',
      'Big Data & Cloud Computing',
    ]);
    expect(skills[0]!.citation).toMatchObject({ source: 'ml-engineer-demand.md', section: 'Essential Skills for Machine Learning Engineers' });
    expect(engine.skills('cloud').map((s) => s.name)).toEqual(['Big Data & Cloud Computing']);
  });
});
