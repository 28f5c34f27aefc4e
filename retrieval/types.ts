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
  /**
   * Headings the file itself marks (DOCX heading styles, PDF lines set larger than the body text), in order. When
   * present, chunks take their heading from these instead of guessing from the text's lines.
   */
  readonly headings?: readonly DocumentHeading[];
  /** PDFs only: every page's range of `text` and where each text item lies on it (see `corpus/page-map.ts`). */
  readonly pages?: readonly DocumentPage[];
}

/** A heading of a document; `text === documentText.slice(start, end)`. */
export interface DocumentHeading {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * A text item's place: `[start, end, x, y, width, height]`, its range of the document text and its rectangle on the
 * page in PDF points, origin at the page's top left, y growing downwards (the page as displayed at scale 1). A tuple
 * rather than an object because a long PDF has hundreds of thousands and every one is stored with the index.
 */
export type TextBox = readonly [start: number, end: number, x: number, y: number, width: number, height: number];

/** One page of a PDF: `documentText.slice(start, end)` is its text. */
export interface DocumentPage {
  /** 1-based page number, as a PDF viewer counts. */
  readonly number: number;
  readonly start: number;
  readonly end: number;
  /** Page size in PDF points (1/72 inch), as displayed (rotation applied). */
  readonly width: number;
  readonly height: number;
  /** The page's text items in text order (increasing `start`); the separators added between them are in none. */
  readonly boxes: readonly TextBox[];
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
  /** PDFs only: the page the quote starts on (1-based). */
  readonly page?: number;
  /** PDFs only: every page the quote touches, in order (more than one when it runs across a page break). */
  readonly pages?: readonly number[];
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
 * - `GENERATOR_ABSTAINED`: generative answers only: the language model replied that the passages do not answer.
 */
export const ABSTENTION_REASONS = ['NO_QUESTION_TERMS', 'NO_MATCHING_PASSAGE', 'WEAK_EVIDENCE', 'MISSING_KEY_TERM', 'SCOPE_MISMATCH', 'SUBJECT_MISMATCH', 'NO_ANSWER_OF_TYPE', 'GENERATOR_ABSTAINED'] as const;

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
  /** Generative answers only: what the model wrote, sentence by sentence, and how each sentence was checked. */
  readonly generation?: GenerationReport;
}

/**
 * How a generated sentence fared against its sources:
 * - `verified`: a span of the cited passage(s) holds its words and every number, date and name in it; that span is its
 *   citation. Failing that, a span of another passage given that does so (then `attributed`).
 * - `unsupported`: it cites a given passage, but no span of any passage given holds the sentence.
 * - `uncited`: it names no passage that was given, and no passage given holds it.
 */
export type SentenceStatus = 'verified' | 'unsupported' | 'uncited';

/** One sentence of a generated answer, judged. */
export interface GeneratedSentence {
  /** Position in the model's reply, from 0. */
  readonly index: number;
  /** The sentence as the model wrote it, its `[n]` markers removed. */
  readonly text: string;
  /** Exactly what the model wrote for it, markers included (a stretch of the streamed tokens). */
  readonly written: string;
  readonly status: SentenceStatus;
  /** Verified sentences: the citation of the span that supports it (its `n` is the result's marker). Empty otherwise. */
  readonly citations: readonly Citation[];
  /** Passage numbers the model cited that were given. */
  readonly cited: readonly number[];
  /** Passage numbers the model cited that were not given: removed and counted. */
  readonly removedMarkers: readonly number[];
  /** Numbers, dates and names of the sentence that the best span of its cited passages does not contain. */
  readonly missing: readonly string[];
  /** Numbers, dates and names of the sentence found in none of the passages given: invented, not just misattributed. */
  readonly invented: readonly string[];
  /** How many numbers, dates and names the sentence has (the denominator of the invented-entity rate). */
  readonly facts: number;
  /**
   * Verified against a passage the model did not cite (it cited none, or one that does not hold the sentence):
   * the citation was found by Verbatim, under the same rule. The model's own markers are in `cited`.
   */
  readonly attributed: boolean;
  /** Why it is not verified, in words a reader can check; null when verified. */
  readonly reason: string | null;
}

/** What a generative answerer did: the model, the prompt, each sentence's verdict and the totals. */
export interface GenerationReport {
  /** The generator's id (`local:smollm2-135m-instruct:b179c952`, `openai-compatible:MODEL@URL`). */
  readonly generator: string;
  /** Version of the prompt the model was given (`prompts/`). */
  readonly promptVersion: string;
  /** Every sentence of the reply, in order. */
  readonly sentences: readonly GeneratedSentence[];
  readonly totals: { readonly verified: number; readonly unsupported: number; readonly uncited: number; readonly removedMarkers: number };
  /**
   * Set when the answer shown is the extractive one instead of the model's: the generator failed
   * (`GENERATOR_MISSING`, `GENERATOR_UNREACHABLE`, `GENERATOR_TIMEOUT`, `GENERATOR_FAILED`) or no sentence of its reply
   * could be verified (`NOTHING_VERIFIED`), with a message saying what happened and what to do.
   */
  readonly fallback: { readonly code: string; readonly message: string } | null;
  /** The model's reply stopped at the time or token limit: sentences after the cut are missing. */
  readonly truncated: boolean;
  /** Text pieces (about tokens) the model sent. */
  readonly tokens: number;
  /** From sending the prompt to the first piece of the reply; null when none came. */
  readonly timeToFirstTokenMs: number | null;
  /** From sending the prompt to the end of the reply. */
  readonly generationMs: number;
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
  /** Set when a language model rewrote the follow-up into `retrievalQuery` (generative answers): the prompt's version. */
  readonly rewrite?: { readonly promptVersion: string };
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
