/**
 * The openai-compatible generator through the real `openai` client against a real loopback server that speaks the
 * chat-completions streaming protocol (scripted replies), and against a port where nothing listens: what reaches
 * the caller — the pieces in order, as they are sent — and, for each way a server fails, the error a user can act on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PromptMessage } from '../../prompts/grounded-answer-prompt.js';
import { loadConfig } from '../config.js';
import { AbortedError, GeneratorError, VerbatimError } from '../errors.js';
import type { Generator } from './generator.js';
import { createOpenAICompatibleGenerator, openAICompatibleGeneratorFromConfig } from './openai-compatible-generator.js';
import { startScriptedChatServer, type ScriptedChatServer } from './__fixtures__/scripted-chat-server.js';

const MODEL = 'llama3.2:3b';
const API_KEY = 'sk-test-4f1c9a7e2b8d6053';
const MESSAGES: readonly PromptMessage[] = [
  { role: 'system', content: 'You answer questions using only the numbered sources below.\n\nSources:\n[1] (doc-a)\nThe bridge opened in 1932.' },
  { role: 'user', content: 'When did the bridge open?' },
];

async function collect(pieces: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const piece of pieces) out.push(piece);
  return out;
}

/** The error a stream ends with; fails the test if it ends without one. */
async function failureOf(pieces: AsyncIterable<string>): Promise<VerbatimError> {
  try {
    await collect(pieces);
  } catch (error) {
    expect(VerbatimError.isInstance(error)).toBe(true);
    return error as VerbatimError;
  }
  throw new Error('the stream ended without an error');
}

/** The pieces a stream yields before it fails, and its error (undefined if it ends without one). */
async function readUntilFailure(pieces: AsyncIterable<string>): Promise<{ got: string[]; failure: unknown }> {
  const got: string[] = [];
  try {
    for await (const piece of pieces) got.push(piece);
  } catch (failure) {
    return { got, failure };
  }
  return { got, failure: undefined };
}

