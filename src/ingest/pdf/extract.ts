/**
 * PDF bytes → positioned text (PdfContent) with pdf.js (pdfjs-dist's Node build). Runs on the PDF
 * worker thread: a file's parsing limits (pages, text, items per page) are checked here, its time
 * and memory by the thread's owner (see pdf-reader.ts).
 */
import { getDocument, OPS, PasswordResponses, type PDFDocumentProxy, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { UnreadableDocument } from '../unreadable.ts';
import type { PdfLimits } from './limits.ts';
import type { PdfContent, PdfOutlineEntry, PdfPage, PdfTextItem } from './pdf-content.ts';

/** pdf.js's log level: errors only (its warnings about fonts would flood stderr). */
const ERRORS_ONLY = 0;
/** Bookmarks read at most; an outline is a table of contents, not a second document. */
const MAX_OUTLINE_ENTRIES = 2_000;

export async function extractPdf(bytes: Uint8Array, limits: Pick<PdfLimits, 'maxPages' | 'maxTextChars' | 'maxItemsPerPage'>): Promise<PdfContent> {
  const task = getDocument({
    data: bytes,
    // No code from the file is ever run, no font is installed, nothing is fetched.
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: ERRORS_ONLY,
  });
  let doc: PDFDocumentProxy;
  try {
    doc = await task.promise;
  } catch (error) {
    throw new UnreadableDocument(openFailure(error));
  }
  try {
    if (doc.numPages > limits.maxPages) {
      throw new UnreadableDocument(`too many pages (${doc.numPages}; at most ${limits.maxPages} are read)`);
    }
    const pages: PdfPage[] = [];
    let chars = 0;
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const read = await pageText(page, limits.maxItemsPerPage);
      for (const item of read.items) chars += item.text.length;
      if (chars > limits.maxTextChars) throw new UnreadableDocument(`too much text (more than ${limits.maxTextChars} characters)`);
      pages.push(read);
      page.cleanup();
    }
    const info = (await doc.getMetadata().catch(() => undefined))?.info as { Title?: unknown } | undefined;
    const title = typeof info?.Title === 'string' && info.Title.trim() !== '' ? info.Title.trim() : undefined;
    return { ...(title !== undefined && { title }), pages, outline: await outlineOf(doc) };
  } finally {
    await doc.destroy();
  }
}

function openFailure(error: unknown): string {
  const name = (error as { name?: string } | undefined)?.name;
  const code = (error as { code?: number } | undefined)?.code;
  if (name === 'PasswordException') {
    return code === PasswordResponses.INCORRECT_PASSWORD ? 'encrypted PDF (the password is wrong)' : 'encrypted PDF (it needs a password to open)';
  }
  if (name === 'InvalidPDFException') return 'not a readable PDF (corrupt or not a PDF at all)';
  return `not a readable PDF (${error instanceof Error ? error.message : String(error)})`;
}

async function pageText(page: PDFPageProxy, maxItems: number): Promise<PdfPage> {
  const [x0, y0, x1, y1] = page.view as [number, number, number, number];
  const content = await page.getTextContent();
  if (content.items.length > maxItems) {
    throw new UnreadableDocument(`page ${page.pageNumber} holds too many pieces of text (${content.items.length}; at most ${maxItems})`);
  }
  const fonts = await fontNames(page);
  const items: PdfTextItem[] = [];
  for (const item of content.items) {
    if (!('str' in item) || item.str === '') continue;
    const [a, b, c, d, e, f] = item.transform as number[];
    const size = Math.hypot(c!, d!) || Math.hypot(a!, b!);
    const font = fonts.get(item.fontName) ?? '';
    const family = content.styles[item.fontName]?.fontFamily ?? '';
    items.push({
      text: item.str,
      x: e! - x0,
      y: f! - y0,
      width: item.width,
      size,
      bold: isBoldFont(font),
      mono: family === 'monospace' || /mono|courier|consol|code/i.test(font),
    });
  }
  return { number: page.pageNumber, width: x1 - x0, height: y1 - y0, items };
}

/**
 * The fonts' PostScript names, which say whether a font is bold. pdf.js hands fonts to this side
 * only while it builds the page's operator list, so that is built (its drawing is never done).
 */
async function fontNames(page: PDFPageProxy): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const ops = await page.getOperatorList();
  for (let i = 0; i < ops.fnArray.length; i++) {
    if (ops.fnArray[i] !== OPS.setFont) continue;
    const id = (ops.argsArray[i] as unknown[] | undefined)?.[0];
    if (typeof id !== 'string' || names.has(id) || !page.commonObjs.has(id)) continue;
    const font = page.commonObjs.get(id) as { name?: unknown } | undefined;
    names.set(id, typeof font?.name === 'string' ? font.name : '');
  }
  return names;
}

/**
 * "Arial-BoldMT", "Helvetica-Bold", "Inter-SemiBold", "NotoSans-Black"; and the instances of
 * variable fonts that browsers write when printing to PDF, whose names carry the weight axis in
 * 16.16 fixed point: ".SFNS-Regular_wdth_opsz110000_GRAD_wght2BC0000" is weight 0x2BC = 700.
 */
export function isBoldFont(name: string): boolean {
  if (/bold|black|heavy|semibold|demibold|extrabold|ultrabold/i.test(name)) return true;
  const weight = /wght([0-9A-Fa-f]{5,8})(?![0-9A-Fa-f])/.exec(name);
  return weight !== null && parseInt(weight[1]!, 16) / 65536 >= 600;
}

interface RawOutlineItem {
  title: string;
  dest: string | unknown[] | null;
  items: RawOutlineItem[];
}

async function outlineOf(doc: PDFDocumentProxy): Promise<PdfOutlineEntry[]> {
  const root = ((await doc.getOutline().catch(() => null)) ?? []) as RawOutlineItem[];
  const entries: PdfOutlineEntry[] = [];
  // Iterative, depth-first in reading order: a deep or looping outline cannot grow the stack.
  const stack: { item: RawOutlineItem; depth: number }[] = root.map((item) => ({ item, depth: 1 })).reverse();
  while (stack.length > 0 && entries.length < MAX_OUTLINE_ENTRIES) {
    const { item, depth } = stack.pop()!;
    const title = typeof item.title === 'string' ? item.title.replace(/\s+/g, ' ').trim() : '';
    const page = await destinationPage(doc, item.dest);
    if (title !== '') entries.push({ title, depth, ...(page !== undefined && { page }) });
    for (let k = (item.items?.length ?? 0) - 1; k >= 0; k--) stack.push({ item: item.items[k]!, depth: depth + 1 });
  }
  return entries;
}

async function destinationPage(doc: PDFDocumentProxy, dest: RawOutlineItem['dest']): Promise<number | undefined> {
  try {
    const explicit = typeof dest === 'string' ? await doc.getDestination(dest) : dest;
    const target = explicit?.[0];
    if (typeof target === 'number') return target + 1;
    if (target !== null && typeof target === 'object') return (await doc.getPageIndex(target as Parameters<PDFDocumentProxy['getPageIndex']>[0])) + 1;
  } catch {
    // A bookmark to nowhere still names a heading; it just cannot say where.
  }
  return undefined;
}
