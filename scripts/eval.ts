/**
 * Retrieval and answer quality, per knowledge set, on labelled questions.
 *
 *   npm run eval                          the growth table: every built-in combination (below)
 *   npm run eval -- --set article+course  one combination (names as printed)
 *   npm run eval -- --knowledge DIR [--with-article] --questions a.jsonl[,b.jsonl]
 *                                         any other corpus (a folder of documents) and its questions
 *   flags: --json (one JSON array on stdout: the question rows, then the conversation rows),
 *          --verbose (one line per question on stderr)
 *
 * Knowledge grows, and what it answered must survive: the article (knowledge/) alone, then with
 * the interviews guide, with the Hugging Face course, and with both (the corpora are read from
 * ../shared/corpora and copied to a temporary folder, never into the project). The dev,
 * paraphrase and held-out article questions are asked on every combination, the guide's and the
 * course's questions on every combination holding their corpus.
 *
 * Judged at passage level: a question "hits at k" when one of the first k citations (in the
 * order the answer numbers them) has a gold phrase in its passage text. Section names never count.
 * A second table judges follow-ups in conversations the same way (scripts/eval-conversations.ts).
 */
import { cp, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { findMisquotes } from '../src/answer/quote-check.ts';
import { loadConfig } from '../src/config.ts';
import { Engine } from '../src/engine/engine.ts';
import { createLogger } from '../src/logger.ts';
import type { Answer } from '../src/types.ts';
import { comparePdfWithMarkdown, printPdfComparison } from './eval-pdf.ts';
import { evaluateConversations, printConversationTable, type ConversationReport } from './eval-conversations.ts';
import { userTempCache } from './temp-cache.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = path.resolve(REPO_ROOT, '..', 'shared');

const LabelledQuestion = z.object({
  id: z.string(),
  question: z.string(),
  expect: z.enum(['answer', 'refuse']),
  gold: z.array(z.string()),
});
type LabelledQuestion = z.infer<typeof LabelledQuestion>;

interface KnowledgeSet {
  name: string;
  /** Folders whose documents make the knowledge, copied side by side into one temporary folder. */
  sources: { dir: string; into: string }[];
  questionFiles: string[];
}

const CORPORA = {
  article: { dir: path.join(REPO_ROOT, 'knowledge'), into: '' },
  guide: { dir: path.join(SHARED, 'corpora', 'ml-interviews-guide', 'docs'), into: 'ml-interviews-guide' },
  course: { dir: path.join(SHARED, 'corpora', 'hf-course', 'docs'), into: 'hf-course' },
};
type Corpus = keyof typeof CORPORA;

const QUESTIONS = {
  dev: path.join(SHARED, 'eval', 'questions.dev.jsonl'),
  paraphrased: path.join(REPO_ROOT, 'tests', 'fixtures', 'questions.paraphrased.jsonl'),
  /** Article questions written before the per-document gate, never used to choose any setting. */
  heldout: path.join(REPO_ROOT, 'tests', 'fixtures', 'questions.article-heldout.jsonl'),
  guide: path.join(SHARED, 'eval', 'questions.guide.jsonl'),
  course: path.join(SHARED, 'eval', 'questions.hf-course.jsonl'),
};

/** Every combination of the article with the other corpora, each asked the questions of what it holds. */
const GROWTH: Corpus[][] = [['article'], ['article', 'guide'], ['article', 'course'], ['article', 'guide', 'course']];

function growthSet(corpora: Corpus[]): KnowledgeSet {
  const questions: (keyof typeof QUESTIONS)[] = ['dev', 'paraphrased', 'heldout'];
  if (corpora.includes('guide')) questions.push('guide');
  if (corpora.includes('course')) questions.push('course');
  return { name: corpora.join('+'), sources: corpora.map((c) => CORPORA[c]), questionFiles: questions.map((q) => QUESTIONS[q]) };
}

const BUILT_IN: KnowledgeSet[] = GROWTH.map(growthSet);

async function readQuestions(file: string): Promise<LabelledQuestion[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new Error(`Question file not found: ${file}`);
  });
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      const parsed = LabelledQuestion.safeParse(safeJson(line));
      if (!parsed.success) throw new Error(`${file}:${i + 1} is not a labelled question {"id","question","expect","gold"}`);
      return parsed.data;
    });
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** The set's documents in one folder outside the project; its index persists there between runs. */
async function prepare(set: KnowledgeSet): Promise<{ knowledgeDir: string; indexDir: string }> {
  const root = path.join(userTempCache('ml-careers-bot-eval'), set.name.replace(/[^\w+.-]/g, '_'));
  const knowledgeDir = path.join(root, 'knowledge');
  await mkdir(knowledgeDir, { recursive: true });
  const wanted = new Set<string>();
  for (const source of set.sources) {
    const target = path.join(knowledgeDir, source.into);
    await mkdir(target, { recursive: true });
    for (const name of await readdir(source.dir)) {
      await cp(path.join(source.dir, name), path.join(target, name), { recursive: true });
      wanted.add(path.join(source.into, name));
    }
  }
  // Files left from an earlier run of a differently defined set would silently join the knowledge.
  for (const entry of await readdir(knowledgeDir, { recursive: true })) {
    const rel = String(entry);
    if (![...wanted].some((w) => rel === w || rel.startsWith(w + path.sep) || w.startsWith(rel + path.sep))) {
      throw new Error(`${path.join(knowledgeDir, rel)} is not part of set ${set.name}; remove ${root} and run again.`);
    }
  }
  return { knowledgeDir, indexDir: path.join(root, 'index') };
}

