import { describe, expect, it } from 'vitest';
import { MAX_LISTED_PAGES, parseUrlList } from '../../src/ingest/web/url-list.ts';

describe('parseUrlList', () => {
  it('reads one URL a line, skipping blank lines, comments and the note after a URL', () => {
    const list = parseUrlList('# pages we follow\n\nhttps://example.org/careers  the careers page\n  http://example.org/a#part\n');
    expect(list.urls).toEqual(['https://example.org/careers', 'http://example.org/a']);
    expect(list.invalid).toEqual([]);
  });

  it('reports by line what is no http(s) URL, or carries credentials, and keeps going', () => {
    const list = parseUrlList('ftp://example.org/x\nhttps://discord.com@evil.example/\nnot a url\nhttps://example.org/ok', 'servers/urls.txt');
    expect(list.urls).toEqual(['https://example.org/ok']);
    expect(list.invalid).toEqual([
      { file: 'servers/urls.txt line 1', reason: 'not an http(s) URL' },
      { file: 'servers/urls.txt line 2', reason: 'not an http(s) URL' },
      { file: 'servers/urls.txt line 3', reason: 'not an http(s) URL' },
    ]);
  });

  it('lists a page once, whatever its fragment or spelling of the host', () => {
    expect(parseUrlList('https://Example.org/a\nhttps://example.org/a#b\n').urls).toEqual(['https://example.org/a']);
  });

  it('holds at most MAX_LISTED_PAGES pages and says which lines were left out', () => {
    const lines = Array.from({ length: MAX_LISTED_PAGES + 2 }, (_, i) => `https://example.org/p${i}`);
    const list = parseUrlList(lines.join('\n'));
    expect(list.urls).toHaveLength(MAX_LISTED_PAGES);
    expect(list.invalid.map((s) => s.file)).toEqual([`urls.txt line ${MAX_LISTED_PAGES + 1}`, `urls.txt line ${MAX_LISTED_PAGES + 2}`]);
  });
});
