import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import { MAX_DOCUMENT_BYTES } from '../../src/ingest/sources.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { knowledgeDir, REPO_ROOT, tempDir } from '../support/temp.ts';

/** Nested list items, one indentation step deeper per line, as many as fit under the size limit. */
function indentedList(): string {
  const lines: string[] = [];
  let size = 0;
  for (let depth = 0; ; depth++) {
    const line = `${' '.repeat(depth * 2)}- item\n`;
    if (size + line.length >= MAX_DOCUMENT_BYTES) return lines.join('');
    lines.push(line);
    size += line.length;
  }
}

const NO_PASSAGE = /^no passage to index/;

/** Each file, and what must become of it: indexed, or skipped with a reason matching the pattern. */
const HOSTILE: Record<string, { content: string; outcome: 'indexed' | RegExp }> = {
  'heading-spaces.md': { content: `#${' '.repeat(300_000)}Spaced heading\n\nText under the spaced heading.\n`, outcome: 'indexed' },
  'open-links.md': { content: '[a]('.repeat(150_000), outcome: NO_PASSAGE },
  'long-word.md': { content: 'x'.repeat(600_000), outcome: NO_PASSAGE },
  'a-dots.md': { content: 'a.'.repeat(300_000), outcome: NO_PASSAGE },
  'tiny-paragraphs.md': { content: 'a\n\n'.repeat(20_000), outcome: 'indexed' },
  'nested-list-line.md': { content: `${'- '.repeat(20_000)}deep\n`, outcome: /^Markdown nested deeper than 50 levels/ },
  'nested-list-indented.md': { content: indentedList(), outcome: /^Markdown nested deeper than 50 levels/ },
  'nested-divs.md': { content: '<div>'.repeat(60_000), outcome: /^HTML nested deeper than 50 elements$/ },
  // MDX: a component tag, a comment and a string that never close are text, each scanned once.
  'open-jsx.mdx': { content: '<A {'.repeat(100_000), outcome: 'indexed' },
  'open-comments.mdx': { content: 'x {/* '.repeat(100_000), outcome: 'indexed' },
  'open-strings.mdx': { content: '<A x="'.repeat(100_000), outcome: 'indexed' },
  'only-tags.mdx': { content: '<A>'.repeat(300_000), outcome: /^no text besides headings/ },
};

describe('hostile knowledge files', () => {
  it('are each indexed or skipped with a reason, and the article still answers the skills question', async () => {
    for (const { content } of Object.values(HOSTILE)) expect(Buffer.byteLength(content)).toBeLessThan(MAX_DOCUMENT_BYTES);
    const article = await readFile(path.join(REPO_ROOT, 'knowledge', 'ml-engineer-demand.md'), 'utf8');
    const dir = await knowledgeDir({
      'ml-engineer-demand.md': article,
      ...Object.fromEntries(Object.entries(HOSTILE).map(([name, f]) => [name, f.content])),
    });
    const config = { knowledgeDir: dir, indexDir: path.join(await tempDir('mlbot-index-'), 'index'), embedder: 'use-lite' as const };
    const engine = await Engine.open({ config, embedder: new FakeEmbedder() });
    const report = await engine.reindex();

    const indexed = engine.stats().documentsList.map((d) => d.id);
    const skipped = Object.fromEntries(report.skipped.map((s) => [s.file, s.reason]));
    expect(indexed).toContain('ml-engineer-demand.md');
    for (const [name, { outcome }] of Object.entries(HOSTILE)) {
      if (outcome === 'indexed') expect(indexed, name).toContain(name);
      else expect(skipped[name], name).toMatch(outcome);
    }
    expect(indexed.length + report.skipped.length).toBe(Object.keys(HOSTILE).length + 1);

    const heading = engine.stats().documentsList.find((d) => d.id === 'heading-spaces.md');
    expect(heading?.sections).toEqual(['Spaced heading']);
    expect(engine.skills().map((s) => s.name)).toEqual([
      'Programming Proficiency',
      'Mathematics & Statistics',
      'Data Handling & Processing',
      'Machine Learning Algorithms',
      'Deep Learning & Neural Networks',
      'Big Data & Cloud Computing',
    ]);
    await engine.close();
  }, 120_000);
});
