import type OpenAI from 'openai';
import type { Config } from '../config.js';
import { AbortedError, ConfigError, GeneratorError } from '../errors.js';
import type { GenerateOptions, Generator, GeneratorInfo } from './generator.js';
import { generatorFailure, type ClientErrors, type FailureContext } from './openai-compatible-failure.js';
import type { PromptMessage } from '../../prompts/grounded-answer-prompt.js';

/** Where the server is and how long it may keep us waiting. */
export interface OpenAICompatibleGeneratorOptions {
  /** The API root the server serves `/chat/completions` under, e.g. `http://127.0.0.1:11434/v1` (Ollama). */
  readonly baseUrl: string;
  /** The model id the server knows, e.g. `llama3.2:3b`. */
  readonly model: string;
  /** Sent as `Authorization: Bearer …`; without it no Authorization header is sent. Never shown in ids, info, errors or logs. @default undefined */
  readonly apiKey?: string;
  /** Longest wait for the first chunk of a reply, and for each next one, before the request is stopped (GENERATOR_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** The model's context window, which the server does not report (GENERATOR_CONTEXT_TOKENS). */
  readonly contextTokens: number;
}

/**
 * UTF-8 bytes per token assumed by `countTokens`. The chat tokenizers of common served models (Llama 3, Qwen 2.5,
 * Gemma, GPT-4o) take about 4 bytes of English per token, and a 3-byte CJK character is about one token, so
 * counting a token per 3 bytes over-estimates both and a prompt budgeted with it fits. Text that a tokenizer
 * splits into single bytes (rare scripts, emoji, binary junk) can take more.
 */
const BYTES_PER_TOKEN_ESTIMATE = 3;

/** Why a request was stopped on our side; the first reason wins. */
type StopReason = 'caller' | 'timeout' | 'disposed';

/**
 * A generator backed by any OpenAI-compatible chat-completions server (Ollama, llama.cpp's `llama-server`, vLLM,
 * LM Studio, OpenAI), streamed over SSE by the official `openai` client.
 *
 * Each request has a watchdog: if no chunk arrives within `timeoutMs` (the first one, or the next one while the
 * caller is waiting for it), the request is aborted and the stream throws `GENERATOR_TIMEOUT`, so a server that
 * stalls cannot hold an answer past its timeout. Connection failures, error statuses and broken-off streams are
 * thrown as {@link GeneratorError}s whose messages name the server and what to check; a caller's abort (or
 * `dispose()`) closes the connection and throws {@link AbortedError}.
 */
