import type { MessagePort } from 'node:worker_threads';
import type { AnalysedRow } from './lexical-index.js';

/** A chunk as the build thread is sent it, to analyse itself. */
export interface RawRow {
  readonly row: number;
  readonly id: string;
  readonly text: string;
  readonly heading: string | null;
}

/**
 * What the ingest thread sends the build thread: batches of chunks in order, a few ahead of those the build thread has
 * claimed (`raw`), `end` with how many batches there are and the file to write, once they are all made, and the batches it analysed itself
 * (`analysed`, from the last one down; the build thread is sent those only that way).
 */
export type LexicalBuildMessage =
  | { readonly kind: 'raw'; readonly batch: number; readonly rows: readonly RawRow[] }
  | { readonly kind: 'end'; readonly batches: number; readonly file: string }
  | { readonly kind: 'analysed'; readonly batch: number; readonly rows: readonly AnalysedRow[] };

/** How the build thread's task ends: the file written, or why it could not be (an error's `code` does not cross threads). */
export type LexicalBuildOutcome = { readonly written: true } | { readonly written: false; readonly code: string | undefined; readonly message: string };

/** The build thread's one task: its end of the channel, and the claims both threads share. */
export interface LexicalBuildTask {
  readonly port: MessagePort;
  readonly claims: SharedArrayBuffer;
}

const LOCK = 0;
/** Batches the build thread has claimed: always the first ones, in order. */
const TAKEN = 1;
/** Batches from this one on are the ingest thread's (it claims from the last one down). */
const LIMIT = 2;

/**
 * Which thread analyses which batch, shared by the two threads: the build thread claims batches from the first up,
 * the ingest thread, once it has nothing else to do, from the last down, so each batch is analysed exactly once and
 * the two meet wherever the work is balanced. Each claim is one short critical section under a spin lock.
 */
export class BatchClaims {
  private readonly words: Int32Array;

  /** Wraps claims made by `create` (on the other thread, the buffer it was sent). */
  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer);
  }

  /** New claims: no batch claimed, their count not known yet. */
  static create(): BatchClaims {
    const claims = new BatchClaims(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
    Atomics.store(claims.words, LIMIT, 0x7fffffff);
    return claims;
  }

  /** The build thread claims `batch`, the next after those it has: false once the ingest thread has it. */
  claimNext(batch: number): boolean {
    return this.locked(() => {
      if (batch !== this.words[TAKEN] || batch >= this.words[LIMIT]!) return false;
      this.words[TAKEN] = batch + 1;
      return true;
    });
  }

  /** How many batches the build thread has claimed (the first ones). */
  get taken(): number {
    return Atomics.load(this.words, TAKEN);
  }

  /** Sets how many batches there are (the build thread has claimed none past them). */
  setCount(batches: number): void {
    this.locked(() => {
      this.words[LIMIT] = Math.max(batches, this.words[TAKEN]!);
    });
  }

  /** The ingest thread claims the last batch neither thread has, or gets null when none is left. */
  claimLast(): number | null {
    return this.locked(() => {
      const limit = this.words[LIMIT]!;
      if (limit - 1 < this.words[TAKEN]!) return null;
      this.words[LIMIT] = limit - 1;
      return limit - 1;
    });
  }

  private locked<T>(work: () => T): T {
    while (Atomics.compareExchange(this.words, LOCK, 0, 1) !== 0);
    try {
      return work();
    } finally {
      Atomics.store(this.words, LOCK, 0);
    }
  }
}
