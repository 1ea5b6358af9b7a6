import { randomBytes } from 'node:crypto';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { botError } from './errors.ts';

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a file stands where a folder should be',
  EEXIST: 'a file stands where a folder should be',
  ENOSPC: 'the disk is full',
};

/**
 * Creates `dir` if needed and proves it writable by writing and removing a hidden probe file (a
 * permission check alone misses read-only mounts when running as root). A folder the process
 * cannot write throws one DIR_NOT_WRITABLE line naming the variable that set it, before any work
 * is done, rather than failing later, halfway through a reindex or a recorded question.
 */
export function assertWritableDir(dir: string, variable: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.write-check-${process.pid}-${randomBytes(4).toString('hex')}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw botError('DIR_NOT_WRITABLE', { name: variable, dir, cause: REASONS[code] ?? (code || 'it cannot be written') }, error);
  }
}
