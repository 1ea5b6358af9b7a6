/**
 * The answer-or-refuse decision. No single signal holds as the knowledge grows: the best dense
 * similarity of an unrelated question rises with every passage added, and lexical scores depend
 * on the question's wording. So the gate combines three signals into one evidence score and
 * compares it with what unrelated questions score against *this* knowledge: at every build the
 * off-topic probes (off-topic-probes.txt) are asked, and a question must score above nearly all
 * of them to be answered.
 */

export interface Evidence {
  /** Best cosine similarity between the question and any passage. */
  dense: number;
  /**
   * Best BM25 score divided by the question's total IDF weight: how strongly one passage matches
   * the question's own words, relative to how much those words could single anything out.
   */
  lexical: number;
  /** Share of the question's IDF weight carried by words the knowledge uses at all. */
  known: number;
}

/**
 * Weights of the evidence score, chosen by logistic regression on labelled questions (article
 * and guide sets, answerable against off-topic) and kept fixed; the threshold is not fixed but
 * measured per knowledge base (below). See README, "How the bot decides to answer".
 */
export const EVIDENCE_WEIGHTS = { dense: 21.7, lexical: 1.34, known: 2.8 } as const;

export function evidenceScore(e: Evidence): number {
  return EVIDENCE_WEIGHTS.dense * e.dense + EVIDENCE_WEIGHTS.lexical * e.lexical + EVIDENCE_WEIGHTS.known * e.known;
}

/** The probes' share that may still score above the threshold: a quantile, not the maximum, so one odd probe cannot silence the bot. */
export const PROBE_QUANTILE = 0.97;

export interface GateCalibration {
  /** Evidence score a question must exceed to be answered. */
  threshold: number;
  probes: number;
  /** Median and highest probe score, for reports. */
  probeMedian: number;
  probeMax: number;
}

export function calibrate(probeScores: readonly number[]): GateCalibration {
  const sorted = [...probeScores].sort((a, b) => a - b);
  if (sorted.length === 0) return { threshold: -Infinity, probes: 0, probeMedian: 0, probeMax: 0 };
  return {
    threshold: quantile(sorted, PROBE_QUANTILE),
    probes: sorted.length,
    probeMedian: quantile(sorted, 0.5),
    probeMax: sorted[sorted.length - 1]!,
  };
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function passesGate(e: Evidence, calibration: GateCalibration): boolean {
  return evidenceScore(e) > calibration.threshold;
}
