import {
  ChannelType,
  MessageFlags,
  PermissionFlagsBits,
  PermissionsBitField,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type ForumChannel,
  type GuildBasedChannel,
} from 'discord.js';
import { botError } from '../../errors.ts';
import { CHANNEL_MODES, type ChannelKind, type ChannelMode } from '../channel-modes.ts';
import { adminCommand, requireAdmin } from '../admin.ts';
import type { BotContext, SlashCommand } from '../context.ts';
import { channelSettingLine, escapeText, textReply, truncate } from '../format.ts';

/** The `tag` option's value that removes the answered-posts tag. */
const NO_TAG = 'none';
/** Discord shows at most 25 autocomplete suggestions. */
const AUTOCOMPLETE_LIMIT = 25;

const MODE_CHOICES = [
  { name: 'auto: answer every new post (and the asker\'s follow-ups) on my own', value: 'auto' },
  { name: 'mention: answer only when mentioned (default)', value: 'mention' },
  { name: 'off: never answer here (slash commands still work)', value: 'off' },
] as const satisfies readonly { name: string; value: ChannelMode }[];

export const channel: SlashCommand = {
  data: adminCommand('channel', 'How the bot behaves in a channel: answer on its own, when mentioned, or never (admins)')
    .addStringOption((o) => o.setName('mode').setDescription('auto, mention or off').setRequired(true).addChoices(...MODE_CHOICES))
    .addChannelOption((o) =>
      o
        .setName('channel')
        .setDescription('A text or forum channel (default: this one)')
        .addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum),
    )
    .addStringOption((o) =>
      o.setName('tag').setDescription('Forums: a tag added to the posts I answer ("none" to stop)').setMaxLength(100).setAutocomplete(true),
    )
    .toJSON(),

  async execute(interaction, ctx) {
    if (!(await requireAdmin(interaction, ctx, 'Setting channel modes'))) return;
    const mode = interaction.options.getString('mode', true) as ChannelMode;
    if (!CHANNEL_MODES.includes(mode)) throw botError('USAGE', { detail: `Unknown mode ${escapeText(mode)}: choose auto, mention or off.` });
    const target = targetChannel(interaction);
    const kind: ChannelKind = target.type === ChannelType.GuildForum ? 'forum' : 'text';
    const guildId = interaction.guildId!;
    const previous = await ctx.channelModes.setting(guildId, target.id);
    const tagName = interaction.options.getString('tag')?.trim();
    let answeredTagId = previous?.answeredTagId;
    if (tagName !== undefined && tagName !== '') {
      if (kind !== 'forum') throw botError('USAGE', { detail: 'Tags belong to forum channels: `tag` works with a forum only.' });
      answeredTagId = tagName.toLowerCase() === NO_TAG ? undefined : findTag(target as ForumChannel, tagName);
    }
    // SETTINGS_UNAVAILABLE (the database is busy or out of reach) reaches the boundary, which shows it: nothing changed.
    await ctx.channelModes.set({ guildId, channelId: target.id, kind, mode, ...(answeredTagId !== undefined && { answeredTagId }) });
    ctx.logger.info({ command: 'channel', guildId, channelId: target.id, mode, kind, userId: interaction.user.id }, 'channel mode set');
    await interaction.reply({ ...textReply(describe(target, kind, mode, answeredTagId, ctx)), flags: MessageFlags.Ephemeral });
  },

  // The forum's own tags (of the channel given, or this one), plus "none".
  async autocomplete(interaction) {
    const typed = interaction.options.getFocused().toLowerCase();
    const forum = forumFor(interaction);
    const names = [...(forum?.availableTags.map((t) => t.name) ?? []), NO_TAG].filter((n) => n.toLowerCase().includes(typed)).slice(0, AUTOCOMPLETE_LIMIT);
    await interaction.respond(names.map((name) => ({ name: truncate(name, 100), value: truncate(name, 100) })));
  },
};

/** The channel given, or the one the command was run in (in a thread or a forum post: its parent). */
function targetChannel(interaction: ChatInputCommandInteraction): GuildBasedChannel {
  const given = interaction.options.getChannel('channel');
  const here = interaction.channel;
  const target = given !== null ? interaction.guild?.channels.cache.get(given.id) : here?.isThread() ? here.parent : here;
  if (target === null || target === undefined || !('guild' in target)) {
    throw botError('USAGE', { detail: 'Name a text or forum channel of this server with `channel:`.' });
  }
  if (![ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum].includes(target.type)) {
    throw botError('USAGE', { detail: 'Modes are set on text and forum channels: name one with `channel:`.' });
  }
  return target;
}

function forumFor(interaction: AutocompleteInteraction): ForumChannel | undefined {
  const id = interaction.options.get('channel')?.value;
  const here = interaction.channel;
  const channel = typeof id === 'string' ? interaction.guild?.channels.cache.get(id) : here?.isThread() ? here.parent : here;
  return channel?.type === ChannelType.GuildForum ? channel : undefined;
}

function findTag(forum: ForumChannel, name: string): string {
  const tag = forum.availableTags.find((t) => t.name.toLowerCase() === name.toLowerCase());
  if (tag === undefined) {
    const names = forum.availableTags.map((t) => t.name).join(', ') || 'none yet';
    throw botError('USAGE', { detail: `${forum.name} has no tag named “${name}” (its tags: ${names}).` });
  }
  return tag.id;
}

/** What the admin just set, in words, and what is missing for it to work: permissions, the Message Content intent. */
function describe(target: GuildBasedChannel, kind: ChannelKind, mode: ChannelMode, tagId: string | undefined, ctx: BotContext): string {
  const tagName = kind === 'forum' && tagId !== undefined ? (target as ForumChannel).availableTags.find((t) => t.id === tagId)?.name : undefined;
  const lines = [`Set: ${channelSettingLine({ channelId: target.id, kind, mode }, tagName)}.`];
  if (mode === 'auto' && kind === 'forum') {
    lines.push('I answer every new post inside it, once, and the author\'s follow-ups there.');
    if (!ctx.config.messageContentIntent) {
      lines.push('⚠️ The Message Content intent is off: I read only the posts\' titles, and answer follow-ups only when mentioned (the bot\'s host can set MESSAGE_CONTENT_INTENT=true).');
    }
  } else if (mode === 'auto') {
    lines.push('I answer questions asked in it, and the asker\'s follow-ups in threads of my answers.');
    if (!ctx.config.messageContentIntent) {
      lines.push('⚠️ The Message Content intent is off: I cannot read messages that do not mention me, so here I still answer only mentions (the bot\'s host can set MESSAGE_CONTENT_INTENT=true).');
    }
  }
  if (mode !== 'off' && 'permissionsFor' in target) {
    const me = target.guild.members.me;
    const perms = me === null ? null : target.permissionsFor(me);
    const speak = kind === 'forum' ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages;
    const needed = [PermissionFlagsBits.ViewChannel, speak, PermissionFlagsBits.EmbedLinks, PermissionFlagsBits.ReadMessageHistory];
    const missing = new PermissionsBitField(needed.filter((p) => perms?.has(p) !== true)).toArray();
    if (missing.length > 0) lines.push(`⚠️ I can't answer there yet: I'm missing ${missing.join(', ')}.`);
    if (tagName !== undefined && perms?.has(PermissionFlagsBits.ManageThreads) !== true) {
      lines.push('⚠️ Adding the tag needs the Manage Threads permission, which I don\'t have there.');
    }
  }
  return lines.join('\n');
}
