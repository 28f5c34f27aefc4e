/**
 * A loopback HTTP server that speaks the OpenAI chat-completions protocol with scripted replies, for tests of
 * anything that talks to an OpenAI-compatible generator. It streams as real servers do (SSE: a role chunk, one
 * `chat.completion.chunk` per piece, a `finish_reason` chunk, optionally a usage chunk with no choices, then
 * `data: [DONE]`), answers `stream: false` with one `chat.completion`, and records every request.
 *
 * Replies are queued with `script()` and consumed one per request, in order:
 *
 * ```ts
 * const server = await startScriptedChatServer();
 * server.script([
 *   { pieces: ['The answer ', 'is 42 [1].'] },                         // a streamed reply
 *   { status: 500, error: { message: 'CUDA out of memory' } },          // an OpenAI-style error body
 *   { pieces: ['The answer '], stallAfter: 1 },                         // sends one piece, then nothing, connection open
 * ]);
 * // baseUrl: server.url (ends in /v1); then: server.requests[0].body.messages, server.requests[0].headers.authorization
 * await server.close();
 * ```
 *
 * A request with nothing left to consume gets a 500 whose message says so, so a test that sends one request too
 * many fails with a readable reason.
 */
import http from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type OpenAI from 'openai';

/** One piece of a streamed reply: its text, or its text with when to send it. */
export type ScriptedPiece =
  | string
  | {
      readonly text: string;
      /** Wait this long before sending the piece. @default the reply's `delayMs` */
      readonly delayMs?: number;
      /** Send the piece only once this settles: lets a test prove a piece was received before the next one was sent. */
      readonly after?: PromiseLike<unknown>;
    };

/** How the server answers one request. */
export interface ScriptedReply {
  /** The reply's text, as content deltas in this order (joined for `stream: false`). @default [] */
  readonly pieces?: readonly ScriptedPiece[];
  /** Wait before each piece, in ms. @default 0 */
  readonly delayMs?: number;
  /** Send only the first N pieces, then nothing more: the connection stays open until the client closes it (or `close()`). @default undefined (no stall) */
  readonly stallAfter?: number;
  /** Send the first N pieces, then destroy the connection, as a crashing server does. @default undefined */
  readonly hangUpAfter?: number;
  /** Send the first N pieces, then an SSE event `data: {"error": …}` with `error` and end the stream, as llama.cpp and vLLM report a failure mid-reply. @default undefined */
  readonly errorAfter?: number;
  /** Answer with this HTTP status and an `{ error }` body instead of a completion. @default 200 */
  readonly status?: number;
  /** The OpenAI-style error object sent with `status` or `errorAfter`. @default { message: `scripted error <status>`, type: 'server_error' } */
  readonly error?: { readonly message: string; readonly type?: string; readonly code?: string | null; readonly param?: string | null };
  /** Send this body with `status` instead of JSON, e.g. Ollama's plain `404 page not found`. @default undefined */
  readonly rawErrorBody?: string;
  /** `finish_reason` of the last chunk. @default "stop" */
  readonly finishReason?: 'stop' | 'length' | 'content_filter';
  /** Send a usage chunk with an empty `choices` array before `[DONE]` (as `stream_options.include_usage` does). @default false */
  readonly usageChunk?: boolean;
}

/** A request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  /** The path, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** Lower-cased header names, as node gives them: `headers.authorization` is `Bearer <key>`. */
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body: `model`, `messages`, `max_tokens`, `stream`, `temperature`, …; null if it was not JSON. */
  readonly body: OpenAI.ChatCompletionCreateParams | null;
  /** The pieces written so far, growing while the reply streams. */
  readonly sentPieces: readonly string[];
  /** True once the client closed the connection before the reply was complete (an abort, a timeout). */
  readonly clientClosedEarly: boolean;
  /** Settles once the client closed the connection before the reply was complete. */
  readonly closedEarly: Promise<void>;
}

/** A running scripted server. */
export interface ScriptedChatServer {
  /** The base URL to give a client, e.g. `http://127.0.0.1:41234/v1`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: readonly RecordedRequest[];
  /** Queues replies, consumed one per chat-completions request. */
  script(replies: readonly ScriptedReply[]): void;
  /** Replies still queued. */
  readonly pending: number;
  /** Stops the server, ending stalled replies and dropping every open connection. */
  close(): Promise<void>;
}

const MODEL_CREATED = 1_700_000_000;

