import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Config } from '../retrieval/config.js';
import { feedbackEntry } from '../retrieval/feedback/feedback-entry.js';
import type { FeedbackLog } from '../retrieval/feedback/feedback-log.js';
import { VerbatimError } from '../retrieval/errors.js';
import type { DocumentLibrary, UploadStatus } from '../retrieval/library/document-library.js';
import type { Pipeline } from '../retrieval/pipeline.js';
import { followUpQuestions } from '../retrieval/suggest/follow-up-questions.js';
import { starterQuestions } from '../retrieval/suggest/starter-questions.js';
import { abortOnDisconnect } from './abort-on-disconnect.js';
import { sendError } from './error-responses.js';
import type { OpenApiDocument } from './openapi-document.js';
import type { DocumentListResponse, DocumentRemovedResponse, DocumentResponse, FeedbackReceipt, FollowUpsResponse, HealthResponse, SearchResponse, SuggestionsResponse, UploadsResponse, UploadStatusResponse } from './protocol.js';
import { askBodySchema, documentParamsSchema, feedbackBodySchema, followUpsBodySchema, searchQuerySchema, uploadParamsSchema } from './request-schemas.js';
import { uploadBody, type UploadLimits } from './upload-body.js';

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
  /** Adds and removes documents; without one, uploads and deletes are refused as turned off. */
  readonly library?: DocumentLibrary | null;
  /** Uploads and deletes are on (ALLOW_UPLOADS, resolved against the bound address). @default false */
  readonly uploadsAllowed?: boolean;
}

/** The limits of `POST /api/documents` in the configuration. */
export function uploadLimitsOf(config: Config): UploadLimits {
  return { maxFileBytes: config.uploadMaxFileBytes, maxFiles: config.uploadMaxFiles, maxRequestBytes: config.uploadMaxRequestBytes };
}

function uploadResponse(status: UploadStatus): UploadStatusResponse {
  return { ...status, statusUrl: `/api/uploads/${encodeURIComponent(status.id)}` };
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

  // Worked out once per index generation, by the first request, and shared by the requests that come while it runs
  // (an upload or a delete switches the generation, and the questions are worked out again); a failure (a busy
  // server) is not kept, so the next request tries again. Not tied to one client's connection, since all share it.
  let suggestions: { readonly generationDir: string; readonly pending: Promise<SuggestionsResponse['suggestions']> } | null = null;
  router.get('/suggestions', async (_req, res) => {
    const { generationDir } = pipeline;
    if (suggestions?.generationDir !== generationDir) suggestions = { generationDir, pending: starterQuestions({ pipeline }) };
    const current = suggestions;
    current.pending.catch(() => {
      if (suggestions === current) suggestions = null;
    });
    const body: SuggestionsResponse = { suggestions: await current.pending };
    res.json(body);
  });

  const library = options.uploadsAllowed ? (options.library ?? null) : null;
  /** Refuses before a byte of the body is read when uploads are off. */
  const libraryGuard: RequestHandler = (_req, _res, next) => {
    next(library ? undefined : new VerbatimError('UPLOADS_DISABLED', 'this server does not take uploads or deletes: start it with ALLOW_UPLOADS=true (with an API_TOKEN when bound beyond loopback)', { status: 403 }));
  };

  router.post('/documents', libraryGuard, uploadBody(uploadLimitsOf(config)), async (_req: Request, res: Response) => {
    const added = await library!.add(res.locals.files as Parameters<DocumentLibrary['add']>[0]);
    const body: UploadsResponse = { uploads: added.map(uploadResponse) };
    res.status(added.every((u) => u.duplicate && u.state === 'ready') ? 200 : 202).json(body);
  });

  router.get('/uploads/:id', (req: Request<{ id: string }>, res: Response) => {
    const { id } = uploadParamsSchema.parse(req.params);
    const status = options.library?.status(id);
    if (!status) {
      sendError(res, 404, 'UPLOAD_NOT_FOUND', `no upload with id ${JSON.stringify(id)}: the server keeps the latest ones until it restarts; list the documents with GET /api/documents`);
      return;
    }
    res.json(uploadResponse(status));
  });

  router.delete('/documents/:id', libraryGuard, async (req: Request<{ id: string }>, res: Response) => {
    const { id } = documentParamsSchema.parse(req.params);
    const removed = await library!.remove(id);
    const body: DocumentRemovedResponse = { id: removed.id, removed: true, documents: removed.documents };
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
    const body: DocumentResponse = { id: document.id, title: document.title, text: document.text, ...(document.pages ? { pages: document.pages } : {}) };
    res.json(body);
  });

  // The original bytes of a PDF, for the page's viewer. The file is found from the indexed document's own id (a path
  // inside the corpus folder), never from the request; its bytes are checked against the hash the index was built
  // from, so the pages drawn are the ones the offsets and boxes of GET /api/documents/:id describe.
  router.get('/documents/:id/file', async (req: Request<{ id: string }>, res: Response) => {
    const { id } = documentParamsSchema.parse(req.params);
    const document = pipeline.getDocument(id);
    if (!document) {
      sendError(res, 404, 'DOCUMENT_NOT_FOUND', `no document with id ${JSON.stringify(id)} in the index: list them with GET /api/documents`);
      return;
    }
    if (!document.pages) {
      sendError(res, 404, 'NOT_A_PDF', `document ${JSON.stringify(id)} is not a PDF, so it has no file to draw: read its text with GET /api/documents/${encodeURIComponent(id)}`);
      return;
    }
    const bytes = await readIndexedFile(config.corpusDir, document);
    if (!bytes) {
      sendError(res, 409, 'DOCUMENT_FILE_CHANGED', `the file of ${JSON.stringify(id)} was changed or removed since it was indexed: re-index (npm run ingest, or upload it again) and reload`);
      return;
    }
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(path.posix.basename(id))}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-cache');
    res.end(bytes);
  });

  router.get('/openapi.json', (_req, res) => {
    res.json(options.openApiDocument);
  });

  router.use((req, res) => {
    sendError(res, 404, 'NOT_FOUND', `no API endpoint ${req.method} /api${req.path}: see GET /api/openapi.json or the README for the API`);
  });
  return router;
}

/**
 * The bytes of an indexed document's file, or null when the file is gone, lies outside the corpus folder, or no
 * longer hashes to what was indexed. At most the corpus loader's 20 MiB per file, so reading it whole is bounded.
 */
async function readIndexedFile(corpusDir: string, document: { readonly id: string; readonly hash: string }): Promise<Buffer | null> {
  const file = path.resolve(corpusDir, ...document.id.split('/'));
  const inside = path.relative(corpusDir, file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return null;
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch {
    return null;
  }
  return createHash('sha256').update(bytes).digest('hex') === document.hash ? bytes : null;
}
