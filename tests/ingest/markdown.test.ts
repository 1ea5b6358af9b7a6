import { describe, expect, it } from 'vitest';
import { chunkDocument, type PassageSize } from '../../src/ingest/chunk.ts';
import { parseDocument } from '../../src/ingest/load.ts';
import type { Chunk } from '../../src/types.ts';

const passages = (markdown: string, size?: PassageSize): Chunk[] => chunkDocument(parseDocument('doc.md', markdown, 'h'), size);
const blocks = (markdown: string, id = 'doc.md') => parseDocument(id, markdown, 'h').blocks;

describe('Markdown constructs → passages', () => {
  it('reads an HTML table as one row per <tr>, its header cells as context, <br> as a line break', () => {
    const md = [
      '# Pay',
      '## Salaries',
      '<table>',
      '  <tr><th>Role</th><th>Median salary</th></tr>',
      '  <tr><td>ML engineer</td><td>$150k<br>in the U.S.</td></tr>',
      '  <tr><td>Data scientist</td><td>$130k</td></tr>',
      '</table>',
    ].join('\n');
    expect(blocks(md)).toEqual([
      { kind: 'table-row', headingPath: ['Salaries'], text: 'ML engineer | $150k\nin the U.S.', context: 'Role | Median salary' },
      { kind: 'table-row', headingPath: ['Salaries'], text: 'Data scientist | $130k', context: 'Role | Median salary' },
    ]);
    const [passage, ...rest] = passages(md);
    expect(rest).toEqual([]);
    expect(passage).toMatchObject({
      text: 'ML engineer | $150k\nin the U.S.\nData scientist | $130k',
      spans: [
        { start: 0, end: 31, kind: 'table-row' },
        { start: 32, end: 54, kind: 'table-row' },
      ],
      indexText: 'Pay › Salaries\nRole | Median salary\nML engineer | $150k\nin the U.S.\nData scientist | $130k',
    });
  });

  it('reads a Markdown table the same way, markup stripped from the cells', () => {
    const md = '## Methods\n\n| Algorithm | Needs |\n|---|---|\n| **DPO** | preference [pairs](https://x.org) |\n| SFT | demos |\n';
    expect(blocks(md)).toEqual([
      { kind: 'table-row', headingPath: ['Methods'], text: 'DPO | preference pairs', context: 'Algorithm | Needs' },
      { kind: 'table-row', headingPath: ['Methods'], text: 'SFT | demos', context: 'Algorithm | Needs' },
    ]);
  });

  it('keeps a list lead-in and a nested item’s parent as context, never as quoted text of the item', () => {
    const md = [
      '## Tools',
      '',
      'You will use many tools. Engineers should know these:',
      '',
      '- Git: version control for every project.',
      '  - Branches keep work apart.',
      '- Docker: containers that package an application.',
    ].join('\n');
    expect(blocks(md)).toEqual([
      { kind: 'paragraph', headingPath: ['Tools'], text: 'You will use many tools. Engineers should know these:' },
      { kind: 'list-item', headingPath: ['Tools'], text: 'Git: version control for every project.', context: 'Engineers should know these:' },
      {
        kind: 'list-item',
        headingPath: ['Tools'],
        text: 'Branches keep work apart.',
        context: 'Engineers should know these:\nGit: version control for every project.',
      },
      { kind: 'list-item', headingPath: ['Tools'], text: 'Docker: containers that package an application.', context: 'Engineers should know these:' },
    ]);
    const [passage] = passages(md);
    expect(passage!.spans.map((s) => s.kind)).toEqual(['paragraph', 'list-item', 'list-item', 'list-item']);
    // The context is already quoted in this passage, so the index text does not repeat it.
    expect(passage!.indexText).toBe(`Doc › Tools\n${passage!.text}`);
  });

  it('gives a nested item its parents as index context when the passage does not quote them', () => {
    const items = Array.from({ length: 12 }, (_, i) => `  - Child item number ${i} has a few words of its own to say here.`);
    const md = ['## Models', '', '- Neural networks', ...items].join('\n');
    const all = passages(md, { minWords: 20, maxWords: 50 });
    expect(all.map((p) => p.spans.length)).toEqual([4, 3, 3, 3]);
    expect(all[0]!.text.split('\n')[0]).toBe('Neural networks');
    for (const later of all.slice(1)) {
      expect(later.text).not.toContain('Neural networks');
      expect(later.indexText.split('\n').slice(0, 2)).toEqual(['Doc › Models', 'Neural networks']);
    }
  });

  it('keeps a code block with blank lines whole, as one block', () => {
    const md = '## Code\n\nTwo functions:\n\n```python\ndef f():\n    return 1\n\n\ndef g():\n    return 2\n```\n';
    expect(blocks(md)).toEqual([
      { kind: 'paragraph', headingPath: ['Code'], text: 'Two functions:' },
      { kind: 'code', headingPath: ['Code'], text: 'def f():\n    return 1\n\n\ndef g():\n    return 2' },
    ]);
    expect(passages(md).map((p) => p.text)).toEqual(['Two functions:\ndef f():\n    return 1\n\n\ndef g():\n    return 2']);
  });

  it('makes a footnote definition context of the sentence that refers to it, never a passage of its own', () => {
    const md = '## Pay\n\nSalaries rose 18.83% last year.[^survey] A Ph.D. is optional.[^survey]\n\n## Hiring\n\nBanks hire too.\n\n[^survey]: Source: the 2024 salary survey of 3,000 engineers.\n';
    const all = passages(md);
    expect(all.map((p) => p.text)).toEqual(['Salaries rose 18.83% last year. A Ph.D. is optional.', 'Banks hire too.']);
    expect(all[0]!.indexText).toBe(
      'Doc › Pay\nSource: the 2024 salary survey of 3,000 engineers.\nSalaries rose 18.83% last year. A Ph.D. is optional.',
    );
    expect(all[1]!.indexText).toBe('Doc › Hiring\nBanks hire too.');
  });

  it('keeps a formula whole, with the prose it belongs to; a formula alone is no passage', () => {
    const md = [
      '## Attention',
      '',
      'Scores are scaled by $\\sqrt{d_k}$ before the softmax:',
      '',
      '$$',
      '\\mathrm{softmax}(QK^T / \\sqrt{d_k}) V',
      '$$',
      '',
      '## Loss',
      '',
      '$$',
      'L = -\\sum_i y_i \\log p_i',
      '$$',
    ].join('\n');
    expect(blocks(md)).toEqual([
      { kind: 'paragraph', headingPath: ['Attention'], text: 'Scores are scaled by \\sqrt{d_k} before the softmax:' },
      { kind: 'math', headingPath: ['Attention'], text: '\\mathrm{softmax}(QK^T / \\sqrt{d_k}) V' },
      { kind: 'math', headingPath: ['Loss'], text: 'L = -\\sum_i y_i \\log p_i' },
    ]);
    expect(passages(md).map((p) => [p.text, p.spans.map((s) => s.kind)])).toEqual([
      ['Scores are scaled by \\sqrt{d_k} before the softmax:\n\\mathrm{softmax}(QK^T / \\sqrt{d_k}) V', ['paragraph', 'math']],
    ]);
  });

  it('gives no block for an image, a rule, a tag or a short link alone; alt text joins its neighbours', () => {
    const md = [
      '## Pictures',
      '',
      '![A diagram of the pipeline](pipeline.png)',
      '',
      '<p align="center"><img src="cover.png" alt="cover"></p>',
      '',
      '---',
      '',
      '[code](./notebooks/knn.ipynb)',
      '',
      '<a name="top"></a>',
      '',
      'The ![pipeline](p.png) diagram shows [every stage](https://example.org/stages) of training.',
      '',
      '[Deep Neural Networks for YouTube Recommendations](https://example.org/yt.pdf)',
    ].join('\n');
    expect(blocks(md).map((b) => b.text)).toEqual([
      'The pipeline diagram shows every stage of training.',
      'Deep Neural Networks for YouTube Recommendations',
    ]);
  });

  it('drops script and style content and comments, reads other HTML as its text', () => {
    const md = [
      '## Notes',
      '',
      '<script>alert("no")</script>',
      '<!-- a hidden comment -->',
      '<center>Centered <b>words</b> here.</center>',
      '',
      'Inline <span>markup</span> goes,<br>a break stays. <style>p { color: red }</style>Done.',
    ].join('\n');
    expect(blocks(md).map((b) => b.text)).toEqual(['Centered words here.', 'Inline markup goes,\na break stays. Done.']);
  });

  it('strips emphasis, link URLs and inline-code backticks the same way in paragraphs, items, headings and rows', () => {
    const md = '## The **`pip`** [guide](https://x.org)\n\nRun `pip install` for *fast* setup, see [the docs](https://x.org/docs).\n\n- **Bold** item with `code`\n';
    expect(blocks(md)).toEqual([
      { kind: 'paragraph', headingPath: ['The pip guide'], text: 'Run pip install for fast setup, see the docs.' },
      { kind: 'list-item', headingPath: ['The pip guide'], text: 'Bold item with code', context: 'Run pip install for fast setup, see the docs.' },
    ]);
  });

  it('reads a block quote as quote blocks', () => {
    expect(blocks('## Q\n\n> Interviewing is a skill.\n> Practise it.\n')).toEqual([
      { kind: 'quote', headingPath: ['Q'], text: 'Interviewing is a skill. Practise it.' },
    ]);
  });
});
