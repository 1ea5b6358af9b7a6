import { describe, expect, it } from 'vitest';
import { citeSentences, composeAnswer } from '../../src/answer/compose.ts';
import { extractSkills, filterSkills, splitNamedItem } from '../../src/answer/skills.ts';
import { chunkDocument } from '../../src/ingest/chunk.ts';
import { parseDocument } from '../../src/ingest/load.ts';
import { SAMPLE_MD } from '../support/temp.ts';

const chunks = chunkDocument(parseDocument('handbook.md', SAMPLE_MD, 'h'));

describe('composeAnswer', () => {
  it('numbers citations 1..n, sections by relevance, every sentence cited, list items as bullets', () => {
    expect(chunks.map((c) => c.headingPath[0])).toEqual(['Salaries', 'Tools', 'Banking']);
    const { answer, citations } = composeAnswer([
      { chunk: chunks[2]!, score: 0.9, rank: 1 },
      { chunk: chunks[1]!, score: 0.8, rank: 2 },
      { chunk: chunks[0]!, score: 0.75, rank: 3 },
    ]);
    expect(citations.map((c) => c.n)).toEqual([1, 2, 3]);
    expect(citations.map((c) => c.text)).toEqual([chunks[2]!.text, chunks[1]!.text, chunks[0]!.text]);
    expect(citations[1]).toMatchObject({ source: 'handbook.md', section: 'Tools', score: 0.8, rank: 2, url: 'https://example.org/handbook' });
    expect(answer).toBe(
      [
        'Banking:',
        'Banks use fraud detection models every day. [1]',
        '',
        'Tools:',
        'Engineers should know these tools: [2]',
        '• Git: version control for every project. [2]',
        '• Docker: containers that package an application. [2]',
        '',
        'Salaries:',
        'Data engineers earn good salaries in most countries. [3]',
      ].join('\n'),
    );
  });

  it('cites a repeated passage once', () => {
    const copy = { ...chunks[0]!, id: 'other', docId: 'copy.md' };
    const { citations } = composeAnswer([
      { chunk: chunks[0]!, score: 0.9, rank: 1 },
      { chunk: copy, score: 0.8, rank: 2 },
    ]);
    expect(citations).toHaveLength(1);
  });

  it('puts a marker after each sentence, never inside an abbreviation or a number', () => {
    expect(citeSentences('One thing. Another thing! A third?', 4)).toBe('One thing. [4] Another thing! [4] A third? [4]');
    expect(citeSentences('Do I need a Ph.D.? About 18.83% of hires, e.g. in the U.S., have one.', 1)).toBe(
      'Do I need a Ph.D.? [1] About 18.83% of hires, e.g. in the U.S., have one. [1]',
    );
  });
});

describe('skills', () => {
  it('reads named list items under a skills heading, with citations', () => {
    const doc = parseDocument(
      's.md',
      '# S\n\n## Key Skills\n\nYou need: these.\n\n- **Python**: the main language.\n- Statistics – to reason about data.\n- A plain item without a name.\n\n## Other\n\n- Hobby: not a skill at all.\n',
      'h',
    );
    const passages = chunkDocument(doc);
    const skills = extractSkills(passages);
    expect(skills.map((s) => [s.name, s.description])).toEqual([
      ['Python', 'the main language.'],
      ['Statistics', 'to reason about data.'],
    ]);
    expect(skills[1]!.citation).toMatchObject({ n: 2, source: 's.md', section: 'Key Skills', text: passages[0]!.text });
    expect(filterSkills(skills, 'data').map((s) => s.name)).toEqual(['Statistics']);
    expect(filterSkills(skills, 'data')[0]!.citation.n).toBe(1);
  });
});

describe('splitNamedItem', () => {
  it('splits at the first colon or spaced dash within a name\'s length, in one scan', () => {
    expect(splitNamedItem('Big Data & Cloud Computing: Experience with AWS: valuable.')).toEqual({
      name: 'Big Data & Cloud Computing',
      description: 'Experience with AWS: valuable.',
    });
    expect(splitNamedItem('Self-driving cars - robotics')).toEqual({ name: 'Self-driving cars', description: 'robotics' });
    expect(splitNamedItem(`${'x'.repeat(100)}: too long a name`)).toBeUndefined();
    expect(splitNamedItem(`${'a '.repeat(300_000)}: far away`)).toBeUndefined();
    expect(splitNamedItem('No separator at all')).toBeUndefined();
  });
});
