/**
 * A web page's snapshot → a knowledge document named by its URL. HTML pages are reduced to their
 * main content the way Firefox's Reader View does it (@mozilla/readability, on linkedom's DOM):
 * navigation, headers, footers, sidebars and ads go; the article's HTML is then read into blocks
 * like any HTML (src/ingest/html.ts). PDF pages go through the PDF reader, plain text and
 * Markdown through their own readers.
 */
import { Readability } from '@mozilla/readability';
import { Parser } from 'htmlparser2';
import { parseHTML } from 'linkedom';
import type { KnowledgeDocument } from '../../types.ts';
import { BlockCollector } from '../block-collector.ts';
import { headingText } from '../block-text.ts';
import { readHtmlBlock } from '../html.ts';
import { parseMarkdown } from '../markdown.ts';
import type { PdfReader } from '../pdf/pdf-reader.ts';
import { parsePlainText } from '../plain-text.ts';
import { UnreadableDocument } from '../unreadable.ts';
import { snapshotBody, type PageSnapshot } from './snapshots.ts';

/** Elements nested deeper than this make a page hostile, not long: real pages stay far below. */
export const MAX_PAGE_NESTING = 256;

export async function pageDocument(snapshot: PageSnapshot, hash: string, pdfReader: PdfReader): Promise<KnowledgeDocument> {
  const bytes = snapshotBody(snapshot);
  const base = { id: snapshot.url, url: snapshot.url, hash, fetchedAt: snapshot.fetchedAt };
  switch (snapshot.kind) {
    case 'pdf': {
      const read = await pdfReader.read(bytes, hash);
      return { ...base, title: read.title ?? titleFromUrl(snapshot.url), blocks: read.blocks };
    }
    case 'text': {
      const parsed = parsePlainText(decodeText(bytes, snapshot.charset).replace(/\r\n?/g, '\n'));
      return { ...base, title: parsed.title ?? titleFromUrl(snapshot.url), blocks: parsed.collector.blocks };
    }
    case 'markdown': {
      const parsed = parseMarkdown(decodeText(bytes, snapshot.charset));
      return { ...base, title: parsed.frontMatter.title ?? parsed.firstH1 ?? titleFromUrl(snapshot.url), blocks: parsed.collector.blocks };
    }
    case 'html': {
      const html = decodeText(bytes, snapshot.charset ?? metaCharset(bytes));
      const { title, collector } = readArticle(html);
      return { ...base, title: title ?? titleFromUrl(snapshot.url), blocks: collector.blocks };
    }
  }
}

/** The page's main content as blocks, and its title. */
export function readArticle(html: string): { title: string | undefined; collector: BlockCollector } {
  assertNesting(html);
  const { document } = parseHTML(html);
  const pageTitle = headingText(document.title ?? '') || undefined;
  // Readability changes the DOM it reads; the page is parsed for it alone.
  const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], { charThreshold: 100 }).parse();
  const title = headingText(article?.title ?? '') || pageTitle;
  const collector = new BlockCollector(title);
  const content = article?.content ?? fallbackContent(html);
  readHtmlBlock(content, { heading: (level, text) => collector.heading(level, text), block: (kind, text, context) => collector.add(kind, text, context) }, { kind: 'paragraph', context: undefined });
  return { title, collector };
}

/** Without an article Readability recognises, the body without its navigation, header, footer and asides. */
function fallbackContent(html: string): string {
  const { document } = parseHTML(html);
  for (const element of [...document.querySelectorAll('nav, header, footer, aside, script, style, noscript, form')]) element.remove();
  return document.body?.innerHTML ?? '';
}

/** Refuses a page nested too deep for the DOM and Readability's walks (they recurse), in one linear pass. */
function assertNesting(html: string): void {
  let depth = 0;
  const parser = new Parser({
    onopentag() {
      if (++depth > MAX_PAGE_NESTING) throw new UnreadableDocument(`HTML nested deeper than ${MAX_PAGE_NESTING} elements`);
    },
    onclosetag() {
      depth = Math.max(0, depth - 1);
    },
  });
  parser.write(html);
  parser.end();
}

/** Bytes → text in the page's declared character set (UTF-8 when it declares none or an unknown one). */
export function decodeText(bytes: Uint8Array, charset: string | undefined): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  const text = decoder.decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** `<meta charset="…">` or `<meta http-equiv="Content-Type" content="…; charset=…">` in the first kilobyte. */
function metaCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  return /<meta[^>]{0,200}?charset\s*=\s*["']?([\w.:-]{1,40})/i.exec(head)?.[1];
}

/** "https://example.org/careers/faq" → "example.org/careers/faq". */
export function titleFromUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return url;
  }
}
