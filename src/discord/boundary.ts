/**
 * The one error boundary. Handlers do their work and throw; only here is it decided what a
 * failure looks like: a BotError (a refusal the person can act on: a bad file, a locked question
 * log) shows its own message, anything else is logged in full and answered with an apology. The
 * log names the command, user and server, never the interaction (whose token is a credential).
 */
import { MessageFlags, type AutocompleteInteraction, type Message, type RepliableInteraction } from 'discord.js';
import { BotError, errorMessage } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { errorReply, NO_MENTIONS, type ReplyPayload } from './format.ts';

export const APOLOGY = 'Sorry — something went wrong while answering. Please try again in a moment.';

/** Ids that say where a failure happened. */
export type FailureContext = Record<string, string | number | null | undefined>;

/** Logs the failure and returns the reply to show for it. */
function replyFor(error: unknown, logger: Logger, where: FailureContext, what: string): ReplyPayload {
  if (error instanceof BotError) {
    logger.warn({ ...where, code: error.code, reason: error.message }, `${what} refused`);
    return errorReply(error.message);
  }
  logger.error({ ...where, err: error }, `${what} failed`);
  return errorReply(APOLOGY);
}

/** Runs a slash command, button or modal handler; a failure is answered wherever the interaction stands. */
export async function guardInteraction(
  interaction: RepliableInteraction,
  logger: Logger,
  where: FailureContext,
  work: () => Promise<void>,
  what = 'command',
): Promise<void> {
  try {
    await work();
  } catch (error) {
    const reply = replyFor(error, logger, where, what);
    try {
      if (interaction.deferred && !interaction.replied) await interaction.editReply(reply);
      else if (interaction.replied || interaction.deferred) await interaction.followUp({ ...reply, flags: MessageFlags.Ephemeral });
      else await interaction.reply({ ...reply, flags: MessageFlags.Ephemeral });
    } catch (replyError) {
      logger.warn({ ...where, err: errorMessage(replyError) }, 'could not deliver the error reply');
    }
  }
}

/** Autocomplete cannot show an error: the failure is logged and the suggestions stay empty. */
export async function guardAutocomplete(interaction: AutocompleteInteraction, logger: Logger, where: FailureContext, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    logger.warn({ ...where, err: error }, 'autocomplete failed');
    if (!interaction.responded) await interaction.respond([]).catch(() => undefined);
  }
}

/** A message to the bot (a mention, a DM): a failure is answered as a reply to it. */
export async function guardMessage(message: Message, logger: Logger, where: FailureContext, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const reply = replyFor(error, logger, where, 'mention');
    await message
      .reply({ ...reply, allowedMentions: { ...NO_MENTIONS, repliedUser: false }, failIfNotExists: false })
      .catch((replyError: unknown) => logger.warn({ ...where, err: errorMessage(replyError) }, 'could not deliver the error reply'));
  }
}
