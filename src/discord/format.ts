/**
 * Every message the bot sends is built here, so two rules hold everywhere:
 * - text that comes from the knowledge or from a person (titles, headings, passages, file names,
 *   skills, questions) is shown literally: Markdown escaped, so nothing renders as a masked link,
 *   a heading, a quote or a spoiler; URLs appear as the URL itself, never behind other words;
 * - every reply fits Discord's limits at any size of the knowledge: long lists are summarised in
 *   the embed and attached in full as a text file.
 */
import {
  AttachmentBuilder,
  embedLength,
  hideLinkEmbed,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIEmbedField,
} from 'discord.js';
import { citationLabel, groupSources, pagesSuffix, type SourceGroup } from '../answer/sources.ts';
import type { ChannelSetting } from './channel-modes.ts';
import type { FeedbackReport } from '../feedback/store.ts';
import { originOf } from '../engine/origin.ts';
import { parseHttpUrl } from '../http-url.ts';
import { graphemePrefix } from '../text.ts';
import type { Answer, BuildProgress, EngineStats, ReindexReport, SkillEntry } from '../types.ts';
import {
  EMBED_AUTHOR_NAME_LIMIT,
  EMBED_DESCRIPTION_LIMIT,
  EMBED_FIELD_COUNT_LIMIT,
  EMBED_FIELD_NAME_LIMIT,
  EMBED_FIELD_VALUE_LIMIT,
  EMBED_FOOTER_LIMIT,
  EMBED_TITLE_LIMIT,
  EMBED_TOTAL_LIMIT,
  MESSAGE_CONTENT_LIMIT,
} from './limits.ts';

const COLOR_ANSWER = 0x5865f2;
const COLOR_REFUSAL = 0x99aab5;
const COLOR_ERROR = 0xed4245;
const COLOR_OK = 0x57f287;
const COLOR_PROGRESS = 0xfee75c;

/** A source URL longer than this is not shown: cut, it would point somewhere else than it says. */
const MAX_SHOWN_URL = 512;

/** Nobody is ever pinged by what the bot writes: not by a question, not by a knowledge passage. */
export const NO_MENTIONS = { parse: [] as [] };

export interface ReplyPayload {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  /** A long list in full, as a plain-text attachment the embed refers to. */
  files?: AttachmentBuilder[];
  allowedMentions: typeof NO_MENTIONS;
}

// ---------------------------------------------------------------------------------------------------------------
// Literal text
// ---------------------------------------------------------------------------------------------------------------

/**
 * One left-to-right pass over the text (linear time; discord.js's escapeMarkdown uses look-behinds
 * that are quadratic on long lines, which knowledge passages can be). Alternatives, in order:
 * a bare http(s) URL; a citation marker `[n]` (kept only when asked); a character Discord's
 * Markdown gives a meaning (`\ * _ ~ ` | [ ] ( ) < > #`); a list marker at the start of a line.
 */
