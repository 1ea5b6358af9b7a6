/**
 * Discord's REST rate limits, for the Discord emulator (https://discord.com/developers/docs/topics/rate-limits):
 *
 * - per route: each bucket (a route template with its major parameter, the channel, guild or webhook id, filled in)
 *   allows `limit` requests per window; every response says how many are left (`X-RateLimit-Limit`,
 *   `-Remaining`, `-Reset`, `-Reset-After`, `-Bucket`), and a request beyond the limit gets 429 with
 *   `retry_after` — the headers discord.js reads to queue requests itself;
 * - global: at most `globalPerSecond` requests per second over all bot-token routes (interaction callbacks and
 *   interaction webhooks are not bound to it, as on Discord); beyond it, 429 with `X-RateLimit-Global`.
 *
 * Windows are fixed: a bucket's window starts with its first request and resets `windowMs` later. Discord's real
 * per-route limits are discovered from the headers, not documented; the defaults are the ones bots observe for
 * the routes a bot like this one uses (5 messages per 5 s per channel).
 */

export interface RouteLimit {
  limit: number;
  windowMs: number;
}

export interface RateLimitOptions {
  /** Requests per second over every bot-token route. Discord: 50. */
  globalPerSecond?: number;
  /** Limits by `METHOD /route/template` (e.g. `POST /channels/:channelId/messages`); others get `defaultRoute`. */
  routes?: Readonly<Record<string, RouteLimit>>;
  defaultRoute?: RouteLimit;
}

export const DISCORD_RATE_LIMITS: Required<RateLimitOptions> = {
  globalPerSecond: 50,
  routes: {
    'POST /channels/:channelId/messages': { limit: 5, windowMs: 5_000 },
    'PATCH /channels/:channelId': { limit: 5, windowMs: 5_000 },
    'POST /channels/:channelId/messages/:messageId/threads': { limit: 5, windowMs: 5_000 },
    'GET /channels/:channelId/messages': { limit: 5, windowMs: 5_000 },
  },
  defaultRoute: { limit: 10, windowMs: 10_000 },
};

/** A request that got 429. */
export interface RateLimitHit {
  readonly method: string;
  readonly path: string;
  /** `METHOD /template` of the route, or 'global'. */
  readonly bucket: string;
  readonly global: boolean;
  readonly retryAfterMs: number;
  readonly at: number;
}

export type RateLimitVerdict =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; headers: Record<string, string>; body: { message: string; retry_after: number; global: boolean; code: number }; bucket: string; global: boolean; retryAfterMs: number };

interface Window {
  start: number;
  count: number;
}

const MAJOR_PARAMETERS = ['channelId', 'guildId', 'webhookId'] as const;

export class RateLimiter {
  private readonly options: Required<RateLimitOptions>;
  private readonly buckets = new Map<string, Window>();
  private global: Window = { start: 0, count: 0 };

  constructor(options: RateLimitOptions = {}) {
    this.options = {
      globalPerSecond: options.globalPerSecond ?? DISCORD_RATE_LIMITS.globalPerSecond,
      routes: { ...DISCORD_RATE_LIMITS.routes, ...options.routes },
      defaultRoute: options.defaultRoute ?? DISCORD_RATE_LIMITS.defaultRoute,
    };
  }

  /**
   * Counts one request on `METHOD template` (with its params) at `now`; `global` says whether the route is bound
   * to the global limit. Returns the headers to send, or the 429 to answer instead.
   */
  take(method: string, template: string, params: Readonly<Record<string, string>>, now: number, global: boolean): RateLimitVerdict {
    const route = `${method} ${template}`;
    if (global) {
      if (now - this.global.start >= 1_000) this.global = { start: now, count: 0 };
      if (this.global.count >= this.options.globalPerSecond) {
        const retryAfterMs = this.global.start + 1_000 - now;
        return this.limited('global', true, retryAfterMs, { 'X-RateLimit-Global': 'true', 'X-RateLimit-Scope': 'global' });
      }
    }
    const limit = this.options.routes[route] ?? this.options.defaultRoute;
    const major = MAJOR_PARAMETERS.map((p) => params[p]).find((v) => v !== undefined) ?? '';
    const key = `${route}\n${major}`;
    let window = this.buckets.get(key);
    if (window === undefined || now - window.start >= limit.windowMs) {
      window = { start: now, count: 0 };
      this.buckets.set(key, window);
    }
    const resetAfterMs = window.start + limit.windowMs - now;
    const headers = (remaining: number): Record<string, string> => ({
      'X-RateLimit-Limit': String(limit.limit),
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Reset': ((window.start + limit.windowMs) / 1000).toFixed(3),
      'X-RateLimit-Reset-After': (resetAfterMs / 1000).toFixed(3),
      'X-RateLimit-Bucket': bucketHash(route),
    });
    if (window.count >= limit.limit) {
      return this.limited(route, false, resetAfterMs, { ...headers(0), 'X-RateLimit-Scope': 'user' });
    }
    window.count++;
    if (global) this.global.count++;
    return { allowed: true, headers: headers(limit.limit - window.count) };
  }

  private limited(bucket: string, global: boolean, retryAfterMs: number, headers: Record<string, string>): RateLimitVerdict {
    const retryAfter = Math.max(retryAfterMs, 1) / 1000;
    return {
      allowed: false,
      bucket,
      global,
      retryAfterMs,
      // Discord's Retry-After header is whole seconds, rounded up; the body has the exact float.
      headers: { ...headers, 'Retry-After': String(Math.ceil(retryAfter)) },
      body: { message: 'You are being rate limited.', retry_after: Number(retryAfter.toFixed(3)), global, code: 0 },
    };
  }
}

/** A stable opaque id per route, as Discord's `X-RateLimit-Bucket` is. */
function bucketHash(route: string): string {
  let h = 2166136261;
  for (let i = 0; i < route.length; i++) h = Math.imul(h ^ route.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16).padStart(8, '0');
}
