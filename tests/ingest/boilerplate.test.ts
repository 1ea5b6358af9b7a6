import { describe, expect, it } from 'vitest';
import { withoutBoilerplate } from '../../src/ingest/boilerplate.ts';
import { chunkDocument } from '../../src/ingest/chunk.ts';
import { parseDocument } from '../../src/ingest/load.ts';

const footer = (year: number) => `© ${year} Example Corp. All rights reserved. Do not redistribute.`;
const doc = (id: string, body: string, year = 2024) => parseDocument(id, `# ${id}\n\n## Body\n\n${body}\n\n## Legal\n\n${footer(year)}\n\n- Python\n`, 'h');

describe('withoutBoilerplate', () => {
  const docs = [
    doc('a.md', 'Banks use fraud detection models every day.'),
    doc('b.md', 'Hospitals use imaging models for diagnosis.'),
    doc('c.md', 'Shops use recommendation models to sell more.', 2023),
    doc('d.md', 'Factories use vision models for quality control.'),
  ];

  it('drops a block repeated in at least 3 documents and in more than a quarter of them; short repeated items stay', () => {
    const cleaned = withoutBoilerplate(docs);
    expect(cleaned.map((d) => d.blocks.map((b) => b.text))).toEqual([
      ['Banks use fraud detection models every day.', 'Python'],
      ['Hospitals use imaging models for diagnosis.', 'Python'],
      // The year differs here: not the same notice.
      ['Shops use recommendation models to sell more.', footer(2023), 'Python'],
      ['Factories use vision models for quality control.', 'Python'],
    ]);
    expect(chunkDocument(cleaned[0]!).map((c) => c.text)).toEqual(['Banks use fraud detection models every day.']);
  });

  it('keeps text that only two documents share, or that a large knowledge base repeats rarely', () => {
    expect(withoutBoilerplate(docs.slice(0, 2))).toEqual(docs.slice(0, 2));
    const others = Array.from({ length: 20 }, (_, i) => parseDocument(`o${i}.md`, `# O\n\nOther text number ${i} about models.\n`, 'h'));
    const large = withoutBoilerplate([...docs, ...others]);
    expect(large[0]!.blocks.map((b) => b.text)).toContain(footer(2024));
  });
});
