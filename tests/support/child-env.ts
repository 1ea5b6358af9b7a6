import os from 'node:os';

/**
 * The environment of every process a test starts: the test's own variables on top of only what
 * any process needs, so a child behaves the same whoever runs the suite and wherever it runs.
 * - `PATH`, and `HOME` when the runner has one (left out rather than set to an empty string).
 * - `TMPDIR`: the runner's temporary folder, so a child's temporary files (tsx's compile cache
 *   among them) land where the runner's own do, never in a `/tmp` shared with other runs.
 * - `DOTENV_CONFIG_PATH`: the null device, so the entry points' `dotenv/config` reads no `.env`;
 *   a developer's own `.env` in the checkout (a real `DISCORD_TOKEN`, other folders) must never
 *   reach a test, nor change what it checks.
 */
export function childEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    ...(process.env.HOME !== undefined && { HOME: process.env.HOME }),
    TMPDIR: os.tmpdir(),
    DOTENV_CONFIG_PATH: os.devNull,
    ...env,
  };
}
