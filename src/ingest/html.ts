import { Parser } from 'htmlparser2';
import type { BlockKind } from '../types.ts';
import { BlockText, cutWords } from './block-text.ts';
import { MAX_NESTING, UnreadableDocument } from './unreadable.ts';

/**
 * Raw HTML inside Markdown, read with htmlparser2's streaming callbacks (linear, no recursion):
 * `<br>` is a line break, an HTML table gives one row block per `<tr>` with its header cells as
 * context, headings and block elements end a block, any other tag gives its text. Script and
 * style content and comments are dropped.
 */

export interface HtmlSink {
  heading(level: number, text: string): void;
  block(kind: BlockKind, text: string, context: string | undefined): void;
}

/** The Markdown container an HTML block sits in: what its text is when no HTML element says otherwise. */
export interface HtmlPlacement {
  kind: BlockKind;
  context: string | undefined;
}

const DROPPED = new Set(['script', 'style', 'template']);
const BLOCK_LEVEL = new Set([
  'address', 'article', 'aside', 'body', 'caption', 'center', 'dd', 'details', 'dialog', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'header', 'hr', 'html', 'main', 'nav', 'ol', 'p',
  'section', 'summary', 'ul',
]);
const HEADING = /^h([1-6])$/;

function nestingError(): UnreadableDocument {
  return new UnreadableDocument(`HTML nested deeper than ${MAX_NESTING} elements`);
}

/** Reads one HTML block into blocks and headings. Throws UnreadableDocument past the nesting limit. */
export function readHtmlBlock(html: string, sink: HtmlSink, placement: HtmlPlacement): void {
  let depth = 0;
  let dropped = 0;
  let links = 0;
  let quotes = 0;
  let items = 0;
  let pre = 0;
  let text = new BlockText();
  let heading: { level: number; text: BlockText } | undefined;
  let tableDepth = 0;
  let header: string | undefined;
  let row: { cells: BlockText; allHeader: boolean; any: boolean } | undefined;
  let cell: { text: BlockText; header: boolean } | undefined;
  let inHead = false;

  const target = (): BlockText => cell?.text ?? heading?.text ?? text;
  const kindNow = (): BlockKind => (pre > 0 ? 'code' : items > 0 ? 'list-item' : quotes > 0 ? 'quote' : placement.kind);
  const flush = () => {
    const done = text.finish();
    if (done !== undefined) sink.block(kindNow(), done, placement.context);
    text = new BlockText(pre > 0);
  };
  const endRow = () => {
    if (!row) return;
    const rowText = row.cells.finish();
    if (rowText !== undefined) {
      if ((row.allHeader || inHead) && header === undefined) header = cutWords(row.cells.text());
      else sink.block('table-row', rowText, joinContext(placement.context, header));
    } else if ((row.allHeader || inHead) && header === undefined && row.any) {
      header = cutWords(row.cells.text());
    }
    row = undefined;
  };

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (++depth > MAX_NESTING) throw nestingError();
        if (DROPPED.has(name)) dropped++;
        if (dropped > 0) return;
        if (name === 'br') return target().lineBreak();
        if (name === 'img') return target().add(` ${attribs.alt ?? ''} `, 'image');
        if (name === 'a') {
          links++;
          return;
        }
        if (tableDepth > 0) {
          if (name === 'table') tableDepth++;
          if (tableDepth > 1) return;
          if (name === 'thead') inHead = true;
          else if (name === 'tr') {
            endRow();
            row = { cells: new BlockText(), allHeader: true, any: false };
          } else if (name === 'td' || name === 'th') {
            row ??= { cells: new BlockText(), allHeader: true, any: false };
            cell = { text: new BlockText(), header: name === 'th' };
          }
          return;
        }
        const level = HEADING.exec(name);
        if (level) {
          flush();
          heading = { level: Number(level[1]), text: new BlockText() };
        } else if (name === 'table') {
          flush();
          tableDepth = 1;
          header = undefined;
        } else if (name === 'li') {
          flush();
          items++;
        } else if (name === 'blockquote') {
          flush();
          quotes++;
        } else if (name === 'pre') {
          flush();
          pre++;
          text = new BlockText(true);
        } else if (BLOCK_LEVEL.has(name)) {
          flush();
        }
      },
      ontext(data) {
        if (dropped > 0) return;
        if (tableDepth > 0 && cell === undefined) return;
        target().add(pre > 0 ? data : data.replace(/\s+/g, ' '), links > 0 ? 'link' : 'plain');
      },
      onclosetag(name) {
        depth = Math.max(0, depth - 1);
        if (DROPPED.has(name)) {
          dropped = Math.max(0, dropped - 1);
          return;
        }
        if (dropped > 0) return;
        if (name === 'a') {
          links = Math.max(0, links - 1);
          return;
        }
        if (tableDepth > 0) {
          if (name === 'table') tableDepth--;
          if (tableDepth === 0) {
            endRow();
            cell = undefined;
            inHead = false;
            return;
          }
          if (tableDepth > 1) return;
          if (name === 'thead') inHead = false;
          else if (name === 'tr') endRow();
          else if ((name === 'td' || name === 'th') && cell && row) {
            if (!cell.header) row.allHeader = false;
            if (cell.text.text() !== '') row.any = true;
            row.cells.absorb(cell.text, ' | ');
            cell = undefined;
          }
          return;
        }
        if (heading && HEADING.test(name)) {
          sink.heading(heading.level, heading.text.text());
          heading = undefined;
        } else if (name === 'li') {
          flush();
          items = Math.max(0, items - 1);
        } else if (name === 'blockquote') {
          flush();
          quotes = Math.max(0, quotes - 1);
        } else if (name === 'pre') {
          flush();
          pre = Math.max(0, pre - 1);
          text = new BlockText(pre > 0);
        } else if (BLOCK_LEVEL.has(name)) {
          flush();
        }
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  if (heading) sink.heading(heading.level, heading.text.text());
  endRow();
  flush();
}

/**
 * Inline HTML inside Markdown text (`<br>`, `<b>`, `<img>`, `<!-- -->`): the tags come one by
 * one as tokens between text, so one parser per inline run keeps track of them. Only `<br>`,
 * `<img alt>` and script/style (whose text is dropped) change what the reader sees.
 */
export class InlineHtml {
  private depth = 0;
  private dropped = 0;
  private parser: Parser | undefined;
  private out: BlockText | undefined;

  /** Whether text met now sits inside a script or style element. */
  get dropping(): boolean {
    return this.dropped > 0;
  }

  write(tag: string, into: BlockText): void {
    this.out = into;
    this.parser ??= new Parser({
      onopentag: (name, attribs) => {
        if (++this.depth > MAX_NESTING) throw nestingError();
        if (DROPPED.has(name)) this.dropped++;
        if (this.dropped > 0) return;
        if (name === 'br') this.out?.lineBreak();
        else if (name === 'img') this.out?.add(` ${attribs.alt ?? ''} `, 'image');
      },
      onclosetag: (name) => {
        this.depth = Math.max(0, this.depth - 1);
        if (DROPPED.has(name)) this.dropped = Math.max(0, this.dropped - 1);
      },
    });
    this.parser.write(tag);
  }
}

export function joinContext(...parts: (string | undefined)[]): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined && p !== '');
  return present.length > 0 ? present.join('\n') : undefined;
}
