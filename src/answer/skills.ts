import type { Chunk, SkillEntry } from '../types.ts';
import { toCitation } from './compose.ts';

const SKILLS_HEADING = /\bskills?\b/i;
/** "Name: description" or "Name – description" (en dash, em dash or spaced hyphen). */
const NAMED_ITEM = /^\s*(?:[-*+•]|\d+[.)])\s+\**([^:–—*]{2,80}?)\**\s*(?::|\s[–—-]\s)\s*(.+)$/s;

/**
 * The skills list as the knowledge states it: list items of any section whose heading speaks of
 * skills, each split into its name and description and cited to its passage.
 */
export function extractSkills(chunks: readonly Chunk[]): SkillEntry[] {
  const skills: SkillEntry[] = [];
  const seen = new Set<string>();
  for (const chunk of chunks) {
    const heading = chunk.headingPath[chunk.headingPath.length - 1] ?? '';
    if (!SKILLS_HEADING.test(heading)) continue;
    const match = NAMED_ITEM.exec(chunk.text);
    if (!match) continue;
    const name = match[1]!.trim();
    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    skills.push({
      name,
      description: match[2]!.replace(/\s+/g, ' ').trim(),
      citation: toCitation(skills.length + 1, chunk, 1),
    });
  }
  return skills;
}

/** Narrows the list to skills whose name or description mentions every word of `area`. */
export function filterSkills(skills: readonly SkillEntry[], area: string | undefined): SkillEntry[] {
  const words = (area ?? '').toLowerCase().split(/\W+/).filter(Boolean);
  if (words.length === 0) return [...skills];
  return skills
    .filter((s) => words.every((w) => `${s.name} ${s.description}`.toLowerCase().includes(w)))
    .map((s, i) => ({ ...s, citation: { ...s.citation, n: i + 1 } }));
}
