import type { AbstentionReason } from '../types.js';
import { assessEvidence, type EvidenceSignals } from './evidence-confidence.js';
import { classOfKind, type QuestionAnalysis } from './question-analysis.js';
import type { ScoredSentence, TermGroup } from './sentence-scoring.js';
import { splitWords, YEAR } from './terms.js';
import { combine, logistic, penalties, type LinearModel } from './weighted-features.js';

/**
 * The gate's features: the evidence signals of the best sentence (see {@link EvidenceSignals}) plus the checks that
 * used to be separate vetoes, each 0–1. The fitted weights decide how much each counts; none decides alone.
 */
export const GATE_FEATURES = [
  'coverage',
  'contextCoverage',
  'anchorMissing',
  'anchorElsewhere',
  'focusMissing',
  'predicateMissing',
  'relationCoverage',
  'relationMissing',
  'nameAwayFromFocus',
  'detachedAnswer',
  'personFocusUnmet',
  'typeFit',
  'typed',
  'candidateScore',
  /** A year the question names is missing around the evidence, which is about another year. */
  'otherYear',
  /** A name or figure of the question is missing around the evidence and the evidence covers little else. */
  'anchorMissingWeakCoverage',
  /** A "how many" or "when" question, and no number or date of fitting type in the evidence. */
  'figureMissing',
  /**
   * A name the question narrows its subject with ("officers from Fiji", "stations in Italy") is missing around the
   * evidence and its passage although another retrieved sentence mentions it: the evidence is about the whole, not
   * that part.
   */
  'scopeMissing',
  /** Best sentence score relative to the evidence-only maximum, 0–1. */
  'sentenceScore',
  /** How far the best sentence is ahead of the runner-up, 0–1. */
  'leadOverRunnerUp',
] as const;

export type GateFeature = (typeof GATE_FEATURES)[number];
export type GateFeatures = Readonly<Record<GateFeature, number>>;

/** The fitted gate: a logistic model over {@link GATE_FEATURES} and the probability below which it abstains. */
export interface GateModel extends LinearModel<GateFeature> {
  readonly threshold: number;
  /** Mean feature values of right answers in the fitting data: a reason blames the feature furthest below them. */
  readonly reference: Readonly<Partial<Record<GateFeature, number>>>;
}

/** Which reason to give when a feature is what pulled the confidence under the threshold. */
const REASON_OF: Readonly<Record<GateFeature, AbstentionReason>> = {
  coverage: 'WEAK_EVIDENCE',
  contextCoverage: 'WEAK_EVIDENCE',
  relationCoverage: 'WEAK_EVIDENCE',
  relationMissing: 'WEAK_EVIDENCE',
  focusMissing: 'WEAK_EVIDENCE',
  predicateMissing: 'WEAK_EVIDENCE',
  candidateScore: 'WEAK_EVIDENCE',
  sentenceScore: 'WEAK_EVIDENCE',
  leadOverRunnerUp: 'WEAK_EVIDENCE',
  anchorMissing: 'MISSING_KEY_TERM',
  anchorMissingWeakCoverage: 'MISSING_KEY_TERM',
  anchorElsewhere: 'SCOPE_MISMATCH',
  otherYear: 'SCOPE_MISMATCH',
  scopeMissing: 'SCOPE_MISMATCH',
  nameAwayFromFocus: 'SUBJECT_MISMATCH',
  detachedAnswer: 'SUBJECT_MISMATCH',
  personFocusUnmet: 'SUBJECT_MISMATCH',
  typeFit: 'NO_ANSWER_OF_TYPE',
  typed: 'NO_ANSWER_OF_TYPE',
  figureMissing: 'NO_ANSWER_OF_TYPE',
};

/** Prepositions that narrow a question's subject to a part named after them. */
const SCOPE_PREPOSITIONS: ReadonlySet<string> = new Set(['from', 'in', 'at', 'for', 'of', 'to', 'with', 'within', 'inside', 'across']);

/** Fixed limits of the veto features (what the old vetoes tested), not weights: weights are fitted. */
export interface GateLimits {
  /** `anchorMissingWeakCoverage` fires below this context coverage. @default 0.3 */
  readonly anchorCoverage: number;
  /** `figureMissing` fires for a figure question whose best phrase fits its type less than this… @default 0.3 */
  readonly minTypedFit: number;
  /** …unless the sentence holds at least this share of the question's terms (the one it was written from). @default 0.95 */
  readonly fullCoverage: number;
}

export const DEFAULT_GATE_LIMITS: GateLimits = Object.freeze({ anchorCoverage: 0.3, minTypedFit: 0.3, fullCoverage: 0.95 });

/** What the gate decided, and why. */
export interface GateDecision {
  /** Calibrated probability that the best sentence answers the question. */
  readonly probability: number;
  /** The logit behind it. */
  readonly score: number;
  readonly features: GateFeatures;
  readonly signals: EvidenceSignals;
  /** Null: answer. Otherwise why not. */
  readonly reason: AbstentionReason | null;
}

