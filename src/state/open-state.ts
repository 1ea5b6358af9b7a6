/**
 * Chooses where the bot's state lives: with DATABASE_URL, PostgreSQL shared by every host (the
 * question log, settings, each server's documents and the passages' embeddings); without it,
 * SQLite (FEEDBACK_DB) and local folders, as a single host needs nothing else.
 */
import path from 'node:path';
import type { Config } from '../config.ts';
import type { SharedKnowledge } from '../engine/engine.ts';
import { BotError, botError, errorMessage } from '../errors.ts';
import { FeedbackStore } from '../feedback/store.ts';
import type { Logger } from '../logger.ts';
import { assertWritableDir } from '../writable-dir.ts';
import type { FeedbackState } from './types.ts';

export interface BotState {
  feedback: FeedbackState;
  /** What hosts share for the engine (EngineOptions.shared); undefined on one host. */
  knowledge: SharedKnowledge | undefined;
  /** Where the state is, for logs: the SQLite file, or the database's host:port/name. */
  where: string;
  close(): Promise<void>;
}

/**
 * Opens the configured state. An unreachable database throws DATABASE_UNAVAILABLE (start-up
 * stops with that one line); a SQLite file that is not a database is moved aside (recoverCorrupt).
 */
export async function openBotState(config: Config, logger: Logger, options: { applicationName?: string } = {}): Promise<BotState> {
  if (config.databaseUrl === undefined) {
    if (config.feedbackDb !== ':memory:') assertWritableDir(path.dirname(config.feedbackDb), 'FEEDBACK_DB');
    const feedback = FeedbackStore.open(config.feedbackDb, { retentionDays: config.feedbackRetentionDays, logger, recoverCorrupt: true });
    return { feedback, knowledge: undefined, where: config.feedbackDb, close: async () => feedback.close() };
  }
  // The PostgreSQL modules (and the pg driver) are loaded only by a bot that uses them.
  const [{ Database }, { PostgresEmbeddingCache }, { PostgresFeedback }, { PostgresServerDocuments }] = await Promise.all([
    import('./postgres/database.ts'),
    import('./postgres/embedding-cache.ts'),
    import('./postgres/feedback.ts'),
    import('./postgres/server-documents.ts'),
  ]);
  const db = await Database.open({ url: config.databaseUrl, poolMax: config.databasePoolMax, logger, ...(options.applicationName && { applicationName: options.applicationName }) });
  try {
    const feedback = await PostgresFeedback.open(db, { retentionDays: config.feedbackRetentionDays, logger });
    return {
      feedback,
      knowledge: {
        documents: new PostgresServerDocuments(db, logger),
        embeddings: new PostgresEmbeddingCache(db),
      },
      where: db.name,
      async close() {
        await feedback.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    if (error instanceof BotError) throw error;
    throw botError('DATABASE_UNAVAILABLE', { database: db.name, cause: errorMessage(error) }, error);
  }
}
