import { citationLabel, groupSources, pagesSuffix } from '../answer/sources.ts';
import type { Answer, ReindexReport, SkillEntry } from '../types.ts';

/** The `--json` shape of DESIGN.md's contract (plus `truncated`, which the contract asks to be said). */
export interface JsonAnswer {
  question: string;
  refused: boolean;
  truncated: boolean;
  answer: string;
  /** `pages` only for a paged document (PDF): the pages the cited passage spans. */
  citations: { n: number; source: string; section: string; text: string; score: number; pages?: { first: number; last: number } }[];
  timings_ms: { total: number };
}

export function toJsonAnswer(answer: Answer): JsonAnswer {
  return {
    question: answer.question,
    refused: answer.refused,
    truncated: answer.truncated,
    answer: answer.answer,
    citations: answer.citations.map(({ n, source, section, text, score, pages }) => ({ n, source, section, text, score, ...(pages !== undefined && { pages }) })),
    timings_ms: { total: answer.timings.totalMs },
  };
}

export function formatAnswerText(answer: Answer): string {
  if (answer.citations.length === 0) return answer.answer;
  const sources = groupSources(answer.citations).map(
    // A web page's name is its URL: it is not repeated.
    (g) => `  ${citationLabel(g.numbers)} ${g.source}${pagesSuffix(g.pages)} — ${g.section}${g.url && g.url !== g.source ? ` <${g.url}>` : ''}`,
  );
  return `${answer.answer}\n\nSources:\n${sources.join('\n')}`;
}

export function formatSkillsText(skills: readonly SkillEntry[]): string {
  if (skills.length === 0) return 'The knowledge base lists no skills (no section whose heading mentions skills).';
  const lines = skills.map((s) => `• ${s.name}: ${s.description} [${s.citation.n}]`);
  const sources = [...new Set(skills.map((s) => `${s.citation.source} — ${s.citation.section}`))];
  return `Skills, as the knowledge base lists them:\n${lines.join('\n')}\n\nSource: ${sources.join('; ')}`;
}

export function formatReindexReport(r: ReindexReport): string {
  const lines = [
    `Indexed ${r.documents} document(s), ${r.chunks} passages in ${r.ms} ms (${r.embedded} embedded, ${r.reused} reused).`,
  ];
  if (r.added.length > 0) lines.push(`Added: ${r.added.join(', ')}`);
  if (r.changed.length > 0) lines.push(`Changed: ${r.changed.join(', ')}`);
  if (r.removed.length > 0) lines.push(`Removed: ${r.removed.join(', ')}`);
  for (const s of r.skipped) lines.push(`Skipped ${s.file}: ${s.reason}`);
  for (const s of r.stale ?? []) lines.push(`Not refreshed (last snapshot kept) ${s.file}: ${s.reason}`);
  return lines.join('\n');
}
