import path from 'node:path';
import type { AttachmentBuilder } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import {
  answerEmbed,
  answerReply,
  errorReply,
  escapeText,
  fitEmbed,
  fitList,
  fitPassages,
  helpEmbed,
  knowledgeListReply,
  linesToFields,
  reindexProgressReply,
  reindexReply,
  skillsReply,
  sourceUrl,
  statsEmbed,
  textReply,
  truncate,
  type ReplyPayload,
} from '../../src/discord/format.ts';
import { EMBED_DESCRIPTION_LIMIT, EMBED_FIELD_VALUE_LIMIT, EMBED_TOTAL_LIMIT } from '../../src/discord/limits.ts';
import type { FeedbackReport } from '../../src/feedback/store.ts';
import type { Answer, Citation, EngineStats, ReindexReport, SkillEntry } from '../../src/types.ts';
import { bareUrls, expectWithinDiscordLimits, maskedLinks, messageTexts } from '../support/discord-markup.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { knowledgeDir, tempDir } from '../support/temp.ts';

const stats = { knowledgeVersion: 'abcd1234', embedder: 'use-lite' };

function citation(n: number, extra: Partial<Citation> = {}): Citation {
  return { n, source: 'doc.md', title: 'Doc', section: `Section ${n}`, text: `Passage ${n}.`, score: 0.5, rank: n, ...extra };
}

function answer(text: string, citations: Citation[], extra: Partial<Answer> = {}): Answer {
  return { question: 'q?', refused: false, answer: text, citations, truncated: false, confidence: 0.5, timings: { totalMs: 1, embedMs: 1, searchMs: 0 }, ...extra };
}

function embedSize(e: ReturnType<typeof answerEmbed>): number {
  return (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
}

function attachedText(reply: ReplyPayload, name: string): string {
  const file = (reply.files ?? []).find((f: AttachmentBuilder) => f.name === name);
  expect(file, `attachment ${name}`).toBeDefined();
  return Buffer.from(file!.attachment as Buffer).toString('utf8');
}

describe('truncate', () => {
  it('cuts at a word boundary and marks the cut', () => {
    expect(truncate('alpha beta gamma delta', 13)).toBe('alpha beta…');
    expect(truncate('short', 10)).toBe('short');
  });

  it('never splits a surrogate pair or a grapheme', () => {
    const family = '👨‍👩‍👧‍👦'; // 11 UTF-16 units, one grapheme
    expect(truncate(family.repeat(5), 13)).toBe(`${family}…`);
    expect(truncate('🇫🇷🇫🇷🇫🇷', 5)).toBe('🇫🇷…');
    expect(truncate('e\u0301'.repeat(10), 4)).toBe('e\u0301…');
    for (let limit = 2; limit < 30; limit++) {
      const cut = truncate('a😀b😀c😀d😀e😀f😀g😀h😀', limit);
      expect(cut.length).toBeLessThanOrEqual(limit);
      expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });
});

describe('escapeText', () => {
  it('shows Markdown characters literally, so nothing renders as a heading, list, quote, spoiler or code', () => {
    expect(escapeText('# Title')).toBe('\\# Title');
    expect(escapeText('- item\n  1. first\n> quote')).toBe('\\- item\n  1\\. first\n\\> quote');
    expect(escapeText('**bold** __u__ ||spoiler|| `code` ~~s~~ a\\b')).toBe('\\*\\*bold\\*\\* \\_\\_u\\_\\_ \\|\\|spoiler\\|\\| \\`code\\` \\~\\~s\\~\\~ a\\\\b');
    expect(escapeText('<@123> <t:1:R> <#456>')).toBe('\\<@123\\> \\<t:1:R\\> \\<\\#456\\>');
  });

  it('turns a masked link into its visible text and its URL shown as itself', () => {
    const shown = escapeText('[Verify your account](https://evil.example/steal)');
    expect(maskedLinks(shown)).toEqual([]);
    expect(shown).toBe('\\[Verify your account\\]\\(<https://evil.example/steal>\\)');
    expect(escapeText('[x](javascript:alert(1))')).toBe('\\[x\\]\\(javascript:alert\\(1\\)\\)');
  });

  it('wraps bare URLs in <…> (no preview), leaving trailing punctuation outside and balanced parentheses inside', () => {
    expect(escapeText('See https://example.org/a_b.')).toBe('See <https://example.org/a_b>\\.');
    expect(escapeText('(https://en.wikipedia.org/wiki/Foo_(bar))')).toBe('\\(<https://en.wikipedia.org/wiki/Foo_%28bar%29>\\)');
    // A URL that names another host in its user part is shown, but links nowhere.
    expect(escapeText('https://discord.com@evil.example/x')).toBe('https\\://discord.com@evil.example/x');
    expect(escapeText('https://u@a.example/https://b.example')).toBe('https\\://u@a.example/https\\://b.example');
  });

  it('keeps citation markers when asked, which can never open a link', () => {
    const shown = escapeText('Fact [1]. Trap [2](https://evil.example) [3]', { keepCitations: true });
    expect(shown).toBe('Fact [1]. Trap [2]\\(<https://evil.example/>\\) [3]');
    expect(maskedLinks(shown)).toEqual([]);
  });
});

describe('sourceUrl', () => {
  it('shows only http(s) URLs, as themselves, without credentials', () => {
    expect(sourceUrl('https://evil.example/login')).toBe('<https://evil.example/login>');
    expect(sourceUrl('http://example.org/a(b)[c]')).toBe('<http://example.org/a%28b%29%5Bc%5D>');
    expect(sourceUrl('javascript:alert(1)')).toBeUndefined();
    expect(sourceUrl('data:text/html,<script>')).toBeUndefined();
    expect(sourceUrl('https://discord.com:x@evil.example/')).toBeUndefined();
    expect(sourceUrl('not a url')).toBeUndefined();
    expect(sourceUrl(`https://example.org/${'a'.repeat(600)}`)).toBeUndefined();
  });
});

describe('fitPassages', () => {
  it('keeps whole passages and says the answer was shortened', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `• Passage number ${i} with some words in it. [${i + 1}]`);
    const fitted = fitPassages(lines.join('\n'), 1000);
    expect(fitted.length).toBeLessThanOrEqual(1000);
    const kept = fitted.split('\n');
    expect(kept.at(-1)).toMatch(/answer shortened/);
    for (const line of kept.slice(0, -1)) expect(lines).toContain(line);
  });
});

