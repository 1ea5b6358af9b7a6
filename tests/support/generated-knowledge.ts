/**
 * Knowledge documents generated from a seed: varied text on everyday topics (not machine
 * learning, so the article's questions keep their answers), each a title, sections and
 * paragraphs of different lengths, for load tests that need many distinct passages; and
 * documents recombined from a real corpus of the article's own field, for growth tests.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const TOPICS = ['gardening', 'astronomy', 'baking', 'sailing', 'pottery', 'birdwatching', 'chess', 'cycling', 'beekeeping', 'photography', 'hiking', 'woodworking'];
const SUBJECTS = ['A beginner', 'An experienced hobbyist', 'The local club', 'Every season', 'A patient teacher', 'The weekend crowd', 'Old guidebooks', 'A careful planner'];
const VERBS = ['recommends', 'remembers', 'compares', 'describes', 'questions', 'celebrates', 'measures', 'repairs', 'collects', 'arranges'];
const OBJECTS = ['the morning light', 'a worn notebook', 'seven small tools', 'the northern slope', 'a borrowed map', 'fresh clay', 'the second harbour', 'quiet evenings', 'a cracked lens', 'the spring schedule', 'twelve copper hooks', 'a crowded market'];
const ENDINGS = ['before the rain starts.', 'with surprising care.', 'for the third year running.', 'when nobody is watching.', 'near the old bridge.', 'after a long winter.', 'in under an hour.', 'without any hurry.'];
const HEADINGS = ['Getting started', 'Tools and materials', 'Common mistakes', 'A short history', 'Seasonal notes', 'Costs', 'Safety', 'Clubs and events', 'Further reading'];

/** Deterministic PRNG (mulberry32): the same documents on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generatedDocument(index: number): { name: string; text: string } {
  const rand = prng(1000 + index);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const topic = pick(TOPICS);
  const sentence = () => `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(ENDINGS)}`;
  const lines = [`# Notes on ${topic}, volume ${index + 1}`, ''];
  const sections = 1 + Math.floor(rand() * 3);
  for (let s = 0; s < sections; s++) {
    lines.push(`## ${pick(HEADINGS)} (${topic} ${index + 1}.${s + 1})`, '');
    const paragraphs = 1 + Math.floor(rand() * 2);
    for (let p = 0; p < paragraphs; p++) {
      lines.push(Array.from({ length: 1 + Math.floor(rand() * 4) }, sentence).join(' '), '');
    }
  }
  return { name: `generated-${String(index + 1).padStart(3, '0')}.md`, text: lines.join('\n') };
}

/** Writes `count` generated documents into `dir`. */
export async function writeGeneratedKnowledge(dir: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const { name, text } = generatedDocument(i);
    await writeFile(path.join(dir, name), text);
  }
}

/**
 * Documents recombined from a real corpus of the same field: each a title and two or three sections
 * of paragraphs drawn (deterministically) from the corpus's prose, so growth is tested on text as
 * varied as real knowledge, not on a template. The corpus is read where it lies (../shared).
 */
export async function writeSampledKnowledge(dir: string, count: number, corpusDir: string): Promise<void> {
  const { readdir, readFile } = await import('node:fs/promises');
  const paragraphs: string[] = [];
  for (const name of (await readdir(corpusDir)).sort()) {
    if (!/\.(md|mdx)$/.test(name)) continue;
    for (const block of (await readFile(path.join(corpusDir, name), 'utf8')).split(/\n\s*\n/)) {
      const text = block.trim();
      const prose = /^[A-Z]/.test(text) && !text.includes('\n#') && !text.includes('```') && text.split(/\s+/).length >= 12;
      if (prose) paragraphs.push(text);
    }
  }
  if (paragraphs.length === 0) throw new Error(`no prose paragraphs found in ${corpusDir}`);
  for (let i = 0; i < count; i++) {
    const rand = prng(5000 + i);
    const pick = () => paragraphs[Math.floor(rand() * paragraphs.length)]!;
    const lines = [`# Field notes ${i + 1}`, ''];
    const sections = 2 + Math.floor(rand() * 2);
    for (let s = 0; s < sections; s++) {
      lines.push(`## Part ${s + 1}`, '');
      for (let p = 0; p < 2; p++) lines.push(pick(), '');
    }
    await writeFile(path.join(dir, `sampled-${String(i + 1).padStart(3, '0')}.md`), lines.join('\n'));
  }
}
