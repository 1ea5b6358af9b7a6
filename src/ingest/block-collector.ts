import type { Block, BlockKind } from '../types.ts';
import { headingText } from './block-text.ts';

/**
 * Receives a document's headings and blocks in reading order and gives every block its heading
 * path. The first H1 names the document: it is remembered as the title and never repeated in a
 * path (unless front matter already named the document otherwise, then it is a plain heading).
 */
export class BlockCollector {
  readonly blocks: Block[] = [];
  firstH1: string | undefined;
  private readonly stack: { level: number; text: string }[] = [];
  /** Shared by consecutive blocks of one section; replaced, never mutated, when a heading changes it. */
  private path: string[] = [];

  constructor(private readonly declaredTitle?: string) {}

  heading(level: number, raw: string): void {
    const text = headingText(raw);
    if (level === 1 && this.firstH1 === undefined && text !== '') {
      this.firstH1 = text;
      if (this.declaredTitle === undefined || sameWords(this.declaredTitle, text)) {
        this.stack.length = 0;
        this.path = [];
        return;
      }
    }
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.level >= level) this.stack.pop();
    // An empty heading still ends the section above it; it just names nothing.
    if (text !== '') this.stack.push({ level, text });
    this.path = this.stack.map((h) => h.text);
  }

  add(kind: BlockKind, text: string, context?: string, page?: number): void {
    if (text === '') return;
    const kept = context === undefined ? '' : boundedContext(context);
    this.blocks.push({ kind, headingPath: this.path, text, ...(kept !== '' && { context: kept }), ...(page !== undefined && { page }) });
  }
}

/** Context only helps retrieval; many footnotes or deep parents must not make it outweigh the text. */
export const MAX_CONTEXT_CHARS = 1000;

function boundedContext(context: string): string {
  if (context.length <= MAX_CONTEXT_CHARS) return context;
  const cut = context.lastIndexOf('\n', MAX_CONTEXT_CHARS);
  return cut > 0 ? context.slice(0, cut) : `${context.slice(0, MAX_CONTEXT_CHARS)}…`;
}

function sameWords(a: string, b: string): boolean {
  const fold = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  return fold(a) === fold(b);
}
