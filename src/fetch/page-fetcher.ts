/**
 * Fetches one web page for the knowledge, safely: a URL an admin gives must never reach the
 * bot's own network. Only http(s); every address a host name resolves to is checked (see
 * address-guard.ts) and the connection is made to the very address that was checked (the lookup
 * the socket uses is ours), so DNS rebinding between check and connect is closed; each redirect
 * (at most 5) is checked again. The body is capped in size (also after decompression) and the
 * whole fetch in time, and only HTML, plain text, Markdown and PDF are accepted.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import { AddressAllowList, blockedReason, isIpLiteral } from './address-guard.ts';

export const FETCH_LIMITS = {
  /** Body bytes, after decompression. */
  maxBytes: 5 * 1024 * 1024,
  /** The whole fetch: connecting, redirects and the body. */
  timeoutMs: 15_000,
  maxRedirects: 5,
} as const;

/** Content types a page may have, and what the knowledge makes of each. */
export const PAGE_TYPES = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/plain': 'text',
  'text/markdown': 'markdown',
  'application/pdf': 'pdf',
} as const;
export type PageKind = (typeof PAGE_TYPES)[keyof typeof PAGE_TYPES];

/** Resolves a host name to all its addresses (injected in tests). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface PageFetcherOptions {
  /** Addresses reachable despite the guard (tests only; see TEST_ONLY_FETCH_ALLOW). */
  allow?: readonly string[];
  resolver?: Resolver;
  limits?: Partial<{ maxBytes: number; timeoutMs: number; maxRedirects: number }>;
}

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export type FetchedPage =
  | {
      status: 'fetched';
      /** Where the content came from, after redirects. */
      finalUrl: string;
      kind: PageKind;
      contentType: string;
      charset?: string;
      body: Uint8Array;
      etag?: string;
      lastModified?: string;
    }
  /** The server says the page is unchanged since the validators given. */
  | { status: 'not-modified' };

/** A fetch that was refused or failed, with the reason an admin reads. */
export class FetchRefused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'FetchRefused';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'ml-careers-bot/0.1 (knowledge page fetcher)';

export class PageFetcher {
  private readonly allow: AddressAllowList;
  private readonly resolver: Resolver;
  private readonly limits: { maxBytes: number; timeoutMs: number; maxRedirects: number };

  constructor(options: PageFetcherOptions = {}) {
    this.allow = new AddressAllowList(options.allow ?? []);
    this.resolver = options.resolver ?? ((host) => dnsLookup(host, { all: true, verbatim: true }));
    this.limits = { ...FETCH_LIMITS, ...options.limits };
  }

