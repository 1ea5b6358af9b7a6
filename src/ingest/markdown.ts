import { tex } from '@mdit/plugin-tex';
import MarkdownIt from 'markdown-it';
import type { Options, PluginSimple, Token } from 'markdown-it';
import footnotePlugin from 'markdown-it-footnote';
import frontMatter from 'markdown-it-front-matter';
import { sentenceSpans } from '../answer/sentences.ts';
import type { BlockKind } from '../types.ts';
import { BlockCollector } from './block-collector.ts';
import { BlockText, cutWords, trimBlankLines } from './block-text.ts';
import { hasClosedFrontMatter, readFrontMatter, type FrontMatter } from './front-matter.ts';
import { InlineHtml, joinContext, readHtmlBlock, type HtmlSink } from './html.ts';
import { alertMarkers } from './alerts.ts';
import { mdxPlugin } from './mdx.ts';
import { MAX_NESTING, UnreadableDocument } from './unreadable.ts';

/**
 * Markdown → blocks with markdown-it (CommonMark + GFM tables, linear time) and its footnote,
 * TeX and front-matter plugins. The token stream is walked in one loop with an explicit stack,
 * so no recursion grows with the document's nesting.
 */

export interface ParsedMarkdown {
  frontMatter: FrontMatter;
  firstH1: string | undefined;
  collector: BlockCollector;
}

/** @types/markdown-it-footnote is written against markdown-it's CommonJS typings; the plugin itself is the same. */
const footnote = footnotePlugin as unknown as PluginSimple;
/** markdown-it reads `maxNesting` from its options, but its typings do not declare it. */
const options: Options & { maxNesting: number } = { html: true, maxNesting: MAX_NESTING };

function createParser(withFrontMatter: boolean, mdx: boolean): MarkdownIt {
  // The TeX renderer is never called (tokens are walked, not rendered); it returns the source.
  const md = new MarkdownIt(options)
    .use(footnote)
    .use(tex, { render: (content: string) => content })
    .use(alertMarkers);
  if (mdx) md.use(mdxPlugin);
  return withFrontMatter ? md.use(frontMatter, () => undefined) : md;
}

/** One parser per flavour, made when first needed: [plain, with front matter]. */
const parsers = { markdown: [] as MarkdownIt[], mdx: [] as MarkdownIt[] };

function parserFor(flavour: MarkdownFlavour, withFrontMatter: boolean): MarkdownIt {
  const slot = withFrontMatter ? 1 : 0;
  return (parsers[flavour][slot] ??= createParser(withFrontMatter, flavour === 'mdx'));
}

/** `mdx`: the file is MDX (see mdx.ts), read as the Markdown it holds. */
export type MarkdownFlavour = 'markdown' | 'mdx';

export function parseMarkdown(src: string, flavour: MarkdownFlavour = 'markdown'): ParsedMarkdown {
  let tokens: Token[] | undefined;
  let meta: FrontMatter = {};
  if (hasClosedFrontMatter(src)) {
    const withMeta = parserFor(flavour, true).parse(src, {});
    const read = withMeta[0]?.type === 'front_matter' ? readFrontMatter(withMeta[0].meta as string) : undefined;
    if (read !== undefined) {
      tokens = withMeta;
      meta = read;
    }
  }
  tokens ??= parserFor(flavour, false).parse(src, {});
  assertWithinNesting(tokens);
  const collector = new BlockCollector(meta.title);
  new MarkdownWalker(tokens, collector).walk();
  return { frontMatter: meta, firstH1: collector.firstH1, collector };
}

/** markdown-it silently drops what lies deeper than maxNesting; such a file is refused rather than half read. */
function assertWithinNesting(tokens: readonly Token[]): void {
  for (const t of tokens) {
    if (t.nesting === 1 && t.level >= MAX_NESTING - 1) {
      throw new UnreadableDocument(`Markdown nested deeper than ${MAX_NESTING} levels (lists or quotes inside each other)`);
    }
  }
}

interface Container {
  type: 'root' | 'list' | 'item' | 'quote';
  /** A list's lead-in: the last sentence of the paragraph just before it. */
  leadIn?: string;
  /** An item's own first paragraph (its first words): context for what it contains. */
  firstText?: string;
  /** The last block emitted directly in this container, for lead-ins. */
  last?: { kind: BlockKind; text: string };
}