const fold = (s: string) => s.toLowerCase().replace(/[’‘]/g, "'").replace(/[“”]/g, '"').replace(/\s+/g, ' ');

/** 1-based position (as numbered in the answer) of the first citation whose passage holds a gold phrase; 0 if none. */
function firstGoldRank(answer: Answer, gold: readonly string[]): number {
  const ordered = [...answer.citations].sort((a, b) => a.n - b.n);
  return ordered.findIndex((c) => gold.some((g) => fold(c.text).includes(fold(g)))) + 1;
}

interface Outcome {
  q: LabelledQuestion;
  answer: Answer;
  rank: number;
  misquotes: number;
}

function summarize(set: string, passages: number, file: string, outcomes: Outcome[]) {
  const answerable = outcomes.filter((o) => o.q.expect === 'answer');
  const refusable = outcomes.filter((o) => o.q.expect === 'refuse');
  const answered = outcomes.filter((o) => !o.answer.refused);
  const hitAt = (k: number) => answerable.filter((o) => o.rank > 0 && o.rank <= k).length;
  const mrr = answerable.reduce((sum, o) => sum + (o.rank > 0 ? 1 / o.rank : 0), 0) / Math.max(1, answerable.length);
  const citations = answered.reduce((sum, o) => sum + o.answer.citations.length, 0);
  return {
    knowledge: set,
    passages,
    questions: path.basename(file),
    answerable: answerable.length,
    hit_at_1: hitAt(1),
    hit_at_3: hitAt(3),
    mrr: Math.round(mrr * 1000) / 1000,
    false_refusals: answerable.filter((o) => o.answer.refused).length,
    refusals_expected: refusable.length,
    refused_correctly: refusable.filter((o) => o.answer.refused).length,
    citations_per_answer: Math.round((citations / Math.max(1, answered.length)) * 100) / 100,
    misquoted_answers: outcomes.filter((o) => o.misquotes > 0).length,
    misses: outcomes.filter((o) => (o.q.expect === 'answer' ? o.rank === 0 || o.rank > 3 : !o.answer.refused)).map((o) => o.q.id),
  };
}

type Report = ReturnType<typeof summarize>;

/** The Markdown-or-PDF comparison (scripts/eval-pdf.ts), run after the built-in sets. */
const PDF_SET = 'pdf';

