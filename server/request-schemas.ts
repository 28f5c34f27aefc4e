import { z } from 'zod';
import { historySchema, questionSchema } from '../retrieval/ask-input.js';
import { feedbackReportSchema } from '../retrieval/feedback/feedback-entry.js';

/** Longest ask id accepted on the WebSocket; ids are only echoed, never interpreted. */
export const MAX_ASK_ID_CHARS = 128;

/** Body of `POST /api/ask`; unknown fields are ignored. */
export const askBodySchema = z.object({
  question: questionSchema.describe('The question: non-blank, at most 2000 characters.'),
  history: historySchema.optional().describe('Earlier turns, oldest first, for follow-up questions.'),
  /** Attach the answer's trace (features, weights, scores). */
  explain: z.boolean().optional().describe("Attach the answer's trace (features, weights and scores behind it)."),
});

/** Most citations `POST /api/suggestions/follow-ups` reads: an answer cites a handful. */
export const MAX_FOLLOW_UP_CITATIONS = 20;

const spanOffset = z.int().min(0);

/**
 * Body of `POST /api/suggestions/follow-ups`: the question just answered, the conversation before it and the answer's
 * citations; unknown fields (a citation's `quote`, `n`) are ignored. A citation of an unknown document or outside its
 * text is skipped, not refused: the documents may have changed since the answer.
 */
export const followUpsBodySchema = z.object({
  question: questionSchema.describe('The question just answered: non-blank, at most 2000 characters.'),
  history: historySchema.optional().describe('Earlier turns, oldest first; their questions are not suggested again.'),
  citations: z
    .array(z.object({ docId: z.string().min(1), start: spanOffset, end: spanOffset }))
    .max(MAX_FOLLOW_UP_CITATIONS, `at most ${MAX_FOLLOW_UP_CITATIONS} citations`)
    .describe("The answer's citations, as `POST /api/ask` returned them."),
});

/**
 * Body of `POST /api/feedback`: a reader's verdict on one answer, with the exchange it is about; unknown fields are
 * ignored. The stored line is built from it (`retrieval/feedback/feedback-entry.ts`).
 */
export const feedbackBodySchema = feedbackReportSchema;

/** Most passages `GET /api/search` returns. */
export const MAX_SEARCH_K = 100;

/**
 * `k` as it arrives in the query: a whole number from 1 to {@link MAX_SEARCH_K}, as one pattern so the OpenAPI
 * description says exactly what is accepted. `[0-9]`, not `\d`: other languages' `\d` (Python's) matches every
 * Unicode digit, and clients would generate values the server refuses.
 */
// eslint-disable-next-line regexp/prefer-d -- see above: the pattern is read by other regex engines too
const SEARCH_K = /^(?:[1-9][0-9]?|100)$/;

/** Query of `GET /api/search`: `q` is required, `k` defaults to the configured top-k. */
export function searchQuerySchema(defaultK: number) {
  return z.object({
    q: questionSchema.describe('What to search for: non-blank, at most 2000 characters.'),
    k: z
      .string()
      .regex(SEARCH_K, `k must be a whole number from 1 to ${MAX_SEARCH_K}`)
      .optional()
      .describe(`How many passages: 1–${MAX_SEARCH_K}, default ${defaultK} (TOP_K).`)
      .transform((k) => (k === undefined ? defaultK : Number(k))),
  });
}

/** Path parameters of `GET /api/documents/:id`: the id as listed by `GET /api/documents`, percent-decoded. */
export const documentParamsSchema = z.object({ id: z.string().min(1).describe('A document id from GET /api/documents, percent-encoded.') });

/** Path parameters of `GET /api/uploads/:id`: the id `POST /api/documents` gave. */
export const uploadParamsSchema = z.object({ id: z.string().min(1).describe("An upload id from POST /api/documents; only ever a key into the server's map of uploads.") });

/** Path parameters of `GET /v1/models/:id`. */
export const modelParamsSchema = z.object({ id: z.string().min(1).describe('A model id from GET /v1/models.') });

const askIdSchema = z.string().min(1, 'id is empty').max(MAX_ASK_ID_CHARS, `id is longer than ${MAX_ASK_ID_CHARS} characters`);

/** Every frame a WebSocket client may send (see `ClientFrame` in protocol.ts). */
export const clientFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ask'), id: askIdSchema, question: questionSchema, history: historySchema.optional(), explain: z.boolean().optional() }),
  z.object({ type: z.literal('cancel'), id: askIdSchema }),
]);
