/**
 * The same document as Markdown and as PDF: are the questions it answers cited as well from the
 * PDF as from the Markdown? Two knowledge sets, each the article plus the interviews guide, one
 * with `ml-system-design.md`, the other with the guide's real PDF of that document in its place
 * (`../shared/corpora/ml-interviews-guide/pdf/ml-system-design.pdf`). Asked: the guide questions
 * whose gold phrase is in that document. Counted per set: questions that cite the document at
 * all and among the first three citations, hits (a gold phrase in a cited passage of it, first
 * three citations), citations of it that name their pages, and misquoted answers.
 *
 *   npm run eval -- --set pdf       this comparison alone (`npm run eval` runs it after the other sets)
 */
import { cp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findMisquotes } from '../src/answer/quote-check.ts';
import { loadConfig } from '../src/config.ts';
import { Engine } from '../src/engine/engine.ts';
import { createLogger } from '../src/logger.ts';
import { userTempCache } from './temp-cache.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = path.resolve(REPO_ROOT, '..', 'shared');
const GUIDE = path.join(SHARED, 'corpora', 'ml-interviews-guide');
const MARKDOWN = 'ml-system-design.md';
const PDF = 'ml-system-design.pdf';

export interface PdfComparisonRow {
  knowledge: string;
  document: string;
  questions: number;
  cited: number;
  cited_at_3: number;
  hit_at_3: number;
  citations_of_document: number;
  with_pages: number;
  misquoted_answers: number;
}

interface Question {
  id: string;
  question: string;
  expect: string;
  gold: string[];
}

const fold = (s: string) => s.toLowerCase().replace(/[’‘]/g, "'").replace(/[“”]/g, '"').replace(/\s+/g, ' ');

/** Runs both sets; returns one row each, Markdown first. */
export async function comparePdfWithMarkdown(verbose = false): Promise<PdfComparisonRow[]> {
  const markdown = await readFile(path.join(GUIDE, 'docs', MARKDOWN), 'utf8');
  const questions = (await readFile(path.join(SHARED, 'eval', 'questions.guide.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Question)
    .filter((q) => q.expect === 'answer' && q.gold.some((g) => fold(markdown).includes(fold(g))));
  const rows: PdfComparisonRow[] = [];
  for (const variant of ['markdown', 'pdf'] as const) {
    const document = variant === 'markdown' ? `ml-interviews-guide/${MARKDOWN}` : `ml-interviews-guide/${PDF}`;
    const { knowledgeDir, indexDir } = await prepare(variant);
    const config = loadConfig({ ...process.env, KNOWLEDGE_DIR: knowledgeDir, INDEX_DIR: indexDir }, REPO_ROOT);
    const engine = await Engine.open({ config, logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
    const row: PdfComparisonRow = { knowledge: `article + guide (${variant})`, document, questions: questions.length, cited: 0, cited_at_3: 0, hit_at_3: 0, citations_of_document: 0, with_pages: 0, misquoted_answers: 0 };
    try {
      for (const q of questions) {
        const answer = await engine.ask(q.question);
        const ordered = [...answer.citations].sort((a, b) => a.n - b.n);
        const own = ordered.filter((c) => c.source === document);
        const firstThree = ordered.slice(0, 3).filter((c) => c.source === document);
        if (own.length > 0) row.cited++;
        if (firstThree.length > 0) row.cited_at_3++;
        if (firstThree.some((c) => q.gold.some((g) => fold(c.text).includes(fold(g))))) row.hit_at_3++;
        row.citations_of_document += own.length;
        row.with_pages += own.filter((c) => c.pages !== undefined).length;
        if (findMisquotes(answer.answer, answer.citations).length > 0) row.misquoted_answers++;
        if (verbose) {
          const where = own.map((c) => `[${c.n}]${c.pages ? ` p.${c.pages.first}` : ''}`).join(' ');
          process.stderr.write(`${variant.padEnd(8)} ${q.id.padEnd(4)} conf ${answer.confidence.toFixed(3)} ${answer.refused ? 'REFUSED' : `cites ${where || '-'}`} ${q.question}\n`);
        }
      }
    } finally {
      await engine.close();
    }
    rows.push(row);
  }
  return rows;
}

/** The article and the guide side by side in a folder outside the project, with the document as Markdown or as PDF. */
async function prepare(variant: 'markdown' | 'pdf'): Promise<{ knowledgeDir: string; indexDir: string }> {
  const root = path.join(userTempCache('ml-careers-bot-eval'), `guide-${variant}`);
  const knowledgeDir = path.join(root, 'knowledge');
  // Rebuilt from the sources every run (the index beside it is kept and reused).
  await rm(knowledgeDir, { recursive: true, force: true });
  await mkdir(path.join(knowledgeDir, 'ml-interviews-guide'), { recursive: true });
  for (const name of await readdir(path.join(REPO_ROOT, 'knowledge'))) await cp(path.join(REPO_ROOT, 'knowledge', name), path.join(knowledgeDir, name), { recursive: true });
  for (const name of await readdir(path.join(GUIDE, 'docs'))) {
    if (variant === 'pdf' && name === MARKDOWN) continue;
    await cp(path.join(GUIDE, 'docs', name), path.join(knowledgeDir, 'ml-interviews-guide', name));
  }
  if (variant === 'pdf') await cp(path.join(GUIDE, 'pdf', PDF), path.join(knowledgeDir, 'ml-interviews-guide', PDF));
  return { knowledgeDir, indexDir: path.join(root, 'index') };
}

export function printPdfComparison(rows: readonly PdfComparisonRow[]): void {
  const head = ['knowledge', 'questions', 'cites the document', 'among first 3', 'hit@3 (gold in it)', 'its citations with pages', 'misquoted'];
  const cells = rows.map((r) => [r.knowledge, String(r.questions), `${r.cited}/${r.questions}`, `${r.cited_at_3}/${r.questions}`, `${r.hit_at_3}/${r.questions}`, `${r.with_pages}/${r.citations_of_document}`, String(r.misquoted_answers)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(`\nThe guide's ${MARKDOWN} as Markdown or as its PDF (guide questions whose gold is in that document):`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}
