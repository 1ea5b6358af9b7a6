import { PermissionFlagsBits, PermissionsBitField } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter, Cooldown, isAdmin } from '../../src/discord/guard.ts';
import { questionFromMention } from '../../src/discord/mention.ts';

const config = { adminUserIds: ['111111111111111111'], adminRoleIds: ['222222222222222222'] };
const member = (roles: string[]) => ({ roles }) as never;

describe('isAdmin', () => {
  it('allows Manage Server, configured users and configured roles, and nobody else', () => {
    const none = new PermissionsBitField(0n);
    const manage = new PermissionsBitField(PermissionFlagsBits.ManageGuild);
    expect(isAdmin({ userId: '9', permissions: manage, member: member([]) }, config)).toBe(true);
    expect(isAdmin({ userId: '111111111111111111', permissions: none, member: null }, config)).toBe(true);
    expect(isAdmin({ userId: '9', permissions: none, member: member(['222222222222222222']) }, config)).toBe(true);
    expect(isAdmin({ userId: '9', permissions: new PermissionsBitField(PermissionFlagsBits.SendMessages), member: member(['3']) }, config)).toBe(false);
    expect(isAdmin({ userId: '9', permissions: null, member: null }, config)).toBe(false);
  });
});

describe('Cooldown', () => {
  it('allows `limit` questions per window, then says how long to wait', () => {
    let now = 0;
    const cooldown = new Cooldown(5, 60_000, () => now);
    for (let i = 0; i < 5; i++) expect(cooldown.take('u')).toBe(0);
    expect(cooldown.take('u')).toBe(60);
    expect(cooldown.take('other')).toBe(0);
    now = 30_000;
    expect(cooldown.take('u')).toBe(30);
    now = 60_000;
    expect(cooldown.take('u')).toBe(0);
  });
});

describe('ConcurrencyLimiter', () => {
  it('never runs more than `max` tasks at once and runs them all', async () => {
    const limiter = new ConcurrencyLimiter(2);
    let running = 0;
    let peak = 0;
    const task = async (i: number) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return i;
    };
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => limiter.run(() => task(i))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(2);
  });
});

describe('questionFromMention', () => {
  it('removes the bot mention in both forms', () => {
    expect(questionFromMention('<@123> which skills?', '123')).toBe('which skills?');
    expect(questionFromMention('hey <@!123>   what about banks', '123')).toBe('hey what about banks');
    expect(questionFromMention('<@123>', '123')).toBe('');
  });
});
