import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BotError } from '../../src/errors.ts';
import { loadKnowledge, MAX_DOCUMENT_BYTES, parseDocument } from '../../src/ingest/load.ts';
import { knowledgeDir, SAMPLE_MD, SHARED_DIR, tempDir } from '../support/temp.ts';
import { readFileSync } from 'node:fs';

describe('loadKnowledge', () => {
  it('skips empty, binary, non-UTF-8 and oversized files with a reason, and keeps the good ones', async () => {
    const dir = await knowledgeDir({
      'good.md': SAMPLE_MD,
      'empty.md': '   \n\n',
      'binary.txt': new Uint8Array([0x68, 0x69, 0x00, 0x01, 0x02]),
      'latin1.txt': new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x6f, 0x69, 0x72]),
      'huge.md': 'a'.repeat(MAX_DOCUMENT_BYTES + 1),
      'notes.pdf': 'ignored: not a knowledge extension',
      'nested/more.txt': 'Nested Title\nSome nested text about engineers.',
    });
    const { documents, skipped } = await loadKnowledge(dir);
    expect(documents.map((d) => d.id).sort()).toEqual(['good.md', 'nested/more.txt']);
    const reasons = Object.fromEntries(skipped.map((s) => [s.file, s.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['binary.txt', 'empty.md', 'huge.md', 'latin1.txt']);
    expect(reasons['empty.md']).toBe('empty');
    expect(reasons['binary.txt']).toMatch(/binary/);
    expect(reasons['latin1.txt']).toMatch(/UTF-8/);
    expect(reasons['huge.md']).toMatch(/too large/);
  });

  it('fails with KNOWLEDGE_DIR_MISSING when the folder does not exist', async () => {
    const dir = await tempDir();
    await expect(loadKnowledge(path.join(dir, 'nope'))).rejects.toMatchObject({ code: 'KNOWLEDGE_DIR_MISSING' });
    await writeFile(path.join(dir, 'file'), 'x');
    await expect(loadKnowledge(path.join(dir, 'file'))).rejects.toBeInstanceOf(BotError);
  });
});

describe('parseDocument', () => {
  it('reads front matter, the H1 title and nested heading paths from Markdown', () => {
    const doc = parseDocument('handbook.md', SAMPLE_MD, 'h');
    expect(doc.title).toBe('Careers Handbook');
    expect(doc.url).toBe('https://example.org/handbook');
    expect(doc.sections.map((s) => s.headingPath)).toEqual([['Salaries'], ['Tools'], ['Banking']]);
    expect(doc.sections[1]!.text).toContain('- Docker: containers');
  });

  it('ignores headings inside code fences', () => {
    const doc = parseDocument('c.md', '# T\n\n## Real\n\n```\n# not a heading\n```\n', 'h');
    expect(doc.sections.map((s) => s.headingPath)).toEqual([['Real']]);
  });

  it('recognises the headings of the plain-text seed article', () => {
    const raw = readFileSync(path.join(SHARED_DIR, 'seed', 'ml-engineer-demand.txt'), 'utf8');
    const doc = parseDocument('ml-engineer-demand.txt', raw, 'h');
    expect(doc.title).toBe('The Growing Demand for Machine Learning Engineers');
    expect(doc.sections.map((s) => s.headingPath[0])).toEqual([
      'Introduction',
      'Why Machine Learning Engineers Are in Demand',
      'Industries That Need Machine Learning Engineers',
      'Essential Skills for Machine Learning Engineers',
      'How to Become a Machine Learning Engineer',
      'Conclusion',
    ]);
  });
});
