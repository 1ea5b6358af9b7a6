import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { BotError, botError } from '../../errors.ts';
import { maxBytesFor } from '../../ingest/sources.ts';
import { PDF_LIMITS } from '../../ingest/pdf/limits.ts';
import { isPageId } from '../../ingest/web/url-list.ts';
import type { BotContext, SlashCommand } from '../context.ts';
import { adminCommand, requireAdmin, TARGET_CHOICES, TARGET_OPTION, targetScope } from '../admin.ts';
import { knowledgeListReply, reindexReply, truncate } from '../format.ts';

/** Downloads from Discord's CDN get this long; a stuck one must not hold the reply forever. */
const DOWNLOAD_TIMEOUT_MS = 15_000;

export const knowledge: SlashCommand = {
  data: adminCommand('knowledge', "Manage this server's own documents the bot answers from (admins)")
    .addSubcommand((s) => s.setName('list').setDescription('The documents answering here (the base and this server\'s), their sections and passages'))
    .addSubcommand((s) =>
      s
        .setName('add')
        .setDescription("Add a document (Markdown, text, PDF) or a web page to this server's knowledge and index it")
        .addAttachmentOption((o) => o.setName('file').setDescription(`A .md or .txt file (UTF-8, at most 1 MiB) or a .pdf (at most ${PDF_LIMITS.maxBytes / (1024 * 1024)} MiB)`))
        .addStringOption((o) => o.setName('url').setDescription('Or a web page (http/https): fetched now and again at every /reindex').setMaxLength(2000))
        .addBooleanOption((o) => o.setName('replace').setDescription('Replace a document of the same name'))
        .addStringOption((o) => o.setName(TARGET_OPTION).setDescription("Whose knowledge (default: this server's)").addChoices(...TARGET_CHOICES)),
    )
    .addSubcommand((s) =>
      s
        .setName('remove')
        .setDescription("Remove one of this server's documents and reindex")
        .addStringOption((o) => o.setName('name').setDescription('File name or page URL, as /knowledge list shows it').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName(TARGET_OPTION).setDescription("Whose knowledge (default: this server's)").addChoices(...TARGET_CHOICES)),
    )
    .toJSON(),

  async execute(interaction, ctx) {
    if (!(await requireAdmin(interaction, ctx, 'Managing knowledge'))) return;
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    // Refusals (bad name, bad bytes, exists, not found, quota, base document, undone) are BotErrors: the boundary shows them.
    const sub = interaction.options.getSubcommand(true);
    if (sub === 'list') {
      const here = interaction.guildId === null ? {} : { server: interaction.guildId };
      await interaction.editReply(knowledgeListReply((await ctx.engine.knowledgeOf(here)).stats));
    } else if (sub === 'add') await add(interaction, ctx);
    else if (sub === 'remove') await remove(interaction, ctx);
  },

  // Only the documents this person may remove here: this server's own, or the base's for an owner asking for it.
  async autocomplete(interaction, ctx) {
    const typed = interaction.options.getFocused().toLowerCase();
    let scope;
    try {
      scope = targetScope(interaction, ctx, 'Removing documents');
    } catch {
      await interaction.respond([]);
      return;
    }
    const origin = scope.server === undefined ? 'base' : 'server';
    const names = (await ctx.engine.knowledgeOf(scope)).stats.documentsList
      .filter((d) => d.origin === origin)
      .map((d) => d.id)
      .filter((id) => (isPageId(id) || !id.includes('/')) && id.toLowerCase().includes(typed))
      .slice(0, 25);
    await interaction.respond(names.map((id) => ({ name: truncate(id, 100), value: truncate(id, 100) })));
  },
};

async function add(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const scope = targetScope(interaction, ctx, 'Adding documents');
  const attachment = interaction.options.getAttachment('file');
  const url = interaction.options.getString('url');
  if ((attachment === null) === (url === null)) throw new BotError('USAGE', 'Give either a file or a url to add (one of them).');
  if (url !== null) {
    const change = await ctx.engine.addPage({ ...scope, url, addedBy: interaction.user.id });
    ctx.logger.info({ command: 'knowledge', action: change.replaced ? 'refresh page' : 'add page', url: change.file, userId: interaction.user.id, guildId: interaction.guildId }, 'knowledge changed');
    await interaction.editReply(reindexReply(change.report));
    return;
  }
  const replace = interaction.options.getBoolean('replace') ?? false;
  const limit = maxBytesFor(attachment!.name);
  if (attachment!.size > limit) {
    throw botError('KNOWLEDGE_FILE_REJECTED', { name: attachment!.name, reason: `it is too large (${attachment!.size} bytes; the limit is ${limit})` });
  }
  const bytes = await download(attachment!.url);
  // The engine writes, reindexes and undoes on failure; what happens to this reply cannot change that.
  const change = await ctx.engine.addDocument({ ...scope, name: attachment!.name, bytes, replace, addedBy: interaction.user.id });
  ctx.logger.info({ command: 'knowledge', action: change.replaced ? 'replace' : 'add', file: change.file, userId: interaction.user.id, guildId: interaction.guildId }, 'knowledge changed');
  await interaction.editReply(reindexReply(change.report));
}

async function remove(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const scope = targetScope(interaction, ctx, 'Removing documents');
  const change = await ctx.engine.removeDocument({ ...scope, name: interaction.options.getString('name', true) });
  ctx.logger.info({ command: 'knowledge', action: 'remove', file: change.file, userId: interaction.user.id, guildId: interaction.guildId }, 'knowledge changed');
  await interaction.editReply(reindexReply(change.report));
}

async function download(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!response.ok) throw new BotError('USAGE', `Could not download the attachment (HTTP ${response.status}).`);
  // The size Discord announced was checked before; the bytes themselves are checked by the engine.
  return new Uint8Array(await response.arrayBuffer());
}