function parseArgs(argv: string[]): { sets: KnowledgeSet[]; json: boolean; verbose: boolean; pdf?: boolean } {
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const knowledge = value('--knowledge');
  if (knowledge !== undefined) {
    const questions = value('--questions');
    if (questions === undefined) throw new Error('--knowledge needs --questions file.jsonl[,file.jsonl]');
    const dir = path.resolve(knowledge);
    return {
      json,
      verbose,
      sets: [
        {
          name: `${argv.includes('--with-article') ? 'article+' : ''}${path.basename(dir)}`,
          sources: [...(argv.includes('--with-article') ? [CORPORA.article] : []), { dir, into: path.basename(dir) }],
          questionFiles: questions.split(',').map((f) => path.resolve(f)),
        },
      ],
    };
  }
  const only = value('--set');
  const sets = only === undefined ? BUILT_IN : BUILT_IN.filter((s) => s.name === only);
  if (sets.length === 0 && only !== PDF_SET) throw new Error(`Unknown set ${only}; built-in sets: ${[...BUILT_IN.map((s) => s.name), PDF_SET].join(', ')}`);
  return { sets, json, verbose, pdf: only === undefined || only === PDF_SET };
}

async function evaluate(set: KnowledgeSet, verbose: boolean, conversations: ConversationReport[]): Promise<Report[]> {
  const { knowledgeDir, indexDir } = await prepare(set);
  const config = loadConfig({ ...process.env, KNOWLEDGE_DIR: knowledgeDir, INDEX_DIR: indexDir }, REPO_ROOT);
  const engine = await Engine.open({ config, logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
  const reports: Report[] = [];
  try {
    for (const file of set.questionFiles) {
      const outcomes: Outcome[] = [];
      for (const q of await readQuestions(file)) {
        const answer = await engine.ask(q.question);
        outcomes.push({
          q,
          answer,
          rank: q.expect === 'answer' ? firstGoldRank(answer, q.gold) : 0,
          misquotes: findMisquotes(answer.answer, answer.citations).length,
        });
      }
      if (verbose) for (const o of outcomes) process.stderr.write(verboseLine(set.name, o));
      reports.push(summarize(set.name, engine.stats().chunks, file, outcomes));
    }
    // Follow-ups (scripts/eval-conversations.ts): the conversations about corpora this set holds.
    conversations.push(await evaluateConversations(engine, set.name, set.name.split('+'), verbose ? { verbose: (l) => process.stderr.write(l) } : {}));
  } finally {
    await engine.close();
  }
  return reports;
}

function verboseLine(set: string, o: Outcome): string {
  const verdict =
    o.q.expect === 'answer' ? (o.answer.refused ? 'REFUSED' : o.rank > 0 ? `rank ${o.rank}` : 'MISS') : o.answer.refused ? 'refused' : 'ANSWERED';
  const quote = o.misquotes > 0 ? ` MISQUOTE×${o.misquotes}` : '';
  return `${set.padEnd(14)} ${o.q.id.padEnd(4)} conf ${o.answer.confidence.toFixed(3)} cites ${o.answer.citations.length} ${verdict.padEnd(8)}${quote} ${o.q.question}\n`;
}

function printTable(reports: Report[]): void {
  const head = ['knowledge', 'passages', 'questions', 'hit@1', 'hit@3', 'MRR', 'false refusals', 'refused', 'cites/answer', 'misquoted', 'misses'];
  const rows = reports.map((r) => [
    r.knowledge,
    String(r.passages),
    r.questions,
    `${r.hit_at_1}/${r.answerable}`,
    `${r.hit_at_3}/${r.answerable}`,
    r.mrr.toFixed(3),
    `${r.false_refusals}/${r.answerable}`,
    `${r.refused_correctly}/${r.refusals_expected}`,
    r.citations_per_answer.toFixed(2),
    String(r.misquoted_answers),
    r.misses.join(' ') || '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

async function main() {
  const { sets, json, verbose, pdf } = parseArgs(process.argv.slice(2));
  const reports: Report[] = [];
  const conversations: ConversationReport[] = [];
  for (const set of sets) reports.push(...(await evaluate(set, verbose, conversations)));
  const pdfRows = pdf ? await comparePdfWithMarkdown(verbose) : undefined;
  if (json) process.stdout.write(JSON.stringify([...reports, ...conversations, ...(pdfRows ?? [])]) + '\n');
  else {
    if (reports.length > 0) printTable(reports);
    if (conversations.length > 0) {
      console.log('');
      printConversationTable(conversations);
    }
    if (pdfRows) printPdfComparison(pdfRows);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
