import { describe, expect, it } from 'vitest';
import { citeSentences, composeAnswer } from '../../src/answer/compose.ts';
import { extractSkills, filterSkills } from '../../src/answer/skills.ts';
import { chunkDocument } from '../../src/ingest/chunk.ts';
import { parseDocument } from '../../src/ingest/load.ts';
import { SAMPLE_MD } from '../support/temp.ts';

const chunks = chunkDocument(parseDocument('handbook.md', SAMPLE_MD, 'h'));

describe('composeAnswer', () => {
  it('numbers citations 1..n, sections by relevance, passages of a section in reading order, every sentence cited', () => {
    const { answer, citations } = composeAnswer([
      { chunk: chunks[4]!, score: 0.9, rank: 1 },
      { chunk: chunks[3]!, score: 0.8, rank: 2 },
      { chunk: chunks[0]!, score: 0.75, rank: 3 },
      { chunk: chunks[2]!, score: 0.7, rank: 4 },
    ]);
    expect(citations.map((c) => c.n)).toEqual([1, 2, 3, 4]);
    expect(citations.map((c) => c.text)).toEqual([chunks[4]!.text, chunks[2]!.text, chunks[3]!.text, chunks[0]!.text]);
    expect(citations[2]).toMatchObject({ source: 'handbook.md', section: 'Tools', score: 0.8, rank: 2, url: 'https://example.org/handbook' });
    for (const line of answer.split('\n').filter((l) => l && !l.endsWith(':'))) expect(line).toMatch(/\[\d\]$/);
    expect(answer.split('\n')[0]).toBe('Banking:');
    expect(answer).toContain('• Git: version control for every project. [2]\n• Docker: containers that package an application. [3]');
  });

  it('cites a repeated passage once', () => {
    const copy = { ...chunks[0]!, id: 'other', docId: 'copy.md' };
    const { citations } = composeAnswer([
      { chunk: chunks[0]!, score: 0.9, rank: 1 },
      { chunk: copy, score: 0.8, rank: 2 },
    ]);
    expect(citations).toHaveLength(1);
  });

  it('puts a marker after each sentence of a paragraph', () => {
    expect(citeSentences('One thing. Another thing! A third?', 4)).toBe('One thing. [4] Another thing! [4] A third? [4]');
  });
});

describe('skills', () => {
  it('reads named list items under a skills heading, with citations', () => {
    const doc = parseDocument('s.md', '# S\n\n## Key Skills\n\nYou need:\n\n- Python: the main language.\n- Statistics – to reason about data.\n\n## Other\n\n- Hobby: not a skill.\n', 'h');
    const skills = extractSkills(chunkDocument(doc));
    expect(skills.map((s) => [s.name, s.description])).toEqual([
      ['Python', 'the main language.'],
      ['Statistics', 'to reason about data.'],
    ]);
    expect(skills[1]!.citation).toMatchObject({ n: 2, source: 's.md', section: 'Key Skills' });
    expect(filterSkills(skills, 'data').map((s) => s.name)).toEqual(['Statistics']);
    expect(filterSkills(skills, 'data')[0]!.citation.n).toBe(1);
  });
});
