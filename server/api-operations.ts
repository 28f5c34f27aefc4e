/**
 * Every HTTP route of the API, one entry each, as the OpenAPI description lists it: its parameters and body (the
 * schemas the routers validate with) and every status it answers (the schemas its bodies are built to). Adding a
 * route is adding an entry here; `openapi-document.test.ts` fails while a mounted route has none.
 */
import { z } from 'zod';
import { formatBytes } from './error-responses.js';
import { chatCompletionRequestSchema } from './openai-compatible/chat-request.js';
import { openAiErrorType } from './openai-compatible/openai-error-bodies.js';
import {
  chatCompletionChunkSchema,
  chatCompletionSchema,
  modelListSchema,
  modelSchema,
  openAiErrorBodySchema,
  openAiErrorBodyWithCodes,
} from './openai-compatible/openai-wire-schemas.js';
import { openApiDocumentSchema, type ApiOperation, type OpenApiDocumentOptions, type OperationResponse, type ResponseHeader } from './openapi-document.js';
import { askBodySchema, documentParamsSchema, feedbackBodySchema, followUpsBodySchema, modelParamsSchema, searchQuerySchema, uploadParamsSchema } from './request-schemas.js';
import {
  askResultSchema,
  documentListResponseSchema,
  documentRemovedResponseSchema,
  documentResponseSchema,
  errorBodySchema,
  errorBodyWithCodes,
  feedbackReceiptSchema,
  followUpsResponseSchema,
  healthResponseSchema,
  searchResponseSchema,
  suggestionsResponseSchema,
  uploadsResponseSchema,
  uploadStatusResponseSchema,
} from './response-schemas.js';
import { allowedUploadExtensions } from '../retrieval/library/upload-file.js';
import { UPLOAD_FIELD, type UploadLimits } from './upload-body.js';

/** What the operations depend on: the server's settings that change what a route answers. */
export interface ApiOperationsOptions {
  /** `k` of `GET /api/search` when the query has none (`TOP_K`). */
  readonly defaultK: number;
  /** `API_TOKEN` is set: every operation needs the bearer token, and may answer 401. */
  readonly tokenRequired: boolean;
  /** The server is bound to loopback: a request addressed to another host name gets 403. */
  readonly loopbackOnly: boolean;
  /** Largest JSON body accepted, after decompression. */
  readonly maxBodyBytes: number;
  /** The limits of `POST /api/documents` (UPLOAD_MAX_*), when known. */
  readonly uploadLimits?: UploadLimits;
}

/** The two shapes of error body: `/api`'s `{ error: { code, message } }` and `/v1`'s OpenAI-style one. */
type ErrorStyle = (status: number, codes: readonly [string, ...string[]] | null) => z.ZodType;

const verbatimErrors: ErrorStyle = (_status, codes) => (codes ? errorBodyWithCodes(codes) : errorBodySchema);
const openAiErrors: ErrorStyle = (status, codes) => (codes ? openAiErrorBodyWithCodes(openAiErrorType(status), codes) : openAiErrorBodySchema);

const rateLimitHeaders: Readonly<Record<string, ResponseHeader>> = {
  RateLimit: { description: 'The client address\'s budget left in this window (IETF draft 8), e.g. `"300-in-1min"; r=299; t=60`.', required: true, schema: z.string() },
  'RateLimit-Policy': { description: 'The budget per window (IETF draft 8), e.g. `"300-in-1min"; q=300; w=60; pk=:…:`.', required: true, schema: z.string() },
};
const retryAfter: ResponseHeader = { description: 'Seconds until the client address may send again.', required: true, schema: z.int().min(0) };

/** A failure response whose body names one of `codes` (any code when null). */
function failure(style: ErrorStyle, status: number, codes: readonly [string, ...string[]] | null, description: string): Record<number, OperationResponse> {
  return { [status]: { description, json: style(status, codes) } };
}