  /** Fetches `url` (conditionally, with `validators`); throws FetchRefused with the reason. */
  async fetch(url: string, validators: Validators = {}): Promise<FetchedPage> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.limits.timeoutMs);
    try {
      let current = checkUrl(url);
      for (let hop = 0; ; hop++) {
        const response = await this.request(current, validators, deadline.signal);
        if (REDIRECTS.has(response.statusCode ?? 0)) {
          response.resume();
          const location = response.headers.location;
          if (location === undefined) throw new FetchRefused(`the server answered HTTP ${response.statusCode} without saying where to`);
          if (hop >= this.limits.maxRedirects) throw new FetchRefused(`more than ${this.limits.maxRedirects} redirects`);
          current = checkUrl(new URL(location, current).href);
          continue;
        }
        if (response.statusCode === 304 && (validators.etag !== undefined || validators.lastModified !== undefined)) {
          response.resume();
          return { status: 'not-modified' };
        }
        if (response.statusCode !== 200) {
          response.resume();
          throw new FetchRefused(`the server answered HTTP ${response.statusCode}`);
        }
        return await this.readBody(current, response, deadline.signal);
      }
    } catch (error) {
      if (deadline.signal.aborted) throw new FetchRefused(`no complete answer within ${Math.round(this.limits.timeoutMs / 1000)} s`);
      if (error instanceof FetchRefused) throw error;
      throw new FetchRefused(describeNetworkError(error));
    } finally {
      clearTimeout(timer);
    }
  }

  private request(url: URL, validators: Validators, signal: AbortSignal): Promise<http.IncomingMessage> {
    const host = url.hostname;
    if (isIpLiteral(host)) {
      // A literal address is never looked up, so the guard checks it here.
      const reason = blockedReason(host, this.allow);
      if (reason !== undefined) return Promise.reject(new FetchRefused(`refused to connect to ${url.host}: ${reason}`));
    }
    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,application/pdf;q=0.8',
      'accept-encoding': 'gzip, deflate, br',
    };
    if (validators.etag !== undefined) headers['if-none-match'] = validators.etag;
    if (validators.lastModified !== undefined) headers['if-modified-since'] = validators.lastModified;
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.get(url, { headers, signal, lookup: this.guardedLookup(), agent: false }, resolve);
      request.on('error', reject);
    });
  }

  /**
   * The lookup the socket connects with: every address the name resolves to must pass the guard
   * (a name that mixes public and private addresses is refused), and the socket gets exactly the
   * checked addresses, so nothing is resolved again between check and connect.
   */
  private guardedLookup(): LookupFunction {
    return (hostname, options, callback) => {
      this.resolver(hostname)
        .then((addresses) => {
          if (addresses.length === 0) throw new FetchRefused(`${hostname} has no address`);
          for (const a of addresses) {
            const reason = blockedReason(a.address, this.allow);
            if (reason !== undefined) throw new FetchRefused(`refused to connect to ${hostname}: it resolves to ${reason}`);
          }
          const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
          if (wanted.length === 0) throw new FetchRefused(`${hostname} has no IPv${options.family} address`);
          if (options.all) callback(null, wanted);
          else callback(null, wanted[0]!.address, wanted[0]!.family);
        })
        .catch((error: unknown) => callback(error as NodeJS.ErrnoException, ''));
    };
  }

  private async readBody(url: URL, response: http.IncomingMessage, signal: AbortSignal): Promise<FetchedPage> {
    const type = (response.headers['content-type'] ?? '').toLowerCase();
    const mime = type.split(';')[0]!.trim();
    const kind = (PAGE_TYPES as Record<string, PageKind>)[mime];
    if (kind === undefined) {
      response.destroy();
      throw new FetchRefused(`its content type is ${mime === '' ? 'not given' : mime}; only HTML, plain text, Markdown and PDF pages are read`);
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.limits.maxBytes) {
      response.destroy();
      throw new FetchRefused(`it is too large (${declared} bytes; the limit is ${this.limits.maxBytes})`);
    }
    const body = await readCapped(decoded(response), this.limits.maxBytes, signal);
    const charset = /charset\s*=\s*"?([\w.:-]{1,40})/.exec(type)?.[1];
    const etag = header(response, 'etag');
    const lastModified = header(response, 'last-modified');
    return {
      status: 'fetched',
      finalUrl: url.href,
      kind,
      contentType: mime,
      body,
      ...(charset !== undefined && { charset }),
      ...(etag !== undefined && { etag }),
      ...(lastModified !== undefined && { lastModified }),
    };
  }
}

/** Only http(s) URLs without credentials; throws FetchRefused otherwise. */
export function checkUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new FetchRefused('it is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchRefused(`only http and https pages are fetched, not ${url.protocol.replace(/:$/, '')}`);
  if (url.username !== '' || url.password !== '') throw new FetchRefused('a URL with a user name or password is not fetched');
  url.hash = '';
  return url;
}

function header(response: http.IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.length > 200 ? undefined : text;
}

/** The body as sent, decompressed when the server compressed it. */
function decoded(response: http.IncomingMessage): Readable {
  const encoding = (response.headers['content-encoding'] ?? '').toLowerCase().trim();
  if (encoding === 'gzip' || encoding === 'x-gzip') return response.pipe(zlib.createGunzip());
  if (encoding === 'deflate') return response.pipe(zlib.createInflate());
  if (encoding === 'br') return response.pipe(zlib.createBrotliDecompress());
  if (encoding === '' || encoding === 'identity') return response;
  response.destroy();
  throw new FetchRefused(`its content encoding ${encoding} is not supported`);
}

/** Reads a stream to its end, refusing as soon as it passes `maxBytes` (a bomb is never inflated whole). */
async function readCapped(stream: Readable, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  const abort = () => stream.destroy(new Error('aborted'));
  signal.addEventListener('abort', abort, { once: true });
  try {
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) {
        stream.destroy();
        throw new FetchRefused(`it is too large (more than ${maxBytes} bytes)`);
      }
      chunks.push(chunk as Buffer);
    }
  } finally {
    signal.removeEventListener('abort', abort);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: string } | undefined)?.code;
  if (error instanceof FetchRefused) return error.message;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof FetchRefused) return cause.message;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'its host name could not be resolved';
    case 'ECONNREFUSED':
      return 'the server refused the connection';
    case 'ECONNRESET':
      return 'the server closed the connection';
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
      return 'its compressed body is corrupt';
    default:
      return `it could not be fetched (${error instanceof Error ? error.message : String(error)})`;
  }
}
