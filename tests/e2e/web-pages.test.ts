/**
 * End to end, web pages in the knowledge, with the real discord.js client against the emulator and
 * a local web server: a page added by URL answers, a changed page answers with its new text after
 * /reindex, a page that now 404s keeps answering from its last snapshot (and the report says so),
 * and every fetch that could reach the bot's own network, or that is too big, too slow or no page,
 * is refused with a clear message and nothing is stored.
 *
 * The bot reaches the test server on 127.0.0.1 only through TEST_ONLY_FETCH_ALLOW; a second bot
 * without it shows the refusals of private addresses, with a DNS answer faked by a preload.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snowflake, startDiscordEmulator, type DiscordEmulator } from '../support/discord-emulator.ts';
import { html, htmlPage, startPageServer, type PageServer } from '../support/page-server.ts';
import { botEnv, registerAndStartBot, type SpawnedBot } from '../support/spawn-bot.ts';

let server: PageServer;

beforeAll(async () => {
  server = await startPageServer();
});
afterAll(() => server?.close());

async function stop(bot: SpawnedBot | undefined): Promise<void> {
  if (bot && bot.child.exitCode === null) {
    bot.child.kill('SIGTERM');
    await bot.exited;
  }
}

/** The server's knowledge folder as files and their bytes (web snapshots included). */
async function folderState(bot: SpawnedBot, emulator: DiscordEmulator): Promise<Record<string, string>> {
  const dir = path.join(bot.env.DATA_DIR!, 'servers', emulator.guildId, 'knowledge');
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  const state: Record<string, string> = {};
  for (const entry of entries.map(String).sort()) state[entry] = await readFile(path.join(dir, entry), 'utf8').catch(() => '<folder>');
  return state;
}

function admin(emulator: DiscordEmulator) {
  return { userId: snowflake(), roles: [emulator.roleIds.moderator] };
}

async function addUrl(emulator: DiscordEmulator, url: string, timeoutMs = 30_000) {
  const add = emulator.injectInteraction({ commandName: 'knowledge', subcommand: 'add', options: { url }, ...admin(emulator) });
  return (await add.waitForEdit(() => true, { timeoutMs })).body.embeds![0]!;
}

async function ask(emulator: DiscordEmulator, question: string) {
  const handle = emulator.injectInteraction({ commandName: 'ask', options: { question }, userId: snowflake() });
  return (await handle.waitForEdit()).body.embeds![0]!;
}