describe('fitList', () => {
  it('keeps whole items and says how many more there are', () => {
    const items = Array.from({ length: 300 }, (_, i) => `document-${i}.md`);
    const { text, shown } = fitList(items, 1000, ', ');
    expect(text.length).toBeLessThanOrEqual(1000);
    expect(text).toMatch(new RegExp(`, … and ${300 - shown} more$`));
    expect(text.split(', ').slice(0, shown)).toEqual(items.slice(0, shown));
    expect(fitList(['a', 'b'], 100)).toEqual({ text: 'a\nb', shown: 2 });
  });
});

describe('answerEmbed', () => {
  it('puts the answer in the description, numbered sources with their URL shown, and the knowledge version in the footer', () => {
    const e = answerEmbed(answer('One. [1]\nTwo. [2]', [citation(1, { url: 'https://example.org/a' }), citation(2)]), stats);
    expect(e.description).toBe('One. [1]\nTwo. [2]');
    expect(e.fields).toEqual([{ name: 'Sources', value: '**[1]** Doc — Section 1 <https://example.org/a>\n**[2]** Doc — Section 2' }]);
    expect(e.footer?.text).toContain('abcd1234');
  });

  it('drops a source URL that is not http(s)', () => {
    const e = answerEmbed(answer('One. [1]', [citation(1, { url: 'javascript:alert(1)' })]), stats);
    expect(e.fields![0]!.value).toBe('**[1]** Doc — Section 1');
  });

  it('stays within every Discord limit for a huge answer, keeping the sources', () => {
    const citations = Array.from({ length: 40 }, (_, i) => citation(i + 1, { section: 'S'.repeat(200), url: `https://example.org/${i}` }));
    const text = Array.from({ length: 300 }, (_, i) => `Sentence ${i} of a *very* long answer. [${(i % 40) + 1}]`).join('\n');
    const e = answerEmbed(answer(text, citations, { question: 'Q'.repeat(600) }), stats);
    expect(e.title!.length).toBeLessThanOrEqual(256);
    expect(e.description!.length).toBeLessThanOrEqual(EMBED_DESCRIPTION_LIMIT);
    for (const f of e.fields!) expect(f.value.length).toBeLessThanOrEqual(EMBED_FIELD_VALUE_LIMIT);
    expect(e.fields![0]!.name).toBe('Sources');
    expect(embedSize(e)).toBeLessThanOrEqual(EMBED_TOTAL_LIMIT);
  });

  it('shows a refusal without sources', () => {
    const e = answerEmbed(answer("I don't know that from my sources.", [], { refused: true }), stats);
    expect(e.fields).toBeUndefined();
    expect(e.description).toMatch(/don't know/);
  });
});

describe('fields and embeds', () => {
  it('packs lines into fields within the value limit', () => {
    const fields = linesToFields('Sources', Array.from({ length: 50 }, () => 'x'.repeat(100)), 25);
    expect(fields.length).toBeGreaterThan(1);
    for (const f of fields) expect(f.value.length).toBeLessThanOrEqual(EMBED_FIELD_VALUE_LIMIT);
    expect(fields[1]!.name).toBe('Sources (cont.)');
    expect(linesToFields('Sources', Array.from({ length: 50 }, () => 'x'.repeat(100)), 2)).toHaveLength(2);
  });

  it('drops trailing fields until the total fits', () => {
    const e = fitEmbed({ description: 'd', fields: Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, value: 'v'.repeat(1000) })) });
    expect(embedSize(e)).toBeLessThanOrEqual(EMBED_TOTAL_LIMIT);
    expect(e.fields!.length).toBe(5);
  });

  it('never allows mentions in a reply', () => {
    expect(skillsReply([], undefined).allowedMentions).toEqual({ parse: [] });
  });
});

