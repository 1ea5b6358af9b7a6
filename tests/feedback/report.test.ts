import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { formatStatsText } from '../../src/feedback/report.ts';
import { FeedbackStore, type FeedbackReport } from '../../src/feedback/store.ts';
import { runEntry } from '../support/run-cli.ts';
import { tempDir } from '../support/temp.ts';

const open: FeedbackStore[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

function runStats(args: string[], env: Record<string, string>) {
  return runEntry('scripts/stats.ts', args, env);
}

/** A database with 3 questions in the last day: one asked twice, one refused, one 👎. */
async function filledDb(): Promise<string> {
  const file = path.join(await tempDir('mlbot-stats-'), 'feedback.sqlite');
  const store = FeedbackStore.open(file);
  const base = { guildId: null, userId: '123456789012345678', surface: 'cli' as const, confidence: 0.5 };
  const cite = [{ n: 1, source: 'roles.md', section: 'Skills', score: 0.5 }];
  store.recordQuestion({ ...base, question: 'What skills do I need?', refused: false, citations: cite });
  const q = store.recordQuestion({ ...base, question: 'what skills do I need', refused: false, citations: cite })!;
  store.recordVote(q, '123456789012345678', 'down', null);
  store.recordQuestion({ ...base, question: 'Best pizza in town?', refused: true, confidence: 0.1, citations: [] });
  store.close();
  return file;
}

describe('formatStatsText', () => {
  const report: FeedbackReport = {
    since: '2025-01-08T12:00:00.000Z',
    days: 7,
    questions: 4,
    refused: 1,
    refusalRate: 0.25,
    up: 2,
    down: 1,
    topQuestions: [
      { question: 'What skills\ndo I need?', count: 12 },
      { question: 'Best pizza?', count: 1 },
    ],
    gaps: [{ question: 'Best pizza?', count: 1, refused: 1, down: 1 }],
  };

  it('shows totals, the most asked questions on one line each, and the gaps with why', () => {
    const text = formatStatsText(report);
    expect(text).toContain('Last 7 days (since 2025-01-08 12:00 UTC): 4 questions, 1 refused (25.0%); feedback: 2 👍, 1 👎.');
    expect(text).toContain('  12× What skills do I need?');
    expect(text).toContain('   1× Best pizza?  (refused 1×, 1 👎)');
  });

  it('says when nothing was asked, and when there are no gaps', () => {
    expect(formatStatsText({ ...report, days: 1, questions: 0, refused: 0, refusalRate: 0, up: 0, down: 0, topQuestions: [], gaps: [] })).toBe(
      'Last 1 day (since 2025-01-08 12:00 UTC): no questions recorded.',
    );
    expect(formatStatsText({ ...report, gaps: [] })).toMatch(/Gaps.*\n {2}none$/);
  });
});

describe('feedback configuration', () => {
  it('defaults FEEDBACK_DB under data/, 90 days of retention, and no knowledge watching', () => {
    expect(loadConfig({}, '/app')).toMatchObject({ feedbackDb: '/app/data/feedback.sqlite', feedbackRetentionDays: 90, knowledgeWatch: false });
  });

  it('resolves FEEDBACK_DB against the working folder and reads FEEDBACK_RETENTION_DAYS', () => {
    expect(loadConfig({ FEEDBACK_DB: 'var/fb.db', FEEDBACK_RETENTION_DAYS: '30' }, '/app')).toMatchObject({ feedbackDb: '/app/var/fb.db', feedbackRetentionDays: 30 });
  });

  it.each(['0', '3651', '1.5', 'forever'])('rejects FEEDBACK_RETENTION_DAYS=%s', (value) => {
    expect(() => loadConfig({ FEEDBACK_RETENTION_DAYS: value })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('FEEDBACK_RETENTION_DAYS') }),
    );
  });
});

describe('npm run stats', () => {
  it('prints the report as one JSON object with --json', async () => {
    const file = await filledDb();
    const r = await runStats(['--json', '--days', '30'], { FEEDBACK_DB: file });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as FeedbackReport;
    expect(report).toMatchObject({ days: 30, questions: 3, refused: 1, refusalRate: 0.333, up: 0, down: 1 });
    expect(report.topQuestions[0]).toEqual({ question: 'what skills do I need', count: 2 });
    expect(report.gaps).toEqual([
      { question: 'what skills do I need', count: 2, refused: 0, down: 1 },
      { question: 'Best pizza in town?', count: 1, refused: 1, down: 0 },
    ]);
  });

  it('prints the text report by default', async () => {
    const file = await filledDb();
    const r = await runStats([], { FEEDBACK_DB: file });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Last 7 days \(since .*\): 3 questions, 1 refused \(33\.3%\)/);
    expect(r.stdout).toContain('2× what skills do I need');
  });

  it('says no questions were recorded yet when the database is missing, without creating it', async () => {
    const file = path.join(await tempDir('mlbot-stats-'), 'none', 'feedback.sqlite');
    const text = await runStats([], { FEEDBACK_DB: file });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('No questions recorded yet');
    const json = await runStats(['--json'], { FEEDBACK_DB: file });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ questions: 0, topQuestions: [], gaps: [] });
    expect(existsSync(path.dirname(file))).toBe(false);
  });

  it('rejects a bad --days with a usage line and exit code 2', async () => {
    const r = await runStats(['--days', '0'], { FEEDBACK_DB: '/nonexistent/feedback.sqlite' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--days needs a whole number');
  });
});
