import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderDigest, MAX_DOCUMENT_BYTES, URL_LIST_FILE } from '../../src/ingest/sources.ts';
import { writeSnapshot } from '../../src/ingest/web/snapshots.ts';
import { knowledgeDir } from '../support/temp.ts';

const page = (body: string) => ({
  url: 'https://example.org/careers',
  finalUrl: 'https://example.org/careers',
  fetchedAt: '2026-01-01T00:00:00.000Z',
  contentType: 'text/html',
  kind: 'html' as const,
  body: Buffer.from(body).toString('base64'),
});

describe('folderDigest', () => {
  it('changes with anything the loader reads: a document’s bytes, a new or removed document, the page list, a page’s snapshot', async () => {
    const dir = await knowledgeDir({ 'a.md': '# A\n\nOne.\n', 'notes/b.txt': 'Two.\n' });
    const digests = [await folderDigest(dir)];
    const changes: (() => Promise<void>)[] = [
      () => writeFile(path.join(dir, 'a.md'), '# A\n\nOne!\n'),
      () => writeFile(path.join(dir, 'c.mdx'), '# C\n\nThree.\n'),
      () => rm(path.join(dir, 'notes', 'b.txt')),
      () => writeFile(path.join(dir, 'bad.md'), Buffer.from([0, 1, 2])),
      () => writeFile(path.join(dir, 'big.md'), 'x'.repeat(MAX_DOCUMENT_BYTES + 1)),
      () => writeFile(path.join(dir, URL_LIST_FILE), 'https://example.org/careers\n'),
      () => writeSnapshot(dir, page('<p>Careers</p>')),
      () => writeSnapshot(dir, page('<p>Careers, updated</p>')),
    ];
    for (const change of changes) {
      await change();
      digests.push(await folderDigest(dir));
    }
    expect(new Set(digests).size).toBe(digests.length);
  });

  it('ignores what the loader ignores: hidden files and folders, other extensions', async () => {
    const dir = await knowledgeDir({ 'a.md': '# A\n\nOne.\n' });
    const before = await folderDigest(dir);
    await writeFile(path.join(dir, '.a.md.swp'), 'editor state');
    await mkdir(path.join(dir, '.git'));
    await writeFile(path.join(dir, '.git', 'notes.md'), '# Not knowledge\n');
    await writeFile(path.join(dir, 'picture.png'), Buffer.from([137, 80, 78, 71]));
    expect(await folderDigest(dir)).toBe(before);
  });

  it('is the same for the same folder, read twice', async () => {
    const dir = await knowledgeDir({ 'a.md': '# A\n\nOne.\n', 'b.md': '# B\n\nTwo.\n' });
    expect(await folderDigest(dir)).toBe(await folderDigest(dir));
  });

  it('fails for a folder that does not exist (the loader then says so)', async () => {
    await expect(folderDigest(path.join(await knowledgeDir({}), 'missing'))).rejects.toThrow();
  });
});
