import { describe, expect, it } from 'vitest';
import { chunkDocument, splitToBudget } from '../../src/ingest/chunk.ts';
import { parseDocument } from '../../src/ingest/load.ts';
import { SAMPLE_MD } from '../support/temp.ts';

describe('chunkDocument', () => {
  const doc = parseDocument('handbook.md', SAMPLE_MD, 'h');
  const chunks = chunkDocument(doc);

  it('makes one chunk per paragraph and per list item, carrying title and heading', () => {
    expect(chunks.map((c) => c.text)).toEqual([
      'Data engineers earn good salaries in most countries.',
      'Engineers should know these tools:',
      '- Git: version control for every project.',
      '- Docker: containers that package an application.',
      'Banks use fraud detection models every day.',
    ]);
    expect(chunks[3]).toMatchObject({ docId: 'handbook.md', docTitle: 'Careers Handbook', headingPath: ['Tools'] });
    expect(chunks[3]!.indexText).toBe('Tools\nDocker: containers that package an application.');
    expect(chunks.map((c) => c.ordinal)).toEqual([0, 1, 2, 3, 4]);
  });

  it('derives ids from content: same text, same id; edited text, new id; neighbours unchanged', () => {
    expect(chunkDocument(doc).map((c) => c.id)).toEqual(chunks.map((c) => c.id));
    const edited = chunkDocument(parseDocument('handbook.md', SAMPLE_MD.replace('every day', 'every hour'), 'h2'));
    expect(edited[4]!.id).not.toBe(chunks[4]!.id);
    expect(edited.slice(0, 4).map((c) => c.id)).toEqual(chunks.slice(0, 4).map((c) => c.id));
    expect(new Set(chunks.map((c) => c.id)).size).toBe(chunks.length);
  });

  it('gives repeated passages distinct ids', () => {
    const twice = chunkDocument(parseDocument('d.md', '# D\n\n## S\n\nSame words.\n\nSame words.\n', 'h'));
    expect(twice).toHaveLength(2);
    expect(twice[0]!.id).not.toBe(twice[1]!.id);
  });

  it('splits an over-long paragraph at sentence ends within the word budget', () => {
    const sentence = 'This sentence has exactly eight words in it. ';
    const pieces = splitToBudget(sentence.repeat(10).trim(), 20);
    expect(pieces.length).toBeGreaterThan(3);
    for (const p of pieces) expect(p.split(/\s+/).length).toBeLessThanOrEqual(20);
    expect(pieces.join(' ')).toBe(sentence.repeat(10).trim());
  });
});
