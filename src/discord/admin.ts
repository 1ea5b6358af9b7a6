import { InteractionContextType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
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

/**
 * Admin commands are registered with Manage Server as default permission, but server admins can
 * re-grant commands to anyone, so every admin handler checks again. Refusals are ephemeral and
 * name what is missing. Returns whether the caller may go on.
 */
export async function requireAdmin(interaction: ChatInputCommandInteraction, ctx: BotContext, what: string): Promise<boolean> {
  const allowed = isAdmin({ userId: interaction.user.id, permissions: interaction.memberPermissions, member: interaction.member }, ctx.config);
  if (!allowed) {
    ctx.logger.warn({ command: interaction.commandName, userId: interaction.user.id, guildId: interaction.guildId }, 'admin command refused');
    await interaction.reply({
      ...textReply(`${what} needs the **Manage Server** permission (or being listed as a bot admin).`),
      flags: MessageFlags.Ephemeral,
    });
  }
  return allowed;
}