export function createOpenAICompatibleGenerator(options: OpenAICompatibleGeneratorOptions): Generator {
  const { model, timeoutMs, contextTokens } = options;
  // An empty key is no key (and must not turn redaction into splitting every message at each character).
  const apiKey = options.apiKey === '' ? undefined : options.apiKey;
  const baseUrl = displayUrl(options.baseUrl);
  // The client (with its SDK, a noticeable share of start-up) is imported on the first request, not when the server starts.
  let sdk: Promise<typeof import('openai')> | null = null;
  let client: OpenAI | null = null;
  const createClient = (OpenAIClient: typeof OpenAI): OpenAI => new OpenAIClient({
    baseURL: options.baseUrl,
    // The client insists on a key; without one, the explicit `Authorization: null` below drops the header instead.
    apiKey: apiKey ?? 'no-key',
    ...(apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
    // Passed explicitly so that OPENAI_* environment variables (meant for other tools) cannot add headers or keys.
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    // No retries: a retry would wait out the timeout again while the user waits, and the answerer already has a
    // better fallback (the extractive answer, given at once with a note), so one failure is reported, not repeated.
    maxRetries: 0,
    // The watchdog decides when waiting is over; this only backs it up.
    timeout: timeoutMs * 2,
    // Failures reach our own logs as GeneratorErrors; the client must not print requests or bodies on its own.
    logLevel: 'off',
  });
  const openClient = async (): Promise<{ client: OpenAI; errors: ClientErrors }> => {
    const module = await (sdk ??= import('openai'));
    client ??= createClient(module.default);
    return { client, errors: module };
  };
  const redact = apiKey === undefined ? (text: string) => text : (text: string) => text.split(apiKey).join('[GENERATOR_API_KEY]');
  const failureContext: FailureContext = { baseUrl, model, keySent: apiKey !== undefined, redact };
  const inFlight = new Set<(reason: StopReason) => void>();
  let disposed = false;

  const info: GeneratorInfo = Object.freeze({ kind: 'openai-compatible', model, contextTokens, baseUrl });

  async function* stream(messages: readonly PromptMessage[], generate: GenerateOptions): AsyncGenerator<string> {
    const { signal } = generate;
    if (disposed) throw new AbortedError(`the generator for ${model} at ${baseUrl} was closed`);
    if (signal?.aborted) throw callerAbort(signal);
    const request = new AbortController();
    let stopped: StopReason | null = null;
    const stop = (reason: StopReason) => {
      if (stopped !== null) return;
      stopped = reason;
      request.abort();
    };
    const onCallerAbort = () => stop('caller');
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    inFlight.add(stop);
    // Runs only while we wait for the server, not while the caller holds a piece: a slow reader is not a stalled server.
    let watchdog: NodeJS.Timeout | undefined;
    const waitForServer = () => {
      watchdog = setTimeout(() => stop('timeout'), timeoutMs);
    };
    const serverAnswered = () => clearTimeout(watchdog);
    let pieces = 0;
    const stoppedError = (reason: StopReason) => {
      if (reason === 'caller') return callerAbort(signal);
      if (reason === 'disposed') return new AbortedError(`the generator for ${model} at ${baseUrl} was closed`);
      const after = pieces === 0 ? '' : ` after ${pieces} piece${pieces === 1 ? '' : 's'}`;
      return new GeneratorError(
        'GENERATOR_TIMEOUT',
        `the generator at ${baseUrl} (model ${model}) did not send a token within ${timeoutMs} ms${after}: check the server (a model loading for the first time can be slow), or raise GENERATOR_TIMEOUT_MS`,
      );
    };
    try {
      waitForServer();
      const { client } = await openClient();
      const chunks = await client.chat.completions.create(
        // `max_tokens`, not `max_completion_tokens`: the older name is the one every compatible server understands.
        // Temperature 0, so the same passages give the same answer: the eval and a user's second look depend on it.
        { model, messages: messages.map(({ role, content }) => ({ role, content })), stream: true, max_tokens: generate.maxTokens, temperature: 0 },
        { signal: request.signal },
      );
      for await (const chunk of chunks) {
        serverAnswered();
        // A usage chunk has no choices; the last chunk often carries only a finish_reason.
        const piece = chunk.choices[0]?.delta?.content;
        if (piece) {
          pieces += 1;
          yield piece;
        }
        if (stopped !== null) break;
        waitForServer();
      }
      serverAnswered();
      // The client ends the iteration quietly when its request is aborted: say why it ended.
      if (stopped !== null) throw stoppedError(stopped);
    } catch (error) {
      serverAnswered();
      if (stopped !== null) throw stoppedError(stopped);
      throw generatorFailure(error, failureContext, (await openClient()).errors);
    } finally {
      serverAnswered();
      signal?.removeEventListener('abort', onCallerAbort);
      inFlight.delete(stop);
      // A caller that stops reading early (break) must not leave the server generating into an open connection.
      request.abort();
    }
  }

  return {
    id: `openai-compatible:${model}@${baseUrl}`,
    info,
    /**
     * An over-estimate, since the server's tokenizer is unknown here: one token per 3 UTF-8 bytes (see
     * `BYTES_PER_TOKEN_ESTIMATE`), so passages budgeted with it fit the context window for natural-language text.
     */
    countTokens: (text: string) => Promise.resolve(Math.ceil(Buffer.byteLength(text, 'utf8') / BYTES_PER_TOKEN_ESTIMATE)),
    stream,
    /** Aborts every request in flight (their streams throw AbortedError) and refuses new ones. */
    dispose: () => {
      disposed = true;
      for (const stop of [...inFlight]) stop('disposed');
      return Promise.resolve();
    },
  };
}

/** The openai-compatible generator the configuration describes (GENERATOR_BASE_URL, GENERATOR_MODEL, GENERATOR_API_KEY, …). */
export function openAICompatibleGeneratorFromConfig(config: Config): Generator {
  if (config.generatorBaseUrl === undefined || config.generatorModel === undefined) {
    throw new ConfigError(
      'GENERATOR=openai-compatible needs GENERATOR_BASE_URL (e.g. http://127.0.0.1:11434/v1 for Ollama) and GENERATOR_MODEL (the model id the server knows)',
    );
  }
  return createOpenAICompatibleGenerator({
    baseUrl: config.generatorBaseUrl,
    model: config.generatorModel,
    ...(config.generatorApiKey !== undefined ? { apiKey: config.generatorApiKey } : {}),
    timeoutMs: config.generatorTimeoutMs,
    contextTokens: config.generatorContextTokens,
  });
}

/** The caller's reason when it is an AbortedError (as the ask pool sets it), else a plain one. */
function callerAbort(signal: AbortSignal | undefined): AbortedError {
  return signal?.reason instanceof AbortedError ? signal.reason : new AbortedError('the generation was cancelled');
}

/** The base URL as it may be shown and logged: without a user, password, query or fragment (any could carry a secret), and no trailing slash. */
function displayUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    const shown = url.toString();
    return shown.endsWith('/') ? shown.slice(0, -1) : shown;
  } catch {
    throw new ConfigError(`GENERATOR_BASE_URL ${JSON.stringify(baseUrl)} is not a URL: give the API root, e.g. http://127.0.0.1:11434/v1`);
  }
}
