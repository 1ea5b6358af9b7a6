import { describe, expect, it } from 'vitest';
import { sentences } from '../../src/answer/sentences.ts';
import { chunkDocument, MAX_PASSAGE_CHARS } from '../../src/ingest/chunk.ts';
import { parseDocument } from '../../src/ingest/load.ts';
import type { Chunk } from '../../src/types.ts';
import { SAMPLE_MD } from '../support/temp.ts';

const wordsOf = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe('chunkDocument', () => {
  const doc = parseDocument('handbook.md', SAMPLE_MD, 'h');
  const chunks = chunkDocument(doc);

  it('merges the blocks of a section into one passage when it fits, with spans, title and heading', () => {
    expect(chunks.map((c) => [c.headingPath, c.text])).toEqual([
      [['Salaries'], 'Data engineers earn good salaries in most countries.'],
      [['Tools'], 'Engineers should know these tools:\nGit: version control for every project.\nDocker: containers that package an application.'],
      [['Banking'], 'Banks use fraud detection models every day.'],
    ]);
    expect(chunks[1]).toMatchObject({
      docId: 'handbook.md',
      docTitle: 'Careers Handbook',
      docUrl: 'https://example.org/handbook',
      spans: [
        { start: 0, end: 34, kind: 'paragraph' },
        { start: 35, end: 74, kind: 'list-item' },
        { start: 75, end: 122, kind: 'list-item' },
      ],
      indexText: `Careers Handbook › Tools\n${chunks[1]!.text}`,
      ordinal: 1,
    });
    for (const c of chunks) for (const s of c.spans) expect(c.text.slice(s.start, s.end)).not.toMatch(/^\s|\s$|\n/);
  });

  it('derives ids from document, heading and text: same text, same id; edited text, new id; neighbours unchanged', () => {
    expect(chunkDocument(doc).map((c) => c.id)).toEqual(chunks.map((c) => c.id));
    const edited = chunkDocument(parseDocument('handbook.md', SAMPLE_MD.replace('every day', 'every hour'), 'h2'));
    expect(edited[2]!.id).not.toBe(chunks[2]!.id);
    expect(edited.slice(0, 2).map((c) => c.id)).toEqual(chunks.slice(0, 2).map((c) => c.id));
    expect(new Set(chunks.map((c) => c.id)).size).toBe(chunks.length);
  });

  it('gives repeated passages distinct ids', () => {
    const md = '# D\n\n## S\n\nSame words here.\n\n## T\n\nOther words here.\n\n## S\n\nSame words here.\n';
    const twice = chunkDocument(parseDocument('d.md', md, 'h'));
    expect(twice.map((c) => c.text)).toEqual(['Same words here.', 'Other words here.', 'Same words here.']);
    expect(twice[0]!.id).not.toBe(twice[2]!.id);
  });

  it('cuts a long section into passages of about equal size at block boundaries, none over the maximum', () => {
    const paragraph = (i: number) => `Paragraph ${i} says ${'something useful '.repeat(12).trim()} here.`; // 28 words
    const md = `# D\n\n## Long\n\n${Array.from({ length: 10 }, (_, i) => paragraph(i)).join('\n\n')}\n`;
    const passages = chunkDocument(parseDocument('d.md', md, 'h'), { minWords: 20, maxWords: 100 });
    expect(passages.map((p) => p.spans.length)).toEqual([3, 2, 3, 2]);
    for (const p of passages) expect(wordsOf(p.text)).toBeLessThanOrEqual(100);
    expect(passages.map((p) => p.text).join('\n')).toBe(Array.from({ length: 10 }, (_, i) => paragraph(i)).join('\n'));
  });

  it('splits a block over the maximum only between sentences, each piece verbatim', () => {
    const sentence = 'A Ph.D. holder in the U.S. earns 18.83% more, e.g. at v2.1 of the survey. ';
    const text = sentence.repeat(12).trim(); // 12 sentences of 16 words
    const passages = chunkDocument(parseDocument('d.md', `## S\n\n${text}\n`, 'h'), { minWords: 20, maxWords: 50 });
    expect(passages.length).toBe(4);
    for (const p of passages) {
      expect(wordsOf(p.text)).toBeLessThanOrEqual(50);
      expect(text).toContain(p.text);
      expect(sentences(p.text).every((s) => s === sentence.trim())).toBe(true);
    }
  });

  it('keeps a code block whole even over the maximum, and never lets a passage pass the character guard', () => {
    const code = Array.from({ length: 40 }, (_, i) => `value_${i} = compute(${i}, cache=True)`).join('\n');
    const passages = chunkDocument(parseDocument('d.md', `## C\n\n\`\`\`\n${code}\n\`\`\`\n`, 'h'), { minWords: 5, maxWords: 20 });
    expect(passages.map((p) => p.text)).toEqual([code]);

    const huge = chunkDocument(parseDocument('d.md', `## H\n\n${'word '.repeat(5000)}\n`, 'h'));
    for (const p of huge) expect(p.text.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
    expect(huge.reduce((n, p: Chunk) => n + wordsOf(p.text), 0)).toBe(5000);
  });

  it('drops a fragment too short to stand as a passage', () => {
    const passages = chunkDocument(parseDocument('d.md', '## NLP\n\n- bigrams\n- tf-idf\n\n## More\n\nA real sentence here.\n', 'h'));
    expect(passages.map((p) => p.text)).toEqual(['A real sentence here.']);
  });
});
