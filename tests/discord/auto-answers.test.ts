import { afterEach, describe, expect, it, vi } from 'vitest';
import { AUTO_QUEUE_MAX, AutoAnswerQueue } from '../../src/discord/auto-answers.ts';
import { intentReport } from '../../src/discord/intents.ts';
import { readsAsQuestion } from '../../src/discord/messages.ts';
import { captureLogger } from '../support/capture-logger.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('AutoAnswerQueue', () => {
  it('starts at most `perSecond` answers a second, in arrival order, each key once', async () => {
    vi.useFakeTimers();
    const { logger } = captureLogger();
    const queue = new AutoAnswerQueue(5, logger, () => Date.now());
    const started: number[] = [];
    const done = Array.from({ length: 12 }, (_, i) => queue.add(`post:${i}`, async () => void started.push(i)));
    expect(queue.add('post:3', async () => void started.push(99))).toBeUndefined();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await vi.advanceTimersByTimeAsync(400);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    await Promise.all(done);
    expect(queue.waiting).toBe(0);
  });

  it('lets at most `perSecond` answers be sent a second, however many are ready at once', async () => {
    vi.useFakeTimers();
    const queue = new AutoAnswerQueue(4, captureLogger().logger, () => Date.now());
    const sent: number[] = [];
    const start = Date.now();
    const sends = Array.from({ length: 10 }, (_, i) => queue.beforeSend().then(() => void sent.push(Date.now() - start)));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toHaveLength(8);
    await vi.advanceTimersByTimeAsync(500);
    await Promise.all(sends);
    expect(sent).toHaveLength(10);
  });

  it('drops answers beyond its bound and those not started at stop, with a warning, and logs a failing one', async () => {
    vi.useFakeTimers();
    const { logger, lines } = captureLogger();
    const queue = new AutoAnswerQueue(1, logger, () => Date.now());
    const never = new Promise<void>(() => undefined);
    queue.add('first', () => never);
    for (let i = 0; i < AUTO_QUEUE_MAX; i++) queue.add(`k${i}`, async () => undefined);
    expect(queue.add('one too many', async () => undefined)).toBeUndefined();
    expect(lines().some((l) => l.msg === 'too many automatic answers waiting: this one is dropped')).toBe(true);
    queue.stop();
    expect(queue.waiting).toBe(0);
    expect(queue.add('after stop', async () => undefined)).toBeUndefined();

    const failing = new AutoAnswerQueue(5, logger);
    await failing.add('bad', async () => {
      throw new Error('boom');
    });
    expect(lines().some((l) => l.msg === 'automatic answer failed' && l.key === 'bad')).toBe(true);
  });
});

describe('readsAsQuestion', () => {
  it('takes questions and follow-ups, not chat', () => {
    for (const text of ['What skills do I need?', 'how do I start', 'and for a phd', 'is python enough', 'Tell me about MLOps', 'ok but why?', "what's a good first project"]) {
      expect(readsAsQuestion(text), text).toBe(true);
    }
    for (const text of ['thanks!', 'nice, that helped', 'I already work as an analyst.', '', '🙏']) expect(readsAsQuestion(text), text).toBe(false);
  });
});

describe('intentReport', () => {
  const modes = (forum: number, text: number) => ({ auto: { forum, text }, mention: { forum: 0, text: 0 }, off: { forum: 0, text: 0 } });

  it('warns, once, what the chosen auto channels miss without the Message Content intent', () => {
    const report = intentReport({ messageContentIntent: false }, modes(2, 1));
    expect(report.level).toBe('warn');
    expect(report.message).toContain('2 auto forum(s) are answered from post titles only');
    expect(report.message).toContain('1 auto text channel(s) get no automatic answers');
    expect(report.message).toContain('MESSAGE_CONTENT_INTENT=true');
  });

  it('only informs when nothing needs the intent, or when it is on', () => {
    expect(intentReport({ messageContentIntent: false }, modes(0, 0)).level).toBe('info');
    expect(intentReport({ messageContentIntent: true }, modes(3, 3))).toMatchObject({ level: 'info', fields: { autoForums: 3, autoTextChannels: 3 } });
  });
});
