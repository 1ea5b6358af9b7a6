import type { Chunk, SkillEntry } from '../types.ts';
import { toCitation } from './compose.ts';

const SKILLS_HEADING = /\bskills?\b/i;
/** A skill's name is a few words; a longer text before the separator is a sentence, not a name. */
const MAX_NAME_CHARS = 80;
const MIN_NAME_CHARS = 2;

/**
 * The skills list as the knowledge states it: the list items of any section whose heading speaks
 * of skills, written "Name: description" or "Name – description", each cited to its passage.
 */
export function extractSkills(chunks: readonly Chunk[]): SkillEntry[] {
  const skills: SkillEntry[] = [];
  const seen = new Set<string>();
  for (const chunk of chunks) {
    const heading = chunk.headingPath[chunk.headingPath.length - 1] ?? '';
    if (!SKILLS_HEADING.test(heading)) continue;
    for (const span of chunk.spans) {
      if (span.kind !== 'list-item') continue;
      const named = splitNamedItem(chunk.text.slice(span.start, span.end));
      if (!named) continue;
      const key = named.name.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      skills.push({ ...named, citation: toCitation(skills.length + 1, chunk, 1) });
    }
  }
  return skills;
}

/**
 * "Python: the main language" → name and description. The separator is the first ":" or a
 * spaced dash (" – ", " — ", " - ") within the first MAX_NAME_CHARS characters; one scan, no
 * backtracking.
 */
export function splitNamedItem(item: string): { name: string; description: string } | undefined {
  const limit = Math.min(item.length, MAX_NAME_CHARS + 2);
  for (let i = 0; i < limit; i++) {
    const c = item[i];
    let sepEnd = -1;
    if (c === ':') sepEnd = i + 1;
    else if ((c === '–' || c === '—' || c === '-') && isBlank(item[i - 1]) && isBlank(item[i + 1])) sepEnd = i + 2;
    else if (c === '–' || c === '—') return undefined;
    if (sepEnd === -1) continue;
    const name = item.slice(0, i).trim();
    const description = item.slice(sepEnd).replace(/\s+/g, ' ').trim();
    if (name.length < MIN_NAME_CHARS || name.length > MAX_NAME_CHARS || description === '') return undefined;
    return { name, description };
  }
  return undefined;
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** Narrows the list to skills whose name or description mentions every word of `area`. */
export function filterSkills(skills: readonly SkillEntry[], area: string | undefined): SkillEntry[] {
  const words = (area ?? '').toLowerCase().split(/\W+/).filter(Boolean);
  if (words.length === 0) return [...skills];
  return skills
    .filter((s) => words.every((w) => `${s.name} ${s.description}`.toLowerCase().includes(w)))
    .map((s, i) => ({ ...s, citation: { ...s.citation, n: i + 1 } }));
}