/** Starts a scripted chat-completions server on 127.0.0.1 with an ephemeral port. */
export async function startScriptedChatServer(options: { replies?: readonly ScriptedReply[] } = {}): Promise<ScriptedChatServer> {
  const queue: ScriptedReply[] = [...(options.replies ?? [])];
  const requests: RecordedRequest[] = [];
  /** Ends pending waits (delays, stalls, gates) so `close()` does not leave timers or promises behind. */
  const closing = new AbortController();

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://scripted').pathname;
      const body = parseJson(Buffer.concat(chunks).toString('utf8'));
      const sentPieces: string[] = [];
      let closedEarly!: () => void;
      const recorded = {
        method: request.method ?? 'GET',
        path,
        headers: request.headers,
        body,
        sentPieces,
        clientClosedEarly: false,
        closedEarly: new Promise<void>((resolve) => (closedEarly = resolve)),
      };
      requests.push(recorded);
      response.on('close', () => {
        if (response.writableFinished) return;
        recorded.clientClosedEarly = true;
        closedEarly();
      });
      if (request.method !== 'POST' || !path.endsWith('/chat/completions')) {
        sendError(response, 404, { message: `scripted chat server: no route ${request.method} ${path}`, type: 'invalid_request_error' });
        return;
      }
      const reply = queue.shift();
      if (reply === undefined) {
        sendError(response, 500, { message: `scripted chat server: no reply scripted for request #${requests.length}`, type: 'server_error' });
        return;
      }
      const model = typeof body?.model === 'string' ? body.model : 'scripted';
      void answer(reply, { response, model, streamed: body?.stream === true, sentPieces, closing: closing.signal });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (replies) => void queue.push(...replies),
    get pending() {
      return queue.length;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Writes one scripted reply. */
async function answer(
  reply: ScriptedReply,
  context: { response: ServerResponse; model: string; streamed: boolean; sentPieces: string[]; closing: AbortSignal },
): Promise<void> {
  const { response, model, streamed, sentPieces, closing } = context;
  if (reply.status !== undefined && reply.status !== 200) {
    if (reply.rawErrorBody !== undefined) response.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.rawErrorBody);
    else sendError(response, reply.status, reply.error ?? { message: `scripted error ${reply.status}`, type: 'server_error' });
    return;
  }
  const pieces = (reply.pieces ?? []).map((piece) => (typeof piece === 'string' ? { text: piece } : piece));
  const id = `chatcmpl-scripted-${Math.random().toString(36).slice(2, 10)}`;
  const gone = () => response.destroyed || closing.aborted;
  const cutAt = Math.min(reply.stallAfter ?? Infinity, reply.hangUpAfter ?? Infinity);
  const finishReason = reply.finishReason ?? 'stop';

  if (!streamed) {
    for (const piece of pieces.slice(0, cutAt)) {
      await waitFor(piece.delayMs ?? reply.delayMs ?? 0, piece.after, closing);
      if (gone()) return;
      sentPieces.push(piece.text);
    }
    if (reply.hangUpAfter !== undefined) return void response.destroy();
    if (reply.stallAfter !== undefined) return;
    const completion: OpenAI.ChatCompletion = {
      id,
      object: 'chat.completion',
      created: MODEL_CREATED,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: sentPieces.join(''), refusal: null }, finish_reason: finishReason, logprobs: null }],
      usage: usageOf(sentPieces),
    };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion));
    return;
  }

  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  response.flushHeaders();
  const chunk = (delta: OpenAI.ChatCompletionChunk.Choice.Delta, finish: OpenAI.ChatCompletionChunk.Choice['finish_reason'] = null): OpenAI.ChatCompletionChunk => ({
    id,
    object: 'chat.completion.chunk',
    created: MODEL_CREATED,
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  const send = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
  const endWithError = (): void => {
    send({ error: errorBody(reply.error ?? { message: 'scripted error mid-reply', type: 'server_error' }) });
    response.end('data: [DONE]\n\n');
  };
  // A crash after what was written reached the client: destroying at once could drop the last piece unsent.
  const hangUp = (): void => void response.write('', () => response.destroy());
  send(chunk({ role: 'assistant', content: '' }));
  for (const [index, piece] of pieces.entries()) {
    if (index === reply.hangUpAfter) return hangUp();
    if (index === reply.errorAfter) return endWithError();
    if (index === reply.stallAfter) return; // nothing more; the client or close() ends the connection
    await waitFor(piece.delayMs ?? reply.delayMs ?? 0, piece.after, closing);
    if (gone()) return;
    sentPieces.push(piece.text);
    send(chunk({ content: piece.text }));
  }
  if (reply.hangUpAfter !== undefined) return hangUp();
  if (reply.errorAfter !== undefined) return endWithError();
  if (reply.stallAfter !== undefined) return;
  send(chunk({}, finishReason));
  if (reply.usageChunk) send({ id, object: 'chat.completion.chunk', created: MODEL_CREATED, model, choices: [], usage: usageOf(sentPieces) } satisfies OpenAI.ChatCompletionChunk);
  response.end('data: [DONE]\n\n');
}

/** An OpenAI-style error response: `{ "error": { message, type, param, code } }`. */
function sendError(response: ServerResponse, status: number, error: NonNullable<ScriptedReply['error']>): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: errorBody(error) }));
}

/** An OpenAI-style error object, every field present. */
function errorBody(error: NonNullable<ScriptedReply['error']>) {
  return { message: error.message, type: error.type ?? 'server_error', param: error.param ?? null, code: error.code ?? null };
}

/** Waits `ms` and for `gate`, whichever is later; returns early once the server is closing. */
async function waitFor(ms: number, gate: PromiseLike<unknown> | undefined, closing: AbortSignal): Promise<void> {
  if (closing.aborted || (ms <= 0 && gate === undefined)) return;
  let timer: NodeJS.Timeout | undefined;
  let onClose: (() => void) | undefined;
  const waits: Promise<unknown>[] = [];
  if (ms > 0) waits.push(new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))));
  if (gate !== undefined) waits.push(Promise.resolve(gate).catch(() => undefined));
  const closed = new Promise<void>((resolve) => closing.addEventListener('abort', (onClose = () => resolve()), { once: true }));
  await Promise.race([Promise.all(waits), closed]);
  clearTimeout(timer);
  closing.removeEventListener('abort', onClose!);
}

/** Token counts for a usage chunk: one per piece, which is all a test can check. */
function usageOf(pieces: readonly string[]): OpenAI.CompletionUsage {
  return { prompt_tokens: 0, completion_tokens: pieces.length, total_tokens: pieces.length };
}

function parseJson(text: string): OpenAI.ChatCompletionCreateParams | null {
  try {
    return JSON.parse(text) as OpenAI.ChatCompletionCreateParams;
  } catch {
    return null;
  }
}
