import { embedLength } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { answerEmbed, escapeText, readAnswerEmbed, unescapeText } from '../../src/discord/format.ts';
import { EMBED_TOTAL_LIMIT } from '../../src/discord/limits.ts';
import { listItems } from '../../src/engine/follow-up.ts';
import type { Answer } from '../../src/types.ts';

const stats = { knowledgeVersion: 'abcd1234', embedder: 'use-lite' };

function answer(extra: Partial<Answer> = {}): Answer {
  return {
    question: 'Which *skills* do [ML] engineers need?',
    refused: false,
    answer: 'Engineers need: [1]\n• Programming: Python_3 and `R`. [1]\n• Maths & stats: see https://example.org/a_b now. [1]',
    citations: [{ n: 1, source: 'doc.md', title: 'Doc', section: 'Skills', text: 'x', score: 0.5, rank: 1 }],
    truncated: false,
    confidence: 0.5,
    timings: { totalMs: 1, embedMs: 1, searchMs: 0 },
    ...extra,
  };
}

describe('reading answers back from a thread', () => {
  it('gets the question and the answer text back from an answer embed, list items included', () => {
    const read = readAnswerEmbed(answerEmbed(answer(), stats));
    expect(read).toEqual({ question: 'Which *skills* do [ML] engineers need?', answer: answer().answer });
    expect(listItems(read!.answer!)).toEqual(['Programming: Python_3 and `R`.', 'Maths & stats: see https://example.org/a_b now.']);
  });

  it('reads a refusal as a question without an answer, and nothing else as an answer', () => {
    expect(readAnswerEmbed(answerEmbed(answer({ refused: true, answer: "I don't know that." }), stats))).toEqual({ question: 'Which *skills* do [ML] engineers need?' });
    expect(readAnswerEmbed({ title: 'ML careers bot', description: 'help', footer: { text: 'Knowledge abcd1234 · built …' } })).toBeUndefined();
    expect(readAnswerEmbed(undefined)).toBeUndefined();
  });

  it('undoes escapeText, long text included', () => {
    for (const text of ['# Title', '- item', '1. first', '> quote ||spoiler|| ~~x~~ __u__ \\ back', '[Verify](https://evil.example/x)', 'a*b*c_d_', 'plain']) {
      expect(unescapeText(escapeText(text))).toBe(text);
    }
    const long = 'a*'.repeat(50_000);
    expect(unescapeText(escapeText(long))).toBe(long);
  });

  it('says what a follow-up was read with, within the limits', () => {
    const e = answerEmbed(answer({ context: { reading: 'follow-up', readWith: 'What skills do ML engineers need?' } }), stats);
    expect(e.author).toEqual({ name: '↪ Follow-up to “What skills do ML engineers need?”' });
    const long = answerEmbed(answer({ question: 'Q'.repeat(600), context: { reading: 'follow-up', readWith: 'W'.repeat(600) } }), stats);
    expect(long.author!.name.length).toBeLessThanOrEqual(256);
    expect(embedLength(long)).toBeLessThanOrEqual(EMBED_TOTAL_LIMIT);
    expect(answerEmbed(answer({ context: { reading: 'new-topic' } }), stats).author).toBeUndefined();
  });

  it("marks an answer read from a post's title, and tells how to ask again when it is refused", () => {
    const answered = answerEmbed(answer(), stats, { titleOnly: true });
    expect(answered.footer!.text).toMatch(/^Read from the post's title · Knowledge abcd1234/);
    const refused = answerEmbed(answer({ refused: true, answer: "I don't know that from my sources." }), stats, { titleOnly: true });
    expect(refused.description).toContain("I could read only this post's title");
    expect(readAnswerEmbed(answered)?.question).toBe(answer().question);
  });
});
