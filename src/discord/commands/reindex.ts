import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { errorMessage } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { BuildProgress } from '../../types.ts';
import type { SlashCommand } from '../context.ts';
import { adminCommand, requireAdmin, TARGET_CHOICES, TARGET_OPTION, targetScope } from '../admin.ts';
import { reindexProgressReply, reindexReply } from '../format.ts';

/** Progress edits of the reply are at least this far apart: readable, and far below Discord's rate limits. */
export const PROGRESS_EDIT_INTERVAL_MS = 3_000;

export const reindex: SlashCommand = {
  data: adminCommand('reindex', "Rebuild this server's knowledge index from its documents (admins)")
    .addStringOption((o) => o.setName(TARGET_OPTION).setDescription("Whose knowledge (default: this server's)").addChoices(...TARGET_CHOICES))
    .toJSON(),

  async execute(interaction, ctx) {
    if (!(await requireAdmin(interaction, ctx, 'Reindexing'))) return;
    const scope = targetScope(interaction, ctx, 'Reindexing');
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    ctx.logger.info({ command: 'reindex', target: scope.server ?? 'base', userId: interaction.user.id, guildId: interaction.guildId }, 'reindex requested');
    const progress = progressEdits(interaction, ctx.logger);
    // A failed reindex throws REINDEX_FAILED (the previous index keeps answering); the boundary shows it.
    const report = await ctx.engine.reindex({ ...scope, onProgress: (p) => progress.show(p) }).finally(() => progress.finish());
    await interaction.editReply(reindexReply(report));
  },
};

/**
 * Shows the build's progress in the deferred reply, at most one edit every
 * PROGRESS_EDIT_INTERVAL_MS and none before the first interval is over (a quick reindex goes
 * straight to its report). `finish` waits for the edit in flight, so the report is the last edit.
 */
function progressEdits(interaction: ChatInputCommandInteraction, logger: Logger) {
  let lastAt = Date.now();
  let finished = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  return {
    show(p: BuildProgress): void {
      const now = Date.now();
      if (finished || now - lastAt < PROGRESS_EDIT_INTERVAL_MS) return;
      lastAt = now;
      inFlight = interaction
        .editReply(reindexProgressReply(p))
        .catch((error: unknown) => logger.warn({ command: 'reindex', err: errorMessage(error) }, 'could not show reindex progress'));
    },
    async finish(): Promise<void> {
      finished = true;
      await inFlight;
    },
  };
}
