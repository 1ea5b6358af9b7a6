import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { BotError, botError, errorMessage } from '../../errors.ts';
import { addKnowledgeFile, removeKnowledgeFile, restoreKnowledgeFile } from '../../engine/knowledge-files.ts';
import { MAX_DOCUMENT_BYTES } from '../../ingest/load.ts';
import type { BotContext, SlashCommand } from '../context.ts';
import { adminCommand, requireAdmin } from '../admin.ts';
import { knowledgeListReply, reindexReply, truncate } from '../format.ts';
import type { ReindexReport } from '../../types.ts';

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
    // Refusals (bad name, bad bytes, exists, not found, undone) are BotErrors: the boundary shows them.
    const sub = interaction.options.getSubcommand(true);
    if (sub === 'list') await interaction.editReply(knowledgeListReply(ctx.engine.stats()));
    else if (sub === 'add') await add(interaction, ctx);
    else if (sub === 'remove') await remove(interaction, ctx);
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

async function add(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const attachment = interaction.options.getAttachment('file', true);
  const replace = interaction.options.getBoolean('replace') ?? false;
  if (attachment.size > MAX_DOCUMENT_BYTES) {
    throw botError('KNOWLEDGE_FILE_REJECTED', { name: attachment.name, reason: `it is too large (${attachment.size} bytes; the limit is ${MAX_DOCUMENT_BYTES})` });
  }
  const bytes = await download(attachment.url);
  const added = await addKnowledgeFile(ctx.config.knowledgeDir, attachment.name, bytes, { replace });
  ctx.logger.info(
    { command: 'knowledge', action: added.replaced ? 'replace' : 'add', file: added.file, bytes: bytes.byteLength, userId: interaction.user.id, guildId: interaction.guildId },
    'knowledge changed',
  );
  const report = await reindexOrUndo(ctx, added.file, added.previous);
  await interaction.editReply(reindexReply(report));
}

async function remove(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const { file, previous } = await removeKnowledgeFile(ctx.config.knowledgeDir, interaction.options.getString('name', true));
  ctx.logger.info({ command: 'knowledge', action: 'remove', file, userId: interaction.user.id, guildId: interaction.guildId }, 'knowledge changed');
  const report = await reindexOrUndo(ctx, file, previous);
  await interaction.editReply(reindexReply(report));
}

/**
 * A change the index cannot take is undone, so the folder always matches what answers. Only the
 * reindex decides: once it succeeded the change stays, whatever happens to the reply afterwards.
 */
async function reindexOrUndo(ctx: BotContext, file: string, previous: Uint8Array | undefined): Promise<ReindexReport> {
  let report: ReindexReport;
  try {
    report = await ctx.engine.reindex();
  } catch (error) {
    await restoreKnowledgeFile(ctx.config.knowledgeDir, file, previous);
    ctx.logger.warn({ command: 'knowledge', file, err: errorMessage(error) }, 'knowledge change undone');
    throw botError('KNOWLEDGE_CHANGE_UNDONE', { name: file, cause: errorMessage(error) }, error);
  }
  // The other shards reload from disk; one that misses this still reloads on the next change.
  await ctx.onReindexed().catch((error: unknown) => ctx.logger.warn({ err: errorMessage(error) }, 'could not tell the other shards to reload'));
  return report;
}

async function download(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!response.ok) throw new BotError('USAGE', `Could not download the attachment (HTTP ${response.status}).`);
  // The size Discord announced was checked before; the bytes themselves are checked by addKnowledgeFile.
  return new Uint8Array(await response.arrayBuffer());
}

