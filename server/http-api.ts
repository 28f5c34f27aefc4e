import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Config } from '../retrieval/config.js';
import { feedbackEntry } from '../retrieval/feedback/feedback-entry.js';
import type { FeedbackLog } from '../retrieval/feedback/feedback-log.js';
import type { Pipeline } from '../retrieval/pipeline.js';
import { followUpQuestions } from '../retrieval/suggest/follow-up-questions.js';
import { starterQuestions } from '../retrieval/suggest/starter-questions.js';
import { abortOnDisconnect } from './abort-on-disconnect.js';
import { sendError } from './error-responses.js';
import type { OpenApiDocument } from './openapi-document.js';
import type { DocumentListResponse, DocumentResponse, FeedbackReceipt, FollowUpsResponse, HealthResponse, SearchResponse, SuggestionsResponse } from './protocol.js';
import { askBodySchema, documentParamsSchema, feedbackBodySchema, followUpsBodySchema, searchQuerySchema } from './request-schemas.js';

/** Options of `createApiRouter`. */
export interface ApiRouterOptions {
  readonly pipeline: Pipeline;
  readonly config: Config;
  /** Largest JSON body accepted; larger ones get a 413. @default 65536 */
  readonly maxBodyBytes?: number;
  /**
   * The per-client rate limit (`ClientRateLimits.requestLimiter`), passed in because the WebSocket
   * counts its asks in the same store.
   */
  readonly requestLimiter: RequestHandler;
  /** The OpenAPI description of the server, served at `GET /api/openapi.json`. */
  readonly openApiDocument: OpenApiDocument;
  /** Where `POST /api/feedback` appends the readers' verdicts. */
  readonly feedbackLog: FeedbackLog;
}

/**
 * The JSON API under `/api`: health, ask, search, feedback, starter and follow-up questions, documents and the OpenAPI description. A thin edge: it
 * validates input with zod, calls the pipeline and shapes the output; errors flow to the JSON error handler.
 */
export function createApiRouter(options: ApiRouterOptions): Router {
  const { pipeline, config } = options;
  const router = express.Router();
  const searchQuery = searchQuerySchema(config.topK);

  // Only the route that takes a body reads one, so a GET never answers for a body it was sent.
  const jsonBody = express.json({ limit: options.maxBodyBytes ?? 64 * 1024, strict: true });

  router.use(options.requestLimiter);

  router.get('/health', (_req, res) => {
    const workers = pipeline.workers;
    const body: HealthResponse = { status: 'ok', ...pipeline.status, ...(workers ? { workers } : {}) };
    res.json(body);
  });

  router.post('/ask', jsonBody, async (req: Request, res: Response) => {
    if (!req.is('application/json')) {
      sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the question as JSON with Content-Type: application/json');
      return;
    }
    const body = askBodySchema.parse(req.body ?? {});
    const result = await pipeline.ask({ question: body.question, history: body.history, ...(body.explain ? { explain: true } : {}), signal: abortOnDisconnect(res) });
    res.json(result);
  });

  // Nothing is checked against the index: the verdict is about what the reader saw, which a later ingest may change.
  router.post('/feedback', jsonBody, async (req: Request, res: Response) => {
    if (!req.is('application/json')) {
      sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the feedback as JSON with Content-Type: application/json');
      return;
    }
    const report = feedbackBodySchema.parse(req.body ?? {});
    const { answerer, mode, embedder, indexBuiltAt } = pipeline.status;
    const entry = feedbackEntry(report, { id: randomUUID(), receivedAt: new Date(), servedBy: { answerer, mode, embedder, indexBuiltAt, indexGeneration: path.basename(pipeline.generationDir) } });
    await options.feedbackLog.append(entry);
    const body: FeedbackReceipt = { id: entry.id, receivedAt: entry.receivedAt };
    res.status(201).json(body);
  });

  router.get('/search', async (req: Request, res: Response) => {
    const { q, k } = searchQuery.parse(req.query);
    const passages = await pipeline.search(q, { k, signal: abortOnDisconnect(res) });
    const body: SearchResponse = {
      query: q,
      k,
      passages: passages.map((p) => ({ id: p.id, docId: p.docId, start: p.start, end: p.end, heading: p.heading, text: p.text, score: p.score, scores: p.scores })),
    };
    res.json(body);
  });

  // Worked out once, by the first request, and shared by the requests that come while it runs; a failure (a busy
  // server) is not kept, so the next request tries again. Not tied to one client's connection, since all share it.
  let suggestions: Promise<SuggestionsResponse['suggestions']> | null = null;
  router.get('/suggestions', async (_req, res) => {
    const pending = (suggestions ??= starterQuestions({ pipeline }));
    pending.catch(() => {
      if (suggestions === pending) suggestions = null;
    });
    const body: SuggestionsResponse = { suggestions: await pending };
    res.json(body);
  });

  // Asked through the same pipeline as the starter questions (quote-only, in the answering workers when pooled), for
  // one client's answer: its hanging up stops the asks.
  router.post('/suggestions/follow-ups', jsonBody, async (req: Request, res: Response) => {
    if (!req.is('application/json')) {
      sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the question and citations as JSON with Content-Type: application/json');
      return;
    }
    const body = followUpsBodySchema.parse(req.body ?? {});
    const asked = [body.question, ...(body.history ?? []).filter((turn) => turn.role === 'user').map((turn) => turn.content)];
    const suggestions = await followUpQuestions({ pipeline, citations: body.citations, asked, signal: abortOnDisconnect(res) });
    const response: FollowUpsResponse = { suggestions };
    res.json(response);
  });

  router.get('/documents', (_req, res) => {
    const body: DocumentListResponse = { documents: pipeline.listDocuments() };
    res.json(body);
  });

  // `:id` arrives percent-decoded (ids may contain `/` as %2F). It is only ever a key into the
  // index's own document map, never a path, so `../`, absolute paths and the like simply miss.
  router.get('/documents/:id', (req: Request<{ id: string }>, res: Response) => {
    const { id } = documentParamsSchema.parse(req.params);
    const document = pipeline.getDocument(id);
    if (!document) {
      sendError(res, 404, 'DOCUMENT_NOT_FOUND', `no document with id ${JSON.stringify(id)} in the index: list them with GET /api/documents`);
      return;
    }
    const body: DocumentResponse = { id: document.id, title: document.title, text: document.text };
    res.json(body);
  });

  router.get('/openapi.json', (_req, res) => {
    res.json(options.openApiDocument);
  });

  router.use((req, res) => {
    sendError(res, 404, 'NOT_FOUND', `no API endpoint ${req.method} /api${req.path}: see GET /api/openapi.json or the README for the API`);
  });
  return router;
}
