import { describe, expect, it } from 'vitest';
import { composeAnswer } from '../../src/answer/compose.ts';
import { findMisquotes } from '../../src/answer/quote-check.ts';
import { contentTerms, TermStats } from '../../src/search/term-stats.ts';
import { extractSkills, filterSkills, splitNamedItem } from '../../src/answer/skills.ts';
import { chunkDocument } from '../../src/ingest/chunk.ts';
import { parseDocument } from '../../src/ingest/load.ts';
import { SAMPLE_MD } from '../support/temp.ts';

const chunks = chunkDocument(parseDocument('handbook.md', SAMPLE_MD, 'h'));

const stats = TermStats.build(chunks.map((c) => c.text));
const terms = (q: string) => contentTerms(q);

describe('composeAnswer', () => {
  it('numbers citations 1..n in the order given, each quoted piece followed by its number', () => {
    const { answer, citations } = composeAnswer(
      [
        { chunk: chunks[2]!, score: 0.9, rank: 1 },
        { chunk: chunks[1]!, score: 0.8, rank: 2 },
      ],
      terms('Do banks use fraud detection?'),
      stats,
    );
    expect(citations.map((c) => c.n)).toEqual([1, 2]);
    expect(citations.map((c) => c.text)).toEqual([chunks[2]!.text, chunks[1]!.text]);
    expect(citations[1]).toMatchObject({ source: 'handbook.md', section: 'Tools', score: 0.8, rank: 2, url: 'https://example.org/handbook' });
    expect(answer.split('\n\n')).toHaveLength(2);
    expect(answer.startsWith(`${chunks[2]!.text} [1]`)).toBe(true);
    expect(findMisquotes(answer, citations)).toEqual([]);
  });

  it('quotes the most relevant sentences of a long passage, whole sentences only, verbatim', () => {
    const filler = 'Teams across the company review their plans every quarter with care.';
    const text = `${filler} ${filler} ${filler} Our Ph.D. researchers in the U.S. measured 18.83% fewer errors, e.g. in fraud detection. ${filler} ${filler} ${filler} ${filler} ${filler}`;
    const long = { ...chunks[0]!, text, spans: [{ start: 0, end: text.length, kind: 'paragraph' as const }] };
    const { answer, citations } = composeAnswer([{ chunk: long, score: 0.9, rank: 1 }], terms('fraud detection errors'), TermStats.build([text, 'other words']));
    expect(answer.startsWith('Our Ph.D. researchers in the U.S. measured 18.83% fewer errors, e.g. in fraud detection.')).toBe(true);
    expect(answer.length).toBeLessThan(text.length);
    expect(findMisquotes(answer, citations)).toEqual([]);
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
