import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed, APIEmbedField } from 'discord.js';
import { citationLabel, groupSources, type SourceGroup } from '../answer/sources.ts';
import type { Answer, BuildProgress, EngineStats, ReindexReport, SkillEntry } from '../types.ts';
import {
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

/** Nobody is ever pinged by what the bot writes: not by a question, not by a knowledge passage. */
export const NO_MENTIONS = { parse: [] as [] };

export interface ReplyPayload {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  allowedMentions: typeof NO_MENTIONS;
}

/** Cuts at a word boundary and marks the cut; never returns more than `limit` characters. */
export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit - 1);
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

function sourceLine(g: SourceGroup): string {
  const title = g.url ? `[${escapeMarkdown(g.title)}](${g.url})` : escapeMarkdown(g.title);
  return `**${citationLabel(g.numbers)}** ${title} — ${escapeMarkdown(g.section)}`;
}

/** Packs lines into as few fields as needed, each within the field value limit. */
export function linesToFields(name: string, lines: readonly string[], maxFields: number): APIEmbedField[] {
  const fields: APIEmbedField[] = [];
  let current: string[] = [];
  const push = () => {
    if (current.length === 0) return;
    fields.push({ name: fields.length === 0 ? name : `${name} (cont.)`, value: current.join('\n') });
    current = [];
  };
  for (const raw of lines) {
    const line = truncate(raw, EMBED_FIELD_VALUE_LIMIT);
    if ([...current, line].join('\n').length > EMBED_FIELD_VALUE_LIMIT) push();
    current.push(line);
  }
  push();
  return fields.slice(0, maxFields);
}

export function answerEmbed(answer: Answer, stats: Pick<EngineStats, 'knowledgeVersion' | 'embedder'>): APIEmbed {
  const footer = { text: truncate(`Knowledge ${stats.knowledgeVersion} · answers quote their sources · ${stats.embedder}`, EMBED_FOOTER_LIMIT) };
  const title = truncate(answer.question || 'Your question', EMBED_TITLE_LIMIT);
  if (answer.refused) {
    return { title, description: truncate(answer.answer, EMBED_DESCRIPTION_LIMIT), color: COLOR_REFUSAL, footer };
  }
  const fields = linesToFields('Sources', groupSources(answer.citations).map(sourceLine), 3);
  const fixed = title.length + footer.text.length + fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  const description = fitPassages(answer.answer, Math.min(EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - fixed));
  return { title, description, color: COLOR_ANSWER, fields, footer };
}

export function answerReply(
  answer: Answer,
  stats: Pick<EngineStats, 'knowledgeVersion' | 'embedder'>,
  components: APIActionRowComponent<APIComponentInMessageActionRow>[] = [],
): ReplyPayload {
  return { embeds: [answerEmbed(answer, stats)], components, allowedMentions: NO_MENTIONS };
}

export function skillsReply(skills: readonly SkillEntry[], area: string | undefined): ReplyPayload {
  if (skills.length === 0) {
    const text = area ? `No skill in my sources matches “${truncate(area, 100)}”.` : 'My sources list no skills.';
    return { embeds: [{ title: 'Skills', description: text, color: COLOR_REFUSAL }], allowedMentions: NO_MENTIONS };
  }
  const fields = skills.slice(0, EMBED_FIELD_COUNT_LIMIT).map((s) => ({
    name: truncate(s.name, EMBED_FIELD_NAME_LIMIT),
    value: truncate(`${s.description} [${s.citation.n}]`, EMBED_FIELD_VALUE_LIMIT),
  }));
  const sources = [...new Map(skills.map((s) => [`${s.citation.source}\n${s.citation.section}`, s.citation])).values()];
  const embed: APIEmbed = {
    title: area ? truncate(`Skills — ${area}`, EMBED_TITLE_LIMIT) : 'Skills for machine learning engineers',
    description: `As my sources list them. Source: ${sources.map((c) => `${escapeMarkdown(c.title)} — ${escapeMarkdown(c.section)}`).join('; ')}`,
    color: COLOR_ANSWER,
    fields,
  };
  return { embeds: [fitEmbed(embed)], allowedMentions: NO_MENTIONS };
}

export function reindexReply(report: ReindexReport): ReplyPayload {
  const lines = [
    `**${report.documents}** document(s), **${report.chunks}** passages in ${report.ms} ms`,
    `${report.embedded} passage(s) embedded, ${report.reused} reused`,
  ];
  if (report.added.length > 0) lines.push(`Added: ${namesList(report.added)}`);
  if (report.changed.length > 0) lines.push(`Changed: ${namesList(report.changed)}`);
  if (report.removed.length > 0) lines.push(`Removed: ${namesList(report.removed)}`);
  const fields = linesToFields('Skipped', report.skipped.map((s) => `\`${s.file}\`: ${s.reason}`), 2);
  const description = truncate(lines.join('\n'), EMBED_DESCRIPTION_LIMIT);
  return {
    embeds: [fitEmbed({ title: 'Reindex complete', description, color: COLOR_OK, fields })],
    allowedMentions: NO_MENTIONS,
  };
}

/** Document names a reindex report lists before "and N more": hundreds of added files stay readable. */
const NAMES_LISTED = 10;

function namesList(names: readonly string[]): string {
  const listed = names.slice(0, NAMES_LISTED).join(', ');
  return names.length > NAMES_LISTED ? `${listed} and ${names.length - NAMES_LISTED} more` : listed;
}

export function reindexProgressReply(p: BuildProgress): ReplyPayload {
  const description =
    p.phase === 'embedding'
      ? `**${p.done}** of **${p.total}** passages done (embedding). Answers keep coming from the current index meanwhile.`
      : `All **${p.total}** passages embedded; building and saving the indexes…`;
  return { embeds: [{ title: 'Reindexing…', description, color: COLOR_PROGRESS }], allowedMentions: NO_MENTIONS };
}

export function errorReply(message: string): ReplyPayload {
  return { embeds: [{ description: truncate(message, EMBED_DESCRIPTION_LIMIT), color: COLOR_ERROR }], allowedMentions: NO_MENTIONS };
}

export function textReply(content: string): ReplyPayload {
  return { content: truncate(content, MESSAGE_CONTENT_LIMIT), allowedMentions: NO_MENTIONS };
}

/** Drops trailing fields until the embed fits Discord's total; a last guard for any embed. */
export function fitEmbed(embed: APIEmbed): APIEmbed {
  const size = (e: APIEmbed) =>
    (e.title?.length ?? 0) +
    (e.description?.length ?? 0) +
    (e.footer?.text.length ?? 0) +
    (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
  const out = { ...embed, fields: [...(embed.fields ?? [])].slice(0, EMBED_FIELD_COUNT_LIMIT) };
  while (size(out) > EMBED_TOTAL_LIMIT && out.fields.length > 0) out.fields.pop();
  if (out.description && size(out) > EMBED_TOTAL_LIMIT) {
    out.description = truncate(out.description, Math.max(1, out.description.length - (size(out) - EMBED_TOTAL_LIMIT)));
  }
  return out;
}

/** Escapes Markdown so a title or heading is shown as written. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_~`|>[\]])/g, '\\$1');
}

