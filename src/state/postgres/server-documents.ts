/**
 * Each server's own documents in PostgreSQL: the source of truth (name, bytes, hash, who added
 * them, when), with a version per server bumped in the same transaction as every change and
 * announced with NOTIFY, so every host serving the server follows within moments. Hosts keep a
 * local copy of the files (materialise) and index that, as on one host.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { botError, errorMessage } from '../../errors.ts';
import { sha256 } from '../../hash.ts';
import type { Logger } from '../../logger.ts';
import { safeKnowledgeFileName } from '../../engine/knowledge-files.ts';
import type { ServerDocumentInfo, ServerDocuments } from '../types.ts';
import type { Database } from './database.ts';

/** The NOTIFY channel; the payload is `<guild id>:<version>`. */
const CHANNEL = 'server_knowledge';

type Listener = Parameters<ServerDocuments['onChange']>[0];

export class PostgresServerDocuments implements ServerDocuments {
  private readonly listeners = new Set<Listener>();
  private stopListening: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  async materialise(guildId: string, dir: string): Promise<{ changed: boolean; version: number }> {
    // One snapshot: the documents and the version they make.
    const { documents, version } = await this.db.transaction(async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const rows = (await client.query<{ name: string; hash: string }>('SELECT name, hash FROM server_documents WHERE guild_id = $1', [guildId])).rows;
      const [row] = (await client.query<{ version: string }>('SELECT version FROM server_versions WHERE guild_id = $1', [guildId])).rows;
      return { documents: rows, version: Number(row?.version ?? 0) };
    });
    const wanted = new Map<string, { name: string; hash: string }>();
    for (const doc of documents) {
      try {
        wanted.set(safeKnowledgeFileName(doc.name).toLowerCase(), doc);
      } catch (error) {
        // Only this bot writes the table, through the same rule; a row that breaks it is never a path.
        this.logger.warn({ server: guildId, name: doc.name, err: errorMessage(error) }, 'skipped a stored document with an unusable name');
      }
    }
    if (wanted.size === 0 && !(await exists(dir))) return { changed: false, version };
    await mkdir(dir, { recursive: true });
    const here = new Map<string, string>();
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isFile() && !entry.name.startsWith('.')) here.set(entry.name.toLowerCase(), entry.name);
    }
    let changed = false;
    for (const [key, local] of here) {
      const doc = wanted.get(key);
      if (doc === undefined || doc.name !== local) {
        await unlink(path.join(dir, local));
        here.delete(key);
        changed = true;
      }
    }
    const stale: string[] = [];
    for (const [key, doc] of wanted) {
      const local = here.get(key);
      if (local === undefined || sha256(await readFile(path.join(dir, local))) !== doc.hash) stale.push(doc.name);
    }
    if (stale.length > 0) {
      const rows = await this.db.query<{ name: string; bytes: Buffer }>('SELECT name, bytes FROM server_documents WHERE guild_id = $1 AND name = ANY($2::text[])', [guildId, stale]);
      for (const { name, bytes } of rows) await writeReplacing(path.join(dir, name), bytes);
      changed = true;
    }
    return { changed, version };
  }

  async publish(guildId: string, change: { name: string; bytes: Uint8Array | null; addedBy: string | null; replace: boolean }): Promise<number> {
    const name = safeKnowledgeFileName(change.name);
    return this.db.transaction(async (client) => {
      if (change.bytes === null) {
        await client.query('DELETE FROM server_documents WHERE guild_id = $1 AND name_key = $2', [guildId, name.toLowerCase()]);
      } else {
        const bytes = Buffer.from(change.bytes.buffer, change.bytes.byteOffset, change.bytes.byteLength);
        const written = await client.query(
          `INSERT INTO server_documents (guild_id, name_key, name, bytes, size, hash, added_by, added_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, now())
           ON CONFLICT (guild_id, name_key) DO UPDATE
             SET name = excluded.name, bytes = excluded.bytes, size = excluded.size, hash = excluded.hash,
                 added_by = excluded.added_by, added_at = excluded.added_at
             WHERE $8::boolean`,
          [guildId, name.toLowerCase(), name, bytes, bytes.byteLength, sha256(bytes), change.addedBy, change.replace],
        );
        if (written.rowCount === 0) throw botError('KNOWLEDGE_FILE_EXISTS', { name });
      }
      const [row] = (
        await client.query<{ version: string }>(
          `INSERT INTO server_versions (guild_id, version) VALUES ($1, 1)
           ON CONFLICT (guild_id) DO UPDATE SET version = server_versions.version + 1
           RETURNING version`,
          [guildId],
        )
      ).rows;
      const version = Number(row!.version);
      // Delivered to every listening host when the transaction commits, never before.
      await client.query('SELECT pg_notify($1, $2)', [CHANNEL, `${guildId}:${version}`]);
      return version;
    });
  }

  async list(guildId: string): Promise<ServerDocumentInfo[]> {
    const rows = await this.db.query<{ name: string; size: number; hash: string; added_by: string | null; added_at: Date }>(
      'SELECT name, size, hash, added_by, added_at FROM server_documents WHERE guild_id = $1 ORDER BY name_key',
      [guildId],
    );
    return rows.map((r) => ({ name: r.name, bytes: r.size, hash: r.hash, addedBy: r.added_by, addedAt: r.added_at.toISOString() }));
  }

  async version(guildId: string): Promise<number> {
    const [row] = await this.db.query<{ version: string }>('SELECT version FROM server_versions WHERE guild_id = $1', [guildId]);
    return Number(row?.version ?? 0);
  }

  onChange(listener: Listener): () => Promise<void> {
    this.listeners.add(listener);
    this.stopListening ??= this.db.listen(
      CHANNEL,
      (payload) => {
        const match = /^(\d{1,25}):(\d{1,18})$/.exec(payload);
        if (!match) return;
        for (const l of this.listeners) l({ guildId: match[1]!, version: Number(match[2]) });
      },
      () => {
        for (const l of this.listeners) l(null);
      },
    );
    return async () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.stopListening) {
        const stop = this.stopListening;
        this.stopListening = undefined;
        await stop();
      }
    };
  }
}

async function exists(dir: string): Promise<boolean> {
  return readdir(dir).then(
    () => true,
    () => false,
  );
}

/** Written beside the target under a dot name (which the loader ignores), then renamed over it. */
async function writeReplacing(target: string, bytes: Uint8Array): Promise<void> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, bytes);
    await rename(temp, target);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
