/** The answering capability: the port and the offline extractive answerer. */
export type { AnswerRequest, Answerer } from './answerer.js';
export { createExtractiveAnswerer, NO_ANSWER_TEXT, type ExtractiveAnswererOptions } from './extractive-answerer.js';
export { DEFAULT_CONFIDENCE_WEIGHTS, type ConfidenceWeights, type EvidenceAssessment, type EvidenceSignals } from './evidence-confidence.js';
export { createNlpTools, type NlpTools } from './nlp.js';
export { analyzeQuestion, type AnswerKind, type QuestionAnalysis, type QuestionType } from './question-analysis.js';
export { DEFAULT_SCORING_WEIGHTS, type SentenceScoringWeights } from './sentence-scoring.js';
export { DEFAULT_CANDIDATE_WEIGHTS, type CandidateWeights } from './short-answer.js';
