/**
 * The JSON bodies the HTTP API sends, as zod schemas: the OpenAPI description is generated from them, the tests
 * validate real responses with them, and `wire-type-checks.ts` proves at compile time that they describe exactly
 * the TypeScript types the server builds its responses from (`protocol.ts`, `retrieval/types.ts`). The chat page
 * imports those types, not these schemas, so it never bundles zod.
 *
 * Schemas with a `meta({ id })` become named components of the OpenAPI description.
 */
import { z } from 'zod';
import { ABSTENTION_REASONS } from '../retrieval/types.js';

/** A string index into a document's text. */
const offset = z.int().min(0);
/** A count. */
const count = z.int().min(0);
/** A calibrated probability. */
const probability = z.number().min(0).max(1);

/** An error code: upper-case words joined by `_`. */
const errorCode = z.string().regex(/^[A-Z][A-Z0-9_]*$/);

/** `{ error: { code, message } }`, every error of `/api`. */
export const errorBodySchema = z
  .object({ error: z.object({ code: errorCode, message: z.string().min(1).describe('What went wrong and what to do about it.') }) })
  .meta({ id: 'Error', description: 'Every error of /api: a stable code and a message a user can act on.' });

/** The error body of one response, its `code` one of `codes`: the OpenAPI description lists them per status. */
export function errorBodyWithCodes(codes: readonly [string, ...string[]]) {
  return z.object({ error: z.object({ code: z.enum(codes), message: z.string().min(1).describe('What went wrong and what to do about it.') }) });
}

/** `RetrievalMode`. */
export const retrievalModeSchema = z.enum(['hybrid', 'lexical']).describe('hybrid: BM25 and vector search, fused; lexical: BM25 alone.');

/** `AbstentionReason`. */
export const abstentionReasonSchema = z.enum(ABSTENTION_REASONS).describe('Why the answerer abstained (see retrieval/types.ts).');

/** `PassageScores`. */
export const passageScoresSchema = z
  .object({
    bm25: z.number().optional().describe('BM25 score, when the lexical index matched.'),
    bm25Rank: z.int().min(1).optional().describe('1-based rank in the lexical list.'),
    vector: z.number().optional().describe('Cosine similarity, when the vector index matched.'),
    vectorRank: z.int().min(1).optional().describe('1-based rank in the vector list.'),
    rrf: z.number().describe('Reciprocal rank fusion score.'),
  })
  .meta({ id: 'PassageScores', description: "Each retrieval signal's score and rank." });

/** `Citation`. */
export const citationSchema = z
  .object({
    n: z.int().min(1).describe('The marker number in the answer, [n].'),
    docId: z.string(),
    start: offset,
    end: offset,
    quote: z.string().describe('Exactly text.slice(start, end) of GET /api/documents/{docId}.'),
    page: z.int().min(1).optional().describe('PDFs only: the page (1-based) the quote starts on.'),
    pages: z.array(z.int().min(1)).optional().describe('PDFs only: every page the quote touches, in order; more than one when it runs across a page break.'),
  })
  .meta({ id: 'Citation', description: 'A checkable claim source: quote === documentText.slice(start, end).' });

/** `AnswerConfidence`. */
export const answerConfidenceSchema = z
  .object({
    answer: probability.describe('That the quoted sentences hold the answer (on an abstention: the score that fell short).'),
    shortAnswer: probability.describe('That shortAnswer is the answer (0 when there is none).'),
  })
  .meta({ id: 'AnswerConfidence', description: 'Calibrated probabilities: of answers given with confidence c, about c are right.' });

const featureTrace = { features: z.record(z.string(), z.number()), score: z.number() };

/** `AnswerTrace`, sent when an ask has `explain: true`. */
export const answerTraceSchema = z
  .object({
    gate: z.object({ ...featureTrace, probability, reason: abstentionReasonSchema.nullable() }),
    sentences: z.array(z.object({ ...featureTrace, docId: z.string(), start: offset, end: offset, text: z.string() })),
    shortAnswers: z.array(z.object({ ...featureTrace, text: z.string(), start: offset, end: offset, probability })),
    shortAnswerConfidence: z.object({ ...featureTrace, probability }).optional(),
  })
  .meta({ id: 'AnswerTrace', description: "How the answer was reached; its feature names follow the answerer's weights and may change between versions." });

