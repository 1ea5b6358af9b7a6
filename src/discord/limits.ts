/** Discord's documented message limits, named once (https://discord.com/developers/docs/resources/message). */
export const MESSAGE_CONTENT_LIMIT = 2_000;
export const EMBED_TITLE_LIMIT = 256;
export const EMBED_AUTHOR_NAME_LIMIT = 256;
export const EMBED_DESCRIPTION_LIMIT = 4_096;
export const EMBED_FIELD_COUNT_LIMIT = 25;
export const EMBED_FIELD_NAME_LIMIT = 256;
export const EMBED_FIELD_VALUE_LIMIT = 1_024;
export const EMBED_FOOTER_LIMIT = 2_048;
export const EMBED_TOTAL_LIMIT = 6_000;
/** The longest question /ask accepts (the engine reads at most this many characters anyway). */
export const ASK_QUESTION_MAX = 500;
/** A thread's name (Discord: 1–100 characters). */
export const THREAD_NAME_LIMIT = 100;
/** Tags a forum post can carry at once. */
export const POST_TAGS_LIMIT = 5;
/** Messages fetched in one request (Discord's maximum). */
export const MESSAGES_FETCH_LIMIT = 100;
