import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { BotError, errorMessage } from '../../errors.ts';
import { addKnowledgeFile, removeKnowledgeFile, restoreKnowledgeFile, safeKnowledgeFileName } from '../../engine/knowledge-files.ts';
import { MAX_DOCUMENT_BYTES } from '../../ingest/load.ts';
import type { BotContext, SlashCommand } from '../context.ts';
import { adminCommand, requireAdmin } from '../admin.ts';
import { errorReply, escapeMarkdown, fitEmbed, NO_MENTIONS, reindexReply, truncate } from '../format.ts';
import { EMBED_FIELD_COUNT_LIMIT } from '../limits.ts';

/** Downloads from Discord's CDN get this long; a stuck one must not hold the reply forever. */
const DOWNLOAD_TIMEOUT_MS = 15_000;

export const knowledge: SlashCommand = {
  data: adminCommand('knowledge', 'Manage the documents the bot answers from (admins)')
    .addSubcommand((s) => s.setName('list').setDescription('The documents indexed, their sections and passages'))
    .addSubcommand((s) =>
      s
        .setName('add')
        .setDescription('Add a Markdown or text document and index it')
        .addAttachmentOption((o) => o.setName('file').setDescription('A .md or .txt file (UTF-8, at most 1 MiB)').setRequired(true))
        .addBooleanOption((o) => o.setName('replace').setDescription('Replace a document of the same name')),
    )
    .addSubcommand((s) =>
      s
        .setName('remove')
        .setDescription('Remove a document and reindex')
        .addStringOption((o) => o.setName('name').setDescription('File name, as /knowledge list shows it').setRequired(true).setAutocomplete(true)),
    )
    .toJSON(),

  async execute(interaction, ctx) {
    if (!(await requireAdmin(interaction, ctx, 'Managing knowledge'))) return;
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const sub = interaction.options.getSubcommand(true);
    try {
      if (sub === 'list') await list(interaction, ctx);
      else if (sub === 'add') await add(interaction, ctx);
      else if (sub === 'remove') await remove(interaction, ctx);
    } catch (error) {
      // Known refusals (bad name, bad bytes, exists, not found) are the admin's to fix: say why.
      if (!(error instanceof BotError)) throw error;
      await interaction.editReply(errorReply(error.message));
    }
  },

  async autocomplete(interaction, ctx) {
    const typed = interaction.options.getFocused().toLowerCase();
    const names = ctx.engine
      .stats()
      .documentsList.map((d) => d.id)
      .filter((id) => !id.includes('/') && id.toLowerCase().includes(typed))
      .slice(0, 25);
    await interaction.respond(names.map((id) => ({ name: truncate(id, 100), value: truncate(id, 100) })));
  },
};

async function list(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const stats = ctx.engine.stats();
  const fields = stats.documentsList.slice(0, EMBED_FIELD_COUNT_LIMIT).map((d) => ({
    name: truncate(`${d.id} — ${d.title}`, 256),
    value: truncate(`${d.chunks} passages · indexed ${d.indexedAt.slice(0, 16).replace('T', ' ')} UTC\n${d.sections.map((s) => `• ${escapeMarkdown(s)}`).join('\n')}`, 1024),
  }));
  await interaction.editReply({
    embeds: [fitEmbed({ title: 'Knowledge', description: `${stats.documents} document(s), ${stats.chunks} passages · version ${stats.knowledgeVersion}`, fields })],
    allowedMentions: NO_MENTIONS,
  });
}

async function add(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const attachment = interaction.options.getAttachment('file', true);
  const replace = interaction.options.getBoolean('replace') ?? false;
  if (attachment.size > MAX_DOCUMENT_BYTES) {
    await interaction.editReply(errorReply(`\`${attachment.name}\` is too large (${attachment.size} bytes; the limit is ${MAX_DOCUMENT_BYTES}).`));
    return;
  }
  const bytes = await download(attachment.url);
  const added = await addKnowledgeFile(ctx.config.knowledgeDir, attachment.name, bytes, { replace });
  ctx.logger.info(
    { command: 'knowledge', action: added.replaced ? 'replace' : 'add', file: added.file, bytes: bytes.byteLength, userId: interaction.user.id, guildId: interaction.guildId },
    'knowledge changed',
  );
  await reindexOrUndo(interaction, ctx, added.file, added.previous);
}

async function remove(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const file = safeKnowledgeFileName(interaction.options.getString('name', true));
  const previous = await removeKnowledgeFile(ctx.config.knowledgeDir, file);
  ctx.logger.info({ command: 'knowledge', action: 'remove', file, userId: interaction.user.id, guildId: interaction.guildId }, 'knowledge changed');
  await reindexOrUndo(interaction, ctx, file, previous);
}

/** A change the index cannot take is undone, so the folder always matches what answers. */
async function reindexOrUndo(
  interaction: ChatInputCommandInteraction,
  ctx: BotContext,
  file: string,
  previous: Uint8Array | undefined,
): Promise<void> {
  try {
    const report = await ctx.engine.reindex();
    await ctx.onReindexed();
    await interaction.editReply(reindexReply(report));
  } catch (error) {
    await restoreKnowledgeFile(ctx.config.knowledgeDir, file, previous);
    ctx.logger.warn({ command: 'knowledge', file, err: errorMessage(error) }, 'knowledge change undone');
    await interaction.editReply(errorReply(`The change to \`${file}\` was undone: ${errorMessage(error)}`));
  }
}

async function download(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!response.ok) throw new BotError('USAGE', `Could not download the attachment (HTTP ${response.status}).`);
  // The size Discord announced was checked before; the bytes themselves are checked by addKnowledgeFile.
  return new Uint8Array(await response.arrayBuffer());
}