/** A promise and its resolver, as a gate a scripted piece waits behind. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Resolves once `condition` holds, checking every few milliseconds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** A loopback port with nothing listening on it: bound once, then released. */
async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('the openai-compatible generator against a scripted chat-completions server', () => {
  let server: ScriptedChatServer;
  let generator: Generator;
  beforeAll(async () => {
    server = await startScriptedChatServer();
    generator = createOpenAICompatibleGenerator({ baseUrl: server.url, model: MODEL, apiKey: API_KEY, timeoutMs: 5000, contextTokens: 8192 });
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    expect(server.pending, 'every scripted reply was asked for').toBe(0);
  });
  afterAll(async () => {
    await generator?.dispose();
    await server?.close();
  });

  it('yields each piece as the server sends it, before the server has sent the rest', async () => {
    const secondMayGo = gate();
    const thirdMayGo = gate();
    server.script([{ pieces: ['The bridge ', { text: 'opened in 1932', after: secondMayGo.opened }, { text: ' [1].', after: thirdMayGo.opened }] }]);
    const request = () => server.requests.at(-1)!;
    const seen: { piece: string; sentSoFar: number }[] = [];
    for await (const piece of generator.stream(MESSAGES, { maxTokens: 64 })) {
      seen.push({ piece, sentSoFar: request().sentPieces.length });
      if (seen.length === 1) secondMayGo.open();
      if (seen.length === 2) thirdMayGo.open();
    }
    // Had the generator waited for the whole reply, the server would still be waiting at its first gate.
    expect(seen).toEqual([
      { piece: 'The bridge ', sentSoFar: 1 },
      { piece: 'opened in 1932', sentSoFar: 2 },
      { piece: ' [1].', sentSoFar: 3 },
    ]);
  });

  it('sends the model, the messages, max_tokens, stream and temperature 0, with the key as a bearer token', async () => {
    server.script([{ pieces: ['1932 [1].'] }]);
    expect(await collect(generator.stream(MESSAGES, { maxTokens: 77 }))).toEqual(['1932 [1].']);
    const { method, path, headers, body } = server.requests.at(-1)!;
    expect({ method, path }).toEqual({ method: 'POST', path: '/v1/chat/completions' });
    expect(headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(body).toMatchObject({ model: MODEL, messages: MESSAGES, max_tokens: 77, stream: true, temperature: 0 });
  });

  it('sends no Authorization header when no key is configured, whatever OPENAI_* variables other tools set', async () => {
    vi.stubEnv('OPENAI_API_KEY', 'sk-meant-for-another-tool');
    vi.stubEnv('OPENAI_ADMIN_KEY', 'sk-admin-meant-for-another-tool');
    vi.stubEnv('OPENAI_ORG_ID', 'org-elsewhere');
    vi.stubEnv('OPENAI_BASE_URL', 'http://127.0.0.1:9/v1');
    const keyless = createOpenAICompatibleGenerator({ baseUrl: server.url, model: MODEL, timeoutMs: 5000, contextTokens: 8192 });
    server.script([{ pieces: ['ok'] }]);
    expect(await collect(keyless.stream(MESSAGES, { maxTokens: 16 }))).toEqual(['ok']);
    expect(server.requests.at(-1)!.headers).not.toHaveProperty('authorization');
    expect(server.requests.at(-1)!.headers).not.toHaveProperty('openai-organization');
    await keyless.dispose();
  });

  it('reads past chunks without content: the role chunk, the finish_reason chunk and a usage chunk with no choices', async () => {
    server.script([
      { pieces: ['The bridge ', '', 'opened [1].'], usageChunk: true },
      { pieces: ['Cut short'], finishReason: 'length', usageChunk: true },
    ]);
    expect(await collect(generator.stream(MESSAGES, { maxTokens: 64 }))).toEqual(['The bridge ', 'opened [1].']);
    expect(await collect(generator.stream(MESSAGES, { maxTokens: 2 }))).toEqual(['Cut short']);
  });

  it('turns a 500 into GENERATOR_FAILED carrying the server’s own message', async () => {
    server.script([{ status: 500, error: { message: 'CUDA error: out of memory', type: 'server_error' } }]);
    const error = await failureOf(generator.stream(MESSAGES, { maxTokens: 64 }));
    expect(error).toBeInstanceOf(GeneratorError);
    expect(error.code).toBe('GENERATOR_FAILED');
    expect(error.message).toContain('500: CUDA error: out of memory');
    expect(error.message).toContain(server.url);
  });

  it('does not retry a failed request: the answerer falls back instead', async () => {
    const before = server.requests.length;
    server.script([{ status: 503, error: { message: 'loading model' } }]);
    expect((await failureOf(generator.stream(MESSAGES, { maxTokens: 64 }))).code).toBe('GENERATOR_FAILED');
    expect(server.requests.length - before).toBe(1);
  });

  it('turns a 404 for an unknown model into GENERATOR_FAILED that names the model and how to get it', async () => {
    server.script([{ status: 404, error: { message: `model "${MODEL}" not found, try pulling it first`, type: 'api_error' } }]);
    const error = await failureOf(generator.stream(MESSAGES, { maxTokens: 64 }));
    expect(error.code).toBe('GENERATOR_FAILED');
    expect(error.message).toContain(`model "${MODEL}" not found, try pulling it first`);
    expect(error.message).toContain('GENERATOR_MODEL');
    expect(error.message).toContain(`ollama pull ${MODEL}`);
  });

  it('shows a plain-text 404 (a base URL without /v1) as the server wrote it, and says to check the base URL', async () => {
    server.script([{ status: 404, rawErrorBody: '404 page not found' }]);
    const error = await failureOf(generator.stream(MESSAGES, { maxTokens: 64 }));
    expect(error.code).toBe('GENERATOR_FAILED');
    expect(error.message).toContain('404: 404 page not found');
    expect(error.message).toContain('GENERATOR_BASE_URL');
  });

  it('turns a 401 into GENERATOR_FAILED that says to check GENERATOR_API_KEY, without repeating the key the server echoed', async () => {
    server.script([{ status: 401, error: { message: `Incorrect API key provided: ${API_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }]);
    const error = await failureOf(generator.stream(MESSAGES, { maxTokens: 64 }));
    expect(error.code).toBe('GENERATOR_FAILED');
    expect(error.message).toContain('check GENERATOR_API_KEY');
    expect(error.message).toContain('Incorrect API key provided: [GENERATOR_API_KEY].');
    expect(JSON.stringify({ message: error.message, stack: error.stack, cause: String(error.cause) })).not.toContain(API_KEY);
  });

  it('turns a reply that breaks off mid-stream into GENERATOR_FAILED', async () => {
    server.script([{ pieces: ['The bridge ', 'opened'], hangUpAfter: 1 }]);
    const { got, failure } = await readUntilFailure(generator.stream(MESSAGES, { maxTokens: 64 }));
    expect(got).toEqual(['The bridge ']);
    expect(failure).toBeInstanceOf(GeneratorError);
    expect((failure as GeneratorError).code).toBe('GENERATOR_FAILED');
    expect((failure as GeneratorError).message).toContain('broke off');
  });

  it('turns an error event inside the stream into GENERATOR_FAILED carrying the server’s message, after the pieces before it', async () => {
    server.script([{ pieces: ['The bridge ', 'opened'], errorAfter: 1, error: { message: 'the request exceeds the available context size' } }]);
    const { got, failure } = await readUntilFailure(generator.stream(MESSAGES, { maxTokens: 64 }));
    expect(got).toEqual(['The bridge ']);
    expect((failure as GeneratorError).code).toBe('GENERATOR_FAILED');
    expect((failure as GeneratorError).message).toContain('reported an error mid-reply (the request exceeds the available context size)');
  });

  it('stops a stalled reply with GENERATOR_TIMEOUT and closes its connection', async () => {
    const impatient = createOpenAICompatibleGenerator({ baseUrl: server.url, model: MODEL, apiKey: API_KEY, timeoutMs: 300, contextTokens: 8192 });
    server.script([{ pieces: ['The bridge ', 'opened'], stallAfter: 1 }, { pieces: ['never sent'], stallAfter: 0 }]);

    const { got, failure } = await readUntilFailure(impatient.stream(MESSAGES, { maxTokens: 64 }));
    expect(got).toEqual(['The bridge ']);
    expect(failure).toBeInstanceOf(GeneratorError);
    expect((failure as GeneratorError).code).toBe('GENERATOR_TIMEOUT');
    expect((failure as GeneratorError).message).toMatch(/did not send a token within 300 ms after 1 piece: .*raise GENERATOR_TIMEOUT_MS/);
    await server.requests.at(-1)!.closedEarly;

    const first = await failureOf(impatient.stream(MESSAGES, { maxTokens: 64 }));
    expect(first.code).toBe('GENERATOR_TIMEOUT');
    expect(first.message).toContain(`the generator at ${server.url} (model ${MODEL}) did not send a token within 300 ms: check the server`);
    await server.requests.at(-1)!.closedEarly;
    expect(server.requests.at(-1)!.clientClosedEarly).toBe(true);
    await impatient.dispose();
  });

  it('does not count the time the caller spends between pieces as a stall', async () => {
    const impatient = createOpenAICompatibleGenerator({ baseUrl: server.url, model: MODEL, timeoutMs: 300, contextTokens: 8192 });
    server.script([{ pieces: ['The bridge ', 'opened ', 'in 1932 [1].'] }]);
    const got: string[] = [];
    for await (const piece of impatient.stream(MESSAGES, { maxTokens: 64 })) {
      got.push(piece);
      await new Promise((resolve) => setTimeout(resolve, 600)); // a caller verifying each sentence as it comes
    }
    expect(got.join('')).toBe('The bridge opened in 1932 [1].');
    await impatient.dispose();
  });

  it('ends with AbortedError, not a GeneratorError, when the caller aborts mid-stream, and closes the connection', async () => {
    server.script([{ pieces: ['The bridge ', 'opened'], stallAfter: 1 }]);
    const controller = new AbortController();
    const got: string[] = [];
    let failure: unknown;
    try {
      for await (const piece of generator.stream(MESSAGES, { maxTokens: 64, signal: controller.signal })) {
        got.push(piece);
        controller.abort();
      }
    } catch (error) {
      failure = error;
    }
    expect(got).toEqual(['The bridge ']);
    expect(failure).toBeInstanceOf(AbortedError);
    expect(failure).not.toBeInstanceOf(GeneratorError);
    await server.requests.at(-1)!.closedEarly;
  });

  it('ends with AbortedError when aborted while waiting for a stalled server, and keeps the caller’s own AbortedError', async () => {
    server.script([{ pieces: ['never sent'], stallAfter: 0 }]);
    const controller = new AbortController();
    const reason = new AbortedError('the client went away');
    const before = server.requests.length;
    const pending = failureOf(generator.stream(MESSAGES, { maxTokens: 64, signal: controller.signal }));
    await until(() => server.requests.length > before);
    controller.abort(reason);
    expect(await pending).toBe(reason);
    await server.requests.at(-1)!.closedEarly;
  });

  it('sends nothing when the signal has already fired', async () => {
    const before = server.requests.length;
    const error = await failureOf(generator.stream(MESSAGES, { maxTokens: 64, signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(AbortedError);
    expect(server.requests.length).toBe(before);
  });

  it('closes the connection when the caller stops reading early', async () => {
    const rest = gate();
    server.script([{ pieces: ['The bridge ', { text: 'opened', after: rest.opened }] }]);
    for await (const piece of generator.stream(MESSAGES, { maxTokens: 64 })) {
      expect(piece).toBe('The bridge ');
      break;
    }
    await server.requests.at(-1)!.closedEarly;
    rest.open();
  });

  it('aborts what is in flight on dispose() and refuses new requests', async () => {
    const closing = createOpenAICompatibleGenerator({ baseUrl: server.url, model: MODEL, timeoutMs: 5000, contextTokens: 8192 });
    server.script([{ pieces: ['The bridge '], stallAfter: 1 }]);
    const iterator = closing.stream(MESSAGES, { maxTokens: 64 })[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: 'The bridge ' });
    const next = iterator.next();
    await closing.dispose();
    await expect(next).rejects.toBeInstanceOf(AbortedError);
    await server.requests.at(-1)!.closedEarly;
    expect(await failureOf(closing.stream(MESSAGES, { maxTokens: 64 }))).toBeInstanceOf(AbortedError);
  });

  it('names the model and server in its id and info, never the key', () => {
    expect(generator.id).toBe(`openai-compatible:${MODEL}@${server.url}`);
    expect(generator.info).toEqual({ kind: 'openai-compatible', model: MODEL, contextTokens: 8192, baseUrl: server.url });
    expect(JSON.stringify({ id: generator.id, info: generator.info })).not.toContain(API_KEY);
  });

  it('is built from the configuration (GENERATOR_BASE_URL, GENERATOR_MODEL, GENERATOR_API_KEY)', async () => {
    const config = loadConfig({
      env: { ANSWERER: 'generative', GENERATOR: 'openai-compatible', GENERATOR_BASE_URL: `${server.url}/`, GENERATOR_MODEL: 'qwen2.5:0.5b', GENERATOR_API_KEY: API_KEY, GENERATOR_CONTEXT_TOKENS: '4096' },
    });
    const configured = openAICompatibleGeneratorFromConfig(config);
    server.script([{ pieces: ['ok'] }]);
    expect(await collect(configured.stream(MESSAGES, { maxTokens: 16 }))).toEqual(['ok']);
    expect(server.requests.at(-1)!.body).toMatchObject({ model: 'qwen2.5:0.5b' });
    expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(configured.id).toBe(`openai-compatible:qwen2.5:0.5b@${server.url}`);
    expect(configured.info.contextTokens).toBe(4096);
    await configured.dispose();
  });

  it('over-estimates tokens: at least one per word, and one per CJK character', async () => {
    const english = MESSAGES.map((m) => m.content).join('\n');
    expect(await generator.countTokens(english)).toBeGreaterThanOrEqual(english.split(/\s+/).filter(Boolean).length);
    const chinese = '这座桥于一九三二年开通。';
    expect(await generator.countTokens(chinese)).toBeGreaterThanOrEqual([...chinese].length);
    expect(await generator.countTokens('')).toBe(0);
  });
});

describe('the openai-compatible generator without a server', () => {
  it('reports GENERATOR_UNREACHABLE naming the URL and what to start when nothing listens on the port', async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}/v1`;
    const generator = createOpenAICompatibleGenerator({ baseUrl, model: MODEL, apiKey: API_KEY, timeoutMs: 5000, contextTokens: 8192 });
    const error = await failureOf(generator.stream(MESSAGES, { maxTokens: 64 }));
    expect(error).toBeInstanceOf(GeneratorError);
    expect(error.code).toBe('GENERATOR_UNREACHABLE');
    expect(error.message).toContain(`nothing is listening at ${baseUrl}`);
    expect(error.message).toContain('ollama serve');
    expect(error.message).not.toContain(API_KEY);
  });

  it('reports GENERATOR_UNREACHABLE saying the host was not found when its name does not resolve', async () => {
    const baseUrl = 'http://verbatim-generator.invalid/v1';
    const generator = createOpenAICompatibleGenerator({ baseUrl, model: MODEL, timeoutMs: 5000, contextTokens: 8192 });
    const error = await failureOf(generator.stream(MESSAGES, { maxTokens: 64 }));
    expect(error.code).toBe('GENERATOR_UNREACHABLE');
    expect(error.message).toContain(baseUrl);
    expect(error.message).toMatch(/could not be (found|looked up)/);
  });
});
