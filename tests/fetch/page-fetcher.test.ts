/**
 * The page fetcher never reaches the bot's own network: every address is checked where the socket
 * connects (and again on each redirect), bodies are capped in size and time, and only pages of
 * the accepted content types are read. Tests reach their server on 127.0.0.1 only through the
 * allow-list, exactly as production never does.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedReason, AddressAllowList } from '../../src/fetch/address-guard.ts';
import { FetchRefused, PageFetcher, type Resolver } from '../../src/fetch/page-fetcher.ts';
import { html, htmlPage, startPageServer, type PageServer } from '../support/page-server.ts';

let server: PageServer;
const allowed = () => new PageFetcher({ allow: ['127.0.0.1'], limits: { timeoutMs: 3_000 } });

beforeAll(async () => {
  server = await startPageServer();
  server.set('/careers', html(htmlPage('Careers', ['We hire machine learning engineers every quarter.']), { etag: '"v1"', 'last-modified': 'Wed, 01 Jan 2025 00:00:00 GMT' }));
});
afterAll(() => server.close());

async function refusal(fetcher: PageFetcher, url: string): Promise<string> {
  try {
    await fetcher.fetch(url);
  } catch (error) {
    expect(error).toBeInstanceOf(FetchRefused);
    return (error as Error).message;
  }
  throw new Error(`${url} was fetched`);
}

describe('address guard', () => {
  const none = new AddressAllowList();
  it.each([
    ['127.0.0.1', /loopback/],
    ['10.1.2.3', /private-network/],
    ['172.20.0.1', /private-network/],
    ['192.168.1.1', /private-network/],
    ['169.254.169.254', /link-local.*metadata/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['224.0.0.1', /multicast/],
    ['0.0.0.0', /unspecified/],
    ['::1', /loopback/],
    ['fd00::1', /unique local/],
    ['fe80::1', /link-local/],
    ['::ffff:10.0.0.1', /private-network/],
    ['64:ff9b::a00:1', /rfc6052/],
  ])('refuses %s', (address, reason) => {
    expect(blockedReason(address, none)).toMatch(reason);
  });

  it('lets public addresses through, and allow-listed ones', () => {
    expect(blockedReason('93.184.216.34', none)).toBeUndefined();
    expect(blockedReason('2606:2800:220:1:248:1893:25c8:1946', none)).toBeUndefined();
    expect(blockedReason('127.0.0.1', new AddressAllowList(['127.0.0.1']))).toBeUndefined();
    expect(blockedReason('127.0.0.2', new AddressAllowList(['127.0.0.1']))).toMatch(/loopback/);
  });
});

describe('PageFetcher', () => {
  it('fetches an allowed page with its validators, and answers a conditional request with not-modified', async () => {
    const page = await allowed().fetch(server.url('/careers'));
    expect(page).toMatchObject({ status: 'fetched', kind: 'html', contentType: 'text/html', charset: 'utf-8', etag: '"v1"' });
    expect(Buffer.from((page as { body: Uint8Array }).body).toString()).toContain('machine learning engineers');

    server.set('/conditional', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') res.writeHead(304).end();
      else html('<p>changed</p>')(req, res);
    });
    expect(await allowed().fetch(server.url('/conditional'), { etag: '"v1"' })).toEqual({ status: 'not-modified' });
  });

  it('refuses 127.0.0.1 without the allow-list, and never connects', async () => {
    const before = server.requests.length;
    expect(await refusal(new PageFetcher(), server.url('/careers'))).toMatch(/refused to connect to 127\.0\.0\.1:\d+: 127\.0\.0\.1 is a loopback address/);
    expect(server.requests.length).toBe(before);
  });

  it.each([
    ['http://10.0.0.5/', /10\.0\.0\.5 is a private-network address/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
    ['http://[::1]:8080/', /::1 is a loopback address/],
    ['http://[::ffff:127.0.0.1]/', /127\.0\.0\.1 is a loopback address/],
    ['file:///etc/passwd', /only http and https/],
    ['ftp://example.org/x', /only http and https/],
    ['http://user:pw@example.org/', /user name or password/],
  ])('refuses %s', async (url, reason) => {
    expect(await refusal(new PageFetcher(), url)).toMatch(reason);
  });

  it('refuses a host whose name resolves to a private address, and connects to no other address than the one checked', async () => {
    const calls: string[] = [];
    const resolver: Resolver = async (host) => {
      calls.push(host);
      return host === 'careers.example.test' ? [{ address: '10.0.0.7', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    };
    const fetcher = new PageFetcher({ allow: ['127.0.0.1'], resolver, limits: { timeoutMs: 3_000 } });
    expect(await refusal(fetcher, 'http://careers.example.test/')).toMatch(/careers\.example\.test: it resolves to 10\.0\.0\.7 is a private-network address/);
    // A name that resolves (once, at connect) to the allowed address is fetched from it.
    const page = await fetcher.fetch(`http://pages.example.test:${server.port}/careers`);
    expect(page.status).toBe('fetched');
    expect(calls).toEqual(['careers.example.test', 'pages.example.test']);
  });

  it('refuses a name that resolves to a public and a private address', async () => {
    const resolver: Resolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '192.168.0.10', family: 4 },
    ];
    expect(await refusal(new PageFetcher({ resolver }), 'http://mixed.example.test/')).toMatch(/192\.168\.0\.10 is a private-network address/);
  });

  it('checks every redirect, and follows at most five', async () => {
    server.set('/to-private', (_req, res) => res.writeHead(302, { location: 'http://10.0.0.9/admin' }).end());
    expect(await refusal(allowed(), server.url('/to-private'))).toMatch(/10\.0\.0\.9 is a private-network address/);
    for (let i = 0; i < 7; i++) server.set(`/hop${i}`, (_req, res) => res.writeHead(301, { location: `/hop${i + 1}` }).end());
    server.set('/hop7', html(htmlPage('End', ['The end of the redirects.'])));
    expect(await refusal(allowed(), server.url('/hop0'))).toMatch(/more than 5 redirects/);
    server.set('/short', (_req, res) => res.writeHead(302, { location: '/careers' }).end());
    expect((await allowed().fetch(server.url('/short'))).status).toBe('fetched');
  });

  it('refuses a 50 MiB body, declared or not, as soon as it passes 5 MiB', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    server.set('/huge-declared', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(50 * chunk.length) });
      res.end();
    });
    expect(await refusal(allowed(), server.url('/huge-declared'))).toMatch(/too large \(52428800 bytes; the limit is 5242880\)/);
    let sent = 0;
    server.set('/huge-chunked', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const push = () => {
        while (sent < 50 && res.write(chunk)) sent++;
        if (sent >= 50) res.end();
        else res.once('drain', () => (sent++, push()));
      };
      res.on('close', () => (sent = 50));
      push();
    });
    expect(await refusal(allowed(), server.url('/huge-chunked'))).toMatch(/too large \(more than 5242880 bytes\)/);
  });

  it('refuses a compressed body that inflates beyond the cap', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    server.set('/bomb', (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(bomb));
    expect(await refusal(allowed(), server.url('/bomb'))).toMatch(/too large \(more than 5242880 bytes\)/);
  });

  it('gives up on a slow body at its time limit', async () => {
    server.set('/slow', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const timer = setInterval(() => res.write('<p>a little more</p>'), 200);
      res.on('close', () => clearInterval(timer));
    });
    const fetcher = new PageFetcher({ allow: ['127.0.0.1'], limits: { timeoutMs: 1_000 } });
    expect(await refusal(fetcher, server.url('/slow'))).toMatch(/no complete answer within 1 s/);
  });

  it('refuses content types that are no page, and error statuses', async () => {
    server.set('/binary', (_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(10)));
    expect(await refusal(allowed(), server.url('/binary'))).toMatch(/content type is application\/octet-stream; only HTML, plain text, Markdown and PDF/);
    server.set('/untyped', (_req, res) => res.writeHead(200).end('x'));
    expect(await refusal(allowed(), server.url('/untyped'))).toMatch(/content type is not given/);
    expect(await refusal(allowed(), server.url('/missing'))).toMatch(/HTTP 404/);
  });
});
