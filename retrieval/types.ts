/**
 * The data that flows through Verbatim, from documents to cited answers.
 * Every offset is a JavaScript string index into a document's `text`.
 */

/** A document as the index keeps it: `text` is exactly what every offset indexes into. */
export interface SourceDocument {
  /** Path relative to the corpus folder, with `/` separators. */
  readonly id: string;
  /** First heading or first line, for display. */
  readonly title: string;
  /** The text offsets point into (for HTML: its visible text). */
  readonly text: string;
  /** sha256 of the file's bytes; drives incremental ingest. */
  readonly hash: string;
}

/** A contiguous span of one document; `text === document.text.slice(start, end)`. */
export interface Chunk {
  /** Stable id: `${docId}#${start}-${end}`. */
  readonly id: string;
  readonly docId: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** The nearest heading above or at the chunk start, if any. */
  readonly heading: string | null;
}

/** Per-signal evidence for why a passage was retrieved. */
export interface PassageScores {
  /** BM25 score from the lexical index, when it matched. */
  readonly bm25?: number;
  /** 1-based rank in the lexical list. */
  readonly bm25Rank?: number;
  /** Cosine similarity from the vector index, when it matched. */
  readonly vector?: number;
  /** 1-based rank in the vector list. */
  readonly vectorRank?: number;
  /** Reciprocal rank fusion score. */
  readonly rrf: number;
}

/** A retrieved chunk with its fused score. */
export interface Passage extends Chunk {
  readonly score: number;
  readonly scores: PassageScores;
}

/** A checkable claim source: `quote === documentText.slice(start, end)`. */
export interface Citation {
  /** The marker number used in the answer text, `[n]`. */
  readonly n: number;
  readonly docId: string;
  readonly start: number;
  readonly end: number;
  readonly quote: string;
}

/** One earlier turn of a conversation. */
export interface ChatTurn {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

/** How retrieval runs: with vectors and BM25, or BM25 alone. */
export type RetrievalMode = 'hybrid' | 'lexical';

/**
 * Why an answerer abstained, decided in one place (the evidence gate):
 * - `NO_QUESTION_TERMS`: the question has no word to look for ("What is it?" with no conversation to resolve "it").
 * - `NO_MATCHING_PASSAGE`: no retrieved sentence shares a word with the question.
 * - `WEAK_EVIDENCE`: the best sentence shares too little of the question to be answering it.
 * - `MISSING_KEY_TERM`: a name or figure the question insists on ("in 2019", "JIBC") is not in or next to the evidence.
 * - `SCOPE_MISMATCH`: the question asks about a part the evidence does not mention, while the documents mention that
 *   part elsewhere ("How many officers from Fiji…?" against "China had trained 2,700 officers…"), or about another year.
 * - `SUBJECT_MISMATCH`: the evidence is about the question's subject but states another fact about it.
 * - `NO_ANSWER_OF_TYPE`: a "how many" or "when" question with no number or date in the evidence.
 */
export const ABSTENTION_REASONS = ['NO_QUESTION_TERMS', 'NO_MATCHING_PASSAGE', 'WEAK_EVIDENCE', 'MISSING_KEY_TERM', 'SCOPE_MISMATCH', 'SUBJECT_MISMATCH', 'NO_ANSWER_OF_TYPE'] as const;

/** One of {@link ABSTENTION_REASONS}. */
export type AbstentionReason = (typeof ABSTENTION_REASONS)[number];

/**
 * Calibrated probabilities, 0–1: of the answers given with confidence c, about c are right (measured on held-out
 * questions; see the README's "Confidence" section).
 */
export interface AnswerConfidence {
  /** That the quoted sentences hold the answer. Also set on abstentions: the gate's score that was below its threshold. */
  readonly answer: number;
  /** That `shortAnswer` is the answer (0 when there is none). */
  readonly shortAnswer: number;
}

/** What an answerer produces from retrieved passages. */
export interface Answer {
  /** The answer text with `[n]` markers; only source text plus fixed connecting words. */
  readonly answer: string;
  /** The number, date, name or phrase that best answers the question, when one was found (shown only when confident). */
  readonly shortAnswer: string | null;
  /** True when the documents do not support an answer. */
  readonly abstained: boolean;
  readonly citations: readonly Citation[];
  readonly confidence: AnswerConfidence;
  /** `confidence.shortAnswer` reached the configured threshold: show the short answer as the answer; otherwise lead with the quote. */
  readonly shortAnswerConfident: boolean;
  /** Why it abstained; null when it answered. */
  readonly abstentionReason: AbstentionReason | null;
  /** How the answer was reached (features and weights of each ranked list and of the gate), when the request asked for it. */
  readonly trace?: AnswerTrace;
}

/** Named feature values and the weighted score they combined into. */
export interface FeatureTrace {
  readonly features: Readonly<Record<string, number>>;
  /** The combined score (a logit for fitted models). */
  readonly score: number;
}

/** The explanation of one extractive answer, for the eval's per-question view and for fitting weights. */
export interface AnswerTrace {
  /** The gate's features, its probability and the reason it gave (null: answered). */
  readonly gate: FeatureTrace & { readonly probability: number; readonly reason: AbstentionReason | null };
  /** The top-ranked evidence sentences, best first. */
  readonly sentences: readonly (FeatureTrace & { readonly docId: string; readonly start: number; readonly end: number; readonly text: string })[];
  /** Short-answer candidates of the quoted sentences, best first, with the choice model's probability that each is right. */
  readonly shortAnswers: readonly (FeatureTrace & { readonly text: string; readonly start: number; readonly end: number; readonly probability: number })[];
  /** The confidence model's features and probability for the chosen short answer (`confidence.shortAnswer`). */
  readonly shortAnswerConfidence?: FeatureTrace & { readonly probability: number };
}

/** The public result of `ask --json`, `POST /api/ask` and the WebSocket `done` frame. */
export interface AskResult extends Answer {
  readonly id?: string;
  readonly question: string;
  /** What retrieval searched with: the question, or a follow-up rewritten against the conversation. */
  readonly retrievalQuery: string;
  /** Retrieved passages, best first. */
  readonly passages: readonly {
    readonly docId: string;
    readonly start: number;
    readonly end: number;
    readonly score: number;
    readonly heading: string | null;
    readonly text: string;
    readonly scores: PassageScores;
  }[];
  readonly mode: RetrievalMode;
  readonly timingsMs: { readonly total: number; readonly retrieve: number; readonly answer: number };
}
