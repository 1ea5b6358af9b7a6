/** Messages between PdfReader (its owner's thread) and pdf-thread.ts. */
import type { Block } from '../../types.ts';
import type { PdfLimits } from './limits.ts';

export interface PdfRequest {
  id: number;
  bytes: Uint8Array;
  limits: Pick<PdfLimits, 'maxPages' | 'maxTextChars' | 'maxItemsPerPage'>;
}

export type PdfReply =
  | { id: number; ok: true; title: string | undefined; blocks: Block[]; pages: number }
  /** `unreadable`: the file is at fault (its reason is shown to admins); otherwise the reader failed. */
  | { id: number; ok: false; unreadable: boolean; message: string };
