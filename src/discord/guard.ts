import { PermissionFlagsBits, type GuildMember, type APIInteractionGuildMember, type PermissionsBitField } from 'discord.js';
import type { Config } from '../config.ts';

export interface AdminCheckInput {
  userId: string;
  /** The member's permissions in the channel (null outside a server). */
  permissions: Readonly<PermissionsBitField> | null;
  member: GuildMember | APIInteractionGuildMember | null;
}

/** Manage Server, or named in ADMIN_USER_IDS / ADMIN_ROLE_IDS. Re-checked in every admin handler. */
export function isAdmin(input: AdminCheckInput, config: Pick<Config, 'adminUserIds' | 'adminRoleIds'>): boolean {
  if (config.adminUserIds.includes(input.userId)) return true;
  if (input.permissions?.has(PermissionFlagsBits.ManageGuild) === true) return true;
  const roles = input.member ? memberRoleIds(input.member) : [];
  return roles.some((r) => config.adminRoleIds.includes(r));
}

function memberRoleIds(member: GuildMember | APIInteractionGuildMember): string[] {
  return Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
}

/** A sliding-window limit per user: at most `limit` questions in any `windowMs`. */
export class Cooldown {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a question and returns 0, or returns the seconds to wait without recording. */
  take(userId: string): number {
    const now = this.now();
    const recent = (this.hits.get(userId) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(userId, recent);
      return Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000));
    }
    recent.push(now);
    this.hits.set(userId, recent);
    // Forget idle users so the map does not grow with every member who ever asked.
    if (this.hits.size > 10_000) for (const [id, ts] of this.hits) if (ts.every((t) => now - t >= this.windowMs)) this.hits.delete(id);
    return 0;
  }
}

/** At most `max` tasks run at once; the rest wait in arrival order. */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter, so no newcomer can slip in between.
    if (this.running >= this.max) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }

  get active(): number {
    return this.running;
  }
}
