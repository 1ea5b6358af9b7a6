/**
 * Forum posts the bot answers on its own (a forum in `auto` mode): once, inside the post, with the
 * same cited embed and 👍/👎 as /ask, the admin's "answered" tag when they chose one, and a
 * "Mark solved" button for the post's author when the forum has a Solved tag.
 */
import {
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  MessageFlags,
  PermissionFlagsBits,
  type AnyThreadChannel,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type ButtonInteraction,
  type ForumChannel,
  type GuildForumTag,
  type Message,
} from 'discord.js';
import { errorMessage } from '../errors.ts';
import { answerForDiscord } from './answer-flow.ts';
import type { BotContext } from './context.ts';
import { NO_MENTIONS, textReply } from './format.ts';
import { POST_TAGS_LIMIT } from './limits.ts';
import { questionFromMention } from './mention.ts';
import { canAnswerIn } from './permissions.ts';

export const SOLVED_BUTTON_ID = 'forum:solved';

/** A forum's "solved" tag: named Solved or Resolved, whatever its case, emoji or punctuation. */
export function solvedTag(forum: ForumChannel): GuildForumTag | undefined {
  return forum.availableTags.find((tag) => ['solved', 'resolved'].includes(tag.name.toLowerCase().replace(/[^a-z]/g, '')));
}

function solvedButton(done = false): ButtonBuilder {
  return new ButtonBuilder()
    .setCustomId(SOLVED_BUTTON_ID)
    .setLabel(done ? 'Solved' : 'Mark solved')
    .setEmoji('✅')
    .setStyle(done ? ButtonStyle.Success : ButtonStyle.Secondary)
    .setDisabled(done);
}

/** The post's question: its title and, when the bot can read it, its text (the bot's mention taken out). */
export function postQuestion(title: string, starter: Message, botId: string): string {
  const body = questionFromMention(starter.content, botId);
  return body === '' ? title : `${title}\n${body}`;
}

/** Answers a new post in its thread. Run from the automatic answers' queue. */
export async function answerForumPost(starter: Message<true>, thread: AnyThreadChannel, forum: ForumChannel, ctx: BotContext): Promise<void> {
  const where = { event: 'forum post', guildId: starter.guildId, channelId: thread.id, userId: starter.author.id };
  if (!canAnswerIn(thread)) {
    ctx.logger.info(where, 'forum post not answered: I may not answer in it (permissions, locked or archived)');
    return;
  }
  const botId = starter.client.user.id;
  const wait = ctx.cooldown.take(starter.author.id);
  if (wait > 0) {
    await thread.send(textReply(`You're asking quickly — mention me here in ${wait} s and I'll answer this post.`));
    return;
  }
  // Without the Message Content intent a post's text arrives empty (unless it mentions the bot): the title is the question.
  const readable = ctx.config.messageContentIntent || starter.mentions.users.has(botId);
  const tag = solvedTag(forum);
  const { answer, reply } = await answerForDiscord(
    postQuestion(thread.name, starter, botId),
    { userId: starter.author.id, guildId: starter.guildId, surface: 'auto' },
    ctx,
    { buttons: tag === undefined ? [] : [solvedButton()], notes: { titleOnly: !readable } },
  );
  await ctx.autoAnswers.beforeSend();
  await thread.send(reply);
  if (!answer.refused) await addAnsweredTag(thread, forum, ctx);
}

/** The tag the admin chose for answered posts, when the bot may add it (Manage Threads) and the post has room. */
async function addAnsweredTag(thread: AnyThreadChannel, forum: ForumChannel, ctx: BotContext): Promise<void> {
  const tagId = (await ctx.channelModes.setting(forum.guildId, forum.id))?.answeredTagId;
  if (tagId === undefined || thread.appliedTags.includes(tagId)) return;
  const where = { guildId: forum.guildId, channelId: thread.id, tagId };
  if (!forum.availableTags.some((t) => t.id === tagId)) {
    ctx.logger.warn(where, 'the answered-posts tag is no longer one of the forum\'s; set another with /channel');
    return;
  }
  const me = forum.guild.members.me;
  if (me === null || !forum.permissionsFor(me).has(PermissionFlagsBits.ManageThreads)) {
    ctx.logger.warn(where, 'cannot tag answered posts: I need Manage Threads in the forum');
    return;
  }
  if (thread.appliedTags.length >= POST_TAGS_LIMIT) return;
  await thread.setAppliedTags([...thread.appliedTags, tagId]).catch((error: unknown) => ctx.logger.warn({ ...where, err: errorMessage(error) }, 'could not tag an answered post'));
}

/** "Mark solved": the post's author alone may; the forum's Solved tag is added and the button shows it is done. */
export async function handleSolved(interaction: ButtonInteraction, ctx: BotContext): Promise<boolean> {
  if (interaction.customId !== SOLVED_BUTTON_ID) return false;
  const thread = interaction.channel;
  const forum = thread?.isThread() && thread.parent?.type === ChannelType.GuildForum ? (thread.parent as ForumChannel) : undefined;
  const refuse = (text: string) => interaction.reply({ ...textReply(text), flags: MessageFlags.Ephemeral });
  if (!thread?.isThread() || forum === undefined) return refuse('This button works in forum posts only.').then(() => true);
  if (interaction.user.id !== thread.ownerId) return refuse("Only the post's author can mark it solved.").then(() => true);
  const tag = solvedTag(forum);
  if (tag === undefined) return refuse('This forum has no Solved tag any more; an admin can add one.').then(() => true);
  const me = forum.guild.members.me;
  if (me === null || !forum.permissionsFor(me).has(PermissionFlagsBits.ManageThreads)) {
    return refuse("I can't change this post's tags (I need Manage Threads in the forum): add the Solved tag yourself from the post's menu.").then(() => true);
  }
  await interaction.deferUpdate();
  if (!thread.appliedTags.includes(tag.id)) {
    // At most five tags: the oldest gives way to Solved.
    const kept = thread.appliedTags.slice(-(POST_TAGS_LIMIT - 1));
    await thread.setAppliedTags([...kept, tag.id]);
  }
  ctx.logger.info({ event: 'solved', guildId: thread.guildId, channelId: thread.id }, 'post marked solved');
  // The answer's row as it is, the Solved button now done.
  const components = interaction.message.components.map((row) => {
    const json = row.toJSON() as APIActionRowComponent<APIComponentInMessageActionRow>;
    if (!('components' in json)) return json;
    return { ...json, components: json.components.map((c) => ('custom_id' in c && c.custom_id === SOLVED_BUTTON_ID ? solvedButton(true).toJSON() : c)) };
  });
  await interaction.editReply({ components, allowedMentions: NO_MENTIONS });
  return true;
}
