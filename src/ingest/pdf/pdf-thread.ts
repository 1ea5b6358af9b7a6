/**
 * The PDF worker thread: reads one PDF at a time (pdf.js, then the layout rules) and sends back
 * its blocks. Its owner bounds its heap, its time and its memory, and replaces it when it dies.
 */
import { parentPort } from 'node:worker_threads';
import { UnreadableDocument } from '../unreadable.ts';
import { extractPdf } from './extract.ts';
import { layoutPdf } from './layout.ts';
import type { PdfReply, PdfRequest } from './pdf-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('pdf-thread.ts runs only as a worker thread');

async function handle(request: PdfRequest): Promise<PdfReply> {
  try {
    const content = await extractPdf(request.bytes, request.limits);
    const { title, collector } = layoutPdf(content);
    return { id: request.id, ok: true, title, blocks: collector.blocks, pages: content.pages.length };
  } catch (error) {
    const unreadable = error instanceof UnreadableDocument;
    return { id: request.id, ok: false, unreadable, message: error instanceof Error ? error.message : String(error) };
  }
}

let queue = Promise.resolve();
port.on('message', (request: PdfRequest) => {
  queue = queue.then(async () => port.postMessage(await handle(request)));
});
