import { createHash } from 'node:crypto';

/** Hex SHA-256: identifies documents, passages, index files and cached vectors by their content. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
