import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/ingest/load.ts';
import { MAX_DOCUMENT_BYTES } from '../../src/ingest/sources.ts';
import {
  addKnowledgeFile,
  removeKnowledgeFile,
  restoreKnowledgeFile,
  safeKnowledgeFileName,
} from '../../src/engine/knowledge-files.ts';
import { knowledgeDir, SAMPLE_MD } from '../support/temp.ts';

const text = (s: string) => new TextEncoder().encode(s);

/** Every file in the folder (hidden ones included) with its content: the whole observable state. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: Record<string, string> = {};
  for (const e of entries.filter((x) => x.isFile())) {
    const file = path.join(e.parentPath, e.name);
    out[path.relative(dir, file)] = (await readFile(file)).toString('base64');
  }
  return out;
}

describe('safeKnowledgeFileName', () => {
  it.each([
    ['../x.md', /without folders/],
    ['a/b.md', /without folders/],
    ['..\\x.md', /without folders/],
    ['/etc/passwd.md', /without folders/],
    ['C:\\notes.md', /without folders/],
    ['..', /not a file name/],
    ['.', /not a file name/],
    ['.hidden.md', /starts with a dot/],
    ['', /empty/],
    ['   ', /empty/],
    ['x\0.md', /NUL/],
    ['x\n.md', /control/],
    [`${'a'.repeat(98)}.md`, /longer than 100/],
    ['café.md', /only letters/],
    ['a:b.md', /only letters/],
    ['-rf.md', /start with a letter or a digit/],
    ['notes.docx', /must end in \.md, \.markdown, \.mdx, \.txt, \.pdf/],
    ['notes', /must end in/],
    ['notes.md.exe', /must end in/],
  ])('refuses %j with KNOWLEDGE_FILE_NAME_INVALID', (name, why) => {
    expect(() => safeKnowledgeFileName(name)).toThrow(expect.objectContaining({ code: 'KNOWLEDGE_FILE_NAME_INVALID', message: expect.stringMatching(why) }));
  });

  it('accepts plain names and turns spaces into dashes', () => {
    expect(safeKnowledgeFileName('ml-engineer_2025.md')).toBe('ml-engineer_2025.md');
    expect(safeKnowledgeFileName('Career Guide.MARKDOWN')).toBe('Career-Guide.MARKDOWN');
    expect(safeKnowledgeFileName('  notes  v2.txt ')).toBe('notes-v2.txt');
    expect(safeKnowledgeFileName(`${'a'.repeat(97)}.md`)).toHaveLength(100);
  });
});

describe('addKnowledgeFile', () => {
  it('writes a new file atomically, leaving no temporary file, and the loader reads it', async () => {
    const dir = await knowledgeDir({ 'existing.md': SAMPLE_MD });
    const result = await addKnowledgeFile(dir, 'new guide.md', text('# New\n\nData engineers build pipelines.\n'), { replace: false });
    expect(result).toEqual({ file: 'new-guide.md', replaced: false });
    expect(Object.keys(await snapshot(dir)).sort()).toEqual(['existing.md', 'new-guide.md']);
    expect((await loadKnowledge(dir)).documents.map((d) => d.id)).toEqual(['existing.md', 'new-guide.md']);
  });

  it.each([
    ['empty', text('  \n\n'), /empty/],
    ['binary', new Uint8Array([0x23, 0x20, 0x00, 0x01]), /binary/],
    ['not UTF-8', new Uint8Array([0x63, 0x61, 0x66, 0xe9]), /UTF-8/],
    ['oversized', new Uint8Array(MAX_DOCUMENT_BYTES + 1).fill(0x61), /too large/],
  ])('refuses %s bytes with the reason and leaves the folder unchanged', async (_, bytes, why) => {
    const dir = await knowledgeDir({ 'existing.md': SAMPLE_MD });
    const before = await snapshot(dir);
    for (const replace of [false, true]) {
      await expect(addKnowledgeFile(dir, 'existing.md', bytes, { replace })).rejects.toMatchObject({ code: 'KNOWLEDGE_FILE_REJECTED', message: expect.stringMatching(why) });
      await expect(addKnowledgeFile(dir, 'other.md', bytes, { replace })).rejects.toMatchObject({ code: 'KNOWLEDGE_FILE_REJECTED' });
    }
    expect(await snapshot(dir)).toEqual(before);
  });

  it('refuses a traversing name before touching the disk', async () => {
    const dir = await knowledgeDir({ 'sub/keep.md': SAMPLE_MD });
    const before = await snapshot(dir);
    for (const name of ['../escape.md', 'sub/keep.md', '..', '.sneaky.md', path.join(dir, 'abs.md')]) {
      await expect(addKnowledgeFile(path.join(dir, 'sub'), name, text('# x\n\ntext'), { replace: true })).rejects.toMatchObject({ code: 'KNOWLEDGE_FILE_NAME_INVALID' });
    }
    expect(await snapshot(dir)).toEqual(before);
  });

  it('does not overwrite without replace', async () => {
    const dir = await knowledgeDir({ 'guide.md': 'original text' });
    const before = await snapshot(dir);
    await expect(addKnowledgeFile(dir, 'guide.md', text('new text'), { replace: false })).rejects.toMatchObject({ code: 'KNOWLEDGE_FILE_EXISTS' });
    expect(await snapshot(dir)).toEqual(before);
  });

  it('replaces with replace, returning the previous bytes, and restore puts them back', async () => {
    const dir = await knowledgeDir({ 'guide.md': 'original text', 'other.txt': 'other' });
    const before = await snapshot(dir);
    const result = await addKnowledgeFile(dir, 'guide.md', text('new text'), { replace: true });
    expect(result.replaced).toBe(true);
    expect(new TextDecoder().decode(result.previous)).toBe('original text');
    expect(await readFile(path.join(dir, 'guide.md'), 'utf8')).toBe('new text');
    await restoreKnowledgeFile(dir, result.file, result.previous);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('treats a name that differs only in case as the same document', async () => {
    const dir = await knowledgeDir({ 'Guide.md': 'original text' });
    await expect(addKnowledgeFile(dir, 'guide.MD', text('new text'), { replace: false })).rejects.toMatchObject({
      code: 'KNOWLEDGE_FILE_EXISTS',
      message: expect.stringContaining('Guide.md'),
    });
    const result = await addKnowledgeFile(dir, 'GUIDE.md', text('new text'), { replace: true });
    expect(result).toMatchObject({ file: 'Guide.md', replaced: true });
    expect(await readdir(dir)).toEqual(['Guide.md']);
    expect(await readFile(path.join(dir, 'Guide.md'), 'utf8')).toBe('new text');
  });

  it('lets exactly one of two concurrent adds of names differing in case win', async () => {
    const dir = await knowledgeDir({});
    const results = await Promise.allSettled([
      addKnowledgeFile(dir, 'Race.md', text('first'), { replace: false }),
      addKnowledgeFile(dir, 'race.md', text('second'), { replace: false }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'KNOWLEDGE_FILE_EXISTS' } });
    const files = Object.keys(await snapshot(dir));
    expect(files).toHaveLength(1);
    expect(['Race.md', 'race.md']).toContain(files[0]);
  });

  it('undoes an add of a new file by removing it', async () => {
    const dir = await knowledgeDir({ 'guide.md': 'original text' });
    const before = await snapshot(dir);
    const result = await addKnowledgeFile(dir, 'fresh.md', text('fresh'), { replace: true });
    expect(result).toEqual({ file: 'fresh.md', replaced: false });
    await restoreKnowledgeFile(dir, result.file, result.previous);
    expect(await snapshot(dir)).toEqual(before);
    // Undoing twice is harmless.
    await restoreKnowledgeFile(dir, result.file, undefined);
  });

  it('refuses a missing knowledge folder', async () => {
    const dir = await knowledgeDir({});
    await expect(addKnowledgeFile(path.join(dir, 'nope'), 'a.md', text('a'), { replace: false })).rejects.toMatchObject({ code: 'KNOWLEDGE_DIR_MISSING' });
  });

  it('lets exactly one of two concurrent adds of the same new name win', async () => {
    const dir = await knowledgeDir({});
    const results = await Promise.allSettled([
      addKnowledgeFile(dir, 'race.md', text('first'), { replace: false }),
      addKnowledgeFile(dir, 'race.md', text('second'), { replace: false }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'KNOWLEDGE_FILE_EXISTS' } });
    expect(Object.keys(await snapshot(dir))).toEqual(['race.md']);
  });
});

describe('removeKnowledgeFile', () => {
  it('removes a file and returns its bytes; restore puts it back', async () => {
    const dir = await knowledgeDir({ 'guide.md': SAMPLE_MD, 'other.md': 'other' });
    const before = await snapshot(dir);
    const removed = await removeKnowledgeFile(dir, 'guide.md');
    expect(removed.file).toBe('guide.md');
    expect(new TextDecoder().decode(removed.previous)).toBe(SAMPLE_MD);
    expect(Object.keys(await snapshot(dir))).toEqual(['other.md']);
    await restoreKnowledgeFile(dir, removed.file, removed.previous);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('treats names that differ only in case as one name', async () => {
    const dir = await knowledgeDir({ 'Guide.md': SAMPLE_MD, 'other.md': 'other' });
    const removed = await removeKnowledgeFile(dir, 'GUIDE.MD');
    expect(removed.file).toBe('Guide.md');
    expect(Object.keys(await snapshot(dir))).toEqual(['other.md']);
  });

  it('says KNOWLEDGE_FILE_NOT_FOUND for an absent file and refuses unsafe names', async () => {
    const dir = await knowledgeDir({ 'sub/guide.md': 'x' });
    await writeFile(path.join(dir, 'notes.docx'), 'x');
    await expect(removeKnowledgeFile(dir, 'absent.md')).rejects.toMatchObject({ code: 'KNOWLEDGE_FILE_NOT_FOUND', message: expect.stringContaining('absent.md') });
    await expect(removeKnowledgeFile(dir, 'sub/guide.md')).rejects.toMatchObject({ code: 'KNOWLEDGE_FILE_NAME_INVALID' });
    await expect(removeKnowledgeFile(dir, 'notes.docx')).rejects.toMatchObject({ code: 'KNOWLEDGE_FILE_NAME_INVALID' });
    await expect(removeKnowledgeFile(path.join(dir, 'sub'), '../notes.docx')).rejects.toMatchObject({ code: 'KNOWLEDGE_FILE_NAME_INVALID' });
    expect(Object.keys(await snapshot(dir)).sort()).toEqual(['notes.docx', path.join('sub', 'guide.md')]);
  });
});
