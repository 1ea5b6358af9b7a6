/**
 * Keeps a host's server folders in step with the shared server documents (DATABASE_URL): a server
 * is materialised before it is opened or changed here, every change made here is recorded there
 * (or undone here), and changes made through other hosts are followed as they are announced.
 * The engine holds one when documents are shared; on one host the folders are the source and
 * none of this runs.
 */
import { BotError, botError, errorMessage } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ServerDocuments } from '../state/types.ts';
import type { KnowledgeSet } from './knowledge-set.ts';
import { restoreKnowledgeFile } from './knowledge-files.ts';

/** A server as the engine holds it: its id, its knowledge once open, and the shared version its folder holds. */
export interface SyncedServer {
  readonly id: string;
  readonly ready: Promise<KnowledgeSet>;
  /** 0 until its documents were read from the database. */
  version: number;
}

/** The servers loaded in this process. */
export interface LoadedServers {
  peek(id: string): SyncedServer | undefined;
  values(): Iterable<SyncedServer>;
}

export interface DocumentChange {
  name: string;
  /** null: removed. */
  bytes: Uint8Array | null;
  addedBy: string | null;
  replace: boolean;
}

export class SharedDocumentsSync {
  constructor(
    private readonly documents: ServerDocuments,
    private readonly logger: Logger,
  ) {}

  /**
   * Writes the server's shared documents into its folder (before it is opened). A database out of
   * reach leaves the local copy answering: its version stays behind, so it is caught up later.
   */
  async materialise(server: SyncedServer, knowledgeDir: string): Promise<void> {
    try {
      const { changed, version } = await this.documents.materialise(server.id, knowledgeDir);
      server.version = version;
      if (changed) this.logger.info({ knowledge: label(server), version }, 'server documents brought up to date from the database');
    } catch (error) {
      this.logger.warn({ knowledge: label(server), err: errorMessage(error) }, 'could not read the server documents from the database; answering from the local copy');
    }
  }

  /** Follows changes made through other hosts (or other shards of this one) to the loaded servers; returns a stop function. */
  follow(loaded: LoadedServers): () => Promise<void> {
    return this.documents.onChange((change) => {
      if (change === null) {
        // Notifications were lost while the connection was down: compare every loaded server's version.
        for (const server of loaded.values()) void this.followChange(server, undefined);
        return;
      }
      const server = loaded.peek(change.guildId);
      if (server !== undefined && change.version > server.version) void this.followChange(server, change.version);
    });
  }

  /**
   * Before a server's documents change here (inside its exclusive section), its folder must hold
   * the latest version: a missed notification would otherwise let this host decide on stale
   * files. A database out of reach refuses the change at once: it could not be recorded anyway.
   */
  async beforeChange(server: SyncedServer, set: KnowledgeSet, name: string): Promise<void> {
    try {
      await this.catchUp(server, set, await this.documents.version(server.id));
    } catch (error) {
      if (error instanceof BotError) throw error;
      throw botError('KNOWLEDGE_NOT_SHARED', { name, cause: errorMessage(error) }, error);
    }
  }

  /**
   * Records a change made and indexed here. If the database does not take it, the change is
   * undone here too (the file and the index as before), so this host never answers from a
   * document the others do not have.
   */
  async record(server: SyncedServer, set: KnowledgeSet, change: DocumentChange, previous: Uint8Array | undefined): Promise<void> {
    try {
      server.version = await this.documents.publish(server.id, change);
    } catch (error) {
      await restoreKnowledgeFile(set.knowledgeDir, change.name, previous);
      await set.reindex().catch((undoError: unknown) => this.logger.error({ knowledge: label(server), err: errorMessage(undoError) }, 'could not reindex after undoing a change'));
      this.logger.warn({ knowledge: label(server), file: change.name, err: errorMessage(error) }, 'knowledge change undone: the database did not take it');
      if (error instanceof BotError) throw error;
      throw botError('KNOWLEDGE_NOT_SHARED', { name: change.name, cause: errorMessage(error) }, error);
    }
  }

  /** Catches a loaded server up, after the changes in progress on it. */
  private async followChange(server: SyncedServer, version: number | undefined): Promise<void> {
    try {
      const set = await server.ready;
      await set.exclusive(async () => this.catchUp(server, set, version ?? (await this.documents.version(server.id))));
    } catch (error) {
      this.logger.warn({ knowledge: label(server), err: errorMessage(error) }, 'could not follow a change to the server documents; trying again at the next change');
    }
  }

  /**
   * When `latest` is newer than the folder: materialised, then rebuilt (embedding only what no
   * host embedded yet), or only reloaded when another shard of this host already rebuilt the
   * index of the same folder.
   */
  private async catchUp(server: SyncedServer, set: KnowledgeSet, latest: number): Promise<void> {
    if (latest <= server.version) return;
    const { changed, version } = await this.documents.materialise(server.id, set.knowledgeDir);
    server.version = version;
    if (changed) {
      const report = await set.reindex();
      this.logger.info({ knowledge: label(server), version, documents: report.documents, embedded: report.embedded, reused: report.reused }, 'server documents changed through another host; reindexed');
    } else if (await set.reload()) {
      this.logger.info({ knowledge: label(server), version }, 'server documents changed through another shard of this host; reloaded its index');
    }
  }
}

function label(server: SyncedServer): string {
  return `server ${server.id}`;
}