/** A server admin's planted document, as the issue describes it. */
const PLANTED = `---
title: Account [help](https://evil.example/title)
url: https://evil.example/login
---

# Account help

## [Verify your account](https://evil.example/steal)

Click [verify](https://evil.example/steal) to keep your machine learning engineer account. See [docs](javascript:alert(1)).

## Skills for [phishing](https://evil.example/skills)

- [Verify](https://evil.example/x): confirm your **machine learning** account at https://evil.example/steal now.
- Trust: ||click|| the [link](https://evil.example/y) > quoted
`;

const JS_PLANTED = `---
title: Scripted
url: javascript:alert(document.cookie)
---

# Scripted

## Python skills for machine learning engineers

Python is the language machine learning engineers use most.
`;

describe('a planted document in every reply', () => {
  it('never produces a masked link, a javascript: link, or a URL other than shown as itself', async () => {
    const dir = await knowledgeDir({ '[Verify](https-evil.example).md': PLANTED, 'scripted.md': JS_PLANTED });
    const engine = await Engine.open({ config: { knowledgeDir: dir, indexDir: path.join(await tempDir('mlbot-index-'), 'index'), embedder: 'use-lite' }, embedder: new FakeEmbedder() });
    const engineStats = engine.stats();
    const answered = await engine.ask('How do I verify my machine learning engineer account?');
    expect(answered.refused).toBe(false);
    expect(answered.citations.some((c) => c.url === 'https://evil.example/login')).toBe(true);
    const python = await engine.ask('Which language do machine learning engineers use most?');
    expect(python.citations[0]?.source).toBe('scripted.md');
    const refused = await engine.ask('banana bread recipe please');
    expect(refused.refused).toBe(true);
    // The parser keeps a heading's link text and drops its target: the topic list names the heading, not the link.
    expect(refused.answer).toContain('Verify your account');
    expect(refused.answer).not.toContain('evil.example');

    const report: FeedbackReport = {
      since: new Date().toISOString(),
      days: 7,
      questions: 2,
      refused: 1,
      refusalRate: 0.5,
      up: 0,
      down: 1,
      topQuestions: [{ question: '[Free Nitro](https://evil.example/nitro)', count: 2 }],
      gaps: [{ question: 'banana bread [recipe](https://evil.example/q)?', count: 1, refused: 1, down: 0 }],
    };
    const reindexed: ReindexReport = {
      documents: 2,
      chunks: 5,
      embedded: 5,
      reused: 0,
      added: ['[Verify](https-evil.example).md'],
      changed: [],
      removed: [],
      skipped: [{ file: '[x](https://evil.example).md', reason: 'binary content' }],
      ms: 3,
    };
    const replies: ReplyPayload[] = [
      answerReply(answered, engineStats),
      answerReply(python, engineStats),
      answerReply(refused, engineStats),
      answerReply({ ...answered, question: 'Why [click here](https://evil.example/ask)?' }, engineStats),
      skillsReply(engine.skills(), undefined),
      skillsReply(engine.skills('verify'), '[area](https://evil.example/area)'),
      skillsReply([], '[area](https://evil.example/area)'),
      knowledgeListReply(engineStats),
      { embeds: [helpEmbed(engineStats)], allowedMentions: { parse: [] } },
      { embeds: [statsEmbed(report)], allowedMentions: { parse: [] } },
      reindexReply(reindexed),
      errorReply('The change to [x](https://evil.example/e).md was undone'),
    ];
    expect(engine.skills().map((s) => s.name)).toContain('Verify'); // a skill named by a link keeps the link's text only
    const texts = replies.flatMap((r) => messageTexts(r));
    expect(texts.join('\n')).toContain('evil.example'); // the planted text is shown, as text
    for (const text of texts) {
      expect(maskedLinks(text), text).toEqual([]);
      expect(bareUrls(text), text).toEqual([]);
      expect(text).not.toMatch(/<javascript:/i);
    }
    // The document's own URL is shown as itself where its passages are cited; the javascript: one nowhere.
    expect(texts.join('\n')).toContain('<https://evil.example/login>');
    expect(texts.join('\n')).not.toContain('alert(document');
    for (const reply of replies) expectWithinDiscordLimits(reply);
    await engine.close();
  });

  it('keeps the bot’s own words as written in a text reply', () => {
    expect(textReply('Managing knowledge needs the **Manage Server** permission.').content).toContain('**Manage Server**');
  });
});

