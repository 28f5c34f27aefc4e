import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { describeIssues } from '../../retrieval/ask-input.js';
import type { Config } from '../../retrieval/config.js';
import type { Logger } from '../../retrieval/logger.js';
import { citedSentenceText } from '../../retrieval/generate/cited-sentence-text.js';
import type { AskRequest, Pipeline } from '../../retrieval/pipeline.js';
import type { AskResult } from '../../retrieval/types.js';
import { abortOnDisconnect } from '../abort-on-disconnect.js';
import { modelParamsSchema } from '../request-schemas.js';
import { describeError, logEdgeError } from '../error-responses.js';
import { CHAT_MODELS, chatCompletion, deltaChunk, finalChunk, modelList, sourcesText, usageChunk, usageOf, verbatimExtension, type CompletionHeader } from './chat-completion.js';
import { ChatRequestError, chatAskOf, chatCompletionRequestSchema, type ChatAsk } from './chat-request.js';
import { openAiErrorBody, sendOpenAiError } from './openai-error-bodies.js';

/** Options of `createOpenAiRouter`. */
export interface OpenAiRouterOptions {
  readonly pipeline: Pipeline;
  readonly config: Config;
  readonly logger: Logger;
  /** Largest JSON body accepted; larger ones get a 413. @default 65536 */
  readonly maxBodyBytes?: number;
  /** The per-client rate limit shared with the rest of the API. */
  readonly requestLimiter: RequestHandler;
}

/** Writes one server-sent event; waits while the client has not read what was sent before. */
async function writeEvent(res: Response, data: unknown, signal: AbortSignal): Promise<void> {
  if (!res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`)) await once(res, 'drain', { signal });
}

/**
 * The OpenAI-compatible API under `/v1`: `GET /models` and `POST /chat/completions`, streamed as server-sent
 * events or not, so the official `openai` clients and chat UIs that speak it work unchanged and still get the
 * exact citations (in the `citations` extension field). A thin edge like `/api`: it reads the request, calls the
 * pipeline and shapes the reply.
 */
export function createOpenAiRouter(options: OpenAiRouterOptions): Router {
  const { pipeline, config, logger } = options;
  const router = express.Router();
  const startedAt = Math.floor(Date.now() / 1000);
  /** The Sources list appended to the content when asked for, else nothing. */
  const sourcesOf = (result: AskResult, appendSources: boolean) => (appendSources ? sourcesText(result.citations, (id) => pipeline.getDocument(id)?.title ?? id) : '');

  // Only the route that takes a body reads one, so a GET never answers for a body it was sent.
  const jsonBody = express.json({ limit: options.maxBodyBytes ?? 64 * 1024, strict: true });

  router.use(options.requestLimiter);

  router.get('/models', (_req, res) => {
    res.json(modelList(startedAt));
  });

  router.get('/models/:id', (req: Request<{ id: string }>, res: Response) => {
    const { id } = modelParamsSchema.parse(req.params);
    const model = modelList(startedAt).data.find((m) => m.id === id);
    if (model) res.json(model);
    else sendOpenAiError(res, 404, 'MODEL_NOT_FOUND', `no model ${JSON.stringify(id)}: choose one of ${CHAT_MODELS.map((m) => m.id).join(', ')}`, 'model');
  });

  router.post('/chat/completions', jsonBody, async (req: Request, res: Response) => {
    if (!req.is('application/json')) {
      sendOpenAiError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the request as JSON with Content-Type: application/json');
      return;
    }
    const parsed = chatCompletionRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      sendOpenAiError(res, 400, 'BAD_INPUT', describeIssues(parsed.error), parsed.error.issues[0]?.path.join('.') || null);
      return;
    }
    const body = parsed.data;
    if (!CHAT_MODELS.some((m) => m.id === body.model)) {
      sendOpenAiError(res, 404, 'MODEL_NOT_FOUND', `no model ${JSON.stringify(body.model)}: choose one of ${CHAT_MODELS.map((m) => m.id).join(', ')} (GET /v1/models)`, 'model');
      return;
    }
    let ask: ChatAsk;
    try {
      ask = chatAskOf(body);
    } catch (error) {
      if (!(error instanceof ChatRequestError)) throw error;
      sendOpenAiError(res, 400, 'BAD_INPUT', error.message, error.param);
      return;
    }

    const signal = abortOnDisconnect(res);
    const request: AskRequest = { question: ask.question, history: ask.history, ...(body.verbatim?.explain ? { explain: true } : {}), signal };
    const appendSources = body.verbatim?.append_sources ?? config.openaiAppendSources;
    const header: CompletionHeader = { id: `chatcmpl-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model: body.model };
    const promptTexts = [ask.question, ...ask.history.map((t) => t.content)];

    if (!body.stream) {
      const result = await pipeline.ask(request);
      const content = result.answer + sourcesOf(result, appendSources);
      res.json(chatCompletion(header, content, result, verbatimExtension(result, ask.droppedTurns), usageOf(promptTexts, content)));
      return;
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const events = pipeline.askStream(request);
    // Refusals that come before any answer (a full queue, a deadline) are plain HTTP errors, as without `stream`.
    let step = await events.next();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    try {
      await writeEvent(res, deltaChunk(header, { role: 'assistant', content: '' }, includeUsage), signal);
      let result: AskResult | null = null;
      // A model's raw text is not sent: only its sentences that were verified, each as soon as it is, so what the
      // client shows is what the final answer says (an answer that fell back to quoting is sent whole at the end).
      let verifiedSent = 0;
      for (; !step.done; step = await events.next()) {
        const event = step.value;
        if (event.type === 'token' && !event.draft) await writeEvent(res, deltaChunk(header, { content: event.text }, includeUsage), signal);
        else if (event.type === 'verification' && event.sentence.status === 'verified') {
          await writeEvent(res, deltaChunk(header, { content: `${verifiedSent++ > 0 ? ' ' : ''}${citedSentenceText(event.sentence)}` }, includeUsage), signal);
        } else if (event.type === 'done') result = event.result;
      }
      result ??= step.value;
      if (result.generation && verifiedSent === 0) await writeEvent(res, deltaChunk(header, { content: result.answer }, includeUsage), signal);
      const sources = sourcesOf(result, appendSources);
      if (sources) await writeEvent(res, deltaChunk(header, { content: sources }, includeUsage), signal);
      await writeEvent(res, finalChunk(header, result, verbatimExtension(result, ask.droppedTurns), includeUsage), signal);
      if (includeUsage) await writeEvent(res, usageChunk(header, usageOf(promptTexts, result.answer + sources)), signal);
      await writeEvent(res, '[DONE]', signal);
    } catch (error) {
      if (signal.aborted) return;
      // Headers are sent: the error goes in the stream, where OpenAI's clients raise it as an APIError.
      const described = describeError(error, { maxBodyBytes: options.maxBodyBytes });
      logEdgeError(logger, described, error, { method: req.method, url: req.originalUrl });
      res.write(`data: ${JSON.stringify(openAiErrorBody(described.status, described.code, described.message))}\n\n`);
    } finally {
      // A client that left, or a failed write, ends the answer's work too (a pooled ask stops its worker).
      await events.return(undefined as never).catch(() => {});
      res.end();
    }
  });

  router.use((req, res) => {
    sendOpenAiError(res, 404, 'NOT_FOUND', `no OpenAI-compatible endpoint ${req.method} /v1${req.path}: Verbatim serves GET /v1/models and POST /v1/chat/completions`);
  });
  return router;
}
