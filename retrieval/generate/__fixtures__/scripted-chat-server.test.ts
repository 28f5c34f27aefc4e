/**
 * The scripted server as the official `openai` client sees it, for the parts the generator's tests do not reach:
 * non-streamed replies, a request nobody scripted, and `close()` while a reply is stalled.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedChatServer, type ScriptedChatServer } from './scripted-chat-server.js';

describe('the scripted chat-completions server', () => {
  let server: ScriptedChatServer | undefined;
  afterEach(async () => server?.close());

  const clientOf = (s: ScriptedChatServer) => new OpenAI({ baseURL: s.url, apiKey: 'sk-fixture', maxRetries: 0 });

  it('answers stream: false with one chat.completion holding the pieces joined', async () => {
    server = await startScriptedChatServer({ replies: [{ pieces: ['When did ', 'the bridge open?'] }] });
    const completion = await clientOf(server).chat.completions.create({ model: 'rewriter', messages: [{ role: 'user', content: 'And when did it open?' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('rewriter');
    expect(completion.choices[0]!.message.content).toBe('When did the bridge open?');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(server.requests[0]!.body).toMatchObject({ model: 'rewriter', messages: [{ role: 'user', content: 'And when did it open?' }] });
    expect(server.requests[0]!.headers.authorization).toBe('Bearer sk-fixture');
  });

  it('streams what the client parses into chunks: a role chunk, the pieces, the finish_reason, the usage chunk', async () => {
    server = await startScriptedChatServer({ replies: [{ pieces: ['a', 'b'], usageChunk: true }] });
    const stream = await clientOf(server).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }], stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => [c.choices[0]?.delta.content ?? null, c.choices[0]?.finish_reason ?? null, c.usage?.completion_tokens ?? null])).toEqual([
      ['', null, null],
      ['a', null, null],
      ['b', null, null],
      [null, 'stop', null],
      [null, null, 2],
    ]);
  });

  it('answers a request nobody scripted with a 500 that says so', async () => {
    server = await startScriptedChatServer();
    const failure = await clientOf(server)
      .chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.InternalServerError);
    expect((failure as Error).message).toContain('no reply scripted for request #1');
  });

  it('closes while a reply is stalled, and the client sees its connection end', async () => {
    server = await startScriptedChatServer({ replies: [{ pieces: ['a', 'b'], stallAfter: 1 }] });
    const stream = await clientOf(server).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }], stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next(); // the role chunk
    expect((await iterator.next()).value?.choices[0]?.delta.content).toBe('a');
    const rest = iterator.next().catch((error: unknown) => error);
    await server.close();
    server = undefined;
    const ended = await rest;
    expect(ended instanceof Error || (ended as IteratorResult<unknown>).done === true).toBe(true);
  });
});
