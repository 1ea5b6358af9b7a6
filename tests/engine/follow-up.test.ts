import { describe, expect, it } from 'vitest';
import {
  hasContinuationCue,
  listItems,
  MAX_CONVERSATION_TURNS,
  MAX_QUERY_CHARS,
  referencedItem,
  resolveQuery,
  type Vocabulary,
} from '../../src/engine/follow-up.ts';
import { Engine } from '../../src/engine/engine.ts';
import { contentTerms } from '../../src/search/term-stats.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { knowledgeDir, tempDir } from '../support/temp.ts';

/** A vocabulary that knows exactly the content terms of `text`, every term weighing the same. */
function vocabularyOf(text: string): Vocabulary {
  const known = contentTerms(text);
  return { knows: (t) => known.has(t), idf: () => 1 };
}

const words = (s: string) => s.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter(Boolean);

describe('reading a follow-up', () => {
  const vocabulary = vocabularyOf('skills programming mathematics statistics banks fraud detection salaries engineers scientists data');
  const skills = { question: 'Which skills do engineers need?', answer: 'Engineers need: [1]\n• Programming: Python. [1]\n• Mathematics & Statistics: linear algebra. [1]' };

  it('stands alone without earlier turns', () => {
    expect(resolveQuery('Which skills do engineers need?', [], vocabulary)).toEqual({ text: 'Which skills do engineers need?' });
  });

  it('joins an elliptical follow-up to the topic it continues, newest first', () => {
    const resolved = resolveQuery('what about for data scientists?', [skills], vocabulary);
    expect(resolved.reading).toBe('follow-up');
    expect(resolved.readWith).toBe(skills.question);
    expect(resolved.text).toBe('what about for data scientists? Which skills do engineers need?');
  });

  it('reads "the second one" as the second item of the previous answer', () => {
    const resolved = resolveQuery('what about the second one?', [skills], vocabulary);
    expect(resolved.text).toContain('Mathematics & Statistics: linear algebra.');
    expect(resolved.text).not.toContain('[1]');
    expect(resolved.unknownTerms).toBeUndefined();
  });

  it('reads a question with words of its own and nothing tying it back as a new topic', () => {
    const resolved = resolveQuery('Do banks use fraud detection?', [skills], vocabulary);
    expect(resolved).toEqual({ text: 'Do banks use fraud detection?', reading: 'new-topic' });
    // An off-topic question is new too: read alone, the gate refuses it with no help from the topic.
    expect(resolveQuery('how do I bake sourdough bread?', [skills], vocabulary).reading).toBe('new-topic');
  });

  it('names the new words of a follow-up the knowledge does not know', () => {
    const resolved = resolveQuery('and for a phd?', [skills], vocabulary);
    expect(resolved.reading).toBe('follow-up');
    expect(resolved.unknownTerms).toEqual([...contentTerms('phd')]);
    // Known words are no reason to refuse.
    expect(resolveQuery('and for data scientists?', [skills], vocabulary).unknownTerms).toBeUndefined();
  });

  it('resolves earlier turns in order, so a third turn reads the whole chain', () => {
    const turns = [skills, { question: 'and for data scientists?', answer: '• Statistics matters. [1]' }];
    const resolved = resolveQuery('how do they learn it?', turns, vocabulary);
    expect(resolved.text).toBe('how do they learn it? and for data scientists? Which skills do engineers need?');
    expect(resolved.readWith).toBe(skills.question);
  });

  it('reads at most the last turns, and keeps the rewritten query within the question limit', () => {
    const old = { question: 'Which salaries do banks pay?', answer: '' };
    const recent = Array.from({ length: MAX_CONVERSATION_TURNS }, () => ({ question: 'and for engineers?' }));
    const resolved = resolveQuery('and for scientists?', [old, ...recent], vocabulary);
    expect(resolved.text).not.toContain('salaries');
    const long = { question: `Which skills ${'really '.repeat(120)}do engineers need?` };
    expect(resolveQuery('and for scientists?', [long], vocabulary).text.length).toBeLessThanOrEqual(MAX_QUERY_CHARS);
  });

  it('recognises continuation cues and ordinal references', () => {
    for (const q of ['and for a phd?', 'what about regression?', 'how do I prepare for it?', 'how hard were they?', 'Same for seniors']) {
      expect(hasContinuationCue(words(q)), q).toBe(true);
    }
    for (const q of ['Which industries hire ML engineers?', 'are there courses on statistics?', 'what is overfitting?']) {
      expect(hasContinuationCue(words(q)), q).toBe(false);
    }
    const items = ['Programming', 'Maths', 'Cloud'];
    expect(referencedItem(words('what about the second one?'), items)).toBe('Maths');
    expect(referencedItem(words('tell me more about the 3rd point'), items)).toBe('Cloud');
    expect(referencedItem(words('and the last one?'), items)).toBe('Cloud');
    expect(referencedItem(words('number 1 please'), items)).toBe('Programming');
    expect(referencedItem(words('what about the fifth one?'), items)).toBeUndefined();
    expect(referencedItem(words('is it my first job?'), items)).toBeUndefined();
  });

  it('reads the list items back from an answer, without citation markers', () => {
    expect(listItems('Lead-in [1]\n• One thing [1]\n  • Two [2]\n\nplain [2]')).toEqual(['One thing', 'Two']);
  });
});

describe('Engine.ask in a conversation', () => {
  const HANDBOOK = `# Handbook

## Skills

Engineers need these skills:

- Programming: Python and Java for every project.
- Statistics: probability and linear algebra for models.

## Banking

Banks use fraud detection models every day.
`;

  async function open() {
    const dir = await knowledgeDir({ 'handbook.md': HANDBOOK });
    const indexDir = await tempDir('mlbot-index-');
    return Engine.open({ config: { knowledgeDir: dir, indexDir, embedder: 'use-lite' }, embedder: new FakeEmbedder() });
  }

  it('answers a follow-up about the list item it points at, and says what it read it with', async () => {
    const engine = await open();
    const first = await engine.ask('Which skills do engineers need?');
    expect(first.refused).toBe(false);
    expect(first.context).toBeUndefined();
    const alone = await engine.ask('what about the second one?');
    expect(alone.refused).toBe(true);
    const followUp = await engine.ask('what about the second one?', { conversation: [{ question: first.question, answer: first.answer }] });
    expect(followUp).toMatchObject({ refused: false, question: 'what about the second one?', context: { reading: 'follow-up', readWith: first.question } });
    expect(followUp.citations[0]!.text).toContain('probability and linear algebra');
  });

  it('refuses a follow-up about what the knowledge does not cover, and answers a covered new topic alone', async () => {
    const engine = await open();
    const conversation = [{ question: 'Which skills do engineers need?', answer: (await engine.ask('Which skills do engineers need?')).answer }];
    const phd = await engine.ask('and for a phd?', { conversation });
    expect(phd).toMatchObject({ refused: true, refusalReason: 'off-topic', context: { reading: 'follow-up' } });
    const bread = await engine.ask('banana bread recipe please', { conversation });
    expect(bread).toMatchObject({ refused: true, context: { reading: 'new-topic' } });
    const banks = await engine.ask('Do banks use fraud detection?', { conversation });
    expect(banks).toMatchObject({ refused: false, context: { reading: 'new-topic' } });
    expect(banks.citations[0]!.section).toBe('Banking');
  });
});
