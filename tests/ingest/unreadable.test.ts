import { describe, expect, it, vi } from 'vitest';

// Tests run as root in CI, where file modes do not stop reads; the read failure is simulated.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    readFile: vi.fn(async (file: Parameters<typeof actual.readFile>[0], ...rest: unknown[]) => {
      if (String(file).endsWith('locked.md')) {
        throw Object.assign(new Error("EACCES: permission denied, open 'locked.md'"), { code: 'EACCES' });
      }
      return (actual.readFile as (...a: unknown[]) => unknown)(file, ...rest);
    }),
  };
});

const { loadKnowledge } = await import('../../src/ingest/load.ts');
const { knowledgeDir, SAMPLE_MD } = await import('../support/temp.ts');

describe('loadKnowledge with an unreadable file', () => {
  it('skips it with the reason and keeps loading the others', async () => {
    const dir = await knowledgeDir({ 'ok.md': SAMPLE_MD, 'locked.md': 'secret' });
    const { documents, skipped } = await loadKnowledge(dir);
    expect(documents.map((d) => d.id)).toEqual(['ok.md']);
    expect(skipped).toEqual([{ file: 'locked.md', reason: expect.stringMatching(/^unreadable \(EACCES/) }]);
  });
});
