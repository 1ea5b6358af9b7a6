/**
 * A knowledge folder's list of web pages (`urls.txt` at its top level): one URL a line, blank
 * lines and `#` comments ignored, anything after the URL on its line ignored (a note). Read in
 * one pass; a line that is no http(s) URL is reported, never fatal.
 */
import { parseHttpUrl } from '../../http-url.ts';
import type { SkippedFile } from '../../types.ts';

/** Pages one list may hold: each is fetched at every reindex. */
export const MAX_LISTED_PAGES = 500;

export interface UrlList {
  urls: string[];
  invalid: SkippedFile[];
}

export function parseUrlList(text: string, file = 'urls.txt'): UrlList {
  const urls: string[] = [];
  const seen = new Set<string>();
  const invalid: SkippedFile[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const token = line.split(/\s/, 1)[0]!;
    const url = normaliseUrl(token);
    if (url === undefined) {
      invalid.push({ file: `${file} line ${i + 1}`, reason: 'not an http(s) URL' });
      continue;
    }
    if (seen.has(url)) continue;
    if (urls.length >= MAX_LISTED_PAGES) {
      invalid.push({ file: `${file} line ${i + 1}`, reason: `more than ${MAX_LISTED_PAGES} pages in one list` });
      continue;
    }
    seen.add(url);
    urls.push(url);
  }
  return { urls, invalid };
}

/** The URL as the knowledge names it (WHATWG-normalised, no fragment), or undefined when it is no http(s) URL. */
export function normaliseUrl(raw: string): string | undefined {
  const url = parseHttpUrl(raw);
  if (url === undefined) return undefined;
  url.hash = '';
  return url.href;
}

/** Whether a document name is a web page's (its URL) rather than a file's. */
export const isPageId = (id: string): boolean => /^https?:\/\//i.test(id);

/** The list with `url` added at the end (a no-op when it is there). */
export function withUrl(text: string, url: string): string {
  if (parseUrlList(text).urls.includes(url)) return text;
  const base = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return `${base}${url}\n`;
}

/** The list without the lines naming `url`; comments and other lines stay as they were. */
export function withoutUrl(text: string, url: string): string {
  return text
    .split('\n')
    .filter((line) => {
      const token = line.trim().split(/\s/, 1)[0] ?? '';
      return line.trim().startsWith('#') || normaliseUrl(token) !== url;
    })
    .join('\n');
}
