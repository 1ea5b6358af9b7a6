/**
 * Hostile PDFs are skipped with a reason, within the reader's time and memory budget, and the
 * thread that asked keeps running meanwhile: encrypted, corrupt, a stream that inflates without
 * end, 5,000 pages, and a parse that never ends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/hash.ts';
import { PdfReader } from '../../src/ingest/pdf/pdf-reader.ts';
import { flateStream, makePdf, manyPagesPdf, rawPdf } from '../support/make-pdf.ts';

const readers: PdfReader[] = [];
function reader(options: ConstructorParameters<typeof PdfReader>[0] = {}): PdfReader {
  const r = new PdfReader({ idleMs: 0, ...options });
  readers.push(r);
  return r;
}
afterEach(async () => {
  for (const r of readers.splice(0)) await r.dispose();
});

const reasonFor = async (r: PdfReader, bytes: Uint8Array): Promise<string> => {
  try {
    await r.read(bytes, sha256(bytes));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the PDF was read');
};

describe('hostile PDFs', () => {
  it('refuses an encrypted PDF', async () => {
    const bytes = await makePdf({ userPassword: 'secret', pages: [[{ text: 'Confidential salary bands for every level.', x: 50, y: 60 }]] });
    expect(await reasonFor(reader(), bytes)).toMatch(/encrypted PDF/);
  });

  it('refuses a corrupt PDF and bytes that are no PDF', async () => {
    const r = reader();
    const corrupt = new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 251))]));
    expect(await reasonFor(r, corrupt)).toMatch(/not a readable PDF|no text/);
    expect(await reasonFor(r, new Uint8Array(Buffer.from('<html>not a pdf</html>')))).toMatch(/not a PDF/);
  });

  it('stops a stream that inflates without end (a zip bomb) within its memory or time budget', async () => {
    // 512 MiB of spaces, deflated to about half a megabyte, as the page's content.
    const bomb = rawPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
      flateStream(Buffer.alloc(512 * 1024 * 1024, 0x20)),
    ]);
    expect(bomb.byteLength).toBeLessThan(2 * 1024 * 1024);
    const r = reader({ limits: { maxGrowthMb: 128, heapMb: 128, timeoutMs: 20_000 } });
    expect(await reasonFor(r, bomb)).toMatch(/needs more than \d+ MB of memory|took longer than/);
  });

  it('refuses a PDF of 5,000 pages', async () => {
    expect(await reasonFor(reader(), manyPagesPdf(5_000))).toMatch(/too many pages \(5000; at most 1000/);
  });

  it('gives up on a parse that never ends, while this thread keeps running, and reads the next PDF on a new thread', async () => {
    const hanging = reader({ entry: new URL('../support/hanging-pdf-thread.ts', import.meta.url), limits: { timeoutMs: 1_500 } });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    try {
      expect(await reasonFor(hanging, manyPagesPdf(1))).toMatch(/took longer than 2 s/);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(10);

    const healthy = reader();
    const pages = ['Data scientists analyse data.', 'Engineers ship models to production.', 'Researchers publish new methods.'];
    const read = await healthy.read(await makePdf({ pages: pages.map((text) => [{ text, x: 50, y: 60 }]) }), 'three-pages');
    expect(read.pages).toBe(3);
    expect(read.blocks.map((b) => [b.page, b.text])).toEqual(pages.map((text, i) => [i + 1, text]));
  });

  it('remembers an outcome by hash: a hostile PDF is not parsed again', async () => {
    const hanging = reader({ entry: new URL('../support/hanging-pdf-thread.ts', import.meta.url), limits: { timeoutMs: 500 } });
    const bytes = manyPagesPdf(1);
    await reasonFor(hanging, bytes);
    expect(hanging.parses).toBe(1);
    expect(await reasonFor(hanging, bytes)).toMatch(/took longer than/);
    expect(hanging.parses).toBe(1);
  });
});
