import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import { SERVER_QUOTA } from '../../src/engine/quotas.ts';
import { serverDirs } from '../../src/engine/servers.ts';
import { readManifest } from '../../src/store/index-store.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { knowledgeDir, SAMPLE_MD, tempDir } from '../support/temp.ts';

const A = '111111111111111111';
const B = '222222222222222222';

const GLACIERS = '# Glacier notes\n\n## Glacier hiking\n\nGlacier hiking needs crampons, an ice axe and a rope team.\n';
const PLANTED = '---\nurl: https://evil.example/login\n---\n\n# Account help\n\n## Verify your account\n\nVerify your fraud detection account at https://evil.example/steal today.\n';
const enc = (text: string) => new TextEncoder().encode(text);

async function setup(options: { maxLoadedServers?: number } = {}) {
  const dir = await knowledgeDir({ 'handbook.md': SAMPLE_MD });
  const work = await tempDir('mlbot-servers-');
  const config = { knowledgeDir: dir, indexDir: path.join(work, 'index'), dataDir: path.join(work, 'data'), embedder: 'use-lite' as const, ...options };
  const embedder = new FakeEmbedder();
  const engine = await Engine.open({ config, embedder });
  return { engine, config, embedder, dir };
}

const sources = (answer: { citations: { source: string }[] }) => answer.citations.map((c) => c.source);

