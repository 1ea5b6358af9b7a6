/**
 * Knowledge documents generated from a seed, each a title, sections and paragraphs of different
 * lengths. Two fields: `everyday` (gardening, baking…: not machine learning, so the article's
 * questions keep their answers), for load tests that need many distinct passages; and
 * `ml-practice` (feature stores, model monitoring…: the article's own field, written in its
 * words, but about the practice of ML engineering rather than careers in it), for growth tests.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

interface Field {
  topics: readonly string[];
  subjects: readonly string[];
  verbs: readonly string[];
  objects: readonly string[];
  endings: readonly string[];
  headings: readonly string[];
}

const FIELDS = {
  everyday: {
    topics: ['gardening', 'astronomy', 'baking', 'sailing', 'pottery', 'birdwatching', 'chess', 'cycling', 'beekeeping', 'photography', 'hiking', 'woodworking'],
    subjects: ['A beginner', 'An experienced hobbyist', 'The local club', 'Every season', 'A patient teacher', 'The weekend crowd', 'Old guidebooks', 'A careful planner'],
    verbs: ['recommends', 'remembers', 'compares', 'describes', 'questions', 'celebrates', 'measures', 'repairs', 'collects', 'arranges'],
    objects: ['the morning light', 'a worn notebook', 'seven small tools', 'the northern slope', 'a borrowed map', 'fresh clay', 'the second harbour', 'quiet evenings', 'a cracked lens', 'the spring schedule', 'twelve copper hooks', 'a crowded market'],
    endings: ['before the rain starts.', 'with surprising care.', 'for the third year running.', 'when nobody is watching.', 'near the old bridge.', 'after a long winter.', 'in under an hour.', 'without any hurry.'],
    headings: ['Getting started', 'Tools and materials', 'Common mistakes', 'A short history', 'Seasonal notes', 'Costs', 'Safety', 'Clubs and events', 'Further reading'],
  },
  'ml-practice': {
    topics: ['recommendation models', 'model monitoring', 'data labeling', 'ranking systems', 'batch inference', 'vector search', 'hyperparameter tuning', 'model compression', 'forecasting', 'image classification', 'speech recognition', 'fraud scoring'],
    subjects: ['A training pipeline', 'The serving layer', 'Each nightly job', 'A shadow deployment', 'The labeling team', 'An offline evaluation', 'The feature store', 'A canary release', 'The ranking model', 'A small transformer'],
    verbs: ['trains on', 'caches', 'validates', 'compresses', 'scores', 'schedules', 'logs', 'replays', 'labels', 'samples', 'ranks', 'predicts'],
    objects: [
      'movie ratings from a streaming service', 'weather records from airport stations', 'bakery sales per store', 'sports scores and player statistics',
      'photos of garden plants', 'flight delays and ticket prices', 'recipes and their cooking times', 'news feed clicks', 'customer support emails',
      'traffic camera frames', 'song plays and skips', 'hotel reviews', 'retail transactions', 'sensor readings from delivery vans',
    ],
    endings: ['before each release.', 'across three regions.', 'with a fixed random seed.', 'under a strict latency budget.', 'for every experiment.', 'when the data drifts.', 'during peak traffic.', 'behind a feature flag.', 'to keep the loss from diverging.', 'so the model generalises to new users.'],
    headings: ['Architecture', 'Failure modes', 'Metrics', 'Trade-offs', 'Runbook', 'Capacity planning', 'Testing', 'Rollout', 'Datasets', 'Training'],
  },
} as const satisfies Record<string, Field>;

export type GeneratedField = keyof typeof FIELDS;

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

export function generatedDocument(index: number, fieldName: GeneratedField = 'everyday'): { name: string; text: string } {
  const field: Field = FIELDS[fieldName];
  const rand = prng(1000 + index);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const topic = pick(field.topics);
  const sentence = () => `${pick(field.subjects)} ${pick(field.verbs)} ${pick(field.objects)} ${pick(field.endings)}`;
  const lines = [`# Notes on ${topic}, volume ${index + 1}`, ''];
  const sections = 1 + Math.floor(rand() * 3);
  for (let s = 0; s < sections; s++) {
    lines.push(`## ${pick(field.headings)} (${topic} ${index + 1}.${s + 1})`, '');
    const paragraphs = 1 + Math.floor(rand() * 2);
    for (let p = 0; p < paragraphs; p++) {
      lines.push(Array.from({ length: 1 + Math.floor(rand() * 4) }, sentence).join(' '), '');
    }
  }
  return { name: `generated-${String(index + 1).padStart(3, '0')}.md`, text: lines.join('\n') };
}

/** Writes `count` generated documents of a field into `dir`. */
export async function writeGeneratedKnowledge(dir: string, count: number, field: GeneratedField = 'everyday'): Promise<void> {
  for (let i = 0; i < count; i++) {
    const { name, text } = generatedDocument(i, field);
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
