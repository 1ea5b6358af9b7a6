import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({}, '/app');
    expect(c).toMatchObject({ knowledgeDir: '/app/knowledge', indexDir: '/app/data/index', embedder: 'use-lite', logLevel: 'info', adminUserIds: [] });
    expect(c.discordToken).toBeUndefined();
    expect('discordApiUrl' in c).toBe(false);
  });

  it('parses id lists and trims the API URL', () => {
    const c = loadConfig({ ADMIN_USER_IDS: '123456789012345678, 223456789012345678', DISCORD_API_URL: 'http://127.0.0.1:5000/api/' }, '/app');
    expect(c.adminUserIds).toEqual(['123456789012345678', '223456789012345678']);
    expect(c.discordApiUrl).toBe('http://127.0.0.1:5000/api');
  });

  it.each([
    ['EMBEDDER', 'bert'],
    ['LOG_LEVEL', 'loud'],
    ['DISCORD_CLIENT_ID', 'abc'],
    ['ADMIN_ROLE_IDS', '123456789012345678,nope'],
    ['DISCORD_API_URL', 'ftp://x'],
    ['ASK_RATE_LIMIT', '0'],
  ])('rejects %s=%s with CONFIG_INVALID naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(name) }));
  });

  it.each(['DISCORD_CLIENT_ID', 'LOG_LEVEL', 'ADMIN_USER_IDS', 'DISCORD_API_URL', 'ASK_RATE_LIMIT', 'KNOWLEDGE_WATCH'])(
    'names %s and what it expects, never the rejected value (a token pasted in the wrong place)',
    (name) => {
      const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB';
      let message = '';
      try {
        loadConfig({ [name]: token });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(new RegExp(`^Configuration error: ${name} is not valid; expected .+\\.$`));
      expect(message).not.toContain(token);
      expect(message).not.toContain(token.slice(0, 12));
    },
  );

  it('leaves the Message Content intent off unless asked, and paces automatic answers', () => {
    expect(loadConfig({})).toMatchObject({ messageContentIntent: false, autoAnswersPerSecond: 5 });
    expect(loadConfig({ MESSAGE_CONTENT_INTENT: 'true', AUTO_ANSWERS_PER_SECOND: '10' })).toMatchObject({ messageContentIntent: true, autoAnswersPerSecond: 10 });
    expect(() => loadConfig({ MESSAGE_CONTENT_INTENT: 'yes' })).toThrow(expect.objectContaining({ message: expect.stringContaining('MESSAGE_CONTENT_INTENT') }));
    expect(() => loadConfig({ AUTO_ANSWERS_PER_SECOND: '51' })).toThrow(expect.objectContaining({ message: expect.stringContaining('AUTO_ANSWERS_PER_SECOND') }));
  });

  it('reads whole numbers, flags and the shard count', () => {
    expect(loadConfig({ ASK_RATE_LIMIT: ' 7 ', KNOWLEDGE_WATCH: 'True', SHARD_COUNT: '3', MAX_CONCURRENT_ANSWERS: '' })).toMatchObject({
      askRateLimit: 7,
      knowledgeWatch: true,
      shardCount: 3,
      maxConcurrentAnswers: 4,
    });
  });

  it('reads the shards of this host and the shared database', () => {
    const c = loadConfig({ SHARD_COUNT: '8', SHARD_LIST: '0, 2,4-6', DATABASE_URL: 'postgres://bot:pw@db.internal:5432/bot', DATABASE_POOL_MAX: '10' });
    expect(c).toMatchObject({ shardCount: 8, shardList: [0, 2, 4, 5, 6], databaseUrl: 'postgres://bot:pw@db.internal:5432/bot', databasePoolMax: 10 });
    expect(loadConfig({})).toMatchObject({ databasePoolMax: 5 });
    expect('databaseUrl' in loadConfig({})).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/bot' }).databaseUrl).toBe('postgresql://localhost/bot');
  });

  it.each([
    [{ SHARD_LIST: '0,1' }, 'SHARD_LIST'], // no total
    [{ SHARD_COUNT: '2', SHARD_LIST: '0,2' }, 'SHARD_LIST'], // beyond the total
    [{ SHARD_COUNT: '4', SHARD_LIST: '3-1' }, 'SHARD_LIST'],
    [{ SHARD_COUNT: '4', SHARD_LIST: 'one' }, 'SHARD_LIST'],
    [{ DATABASE_URL: 'mysql://db/bot' }, 'DATABASE_URL'],
    [{ DATABASE_POOL_MAX: '0' }, 'DATABASE_POOL_MAX'],
  ])('rejects %o naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(name) }));
  });

  it('never repeats a database URL it rejects (it may hold a password)', () => {
    const url = 'mysql://bot:s3cret@db/bot';
    expect(() => loadConfig({ DATABASE_URL: url })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
  });
});