/** What the access guard and the rate limiter in front of every route answer. */
function accessResponses(style: ErrorStyle, options: ApiOperationsOptions): Record<number, OperationResponse> {
  return {
    ...(options.tokenRequired ? failure(style, 401, ['UNAUTHORIZED'], 'The request lacks `Authorization: Bearer <API_TOKEN>`, or its token is wrong.') : {}),
    ...(options.loopbackOnly
      ? failure(style, 403, ['HOST_NOT_ALLOWED'], 'The server is bound to loopback and the request was addressed to another host name (a guard against DNS rebinding): address it to localhost or 127.0.0.1.')
      : {}),
    429: {
      description: `The client address sent more than RATE_LIMIT_PER_MINUTE requests (and WebSocket asks) this minute${
        options.tokenRequired ? ', or failed authentication more than AUTH_FAILURES_PER_MINUTE times (then even the right token is refused until the minute is over)' : ''
      }: wait Retry-After seconds.`,
      json: style(429, ['RATE_LIMITED']),
      headers: { 'Retry-After': retryAfter, RateLimit: { ...rateLimitHeaders.RateLimit!, required: false }, 'RateLimit-Policy': { ...rateLimitHeaders['RateLimit-Policy']!, required: false } },
    },
    ...failure(
      style,
      500,
      null,
      'A fault on the server (`INTERNAL`, or the code of a server-side problem such as `INDEX_CORRUPT`); the message says what to do and the details are in the server log. Not provoked by any request: the tests inject a failure to reach it.',
    ),
  };
}

/** What a route with a JSON body answers when the body cannot be read. */
function bodyResponses(style: ErrorStyle, options: ApiOperationsOptions): Record<number, OperationResponse> {
  return {
    ...failure(
      style,
      400,
      ['BAD_INPUT', 'BAD_JSON', 'BAD_REQUEST'],
      '`BAD_INPUT`: a field is invalid (the message names it); `BAD_JSON`: the body is not JSON; `BAD_REQUEST`: the body cannot be read (corrupt or truncated gzip, deflate or br data, shorter than its Content-Length).',
    ),
    ...failure(style, 413, ['PAYLOAD_TOO_LARGE'], `The body is larger than ${formatBytes(options.maxBodyBytes)} after decompression.`),
    ...failure(
      style,
      415,
      ['UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_ENCODING'],
      '`UNSUPPORTED_MEDIA_TYPE`: the body is not sent as `Content-Type: application/json`; `UNSUPPORTED_ENCODING`: a Content-Encoding other than gzip, deflate, br or identity, or a charset other than UTF-8.',
    ),
  };
}

/** What a route that runs an ask or a search answers when the answering workers refuse it. */
function refusalResponses(style: ErrorStyle): Record<number, OperationResponse> {
  return failure(
    style,
    503,
    ['ANSWER_TIMEOUT', 'SERVER_BUSY'],
    '`ANSWER_TIMEOUT`: the work ran past ASK_DEADLINE_MS (waiting included) and was stopped; `SERVER_BUSY`: every answering worker is busy and ASK_QUEUE_LIMIT asks are waiting: try again in a moment. Only under load or with a stalled worker (`ask-deadline.int.test.ts` provokes both).',
  );
}

/** A successful JSON response, with the rate limit's headers every response past the limiter carries. */
function ok(description: string, json: z.ZodType, extra: Partial<OperationResponse> = {}): OperationResponse {
  return { description, json, headers: rateLimitHeaders, ...extra };
}

const SAMPLE_QUESTION = 'How many foreign law enforcement officers did China train in 2023?';

