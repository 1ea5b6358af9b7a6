/**
 * Child process of `npm run bench`: reading PDFs. Not meant to be run by hand.
 *
 * Usage: node --import tsx scripts/bench-pdf.ts [--smoke]
 * Env: KNOWLEDGE_DIR (the article, for the engine that answers meanwhile), INDEX_DIR, EMBEDDER.
 *
 * 1. The interviews guide's real PDF (11 pages), read on the PDF thread: the first read (the
 *    thread starts and loads pdf.js) and then reads on the warm thread; time per page; peak RSS.
 * 2. A generated PDF of 500 pages (pdfkit: a heading and a paragraph each), the same figures.
 * 3. The engine answers questions, one every 100 ms, while that 500-page PDF is read: answer
 *    latency and the longest main-thread stall meanwhile (a Discord interaction must be
 *    acknowledged within 3 s).
 * Prints one JSON object on stdout; everything else goes to stderr.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { loadConfig } from '../src/config.ts';
import { Engine } from '../src/engine/engine.ts';
import { sha256 } from '../src/hash.ts';
import { PdfReader } from '../src/ingest/pdf/pdf-reader.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GUIDE_PDF = path.resolve(REPO_ROOT, '..', 'shared', 'corpora', 'ml-interviews-guide', 'pdf', 'ml-system-design.pdf');
const QUESTIONS = path.resolve(REPO_ROOT, '..', 'shared', 'eval', 'questions.dev.jsonl');
const RSS_SAMPLE_MS = 20;
const ASK_EVERY_MS = 100;
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

function pct(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

/** A PDF of `pages` pages, each a heading and a paragraph of its own (no two pages alike). */
function generatedPdf(pages: number): Promise<Uint8Array> {
  const doc = new PDFDocument({ autoFirstPage: false, size: 'A4', margin: 56 });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Uint8Array>((resolve) => doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks)))));
  const topics = ['feature stores', 'model serving', 'ranking metrics', 'data labelling', 'A/B testing', 'drift monitoring', 'embeddings', 'recommendation'];
  for (let p = 1; p <= pages; p++) {
    doc.addPage();
    const topic = topics[p % topics.length]!;
    doc.font('Helvetica-Bold').fontSize(16).text(`Chapter ${p}: ${topic}`);
    doc.moveDown();
    const sentences = Array.from({ length: 12 }, (_, s) => `On page ${p}, sentence ${s + 1} explains how machine learning engineers handle ${topic} in production systems, with an example from team ${(p * 7 + s) % 97}.`);
    doc.font('Helvetica').fontSize(11).text(sentences.join(' '), { align: 'justify' });
  }
  doc.end();
  return done;
}

/** Reads `bytes` on a fresh reader (a cold thread), then `warm` more times on it; times and peak RSS. */
async function readFigures(bytes: Uint8Array, warm: number) {
  const reader = new PdfReader();
  const rssBefore = process.memoryUsage.rss();
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), RSS_SAMPLE_MS);
  try {
    let start = performance.now();
    const first = await reader.read(bytes, `cold-${sha256(bytes)}`);
    const coldMs = performance.now() - start;
    const warmMs: number[] = [];
    for (let i = 0; i < warm; i++) {
      start = performance.now();
      await reader.read(bytes, `warm-${i}-${sha256(bytes)}`);
      warmMs.push(performance.now() - start);
    }
    const pages = first.pages;
    const warmMedian = pct(warmMs, 0.5);
    return {
      pages,
      bytes: bytes.byteLength,
      blocks: first.blocks.length,
      first_read_ms: Math.round(coldMs),
      read_ms: Math.round(warmMedian),
      ms_per_page: r2(warmMedian / pages),
      rss_before_mb: mb(rssBefore),
      peak_rss_mb: mb(peak),
    };
  } finally {
    clearInterval(sampler);
    await reader.dispose();
  }
}

async function main(): Promise<void> {
  const smoke = process.argv.includes('--smoke');
  const guide = new Uint8Array(await readFile(GUIDE_PDF));
  const guideFigures = await readFigures(guide, smoke ? 1 : 5);
  process.stderr.write(`[bench-pdf] guide PDF: ${guideFigures.read_ms} ms for ${guideFigures.pages} pages\n`);

  const pages = smoke ? 50 : 500;
  const big = await generatedPdf(pages);
  const bigFigures = await readFigures(big, smoke ? 1 : 2);
  process.stderr.write(`[bench-pdf] generated PDF: ${bigFigures.read_ms} ms for ${bigFigures.pages} pages\n`);

  // Answers while a big PDF is read, as /knowledge add of a PDF or a reindex would read it.
  const config = loadConfig();
  const engine = await Engine.open({ config });
  const questions = (await readFile(QUESTIONS, 'utf8')).split('\n').filter((l) => l.trim() !== '').map((l) => (JSON.parse(l) as { question: string }).question);
  for (const q of questions) await engine.ask(`${q} (warm-up)`);
  const reader = new PdfReader();
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  const latencies: number[] = [];
  let reading = true;
  stalls.enable();
  const started = performance.now();
  const read = reader.read(big, `during-${sha256(big)}`).finally(() => (reading = false));
  for (let i = 0; reading; i++) {
    const question = `${questions[i % questions.length]!} #${i}`;
    const t = performance.now();
    await engine.ask(question);
    latencies.push(performance.now() - t);
    await new Promise((resolve) => setTimeout(resolve, ASK_EVERY_MS));
  }
  await read;
  const readMs = performance.now() - started;
  stalls.disable();
  await reader.dispose();
  await engine.close();

  process.stdout.write(
    JSON.stringify({
      guide: guideFigures,
      generated: bigFigures,
      during: {
        pages,
        read_ms: Math.round(readMs),
        answers: latencies.length,
        answer_p50_ms: r2(pct(latencies, 0.5)),
        answer_p95_ms: r2(pct(latencies, 0.95)),
        answer_max_ms: r2(Math.max(...latencies)),
        main_thread_stall_max_ms: r2(stalls.max / 1e6),
      },
    }) + '\n',
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench-pdf failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