describe('web pages, with the test server allow-listed', () => {
  let emulator: DiscordEmulator;
  let bot: SpawnedBot;

  beforeAll(async () => {
    emulator = await startDiscordEmulator({ waitTimeoutMs: 30_000, requireRegisteredCommands: true });
    bot = await registerAndStartBot(await botEnv(emulator, { TEST_ONLY_FETCH_ALLOW: '127.0.0.1' }));
  });
  afterAll(async () => {
    await stop(bot);
    await emulator?.close();
  });

  const fellowship = (weeks: string) =>
    htmlPage('The Aurora Fellowship', [
      `The Aurora Fellowship is a paid residency of ${weeks} for machine learning engineers who want to move into research, with a mentor from the research team.`,
      'Fellows apply in spring; the selection looks at a research proposal and two interviews with the research team.',
    ]);

  it('adds a page by URL and answers from it, citing its URL', async () => {
    server.set('/fellowship', html(fellowship('twelve weeks'), { etag: '"v1"' }));
    const url = server.url('/fellowship');
    const report = await addUrl(emulator, url);
    expect(report.title).toBe('Reindex complete');
    expect(report.description).toContain('Added:');
    expect(report.description).toContain('127.0.0.1');

    const answer = await ask(emulator, 'What is the Aurora Fellowship residency for machine learning engineers?');
    expect(answer.description).toContain('twelve weeks');
    expect(answer.fields!.map((f) => f.value).join('\n')).toContain(`<${url}>`);
    const state = await folderState(bot, emulator);
    expect(state['urls.txt']).toBe(`${url}\n`);
    expect(Object.keys(state).filter((f) => f.startsWith('.web/'))).toHaveLength(1);
  });

  it('answers from the new text after the page changes and /reindex fetches it again (conditionally)', async () => {
    server.set('/fellowship', (req, res) => {
      if (req.headers['if-none-match'] === '"v2"') res.writeHead(304).end();
      else html(fellowship('sixteen weeks'), { etag: '"v2"' })(req, res);
    });
    const reindex = emulator.injectInteraction({ commandName: 'reindex', ...admin(emulator) });
    const report = (await reindex.waitForEdit((e) => e.body.embeds?.[0]?.title === 'Reindex complete')).body.embeds![0]!;
    expect(report.description).toContain('Changed:');
    expect(server.requests.filter((r) => r.path === '/fellowship').at(-1)?.ifNoneMatch).toBe('"v1"');

    const answer = await ask(emulator, 'How long does the Aurora Fellowship residency last?');
    expect(answer.description).toContain('sixteen weeks');
    expect(answer.description).not.toContain('twelve weeks');
  });

  it('keeps the last snapshot of a page that now answers 404, and says so in the report', async () => {
    server.set('/fellowship', (_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<p>gone</p>'));
    const before = await folderState(bot, emulator);
    const reindex = emulator.injectInteraction({ commandName: 'reindex', ...admin(emulator) });
    const report = (await reindex.waitForEdit((e) => e.body.embeds?.[0]?.title === 'Reindex complete')).body.embeds![0]!;
    const kept = report.fields!.find((f) => f.name.startsWith('Pages not refreshed, last snapshot kept'))!;
    expect(kept.value).toMatch(/HTTP 404.*snapshot of .* is kept/);
    expect(await folderState(bot, emulator)).toEqual(before);

    const answer = await ask(emulator, 'How long is the Aurora Fellowship residency?');
    expect(answer.description).toContain('sixteen weeks');
  });

  it.each([
    ['a redirect to a private address', '/to-private', (_req: unknown, res: import('node:http').ServerResponse) => res.writeHead(302, { location: 'http://10.20.30.40/admin' }).end(), /10\.20\.30\.40 is a private-network address/],
    [
      'a 50 MiB body',
      '/huge',
      (_req: unknown, res: import('node:http').ServerResponse) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = Buffer.alloc(1024 * 1024, 0x61);
        let sent = 0;
        const push = () => {
          while (sent < 50 && res.write(chunk)) sent++;
          if (sent >= 50) res.end();
          else res.once('drain', () => ((sent += 1), push()));
        };
        res.on('close', () => (sent = 50));
        push();
      },
      /too large \W+more than 5242880 bytes/,
    ],
    [
      'a slow body',
      '/slow',
      (_req: unknown, res: import('node:http').ServerResponse) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        const timer = setInterval(() => res.write('<p>more</p>'), 500);
        res.on('close', () => clearInterval(timer));
      },
      /no complete answer within 15 s/,
    ],
    ['a wrong content type', '/binary', (_req: unknown, res: import('node:http').ServerResponse) => res.writeHead(200, { 'content-type': 'application/zip' }).end(Buffer.alloc(64)), /content type is application\/zip/],
  ])('refuses %s with a clear message and stores nothing', async (_what, route, handler, reason) => {
    server.set(route, handler);
    const before = await folderState(bot, emulator);
    const reply = await addUrl(emulator, server.url(route), 40_000);
    expect(reply.description).toMatch(/was not added to the knowledge/);
    expect(reply.description).toMatch(reason);
    expect(reply.description).toMatch(/The knowledge is unchanged\./);
    expect(await folderState(bot, emulator)).toEqual(before);
  }, 60_000);

  it('spoke only known routes', () => {
    emulator.assertNoUnknownRoutes();
  });
});

describe('web pages, without the allow-list', () => {
  let emulator: DiscordEmulator;
  let bot: SpawnedBot;

  beforeAll(async () => {
    emulator = await startDiscordEmulator({ waitTimeoutMs: 30_000, requireRegisteredCommands: true });
    const preload = pathToFileURL(path.join(import.meta.dirname, '..', 'support', 'fake-dns.mjs')).href;
    bot = await registerAndStartBot(await botEnv(emulator, { NODE_OPTIONS: `--import=${preload}`, FAKE_DNS_HOSTS: 'careers.example.test=10.0.0.7' }));
  });
  afterAll(async () => {
    await stop(bot);
    await emulator?.close();
  });

  it.each([
    ['127.0.0.1 (the test server itself)', () => server.url('/fellowship'), /127\.0\.0\.1 is a loopback address/],
    ['a 10.x address', () => 'http://10.1.2.3/careers', /10\.1\.2\.3 is a private-network address/],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
    ['the IPv6 loopback', () => 'http://[::1]/', /::1 is a loopback address/],
    ['a name that resolves to a private address', () => 'http://careers.example.test/jobs', /careers\.example\.test: it resolves to 10\.0\.0\.7 is a private-network address/],
  ])('refuses %s with a clear message and stores nothing', async (_what, url, reason) => {
    const requests = server.requests.length;
    const reply = await addUrl(emulator, url());
    expect(reply.description).toMatch(/was not added to the knowledge/);
    expect(reply.description).toMatch(reason);
    expect(await folderState(bot, emulator)).toEqual({});
    expect(server.requests.length).toBe(requests);
  });
});
