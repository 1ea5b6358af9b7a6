import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/ingest/chunk.ts';
import { loadKnowledge, parseDocument } from '../../src/ingest/load.ts';
import { knowledgeDir } from '../support/temp.ts';

const blocks = (mdx: string) => parseDocument('page.mdx', mdx, 'h').blocks;
const texts = (mdx: string) => blocks(mdx).map((b) => b.text);

describe('MDX read as Markdown', () => {
  it('drops import and export statements, keeps prose that merely starts with those words', () => {
    const mdx = [
      "import { Tip } from '@site/components'",
      'import Banner from "./banner.mdx"',
      'export const meta = {',
      "  title: 'Hidden',",
      '}',
      '',
      '# Setup',
      '',
      'import your data before training: the loader reads CSV files.',
    ].join('\n');
    expect(texts(mdx)).toEqual(['import your data before training: the loader reads CSV files.']);
  });

  it('drops component tags and keeps the text between them, read as Markdown', () => {
    const mdx = [
      '## Attention',
      '',
      '<Tip warning={true} title="Keep in mind">',
      '',
      'Flash Attention **loads data once** into SRAM.',
      '',
      '</Tip>',
      '',
      'Text with an <Tooltip tip="inline">inline component</Tooltip> inside.',
    ].join('\n');
    expect(blocks(mdx)).toEqual([
      { kind: 'paragraph', headingPath: ['Attention'], text: 'Flash Attention loads data once into SRAM.' },
      { kind: 'paragraph', headingPath: ['Attention'], text: 'Text with an inline component inside.' },
    ]);
  });

  it('drops self-closing components, also over several lines with expressions holding braces, quotes and tags', () => {
    const mdx = [
      '# Pipelines',
      '',
      '<CourseFloatingBanner chapter={1}',
      '  classNames="absolute z-10 right-0 top-0"',
      '  notebooks={[',
      '    {label: "Google Colab", value: "https://colab.example/a.ipynb"},',
      "    {label: 'It\\'s {braced}', value: `${base}/b`},",
      '  ]}',
      '  icon={<Icon size="2" />} />',
      '',
      '<Youtube id="tiZFewofSLM" />',
      '',
      'The pipeline() function connects a model with its preprocessing.',
    ].join('\n');
    expect(texts(mdx)).toEqual(['The pipeline() function connects a model with its preprocessing.']);
  });

  it('keeps the text of nested components and of fragments', () => {
    const mdx = ['<Tabs>', '<TabItem value="pt">', '', 'Use the PyTorch classes.', '', '</TabItem>', '</Tabs>', '', '<>Fragment text stays.</>'].join('\n');
    expect(texts(mdx)).toEqual(['Use the PyTorch classes.', 'Fragment text stays.']);
  });

  it('removes [[anchor]] heading ids', () => {
    const mdx = '# Transformers, what can they do?[[transformers-what-can-they-do]]\n\n## Working with pipelines[[working-with-pipelines]]\n\nSome text under the heading.\n';
    const doc = parseDocument('page.mdx', mdx, 'h');
    expect(doc.title).toBe('Transformers, what can they do?');
    expect(doc.blocks).toEqual([{ kind: 'paragraph', headingPath: ['Working with pipelines'], text: 'Some text under the heading.' }]);
  });

  it('keeps both branches of a framework switch and drops its markers and comments', () => {
    const mdx = [
      '<FrameworkSwitchCourse {fw} />',
      '',
      "{#if fw === 'pt'}",
      '',
      'Load the model with AutoModel.',
      '',
      '{:else}',
      '',
      'Load the model with TFAutoModel.',
      '',
      '{/if}',
      '',
      '{/* a note for the authors */}',
      '',
      'Both frameworks share the tokenizer {/* inline note */} code.',
    ].join('\n');
    expect(texts(mdx)).toEqual(['Load the model with AutoModel.', 'Load the model with TFAutoModel.', 'Both frameworks share the tokenizer code.']);
  });

  it('leaves code fences and code spans exactly as written, JSX and imports included', () => {
    const code = ['import torch', 'from transformers import pipeline', '<Youtube id="x" />', "grad_fn=<AddmmBackward0>"].join('\n');
    const mdx = ['## Code', '', '```python', code, '```', '', 'Write `<Tip>` to show a tip.'].join('\n');
    expect(blocks(mdx)).toEqual([
      { kind: 'code', headingPath: ['Code'], text: code },
      { kind: 'paragraph', headingPath: ['Code'], text: 'Write <Tip> to show a tip.' },
    ]);
  });

  it('reads lower-case HTML as the HTML it is, an unclosed <img> and <br> included', () => {
    const mdx = '<img src="a.png" alt="Companies using the library" width="100%">\n\nThe library is used<br>by many companies.\n';
    // As in Markdown: an image's alt text never stands alone as a passage; <br> is a line break.
    expect(texts(mdx)).toEqual(['The library is used\nby many companies.']);
  });

  it('drops GitHub alert markers and keeps the alert’s text', () => {
    const mdx = '> [!TIP]\n> Click the button to open a notebook.\n';
    expect(blocks(mdx)).toEqual([{ kind: 'quote', headingPath: [], text: 'Click the button to open a notebook.' }]);
  });

  it('gives the passages a Markdown file with the same text gives', () => {
    const prose = '## Setup\n\nInstall the library with pip, then check the version. A virtual environment keeps packages apart.\n';
    const mdx = `import X from 'y'\n\n<Tip>\n\n${prose}\n</Tip>\n`;
    const asMdx = chunkDocument(parseDocument('a.mdx', mdx, 'h')).map((c) => c.text);
    const asMd = chunkDocument(parseDocument('a.md', prose, 'h')).map((c) => c.text);
    expect(asMdx).toEqual(asMd);
  });

  it('is read from a knowledge folder like any .md file', async () => {
    const dir = await knowledgeDir({ 'guide.mdx': "import A from 'a'\n\n# Guide\n\nThe guide explains how tokenizers split words into subwords.\n" });
    const { documents, skipped } = await loadKnowledge(dir);
    expect(skipped).toEqual([]);
    expect(documents.map((d) => [d.id, d.title, d.blocks.length])).toEqual([['guide.mdx', 'Guide', 1]]);
  });
});