/** Every operation of the API, for this server's settings. */
export function apiOperations(options: ApiOperationsOptions): ApiOperation[] {
  const api = accessResponses(verbatimErrors, options);
  const v1 = accessResponses(openAiErrors, options);
  return [
    {
      method: 'get',
      path: '/api/health',
      operationId: 'getHealth',
      tag: 'api',
      summary: 'Retrieval mode, index and answering workers',
      responses: { 200: ok('The server is up; what it answers from and with.', healthResponseSchema), ...api },
    },
    {
      method: 'post',
      path: '/api/ask',
      operationId: 'ask',
      tag: 'api',
      summary: 'Answer a question with exact citations',
      description:
        'The answer quotes the documents: every claim is followed by [n], and citation n is `{ docId, start, end, quote }` with `quote === text.slice(start, end)` of `GET /api/documents/{docId}`. When the documents do not answer, `abstained` is true and `abstentionReason` says why. A client that hangs up stops the work.',
      body: { schema: askBodySchema, example: { question: SAMPLE_QUESTION } },
      responses: { 200: ok('The answer, or an abstention with its reason.', askResultSchema), ...bodyResponses(verbatimErrors, options), ...refusalResponses(verbatimErrors), ...api },
    },
    {
      method: 'post',
      path: '/api/feedback',
      operationId: 'sendFeedback',
      tag: 'api',
      summary: "Store a reader's verdict on an answer",
      description:
        'Thumbs up or down on one answer, with an optional note and the exchange it is about (question, history, answer, citations), appended as one line to the feedback log (FEEDBACK_FILE, by default feedback.jsonl in the index folder) with what served it. Nothing is checked against the index. `npm run eval -- --from-feedback FILE` turns the log into candidate eval items.',
      body: {
        schema: feedbackBodySchema,
        example: {
          verdict: 'down',
          note: 'It should say 2,700 officers.',
          question: SAMPLE_QUESTION,
          answer: 'China trained foreign officers. [1]',
          citations: [{ n: 1, docId: '000_4434d9e95f18ffce.txt', start: 1102, end: 1131, quote: 'At the Global Public Security' }],
        },
      },
      responses: {
        201: ok('The verdict is on disk.', feedbackReceiptSchema),
        ...bodyResponses(verbatimErrors, options),
        ...api,
      },
    },
    {
      method: 'get',
      path: '/api/search',
      operationId: 'search',
      tag: 'api',
      summary: 'Ranked passages for a query',
      query: searchQuerySchema(options.defaultK),
      responses: {
        200: ok('The passages, best first, each with its offsets and per-signal scores.', searchResponseSchema),
        ...failure(verbatimErrors, 400, ['BAD_INPUT'], '`q` or `k` is invalid (the message names it).'),
        ...refusalResponses(verbatimErrors),
        ...api,
      },
    },
    {
      method: 'get',
      path: '/api/documents',
      operationId: 'listDocuments',
      tag: 'api',
      summary: 'The documents of the index',
      responses: { 200: ok('Every document with its length, chunk count, pages (PDFs), file size and when it was first indexed.', documentListResponseSchema), ...api },
    },
    {
      method: 'get',
      path: '/api/suggestions',
      operationId: 'listSuggestions',
      tag: 'api',
      summary: 'Starter questions the documents answer',
      description:
        "Questions derived from the documents' own text (the people, organisations and sections they name), each kept only when the server answers it from that document without abstaining. Worked out on the first request and kept; a failed attempt is retried by the next request.",
      responses: {
        200: ok('At most four questions, best first; empty when no candidate is answered.', suggestionsResponseSchema),
        ...refusalResponses(verbatimErrors),
        ...api,
      },
    },
    {
      method: 'post',
      path: '/api/suggestions/follow-ups',
      operationId: 'listFollowUps',
      tag: 'api',
      summary: 'Follow-up questions about what an answer cites',
      description:
        "Questions derived, by the starter questions' rules, from the text around each cited span (about 1,000 characters on each side), each kept only when the server answers it quote-only from that document with a citation the answer did not already have, and none equal (ignoring case and spacing) to the question or a question of the history. Citations of unknown documents or outside their document's text are skipped. At most eight candidates are asked; a client that hangs up stops them.",
      body: {
        schema: followUpsBodySchema,
        example: { question: SAMPLE_QUESTION, citations: [{ docId: '000_4434d9e95f18ffce.txt', start: 1102, end: 1354 }] },
      },
      responses: {
        200: ok('At most three questions, best first; empty when none is answered with something new.', followUpsResponseSchema),
        ...bodyResponses(verbatimErrors, options),
        ...refusalResponses(verbatimErrors),
        ...api,
      },
    },
    {
      method: 'get',
      path: '/api/documents/{id}',
      operationId: 'getDocument',
      tag: 'api',
      summary: 'The exact text of a document',
      description: 'Encode the id (`encodeURIComponent`): ids are paths relative to the corpus folder and may contain `/`. Ids are looked up in the index only, never read as paths.',
      pathParams: documentParamsSchema,
      responses: {
        200: ok('The document; `text` is exactly what every citation offset indexes into.', documentResponseSchema),
        ...failure(verbatimErrors, 400, ['BAD_REQUEST'], 'The id is not valid percent-encoding: encode it with encodeURIComponent.'),
        ...failure(verbatimErrors, 404, ['DOCUMENT_NOT_FOUND'], 'No document with this id in the index: list them with GET /api/documents.'),
        ...api,
      },
    },
    {
      method: 'get',
      path: '/api/documents/{id}/file',
      operationId: 'getDocumentFile',
      tag: 'api',
      summary: 'The original file of a PDF document',
      description:
        "The bytes the index was built from, for drawing the pages (the page's source panel renders them with PDF.js). Served `inline` with `X-Content-Type-Options: nosniff`; the file is found from the indexed document only, never from the request, and its bytes are checked against the hash that was indexed.",
      pathParams: documentParamsSchema,
      responses: {
        200: { description: 'The PDF, exactly as it was indexed.', binary: 'application/pdf', headers: rateLimitHeaders },
        ...failure(verbatimErrors, 400, ['BAD_REQUEST'], 'The id is not valid percent-encoding: encode it with encodeURIComponent.'),
        ...failure(verbatimErrors, 404, ['DOCUMENT_NOT_FOUND', 'NOT_A_PDF'], '`DOCUMENT_NOT_FOUND`: no document with this id in the index. `NOT_A_PDF`: the document is not a PDF; its text is at GET /api/documents/{id}.'),
        ...failure(verbatimErrors, 409, ['DOCUMENT_FILE_CHANGED'], 'The file was changed or removed on disk since it was indexed, so its pages would not match the indexed text: re-index and reload.'),
        ...api,
      },
    },
    {
      method: 'post',
      path: '/api/documents',
      operationId: 'uploadDocuments',
      tag: 'api',
      summary: 'Add documents to the corpus',
      description: `Stores each file in the uploads folder (UPLOADS_DIR, inside the corpus) as \`<sha256 prefix>-<safe name>\` and re-indexes incrementally while the previous index keeps answering; poll each upload's \`statusUrl\` until it is \`ready\` (askable) or \`failed\`. Allowed: ${allowedUploadExtensions().join(', ')}, by name and content. A file whose content already is a document is that document (\`duplicate: true\`). Off unless ALLOW_UPLOADS (default: on when bound to loopback).`,
      files: {
        field: UPLOAD_FIELD,
        description: `The files, in the form field \`${UPLOAD_FIELD}\`${uploadLimitsText(options.uploadLimits)}.`,
      },
      responses: {
        200: ok('Every file was already a document: nothing new to index; each entry names that document.', uploadsResponseSchema),
        202: ok('Stored and queued for indexing: poll each statusUrl.', uploadsResponseSchema),
        ...failure(verbatimErrors, 400, ['BAD_UPLOAD'], 'The multipart form cannot be read, holds no file, or carries files in another field than `files`.'),
        ...failure(verbatimErrors, 413, ['UPLOAD_TOO_LARGE'], 'A file, the number of files or their total passes UPLOAD_MAX_FILE_BYTES, UPLOAD_MAX_FILES or UPLOAD_MAX_REQUEST_BYTES; nothing is stored.'),
        ...failure(verbatimErrors, 415, ['UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_UPLOAD_TYPE'], '`UNSUPPORTED_MEDIA_TYPE`: the body is not multipart/form-data; `UNSUPPORTED_UPLOAD_TYPE`: a file\'s name ends in an extension that is not indexed. Nothing is stored.'),
        ...failure(verbatimErrors, 422, ['UPLOAD_CONTENT_MISMATCH', 'EMPTY_UPLOAD'], "`UPLOAD_CONTENT_MISMATCH`: a file's content is not what its name says (a binary named .md, a .pdf that is no PDF); `EMPTY_UPLOAD`: a file is empty. Nothing is stored."),
        ...api,
        ...failure(verbatimErrors, 403, withHostCheck(options, ['UPLOADS_DISABLED']), '`UPLOADS_DISABLED`: uploads are off (ALLOW_UPLOADS=false, or unset on a server bound beyond loopback).' + (options.loopbackOnly ? ' `HOST_NOT_ALLOWED`: the request was addressed to another host name than localhost or 127.0.0.1.' : '')),
      },
    },
    {
      method: 'get',
      path: '/api/uploads/{id}',
      operationId: 'getUpload',
      tag: 'api',
      summary: "An upload's state",
      pathParams: uploadParamsSchema,
      responses: {
        200: ok('queued, indexing, ready (askable: `docId` is in GET /api/documents) or failed (with the reason; the previous index still serves).', uploadStatusResponseSchema),
        ...failure(verbatimErrors, 404, ['UPLOAD_NOT_FOUND'], 'No upload with this id (the server keeps the latest 1000, and forgets them when it restarts).'),
        ...api,
      },
    },
    {
      method: 'delete',
      path: '/api/documents/{id}',
      operationId: 'deleteDocument',
      tag: 'api',
      summary: 'Remove a document from the index and the disk',
      description: 'Answers once the index without the document serves (asks already running finish on the previous one). Uploads are deleted; a document of the corpus folder only with ALLOW_CORPUS_DELETE. A failed re-index puts the file back and the document stays.',
      pathParams: documentParamsSchema,
      responses: {
        200: ok('Removed: it is gone from GET /api/documents and from answers.', documentRemovedResponseSchema),
        ...failure(
          verbatimErrors,
          400,
          ['BAD_REQUEST', 'EMPTY_CORPUS'],
          '`BAD_REQUEST`: the id is not valid percent-encoding: encode it with encodeURIComponent. `EMPTY_CORPUS`: it is the last document, and the index is never replaced by an empty one; the file is back in place.',
        ),
        ...failure(verbatimErrors, 404, ['DOCUMENT_NOT_FOUND'], 'No document with this id in the index: list them with GET /api/documents.'),
        ...failure(verbatimErrors, 409, ['INDEX_LOCKED'], 'Another process (`npm run ingest`) is writing the index: try again once it has finished. The file is back in place.'),
        ...api,
        ...failure(
          verbatimErrors,
          403,
          withHostCheck(options, ['UPLOADS_DISABLED', 'CORPUS_DOCUMENT_PROTECTED']),
          '`UPLOADS_DISABLED`: uploads and deletes are off (ALLOW_UPLOADS); `CORPUS_DOCUMENT_PROTECTED`: the document is a file of the corpus folder, not an upload, and ALLOW_CORPUS_DELETE is off.' +
            (options.loopbackOnly ? ' `HOST_NOT_ALLOWED`: the request was addressed to another host name than localhost or 127.0.0.1.' : ''),
        ),
      },
    },
    {
      method: 'get',
      path: '/api/openapi.json',
      operationId: 'getOpenApiDocument',
      tag: 'api',
      summary: 'This description',
      description: 'Generated from the schemas the server validates requests and builds responses with; behind the same token as the rest of /api.',
      responses: { 200: ok('The OpenAPI 3.1 description of this server.', openApiDocumentSchema), ...api },
    },
    {
      method: 'get',
      path: '/v1/models',
      operationId: 'listModels',
      tag: 'openai',
      summary: 'The answerers, as OpenAI model objects',
      responses: { 200: ok('`verbatim` (the server\'s answerer) and `verbatim-extractive`.', modelListSchema), ...v1 },
    },
    {
      method: 'get',
      path: '/v1/models/{id}',
      operationId: 'getModel',
      tag: 'openai',
      summary: 'One answerer, as an OpenAI model object',
      pathParams: modelParamsSchema,
      responses: { 200: ok('The model, as GET /v1/models lists it.', modelSchema), ...failure(openAiErrors, 404, ['MODEL_NOT_FOUND'], 'No such model: choose one from GET /v1/models.'), ...v1 },
    },
    {
      method: 'post',
      path: '/v1/chat/completions',
      operationId: 'createChatCompletion',
      tag: 'openai',
      summary: 'Answer the last user message, in OpenAI\'s chat-completions format',
      description:
        "The last message must be the user's: it is the question (non-blank, at most 2000 characters); earlier user and assistant messages are the history (the latest 50 are kept), system, developer and tool messages are ignored. Other fields (temperature, max_tokens, tools, …) are accepted and ignored. The content keeps the answer's [n] markers and the exact citations come in the `citations` extension field.",
      body: { schema: chatCompletionRequestSchema, example: { model: 'verbatim', messages: [{ role: 'user', content: SAMPLE_QUESTION }] } },
      responses: {
        200: ok('The completion; with `stream: true`, server-sent `chat.completion.chunk` events ending in `data: [DONE]` (a failure after the stream has started comes as an error event).', chatCompletionSchema, {
          eventStream: { data: z.union([chatCompletionChunkSchema, openAiErrorBodySchema]), terminator: '[DONE]' },
        }),
        ...bodyResponses(openAiErrors, options),
        ...failure(openAiErrors, 404, ['MODEL_NOT_FOUND'], 'No such model: choose one from GET /v1/models.'),
        ...refusalResponses(openAiErrors),
        ...v1,
      },
    },
  ];
}