class MarkdownWalker {
  private readonly stack: Container[] = [{ type: 'root' }];
  private readonly footnotes: Map<number, string>;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly out: BlockCollector,
  ) {
    this.footnotes = collectFootnotes(tokens);
  }

  walk(): void {
    const tokens = this.tokens;
    let i = 0;
    while (i < tokens.length) {
      const t = tokens[i]!;
      switch (t.type) {
        case 'heading_open': {
          const inline = readInline(tokens[i + 1]);
          if (this.stack.length === 1) {
            this.out.heading(Number(t.tag.slice(1)), inline.text.text());
            this.top.last = undefined;
          } else {
            this.emit(this.containerKind(), inline.text.finish(), inline.footnotes);
          }
          i += 3;
          continue;
        }
        case 'paragraph_open': {
          const inline = readInline(tokens[i + 1]);
          this.emit(this.containerKind(), inline.text.finish(), inline.footnotes);
          i += 3;
          continue;
        }
        case 'bullet_list_open':
        case 'ordered_list_open': {
          const before = this.top.last;
          const leadIn = before && (before.kind === 'paragraph' || before.kind === 'quote') ? lastSentence(before.text) : undefined;
          this.stack.push({ type: 'list', ...(leadIn !== undefined && { leadIn }) });
          break;
        }
        case 'list_item_open':
          this.stack.push({ type: 'item' });
          break;
        case 'blockquote_open':
          this.stack.push({ type: 'quote' });
          break;
        case 'bullet_list_close':
        case 'ordered_list_close':
        case 'list_item_close':
        case 'blockquote_close':
          if (this.stack.length > 1) this.stack.pop();
          this.top.last = undefined;
          break;
        case 'fence':
        case 'code_block':
          this.emit('code', trimBlankLines(t.content) || undefined, new Set());
          break;
        case 'math_block':
          this.emit('math', t.content.trim() || undefined, new Set());
          break;
        case 'html_block':
          readHtmlBlock(t.content, this.htmlSink(), { kind: this.containerKind(), context: this.contextFor(false) });
          break;
        case 'table_open':
          i = this.readTable(i);
          continue;
        case 'footnote_block_open':
          return;
        default:
          break;
      }
      i++;
    }
  }

  private get top(): Container {
    return this.stack[this.stack.length - 1]!;
  }

  private containerKind(): BlockKind {
    for (let k = this.stack.length - 1; k > 0; k--) {
      const type = this.stack[k]!.type;
      if (type === 'item') return 'list-item';
      if (type === 'quote') return 'quote';
    }
    return 'paragraph';
  }

  /**
   * What a block inside the current containers needs to be understood: each enclosing list's
   * lead-in and each enclosing item's first paragraph, outermost first. `asItemText` is true for
   * an item's own first paragraph, which is not its own context.
   */
  private contextFor(asItemText: boolean): string | undefined {
    const parts: string[] = [];
    for (let k = 1; k < this.stack.length; k++) {
      const c = this.stack[k]!;
      if (c.leadIn !== undefined) parts.push(c.leadIn);
      const isOwnItem = k === this.stack.length - 1 && asItemText;
      if (c.type === 'item' && c.firstText !== undefined && !isOwnItem) parts.push(c.firstText);
    }
    return parts.length > 0 ? parts.join('\n') : undefined;
  }

  private emit(kind: BlockKind, text: string | undefined, footnoteIds: Iterable<number>): void {
    if (text === undefined) return;
    const top = this.top;
    const firstOfItem = top.type === 'item' && top.firstText === undefined && kind === 'list-item';
    this.out.add(kind, text, joinContext(this.contextFor(firstOfItem), ...this.footnoteTexts(footnoteIds)));
    if (firstOfItem) top.firstText = cutWords(text);
    top.last = { kind, text };
  }

  private footnoteTexts(ids: Iterable<number>): string[] {
    const texts: string[] = [];
    for (const id of ids) {
      const text = this.footnotes.get(id);
      if (text !== undefined) texts.push(text);
    }
    return texts;
  }

  private htmlSink(): HtmlSink {
    return {
      heading: (level, text) => {
        if (this.stack.length === 1) {
          this.out.heading(level, text);
          this.top.last = undefined;
        } else {
          this.emit(this.containerKind(), text || undefined, new Set());
        }
      },
      block: (kind, text, context) => {
        this.out.add(kind, text, context);
        this.top.last = { kind, text };
      },
    };
  }

  /** One block per body row, its text the non-empty cells joined by " | ", the header cells as context. */
  private readTable(start: number): number {
    const tokens = this.tokens;
    const outer = this.contextFor(false);
    let header: string | undefined;
    let inHead = false;
    let row: BlockText | undefined;
    let notes = new Set<number>();
    let i = start + 1;
    for (; i < tokens.length && tokens[i]!.type !== 'table_close'; i++) {
      const t = tokens[i]!;
      if (t.type === 'thead_open') inHead = true;
      else if (t.type === 'thead_close') inHead = false;
      else if (t.type === 'tr_open') {
        row = new BlockText();
        notes = new Set();
      } else if (t.type === 'inline' && row) {
        const cell = readInline(t);
        row.absorb(cell.text, ' | ');
        for (const id of cell.footnotes) notes.add(id);
      } else if (t.type === 'tr_close' && row) {
        if (inHead) header = row.text() === '' ? undefined : cutWords(row.text());
        else {
          const text = row.finish();
          if (text !== undefined) this.out.add('table-row', text, joinContext(outer, header, ...this.footnoteTexts(notes)));
        }
        row = undefined;
      }
    }
    this.top.last = undefined;
    return i + 1;
  }
}

