/**
 * /knowledge add through the error boundary, with a real engine and folder: the outcome is the
 * reindex's alone. A reply that fails after a successful reindex keeps the document (folder and
 * index agree); a reindex that fails undoes the change and says so.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.ts';
import { guardInteraction } from '../../src/discord/boundary.ts';
import { knowledge } from '../../src/discord/commands/knowledge.ts';
import type { BotContext } from '../../src/discord/context.ts';
import { BotOwners } from '../../src/discord/owners.ts';
import { Engine } from '../../src/engine/engine.ts';
import { serverDirs } from '../../src/engine/servers.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { knowledgeDir, SAMPLE_MD, tempDir } from '../support/temp.ts';

const ADMIN = '111111111111111111';
const SERVER = '222222222222222222';
const DOCUMENT = '# Interview tips\n\n## Take-home assignments\n\nMany ML interviews include a take-home assignment graded on code quality.\n';

let server: Server;
let fileUrl: string;

beforeAll(async () => {
  // Stands in for Discord's CDN: the handler downloads the attachment from its URL.
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/markdown' }).end(DOCUMENT));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fileUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/interview-tips.md`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function setup() {
  const dir = await knowledgeDir({ 'handbook.md': SAMPLE_MD });
  const embedder = new FakeEmbedder();
  const work = await tempDir('mlbot-index-');
  const engine = await Engine.open({ config: { knowledgeDir: dir, indexDir: path.join(work, 'index'), dataDir: path.join(work, 'data'), embedder: 'use-lite' }, embedder });
  const { logger, lines } = captureLogger();
  const config = { knowledgeDir: dir, adminUserIds: [ADMIN], adminRoleIds: [] } as unknown as Config;
  const ctx = { engine, logger, config, owners: new BotOwners(config) } as unknown as BotContext;
  // The document goes to the invoking server's own folder.
  const serverDir = serverDirs(path.join(work, 'data'), SERVER).knowledgeDir;
  return { dir, serverDir, engine, embedder, ctx, lines };
}

/** A /knowledge add interaction by a bot admin; `editReply` fails when `replyFails`. */
function addInteraction(replyFails: boolean) {
  const edits: unknown[] = [];
  const fake = {
    commandName: 'knowledge',
    user: { id: ADMIN },
    guildId: SERVER,
    memberPermissions: null,
    member: null,
    deferred: false,
    replied: false,
    options: {
      getSubcommand: () => 'add',
      getAttachment: () => ({ name: 'interview-tips.md', size: DOCUMENT.length, url: fileUrl }),
      getBoolean: () => null,
      getString: () => null,
    },
    async deferReply() {
      fake.deferred = true;
    },
    async editReply(payload: unknown) {
      if (replyFails) throw new Error('the connection to Discord was lost');
      edits.push(payload);
    },
    async followUp(payload: unknown) {
      edits.push(payload);
    },
    async reply(payload: unknown) {
      edits.push(payload);
    },
  };
  return { fake, edits };
}

describe('/knowledge add', () => {
  it('keeps the document when the reply fails after the reindex: folder and index agree', async () => {
    const { dir, serverDir, engine, ctx, lines } = await setup();
    const { fake } = addInteraction(true);
    await guardInteraction(fake as never, ctx.logger, { command: 'knowledge' }, () => knowledge.execute(fake as never, ctx));

    expect(await readdir(serverDir)).toContain('interview-tips.md');
    expect(await readdir(dir)).toEqual(['handbook.md']);
    expect((await engine.knowledgeOf({ server: SERVER })).stats.documentsList.map((d) => d.id)).toContain('interview-tips.md');
    const answer = await engine.ask('Do ML interviews include a take-home assignment?', { server: SERVER });
    expect(answer.citations[0]?.source).toBe('server:interview-tips.md');
    expect(lines().some((l) => l.msg === 'command failed')).toBe(true);
    expect(lines().some((l) => l.msg === 'knowledge change undone')).toBe(false);
    await engine.close();
  });

  it('undoes the change when the reindex fails, and says so', async () => {
    const { dir, serverDir, engine, embedder, ctx } = await setup();
    embedder.failNext = true;
    const { fake, edits } = addInteraction(false);
    await guardInteraction(fake as never, ctx.logger, { command: 'knowledge' }, () => knowledge.execute(fake as never, ctx));

    expect(await readdir(dir)).toEqual(['handbook.md']);
    expect(await readdir(serverDir)).toEqual([]);
    expect((await engine.knowledgeOf({ server: SERVER })).stats.documentsList.map((d) => d.id)).toEqual(['handbook.md']);
    expect(JSON.stringify(edits)).toMatch(/The change to interview-tips\.md was undone: Reindex failed/);
    await engine.close();
  });
});
