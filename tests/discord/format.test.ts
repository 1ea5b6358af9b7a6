import { describe, expect, it } from 'vitest';
import { answerEmbed, fitEmbed, fitPassages, linesToFields, reindexProgressReply, reindexReply, skillsReply, truncate } from '../../src/discord/format.ts';
import { EMBED_DESCRIPTION_LIMIT, EMBED_FIELD_VALUE_LIMIT, EMBED_TOTAL_LIMIT } from '../../src/discord/limits.ts';
import type { Answer, Citation, ReindexReport } from '../../src/types.ts';

const stats = { knowledgeVersion: 'abcd1234', embedder: 'use-lite' };

function citation(n: number, extra: Partial<Citation> = {}): Citation {
  return { n, source: 'doc.md', title: 'Doc', section: `Section ${n}`, text: `Passage ${n}.`, score: 0.5, rank: n, ...extra };
}

function answer(text: string, citations: Citation[], extra: Partial<Answer> = {}): Answer {
  return { question: 'q?', refused: false, answer: text, citations, truncated: false, confidence: 0.5, timings: { totalMs: 1, embedMs: 1, searchMs: 0 }, ...extra };
}

function embedSize(e: ReturnType<typeof answerEmbed>): number {
  return (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
}

describe('truncate', () => {
  it('cuts at a word boundary and marks the cut', () => {
    expect(truncate('alpha beta gamma delta', 13)).toBe('alpha beta…');
    expect(truncate('short', 10)).toBe('short');
  });
});

describe('fitPassages', () => {
  it('keeps whole passages and says the answer was shortened', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `• Passage number ${i} with some words in it. [${i + 1}]`);
    const fitted = fitPassages(lines.join('\n'), 1000);
    expect(fitted.length).toBeLessThanOrEqual(1000);
    const kept = fitted.split('\n');
    expect(kept.at(-1)).toMatch(/answer shortened/);
    for (const line of kept.slice(0, -1)) expect(lines).toContain(line);
  });
});

describe('answerEmbed', () => {
  it('puts the answer in the description, numbered sources with links, and the knowledge version in the footer', () => {
    const e = answerEmbed(answer('One. [1]\nTwo. [2]', [citation(1, { url: 'https://example.org/a' }), citation(2)]), stats);
    expect(e.description).toBe('One. [1]\nTwo. [2]');
    expect(e.fields).toEqual([{ name: 'Sources', value: '**[1]** [Doc](https://example.org/a) — Section 1\n**[2]** Doc — Section 2' }]);
    expect(e.footer?.text).toContain('abcd1234');
  });

  it('stays within every Discord limit for a huge answer, keeping the sources', () => {
    const citations = Array.from({ length: 40 }, (_, i) => citation(i + 1, { section: 'S'.repeat(200) }));
    const text = Array.from({ length: 300 }, (_, i) => `Sentence ${i} of a very long answer. [${(i % 40) + 1}]`).join('\n');
    const e = answerEmbed(answer(text, citations, { question: 'Q'.repeat(600) }), stats);
    expect(e.title!.length).toBeLessThanOrEqual(256);
    expect(e.description!.length).toBeLessThanOrEqual(EMBED_DESCRIPTION_LIMIT);
    for (const f of e.fields!) expect(f.value.length).toBeLessThanOrEqual(EMBED_FIELD_VALUE_LIMIT);
    expect(e.fields![0]!.name).toBe('Sources');
    expect(embedSize(e)).toBeLessThanOrEqual(EMBED_TOTAL_LIMIT);
  });

  it('shows a refusal without sources', () => {
    const e = answerEmbed(answer("I don't know that from my sources.", [], { refused: true }), stats);
    expect(e.fields).toBeUndefined();
    expect(e.description).toMatch(/don't know/);
  });
});

describe('fields and embeds', () => {
  it('packs lines into fields within the value limit', () => {
    const fields = linesToFields('Sources', Array.from({ length: 50 }, () => 'x'.repeat(100)), 25);
    expect(fields.length).toBeGreaterThan(1);
    for (const f of fields) expect(f.value.length).toBeLessThanOrEqual(EMBED_FIELD_VALUE_LIMIT);
    expect(fields[1]!.name).toBe('Sources (cont.)');
  });

  it('drops trailing fields until the total fits', () => {
    const e = fitEmbed({ description: 'd', fields: Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, value: 'v'.repeat(1000) })) });
    expect(embedSize(e)).toBeLessThanOrEqual(EMBED_TOTAL_LIMIT);
    expect(e.fields!.length).toBe(5);
  });

  it('never allows mentions in a reply', () => {
    expect(skillsReply([], undefined).allowedMentions).toEqual({ parse: [] });
  });
});

describe('reindexReply', () => {
  const report = (added: string[]): ReindexReport => ({
    documents: added.length + 1, chunks: 900, embedded: 890, reused: 10, added, changed: [], removed: [], skipped: [], ms: 30_000,
  });

  it('names a few added documents and counts the rest, within Discord limits', () => {
    const names = Array.from({ length: 300 }, (_, i) => `a-rather-long-generated-document-name-${i}.md`);
    const description = reindexReply(report(names)).embeds![0]!.description!;
    expect(description.length).toBeLessThanOrEqual(EMBED_DESCRIPTION_LIMIT);
    expect(description).toContain('Added: a-rather-long-generated-document-name-0.md, ');
    expect(description).toContain('a-rather-long-generated-document-name-9.md and 290 more');
    expect(description).not.toContain('-name-10.md');
  });

  it('lists every name when there are few', () => {
    expect(reindexReply(report(['a.md', 'b.md'])).embeds![0]!.description).toContain('Added: a.md, b.md');
  });
});

describe('reindexProgressReply', () => {
  it('says how many passages are done out of all, then that the indexes are being built', () => {
    expect(reindexProgressReply({ phase: 'embedding', done: 120, total: 923 }).embeds![0]!).toMatchObject({
      title: 'Reindexing…',
      description: expect.stringMatching(/^\*\*120\*\* of \*\*923\*\* passages done/),
    });
    expect(reindexProgressReply({ phase: 'indexing', done: 923, total: 923 }).embeds![0]!.description).toMatch(/All \*\*923\*\* passages embedded; building/);
  });
});