interface InlineContent {
  text: BlockText;
  /** Ids of the footnotes referred to, each once however often. */
  footnotes: Set<number>;
}

/**
 * The words of an inline token: text and inline code as written, link text without its URL,
 * image alt text and TeX as words that join their neighbours but never stand alone, footnote
 * references noted (their text becomes context), `<br>` and hard breaks as line breaks.
 */
function readInline(token: Token | undefined): InlineContent {
  const text = new BlockText();
  const footnotes = new Set<number>();
  let links = 0;
  let html: InlineHtml | undefined;
  for (const child of token?.children ?? []) {
    if (html?.dropping && child.type !== 'html_inline') continue;
    switch (child.type) {
      case 'text':
      case 'code_inline':
        text.add(child.content, links > 0 ? 'link' : 'plain');
        break;
      case 'softbreak':
        text.add(' ', 'plain');
        break;
      case 'hardbreak':
        text.lineBreak();
        break;
      case 'link_open':
        links++;
        break;
      case 'link_close':
        links = Math.max(0, links - 1);
        break;
      case 'image':
        text.add(` ${altText(child)} `, 'image');
        break;
      case 'math_inline':
        text.add(child.content, 'formula');
        break;
      case 'html_inline':
        html ??= new InlineHtml();
        html.write(child.content, text);
        break;
      case 'footnote_ref':
        footnotes.add((child.meta as { id: number }).id);
        break;
      default:
        break;
    }
  }
  return { text, footnotes };
}

/** An image's alt text, flat: images nested in alt text (legal, never useful) give nothing. */
function altText(image: Token): string {
  let alt = '';
  for (const c of image.children ?? []) if (c.type === 'text' || c.type === 'code_inline') alt += c.content;
  return alt;
}

/**
 * Footnote definitions, by id: markdown-it-footnote moves them to the end of the stream. Their
 * text becomes context of the blocks that refer to them, never a passage of its own.
 */
function collectFootnotes(tokens: readonly Token[]): Map<number, string> {
  const notes = new Map<number, string>();
  const start = tokens.findIndex((t) => t.type === 'footnote_block_open');
  if (start === -1) return notes;
  let current: { id: number; parts: string[] } | undefined;
  for (let i = start + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'footnote_open') current = { id: (t.meta as { id: number }).id, parts: [] };
    else if (t.type === 'footnote_close' && current) {
      const text = current.parts.join(' ').trim();
      if (text !== '') notes.set(current.id, cutWords(text));
      current = undefined;
    } else if (t.type === 'inline' && current) current.parts.push(readInline(t).text.text());
    else if ((t.type === 'fence' || t.type === 'code_block') && current) current.parts.push(t.content.trim());
  }
  return notes;
}

/** Only the paragraph's tail is segmented: a lead-in is its last sentence, however long the paragraph. */
const LEAD_IN_TAIL_CHARS = 1000;

function lastSentence(paragraph: string): string {
  const tail = paragraph.length > LEAD_IN_TAIL_CHARS ? paragraph.slice(-LEAD_IN_TAIL_CHARS) : paragraph;
  const spans = sentenceSpans(tail);
  const last = spans[spans.length - 1];
  return cutWords(last ? tail.slice(last.start, last.end) : tail);
}