/** What the gate reads: the analysed question, its term groups, and every candidate sentence ranked best first. */
export interface GateInput {
  readonly analysis: QuestionAnalysis;
  readonly groups: readonly TermGroup[];
  readonly ranked: readonly ScoredSentence[];
}

/** The gate's features for the best of `ranked`. */
export function gateFeatures(input: GateInput, limits: GateLimits = DEFAULT_GATE_LIMITS): { features: GateFeatures; signals: EvidenceSignals } {
  const { analysis, ranked } = input;
  const best = ranked[0]!;
  const { signals } = assessEvidence(input);
  const near = [best.sentence, ...(best.neighbours ?? [])];
  const hasTerm = (term: string) => best.matchedTerms.has(term) || near.some((s) => s.tokens.some((t) => t.term === term));
  let otherYear = 0;
  let anchorMissingWeakCoverage = 0;
  for (const anchor of analysis.terms) {
    if (!anchor.isAnchor || hasTerm(anchor.term)) continue;
    // Evidence about another year ("…in 2019?" against "…in 2023") is about a different event.
    if (YEAR.test(anchor.text) && near.some((s) => s.tokens.some((t) => YEAR.test(t.text)))) otherYear = 1;
    if (best.contextCoverage < limits.anchorCoverage) anchorMissingWeakCoverage = 1;
  }
  // Names the question introduces with a preposition narrow what it asks about: "How many officers from Fiji…?".
  const words = splitWords(analysis.question);
  // …mentioned elsewhere, but not in the evidence's own passage: a passage that names it ("Canada: … Chen …") sets the
  // scene for its sentences.
  const inOwnPassage = (term: string) => ranked.some((s) => s.passageRank === best.passageRank && s.matchedTerms.has(term));
  const elsewhere = (term: string) => !inOwnPassage(term) && ranked.some((s) => s !== best && s.matchedTerms.has(term));
  let scopeMissing = 0;
  words.forEach((w, i) => {
    const anchor = analysis.terms.find((t) => t.isAnchor && t.text === w.text && !YEAR.test(t.text));
    if (anchor && i > 0 && SCOPE_PREPOSITIONS.has(words[i - 1]!.text.toLowerCase()) && !hasTerm(anchor.term) && elsewhere(anchor.term)) scopeMissing = 1;
  });
  // "How many…?" / "When…?" with no number or date near the evidence: the figure asked for is not there. Unless the
  // sentence holds every term of the question: then it is the one the question was written from, and the figure is
  // one wink does not tag ("twice", "at the end of World War I").
  const figureMissing = classOfKind(analysis.expected) === 'figure' && (best.best?.typeFit ?? 0) < limits.minTypedFit && best.coverage < limits.fullCoverage ? 1 : 0;
  const runnerUp = ranked[1]?.score ?? 0;
  const features: GateFeatures = {
    coverage: signals.coverage,
    contextCoverage: signals.contextCoverage,
    anchorMissing: signals.anchorMissing,
    anchorElsewhere: signals.anchorElsewhere,
    focusMissing: signals.focusMissing,
    predicateMissing: signals.predicateMissing,
    relationCoverage: signals.relationCoverage,
    relationMissing: Math.min(1, signals.relationMissing / 3),
    nameAwayFromFocus: signals.nameAwayFromFocus,
    detachedAnswer: signals.detachedAnswer,
    personFocusUnmet: signals.personFocusUnmet,
    typeFit: signals.typeFit,
    typed: signals.typed,
    candidateScore: Math.min(1, Math.max(0, signals.candidateScore / 5)),
    otherYear,
    anchorMissingWeakCoverage,
    figureMissing,
    scopeMissing,
    sentenceScore: Math.min(1, Math.max(0, best.score / 2)),
    leadOverRunnerUp: best.score > 0 ? Math.min(1, Math.max(0, (best.score - runnerUp) / best.score)) : 0,
  };
  return { features, signals };
}

/**
 * The one place that decides whether the documents answer the question: the calibrated probability of the gate's
 * logistic model, compared with its threshold. When it says no, the reason is that of the feature that cost the
 * most against a typical right answer (see {@link penalties}).
 */
export function decideEvidence(input: GateInput, model: GateModel, limits: GateLimits = DEFAULT_GATE_LIMITS): GateDecision {
  const { features, signals } = gateFeatures(input, limits);
  const score = combine(features, model);
  const probability = logistic(score);
  let reason: AbstentionReason | null = null;
  if (probability < model.threshold) {
    let worst: GateFeature = 'contextCoverage';
    let cost = -Infinity;
    for (const [feature, penalty] of penalties(features, model, model.reference)) {
      if (penalty > cost) {
        cost = penalty;
        worst = feature;
      }
    }
    reason = REASON_OF[worst];
  }
  return { probability, score, features, signals, reason };
}
