import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/ingest/chunk.ts';
import { parseDocument } from '../../src/ingest/load.ts';
import { SHARED_DIR } from '../support/temp.ts';

describe('plain text', () => {
  it('goes through the same passage rules: paragraphs by blank lines, list items with their lead-in, heading-like lines', () => {
    const txt = [
      'Careers Handbook',
      '',
      'Salaries',
      'Data engineers earn good salaries',
      'in most countries. A Ph.D. is optional.',
      '',
      'Tools',
      'Engineers should know these tools:',
      '- Git: version control for every project.',
      '- Docker: containers that package',
      '  an application.',
    ].join('\n');
    const doc = parseDocument('handbook.txt', txt, 'h');
    expect(doc.title).toBe('Careers Handbook');
    expect(doc.blocks).toEqual([
      { kind: 'paragraph', headingPath: ['Salaries'], text: 'Data engineers earn good salaries in most countries. A Ph.D. is optional.' },
      { kind: 'paragraph', headingPath: ['Tools'], text: 'Engineers should know these tools:' },
      { kind: 'list-item', headingPath: ['Tools'], text: 'Git: version control for every project.', context: 'Engineers should know these tools:' },
      { kind: 'list-item', headingPath: ['Tools'], text: 'Docker: containers that package an application.', context: 'Engineers should know these tools:' },
    ]);
    expect(chunkDocument(doc).map((c) => [c.text, c.spans.map((s) => s.kind)])).toEqual([
      ['Data engineers earn good salaries in most countries. A Ph.D. is optional.', ['paragraph']],
      [
        'Engineers should know these tools:\nGit: version control for every project.\nDocker: containers that package an application.',
        ['paragraph', 'list-item', 'list-item'],
      ],
    ]);
  });

  it('does not take a wrapped line inside a paragraph for a heading', () => {
    const doc = parseDocument('w.txt', 'Notes\n\nThe market grew fast this year, and\nMachine Learning Engineers\nwere hired everywhere.\n', 'h');
    expect(doc.blocks).toEqual([
      { kind: 'paragraph', headingPath: [], text: 'The market grew fast this year, and Machine Learning Engineers were hired everywhere.' },
    ]);
  });

  it('reads the plain-text seed article into the same passages as its Markdown version, list by list', () => {
    const txt = parseDocument('a.txt', readFileSync(path.join(SHARED_DIR, 'seed', 'ml-engineer-demand.txt'), 'utf8'), 'h');
    const md = parseDocument('a.md', readFileSync(path.join(import.meta.dirname, '..', '..', 'knowledge', 'ml-engineer-demand.md'), 'utf8'), 'h');
    const items = (blocks: typeof txt.blocks) => blocks.filter((b) => b.kind === 'list-item').map((b) => [b.headingPath, b.text, b.context]);
    expect(items(txt.blocks)).toEqual(items(md.blocks));
    expect(items(txt.blocks)).toHaveLength(21);
  });
});
