import { describe, expect, it } from 'vitest';
import { asksForList } from '../../src/answer/select.ts';
import { documentNull, evidenceScore, GATE_Z, gateScore, NULL_SD_FLOOR, passesGate, type GateCalibration } from '../../src/search/gate.ts';

const evidence = (score: number) => ({ dense: score / 21.7, lexical: 0, known: 0 });

describe('the gate', () => {
  it('measures each document’s null as the mean and deviation of what the probes scored against it', () => {
    const nul = documentNull([Float64Array.of(1, 10), Float64Array.of(3, 10)], 2);
    expect([...nul.mean]).toEqual([2, 10]);
    expect([...nul.sd]).toEqual([1 + NULL_SD_FLOOR, NULL_SD_FLOOR]);
  });

  it('judges a question by its best-supported document, in deviations above that document’s own null', () => {
    const calibration: GateCalibration = { nulls: [documentNull([Float64Array.of(0, 10), Float64Array.of(2, 12)], 2)], probes: 2 };
    // Document 0: null 1 ± 1.5; document 1: null 11 ± 1.5.
    const score = gateScore(
      [
        { part: 0, doc: 0, evidence: evidence(7) },
        { part: 0, doc: 1, evidence: evidence(14) },
      ],
      calibration,
    );
    expect(score.doc).toBe(0);
    expect(score.z).toBeCloseTo(4);
    expect(passesGate(score)).toBe(true);
    // The same evidence against the document unrelated questions match well is no evidence at all.
    expect(passesGate(gateScore([{ part: 0, doc: 1, evidence: evidence(14) }], calibration))).toBe(false);
  });

  it('keeps a document’s verdict when other documents join the knowledge', () => {
    const alone: GateCalibration = { nulls: [documentNull([Float64Array.of(2), Float64Array.of(4)], 1)], probes: 2 };
    const grown: GateCalibration = {
      nulls: [documentNull([Float64Array.of(2, 9, 8), Float64Array.of(4, 11, 12)], 3)],
      probes: 2,
    };
    const question = [{ part: 0, doc: 0, evidence: evidence(3 + (GATE_Z + 0.5) * (1 + NULL_SD_FLOOR)) }];
    expect(passesGate(gateScore(question, alone))).toBe(true);
    expect(passesGate(gateScore(question, grown))).toBe(true);
    expect(gateScore(question, grown).z).toBeCloseTo(gateScore(question, alone).z);
  });

  it('reads the parts of a merged view against their own index’s nulls', () => {
    const calibration: GateCalibration = {
      nulls: [documentNull([Float64Array.of(20)], 1), documentNull([Float64Array.of(0)], 1)],
      probes: 1,
    };
    const score = gateScore(
      [
        { part: 0, doc: 0, evidence: evidence(20) },
        { part: 1, doc: 0, evidence: evidence(5) },
      ],
      calibration,
    );
    expect(score.part).toBe(1);
    expect(score.z).toBeCloseTo(5 / NULL_SD_FLOOR);
    expect(evidenceScore(evidence(5))).toBeCloseTo(5);
  });

  it('refuses without any document to judge', () => {
    expect(passesGate(gateScore([], { nulls: [], probes: 0 }))).toBe(false);
  });
});

describe('asksForList', () => {
  it('reads the question form, not the headings it matches', () => {
    for (const q of ['What skills do I need?', 'Which industries are hiring ML engineers?', 'What are the steps?', 'List the modules', 'which cloud platforms help?']) {
      expect(asksForList(q), q).toBe(true);
    }
    for (const q of ['What math do ML engineers use?', 'Is healthcare hiring?', 'What is the kv cache?', 'How does this work?', 'what goes in the query understanding step?']) {
      expect(asksForList(q), q).toBe(false);
    }
  });
});
