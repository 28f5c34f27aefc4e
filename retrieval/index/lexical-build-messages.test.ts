import { describe, expect, it } from 'vitest';
import { BatchClaims } from './lexical-build-messages.js';

describe('BatchClaims', () => {
  it('gives each batch to exactly one thread: the build thread from the first up, the ingest thread from the last down', () => {
    const ingest = BatchClaims.create();
    const build = new BatchClaims(ingest.buffer);
    expect(build.claimNext(0)).toBe(true);
    expect(build.claimNext(2)).toBe(false);
    expect(build.claimNext(1)).toBe(true);
    expect(ingest.taken).toBe(2);
    // Before the count is known the ingest thread claims nothing.
    ingest.setCount(5);
    expect(ingest.claimLast()).toBe(4);
    expect(ingest.claimLast()).toBe(3);
    expect(build.claimNext(2)).toBe(true);
    expect(build.claimNext(3)).toBe(false);
    expect(ingest.claimLast()).toBeNull();
  });

  it('leaves the ingest thread nothing when the build thread has claimed every batch', () => {
    const ingest = BatchClaims.create();
    const build = new BatchClaims(ingest.buffer);
    for (let batch = 0; batch < 3; batch++) expect(build.claimNext(batch)).toBe(true);
    ingest.setCount(3);
    expect(ingest.claimLast()).toBeNull();
    expect(build.claimNext(3)).toBe(false);
  });
});
