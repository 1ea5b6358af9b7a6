import {
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { botError } from '../errors.ts';
import type { KnowledgeScope } from '../engine/engine.ts';
import type { BotContext } from './context.ts';
import { textReply } from './format.ts';
import { isAdmin } from './guard.ts';

/** An admin command's registration: server-only, shown by default to Manage Server holders only. */
export function adminCommand(name: string, description: string): SlashCommandBuilder {
  return new SlashCommandBuilder()
    .setName(name)
    .setDescription(description)
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild);
}

/** The option naming whose knowledge a command changes: this server's (default) or the base (bot owners). */
export const TARGET_OPTION = 'target';
export const TARGET_BASE = 'base';
export const TARGET_CHOICES = [
  { name: "this server's documents", value: 'server' },
  { name: 'the base knowledge (bot owners only)', value: TARGET_BASE },
] as const;

/**
 * Admin commands are registered with Manage Server as default permission, but server admins can
 * re-grant commands to anyone, so every admin handler checks again. Refusals are ephemeral and
 * name what is missing. Returns whether the caller may go on. Bot owners are admins everywhere.
 */
export async function requireAdmin(interaction: ChatInputCommandInteraction, ctx: BotContext, what: string): Promise<boolean> {
  const allowed =
    ctx.owners.has(interaction.user.id) ||
    isAdmin({ userId: interaction.user.id, permissions: interaction.memberPermissions, member: interaction.member }, ctx.config);
  if (!allowed) {
    ctx.logger.warn({ command: interaction.commandName, userId: interaction.user.id, guildId: interaction.guildId }, 'admin command refused');
    await interaction.reply({
      ...textReply(`${what} needs the **Manage Server** permission (or being listed as a bot admin).`),
      flags: MessageFlags.Ephemeral,
    });
  }
  return allowed;
}

/**
 * Whose knowledge an admin command acts on: the invoking server's, or the base when a bot owner
 * asks for it (anyone else gets NOT_ALLOWED). Outside a server only the base exists.
 */
export function targetScope(interaction: ChatInputCommandInteraction | AutocompleteInteraction, ctx: BotContext, what: string): KnowledgeScope {
  const wantsBase = interaction.options.getString(TARGET_OPTION) === TARGET_BASE || interaction.guildId === null;
  if (!wantsBase) return { server: interaction.guildId! };
  if (!ctx.owners.has(interaction.user.id)) throw botError('NOT_ALLOWED', { what: `${what} on the base knowledge`, who: "the bot's owners" });
  return {};
}