/** 300 documents, 60 of them with a skills section of five skills: the sizes the issue names. */
function manyDocuments(): EngineStats {
  return {
    documents: 300,
    chunks: 1500,
    embedder: 'use-lite',
    dim: 512,
    knowledgeVersion: 'abcd1234',
    builtAt: '2025-01-01T00:00:00.000Z',
    documentsList: Array.from({ length: 300 }, (_, i) => ({
      id: `career-guide-${String(i).padStart(3, '0')}.md`,
      title: `Career guide number ${i} for machine learning engineers`,
      sections: [`Overview of topic ${i}`, `Salaries in region ${i}`, ...(i % 5 === 0 ? [`Skills for role ${i}`] : [])],
      chunks: 5,
      indexedAt: '2025-01-01T00:00:00.000Z',
      origin: 'base' as const,
    })),
  };
}

function manySkills(): SkillEntry[] {
  return Array.from({ length: 300 }, (_, i) => {
    const doc = Math.floor(i / 5) * 5;
    return {
      name: `Skill ${i} of role ${doc}`,
      description: `A description of skill ${i}, long enough to read like the knowledge base: it explains what the skill is and why it matters for the role.`,
      citation: citation(i + 1, { source: `career-guide-${doc}.md`, title: `Career guide number ${doc}`, section: `Skills for role ${doc}` }),
    };
  });
}

