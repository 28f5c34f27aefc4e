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

/** What an answerer produces from retrieved passages. */
export interface Answer {
  /** The answer text with `[n]` markers; only source text plus fixed connecting words. */
  readonly answer: string;
  /** The number, date, name or phrase that answers the question, when one was found. */
  readonly shortAnswer: string | null;
  /** True when the documents do not support an answer. */
  readonly abstained: boolean;
  readonly citations: readonly Citation[];
}

/** The public result of `ask --json`, `POST /api/ask` and the WebSocket `done` frame. */
export interface AskResult extends Answer {
  readonly id?: string;
  readonly question: string;
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
