/**
 * Smoke test of `npm run bench`: the tiniest setting (--smoke: 1 round, 1k vectors, one HNSW
 * setting, one start-up child, five real documents) as a child process with --json. Asserts the
 * report's shape and behaviour (one JSON object, finite figures, nothing re-embedded on an
 * unchanged reindex or for knowledge already indexed, nothing embedded by a cold host sharing
 * PostgreSQL), never timings: those
 * belong to the machine.
 */
import { describe, expect, it } from 'vitest';
import { runEntry } from './support/run-cli.ts';

function runBench(args: string[]) {
  return runEntry('scripts/bench.ts', args, { LOG_LEVEL: 'warn' });
}

const FIGURES = [
  'answer_p50_ms',
  'answer_p95_ms',
  'answer_cached_p50_ms',
  'answer_cached_p95_ms',
  'answer_embed_share',
  'answer_search_share',
  'query_embed_p50_ms',
  'build_ms',
  'build_chunks_per_s',
  'reindex_unchanged_ms',
  'reindex_unchanged_embedded',
  'startup_ms',
  'startup_child_uptime_ms',
  'rss_mb',
  'throughput_qps',
] as const;

describe('npm run bench --smoke --json', () => {
  it('prints exactly one JSON object with every figure finite', { timeout: 420_000 }, async () => {
    const r = await runBench(['--smoke', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as Record<string, unknown>;

    expect(report.machine).toMatchObject({ cpu: expect.any(String), cores: expect.any(Number), node: process.version });
    for (const key of FIGURES) {
      expect(typeof report[key], key).toBe('number');
      expect(Number.isFinite(report[key]), key).toBe(true);
    }
    expect(report.answer_p50_ms as number).toBeGreaterThan(0);
    expect(report.answer_p95_ms as number).toBeGreaterThanOrEqual(report.answer_p50_ms as number);
    // Behaviour, not timing: an unchanged reindex embeds nothing; the start-up child loaded the
    // persisted index instead of rebuilding it; concurrency does not change answers.
    expect(report.reindex_unchanged_embedded).toBe(0);
    expect(report.startup_reused_persisted_index).toBe(true);
    expect(report.throughput_answer_mismatches).toBe(0);
    // `npm run ask` answered both ways: from the sources under tsx and as compiled by npm run build.
    const ask = report.ask_startup as { tsx_runs_ms: number[]; compiled_runs_ms: number[]; build_ms: number };
    expect(ask.tsx_runs_ms).toHaveLength(1);
    expect(ask.compiled_runs_ms).toHaveLength(1);
    expect([...ask.tsx_runs_ms, ...ask.compiled_runs_ms, ask.build_ms].every((ms) => Number.isFinite(ms) && ms > 0)).toBe(true);

    // Real knowledge (the article + four small guide files in --smoke): the whole index rebuilt
    // from scratch on the worker while the child kept answering; every figure finite.
    const real = report.real_knowledge as Record<string, number> & { reindex: Record<string, number> };
    for (const key of ['build_ms', 'build_passages_per_s', 'answer_p50_ms', 'answer_p95_ms']) expect(Number.isFinite(real[key]), key).toBe(true);
    expect(real.documents).toBe(5);
    expect(real.answers_measured).toBeGreaterThan(0);
    for (const key of ['idle_p50_ms', 'during_p50_ms', 'during_p95_ms', 'rebuild_ms', 'rebuild_passages_per_s', 'peak_rss_mb']) {
      expect(Number.isFinite(real.reindex[key]), key).toBe(true);
    }
    expect(real.reindex.rebuild_embedded).toBe(real.passages);
    expect(real.reindex.during_answers).toBeGreaterThan(0);
    expect(real.reindex.peak_rss_mb).toBeGreaterThanOrEqual(real.reindex.rss_before_mb!);

    // Knowledge that grows (four files of each corpus in --smoke): built from scratch, then the guide
    // added by a reindex that embeds only what is new; answers measured in a process of their own.
    type Figures<K extends string> = Record<K, number>;
    const growth = report.growth as {
      build: Figures<'passages' | 'embedded' | 'ms' | 'passages_per_s' | 'peak_rss_mb'>;
      grown: Figures<'passages' | 'embedded' | 'reused' | 'ms'>;
      answers: Figures<'measured' | 'refused' | 'p50_ms' | 'p95_ms' | 'max_ms'>;
      answer_peak_rss_mb: number;
      startup_runs_ms: number[];
      startup_reused_persisted_index: boolean;
    };
    expect(growth.build.embedded).toBe(growth.build.passages);
    for (const key of ['ms', 'passages_per_s', 'peak_rss_mb'] as const) expect(Number.isFinite(growth.build[key]), key).toBe(true);
    expect(growth.grown.embedded + growth.grown.reused).toBe(growth.grown.passages);
    expect(growth.grown.reused).toBeGreaterThan(0);
    expect(growth.grown.passages).toBeGreaterThan(growth.build.passages);
    expect(growth.answers.measured).toBeGreaterThan(0);
    for (const key of ['p50_ms', 'p95_ms', 'max_ms'] as const) expect(Number.isFinite(growth.answers[key]), key).toBe(true);
    expect(Number.isFinite(growth.answer_peak_rss_mb)).toBe(true);
    // The grown knowledge's start-up loaded what the answering process left, without rebuilding it.
    expect(growth.startup_runs_ms.length).toBeGreaterThan(0);
    expect(growth.startup_reused_persisted_index).toBe(true);

    // Follow-ups and forums: every figure finite, every post of the burst answered (no timing asserted).
    const followUps = report.follow_ups as Record<string, number>;
    for (const key of ['follow_up_p50_ms', 'follow_up_p95_ms', 'plain_p50_ms', 'extra_p50_ms', 'extra_p95_ms']) expect(Number.isFinite(followUps[key]), key).toBe(true);
    expect(followUps.turns).toBeGreaterThan(0);
    const forum = report.forum as { bursts: Record<string, number>[]; latency_samples: number } & Record<string, number>;
    expect(forum.bursts).toHaveLength(1);
    expect(forum.bursts[0]!.answered).toBe(forum.bursts[0]!.posts);
    for (const key of ['mention_p50_ms', 'follow_up_mention_p50_ms', 'sustained_answers_per_s_without_429']) expect(Number.isFinite(forum[key]), key).toBe(true);

    // The many-servers figure: every server built and asked once; at most the configured number held.
    const servers = report.many_servers as Record<string, number>;
    expect(servers).toMatchObject({ servers: 10, documents_per_server: 5, built_now: 10 });
    for (const key of ['loaded_server_extra_p50_ms', 'cold_server_first_p50_ms', 'rss_peak_mb', 'sweep_ms']) expect(Number.isFinite(servers[key]), key).toBe(true);
    expect(servers.loaded_after_sweep).toBeLessThanOrEqual(servers.max_loaded_servers!);

    // Several hosts: a cold host built every server from the database embedding nothing but its one
    // question, and a document added on one host was answered on the other.
    const shared = report.shared_state as Record<string, Record<string, number>> & { postgres_routes: { route: string; failures: number }[] };
    for (const key of ['sqlite_p50_ms', 'sqlite_p95_ms', 'postgres_p50_ms', 'postgres_p95_ms']) expect(Number.isFinite(shared.record_question![key]), key).toBe(true);
    expect(shared.cold_host).toMatchObject({ servers: 10, open_texts_embedded: 0, texts_embedded: 1 });
    expect(Number.isFinite(shared.cold_host!.rss_peak_mb)).toBe(true);
    expect(shared.add_to_answer).toMatchObject({ adds: 2, timeouts: 0 });
    expect(Number.isFinite(shared.add_to_answer!.delay_p50_ms)).toBe(true);
    expect(shared.postgres_routes.find((r) => r.route === 'embedded')).toMatchObject({ failures: 0 });
    // PDFs: the guide's real PDF and a generated one (50 pages in --smoke), read on the PDF thread
    // while the engine kept answering.
    const pdf = report.pdf as { guide: Record<string, number>; generated: Record<string, number>; during: Record<string, number> };
    expect(pdf.guide.pages).toBe(11);
    expect(pdf.generated.pages).toBe(50);
    for (const key of ['read_ms', 'ms_per_page', 'peak_rss_mb']) expect(Number.isFinite(pdf.guide[key]) && Number.isFinite(pdf.generated[key]), key).toBe(true);
    expect(pdf.during.answers).toBeGreaterThan(0);
    expect(Number.isFinite(pdf.during.main_thread_stall_max_ms)).toBe(true);

    const vectorSearch = report.vector_search as { n: number; exact_p50_ms: number; hnsw: Record<string, number>[] }[];
    expect(vectorSearch.map((v) => v.n)).toEqual([1000]);
    expect(Number.isFinite(vectorSearch[0]!.exact_p50_ms)).toBe(true);
    expect(vectorSearch[0]!.hnsw.length).toBeGreaterThan(0);
    for (const row of vectorSearch[0]!.hnsw) {
      for (const key of ['m', 'efConstruction', 'ef', 'build_ms', 'query_p50_ms', 'recall_at_10']) {
        expect(Number.isFinite(row[key]), key).toBe(true);
      }
      expect(row.recall_at_10).toBeGreaterThanOrEqual(0);
      expect(row.recall_at_10).toBeLessThanOrEqual(1);
    }
  });
});