/** `GeneratedSentence`. */
export const generatedSentenceSchema = z
  .object({
    index: z.int().min(0),
    text: z.string().describe('The sentence as the model wrote it, its [n] markers removed.'),
    written: z.string().describe('Exactly what the model wrote for it, markers included.'),
    status: z.enum(['verified', 'unsupported', 'uncited']),
    citations: z.array(citationSchema).describe('Verified sentences: the span of the cited passages that supports it.'),
    cited: z.array(z.int().min(1)).describe('Passage numbers the model cited that were given.'),
    removedMarkers: z.array(z.int().min(0)).describe('Passage numbers the model cited that were not given.'),
    missing: z.array(z.string()).describe('Numbers, dates and names of the sentence not found in its best supporting span.'),
    invented: z.array(z.string()).describe('Numbers, dates and names of the sentence found in none of the passages given.'),
    facts: count.describe('How many numbers, dates and names the sentence has.'),
    attributed: z.boolean().describe('Verified against a passage the model did not cite; the citation was found by Verbatim.'),
    reason: z.string().nullable(),
  })
  .meta({ id: 'GeneratedSentence', description: 'One sentence of a generated answer and how it was checked against its sources.' });

/** `GenerationReport`, on answers of the generative answerer. */
export const generationReportSchema = z
  .object({
    generator: z.string(),
    promptVersion: z.string(),
    sentences: z.array(generatedSentenceSchema),
    totals: z.object({ verified: count, unsupported: count, uncited: count, removedMarkers: count }),
    fallback: z.object({ code: errorCode, message: z.string().min(1) }).nullable().describe('Set when the answer shown is the extractive one instead.'),
    truncated: z.boolean(),
    tokens: count,
    timeToFirstTokenMs: z.number().min(0).nullable(),
    generationMs: z.number().min(0),
  })
  .meta({ id: 'GenerationReport', description: 'What the language model wrote, sentence by sentence, and how each sentence was checked.' });

/** One passage of an `AskResult`. */
export const askPassageSchema = z
  .object({ docId: z.string(), start: offset, end: offset, score: z.number(), heading: z.string().nullable(), text: z.string(), scores: passageScoresSchema })
  .meta({ id: 'AskPassage', description: 'A retrieved passage: text === documentText.slice(start, end).' });

/** `POST /api/ask`: `AskResult`. */
export const askResultSchema = z
  .object({
    id: z.string().optional().describe('The ask id, echoed on the WebSocket; never set over HTTP.'),
    question: z.string(),
    retrievalQuery: z.string().describe('What retrieval searched with: the question, or a follow-up read against the history.'),
    rewrite: z.object({ promptVersion: z.string() }).optional().describe('Set when a language model rewrote the follow-up into retrievalQuery.'),
    answer: z.string().describe('Source sentences with [n] markers, or "The documents don\'t say."'),
    shortAnswer: z.string().nullable(),
    shortAnswerConfident: z.boolean(),
    confidence: answerConfidenceSchema,
    abstained: z.boolean(),
    abstentionReason: abstentionReasonSchema.nullable(),
    citations: z.array(citationSchema),
    trace: answerTraceSchema.optional().describe('Only when the request asked for it with explain: true.'),
    generation: generationReportSchema.optional().describe('Generative answers (ANSWERER=generative) only.'),
    passages: z.array(askPassageSchema).describe('Best first.'),
    mode: retrievalModeSchema,
    timingsMs: z.object({ total: z.number().min(0), retrieve: z.number().min(0), answer: z.number().min(0) }),
  })
  .meta({ id: 'AskResult', description: 'An answer with its citations: the same object as `npm run ask -- --json` and the WebSocket done frame.' });

/** `GET /api/health`: `HealthResponse`. */
export const healthResponseSchema = z
  .object({
    status: z.literal('ok'),
    mode: retrievalModeSchema,
    lexicalReason: z.string().nullable().describe('Why retrieval is lexical only, when it is.'),
    embedder: z.string().nullable(),
    model: z
      .object({
        modelId: z.string(),
        dtype: z.enum(['fp32', 'q8']),
        pooling: z.enum(['mean', 'cls']),
        dimension: z.int().min(1),
        onnxSha256: z.string().regex(/^[0-9a-f]{64}$/),
        source: z.string(),
      })
      .nullable()
      .describe('The embedding model in hybrid mode.'),
    answerer: z.string(),
    generator: z
      .object({
        id: z.string(),
        kind: z.enum(['local', 'openai-compatible']),
        model: z.string(),
        contextTokens: z.int().min(1),
        problem: z.string().nullable().describe('Why the generator cannot be used now (answers fall back to quoting), or null.'),
      })
      .nullable()
      .describe('The language model of ANSWERER=generative, or null for the extractive answerer.'),
    documents: count,
    chunks: count,
    indexBuiltAt: z.iso.datetime(),
    workers: z
      .object({
        threads: count.describe('Answering threads running now.'),
        queued: count.describe('Tasks waiting for a free worker.'),
        terminated: count.describe('Tasks stopped by force at their deadline or on cancel.'),
        inFlight: count.describe('Tasks whose work has not ended, queued ones included.'),
      })
      .optional()
      .describe('The answering worker threads, when the server answers in a pool (as npm start does).'),
  })
  .meta({ id: 'Health' });

