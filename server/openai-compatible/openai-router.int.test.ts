/**
 * The OpenAI-compatible endpoint through the official `openai` client, as a notebook or a chat UI would use it,
 * against the real server on an ephemeral port: answers streamed and not, the exact citations in the extension
 * field, follow-ups through the history, and errors as the client's own typed errors.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '../../retrieval/pipeline.js';
import type { AskResult, Citation } from '../../retrieval/types.js';
import { startTestServer, type TestServer } from '../__fixtures__/test-server.js';
import type { ChatCompletion, ChatCompletionChunk } from './chat-completion.js';

const QUESTION = 'How many foreign law enforcement officers did China train in 2023?';
const FOLLOW_UP = 'And how many more by 2025?';
const FIRST_ANSWER = 'China trained 2,700 foreign law enforcement officers in 2023. [1]';

/** A client as a user sets one up: the server's `/v1` as base URL, no retries so a refusal shows at once. */
function clientOf(server: TestServer, apiKey = 'unused'): OpenAI {
  return new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });
}

async function postAsk(server: TestServer, body: unknown): Promise<AskResult> {
  const res = await fetch(`${server.url}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as AskResult;
}

function expectExactCitations(server: TestServer, citations: readonly Citation[]): void {
  expect(citations.length).toBeGreaterThan(0);
  for (const c of citations) expect(server.pipeline.getDocument(c.docId)!.text.slice(c.start, c.end)).toBe(c.quote);
}

/** Streams a completion and gathers what a client sees: the content deltas and the last chunks' extension fields. */
async function streamed(client: OpenAI, body: Omit<OpenAI.ChatCompletionCreateParamsStreaming, 'stream'>) {
  const stream = await client.chat.completions.create({ ...body, stream: true });
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk as unknown as ChatCompletionChunk);
  const deltas = chunks.flatMap((c) => c.choices.map((choice) => choice.delta.content ?? ''));
  const final = chunks.find((c) => c.choices[0]?.finish_reason === 'stop');
  return { chunks, deltas, content: deltas.join(''), final };
}

describe('the OpenAI-compatible endpoint, through the openai client', () => {
  let t: TestServer;
  let client: OpenAI;
  beforeAll(async () => {
    t = await startTestServer();
    client = clientOf(t);
  });
  afterAll(async () => t?.close());

  it('lists the answerers as models', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['verbatim', 'verbatim-extractive']);
    expect(await client.models.retrieve('verbatim-extractive')).toMatchObject({ id: 'verbatim-extractive', object: 'model', owned_by: 'verbatim' });
  });

  it('answers as /api/ask does, the [n] markers in the content and the exact citations beside it', async () => {
    const completion = (await client.chat.completions.create({ model: 'verbatim', messages: [{ role: 'user', content: QUESTION }] })) as unknown as ChatCompletion;
    const direct = await postAsk(t, { question: QUESTION });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message).toMatchObject({ role: 'assistant', content: direct.answer });
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.choices[0].message.content).toMatch(/\[1\]/);
    expect(completion.citations).toEqual(direct.citations);
    expectExactCitations(t, completion.citations);
    expect(completion.verbatim).toMatchObject({ short_answer: '2,700', abstained: false, abstention_reason: null, mode: 'lexical' });
  });

  it('streams deltas that add up to the non-streamed content, the citations on the last chunk', async () => {
    const messages = [{ role: 'user' as const, content: QUESTION }];
    const whole = (await client.chat.completions.create({ model: 'verbatim', messages })) as unknown as ChatCompletion;
    const { chunks, deltas, content, final } = await streamed(client, { model: 'verbatim', messages });
    expect(content).toBe(whole.choices[0].message.content);
    expect(deltas.filter(Boolean).length).toBeGreaterThan(5);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(final?.citations).toEqual(whole.citations);
    expectExactCitations(t, final!.citations!);
    expect(final?.verbatim?.short_answer).toBe('2,700');
  });

  it('reports usage in a last chunk when stream_options asks for it', async () => {
    const { chunks } = await streamed(client, { model: 'verbatim', messages: [{ role: 'user', content: QUESTION }], stream_options: { include_usage: true } });
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.prompt_tokens).toBe(QUESTION.split(' ').length);
    expect(last.usage!.total_tokens).toBe(last.usage!.prompt_tokens + last.usage!.completion_tokens);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('takes earlier messages as the history of a follow-up, system messages aside', async () => {
    const messages = [
      { role: 'system' as const, content: 'You are a helpful assistant.' },
      { role: 'user' as const, content: QUESTION },
      { role: 'assistant' as const, content: FIRST_ANSWER },
      { role: 'user' as const, content: [{ type: 'text' as const, text: FOLLOW_UP }] },
    ];
    const completion = (await client.chat.completions.create({ model: 'verbatim', messages })) as unknown as ChatCompletion;
    const direct = await postAsk(t, { question: FOLLOW_UP, history: [{ role: 'user', content: QUESTION }, { role: 'assistant', content: FIRST_ANSWER }] });
    expect(completion.verbatim.retrieval_query).toBe(direct.retrievalQuery);
    expect(completion.verbatim.retrieval_query).not.toBe(FOLLOW_UP);
    expect(completion.choices[0].message.content).toBe(direct.answer);
  });

  it('appends a plain Sources list, with titles and quotes, for clients that show only the content', async () => {
    const body = { model: 'verbatim', messages: [{ role: 'user' as const, content: QUESTION }], verbatim: { append_sources: true } };
    const completion = (await client.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming)) as unknown as ChatCompletion;
    const content = completion.choices[0].message.content;
    const [answer, sources] = content.split('\n\nSources:\n');
    expect(answer).toBe((await postAsk(t, { question: QUESTION })).answer);
    const lines = sources!.split('\n');
    expect(lines).toHaveLength(completion.citations.length);
    for (const [i, c] of completion.citations.entries()) {
      expect(lines[i]).toContain(`[${c.n}] ${t.pipeline.getDocument(c.docId)!.title}`);
      expect(lines[i]).toContain(c.quote.replace(/\s+/g, ' ').trim());
    }
    expect((await streamed(client, body)).content).toBe(content);
  });

  it('refuses what it cannot answer with the client’s typed errors and a param naming the field', async () => {
    const refused = async (body: unknown) => {
      try {
        await client.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming);
      } catch (error) {
        return error;
      }
      throw new Error('the request was answered');
    };
    const unknownModel = await refused({ model: 'gpt-4o', messages: [{ role: 'user', content: QUESTION }] });
    expect(unknownModel).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknownModel).toMatchObject({ status: 404, code: 'MODEL_NOT_FOUND', param: 'model', type: 'not_found_error' });
    expect((unknownModel as Error).message).toContain('verbatim-extractive');

    const endsWithAssistant = await refused({ model: 'verbatim', messages: [{ role: 'user', content: QUESTION }, { role: 'assistant', content: 'x' }] });
    expect(endsWithAssistant).toBeInstanceOf(OpenAI.BadRequestError);
    expect(endsWithAssistant).toMatchObject({ param: 'messages[1].role', type: 'invalid_request_error' });

    const image = await refused({ model: 'verbatim', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:,' } }] }] });
    expect(image).toBeInstanceOf(OpenAI.BadRequestError);
    expect((image as Error).message).toContain('only text content');

    const tooLong = await refused({ model: 'verbatim', messages: [{ role: 'user', content: 'why '.repeat(600) }] });
    expect(tooLong).toMatchObject({ status: 400, param: 'messages[0].content' });
    expect((tooLong as Error).message).toContain('longer than 2000 characters');

    expect(await refused({ model: 'verbatim', messages: [] })).toBeInstanceOf(OpenAI.BadRequestError);
    expect(await refused({ model: 'verbatim', n: 2, messages: [{ role: 'user', content: QUESTION }] })).toMatchObject({ status: 400, param: 'n' });
    const stream = await refused({ model: 'verbatim', stream: true, messages: [{ role: 'user', content: ' ' }] });
    expect(stream).toMatchObject({ status: 400, code: 'BAD_INPUT' });
  });

  it('answers every other /v1 path with an OpenAI-style 404', async () => {
    const res = await fetch(`${t.url}/v1/embeddings`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { type: 'not_found_error', code: 'NOT_FOUND', param: null } });
  });

  it('sends server-sent events ending in [DONE]', async () => {
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'verbatim', stream: true, messages: [{ role: 'user', content: QUESTION }] }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
  });
});

describe('the OpenAI-compatible endpoint behind a token and limits', () => {
  const token = 'test-token-0123456789abcdef';
  let guarded: TestServer;
  beforeAll(async () => {
    guarded = await startTestServer({ configOverrides: { apiToken: token } });
  });
  afterAll(async () => guarded?.close());

  it('takes the API token as the API key and refuses a wrong one with AuthenticationError', async () => {
    const completion = await clientOf(guarded, token).chat.completions.create({ model: 'verbatim', messages: [{ role: 'user', content: QUESTION }] });
    expect(completion.choices[0]!.message.content).toMatch(/2,700/);
    const wrong = await clientOf(guarded, `${token}x`).models.list().catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(wrong).toMatchObject({ code: 'UNAUTHORIZED', type: 'authentication_error' });
  });

  it('shares the rate limit of the API and reports it as RateLimitError', async () => {
    const limited = await startTestServer({ requestsPerMinute: 2 });
    try {
      const client = clientOf(limited);
      await client.models.list();
      await client.models.list();
      const error = await client.models.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error).toMatchObject({ code: 'RATE_LIMITED', type: 'rate_limit_error' });
    } finally {
      await limited.close();
    }
  });

  it('puts a failure after the stream has started into the stream, where the client raises it', async () => {
    const failing = (p: Pipeline): Pipeline => ({
      ...p,
      async *askStream(request) {
        const events = p.askStream(request);
        for await (const event of events) {
          yield event;
          if (event.type === 'token') throw new Error('the answering worker failed: out of memory');
        }
        throw new Error('unreachable');
      },
    });
    const broken = await startTestServer({ wrapPipeline: failing });
    try {
      const received: string[] = [];
      const error = await (async () => {
        const stream = await clientOf(broken).chat.completions.create({ model: 'verbatim', stream: true, messages: [{ role: 'user', content: QUESTION }] });
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).toMatchObject({ code: 'INTERNAL', type: 'server_error' });
      expect((error as Error).message).not.toContain('out of memory');
      expect(received.join('').length).toBeGreaterThan(0);
    } finally {
      await broken.close();
    }
  });
});
