/**
 * Small PDFs made by the tests themselves: with pdfkit (real fonts, sizes, bold, outlines,
 * encryption), and, for hostile files pdfkit would never write, by hand (rawPdf).
 */
import { deflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';

export interface PdfLine {
  text: string;
  /** Points from the left edge and from the top of the page. */
  x: number;
  y: number;
  size?: number;
  bold?: boolean;
  /** Draw each glyph as its own piece of text, as a browser's print does. */
  glyphs?: boolean;
  /** Spread the words to end exactly this far right of `x` (justified text). */
  justify?: number;
}

export interface PdfSpec {
  pages: PdfLine[][];
  title?: string;
  /** Bookmarks: a title and the 1-based page it points at. */
  outline?: { title: string; page: number }[];
  userPassword?: string;
}

export const A4 = { width: 595.28, height: 841.89 } as const;

export function makePdf(spec: PdfSpec): Promise<Uint8Array> {
  const doc = new PDFDocument({
    autoFirstPage: false,
    size: 'A4',
    margin: 0,
    ...(spec.title !== undefined && { info: { Title: spec.title } }),
    ...(spec.userPassword !== undefined && { userPassword: spec.userPassword, ownerPassword: `${spec.userPassword}-owner`, pdfVersion: '1.7' as const }),
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Uint8Array>((resolve) => doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks)))));
  spec.pages.forEach((lines, index) => {
    doc.addPage({ size: 'A4', margin: 0 });
    for (const bookmark of spec.outline ?? []) if (bookmark.page === index + 1) doc.outline.addItem(bookmark.title);
    for (const line of lines) {
      doc.font(line.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(line.size ?? 11);
      if (line.justify !== undefined) {
        const spaces = line.text.split(' ').length - 1;
        const wordSpacing = spaces > 0 ? (line.justify - doc.widthOfString(line.text)) / spaces : 0;
        doc.text(line.text, line.x, line.y, { lineBreak: false, wordSpacing });
        continue;
      }
      if (!line.glyphs) {
        doc.text(line.text, line.x, line.y, { lineBreak: false });
        continue;
      }
      let x = line.x;
      for (const glyph of line.text) {
        if (glyph !== ' ') doc.text(glyph, x, line.y, { lineBreak: false });
        x += doc.widthOfString(glyph);
      }
    }
  });
  doc.end();
  return done;
}

/** Greedy line breaking of `text` to `width` at `size` in Helvetica, as a browser breaks a paragraph. */
export function wrap(text: string, width: number, size = 11): string[] {
  const doc = new PDFDocument({ autoFirstPage: false });
  doc.font('Helvetica').fontSize(size);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (line !== '' && doc.widthOfString(candidate) > width) {
      lines.push(line);
      line = word;
    } else line = candidate;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Lines of a paragraph placed from `y` down, 1.4 × size apart. */
export function paragraph(text: string, x: number, y: number, width: number, size = 11): PdfLine[] {
  return wrap(text, width, size).map((t, i) => ({ text: t, x, y: y + i * size * 1.4, size }));
}

/**
 * A PDF written by hand from its objects' bodies (object n is `objects[n - 1]`), with a correct
 * cross-reference table; object 1 must be the catalog. Stream bodies may be binary.
 */
export function rawPdf(objects: (string | Buffer)[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'), Buffer.from('\nendobj\n')]);
    parts.push(chunk);
    offset += chunk.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`));
  return new Uint8Array(Buffer.concat(parts));
}

/** A stream object whose data is deflated. */
export function flateStream(data: Buffer, extra = ''): Buffer {
  const packed = deflateSync(data, { level: 9 });
  return Buffer.concat([Buffer.from(`<< /Length ${packed.length} /Filter /FlateDecode ${extra}>>\nstream\n`), packed, Buffer.from('\nendstream')]);
}

/** A PDF of `count` pages sharing one content stream that writes `text` on each. */
export function manyPagesPdf(count: number, text = 'Page text about machine learning careers.'): Uint8Array {
  const first = 5;
  const kids = Array.from({ length: count }, (_, i) => `${first + i} 0 R`).join(' ');
  const objects: (string | Buffer)[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${count} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    flateStream(Buffer.from(`BT /F1 11 Tf 72 720 Td (${text}) Tj ET`)),
  ];
  for (let i = 0; i < count; i++) objects.push('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>');
  return rawPdf(objects);
}