const MARKUP = /(https?:\/\/[^\s<>]+)|(\[\d{1,4}\])|([\\*_~`|[\]()<>#])|^([ \t]*)([-+]|\d{1,9}\.)(?=[ \t])/gimu;
/** What Discord leaves out of a bare URL when it ends one (so does this). */
const URL_TRAILING = new Set(['.', ',', ':', ';', '?', '!', '"', "'", ')', ']', '*', '_', '~', '|', '`']);

/**
 * Text exactly as written. Every Markdown character is backslash-escaped (Discord then shows the
 * character itself), so `[Verify](https://evil.example)` shows those very characters and links
 * nowhere; a bare http(s) URL becomes `<url>`: shown as itself, never previewed.
 * `keepCitations` leaves the answer's `[n]` markers as they are: with `(` always escaped they
 * can never open a link.
 */
export function escapeText(text: string, options: { keepCitations?: boolean } = {}): string {
  return text.replace(MARKUP, (match, url?: string, citation?: string, char?: string, indent?: string, marker?: string) => {
    if (url !== undefined) return bareUrl(url);
    if (citation !== undefined) return options.keepCitations ? citation : `\\[${citation.slice(1, -1)}\\]`;
    if (char !== undefined) return `\\${char}`;
    if (marker !== undefined) return `${indent ?? ''}${marker.slice(0, -1)}\\${marker.slice(-1)}`;
    return match;
  });
}

function bareUrl(run: string): string {
  // A closing parenthesis that closes one inside the URL (Wikipedia's `Foo_(bar)`) belongs to it.
  let unclosed = 0;
  for (const c of run) unclosed += c === '(' ? 1 : c === ')' ? -1 : 0;
  let end = run.length;
  while (end > 0 && URL_TRAILING.has(run[end - 1]!)) {
    if (run[end - 1] === ')' && unclosed >= 0) break;
    if (run[end - 1] === ')') unclosed++;
    end--;
  }
  const url = run.slice(0, end);
  const rest = [...run.slice(end)].map((c) => `\\${c}`).join('');
  const shown = sourceUrl(url);
  if (shown !== undefined) return shown + rest;
  // Not one to show as a link (credentials, too long): its text, every `:` escaped so neither it
  // nor a URL inside it links anywhere (and no second pass over the rest: linear time).
  return url.replace(/[\\*_~`|[\]()<>#:]/g, '\\$&') + rest;
}

/**
 * The text `escapeText` was given, from what it made (linear): each backslash-escaped character
 * back to itself, each `<url>` back to the URL. Used to read the bot's own answers back from a
 * thread; what was cut to a limit stays cut.
 */
export function unescapeText(shown: string): string {
  return shown.replace(/\\([^\n])|<(https?:\/\/[^\s<>]+)>/g, (_match, escaped?: string, url?: string) => escaped ?? url ?? '');
}

/**
 * A document's URL as Discord should show it: the URL itself in `<…>` (a visible link, no
 * preview), only http(s), without credentials (`https://discord.com@evil.example` would read as
 * Discord), normalised by the URL parser (so no `<`, `>` or spaces inside); otherwise nothing.
 */
export function sourceUrl(raw: string | undefined): string | undefined {
  const url = raw === undefined ? undefined : parseHttpUrl(raw);
  if (url === undefined) return undefined;
  // Brackets and parentheses, legal in a URL, are encoded: no reader (or parser) mistakes them for link syntax.
  const rest = `${url.pathname}${url.search}${url.hash}`.replace(/[[\]()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const href = `${url.origin}${rest}`;
  if (href.length > MAX_SHOWN_URL) return undefined;
  return hideLinkEmbed(href);
}

// ---------------------------------------------------------------------------------------------------------------
// Lengths
// ---------------------------------------------------------------------------------------------------------------

/**
 * Cuts at a word boundary (or, for one long word, at a grapheme boundary) and marks the cut;
 * never returns more than `limit` characters and never splits a character.
 */
export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = graphemePrefix(text, limit - 1);
  const space = cut.search(/\s\S*$/);
  return `${(space > limit * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * Keeps whole passages (lines and paragraphs of the answer) while they fit; a cut answer says so.
 * Never cuts mid-word; falls back to word truncation only for a single over-long passage.
 */
export function fitPassages(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const note = '\n… (answer shortened; see all sources below)';
  const budget = limit - note.length;
  const kept: string[] = [];
  let length = 0;
  for (const line of text.split('\n')) {
    if (length + line.length + 1 > budget) break;
    kept.push(line);
    length += line.length + 1;
  }
  if (kept.join('').trim() === '') return truncate(text, limit);
  return `${kept.join('\n').trimEnd()}${note}`;
}

/**
 * Whole items joined by `separator` while they fit in `limit`, then "… and N more". Returns how
 * many items were shown, so a caller can attach the rest.
 */
export function fitList(items: readonly string[], limit: number, separator = '\n'): { text: string; shown: number } {
  const tail = (n: number) => `${separator}… and ${n} more`;
  const reserve = tail(items.length).length;
  let text = '';
  let shown = 0;
  for (const item of items) {
    const next = shown === 0 ? item : `${text}${separator}${item}`;
    const last = shown === items.length - 1;
    if (next.length > (last ? limit : limit - reserve)) break;
    text = next;
    shown++;
  }
  if (shown === items.length) return { text, shown };
  if (shown === 0) {
    // Not even one item fits whole: show the first one cut, so the list never looks empty.
    return { text: `${truncate(items[0]!, limit - reserve)}${tail(items.length - 1)}`, shown: 1 };
  }
  return { text: `${text}${tail(items.length - shown)}`, shown };
}

/** Packs lines into as few fields as needed, each within the field value limit. */
export function linesToFields(name: string, lines: readonly string[], maxFields: number): APIEmbedField[] {
  const fields: APIEmbedField[] = [];
  let current: string[] = [];
  let length = 0;
  const push = () => {
    if (current.length === 0) return;
    fields.push({ name: fields.length === 0 ? name : `${name} (cont.)`, value: current.join('\n') });
    current = [];
    length = 0;
  };
  for (const raw of lines) {
    const line = truncate(raw, EMBED_FIELD_VALUE_LIMIT);
    if (current.length > 0 && length + 1 + line.length > EMBED_FIELD_VALUE_LIMIT) {
      push();
      if (fields.length === maxFields) break;
    }
    length += (current.length > 0 ? 1 : 0) + line.length;
    current.push(line);
  }
  push();
  return fields.slice(0, maxFields);
}

/**
 * The last guard for any embed: at most 25 fields, every part within its limit, and trailing
 * fields dropped (then the description cut) until Discord's 6,000 total fits.
 */
export function fitEmbed(embed: APIEmbed): APIEmbed {
  const out: APIEmbed = {
    ...embed,
    ...(embed.title !== undefined && { title: truncate(embed.title, EMBED_TITLE_LIMIT) }),
    ...(embed.description !== undefined && { description: truncate(embed.description, EMBED_DESCRIPTION_LIMIT) }),
    ...(embed.footer !== undefined && { footer: { ...embed.footer, text: truncate(embed.footer.text, EMBED_FOOTER_LIMIT) } }),
    fields: (embed.fields ?? []).slice(0, EMBED_FIELD_COUNT_LIMIT).map((f) => ({
      ...f,
      name: truncate(f.name, EMBED_FIELD_NAME_LIMIT),
      value: truncate(f.value, EMBED_FIELD_VALUE_LIMIT),
    })),
  };
  while (embedLength(out) > EMBED_TOTAL_LIMIT && out.fields!.length > 0) out.fields!.pop();
  if (out.description && embedLength(out) > EMBED_TOTAL_LIMIT) {
    out.description = truncate(out.description, Math.max(1, out.description.length - (embedLength(out) - EMBED_TOTAL_LIMIT)));
  }
  return out;
}

/** Fields taken in order while the embed stays within Discord's limits; returns how many fit. */
function addFieldsThatFit(embed: APIEmbed, fields: readonly APIEmbedField[], reserve = 0): number {
  const taken: APIEmbedField[] = [];
  let length = embedLength(embed) + reserve;
  for (const field of fields) {
    const size = field.name.length + field.value.length;
    if (taken.length === EMBED_FIELD_COUNT_LIMIT || length + size > EMBED_TOTAL_LIMIT) break;
    taken.push(field);
    length += size;
  }
  embed.fields = taken;
  return taken.length;
}

function textFile(name: string, text: string, description: string): AttachmentBuilder {
  return new AttachmentBuilder(Buffer.from(text, 'utf8'), { name, description });
}

// ---------------------------------------------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------------------------------------------

/** Said of a server's own document wherever it is named, so nobody takes it for the bot's base knowledge. */
const SERVER_DOCUMENT_NOTE = " (this server's document)";

function sourceLine(g: SourceGroup): string {
  const url = sourceUrl(g.url);
  const note = originOf(g.source) === 'server' ? SERVER_DOCUMENT_NOTE : '';
  return `**${citationLabel(g.numbers)}** ${escapeText(g.title)}${pagesSuffix(g.pages)} — ${escapeText(g.section)}${note}${url ? ` ${url}` : ''}`;
}

/** Every answer's footer says this; it is how the bot recognises its own answers when it reads a thread back. */
const ANSWER_FOOTER_MARK = 'answers quote their sources';

/** How an answer came to be, when it was not a plain question: read as a follow-up, or from a forum post's title alone. */
export interface AnswerNotes {
  /** The bot could read only the forum post's title (no Message Content intent). */
  titleOnly?: boolean;
}

export function answerEmbed(answer: Answer, stats: Pick<EngineStats, 'knowledgeVersion' | 'embedder'>, notes: AnswerNotes = {}): APIEmbed {
  const readFrom = notes.titleOnly ? "Read from the post's title · " : '';
  const footer = { text: truncate(`${readFrom}Knowledge ${stats.knowledgeVersion} · ${ANSWER_FOOTER_MARK} · ${stats.embedder}`, EMBED_FOOTER_LIMIT) };
  const title = truncate(escapeText(answer.question || 'Your question'), EMBED_TITLE_LIMIT);
  // An author line is plain text (no Markdown), so the earlier question is shown as it was asked.
  const readWith = answer.context?.reading === 'follow-up' ? answer.context.readWith : undefined;
  const author = readWith === undefined ? {} : { author: { name: truncate(`↪ Follow-up to “${readWith}”`, EMBED_AUTHOR_NAME_LIMIT) } };
  if (answer.refused) {
    const hint = notes.titleOnly ? "\nI could read only this post's title: mention me here with your question to ask again." : '';
    return { ...author, title, description: truncate(escapeText(answer.answer) + hint, EMBED_DESCRIPTION_LIMIT), color: COLOR_REFUSAL, footer };
  }
  const fields = linesToFields('Sources', groupSources(answer.citations).map(sourceLine), 3);
  const fixed = embedLength({ ...author, title, footer, fields });
  const description = fitPassages(escapeText(answer.answer, { keepCitations: true }), Math.min(EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - fixed));
  return { ...author, title, description, color: COLOR_ANSWER, fields, footer };
}

export function answerReply(
  answer: Answer,
  stats: Pick<EngineStats, 'knowledgeVersion' | 'embedder'>,
  components: APIActionRowComponent<APIComponentInMessageActionRow>[] = [],
  notes: AnswerNotes = {},
): ReplyPayload {
  return { embeds: [answerEmbed(answer, stats, notes)], components, allowedMentions: NO_MENTIONS };
}

/**
 * One of the bot's answers read back from its embed: the question as shown (up to the title's
 * limit) and, unless it was a refusal, the answer text with its `[n]` markers. Anything else the
 * bot sent (help, errors, notes) is undefined.
 */
export function readAnswerEmbed(embed: APIEmbed | undefined): { question: string; answer?: string } | undefined {
  if (embed?.footer?.text.includes(ANSWER_FOOTER_MARK) !== true || embed.title === undefined) return undefined;
  const question = unescapeText(embed.title);
  if (embed.color === COLOR_REFUSAL || embed.description === undefined) return { question };
  return { question, answer: unescapeText(embed.description) };
}

/** One field per skill while they fit; with more skills than that, the full list is attached. */
export function skillsReply(skills: readonly SkillEntry[], area: string | undefined): ReplyPayload {
  if (skills.length === 0) {
    const text = area ? `No skill in my sources matches “${escapeText(truncate(area, 100))}”.` : 'My sources list no skills.';
    return { embeds: [{ title: 'Skills', description: text, color: COLOR_REFUSAL }], allowedMentions: NO_MENTIONS };
  }
  const sources = [...new Map(skills.map((s) => [`${s.citation.source}\n${s.citation.section}`, s.citation])).values()];
  const sourceList = fitList(sources.map((c) => `${escapeText(c.title)} — ${escapeText(c.section)}`), 1_000, '; ');
  const embed: APIEmbed = {
    title: truncate(area ? `Skills — ${escapeText(area)}` : 'Skills for machine learning engineers', EMBED_TITLE_LIMIT),
    description: `As my sources list them. Source: ${sourceList.text}`,
    color: COLOR_ANSWER,
  };
  const fields = skills.map((s) => ({
    name: truncate(escapeText(s.name), EMBED_FIELD_NAME_LIMIT),
    value: truncate(`${escapeText(s.description)} [${s.citation.n}]`, EMBED_FIELD_VALUE_LIMIT),
  }));
  const note = (shown: number) => `\nAll ${skills.length} skills, with their sources, are in the attached skills.txt (${shown} shown here).`;
  const shown = addFieldsThatFit(embed, fields, note(skills.length).length);
  if (shown === skills.length && sourceList.shown === sources.length) return { embeds: [embed], allowedMentions: NO_MENTIONS };
  embed.description += note(shown);
  const file = skills.map((s) => `[${s.citation.n}] ${s.name}: ${s.description}\n    ${plainSource(s.citation)}`).join('\n');
  return {
    embeds: [fitEmbed(embed)],
    files: [textFile('skills.txt', `${embed.title}\n\n${file}\n`, 'Every skill the knowledge lists, with its source')],
    allowedMentions: NO_MENTIONS,
  };
}

/** A source in a plain-text attachment, which Discord shows as text, never as Markdown. */
function plainSource(c: { source: string; title: string; section: string; url?: string }): string {
  const url = sourceUrl(c.url);
  return `${c.source} — ${c.title} › ${c.section}${url ? ` ${url.slice(1, -1)}` : ''}`;
}

export function reindexReply(report: ReindexReport): ReplyPayload {
  const lines = [
    `**${report.documents}** document(s), **${report.chunks}** passages in ${report.ms} ms`,
    `${report.embedded} passage(s) embedded, ${report.reused} reused`,
  ];
  let complete = true;
  for (const [label, files] of [['Added', report.added], ['Changed', report.changed], ['Removed', report.removed]] as const) {
    if (files.length === 0) continue;
    const list = fitList(files.map((f) => escapeText(f)), 1_000, ', ');
    complete &&= list.shown === files.length;
    lines.push(`${label}: ${list.text}`);
  }
  const skippedLines = report.skipped.map((s) => `${escapeText(s.file)}: ${escapeText(s.reason)}`);
  const skipped = fitList(skippedLines, EMBED_FIELD_VALUE_LIMIT);
  complete &&= skipped.shown === skippedLines.length;
  const staleLines = (report.stale ?? []).map((s) => `${escapeText(s.file)}: ${escapeText(s.reason)}`);
  const stale = fitList(staleLines, EMBED_FIELD_VALUE_LIMIT);
  complete &&= stale.shown === staleLines.length;
  if (!complete) lines.push('The full lists are in the attached reindex-report.txt.');
  const embed = fitEmbed({
    title: 'Reindex complete',
    description: lines.join('\n'),
    color: COLOR_OK,
    fields: [
      ...(skippedLines.length > 0 ? [{ name: `Skipped (${skippedLines.length})`, value: skipped.text }] : []),
      ...(staleLines.length > 0 ? [{ name: `Pages not refreshed, last snapshot kept (${staleLines.length})`, value: stale.text }] : []),
    ],
  });
  if (complete) return { embeds: [embed], allowedMentions: NO_MENTIONS };
  const section = (label: string, items: readonly string[]) => (items.length === 0 ? [] : ['', `${label} (${items.length}):`, ...items.map((i) => `  ${i}`)]);
  const full = [
    `${report.documents} document(s), ${report.chunks} passages in ${report.ms} ms; ${report.embedded} passage(s) embedded, ${report.reused} reused`,
    ...section('Added', report.added),
    ...section('Changed', report.changed),
    ...section('Removed', report.removed),
    ...section('Skipped', report.skipped.map((s) => `${s.file}: ${s.reason}`)),
    ...section('Pages not refreshed, last snapshot kept', (report.stale ?? []).map((s) => `${s.file}: ${s.reason}`)),
  ];
  return {
    embeds: [embed],
    files: [textFile('reindex-report.txt', `${full.join('\n')}\n`, 'Every document the reindex added, changed, removed or skipped')],
    allowedMentions: NO_MENTIONS,
  };
}

function indexedAt(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** One field per document while they fit; with more documents than that, the full list is attached. */
export function knowledgeListReply(stats: EngineStats): ReplyPayload {
  const docs = stats.documentsList;
  const embed: APIEmbed = { title: 'Knowledge', description: `${stats.documents} document(s), ${stats.chunks} passages · version ${stats.knowledgeVersion}` };
  const fields = docs.map((d) => ({
    name: truncate(escapeText(`${d.id} — ${d.title}`) + (d.origin === 'server' ? SERVER_DOCUMENT_NOTE : ''), EMBED_FIELD_NAME_LIMIT),
    value: truncate(`${d.chunks} passages · indexed ${indexedAt(d.indexedAt)}\n${d.sections.map((s) => `• ${escapeText(s)}`).join('\n')}`, EMBED_FIELD_VALUE_LIMIT),
  }));
  const note = (shown: number) => `\nShowing ${shown} of ${docs.length}; every document is in the attached knowledge.txt.`;
  const shown = addFieldsThatFit(embed, fields, note(docs.length).length);
  if (shown === docs.length) return { embeds: [embed], allowedMentions: NO_MENTIONS };
  embed.description += note(shown);
  const file = docs.map((d) => [`${d.id} — ${d.title}${d.origin === 'server' ? SERVER_DOCUMENT_NOTE : ''}`, `  ${d.chunks} passages · indexed ${indexedAt(d.indexedAt)}`, ...d.sections.map((s) => `  • ${s}`)].join('\n'));
  return {
    embeds: [fitEmbed(embed)],
    files: [textFile('knowledge.txt', `${embed.description}\n\n${file.join('\n\n')}\n`, 'Every indexed document with its sections')],
    allowedMentions: NO_MENTIONS,
  };
}

const MODE_WORDS: Record<ChannelSetting['mode'], string> = {
  auto: 'answers on its own',
  mention: 'answers when mentioned',
  off: 'stays silent',
};

/** A channel's setting as one line of /help or /channel: where, what the bot does there, which tag it adds. */
export function channelSettingLine(setting: Pick<ChannelSetting, 'channelId' | 'kind' | 'mode'>, tagName?: string): string {
  const tag = tagName === undefined ? '' : ` · answered posts get the tag ${escapeText(tagName)}`;
  return `<#${setting.channelId}> (${setting.kind}): **${setting.mode}**, ${MODE_WORDS[setting.mode]}${tag}`;
}

/**
 * What the bot knows and can do; long lists end in "… and N more" (`/knowledge list` has them all).
 * For a server's admins, `channels` lists the channel modes set there (/channel).
 */
export function helpEmbed(stats: EngineStats, channels?: readonly string[]): APIEmbed {
  const topics = [...new Set(stats.documentsList.flatMap((d) => d.sections))].map((t) => `• ${escapeText(t)}`);
  const sources = stats.documentsList.map(
    (d) => `• ${escapeText(d.title)} — ${escapeText(d.id)}, ${d.chunks} passages${d.origin === 'server' ? SERVER_DOCUMENT_NOTE : ''}`,
  );
  return fitEmbed({
    title: 'ML careers bot',
    description:
      'I answer questions about machine-learning careers from my knowledge base only, and cite every ' +
      "claim. When my sources don't cover something, I say so instead of guessing.",
    fields: [
      { name: 'I know about', value: fitList(topics, EMBED_FIELD_VALUE_LIMIT).text || '—' },
      {
        name: 'Commands',
        value:
          '`/ask question:` ask anything (add `private:True` to see the answer alone)\n' +
          '`/skills [area:]` the skills list\n`/reindex` reload the knowledge (Manage Server)\n' +
          '`/channel mode:` how I behave in a channel: `auto`, `mention` or `off` (Manage Server)\n' +
          'Or mention me with your question; in a thread I read the conversation with it.',
      },
      { name: `Sources (${stats.documents})`, value: fitList(sources, EMBED_FIELD_VALUE_LIMIT).text || '—' },
      ...(channels === undefined
        ? []
        : [
            {
              name: 'Channel modes here (admins)',
              value: fitList(channels, EMBED_FIELD_VALUE_LIMIT).text || 'None set: I answer when mentioned, everywhere. Set one with `/channel`.',
            },
          ]),
    ],
    footer: { text: `Knowledge ${stats.knowledgeVersion} · built ${stats.builtAt} · ${stats.embedder}` },
  });
}

export function statsEmbed(r: FeedbackReport): APIEmbed {
  const quote = (q: string) => `“${escapeText(truncate(q, 120))}”`;
  return fitEmbed({
    title: `Last ${r.days} days · ${r.guildId === undefined ? 'every server and DM' : 'this server'}`,
    description: `**${r.questions}** questions · **${Math.round(r.refusalRate * 100)}%** refused · 👍 ${r.up} · 👎 ${r.down}`,
    fields: [
      ...linesToFields('Top questions', r.topQuestions.map((t) => `${t.count}× ${quote(t.question)}`), 1),
      ...linesToFields('Gaps — refused or 👎', r.gaps.map((g) => `${g.count}× ${quote(g.question)} (${g.refused} refused, ${g.down} 👎)`), 2),
    ],
  });
}

/** An error or refusal the person can act on; the message is shown literally. */
export function errorReply(message: string): ReplyPayload {
  return { embeds: [{ description: truncate(escapeText(message), EMBED_DESCRIPTION_LIMIT), color: COLOR_ERROR }], allowedMentions: NO_MENTIONS };
}

/** The bot's own words (which may use Markdown); anything quoted into them must be escaped first. */
export function textReply(content: string): ReplyPayload {
  return { content: truncate(content, MESSAGE_CONTENT_LIMIT), allowedMentions: NO_MENTIONS };
}

export function reindexProgressReply(p: BuildProgress): ReplyPayload {
  const description =
    p.phase === 'embedding'
      ? `**${p.done}** of **${p.total}** passages done (embedding). Answers keep coming from the current index meanwhile.`
      : `All **${p.total}** passages embedded; building and saving the indexes…`;
  return { embeds: [{ title: 'Reindexing…', description, color: COLOR_PROGRESS }], allowedMentions: NO_MENTIONS };
}
