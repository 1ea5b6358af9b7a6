/**
 * Retrieval and answer quality on labelled questions (default: ../shared/eval/questions.dev.jsonl).
 * Usage: npm run eval [-- [--json] [--verbose] file.jsonl ...]
 * A question expecting an answer "hits at k" when one of its k best-scored citations contains a
 * gold phrase in its passage or section name.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import 'dotenv/config';
import { loadConfig } from '../src/config.ts';
import { Engine } from '../src/engine/engine.ts';
import { createLogger } from '../src/logger.ts';
import type { Answer } from '../src/types.ts';

interface LabelledQuestion {
  id: string;
  question: string;
  expect: 'answer' | 'refuse';
  gold: string[];
}

interface Outcome {
  q: LabelledQuestion;
  answer: Answer;
  /** 1-based rank of the first citation containing a gold phrase, or 0. */
  rank: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_SET = path.resolve(here, "..", "..", "shared", "eval", "questions.dev.jsonl");

function readQuestions(file: string): LabelledQuestion[] {
  if (!existsSync(file)) throw new Error(`Question file not found: ${file}`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as LabelledQuestion;
      } catch {
        throw new Error(`${file}:${i + 1} is not valid JSON`);
      }
    });
}

const fold = (s: string) => s.toLowerCase().replace(/[’‘]/g, "'").replace(/\s+/g, ' ');

function firstGoldRank(answer: Answer, gold: readonly string[]): number {
  const byScore = [...answer.citations].sort((a, b) => a.rank - b.rank);
  const index = byScore.findIndex((c) => gold.some((g) => fold(`${c.section}\n${c.text}`).includes(fold(g))));
  return index + 1;
}

function summarize(name: string, outcomes: Outcome[]) {
  const answerable = outcomes.filter((o) => o.q.expect === 'answer');
  const refusable = outcomes.filter((o) => o.q.expect === 'refuse');
  const hitAt = (k: number) => answerable.filter((o) => o.rank > 0 && o.rank <= k).length;
  const mrr = answerable.reduce((sum, o) => sum + (o.rank > 0 ? 1 / o.rank : 0), 0) / Math.max(1, answerable.length);
  return {
    set: name,
    questions: outcomes.length,
    answerable: answerable.length,
    hit_at_1: hitAt(1),
    hit_at_3: hitAt(3),
    mrr: Math.round(mrr * 1000) / 1000,
    false_refusals: answerable.filter((o) => o.answer.refused).length,
    refusals_expected: refusable.length,
    refused_correctly: refusable.filter((o) => o.answer.refused).length,
    misses: outcomes
      .filter((o) => (o.q.expect === 'answer' ? o.rank === 0 || o.rank > 3 : !o.answer.refused))
      .map((o) => o.q.id),
  };
}

async function main() {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const verbose = args.includes('--verbose');
  const files = args.filter((a) => !a.startsWith('--'));
  const sets = files.length > 0 ? files.map((f) => path.resolve(f)) : [DEFAULT_SET];

  const config = loadConfig();
  const engine = await Engine.open({ config, logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
  const reports = [];
  for (const file of sets) {
    const outcomes: Outcome[] = [];
    for (const q of readQuestions(file)) {
      const answer = await engine.ask(q.question);
      outcomes.push({ q, answer, rank: q.expect === 'answer' ? firstGoldRank(answer, q.gold) : 0 });
    }
    if (verbose) {
      for (const o of outcomes) {
        const verdict = o.q.expect === 'answer' ? (o.answer.refused ? 'REFUSED' : `rank ${o.rank || '-'}`) : o.answer.refused ? 'refused' : 'ANSWERED';
        process.stderr.write(`${o.q.id.padEnd(4)} conf ${o.answer.confidence.toFixed(3)}  ${verdict.padEnd(8)} ${o.q.question}\n`);
      }
    }
    reports.push(summarize(path.basename(file), outcomes));
  }
  await engine.close();

  if (json) {
    process.stdout.write(JSON.stringify(reports.length === 1 ? reports[0] : reports) + '\n');
    return;
  }
  const rows = reports.map((r) => [
    r.set,
    `${r.hit_at_1}/${r.answerable}`,
    `${r.hit_at_3}/${r.answerable}`,
    r.mrr.toFixed(3),
    `${r.false_refusals}/${r.answerable}`,
    `${r.refused_correctly}/${r.refusals_expected}`,
    r.misses.join(' ') || '-',
  ]);
  const head = ['set', 'hit@1', 'hit@3', 'MRR', 'false refusals', 'refusal accuracy', 'misses'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) => cells.map((c, i) => String(c).padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
