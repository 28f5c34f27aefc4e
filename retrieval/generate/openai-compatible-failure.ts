import type { APIError } from 'openai';
import { GeneratorError } from '../errors.js';

/** The `openai` client's error classes, from the module the generator imported when it first asked. */
export type ClientErrors = Pick<typeof import('openai'), 'APIConnectionError' | 'APIConnectionTimeoutError' | 'APIError'>;

/** What a failure message may name about the server it came from; never the API key. */
export interface FailureContext {
  /** The base URL as it may be shown (no user, password or query). */
  readonly baseUrl: string;
  readonly model: string;
  /** Whether a key was sent, so a 401 can say "set it" or "check it". */
  readonly keySent: boolean;
  /** Removes the API key from text the server wrote (some echo it back in a 401). */
  readonly redact: (text: string) => string;
}

/** Longest stretch of the server's own error text kept in a message: an HTML error page must not flood the log. */
const SERVER_MESSAGE_MAX_CHARS = 300;

/** Socket and DNS error codes, by what the user should check; `fetch` hides them in its `cause` chain. */
const CONNECTION_PROBLEMS: Readonly<Record<string, (url: string) => string>> = {
  ECONNREFUSED: (url) => `nothing is listening at ${url} (connection refused): start the server (for Ollama: \`ollama serve\`) or fix GENERATOR_BASE_URL`,
  ENOTFOUND: (url) => `the host of ${url} could not be found (DNS lookup failed): check the host name in GENERATOR_BASE_URL`,
  EAI_AGAIN: (url) => `the host of ${url} could not be looked up (DNS is not answering): check the network and the host name in GENERATOR_BASE_URL`,
  EHOSTUNREACH: (url) => `${url} cannot be reached (no route to host): check the network and GENERATOR_BASE_URL`,
  ENETUNREACH: (url) => `${url} cannot be reached (network unreachable): check the network and GENERATOR_BASE_URL`,
  ECONNRESET: (url) => `${url} closed the connection before answering: check that it is an OpenAI-compatible server (and whether it wants https) and look at its log`,
};

/**
 * The GeneratorError that says what went wrong with a chat-completions request and what to do, from what the
 * `openai` client threw: a socket or DNS failure is `GENERATOR_UNREACHABLE`; an error status or a stream that broke
 * off is `GENERATOR_FAILED` with the server's own message. The API key is redacted from every message, and the
 * client's error is kept as `cause` only when it does not contain the key.
 */
export function generatorFailure(error: unknown, context: FailureContext, errors: ClientErrors): GeneratorError {
  const { baseUrl, redact } = context;
  const { APIConnectionError, APIConnectionTimeoutError, APIError } = errors;
  const raw = error instanceof Error ? error.message : String(error);
  const cause = redact(raw) === raw ? error : undefined;
  if (error instanceof APIConnectionTimeoutError) {
    // Only reached if the client's own request timeout fires before the watchdog does.
    return new GeneratorError('GENERATOR_TIMEOUT', `the generator at ${baseUrl} did not answer in time: check the server, or raise GENERATOR_TIMEOUT_MS`, { cause });
  }
  if (error instanceof APIConnectionError) {
    const code = systemErrorCode(error);
    const problem = code !== undefined ? CONNECTION_PROBLEMS[code] : undefined;
    const message = problem
      ? problem(baseUrl)
      : `could not connect to ${baseUrl} (${code ?? redact(innermostMessage(error))}): check that the server is running and that GENERATOR_BASE_URL points at it`;
    return new GeneratorError('GENERATOR_UNREACHABLE', `the generator is unreachable: ${message}`, { cause });
  }
  if (error instanceof APIError && error.status !== undefined) {
    return new GeneratorError('GENERATOR_FAILED', statusMessage(error.status, serverMessage(error, redact), context), { cause });
  }
  if (error instanceof APIError) {
    // An `error` event inside the stream: the server started a reply and then reported a failure.
    return new GeneratorError('GENERATOR_FAILED', `the generator at ${baseUrl} reported an error mid-reply (${serverMessage(error, redact)}): check the server's log`, { cause });
  }
  const code = systemErrorCode(error);
  return new GeneratorError(
    'GENERATOR_FAILED',
    `the reply from ${baseUrl} broke off (${code ?? redact(innermostMessage(error))}): the server may have crashed or restarted; check its log`,
    { cause },
  );
}

/** What to say for an error status, by what usually causes it. */
function statusMessage(status: number, server: string, context: FailureContext): string {
  const { baseUrl, model } = context;
  const said = `${status}: ${server}`;
  if (status === 401 || status === 403) {
    return context.keySent
      ? `the generator at ${baseUrl} refused the API key (${said}): check GENERATOR_API_KEY`
      : `the generator at ${baseUrl} wants an API key (${said}): set GENERATOR_API_KEY`;
  }
  if (status === 404) {
    return `the generator at ${baseUrl} has no model ${model} or no chat-completions endpoint (${said}): check GENERATOR_MODEL (for Ollama: \`ollama pull ${model}\`, and \`ollama list\` shows what is there), and that GENERATOR_BASE_URL is the API root, e.g. http://127.0.0.1:11434/v1`;
  }
  if (status === 400 || status === 413 || status === 422) {
    return `the generator at ${baseUrl} rejected the request for model ${model} (${said}): if the prompt is too long for the model, lower GENERATOR_CONTEXT_TOKENS to its context window (or TOP_K)`;
  }
  if (status === 429) return `the generator at ${baseUrl} is rate-limiting requests (${said}): wait, or raise the server's limits`;
  if (status >= 500) return `the generator at ${baseUrl} failed on model ${model} (${said}): check the server's log`;
  return `the generator at ${baseUrl} answered ${said}: check GENERATOR_BASE_URL and GENERATOR_MODEL`;
}

/** The server's own error text: `error.message` of an OpenAI-style body, or the plain body; without the status the client puts first. */
function serverMessage(error: APIError, redact: (text: string) => string): string {
  const body = error.error as { message?: unknown } | undefined;
  const text = typeof body?.message === 'string' ? body.message : error.message.replace(/^\d{3}\s+/, '');
  const clean = redact(text).replace(/\s+/g, ' ').trim() || 'no message';
  return clean.length > SERVER_MESSAGE_MAX_CHARS ? `${clean.slice(0, SERVER_MESSAGE_MAX_CHARS)}…` : clean;
}

/** The first `code` like `ECONNREFUSED` in the cause chain (undici nests it: TypeError → Error, or an AggregateError per address). */
function systemErrorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    const first = current instanceof AggregateError ? (current.errors[0] as unknown) : undefined;
    current = current.cause ?? first;
  }
  return undefined;
}

/** The deepest message in the cause chain: `fetch failed` says less than `other side closed`. */
function innermostMessage(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    if (current.message) message = current.message;
    current = current.cause;
  }
  return message;
}
