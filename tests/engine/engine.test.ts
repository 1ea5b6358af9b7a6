import { readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { BuildWorker } from '../../src/engine/build-worker.ts';
import { Engine, MAX_QUESTION_CHARS } from '../../src/engine/engine.ts';
import type { BuildProgress } from '../../src/types.ts';
import { sharedPdfReader } from '../../src/ingest/pdf/pdf-reader.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { makePdf, paragraph } from '../support/make-pdf.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { knowledgeDir, SAMPLE_MD, tempDir } from '../support/temp.ts';

async function setup(files: Record<string, string | Uint8Array> = { 'handbook.md': SAMPLE_MD }) {
  const dir = await knowledgeDir(files);
  const indexDir = path.join(await tempDir('mlbot-index-'), 'index');
  const config = { knowledgeDir: dir, indexDir, embedder: 'use-lite' as const };
  return { dir, indexDir, config };
}

async function generationDir(indexDir: string): Promise<string> {
  const gen = (await readdir(indexDir)).find((n) => n.startsWith('gen-'));
  return path.join(indexDir, gen!);
}

describe('Engine', () => {
  it('answers with citations and refuses what the knowledge does not cover', async () => {
    const { config } = await setup();
    const engine = await Engine.open({ config, embedder: new FakeEmbedder() });
    const answer = await engine.ask('Do banks use fraud detection?');
    expect(answer.refused).toBe(false);
    expect(answer.citations[0]).toMatchObject({ n: 1, source: 'handbook.md', section: 'Banking' });
    expect(answer.answer).toContain('[1]');

    const offTopic = await engine.ask('banana bread recipe please');
    expect(offTopic).toMatchObject({ refused: true, refusalReason: 'off-topic', citations: [] });
    expect(offTopic.answer).toMatch(/Salaries; Tools; Banking/);
  });

  it('refuses empty and unreadable questions and truncates over-long ones, saying so', async () => {
    const { config } = await setup();
    const engine = await Engine.open({ config, embedder: new FakeEmbedder() });
    expect(await engine.ask('   ')).toMatchObject({ refused: true, refusalReason: 'empty' });
    expect(await engine.ask('?!… ---')).toMatchObject({ refused: true, refusalReason: 'unclear' });
    const long = await engine.ask('Do banks use fraud detection? ' + 'really '.repeat(200));
    expect(long.truncated).toBe(true);
    expect(long.question.length).toBeLessThanOrEqual(MAX_QUESTION_CHARS);
    expect(long.answer).toMatch(/first 500 characters/);
  });

  it('persists the index and reuses it on the next start without embedding anything', async () => {
    const { config } = await setup();
    const first = new FakeEmbedder();
    const engine = await Engine.open({ config, embedder: first });
    expect(first.textsEmbedded).toBe(engine.stats().chunks);

    const second = new FakeEmbedder();
    const reopened = await Engine.open({ config, embedder: second });
    expect(second.textsEmbedded).toBe(0);
    expect(reopened.stats()).toEqual(engine.stats());
    expect((await reopened.ask('Do banks use fraud detection?')).citations[0]!.section).toBe('Banking');
  });

  it('opens the index of an unchanged folder without reading its documents, and still warns of the files it skipped', async () => {
    const { config } = await setup({ 'handbook.md': SAMPLE_MD, 'empty.md': '   \n' });
    await Engine.open({ config, embedder: new FakeEmbedder() });

    const { logger, lines } = captureLogger();
    const reopened = await Engine.open({ config, embedder: new FakeEmbedder(), logger });
    const messages = lines().map((l) => String(l.msg));
    expect(messages).toContain('loaded the persisted index (knowledge unchanged)');
    expect(lines().some((l) => l.level === 40 && l.file === 'empty.md' && l.reason === 'empty')).toBe(true);
    expect((await reopened.ask('Do banks use fraud detection?')).citations[0]!.section).toBe('Banking');
  });

  it('does not read an unchanged PDF again at start, and reads it again once its bytes change', async () => {
    const pdf = await makePdf({ pages: [[{ text: 'Careers', x: 50, y: 60, size: 20, bold: true }, ...paragraph('Banks hire machine learning engineers to build fraud detection models.', 50, 100, 480)]] });
    const { config, dir } = await setup({ 'handbook.md': SAMPLE_MD, 'careers.pdf': pdf });
    // Every read is counted, including those the reader answers from its memory of a hash.
    const reads = vi.spyOn(sharedPdfReader, 'read');
    try {
      await Engine.open({ config, embedder: new FakeEmbedder() });
      expect(reads).toHaveBeenCalledTimes(1);

      await Engine.open({ config, embedder: new FakeEmbedder() });
      expect(reads).toHaveBeenCalledTimes(1);

      const changed = await makePdf({ pages: [[{ text: 'Careers', x: 50, y: 60, size: 20, bold: true }, ...paragraph('Hospitals hire machine learning engineers too.', 50, 100, 480)]] });
      await writeFile(path.join(dir, 'careers.pdf'), changed);
      const reopened = await Engine.open({ config, embedder: new FakeEmbedder() });
      expect(reads).toHaveBeenCalledTimes(2);
      expect((await reopened.ask('Do hospitals hire machine learning engineers?')).citations.map((c) => c.source)).toContain('careers.pdf');
    } finally {
      reads.mockRestore();
    }
  });

  it.each([
    ['an edited document', (dir: string) => writeFile(path.join(dir, 'handbook.md'), SAMPLE_MD.replace('fraud detection', 'fraud screening'))],
    ['a new document', (dir: string) => writeFile(path.join(dir, 'pets.md'), '# Pets\n\n## Cats\n\nCats sleep most of the day.\n')],
    ['a new file it cannot read', (dir: string) => writeFile(path.join(dir, 'broken.md'), Buffer.from([0, 159, 146, 150]))],
  ])('notices %s made while it was stopped', async (_name, change) => {
    const { config, dir } = await setup();
    await Engine.open({ config, embedder: new FakeEmbedder() });
    await change(dir);

    const { logger, lines } = captureLogger();
    const reopened = await Engine.open({ config, embedder: new FakeEmbedder(), logger });
    expect(lines().map((l) => String(l.msg))).not.toContain('loaded the persisted index (knowledge unchanged)');
    const expected = await Engine.open({ config: { ...config, indexDir: path.join(await tempDir('mlbot-fresh-'), 'index') }, embedder: new FakeEmbedder() });
    expect(reopened.stats().documentsList.map((d) => [d.id, d.chunks])).toEqual(expected.stats().documentsList.map((d) => [d.id, d.chunks]));
    // Noticed once: the index it updated (or found current) is vouched for at the next start.
    const { logger: nextLogger, lines: nextLines } = captureLogger();
    await Engine.open({ config, embedder: new FakeEmbedder(), logger: nextLogger });
    expect(nextLines().map((l) => String(l.msg))).toContain('loaded the persisted index (knowledge unchanged)');
  });

  it.each([
    ['no record of its folder (an index from an earlier version)', (indexDir: string) => rm(path.join(indexDir, 'source.json'))],
    ['the record of another generation', (indexDir: string) => writeFile(path.join(indexDir, 'source.json'), JSON.stringify({ generation: 'gen-1-abcdef', fingerprint: 'f' }))],
    ['an unreadable record', (indexDir: string) => writeFile(path.join(indexDir, 'source.json'), '{"generation":')],
  ])('reads the documents to check an index with %s, loads it without embedding, and records it', async (_name, change) => {
    const { config, indexDir } = await setup();
    await Engine.open({ config, embedder: new FakeEmbedder() });
    await change(indexDir);

    const { logger, lines } = captureLogger();
    const embedder = new FakeEmbedder();
    await Engine.open({ config, embedder, logger });
    expect(embedder.textsEmbedded).toBe(0);
    expect(lines().map((l) => String(l.msg))).toContain('loaded the persisted index');
    const { logger: nextLogger, lines: nextLines } = captureLogger();
    await Engine.open({ config, embedder: new FakeEmbedder(), logger: nextLogger });
    expect(nextLines().map((l) => String(l.msg))).toContain('loaded the persisted index (knowledge unchanged)');
  });

  it.each([
    ['a torn HNSW file', async (gen: string) => writeFile(path.join(gen, 'hnsw.bin'), 'garbage')],
    ['a missing chunks file', async (gen: string) => unlink(path.join(gen, 'chunks.json'))],
    ['a manifest that is not JSON', async (_gen: string, indexDir: string) => writeFile(path.join(indexDir, 'manifest.json'), '{"oops')],
  ])('rebuilds from the knowledge, with a warning, when the index has %s', async (_name, corrupt) => {
    const { config, indexDir } = await setup();
    await Engine.open({ config, embedder: new FakeEmbedder() });
    await corrupt(await generationDir(indexDir), indexDir);

    const { logger, lines } = captureLogger();
    const embedder = new FakeEmbedder();
    const engine = await Engine.open({ config, embedder, logger });
    expect(lines().some((l) => l.level === 40 && /unusable/.test(String(l.msg)))).toBe(true);
    expect(embedder.textsEmbedded).toBe(engine.stats().chunks);
    expect((await engine.ask('Do banks use fraud detection?')).refused).toBe(false);
    // The rebuilt index is whole again: the next start loads it.
    const next = new FakeEmbedder();
    await Engine.open({ config, embedder: next });
    expect(next.textsEmbedded).toBe(0);
  });

  it('rebuilds when the index was made by another embedder', async () => {
    const { config } = await setup();
    await Engine.open({ config, embedder: new FakeEmbedder(64, 'fake-a') });
    const other = new FakeEmbedder(32, 'fake-b');
    const engine = await Engine.open({ config, embedder: other });
    expect(engine.stats()).toMatchObject({ embedder: 'fake-b', dim: 32 });
    expect(other.textsEmbedded).toBe(engine.stats().chunks);
  });

  it('reindexes incrementally: only new or changed passages are embedded, removed documents vanish', async () => {
    const { config, dir } = await setup({ 'handbook.md': SAMPLE_MD, 'extra.md': '# Extra\n\n## Pets\n\nCats sleep most of the day.\n' });
    const embedder = new FakeEmbedder();
    const engine = await Engine.open({ config, embedder });
    const total = engine.stats().chunks;

    const unchanged = await engine.reindex();
    expect(unchanged).toMatchObject({ embedded: 0, reused: total, added: [], changed: [], removed: [] });

    await writeFile(path.join(dir, 'handbook.md'), SAMPLE_MD.replace('every day', 'every single hour'));
    await rm(path.join(dir, 'extra.md'));
    await writeFile(path.join(dir, 'new.md'), '# New\n\n## Hiring\n\nStartups hire generalists.\n');
    const report = await engine.reindex();
    expect(report).toMatchObject({ embedded: 2, changed: ['handbook.md'], removed: ['extra.md'], added: ['new.md'] });
    expect(report.embedded + report.reused).toBe(report.chunks);
    const cats = await engine.ask('Do cats sleep most of the day?');
    expect(cats.citations.map((c) => c.source)).not.toContain('extra.md');
    expect(engine.stats().documentsList.map((d) => d.id)).toEqual(['handbook.md', 'new.md']);
    expect((await engine.ask('Do startups hire generalists?')).citations[0]!.source).toBe('new.md');
  });

  it('coalesces requests made during a run into one follow-up run that sees their changes', async () => {
    const { config, dir } = await setup();
    const embedder = new FakeEmbedder();
    const engine = await Engine.open({ config, embedder });
    await writeFile(path.join(dir, 'more.md'), '# More\n\n## Remote\n\nRemote work is common for engineers.\n');
    const textsBefore = embedder.textsEmbedded;
    const first = engine.reindex();
    // Written after the first run started: only a later run can see it.
    await writeFile(path.join(dir, 'late.md'), '# Late\n\n## Visas\n\nVisa sponsorship varies by employer.\n');
    const [a, b, c] = await Promise.all([first, engine.reindex(), engine.reindex()]);
    expect(b).toBe(c);
    expect(a).not.toBe(b);
    expect(b.added).toEqual(a.added.includes('late.md') ? [] : ['late.md']);
    expect(engine.stats().documentsList.map((d) => d.id)).toEqual(['handbook.md', 'late.md', 'more.md']);
    // Two runs for three requests, and each new passage embedded exactly once.
    expect(embedder.textsEmbedded - textsBefore).toBe(2);
  });

  it('keeps answering from the old index when a reindex fails', async () => {
    const { config, dir } = await setup();
    const embedder = new FakeEmbedder();
    const engine = await Engine.open({ config, embedder });
    const before = await engine.ask('Do banks use fraud detection?');

    await writeFile(path.join(dir, 'handbook.md'), SAMPLE_MD.replace('Banks use', 'Lenders use'));
    embedder.failNext = true;
    await expect(engine.reindex()).rejects.toMatchObject({ code: 'REINDEX_FAILED' });
    expect(await engine.ask('Do banks use fraud detection?')).toMatchObject({ refused: false, citations: before.citations });

    // The next reindex is not stuck behind the failed one.
    await expect(engine.reindex()).resolves.toMatchObject({ changed: ['handbook.md'] });
  });

  it('keeps answering from the old index when the build worker thread dies during a reindex', async () => {
    const { config, dir } = await setup();
    await Engine.open({ config, embedder: new FakeEmbedder() }); // builds and persists the index
    const buildWork = new BuildWorker(config, { entry: new URL('../support/crashing-build-worker.ts', import.meta.url) });
    const engine = await Engine.open({ config, embedder: new FakeEmbedder(), buildWork });
    const before = await engine.ask('Do banks use fraud detection?');

    await writeFile(path.join(dir, 'more.md'), '# More\n\n## Remote\n\nRemote work is common for engineers.\n');
    const failure = engine.reindex();
    await expect(failure).rejects.toMatchObject({ code: 'REINDEX_FAILED' });
    await expect(failure).rejects.toThrow(/previous index keeps answering: The index build worker thread failed: it exited with code 70/);
    expect(await engine.ask('Do banks use fraud detection?')).toMatchObject({ refused: false, citations: before.citations });
    expect(engine.stats().documentsList.map((d) => d.id)).toEqual(['handbook.md']);
    await buildWork.dispose();
  });

  it('reports the build it ran at open: every passage embedded, none reused; a current index is loaded without a report', async () => {
    const { config } = await setup();
    const engine = await Engine.open({ config, embedder: new FakeEmbedder() });
    const report = engine.builtAtOpen!;
    expect(report).toMatchObject({ documents: 1, embedded: engine.stats().chunks, reused: 0, added: ['handbook.md'] });
    expect(report.embedded + report.reused).toBe(report.chunks);

    const reopened = await Engine.open({ config, embedder: new FakeEmbedder() });
    expect(reopened.builtAtOpen).toBeUndefined();
  });

  it('reports progress: reused passages count at once, then each batch embedded, then the index building', async () => {
    const files = { 'handbook.md': SAMPLE_MD, 'extra.md': '# Extra\n\n## Pets\n\nCats sleep most of the day.\n' };
    const { config, dir } = await setup(files);
    const atOpen: BuildProgress[] = [];
    const engine = await Engine.open({ config, embedder: new FakeEmbedder(), onBuildProgress: (p) => atOpen.push(p) });
    const total = engine.stats().chunks;
    expect(atOpen[0]).toEqual({ phase: 'embedding', done: 0, total });
    expect(atOpen.at(-1)).toEqual({ phase: 'indexing', done: total, total });

    // One passage per section: twenty sections make twenty passages to embed.
    const extra = Array.from({ length: 20 }, (_, i) => `## Fact ${i}\n\nItem number ${i} of the list, told in a sentence of its own.`).join('\n\n');
    await writeFile(path.join(dir, 'list.md'), `# List\n\n${extra}\n`);
    const seen: BuildProgress[] = [];
    const report = await engine.reindex({ onProgress: (p) => seen.push(p) });
    expect(report.embedded).toBeGreaterThan(8); // more than one batch
    expect(seen[0]).toEqual({ phase: 'embedding', done: report.reused, total: report.chunks });
    const embedding = seen.filter((p) => p.phase === 'embedding').map((p) => p.done);
    expect(embedding).toEqual([...embedding].sort((a, b) => a - b));
    expect(embedding.length).toBeGreaterThan(2);
    expect(embedding.at(-1)).toBe(report.chunks);
    expect(seen.at(-1)).toEqual({ phase: 'indexing', done: report.chunks, total: report.chunks });
  });

  it('gives a request that joins the follow-up run the progress of that run', async () => {
    const { config, dir } = await setup();
    const engine = await Engine.open({ config, embedder: new FakeEmbedder() });
    const first: BuildProgress[] = [];
    const second: BuildProgress[] = [];
    const running = engine.reindex({ onProgress: (p) => first.push(p) });
    await writeFile(path.join(dir, 'late.md'), '# Late\n\n## Visas\n\nVisa sponsorship varies by employer.\n');
    const followUp = engine.reindex({ onProgress: (p) => second.push(p) });
    const [a, b] = await Promise.all([running, followUp]);
    expect(first.at(-1)).toEqual({ phase: 'indexing', done: a.chunks, total: a.chunks });
    expect(second[0]).toEqual({ phase: 'embedding', done: b.reused, total: b.chunks });
    expect(second.at(-1)).toEqual({ phase: 'indexing', done: b.chunks, total: b.chunks });
    // One run each: the follow-up's listener never saw the first run's events.
    expect(first.filter((p) => p.phase === 'indexing')).toHaveLength(1);
    expect(second.filter((p) => p.phase === 'indexing')).toHaveLength(1);
  });

  it('fails with one clear error when the knowledge folder has no usable document', async () => {
    const { config } = await setup({ 'empty.md': '' });
    await expect(Engine.open({ config, embedder: new FakeEmbedder() })).rejects.toMatchObject({
      code: 'KNOWLEDGE_EMPTY',
      message: expect.stringMatching(/1 file\(s\) skipped/),
    });
  });
});

describe('index generations on disk', () => {
  it('keeps the live generation and the newest previous one, so a second writer never loses its folder', async () => {
    const { config, dir, indexDir } = await setup();
    const engine = await Engine.open({ config, embedder: new FakeEmbedder() });
    for (const text of ['one', 'two', 'three']) {
      await writeFile(path.join(dir, 'extra.md'), `# Extra\n\n## Notes\n\nNote ${text}.\n`);
      await engine.reindex();
    }
    const gens = (await readdir(indexDir)).filter((n) => n.startsWith('gen-'));
    expect(gens).toHaveLength(2);
    const manifest = JSON.parse(await readFile(path.join(indexDir, 'manifest.json'), 'utf8')) as { generation: string };
    expect(gens).toContain(manifest.generation);
  });
});
