import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BotError } from '../../src/errors.ts';
import { loadKnowledge, parseDocument } from '../../src/ingest/load.ts';
import { MAX_DOCUMENT_BYTES } from '../../src/ingest/sources.ts';
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
      'notes.docx': 'ignored: not a knowledge extension',
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

  it('skips a document with no text besides markup, and one past a parsing limit, with the reason', async () => {
    const dir = await knowledgeDir({
      'good.md': SAMPLE_MD,
      'only-images.md': '# Pictures\n\n![a chart](chart.png)\n\n---\n\n<img src="x.png">\n',
      'deep.md': '- '.repeat(2_000) + 'deep\n',
    });
    const { documents, skipped } = await loadKnowledge(dir);
    expect(documents.map((d) => d.id)).toEqual(['good.md']);
    expect(skipped).toEqual([
      { file: 'deep.md', reason: 'Markdown nested deeper than 50 levels (lists or quotes inside each other)' },
      { file: 'only-images.md', reason: 'no text besides headings, images, links or markup' },
    ]);
  });

  it('fails with KNOWLEDGE_DIR_MISSING when the folder does not exist', async () => {
    const dir = await tempDir();
    await expect(loadKnowledge(path.join(dir, 'nope'))).rejects.toMatchObject({ code: 'KNOWLEDGE_DIR_MISSING' });
    await writeFile(path.join(dir, 'file'), 'x');
    await expect(loadKnowledge(path.join(dir, 'file'))).rejects.toBeInstanceOf(BotError);
  });
});

describe('parseDocument', () => {
  it('reads front matter (title, url), nested heading paths and blocks from Markdown', () => {
    const doc = parseDocument('handbook.md', SAMPLE_MD, 'h');
    expect(doc).toMatchObject({ id: 'handbook.md', title: 'Careers Handbook', url: 'https://example.org/handbook', hash: 'h' });
    expect(doc.blocks.map((b) => [b.kind, b.headingPath, b.text])).toEqual([
      ['paragraph', ['Salaries'], 'Data engineers earn good salaries in most countries.'],
      ['paragraph', ['Tools'], 'Engineers should know these tools:'],
      ['list-item', ['Tools'], 'Git: version control for every project.'],
      ['list-item', ['Tools'], 'Docker: containers that package an application.'],
      ['paragraph', ['Banking'], 'Banks use fraud detection models every day.'],
    ]);
    const nested = parseDocument('n.md', '# T\n\n## A\n\n### B\n\nUnder B.\n\n## C\n\nUnder C.\n\n# Second top\n\nUnder it.\n', 'h');
    expect(nested.blocks.map((b) => b.headingPath)).toEqual([['A', 'B'], ['C'], ['Second top']]);
  });

  it('ignores headings inside code fences', () => {
    const doc = parseDocument('c.md', '# T\n\n## Real\n\n```\n# not a heading\n```\n', 'h');
    expect(doc.blocks).toEqual([{ kind: 'code', headingPath: ['Real'], text: '# not a heading' }]);
  });

  it('names a document by its front matter, else its first H1, else its file name made readable', () => {
    expect(parseDocument('a.md', '---\ntitle: "From: front matter"\n---\n\n# Heading One\n\nText here.\n', 'h').title).toBe('From: front matter');
    expect(parseDocument('a.md', 'Intro text first.\n\n# Heading One\n\nText here.\n', 'h').title).toBe('Heading One');
    expect(parseDocument('dir/interview-prep_notes.md', '## Only sections\n\nText here.\n', 'h').title).toBe('Interview prep notes');
  });

  it('keeps a first H1 that differs from the front matter title as a heading', () => {
    const doc = parseDocument('a.md', '---\ntitle: Handbook\n---\n# Coding rounds\n\nPractise daily.\n', 'h');
    expect(doc.title).toBe('Handbook');
    expect(doc.blocks[0]!.headingPath).toEqual(['Coding rounds']);
  });

  it('ignores front matter fields of the wrong shape and still indexes the document', () => {
    const doc = parseDocument('a.md', '---\ntitle: [not, text]\nurl: javascript:alert(1)\n---\n# Real Title\n\nBody text here.\n', 'h');
    expect(doc).toMatchObject({ title: 'Real Title', blocks: [{ text: 'Body text here.' }] });
    expect(doc.url).toBeUndefined();
  });

  it('reads a block that is not a YAML mapping, or an unclosed one, as Markdown', () => {
    const notYaml = parseDocument('a.md', '---\nJust a sentence: with: colons: [\n---\n\nBody text here.\n', 'h');
    // As Markdown, the line above the closing `---` is a setext heading.
    expect(notYaml.blocks).toEqual([{ kind: 'paragraph', headingPath: ['Just a sentence: with: colons: ['], text: 'Body text here.' }]);
    const unclosed = parseDocument('b.md', '---\n\nA rule, then text that must not vanish.\n', 'h');
    expect(unclosed.blocks.map((b) => b.text)).toEqual(['A rule, then text that must not vanish.']);
  });

  it('recognises the title and headings of the plain-text seed article', () => {
    const raw = readFileSync(path.join(SHARED_DIR, 'seed', 'ml-engineer-demand.txt'), 'utf8');
    const doc = parseDocument('ml-engineer-demand.txt', raw, 'h');
    expect(doc.title).toBe('The Growing Demand for Machine Learning Engineers');
    expect([...new Set(doc.blocks.map((b) => b.headingPath[0]))]).toEqual([
      'Introduction',
      'Why Machine Learning Engineers Are in Demand',
      'Industries That Need Machine Learning Engineers',
      'Essential Skills for Machine Learning Engineers',
      'How to Become a Machine Learning Engineer',
      'Conclusion',
    ]);
  });
});