/** A route's own 403 codes, with the host check's when the server is bound to loopback (both answer 403). */
function withHostCheck(options: ApiOperationsOptions, codes: readonly [string, ...string[]]): readonly [string, ...string[]] {
  return options.loopbackOnly ? ['HOST_NOT_ALLOWED', ...codes] : codes;
}

/** The upload limits as a sentence's ending, when known. */
function uploadLimitsText(limits: UploadLimits | undefined): string {
  if (!limits) return '';
  return `: at most ${limits.maxFiles} files, each at most ${formatBytes(limits.maxFileBytes)}, ${formatBytes(limits.maxRequestBytes)} together`;
}

/** The introduction of the description: what every operation shares, for this server's settings. */
function introduction(options: ApiOperationsOptions): string {
  const access = options.tokenRequired
    ? 'This server has an `API_TOKEN`: every operation needs `Authorization: Bearer <API_TOKEN>` (the `bearerAuth` scheme), this description included; without it the answer is 401.'
    : 'This server has no `API_TOKEN`, so it is bound to loopback and needs no token; a server bound to any other address must have one, and then every operation needs `Authorization: Bearer <API_TOKEN>`.';
  const host = options.loopbackOnly ? ' Bound to loopback, it only answers requests addressed to `localhost` or `127.0.0.1` (403 `HOST_NOT_ALLOWED` otherwise).' : '';
  return [
    'Verbatim answers questions about a folder of documents and backs every claim with a citation to the exact characters of its source: `quote === documentText.slice(start, end)`.',
    '',
    `${access}${host}`,
    '',
    'Errors have one shape under `/api`, `{ "error": { "code", "message" } }`, and OpenAI\'s under `/v1`, `{ "error": { "message", "type", "param", "code" } }`, with the same status and `code`; each response below lists its codes, and no other code leaves the server. A path not listed here is a 404 `NOT_FOUND`; a listed path asked with a method it does not list is a 405 `METHOD_NOT_ALLOWED` with `Allow`, and `OPTIONS` on it a 204 with `Allow` (both behind the token, like everything else).',
    '',
    'Every response past the rate limiter carries `RateLimit` and `RateLimit-Policy` (IETF draft 8); one budget per client address covers `/api`, `/v1`, `/mcp` and WebSocket asks.',
    '',
    'Not described here, since their messages are not HTTP operations: the WebSocket on `/ws` (the chat page\'s protocol, in the README) and `POST /mcp`, the Model Context Protocol over Streamable HTTP (JSON-RPC 2.0; its tools and resources are listed by the protocol itself, `tools/list` and `resources/list`, behind the same token).',
  ].join('\n');
}

/** The OpenAPI description's content for this server: its operations, introduction and tags. */
export function apiDescription(options: ApiOperationsOptions & { readonly version: string }): OpenApiDocumentOptions {
  return {
    operations: apiOperations(options),
    title: 'Verbatim',
    version: options.version,
    description: introduction(options),
    tags: [
      { name: 'api', description: "Verbatim's own JSON API (the chat page's WebSocket protocol is described in the README)." },
      { name: 'openai', description: "OpenAI's chat-completions protocol, so existing clients work unchanged and still get the exact citations." },
    ],
    bearerAuth: options.tokenRequired,
  };
}
