/**
 * Hands out a fixed set of items (the context sequences of one llama.cpp context) one caller at a time: a caller
 * that finds none free waits its turn, first come first served, or stops waiting when its signal fires.
 */
export class SequencePool<T> {
  private readonly free: T[];
  private readonly waiting: { resolve: (item: T) => void; reject: (reason: unknown) => void; signal?: AbortSignal; onAbort: () => void }[] = [];

  constructor(items: readonly T[]) {
    this.free = [...items];
  }

  /** A free item, now or once one is released. @throws the signal's reason when it fires first. */
  acquire(signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const item = this.free.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Gives `item` back: to the longest waiting caller, or to the free set. */
  release(item: T): void {
    const next = this.waiting.shift();
    if (!next) {
      this.free.push(item);
      return;
    }
    next.signal?.removeEventListener('abort', next.onAbort);
    next.resolve(item);
  }

  /** Fails every waiting caller (the generator is being disposed). */
  rejectWaiting(reason: unknown): void {
    for (const waiter of this.waiting.splice(0)) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(reason);
    }
  }
}
