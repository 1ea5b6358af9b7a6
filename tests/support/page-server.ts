/**
 * A local web server for page-fetching tests, on 127.0.0.1 only. Routes are set per test:
 * `set(path, handler)`; the handler writes the response.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface PageServer {
  url(path: string): string;
  port: number;
  set(path: string, route: Route): void;
  /** Requests seen, in order (method, path and the conditional headers). */
  requests: { path: string; ifNoneMatch?: string; ifModifiedSince?: string }[];
  close(): Promise<void>;
}

export async function startPageServer(): Promise<PageServer> {
  const routes = new Map<string, Route>();
  const requests: PageServer['requests'] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({
      path,
      ...(req.headers['if-none-match'] !== undefined && { ifNoneMatch: String(req.headers['if-none-match']) }),
      ...(req.headers['if-modified-since'] !== undefined && { ifModifiedSince: String(req.headers['if-modified-since']) }),
    });
    const route = routes.get(path);
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    route(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set: (path, route) => routes.set(path, route),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An HTML page with a title, navigation, an article and a footer. */
export function htmlPage(title: string, paragraphs: readonly string[]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>
<nav><a href="/">Home</a> · <a href="/jobs">Jobs</a> · <a href="/about">About the company and its many teams</a></nav>
<main><article><h1>${title}</h1>${paragraphs.map((p) => `<p>${p}</p>`).join('\n')}</article></main>
<footer>© 2025 Example Corp. Privacy policy · Terms of use · Cookie settings · Contact us</footer>
</body></html>`;
}

export const html = (body: string, headers: Record<string, string> = {}): Route => (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers }).end(body);
};
