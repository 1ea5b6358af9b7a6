import type { FeedbackReport } from './store.ts';

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Shown on one line, however the question was written. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The feedback report for a terminal: totals, the most asked questions, and the knowledge gaps. */
export function formatStatsText(report: FeedbackReport): string {
  const window = `Last ${plural(report.days, 'day')} (since ${report.since.slice(0, 16).replace('T', ' ')} UTC)`;
  if (report.questions === 0) return `${window}: no questions recorded.`;

  const lines = [
    `${window}: ${plural(report.questions, 'question')}, ${report.refused} refused (${percent(report.refusalRate)}); ` +
      `feedback: ${report.up} 👍, ${report.down} 👎.`,
  ];
  const width = String(Math.max(0, ...report.topQuestions.map((q) => q.count), ...report.gaps.map((g) => g.count))).length;
  const count = (n: number) => `${String(n).padStart(width)}×`;

  if (report.topQuestions.length > 0) {
    lines.push('', 'Most asked:');
    for (const q of report.topQuestions) lines.push(`  ${count(q.count)} ${oneLine(q.question)}`);
  }
  lines.push('', 'Gaps (refused or 👎: consider adding to the knowledge):');
  if (report.gaps.length === 0) lines.push('  none');
  for (const g of report.gaps) {
    const why = [g.refused > 0 ? `refused ${g.refused}×` : '', g.down > 0 ? `${g.down} 👎` : ''].filter(Boolean).join(', ');
    lines.push(`  ${count(g.count)} ${oneLine(g.question)}  (${why})`);
  }
  return lines.join('\n');
}
