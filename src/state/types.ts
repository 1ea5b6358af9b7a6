/**
 * The bot's shared state, as one set of interfaces with two implementations: SQLite and local
 * folders on one host (the default), or PostgreSQL shared by every host (DATABASE_URL).
 * Methods may answer at once (SQLite is synchronous) or later (PostgreSQL): callers await them.
 */
import type { FeedbackReport, QuestionRecord, Vote } from '../feedback/store.ts';

export type Awaitable<T> = T | Promise<T>;

/** Questions, refusals, votes and comments, and the report behind /stats. */
export interface QuestionLog {
  /**
   * Records one asked question; its id (for 👍/👎), or undefined when the record could not be
   * written now (queued for later, or dropped with a warning). Never throws for a storage problem.
   */
  recordQuestion(record: QuestionRecord): Awaitable<number | undefined>;
  /** One vote per person per question, counted only from where the question was asked (`guildId`, null in DMs). */
  recordVote(questionId: number, userId: string, vote: Vote, guildId: string | null): Awaitable<boolean>;
  recordComment(questionId: number, userId: string, comment: string, guildId: string | null): Awaitable<boolean>;
  /** Throws FEEDBACK_UNAVAILABLE when the log cannot be read. */
  report(options?: { days?: number; limit?: number; guildId?: string }): Awaitable<FeedbackReport>;
  /** Deletes what is past the retention bound; how many questions went. */
  prune(): Awaitable<number>;
  /** Records waiting to be written (the store was busy or unreachable). */
  readonly pendingWrites: number;
}

/** Where a setting applies: a whole server, or one channel of it. */
export interface SettingScope {
  guildId: string;
  /** null: the server-wide setting. */
  channelId: string | null;
}

export interface StoredSetting extends SettingScope {
  key: string;
  value: string;
}

/**
 * Per-server and per-channel settings (what a server's admins choose), each a short text value
 * under a key, scoped to one server: no server can read or change another's.
 */
export interface SettingsStore {
  getSetting(scope: SettingScope, key: string): Awaitable<string | undefined>;
  /** Sets a value, or with `null` removes it. */
  setSetting(scope: SettingScope, key: string, value: string | null): Awaitable<void>;
  /** Every setting of one server (its own and its channels'), by channel then key. */
  settingsOf(guildId: string): Awaitable<StoredSetting[]>;
}

/** What the Discord layer records and reads: the question log and the settings, in one store. */
export interface FeedbackState extends QuestionLog, SettingsStore {
  close(): Awaitable<void>;
}

/**
 * Passage embeddings by model and content hash (sha256 of the exact text embedded), so a text is
 * embedded once wherever it is indexed: by this process, or by any host sharing the store.
 */
export interface EmbeddingCache {
  /** The vectors known for `keys` under `model` (missing keys are absent from the map). */
  get(model: string, keys: readonly string[]): Promise<Map<string, Float32Array>>;
  /** Keeps vectors (a key already known keeps its first vector: the same text gives the same vector). */
  put(model: string, entries: ReadonlyMap<string, Float32Array>): Promise<void>;
}

/** One of a server's own documents, as its source of truth keeps it. */
export interface ServerDocumentInfo {
  name: string;
  bytes: number;
  /** sha256 of the bytes, hex. */
  hash: string;
  /** The Discord user id of whoever added it; null when unknown (a file put on disk by hand). */
  addedBy: string | null;
  addedAt: string;
}

/**
 * Each server's own documents kept where every host reads them (PostgreSQL): the source of truth
 * that hosts materialise into their local folders (`<DATA_DIR>/servers/<id>/knowledge`) before
 * indexing. On one host there is no such store: the folder itself is the source.
 */
export interface ServerDocuments {
  /**
   * Brings `dir` in line with the server's documents (writing what differs, deleting what is
   * gone). Returns whether the folder changed and the version it now matches.
   */
  materialise(guildId: string, dir: string): Promise<{ changed: boolean; version: number }>;
  /**
   * Records a document added or replaced (`bytes`) or removed (`bytes` null) through this host,
   * after it was indexed here, and tells every host; returns the server's new version. With
   * `replace` false, a document of that name (ignoring case) already there throws KNOWLEDGE_FILE_EXISTS.
   */
  publish(guildId: string, change: { name: string; bytes: Uint8Array | null; addedBy: string | null; replace: boolean }): Promise<number>;
  list(guildId: string): Promise<ServerDocumentInfo[]>;
  /** The server's current version (0: it never had documents). */
  version(guildId: string): Promise<number>;
  /**
   * Calls `listener` when a server's documents change (through any host, this one included), and
   * with null after a lost connection came back (changes may have been missed: compare versions).
   * Returns a stop function.
   */
  onChange(listener: (change: { guildId: string; version: number } | null) => void): () => Promise<void>;
}