describe('every reply fits, with 300 documents', () => {
  it('/knowledge list shows what fits and attaches every document', () => {
    const reply = knowledgeListReply(manyDocuments());
    expectWithinDiscordLimits(reply);
    const shown = reply.embeds![0]!.fields!.length;
    expect(shown).toBeGreaterThan(5);
    expect(reply.embeds![0]!.description).toContain(`Showing ${shown} of 300`);
    const file = attachedText(reply, 'knowledge.txt');
    for (const d of manyDocuments().documentsList) expect(file).toContain(`${d.id} — ${d.title}`);
  });

  it('/skills shows what fits and attaches all 300 skills with their sources', () => {
    const reply = skillsReply(manySkills(), undefined);
    expectWithinDiscordLimits(reply);
    expect(reply.embeds![0]!.fields!.length).toBe(25);
    expect(reply.embeds![0]!.description).toMatch(/All 300 skills, with their sources, are in the attached skills\.txt \(\d+ shown here\)/);
    const file = attachedText(reply, 'skills.txt');
    for (const s of manySkills()) expect(file).toContain(`[${s.citation.n}] ${s.name}: ${s.description}`);
    expect(file).toContain('career-guide-295.md — Career guide number 295 › Skills for role 295');
  });

  it('/skills with a handful of skills needs no attachment', () => {
    const reply = skillsReply(manySkills().slice(0, 4), undefined);
    expectWithinDiscordLimits(reply);
    expect(reply.files).toBeUndefined();
    expect(reply.embeds![0]!.fields).toHaveLength(4);
  });

  it('/help summarises the topics and sources', () => {
    const embed = helpEmbed(manyDocuments());
    expectWithinDiscordLimits({ embeds: [embed] });
    const sources = embed.fields!.find((f) => f.name.startsWith('Sources'))!;
    expect(sources.name).toBe('Sources (300)');
    expect(sources.value).toMatch(/… and \d+ more$/);
    expect(embed.fields!.find((f) => f.name === 'I know about')!.value).toMatch(/… and \d+ more$/);
  });

  it('a reindex report of hundreds of files names the first ones and attaches every one', () => {
    const files = (prefix: string) => Array.from({ length: 300 }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}.md`);
    const report: ReindexReport = {
      documents: 600,
      chunks: 3000,
      embedded: 1500,
      reused: 1500,
      added: files('added'),
      changed: files('changed'),
      removed: files('removed'),
      skipped: Array.from({ length: 200 }, (_, i) => ({ file: `broken-${i}.md`, reason: 'binary content (NUL bytes), not text' })),
      ms: 1234,
    };
    const reply = reindexReply(report);
    expectWithinDiscordLimits(reply);
    const description = reply.embeds![0]!.description!;
    expect(description).toMatch(/^Added: added-000\.md, added-001\.md, .* … and \d+ more$/m);
    expect(description).toMatch(/^Changed: changed-000\.md, .* … and \d+ more$/m);
    expect(description).toContain('attached reindex-report.txt');
    expect(reply.embeds![0]!.fields![0]!.name).toBe('Skipped (200)');
    const file = attachedText(reply, 'reindex-report.txt');
    for (const name of [...report.added, ...report.changed, ...report.removed]) expect(file).toContain(`  ${name}\n`);
    expect(file).toContain('  broken-199.md: binary content (NUL bytes), not text');
  });

  it('a small reindex report stays whole, without an attachment', () => {
    const reply = reindexReply({ documents: 2, chunks: 9, embedded: 1, reused: 8, added: ['interviews.md'], changed: [], removed: [], skipped: [], ms: 40 });
    expect(reply.files).toBeUndefined();
    expect(reply.embeds![0]!.description).toContain('Added: interviews.md');
  });
});

describe('reindexProgressReply', () => {
  it('says how many passages are done out of all, then that the indexes are being built', () => {
    expect(reindexProgressReply({ phase: 'embedding', done: 120, total: 923 }).embeds![0]!).toMatchObject({
      title: 'Reindexing…',
      description: expect.stringMatching(/^\*\*120\*\* of \*\*923\*\* passages done/),
    });
    expect(reindexProgressReply({ phase: 'indexing', done: 923, total: 923 }).embeds![0]!.description).toMatch(/All \*\*923\*\* passages embedded; building/);
  });
});
