import { describe, expect, it } from 'vitest';
import type { IngestReport } from '../ingest/ingest-corpus.js';
import type { AskRequest, Pipeline } from '../pipeline.js';
import type { AskResult } from '../types.js';
import { createLiveIndex, type RebuiltPipeline } from './live-index.js';

/** A pipeline whose asks wait until released, answering with the generation's name; it records being closed. */
function heldPipeline(name: string) {
  const held: (() => void)[] = [];
  let closed = false;
  const pipeline: Pipeline = {
    status: { documents: 1 } as Pipeline['status'],
    generationDir: name,
    search: async () => [],
    ask: (request: AskRequest) =>
      new Promise<AskResult>((resolve) => held.push(() => resolve({ question: request.question, answer: name } as AskResult))),
    askStream: async function* () {
      await new Promise<void>((resolve) => held.push(resolve));
      return { answer: name } as AskResult;
    },
    listDocuments: () => [],
    getDocument: () => undefined,
    close: async () => {
      closed = true;
    },
  };
  return {
    pipeline,
    releaseAll: () => held.splice(0).forEach((release) => release()),
    get held() {
      return held.length;
    },
    get closed() {
      return closed;
    },
  };
}

const report = (documents: number) => ({ documents, added: [], removed: [], skipped: [] }) as unknown as IngestReport;

describe('createLiveIndex', () => {
  it('finishes running asks on the old generation, sends new ones to the new, and closes the old once drained', async () => {
    const old = heldPipeline('gen-1');
    const next = heldPipeline('gen-2');
    const live = createLiveIndex({ initial: old.pipeline, rebuild: async () => ({ pipeline: next.pipeline, ingest: report(2) }) });
    const running = live.ask({ question: 'a' });
    const streaming = live.askStream({ question: 'b' });
    const streamed = streaming.next();
    await expect.poll(() => old.held).toBe(2);

    await live.reindex();
    expect(live.generationDir).toBe('gen-2');
    expect(old.closed).toBe(false);
    expect(live.retiring).toBe(1);
    const fresh = live.ask({ question: 'c' });
    await expect.poll(() => next.held).toBe(1);

    old.releaseAll();
    expect((await running).answer).toBe('gen-1');
    expect(await streamed).toMatchObject({ done: true, value: { answer: 'gen-1' } });
    await expect.poll(() => old.closed).toBe(true);
    expect(live.retiring).toBe(0);
    next.releaseAll();
    expect((await fresh).answer).toBe('gen-2');
    expect(next.closed).toBe(false);
    await live.close();
    expect(next.closed).toBe(true);
  });

  it('runs one re-index at a time and folds the calls made during one into the next', async () => {
    const gates: (() => void)[] = [];
    let built = 0;
    const live = createLiveIndex({
      initial: heldPipeline('gen-0').pipeline,
      rebuild: async (): Promise<RebuiltPipeline> => {
        const n = ++built;
        await new Promise<void>((resolve) => gates.push(resolve));
        return { pipeline: heldPipeline(`gen-${n}`).pipeline, ingest: report(n) };
      },
    });
    const first = live.reindex();
    const second = live.reindex();
    const third = live.reindex();
    expect(second).toBe(third);
    await expect.poll(() => gates.length).toBe(1);
    gates.shift()!();
    expect((await first).documents).toBe(1);
    await expect.poll(() => gates.length).toBe(1);
    expect(live.reindexing).toBe(true);
    gates.shift()!();
    expect((await second).documents).toBe(2);
    expect(built).toBe(2);
    expect(live.reindexing).toBe(false);
    await live.close();
  });

  it('keeps serving the current generation when a rebuild fails, and the next call tries again', async () => {
    const current = heldPipeline('gen-1');
    let fail = true;
    const live = createLiveIndex({
      initial: current.pipeline,
      rebuild: async () => {
        if (fail) throw new Error('disk full');
        return { pipeline: heldPipeline('gen-2').pipeline, ingest: report(2) };
      },
    });
    await expect(live.reindex()).rejects.toThrow('disk full');
    expect(live.generationDir).toBe('gen-1');
    expect(current.closed).toBe(false);
    fail = false;
    await live.reindex();
    expect(live.generationDir).toBe('gen-2');
    await expect.poll(() => current.closed).toBe(true);
    await live.close();
  });
});
