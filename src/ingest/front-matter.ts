import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * Front matter: a YAML mapping between `---` lines at the very top of a Markdown file. Only
 * `title` and `url` are read. A field of the wrong shape (a title that is not text, a url that is
 * not http(s)) is ignored and the document is still indexed; a block that is not a YAML mapping
 * at all was never front matter, and the file is read as plain Markdown.
 */
export interface FrontMatter {
  title?: string;
  url?: string;
}

const fields = {
  title: z.string().trim().min(1).max(300),
  url: z.httpUrl(),
};

/**
 * Whether `src` opens with a `---` line that a later line of at least as many dashes closes.
 * markdown-it-front-matter would otherwise take an unclosed opening rule as front matter running
 * to the end of the file, and the whole document would vanish.
 */
export function hasClosedFrontMatter(src: string): boolean {
  let lineEnd = src.indexOf('\n');
  if (lineEnd === -1) return false;
  const opening = dashes(src.slice(0, lineEnd));
  if (opening < 3) return false;
  while (lineEnd !== -1) {
    const start = lineEnd + 1;
    lineEnd = src.indexOf('\n', start);
    if (dashes(src.slice(start, lineEnd === -1 ? src.length : lineEnd)) >= opening) return true;
  }
  return false;
}

/** How many dashes the line is made of (trailing spaces allowed), or 0 when it holds anything else. */
function dashes(line: string): number {
  const t = line.trimEnd();
  for (let i = 0; i < t.length; i++) if (t[i] !== '-') return 0;
  return t.length;
}

/** The fields read from front matter, or undefined when the block is not a YAML mapping. */
export function readFrontMatter(yaml: string): FrontMatter | undefined {
  let data: unknown;
  try {
    data = parseYaml(yaml, { maxAliasCount: 100, prettyErrors: false });
  } catch {
    return undefined;
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) return undefined;
  const record = data as Record<string, unknown>;
  const title = fields.title.safeParse(record.title);
  const url = fields.url.safeParse(typeof record.url === 'string' ? record.url.trim() : record.url);
  return {
    ...(title.success && { title: title.data }),
    ...(url.success && { url: url.data }),
  };
}
