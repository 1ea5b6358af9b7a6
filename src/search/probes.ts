import { readFileSync } from 'node:fs';

const PROBES_FILE = new URL('./off-topic-probes.txt', import.meta.url);

let probes: string[] | undefined;

/** The shipped off-topic questions the gate calibrates against (comment lines start with #). */
export function offTopicProbes(): readonly string[] {
  probes ??= readFileSync(PROBES_FILE, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  return probes;
}
