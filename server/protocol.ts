/**
 * The wire format of the HTTP API and the WebSocket protocol. The chat page imports this file too, so
 * it holds types and plain constants only: nothing that pulls in Node or a library.
 */
import type { UploadStatus } from '../retrieval/library/document-library.js';
import type { AnswerWorkerStats, AskEvent, DocumentSummary, PipelineStatus } from '../retrieval/pipeline.js';
import type { FeedbackReport } from '../retrieval/feedback/feedback-entry.js';
import type { ChatTurn, DocumentPage, PassageScores } from '../retrieval/types.js';
import type { DeepReadonly } from './schema-types.js';

/** Longest question the server accepts, in UTF-16 code units (`String.length`): the chat page counts against it. */
export { MAX_QUESTION_CHARS } from '../retrieval/ask-limits.js';

/** Path of the WebSocket endpoint. */
export const WS_PATH = '/ws';
/** WebSocket subprotocol of this protocol version; clients offer it and the server selects it. */
export const WS_PROTOCOL = 'verbatim.v1';
/** Prefix of the subprotocol that carries the access token (browsers cannot set headers on a WebSocket). */
export const WS_TOKEN_PROTOCOL_PREFIX = 'verbatim.token.';

/** Body of every error response and the fields of every `error` frame. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** `GET /api/health`. */
export interface HealthResponse extends PipelineStatus {
  readonly status: 'ok';
  /** The answering worker threads, when the server answers in a pool (as `npm start` does). */
  readonly workers?: AnswerWorkerStats;
}

/** One ranked passage of `GET /api/search`. */
export interface SearchPassage {
  /** Chunk id, `${docId}#${start}-${end}`. */
  readonly id: string;
  readonly docId: string;
  readonly start: number;
  readonly end: number;
  readonly heading: string | null;
  readonly text: string;
  readonly score: number;
  readonly scores: PassageScores;
}

/** `GET /api/search?q=&k=`. */
export interface SearchResponse {
  readonly query: string;
  readonly k: number;
  readonly passages: readonly SearchPassage[];
}

/** `GET /api/documents`. */
export interface DocumentListResponse {
  readonly documents: readonly DocumentSummary[];
}

/** One starter question of `GET /api/suggestions`. */
export interface SuggestedQuestion {
  readonly question: string;
  /** The document it is about; its answer cites it. */
  readonly docId: string;
}

/** `GET /api/suggestions`: questions derived from the corpus that its documents answer, best first. */
export interface SuggestionsResponse {
  readonly suggestions: readonly SuggestedQuestion[];
}

/** The body of `POST /api/suggestions/follow-ups` (validated by `followUpsBodySchema`). */
export interface FollowUpsRequest {
  readonly question: string;
  readonly history?: readonly ChatTurn[];
  readonly citations: readonly { readonly docId: string; readonly start: number; readonly end: number }[];
}

/** `POST /api/suggestions/follow-ups`: questions about what an answer cites, that the documents answer, best first. */
export interface FollowUpsResponse {
  readonly suggestions: readonly SuggestedQuestion[];
}

/** `GET /api/documents/:id`: `text` is exactly what citation offsets index into. */
export interface DocumentResponse {
  readonly id: string;
  readonly title: string;
  readonly text: string;
  /** PDFs only: each page's range of `text` and its text items' boxes, in PDF points (`retrieval/types.ts`). */
  readonly pages?: readonly DocumentPage[];
}

/** `POST /api/feedback`: a reader's verdict on one answer (`retrieval/feedback/feedback-entry.ts`). */
export type FeedbackRequest = DeepReadonly<FeedbackReport>;

/** `POST /api/feedback` answered 201: the verdict is stored. */
export interface FeedbackReceipt {
  readonly id: string;
  readonly receivedAt: string;
}

export type { UploadState } from '../retrieval/library/document-library.js';

/** One uploaded file, as `POST /api/documents` and `GET /api/uploads/:id` report it. */
export interface UploadStatusResponse extends UploadStatus {
  /** Where to poll its state: `GET /api/uploads/:id`. */
  readonly statusUrl: string;
}

/** `POST /api/documents`: one entry per file sent, in order. */
export interface UploadsResponse {
  readonly uploads: readonly UploadStatusResponse[];
}

/** `DELETE /api/documents/:id`, once the index without the document serves. */
export interface DocumentRemovedResponse {
  readonly id: string;
  readonly removed: true;
  /** Documents in the index now. */
  readonly documents: number;
}

/** Client → server: start answering `question`; `id` names the ask in every frame about it. */
export interface AskFrame {
  readonly type: 'ask';
  readonly id: string;
  readonly question: string;
  readonly history?: readonly { readonly role: 'user' | 'assistant'; readonly content: string }[];
  /** Attach the answer's trace (features, weights and scores behind it) to the `done` result. */
  readonly explain?: boolean;
}

/** Client → server: stop the ask `id`; the server answers with an `error` frame of code `ABORTED`. */
export interface CancelFrame {
  readonly type: 'cancel';
  readonly id: string;
}

/** Every frame a client may send. */
export type ClientFrame = AskFrame | CancelFrame;

/** A streamed answer's event (`passages`, `token`, `verification`, `citation`, `done`) as sent: the pipeline's event plus the ask's `id`. */
export type AskEventFrame = AskEvent & { readonly id: string };

/**
 * Every frame the server sends; for one ask: `passages`, then `token`/`citation` (and, for a generated answer, draft
 * `token`s with a `verification` after each sentence), then `done` or `error`.
 */
export type ServerFrame =
  | AskEventFrame
  /** `id` is null when the frame could not be tied to an ask (malformed JSON, oversize frame). */
  | { readonly type: 'error'; readonly id: string | null; readonly code: string; readonly message: string };
