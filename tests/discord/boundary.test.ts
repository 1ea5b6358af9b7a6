import { DiscordAPIError, MessageFlags } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { botError } from '../../src/errors.ts';
import { APOLOGY, guardInteraction, guardMessage } from '../../src/discord/boundary.ts';
import { createLogger } from '../../src/logger.ts';

/** Shaped like a real interaction token: long, base64url, and a credential for the webhook routes. */
const TOKEN = 'aW50ZXJhY3Rpb246MTMwMDAwMDAwMDAwMDAwMDAwMDpqS2xNbk9wUXJTdFV2V3hZejAxMjM0NTY3ODlhYmNkZWZnaGlq';
const WEBHOOK_URL = `https://discord.com/api/v10/webhooks/1300000000000000001/${TOKEN}/messages/@original`;

function logged() {
  const raw: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void raw.push(line) });
  return { logger, raw: () => raw.join(''), lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

type Sent = { how: 'reply' | 'editReply' | 'followUp'; payload: Record<string, unknown> };

/** The parts of a discord.js interaction the boundary uses, recording what it sends. */
function interaction(state: { deferred?: boolean; replied?: boolean; failReplies?: boolean } = {}) {
  const sent: Sent[] = [];
  const send = (how: Sent['how']) => async (payload: Record<string, unknown>) => {
    if (state.failReplies) throw new Error(`connection reset while sending to ${WEBHOOK_URL}`);
    sent.push({ how, payload });
  };
  const fake = {
    token: TOKEN,
    deferred: state.deferred ?? false,
    replied: state.replied ?? false,
    reply: send('reply'),
    editReply: send('editReply'),
    followUp: send('followUp'),
  };
  return { fake: fake as never, sent };
}

const where = { command: 'knowledge', userId: '111111111111111111', guildId: '222222222222222222' };

function discordError(): DiscordAPIError {
  return new DiscordAPIError(
    { code: 50035, message: 'Invalid Form Body', errors: {} },
    50035,
    400,
    'PATCH',
    WEBHOOK_URL,
    { files: undefined, body: { embeds: [{ description: 'x' }] } },
  );
}

describe('the error boundary', () => {
  it("shows a BotError's own message, privately, before anything was sent", async () => {
    const { logger, lines } = logged();
    const { fake, sent } = interaction();
    await guardInteraction(fake, logger, where, async () => {
      throw botError('KNOWLEDGE_FILE_NOT_FOUND', { name: 'guide.md' });
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.how).toBe('reply');
    expect(sent[0]!.payload.flags).toBe(MessageFlags.Ephemeral);
    expect(JSON.stringify(sent[0]!.payload.embeds)).toContain('There is no knowledge file named guide.md');
    expect(lines()).toMatchObject([{ level: 40, code: 'KNOWLEDGE_FILE_NOT_FOUND', msg: 'command refused' }]);
  });

  it('apologises for anything else in the deferred reply, and the "command failed" log carries no token', async () => {
    const { logger, raw, lines } = logged();
    const { fake, sent } = interaction({ deferred: true });
    await guardInteraction(fake, logger, where, async () => {
      throw discordError();
    });
    expect(sent).toEqual([{ how: 'editReply', payload: expect.objectContaining({ embeds: [expect.objectContaining({ description: expect.stringContaining('Sorry') })] }) }]);
    expect(JSON.stringify(sent[0]!.payload)).toContain(APOLOGY.slice(0, 20));
    const failed = lines().find((l) => l.msg === 'command failed')!;
    expect(failed).toMatchObject({ level: 50, command: 'knowledge', err: { type: 'DiscordAPIError', status: 400 } });
    expect((failed.err as { url: string }).url).toBe('https://discord.com/api/v10/webhooks/1300000000000000001/[redacted]/messages/@original');
    expect(raw()).not.toContain(TOKEN);
    expect(raw()).not.toContain('requestBody');
  });

  it('follows up when the reply was already sent, and logs (without the token) when even that fails', async () => {
    const { logger, raw } = logged();
    const after = interaction({ replied: true });
    await guardInteraction(after.fake, logger, where, async () => {
      throw new Error('boom');
    });
    expect(after.sent.map((s) => [s.how, s.payload.flags])).toEqual([['followUp', MessageFlags.Ephemeral]]);

    const broken = interaction({ deferred: true, failReplies: true });
    await expect(
      guardInteraction(broken.fake, logger, where, async () => {
        throw new Error('boom');
      }),
    ).resolves.toBeUndefined();
    expect(raw()).toContain('could not deliver the error reply');
    expect(raw()).not.toContain(TOKEN);
  });

  it('answers a failed mention as a reply to the message, pinging nobody', async () => {
    const { logger } = logged();
    const replies: Record<string, unknown>[] = [];
    const message = { reply: async (payload: Record<string, unknown>) => void replies.push(payload) };
    await guardMessage(message as never, logger, { event: 'mention' }, async () => {
      throw new Error('boom');
    });
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ allowedMentions: { parse: [], repliedUser: false }, failIfNotExists: false });
  });
});

describe('createLogger', () => {
  it('redacts tokens by key and inside any string, wherever they sit', () => {
    const { logger, raw } = logged();
    logger.info({ interaction: { token: TOKEN }, webhookUrl: WEBHOOK_URL, nested: { note: `retrying ${WEBHOOK_URL}` } }, 'x');
    logger.warn({ err: new Error(`PATCH ${WEBHOOK_URL} failed`) }, 'y');
    logger.info({ config: { discordToken: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB' } }, 'z');
    logger.info({ text: 'pasted MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB here' }, 'w');
    expect(raw()).not.toContain(TOKEN);
    expect(raw()).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789AB');
    expect(raw()).toContain('/webhooks/1300000000000000001/[redacted]/messages');
  });
});
