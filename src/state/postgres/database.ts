/**
 * The connection to PostgreSQL (DATABASE_URL): a bounded pool (node-postgres), the schema brought
 * up to date at open under an advisory lock, and one listening connection that comes back by
 * itself after the server restarts. Every query is parameterised: SQL text never holds a value.
 */
import pg from 'pg';
import { BotError, botError, errorMessage } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { migrate } from './migrations.ts';

/** A connection attempt gives up after this long: a host never waits long on a database that is not there. */
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * At start a database out of reach is tried again for this long (it may be starting beside the
 * bot, as in a compose file) before start-up stops with DATABASE_UNAVAILABLE.
 */
const START_WAIT_MS = 10_000;
const START_RETRY_MS = 1_000;
/** A statement gives up after this long (server side and client side). */
const STATEMENT_TIMEOUT_MS = 10_000;
/** Idle pooled connections are closed after this long. */
const IDLE_TIMEOUT_MS = 30_000;
/** The listening connection is tried again after this long, doubling up to the maximum. */
const LISTEN_RETRY_MS = 500;
const LISTEN_RETRY_MAX_MS = 10_000;

export interface DatabaseOptions {
  url: string;
  /** Connections kept open at most. */
  poolMax: number;
  logger: Logger;
  /** Shown in pg_stat_activity, so an operator can tell hosts apart. */
  applicationName?: string;
}

/** Where the database is, for messages: host, port and database name; never the user or password. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname || '/'}`;
  } catch {
    return '(an unparsable URL)';
  }
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/**
 * Whether an error means "the database cannot be reached right now" (worth retrying later), as
 * opposed to a statement the database refused. Connection failures carry a system error code,
 * server shutdowns SQLSTATE class 08 or 57P0x, a full server 53300, and node-postgres's own
 * timeouts and lost connections only a message.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_CODES.has(code)) return true;
    if (code.startsWith('08') || /^57P0[1-3]$/.test(code) || code === '53300') return true;
    return false;
  }
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection ended/i.test(error.message);
}

type Params = readonly unknown[];

export class Database {
  private closed = false;

  private constructor(
    readonly pool: pg.Pool,
    /** host:port/name, for messages. */
    readonly name: string,
    private readonly options: DatabaseOptions,
  ) {}

  /**
   * Connects and brings the schema up to date. A database that cannot be reached, or refuses the
   * bot, throws DATABASE_UNAVAILABLE; a schema newer than this bot, DATABASE_SCHEMA_NEWER.
   */
  static async open(options: DatabaseOptions): Promise<Database> {
    const name = describeDatabase(options.url);
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: IDLE_TIMEOUT_MS,
      query_timeout: STATEMENT_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      application_name: options.applicationName ?? 'ml-careers-bot',
    });
    // A pooled connection the server drops while idle must not crash the process: the next query reconnects.
    pool.on('error', (error) => options.logger.warn({ database: name, err: errorMessage(error) }, 'a database connection was lost'));
    const database = new Database(pool, name, options);
    const started = Date.now();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await migrate(database, options.logger);
          return database;
        } catch (error) {
          if (!isUnavailable(error) || Date.now() - started + START_RETRY_MS > START_WAIT_MS) throw error;
          if (attempt === 1) options.logger.warn({ database: name, err: errorMessage(error), waitingMs: START_WAIT_MS }, 'the database is out of reach; trying again');
          await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS));
        }
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      if (error instanceof BotError) throw error;
      throw botError('DATABASE_UNAVAILABLE', { database: name, cause: errorMessage(error) }, error);
    }
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: Params = []): Promise<R[]> {
    return (await this.pool.query<R>(sql, params as unknown[])).rows;
  }

  /** Runs `work` in one transaction on one connection; rolled back if it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Listens on `channel` on a connection of its own. When the connection is lost (the server
   * restarted, the network broke), it is opened again with backoff and `onReconnect` is called,
   * since notifications sent meanwhile are lost. Returns a stop function.
   */
  listen(channel: string, onNotify: (payload: string) => void, onReconnect: () => void): () => Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
    let stopped = false;
    let client: pg.Client | undefined;
    let timer: NodeJS.Timeout | undefined;
    let delay = LISTEN_RETRY_MS;
    let lostSince: number | undefined;

    const connect = async (): Promise<void> => {
      timer = undefined;
      if (stopped) return;
      const next = new pg.Client({ connectionString: this.options.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: this.options.applicationName ?? 'ml-careers-bot' });
      let failed = false;
      const lost = (error?: Error) => {
        if (failed) return;
        failed = true;
        if (client === next) client = undefined;
        void next.end().catch(() => undefined);
        if (stopped) return;
        if (lostSince === undefined) {
          lostSince = Date.now();
          this.options.logger.warn({ database: this.name, channel, err: error ? errorMessage(error) : 'the connection ended' }, 'lost the database notification connection; reconnecting');
        }
        timer = setTimeout(() => void connect(), delay);
        timer.unref();
        delay = Math.min(delay * 2, LISTEN_RETRY_MAX_MS);
      };
      next.on('error', lost);
      next.on('end', () => lost());
      next.on('notification', (message) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      });
      try {
        await next.connect();
        await next.query(`LISTEN ${channel}`);
      } catch (error) {
        lost(error as Error);
        return;
      }
      if (stopped) {
        await next.end().catch(() => undefined);
        return;
      }
      client = next;
      delay = LISTEN_RETRY_MS;
      if (lostSince !== undefined) {
        this.options.logger.info({ database: this.name, channel, downMs: Date.now() - lostSince }, 'database notifications are back');
        lostSince = undefined;
        onReconnect();
      }
    };
    void connect();
    return async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => undefined);
      client = undefined;
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
