/**
 * The answer-or-refuse decision, judged one document at a time.
 *
 * A question is answered when one document supports it far better than that same document
 * supports unrelated questions. Each document's evidence (below) is compared with what the
 * off-topic probes (off-topic-probes.txt) score against that document, in standard deviations:
 * a document's own null. A bar over the whole knowledge (the probes' score against everything)
 * rises with every document added, since unrelated questions find closer matches in more text,
 * and questions the knowledge answered before were refused after growth. A document's null does
 * not change when other documents are added, so a question a document answers stays answered.
 *
 * What still grows with the knowledge is the number of documents an unrelated question can try:
 * the best of more standardised scores is higher. That growth is slow (about the square root of
 * the logarithm of the number of documents); `npm run eval` reports refusals on every combination.
 */

export interface Evidence {
  /** Best cosine similarity between the question and any of the document's passages. */
  dense: number;
  /**
   * The document's best BM25 score divided by the question's total IDF weight: how strongly one
   * passage matches the question's own words, relative to how much those words could single out.
   */
  lexical: number;
  /** Share of the question's IDF weight carried by words the document uses. */
  known: number;
}

/**
 * Weights of the evidence score, chosen by logistic regression on labelled questions (article
 * and guide sets, answerable against off-topic) when evidence was measured over the whole
 * knowledge, and kept: the standardisation below makes the scale of each document's score its own.
 */
export const EVIDENCE_WEIGHTS = { dense: 21.7, lexical: 1.34, known: 2.8 } as const;

export function evidenceScore(e: Evidence): number {
  return EVIDENCE_WEIGHTS.dense * e.dense + EVIDENCE_WEIGHTS.lexical * e.lexical + EVIDENCE_WEIGHTS.known * e.known;
}

/**
 * Standard deviations above its document's null a question's evidence must reach. Chosen on the
 * dev, paraphrase and guide questions and the probes over four combinations of the article, the
 * guide and the Hugging Face course; measured on held-out questions (README, "Evaluation").
 */
export const GATE_Z = 3;

/**
 * Added to each document's measured deviation: with 117 probes a document that every probe misses
 * alike would have a deviation near zero, and any question matching it at all would stand out.
 */
export const NULL_SD_FLOOR = 0.5;

/** What unrelated questions score against each document of one index, by position in its DocumentMap. */
export interface DocumentNull {
  mean: Float64Array;
  sd: Float64Array;
}

export interface GateCalibration {
  /** Each index's document nulls, by part (the base, then a server's own index). */
  nulls: readonly DocumentNull[];
  probes: number;
}

/** The documents' nulls from each probe's evidence against every document: `probeScores[probe][doc]`. */
export function documentNull(probeScores: readonly Float64Array[], documents: number): DocumentNull {
  const mean = new Float64Array(documents);
  const sd = new Float64Array(documents);
  const n = probeScores.length;
  for (let d = 0; d < documents; d++) {
    let sum = 0;
    for (const scores of probeScores) sum += scores[d]!;
    const m = n > 0 ? sum / n : 0;
    let squares = 0;
    for (const scores of probeScores) squares += (scores[d]! - m) ** 2;
    mean[d] = m;
    sd[d] = (n > 0 ? Math.sqrt(squares / n) : 0) + NULL_SD_FLOOR;
  }
  return { mean, sd };
}

export interface GateScore {
  /** Deviations of the best-supported document above its null; -Infinity without any document. */
  z: number;
  /** That document: its part and position. */
  part: number;
  doc: number;
}

/** The best-supported document, in deviations above its own null. */
export function gateScore(documents: readonly { part: number; doc: number; evidence: Evidence }[], calibration: GateCalibration): GateScore {
  let best: GateScore = { z: -Infinity, part: -1, doc: -1 };
  for (const { part, doc, evidence } of documents) {
    const nul = calibration.nulls[part];
    if (nul === undefined || doc >= nul.mean.length) continue;
    const z = (evidenceScore(evidence) - nul.mean[doc]!) / nul.sd[doc]!;
    if (z > best.z) best = { z, part, doc };
  }
  return best;
}

export function passesGate(score: GateScore): boolean {
  return score.z > GATE_Z;
}
