import os from 'node:os';
import path from 'node:path';

/**
 * A folder in the system's temporary folder that scripts keep between runs (built indexes), named
 * for the user running them: on a shared /tmp another user's folder would be unwritable, and two
 * users' runs must not read each other's sets.
 */
export function userTempCache(name: string): string {
  const owner = process.getuid?.() ?? os.userInfo().username;
  return path.join(os.tmpdir(), `${name}-${owner}`);
}