describe('server knowledge', () => {
  it("answers a server's document in that server only, never in another server or a DM", async () => {
    const { engine } = await setup();
    const added = await engine.addDocument({ server: A, name: 'glaciers.md', bytes: enc(GLACIERS), replace: false });
    expect(added).toMatchObject({ file: 'glaciers.md', replaced: false, report: { added: ['glaciers.md'] } });

    const inA = await engine.ask('What does glacier hiking need?', { server: A });
    expect(inA.refused).toBe(false);
    expect(sources(inA)[0]).toBe('server:glaciers.md');

    for (const answer of [await engine.ask('What does glacier hiking need?', { server: B }), await engine.ask('What does glacier hiking need?')]) {
      expect(sources(answer).some((s) => s.includes('glaciers'))).toBe(false);
      expect(answer.answer).not.toMatch(/crampons/);
    }
    // The base still answers in A, in one ranking with A's documents.
    const banks = await engine.ask('Do banks use fraud detection?', { server: A });
    expect(sources(banks)[0]).toBe('handbook.md');
  });

  it("never lets a planted document reach another server's answers", async () => {
    const { engine } = await setup();
    await engine.addDocument({ server: A, name: 'account-help.md', bytes: enc(PLANTED), replace: false });
    const inA = await engine.ask('How do I verify my fraud detection account?', { server: A });
    expect(sources(inA)).toContain('server:account-help.md');
    for (const answer of [await engine.ask('How do I verify my fraud detection account?', { server: B }), await engine.ask('How do I verify my fraud detection account?')]) {
      expect(JSON.stringify(answer)).not.toContain('evil.example');
    }
  });

  it('lists the base and only that server\'s documents, each marked with its origin', async () => {
    const { engine } = await setup();
    await engine.addDocument({ server: A, name: 'glaciers.md', bytes: enc(GLACIERS), replace: false });
    const a = await engine.knowledgeOf({ server: A });
    expect(a.stats.documentsList.map((d) => [d.id, d.origin])).toEqual([
      ['handbook.md', 'base'],
      ['glaciers.md', 'server'],
    ]);
    const b = await engine.knowledgeOf({ server: B });
    expect(b.stats.documentsList.map((d) => d.id)).toEqual(['handbook.md']);
    expect(engine.stats().documentsList.map((d) => d.id)).toEqual(['handbook.md']);
    expect(b.skills().map((s) => s.name)).toEqual(engine.skills().map((s) => s.name));
  });

  it('refuses to let a server remove or replace a base document, and leaves the base answering', async () => {
    const { engine, dir } = await setup();
    await expect(engine.removeDocument({ server: A, name: 'handbook.md' })).rejects.toMatchObject({ code: 'KNOWLEDGE_NAME_IS_BASE' });
    await expect(engine.addDocument({ server: A, name: 'Handbook.md', bytes: enc(GLACIERS), replace: true })).rejects.toMatchObject({
      code: 'KNOWLEDGE_NAME_IS_BASE',
    });
    expect(await readdir(dir)).toEqual(['handbook.md']);
    expect(await readFile(path.join(dir, 'handbook.md'), 'utf8')).toBe(SAMPLE_MD);
    for (const server of [A, B, undefined]) {
      const answer = await engine.ask('Do banks use fraud detection?', server === undefined ? {} : { server });
      expect(sources(answer)[0]).toBe('handbook.md');
    }
  });

  it("rebuilds only the server asked for: neither another server's index nor the base is touched", async () => {
    const { engine, config } = await setup();
    await engine.addDocument({ server: A, name: 'glaciers.md', bytes: enc(GLACIERS), replace: false });
    await engine.addDocument({ server: B, name: 'pets.md', bytes: enc('# Pets\n\n## Cats\n\nCats sleep most of the day.\n'), replace: false });
    const before = {
      base: (await readManifest(config.indexDir))!.generation,
      b: (await readManifest(serverDirs(config.dataDir, B).indexDir))!.generation,
      a: (await readManifest(serverDirs(config.dataDir, A).indexDir))!.generation,
    };
    const report = await engine.reindex({ server: A });
    expect(report).toMatchObject({ documents: 1, embedded: 0 });
    expect((await readManifest(config.indexDir))!.generation).toBe(before.base);
    expect((await readManifest(serverDirs(config.dataDir, B).indexDir))!.generation).toBe(before.b);
    expect((await readManifest(serverDirs(config.dataDir, A).indexDir))!.generation).not.toBe(before.a);
  });

  it('keeps folder and index agreeing when the caller fails after an add', async () => {
    const { engine, config } = await setup();
    const caller = async () => {
      await engine.addDocument({ server: A, name: 'glaciers.md', bytes: enc(GLACIERS), replace: false });
      throw new Error('the reply could not be sent');
    };
    await expect(caller()).rejects.toThrow(/reply/);
    expect(await readdir(serverDirs(config.dataDir, A).knowledgeDir)).toEqual(['glaciers.md']);
    expect((await engine.knowledgeOf({ server: A })).stats.documentsList.map((d) => d.id)).toContain('glaciers.md');
    // …and a remove finds it.
    await engine.removeDocument({ server: A, name: 'glaciers.md' });
    expect(await readdir(serverDirs(config.dataDir, A).knowledgeDir)).toEqual([]);
    expect((await engine.knowledgeOf({ server: A })).stats.documentsList.map((d) => d.id)).toEqual(['handbook.md']);
    expect((await engine.ask('What does glacier hiking need?', { server: A })).answer).not.toMatch(/crampons/);
  });

  it('undoes an add whose reindex fails: the folder is as it was and the old index answers', async () => {
    const { engine, embedder, config } = await setup();
    await engine.addDocument({ server: A, name: 'glaciers.md', bytes: enc(GLACIERS), replace: false });
    embedder.failNext = true;
    await expect(engine.addDocument({ server: A, name: 'pets.md', bytes: enc('# Pets\n\n## Cats\n\nCats sleep all day.\n'), replace: false })).rejects.toMatchObject({
      code: 'KNOWLEDGE_CHANGE_UNDONE',
    });
    expect(await readdir(serverDirs(config.dataDir, A).knowledgeDir)).toEqual(['glaciers.md']);
    expect(sources(await engine.ask('What does glacier hiking need?', { server: A }))[0]).toBe('server:glaciers.md');
  });

  it('holds a server to its quota of documents and bytes, with a clear message, changing nothing', async () => {
    const { engine, config } = await setup();
    const doc = (i: number) => enc(`# Note ${i}\n\n## Topic ${i}\n\nNote number ${i} about topic ${i}.\n`);
    for (let i = 0; i < SERVER_QUOTA.documents; i++) {
      await engine.addDocument({ server: A, name: `note-${i}.md`, bytes: doc(i), replace: false });
    }
    await expect(engine.addDocument({ server: A, name: 'one-more.md', bytes: doc(99), replace: false })).rejects.toMatchObject({
      code: 'KNOWLEDGE_QUOTA',
      message: expect.stringMatching(/full: it already has 50 documents/),
    });
    // Replacing one of them is no new document.
    await engine.addDocument({ server: A, name: 'note-0.md', bytes: doc(100), replace: true });
    expect(await readdir(serverDirs(config.dataDir, A).knowledgeDir)).toHaveLength(SERVER_QUOTA.documents);

    // Bytes: documents put in B's folder on disk already take 4.5 MiB; one of 0.6 MiB more is refused.
    const { knowledgeDir } = serverDirs(config.dataDir, B);
    await mkdir(knowledgeDir, { recursive: true });
    for (let i = 0; i < 5; i++) await writeFile(path.join(knowledgeDir, `big-${i}.md`), `# Big ${i}\n\n${'x'.repeat(0.9 * 1024 * 1024)}\n`);
    const before = await readdir(knowledgeDir);
    await expect(
      engine.addDocument({ server: B, name: 'more.md', bytes: enc(`# More\n\n${'word '.repeat(120_000)}\n`), replace: false }),
    ).rejects.toMatchObject({ code: 'KNOWLEDGE_QUOTA', message: expect.stringMatching(/take 4\.5 MiB.*beyond 5\.0 MiB/) });
    expect(await readdir(knowledgeDir)).toEqual(before);
  }, 60_000);

  it('loads server indexes lazily from disk, keeps at most the configured number, and reopens evicted ones', async () => {
    const { engine, config } = await setup({ maxLoadedServers: 2 });
    const ids = ['300000000000000001', '300000000000000002', '300000000000000003'];
    for (const [i, id] of ids.entries()) {
      await engine.addDocument({ server: id, name: `topic-${i}.md`, bytes: enc(`# Topic ${i}\n\n## Zebra${i} facts\n\nZebra${i} stripes are unique.\n`), replace: false });
    }
    expect(engine.loadedServers).toBeLessThanOrEqual(2);
    // A fresh engine (a restart) finds every server's persisted index, embedding nothing.
    const embedder = new FakeEmbedder();
    const restarted = await Engine.open({ config, embedder });
    expect(restarted.loadedServers).toBe(0);
    for (const [i, id] of ids.entries()) {
      const answer = await restarted.ask(`Are zebra${i} stripes unique?`, { server: id });
      expect(sources(answer)[0]).toBe(`server:topic-${i}.md`);
      expect(restarted.loadedServers).toBeLessThanOrEqual(2);
    }
    expect(embedder.textsEmbedded).toBe(ids.length); // the three questions, no passage
    // The first server was evicted by the third; asked again, it is opened from disk again.
    expect(sources(await restarted.ask('Are zebra0 stripes unique?', { server: ids[0]! }))[0]).toBe('server:topic-0.md');
  });

  it('rebuilds a corrupt server index from its folder when it is opened', async () => {
    const { engine, config } = await setup();
    await engine.addDocument({ server: A, name: 'glaciers.md', bytes: enc(GLACIERS), replace: false });
    const { indexDir } = serverDirs(config.dataDir, A);
    await writeFile(path.join(indexDir, 'manifest.json'), '{"oops');
    const restarted = await Engine.open({ config, embedder: new FakeEmbedder() });
    expect(sources(await restarted.ask('What does glacier hiking need?', { server: A }))[0]).toBe('server:glaciers.md');
  });

  it('refuses a server id that is not a Discord id', async () => {
    const { engine } = await setup();
    await expect(engine.addDocument({ server: '../../etc', name: 'x.md', bytes: enc(GLACIERS), replace: false })).rejects.toMatchObject({ code: 'SERVER_ID_INVALID' });
  });
});