/** `GET /api/search`: `SearchResponse`. */
export const searchResponseSchema = z
  .object({
    query: z.string(),
    k: z.int().min(1),
    passages: z
      .array(
        z.object({
          id: z.string().describe('Chunk id, `${docId}#${start}-${end}`.'),
          docId: z.string(),
          start: offset,
          end: offset,
          heading: z.string().nullable(),
          text: z.string(),
          score: z.number(),
          scores: passageScoresSchema,
        }),
      )
      .describe('Best first, at most k.'),
  })
  .meta({ id: 'SearchResult' });

/** `GET /api/documents`: `DocumentListResponse`. */
export const documentListResponseSchema = z
  .object({
    documents: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        length: count.describe('Length of the text, in UTF-16 code units.'),
        chunks: count,
        pages: z.int().min(1).nullable().describe('PDFs: how many pages it has; null for other documents.'),
        bytes: count.nullable().describe('The size of its file in bytes; null when an index built before this was recorded never stamped the file (re-index to fill it in).'),
        addedAt: z.iso
          .datetime()
          .nullable()
          .describe('When the document was first indexed (ISO 8601). A file changed in place keeps its first time; a new or renamed file gets the time of the ingest that found it. Null for documents first indexed before this was recorded.'),
      }),
    ),
  })
  .meta({ id: 'DocumentList' });

/** `GET /api/suggestions`: `SuggestionsResponse`. */
export const suggestionsResponseSchema = z
  .object({
    suggestions: z
      .array(z.object({ question: z.string().min(1), docId: z.string().describe('The document the question is about; its answer cites it.') }))
      .describe('Best first; empty when no candidate is answered.'),
  })
  .meta({ id: 'Suggestions' });

/** `POST /api/suggestions/follow-ups`: `FollowUpsResponse`. */
export const followUpsResponseSchema = z
  .object({
    suggestions: z
      .array(z.object({ question: z.string().min(1), docId: z.string().describe('The document the question is about; its answer cites it.') }))
      .max(3)
      .describe('At most three, best first; empty when no candidate near the cited spans is answered with something new.'),
  })
  .meta({ id: 'FollowUps' });

/** `GET /api/documents/{id}`: `DocumentResponse`. */
export const documentResponseSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    text: z.string().describe('Exactly what every offset indexes into.'),
    pages: z
      .array(
        z.object({
          number: z.number().int().min(1).describe('1-based page number, as a PDF viewer counts.'),
          start: offset,
          end: offset,
          width: z.number().describe('Page width in PDF points (1/72 inch), rotation applied.'),
          height: z.number().describe('Page height in PDF points.'),
          boxes: z
            .array(z.tuple([offset, offset, z.number(), z.number(), z.number(), z.number()]))
            .describe('Text items in text order, as `[start, end, x, y, width, height]`: their range of `text` and their rectangle in PDF points from the page\'s top left, y downwards. The separators between items are in none.'),
        }),
      )
      .optional()
      .describe('PDFs only: `text.slice(start, end)` is the page\'s text. The file itself is at GET /api/documents/{id}/file.'),
  })
  .meta({ id: 'Document' });

/** `POST /api/feedback`: `FeedbackReceipt`. */
export const feedbackReceiptSchema = z
  .object({ id: z.string().min(1).describe('The stored entry\'s id, in the feedback log.'), receivedAt: z.iso.datetime() })
  .meta({ id: 'FeedbackReceipt', description: 'The verdict is on disk, as one line of the feedback log.' });
/** `GET /api/uploads/:id`: `UploadStatusResponse`. */
export const uploadStatusResponseSchema = z
  .object({
    id: z.string(),
    name: z.string().describe('The file name the client sent.'),
    docId: z.string().describe('The document id it is (or would have been) indexed under: `uploads/<sha256 prefix>-<safe name>`, or the existing document for a duplicate.'),
    state: z.enum(['queued', 'indexing', 'ready', 'failed']).describe('queued: stored, waiting for a re-index; indexing: being indexed; ready: askable; failed: not indexed (see reason).'),
    reason: z.string().nullable().describe('Why it failed, when it did.'),
    duplicate: z.boolean().describe('Its content already was a document (or an upload being indexed): nothing new was stored.'),
    receivedAt: z.string(),
    statusUrl: z.string().describe('Where to poll its state.'),
  })
  .meta({ id: 'UploadStatus' });

/** `POST /api/documents`: `UploadsResponse`. */
export const uploadsResponseSchema = z.object({ uploads: z.array(uploadStatusResponseSchema).describe('One entry per file sent, in order.') }).meta({ id: 'Uploads' });

/** `DELETE /api/documents/:id`: `DocumentRemovedResponse`. */
export const documentRemovedResponseSchema = z
  .object({ id: z.string(), removed: z.literal(true), documents: count.describe('Documents in the index now.') })
  .meta({ id: 'DocumentRemoved' });
