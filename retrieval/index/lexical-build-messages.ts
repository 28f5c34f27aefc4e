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

/** Batches counted before the ingest thread knows how many there are. */
const UNKNOWN_COUNT = 0x7fffffff;

/**
 * Which thread analyses which batch, shared by the two threads: the build thread claims batches from the first up,
 * the ingest thread, once it has nothing else to do, from the last down, so each batch is analysed exactly once and
 * the two meet wherever the work is balanced. Both counts live in one 64-bit word, changed by compare-and-swap: the
 * batches the build thread has claimed (the low half) and the first of the ingest thread's (the high half). Neither
 * thread ever waits for the other, even one descheduled mid-claim.
 */
export class BatchClaims {
  private readonly word: BigInt64Array;

  /** Wraps claims made by `create` (on the other thread, the buffer it was sent). */
  constructor(readonly buffer: SharedArrayBuffer) {
    this.word = new BigInt64Array(buffer);
  }

  /** New claims: no batch claimed, their count not known yet. */
  static create(): BatchClaims {
    const claims = new BatchClaims(new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT));
    Atomics.store(claims.word, 0, pack(0, UNKNOWN_COUNT));
    return claims;
  }

  /** How many batches the build thread has claimed (the first ones). */
  get taken(): number {
    return unpack(Atomics.load(this.word, 0)).taken;
  }

  /** The build thread claims `batch`, the next after those it has: false once the ingest thread has it. */
  claimNext(batch: number): boolean {
    return this.change(({ taken, limit }) => (batch === taken && batch < limit ? { taken: batch + 1, limit } : null)) !== null;
  }

  /** Sets how many batches there are (the build thread has claimed none past them). */
  setCount(batches: number): void {
    this.change(({ taken }) => ({ taken, limit: Math.max(batches, taken) }));
  }

  /** The ingest thread claims the last batch neither thread has, or gets null when none is left. */
  claimLast(): number | null {
    return this.change(({ taken, limit }) => (limit - 1 >= taken ? { taken, limit: limit - 1 } : null))?.limit ?? null;
  }

  /** Applies `next` to the counts atomically (retrying when the other thread changed them meanwhile); null: left as they were. */
  private change(next: (counts: Counts) => Counts | null): Counts | null {
    for (;;) {
      const seen = Atomics.load(this.word, 0);
      const counts = next(unpack(seen));
      if (counts === null) return null;
      if (Atomics.compareExchange(this.word, 0, seen, pack(counts.taken, counts.limit)) === seen) return counts;
    }
  }
}

/** The build thread's claimed batches, and the first batch of the ingest thread's. */
interface Counts {
  readonly taken: number;
  readonly limit: number;
}

function pack(taken: number, limit: number): bigint {
  return (BigInt(limit) << 32n) | BigInt(taken);
}

function unpack(word: bigint): Counts {
  return { taken: Number(word & 0xffffffffn), limit: Number(word >> 32n) };
}
