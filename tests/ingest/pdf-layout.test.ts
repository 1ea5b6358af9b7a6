/**
 * The PDF layout rules on small PDFs made here (pdfkit): headings from size, bold and outline,
 * pieces joined by position, running headers, footers and page numbers dropped, hyphenation at
 * line ends, two columns, lists, and the page of every block.
 */
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/ingest/chunk.ts';
import { readDocument } from '../../src/ingest/load.ts';
import { extractPdf } from '../../src/ingest/pdf/extract.ts';
import { layoutPdf } from '../../src/ingest/pdf/layout.ts';
import { PDF_LIMITS } from '../../src/ingest/pdf/limits.ts';
import { PdfReader } from '../../src/ingest/pdf/pdf-reader.ts';
import type { Block } from '../../src/types.ts';
import { makePdf, paragraph, type PdfLine } from '../support/make-pdf.ts';

async function blocksOf(bytes: Uint8Array): Promise<{ title: string | undefined; blocks: Block[] }> {
  const { title, collector } = layoutPdf(await extractPdf(bytes, PDF_LIMITS));
  return { title, blocks: collector.blocks };
}

const running = (page: number, pages: number): PdfLine[] => [
  { text: 'ACME Careers Handbook 2025', x: 50, y: 20, size: 8 },
  { text: `Page ${page} of ${pages}`, x: 270, y: 815, size: 8 },
];

const LONG = 'Machine learning engineers build the systems that train, evaluate and serve models in production, and they work closely with data scientists and software engineers on every project they take on.';

describe('PDF layout', () => {
  it('recovers headings from size and bold, joins glyphs by position and drops running headers, footers and page numbers', async () => {
    const bytes = await makePdf({
      pages: [
        [
          ...running(1, 3),
          { text: 'Careers in Machine Learning', x: 50, y: 60, size: 24 },
          { text: 'Ranking Systems', x: 50, y: 110, size: 16 },
          ...paragraph(LONG, 50, 140, 480),
        ],
        [
          ...running(2, 3),
          { text: 'Interview Tips', x: 50, y: 60, size: 11, bold: true },
          { text: 'Machine Learning engineers prepare for system design interviews.', x: 50, y: 90, size: 11, glyphs: true },
        ],
        [...running(3, 3), { text: 'Salaries', x: 50, y: 60, size: 16 }, ...paragraph('Salaries for machine learning engineers vary by country and by company size.', 50, 90, 480)],
      ],
    });
    const { title, blocks } = await blocksOf(bytes);
    expect(title).toBe('Careers in Machine Learning');
    const text = blocks.map((b) => b.text).join('\n');
    expect(text).not.toMatch(/ACME Careers Handbook|Page \d of 3/);
    expect(blocks[0]).toMatchObject({ kind: 'paragraph', headingPath: ['Ranking Systems'], text: LONG, page: 1 });
    expect(blocks.find((b) => b.page === 2)).toMatchObject({
      headingPath: ['Ranking Systems', 'Interview Tips'],
      text: 'Machine Learning engineers prepare for system design interviews.',
    });
    expect(blocks.find((b) => b.page === 3)).toMatchObject({ headingPath: ['Salaries'] });
  });

  it('undoes a line-end hyphen of justified text, keeps compounds and the hyphens the document writes', async () => {
    const lines = [
      'Every good candidate for a machine learning role understands how a classifi-',
      'cation model is evaluated on held out data, and knows every state-of-the-',
      'art metric that teams report in their reviews, and also how to post-',
      'process the scores before a final classification decision is made.',
    ];
    const bytes = await makePdf({
      pages: [
        [
          { text: 'Evaluation', x: 50, y: 60, size: 16 },
          ...lines.map((text, i) => ({ text, x: 50, y: 90 + i * 15.4, ...(i < lines.length - 1 && { justify: 470 }) })),
          { text: 'Teams post-process their scores with calibration.', x: 50, y: 170 },
        ],
      ],
    });
    const { blocks } = await blocksOf(bytes);
    const joined = blocks.map((b) => b.text).join('\n');
    expect(joined).toContain('how a classification model');
    expect(joined).toContain('every state-of-the-art metric');
    expect(joined).toContain('how to post-process the scores');
  });

  it('reads two columns one after the other', async () => {
    const left = paragraph('The left column talks about data engineering pipelines, feature stores and the batch jobs that feed every model in the company, day after day and night after night, for every team that trains models, without a pause.', 50, 120, 230);
    const right = paragraph('The right column talks about model serving, latency budgets and the canary releases that protect users when a new model version goes live in production, watched by dashboards and alerts all day.', 320, 120, 230);
    const bytes = await makePdf({ pages: [[{ text: 'Two Columns', x: 50, y: 60, size: 20 }, ...left, ...right]] });
    const { blocks } = await blocksOf(bytes);
    const text = blocks.map((b) => b.text).join('\n');
    expect(text).toContain('The left column talks about data engineering pipelines, feature stores and the batch jobs that feed every model');
    expect(text.indexOf('without a pause')).toBeLessThan(text.indexOf('The right column'));
  });

  it('takes headings from the outline and makes indented lines list items with their parents as context', async () => {
    const bytes = await makePdf({
      title: 'Interview Handbook',
      outline: [{ title: 'Preparation', page: 1 }],
      pages: [
        [
          { text: 'Preparation', x: 50, y: 60 },
          { text: 'Before an interview, review these topics:', x: 50, y: 90 },
          { text: 'Statistics', x: 80, y: 110 },
          { text: 'Hypothesis tests and confidence intervals', x: 110, y: 125 },
          { text: 'Coding', x: 80, y: 140 },
        ],
      ],
    });
    const { title, blocks } = await blocksOf(bytes);
    expect(title).toBe('Interview Handbook');
    expect(blocks.map((b) => [b.kind, b.text, b.headingPath.join(' › ')])).toEqual([
      ['paragraph', 'Before an interview, review these topics:', 'Preparation'],
      ['list-item', 'Statistics', 'Preparation'],
      ['list-item', 'Hypothesis tests and confidence intervals', 'Preparation'],
      ['list-item', 'Coding', 'Preparation'],
    ]);
    expect(blocks[2]!.context).toBe('Before an interview, review these topics:\nStatistics');
  });

  it('reads a PDF on the worker thread into a document whose passages name their pages', async () => {
    const reader = new PdfReader({ idleMs: 0 });
    try {
      const bytes = await makePdf({ pages: [[{ text: 'Ranking', x: 50, y: 60, size: 18 }, ...paragraph(LONG, 50, 90, 480)], [...paragraph('Salaries for machine learning engineers vary by country, by company size and by the seniority of the role.', 50, 60, 480)]] });
      const read = await readDocument('guide.pdf', bytes, { pdfReader: reader });
      if ('reason' in read) throw new Error(read.reason);
      const chunks = chunkDocument(read.document);
      expect(chunks.length).toBeGreaterThan(0);
      expect(chunks[0]!.pages).toEqual({ first: 1, last: 2 });
      expect(chunks[0]!.text.startsWith(LONG)).toBe(true);
    } finally {
      await reader.dispose();
    }
  });
});
