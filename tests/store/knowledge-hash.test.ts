/**
 * An index is current when its knowledge hash matches the documents', so that hash must not
 * depend on the locale of the process computing it: an index built by a service must still be
 * current for a shell with another LANG. The locale is fixed when a process starts, so each one
 * is computed in a process of its own.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { knowledgeHash } from '../../src/store/index-store.ts';
import { childEnv } from '../support/child-env.ts';
import { REPO_ROOT } from '../support/temp.ts';

/** Ids that Swedish, Turkish and English collation each put in a different order. */
const DOCUMENTS = ['z.md', 'ä.md', 'a.md', 'B.md', 'ı.md', 'i.md', 'I.md'].map((id, i) => ({ id, hash: `h${i}` }));

async function hashUnder(locale: string): Promise<string> {
  const store = pathToFileURL(path.join(REPO_ROOT, 'src', 'store', 'index-store.ts')).href;
  const script = `const { knowledgeHash } = await import(${JSON.stringify(store)}); console.log(knowledgeHash(${JSON.stringify(DOCUMENTS)}));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    env: childEnv({ LANG: locale, LC_ALL: locale }),
  });
  return stdout.trim();
}

describe('knowledgeHash', () => {
  it('is the same in any locale, and whatever order the documents come in', async () => {
    const expected = knowledgeHash(DOCUMENTS);
    expect(knowledgeHash([...DOCUMENTS].reverse())).toBe(expected);
    for (const locale of ['C', 'sv_SE.UTF-8', 'tr_TR.UTF-8']) expect(await hashUnder(locale), locale).toBe(expected);
  });
});
